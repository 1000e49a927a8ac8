"""HTML helpers of the report: escaping, tables, paragraphs, numbers, and how a
state is named."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..words import state_list

if TYPE_CHECKING:
    from ..gmcr.statespace import StateSpace


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


NUM = ' class="num"'


def _table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    caption: str | None = None,
    num: Sequence[int] = (),
    row_attrs: Sequence[str] | None = None,
) -> str:
    """A table; ``head`` is escaped here, the cells are HTML already."""
    ths = "".join(f'<th{NUM if i in num else ""} scope="col">{_e(h)}</th>' for i, h in enumerate(head))
    body = []
    for k, row in enumerate(rows):
        attrs = row_attrs[k] if row_attrs else ""
        tds = "".join(f"<td{NUM if i in num else ''}>{c}</td>" for i, c in enumerate(row))
        body.append(f"<tr{attrs}>{tds}</tr>")
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return (
        f'<div class="scroll"><table>{cap}<thead><tr>{ths}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _paragraphs(text: str | None) -> str:
    """Plain text as paragraphs, with `backticks` as code."""
    if not text:
        return ""
    out = []
    for para in re.split(r"\n\s*\n|\n", text.strip()):
        para = para.strip()
        if para:
            esc = re.sub(r"`([^`]+)`", r"<code>\1</code>", _e(para))
            out.append(f"<p>{esc}</p>")
    return "".join(out)


def _num(v: Any, digits: int = 1) -> str:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return "—"
    return f"{v:.{digits}f}"


def _p(v: Any) -> str:
    return _num(v, 2)


def _state_list(states: Sequence[int], limit: int = 12) -> str:
    return state_list(list(states), limit)


def _chart(svg_text: str) -> str:
    return f'<figure class="chart">{svg_text}</figure>'


def _taken(space: StateSpace, s: int) -> str:
    code = int(space.codes[s])
    taken = [o.text for i, (_, o) in enumerate(space.conflict.options) if code >> i & 1]
    return ", ".join(taken) if taken else "nothing taken"


def _scenario_names(space: StateSpace, s: int) -> list[str]:
    sc = space.conflict.scenarios
    return [sc[n].label or n for n in space.scenario_labels(s)]


def _state_ref(space: StateSpace, s: int) -> str:
    return f'state {s + 1} (<span class="pattern">{_e(space.pattern(s))}</span>: {_e(_taken(space, s))})'


def _fnum(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return math.nan
    return float(v)
