"""Guards for reading untrusted case text: bounded file reads, located JSON,
duplicate keys, lone surrogates and numbers too long to read.

Everything here is linear in the size of the text: line numbers come from a
sorted list of newline offsets (:class:`LineIndex`, a binary search per
lookup), and the JSON path → line map is built by one regular-expression
walk that skips sibling values with the C JSON scanner, only when a line is
asked for (:class:`JsonLines`).
"""

from __future__ import annotations

import bisect
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from ..errors import CaseError

__all__ = [
    "MAX_CASE_BYTES",
    "JsonLines",
    "LineIndex",
    "check_text",
    "fix_surrogates",
    "json_line_map",
    "load_json_checked",
    "read_bounded",
    "yaml_duplicate_keys",
]

#: The largest case file read (bytes); larger files are refused before they are read.
MAX_CASE_BYTES = 64 * 1024 * 1024

#: Python refuses to convert integers with more digits than this (``sys.get_int_max_str_digits``).
MAX_INT_DIGITS = 4300


def read_bounded(path: Path, name: str, limit: int = MAX_CASE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is a :class:`CaseError`.

    Named pipes, devices (``/dev/zero``) and sockets are refused without
    reading from them (the file is opened non-blocking, so that opening a pipe
    with no writer does not hang), and a file that grows past ``limit`` while
    it is read is refused too.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise CaseError(
            name, f"cannot be read: {e.strerror or e}", hint="Check the file's permissions."
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = (
                "a named pipe"
                if stat.S_ISFIFO(st.st_mode)
                else "a device"
                if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a socket"
                if stat.S_ISSOCK(st.st_mode)
                else "not a regular file"
            )
            raise CaseError(
                name,
                f"is {kind}, not a regular file: case files are read only from regular files",
                hint="Save the case to a file and name that file.",
            )
        too_big = CaseError(
            name,
            f"is larger than {limit:,} bytes, the most a case file may have",
            hint="A case is a description of a conflict: split it, or remove embedded data.",
        )
        if st.st_size > limit:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise too_big
        return b"".join(chunks)
    except OSError as e:
        raise CaseError(
            name, f"cannot be read: {e.strerror or e}", hint="Check the file's permissions."
        ) from None
    finally:
        os.close(fd)


class LineIndex:
    """Offset → line number (1-based) in a text, by binary search over its newlines."""

    def __init__(self, text: str) -> None:
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1

    def column(self, offset: int) -> int:
        i = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[i - 1] + 1 if i else 0
        return offset - start + 1


def check_text(text: str, path: str) -> None:
    """Refuse text that is not Unicode characters (a lone surrogate, e.g. from a JSON request)."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        line = LineIndex(text).line(e.start)
        raise CaseError(
            path,
            f"the text contains a lone surrogate (U+{ord(text[e.start]):04X}), which is not a character",
            line=line,
            hint="Remove it, or write the character itself instead of a surrogate code.",
        ) from None


def _fix(s: str) -> str | None:
    """``s`` with surrogate pairs joined (as JSON does); None if a lone surrogate remains."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        pass
    try:
        fixed = s.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        fixed.encode("utf-8")
    except UnicodeError:
        return None
    return fixed


_ESCAPE = re.compile(r"\\[uU]")


def fix_surrogates(data: Any, text: str, path: str, line_of: Callable[[tuple[Any, ...]], int | None]) -> Any:
    """``data`` with escaped surrogate pairs (``"\\ud83d\\ude00"``) joined into characters;
    a lone surrogate anywhere (keys too) is a located :class:`CaseError`.

    Only text with ``\\u`` or ``\\U`` escapes can hold surrogates, so other
    text costs one search.
    """
    if not _ESCAPE.search(text):
        return data
    seen: set[int] = set()

    def bad(loc: tuple[Any, ...], s: str) -> CaseError:
        code = next((ord(c) for c in s if 0xD800 <= ord(c) <= 0xDFFF), 0xD800)
        if loc and isinstance(loc[-1], str) and _fix(loc[-1]) is None:  # the key itself
            loc = loc[:-1]
        return CaseError(
            path,
            f"a text contains a lone surrogate escape (\\u{code:04x}), which is not a character",
            line=line_of(loc),
            loc=loc,
            hint="Remove the escape, or write the character itself (or both halves of a surrogate pair).",
        )

    def walk(node: Any, loc: tuple[Any, ...]) -> Any:
        stack: list[tuple[Any, tuple[Any, ...]]] = [(node, loc)]
        while stack:
            cur, where = stack.pop()
            if id(cur) in seen:
                continue
            seen.add(id(cur))
            if isinstance(cur, dict):
                for k in list(cur):
                    v = cur[k]
                    if isinstance(k, str):
                        fk = _fix(k)
                        if fk is None:
                            raise bad((*where, k), k)
                        if fk is not k:
                            del cur[k]
                            cur[fk] = v
                            k = fk
                    if isinstance(v, str):
                        fv = _fix(v)
                        if fv is None:
                            raise bad((*where, k), v)
                        cur[k] = fv
                    elif isinstance(v, dict | list):
                        stack.append((v, (*where, k)))
            elif isinstance(cur, list):
                for i, v in enumerate(cur):
                    if isinstance(v, str):
                        fv = _fix(v)
                        if fv is None:
                            raise bad((*where, i), v)
                        cur[i] = fv
                    elif isinstance(v, dict | list):
                        stack.append((v, (*where, i)))
        return node

    if isinstance(data, str):
        fixed = _fix(data)
        if fixed is None:
            raise bad((), data)
        return fixed
    return walk(data, ())


# ---------------------------------------------------------------------------
# YAML duplicate keys


def yaml_duplicate_keys(root: yaml.Node | None, path: str) -> None:
    """Refuse a mapping that gives the same key twice, naming both lines.

    Runs on the composed document, before construction (which would keep the
    last value silently). Merge keys (``<<``) are YAML's way of overriding
    and are not duplicates.
    """
    if root is None:
        return
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(root, ())]
    while stack:
        node, where = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode):
                    stack += [(k, where), (v, where)]
                    continue
                stack.append((v, (*where, k.value)))
                if k.tag == "tag:yaml.org,2002:merge":
                    continue
                key = (k.tag, k.value)
                line = k.start_mark.line + 1
                if key in first:
                    raise _duplicate(path, k.value, first[key], line, (*where, k.value))
                first[key] = line
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, (*where, i)) for i, v in enumerate(node.value))


