"""Reading a GMCR+ file's parts: a checked reader of the JSON that names the
place of every error, conditions and how they become Backchannel expressions,
and the names given to options and decision makers."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...errors import CaseError
from .conventions import _RESERVED, Cond, CondSpec


class _Reader:
    def __init__(self, data: object, path: str) -> None:
        self.data = data
        self.path = path
        self.warnings: list[str] = []

    def fail(self, message: str, loc: Sequence[str | int] = (), hint: str = "") -> CaseError:
        return CaseError(self.path, message, loc=loc, hint=hint)

    # -- small shape checks --------------------------------------------------
    def need_list(self, v: object, loc: Sequence[str | int], what: str, hint: str = "") -> list[Any]:
        if not isinstance(v, list):
            raise self.fail(f"{what} must be a list, not {_kind(v)}", loc, hint)
        return v

    def need_index(self, v: object, n: int, loc: Sequence[str | int], what: str) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(
                f"{what} must be a whole number, not {_kind(v)}",
                loc,
                f"Give a 0-based index into 'options' (0 to {n - 1}).",
            )
        if not 0 <= v < n:
            raise self.fail(
                f"{what} {v} is out of range: the file has {n} option{'s' if n != 1 else ''}",
                loc,
                f"Use a 0-based index into 'options', from 0 to {n - 1}.",
            )
        return v

    def text(self, v: object, loc: Sequence[str | int], what: str) -> str:
        if isinstance(v, str):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(v)
        raise self.fail(f"{what} must be text, not {_kind(v)}", loc, f"Write the {what} as a string.")

    # -- conditions -------------------------------------------------------------
    def simple(self, v: object, n: int, loc: tuple[str | int, ...]) -> Cond:
        hint = 'A condition is a list of [option index, "Y" or "N"] pairs, e.g. [[0, "Y"], [2, "N"]].'
        pairs = self.need_list(v, loc, "a condition", hint)
        out: list[tuple[int, bool]] = []
        seen: dict[int, bool] = {}
        for k, pair in enumerate(pairs):
            ploc = (*loc, k)
            if not isinstance(pair, list) or len(pair) != 2:
                raise self.fail(
                    f'each entry of a condition must be a pair [option index, "Y"|"N"], not {_short(pair)}',
                    ploc,
                    hint,
                )
            idx = self.need_index(pair[0], n, (*ploc, 0), "the option index")
            taken = pair[1]
            if taken not in ("Y", "N"):
                raise self.fail(
                    f'the second element of a condition pair must be "Y" or "N", not {_short(taken)}',
                    (*ploc, 1),
                    'Write "Y" (option taken) or "N" (not taken).',
                )
            t = taken == "Y"
            if idx in seen:
                if seen[idx] != t:
                    raise self.fail(
                        f"option {idx} is required both taken and not taken, so the condition never holds",
                        ploc,
                        "Name each option at most once in a condition.",
                    )
                continue  # a repeated pair: harmless
            seen[idx] = t
            out.append((idx, t))
        return tuple(out)

    def condition(
        self, v: object, n: int, loc: tuple[str | int, ...], *, allow_compound: bool = True
    ) -> CondSpec:
        if isinstance(v, dict):
            if not allow_compound:
                raise self.fail(
                    "a compound condition cannot be used here: GMCR+ takes plain AND conditions only",
                    loc,
                    'Split it into one condition per member, e.g. [[0, "Y"], [1, "Y"]].',
                )
            if v.get("compound") is not True or "members" not in v:
                raise self.fail(
                    "a condition given as a mapping must be a compound condition "
                    '{"compound": true, "members": [...]}',
                    loc,
                    'Write {"compound": true, "members": [condition, ...]}, or a plain list of pairs.',
                )
            members = self.need_list(
                v["members"], (*loc, "members"), "'members'", "List the alternative conditions."
            )
            return True, tuple(self.simple(m, n, (*loc, "members", i)) for i, m in enumerate(members))
        if isinstance(v, list):
            return False, (self.simple(v, n, loc),)
        raise self.fail(
            f"a condition must be a list of pairs or a compound condition, not {_kind(v)}",
            loc,
            'Write [[option index, "Y"|"N"], ...] or {"compound": true, "members": [...]}.',
        )

    def conditions(
        self, v: object, n: int, loc: tuple[str | int, ...], what: str, *, allow_compound: bool = True
    ) -> list[CondSpec]:
        items = self.need_list(v, loc, what, "Give a list of conditions (possibly empty).")
        out: list[CondSpec] = []
        names: set[object] = set()
        for i, c in enumerate(items):
            spec = self.condition(c, n, (*loc, i), allow_compound=allow_compound)
            key = _spec_key(spec, n)
            if key in names:  # GMCR+ drops a condition equal to an earlier one
                continue
            names.add(key)
            out.append(spec)
        return out


def _kind(v: object) -> str:
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(v), type(v).__name__)


def _short(v: object) -> str:
    try:
        s = json.dumps(v, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        s = repr(v)
    return s if len(s) <= 40 else s[:37] + "…"


def _ynd(cond: Cond, n: int) -> str:
    chars = ["-"] * n
    for i, t in cond:
        chars[i] = "Y" if t else "N"
    return "".join(chars)


def _spec_key(spec: CondSpec, n: int) -> object:
    compound, members = spec
    if compound:
        return ("compound", tuple(sorted(_ynd(m, n) for m in members)))
    return _ynd(members[0], n)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _slug(text: str, *, lower: bool, prefix: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "_", _ascii(text)).strip("_")
    if lower:
        s = s.lower()
    s = s[:48].rstrip("_")
    if not s:
        return ""
    if s[0].isdigit():
        s = f"{prefix}_{s}"
    if s.lower() in _RESERVED or re.fullmatch(r"[YN]+", s):
        s += "_"
    return s


def _unique(base: str, fallback: str, taken: set[str]) -> str:
    name = base or fallback
    k = 2
    cand = name
    while cand in taken:
        cand = f"{name}_{k}"
        k += 1
    taken.add(cand)
    return cand


def _expr_and(cond: Cond, names: Sequence[str]) -> str:
    if not cond:
        return "true"
    return " and ".join(names[i] if t else f"not {names[i]}" for i, t in cond)


def _expr(spec: CondSpec, names: Sequence[str]) -> str:
    compound, members = spec
    if not compound:
        return _expr_and(members[0], names)
    if not members:
        return "false"
    if any(not m for m in members):
        return "true"
    parts = [_expr_and(m, names) for m in members]
    if len(parts) == 1:
        return parts[0]
    return " or ".join(f"({p})" if len(m) > 1 else p for p, m in zip(parts, members, strict=True))


def _matches(codes: np.ndarray, cond: Cond, perm: Sequence[int]) -> np.ndarray:
    care = value = 0
    for i, t in cond:
        care |= 1 << perm[i]
        if t:
            value |= 1 << perm[i]
    return (codes & np.uint64(care)) == np.uint64(value)
