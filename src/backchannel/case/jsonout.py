"""Fast JSON output: orjson, and a streamed array for results too large to
hold as Python objects at once.

The text is that of ``json.dumps(data, indent=2, ensure_ascii=False)`` (or,
with ``indent=None``, compact), so streaming changes the cost, not the
output.  NumPy integer arrays serialise as lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, Any

import orjson

__all__ = ["dumps", "write_with_stream"]

_PLACEHOLDER = "\x1e__backchannel_stream__\x1e"


def _option(indent: int | None) -> int:
    if indent not in (None, 2):
        raise ValueError(f"indent must be 2 or None, not {indent!r}")
    opt = orjson.OPT_SERIALIZE_NUMPY
    return opt | orjson.OPT_INDENT_2 if indent == 2 else opt


def dumps(data: Any, *, indent: int | None = 2) -> bytes:
    """``data`` as UTF-8 JSON."""
    return orjson.dumps(data, option=_option(indent))


def write_with_stream(
    fp: IO[bytes],
    data: dict[str, Any],
    key: str,
    chunks: Iterable[list[Any] | bytes],
    *,
    indent: int | None = 2,
) -> None:
    """Write ``data`` (a dict) as JSON to ``fp``, with ``data[key]`` (which
    must be present, its value ignored) the concatenation of ``chunks``,
    serialised one chunk at a time: a top-level array of any length in
    bounded memory.  A chunk given as bytes is already the JSON text of its
    elements, comma separated, as they stand in the output."""
    opt = _option(indent)
    head = orjson.dumps({k: (_PLACEHOLDER if k == key else v) for k, v in data.items()}, option=opt)
    marker = orjson.dumps(_PLACEHOLDER)
    at = head.index(marker)
    fp.write(head[:at])
    fp.write(b"[")
    inner: Callable[[bytes], bytes] = (lambda b: b.replace(b"\n", b"\n  ")) if indent else (lambda b: b)
    first = True
    for chunk in chunks:
        if not chunk:
            continue
        if isinstance(chunk, bytes):
            body = chunk
        else:
            body = inner(orjson.dumps(chunk, option=opt))
            # strip the chunk's own brackets: "[" … "\n  ]" (indented) or "[" … "]"
            body = body[1 : -4 if indent else -1]
        if not first:
            fp.write(b",")
        fp.write(body)
        first = False
    if not first and indent:
        fp.write(b"\n  ")
    fp.write(b"]")
    fp.write(head[at + len(marker) :])