def _printable(s: str) -> str:
    """``s`` with lone surrogates written as escapes, so that a message can be printed."""
    return s.encode("utf-8", "backslashreplace").decode("utf-8")


def _duplicate(path: str, key: str, first: int, second: int, loc: tuple[Any, ...] = ()) -> CaseError:
    key = _printable(key)
    loc = tuple(_printable(p) if isinstance(p, str) else p for p in loc)
    shown = key if len(key) <= 60 else key[:57] + "…"
    return CaseError(
        path,
        f"the key '{shown}' appears twice in the same mapping, on lines {first} and {second}; "
        "only one can hold (the reader would silently keep the last)",
        line=second,
        loc=loc,
        hint="Remove one of them, or rename it if both are meant (e.g. two scenarios need two names).",
    )


# ---------------------------------------------------------------------------
# JSON: duplicate keys, long integers, and line numbers by one linear scan

_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]', re.S)


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def _scan(
    text: str, *, stop_at_duplicate: bool = False
) -> tuple[dict[tuple[Any, ...], int], tuple[str, int, int, tuple[Any, ...]] | None]:
    """Path → line of every key and array element of a JSON text, in one pass of a
    regular expression over its tokens; and the first key given twice in one
    object (key, first line, second line), if any.

    Strings are matched whole, so brackets inside them do not count. An
    array element is located where its text begins.
    """
    out: dict[tuple[Any, ...], int] = {(): 1}
    # open containers, innermost last: path, is_object, next index or current key, keys seen → line
    paths: list[tuple[Any, ...]] = []
    is_obj: list[bool] = []
    slot: list[Any] = []
    keys: list[dict[str, int] | None] = []
    expect_key = False
    line = 1
    last = 0
    count = text.count
    ws = _WS.match
    n = len(text)
    for m in _TOKEN.finditer(text):
        tok = m.group()
        c = tok[0]
        if c == '"':
            if expect_key and is_obj and is_obj[-1]:
                pos = m.start()
                line += count("\n", last, pos)
                last = pos
                key = json.loads(tok) if "\\" in tok else tok[1:-1]
                slot[-1] = key
                seen = keys[-1]
                assert seen is not None
                if key in seen:
                    if stop_at_duplicate:
                        return out, (key, seen[key], line, (*paths[-1], key))
                else:
                    seen[key] = line
                out.setdefault((*paths[-1], key), line)
                expect_key = False
            continue
        if c == "{" or c == "[":
            path = (*paths[-1], slot[-1]) if paths else ()
            paths.append(path)
            obj = c == "{"
            is_obj.append(obj)
            slot.append(None if obj else 0)
            keys.append({} if obj else None)
            expect_key = obj
            if not obj:
                start = ws(text, m.end()).end()  # type: ignore[union-attr]
                if start < n and text[start] != "]":
                    line += count("\n", last, start)
                    last = start
                    out.setdefault((*path, 0), line)
        elif c == "}" or c == "]":
            if paths:
                paths.pop()
                is_obj.pop()
                slot.pop()
                keys.pop()
            expect_key = False
        elif c == ",":
            if is_obj and is_obj[-1]:
                expect_key = True
            elif is_obj:
                slot[-1] += 1
                start = ws(text, m.end()).end()  # type: ignore[union-attr]
                line += count("\n", last, start)
                last = start
                out.setdefault((*paths[-1], slot[-1]), line)
    return out, None


_WS = re.compile(r"\s*")


def json_line_map(text: str) -> dict[tuple[Any, ...], int]:
    """Path → line of every key and array element of a JSON text, in one linear scan."""
    return _scan(text)[0]


