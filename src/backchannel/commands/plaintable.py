"""Long tables as plain aligned text: linear in what is printed.

Rich tables measure and wrap every cell and are slow for thousands of rows;
past :data:`RICH_ROWS` rows the command line prints plain columns instead
(padded to the widest cell, two spaces apart).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["RICH_ROWS", "plain_table"]

#: Most rows printed as a rich table; longer tables are plain text.
RICH_ROWS = 200


def plain_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """``rows`` under ``headers`` as aligned text; columns in ``right`` are
    right-aligned.  The last column is not padded.

    >>> print(plain_table(["#", "State"], [["1", "NY"], ["12", "YY"]], right=[0]))
     #  State
    --  -----
     1  NY
    12  YY
    """
    cols = list(zip(headers, *rows, strict=True)) if rows else [(h,) for h in headers]
    widths = [max(map(len, col)) for col in cols]
    last = len(headers) - 1

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
            if i in right:
                out.append(cell.rjust(w))
            else:
                out.append(cell if i == last else cell.ljust(w))
        return "  ".join(out).rstrip()

    lines = [line(headers), line(["-" * w for w in widths])]
    lines.extend(line(r) for r in rows)
    return "\n".join(lines)