def _json_duplicate(text: str, path: str) -> CaseError | None:
    dup = _scan(text, stop_at_duplicate=True)[1]
    return None if dup is None else _duplicate(path, *dup)


_LONG_INT = re.compile(rf"-?\d{{{MAX_INT_DIGITS + 1},}}")


def load_json_checked(text: str, path: str, hint: str) -> Any:
    """``json.loads`` that refuses duplicate keys (both lines named), integers too long
    to read, ``NaN`` and ``Infinity``, and lone surrogate escapes, each located."""

    def constant(name: str) -> Any:
        raise _Constant(name)

    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=constant)
    except json.JSONDecodeError as e:
        raise CaseError(
            path, f"not valid JSON: {e.msg} (column {e.colno})", line=e.lineno, hint=hint
        ) from None
    except RecursionError:
        raise CaseError(path, "nested too deeply to read") from None
    except _DuplicateKey as e:
        err = _json_duplicate(text, path)
        raise err or CaseError(
            path, f"the key '{e.args[0]}' appears twice in the same object", hint="Remove one of them."
        ) from None
    except _Constant as e:
        m = re.search(rf"(?<![\w\"]){re.escape(e.args[0])}(?![\w\"])", text)
        raise CaseError(
            path,
            f"{e.args[0]} is not a number a case may hold",
            line=LineIndex(text).line(m.start()) if m else None,
            hint="Write a finite number.",
        ) from None
    except ValueError as e:  # int() refuses more than 4,300 digits
        m = _LONG_INT.search(text)
        if m is None:
            raise CaseError(path, f"not valid JSON: {e}", hint=hint) from None
        raise CaseError(
            path,
            f"a number of {len(m.group().lstrip('-')):,} digits is too large to read",
            line=LineIndex(text).line(m.start()),
            hint="Write a number of ordinary size (a case's numbers are state numbers, "
            "probabilities, positions and weights).",
        ) from None

    def line_of(loc: tuple[Any, ...]) -> int | None:
        lines = JsonLines(text)
        for n in range(len(loc), -1, -1):
            if loc[:n] in lines:
                return lines[loc[:n]]
        return None

    return fix_surrogates(data, text, path, line_of)


class _Constant(Exception):
    pass


_DECODER = json.JSONDecoder()


class JsonLines(dict[tuple[Any, ...], int]):
    """Path → line for a JSON text, found on demand: each lookup walks from the
    nearest known parent, skipping sibling values with the C JSON scanner
    (``raw_decode``), so locating an error costs about one parse of the text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text
        start = _WS.match(text, 0)
        # path → (offset of its key or element, offset of its value); None: not in the text
        self._at: dict[tuple[Any, ...], tuple[int, int] | None] = {(): (0, start.end() if start else 0)}

    def _find(self, path: tuple[Any, ...]) -> tuple[int, int] | None:
        if path in self._at:
            return self._at[path]
        parent = self._find(path[:-1])
        found = None if parent is None else self._child(parent[1], path[-1])
        self._at[path] = found
        return found

    def _child(self, i: int, part: Any) -> tuple[int, int] | None:
        t = self._text
        ws = _WS.match
        try:
            if t[i] == "{" and isinstance(part, str):
                i = ws(t, i + 1).end()  # type: ignore[union-attr]
                while t[i] == '"':
                    at = i
                    key, i = _DECODER.raw_decode(t, i)
                    i = ws(t, ws(t, i).end() + 1).end()  # type: ignore[union-attr]
                    if key == part:
                        return at, i
                    _, i = _DECODER.raw_decode(t, i)
                    i = ws(t, i).end()  # type: ignore[union-attr]
                    if t[i] == ",":
                        i = ws(t, i + 1).end()  # type: ignore[union-attr]
            elif t[i] == "[" and isinstance(part, int) and not isinstance(part, bool):
                i = ws(t, i + 1).end()  # type: ignore[union-attr]
                k = 0
                while t[i] != "]":
                    if k == part:
                        return i, i
                    _, i = _DECODER.raw_decode(t, i)
                    i = ws(t, i).end()  # type: ignore[union-attr]
                    if t[i] == ",":
                        i = ws(t, i + 1).end()  # type: ignore[union-attr]
                    k += 1
        except (ValueError, IndexError, RecursionError):
            return None
        return None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and self._find(key) is not None

    def __getitem__(self, key: tuple[Any, ...]) -> int:
        found = self._find(key)
        if found is None:
            raise KeyError(key)
        return self._text.count("\n", 0, found[0]) + 1

    def get(self, key: tuple[Any, ...], default: Any = None) -> Any:
        found = self._find(key)
        return default if found is None else self[key]

    def __bool__(self) -> bool:
        return True

    def __len__(self) -> int:
        return len(json_line_map(self._text))

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(json_line_map(self._text))

    def items(self) -> Any:
        return json_line_map(self._text).items()

    def keys(self) -> Any:
        return json_line_map(self._text).keys()

    def values(self) -> Any:
        return json_line_map(self._text).values()
