"""Quotes checked against their sources.

A case's ``sources`` may carry the document itself: ``file:`` (a text file,
relative to the case file) or ``text:``. Every provenance that cites such a
source with a ``quote`` is then checked: the quote must occur in the source,
ignoring differences of whitespace and line breaks, of typographic quotes and
apostrophes (’ ‘ “ ” → ' "), of dashes (– — ‐ − → -) and of the ellipsis
character. A quote may leave words out with ``...`` (or ``…``, ``[...]``):
its parts must then occur in order. A quote that does not occur is reported
with the closest passage of the source (by RapidFuzz's partial-ratio
alignment), so the analyst can see what the source really says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..errors import CaseError, format_loc
from .model import Conflict, Provenance

__all__ = [
    "QuoteMismatch",
    "QuoteReport",
    "case_base",
    "check_quotes",
    "closest_passage",
    "find_quote",
    "mismatch_error",
    "normalise",
    "quoted_judgements",
    "source_texts",
]

_SINGLE = "‘’‚‛′´`"
_DOUBLE = "“”„‟″«»"
_DASHES = "‐‑‒–—―−"
_TRANSLATE = str.maketrans(
    {**dict.fromkeys(_SINGLE, "'"), **dict.fromkeys(_DOUBLE, '"'), **dict.fromkeys(_DASHES, "-")}
)
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…)\s*")


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` with typographic quotes and dashes made plain, the ellipsis
    character spelled ``...`` and whitespace collapsed (none around a dash),
    and for each character of the result its offset in ``text``."""
    out: list[str] = []
    where: list[int] = []
    pending_space = -1
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and pending_space < 0:
                pending_space = i
            continue
        c = "..." if ch == "…" else ch.translate(_TRANSLATE)
        if pending_space >= 0:
            if c != "-" and out[-1] != "-":
                out.append(" ")
                where.append(pending_space)
            pending_space = -1
        for part in c:
            out.append(part)
            where.append(i)
    return "".join(out), where


def _norm(text: str) -> str:
    return normalise(text)[0]


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` occurs in ``text`` (start, end offsets into ``text``),
    up to whitespace, typographic quotes and dashes; parts separated by an
    ellipsis must occur in order. None when it does not occur."""
    norm, where = normalise(text)
    parts = [p for p in _ELLIPSIS.split(_norm(quote).strip()) if p]
    if not parts:
        return None
    pos = 0
    first = last = -1
    for part in parts:
        k = norm.find(part, pos)
        if k < 0:
            return None
        if first < 0:
            first = k
        last = k + len(part)
        pos = last
    return where[first], where[last - 1] + 1


def closest_passage(text: str, quote: str) -> tuple[str, float]:
    """The passage of ``text`` closest to ``quote`` (whole words) and its
    similarity (0–100, RapidFuzz partial ratio)."""
    from rapidfuzz import fuzz

    norm, where = normalise(text)
    q = _norm(quote).strip()
    if not norm or not q:
        return "", 0.0
    al = fuzz.partial_ratio_alignment(q, norm)
    if al is None:  # pragma: no cover - only for empty strings, excluded above
        return "", 0.0
    # the alignment's window has the quote's length; move its ends to the word
    # boundaries nearby that fit the quote best
    slack = max(12, len(q) // 5)
    bounds = [0, *(i + 1 for i, c in enumerate(norm) if c == " "), len(norm) + 1]
    starts = [b for b in bounds if abs(b - al.dest_start) <= slack and b <= len(norm)] or [al.dest_start]
    ends = [b - 1 for b in bounds if abs(b - 1 - al.dest_end) <= slack and b > 0] or [al.dest_end]
    best = max(
        ((fuzz.ratio(q, norm[a:b]), -(b - a), a, b) for a in starts for b in ends if b > a),
        default=(0.0, 0, al.dest_start, max(al.dest_end, al.dest_start + 1)),
    )
    start, end = best[2], best[3]
    a, b = where[start], where[end - 1] + 1
    return " ".join(text[a:b].split()), round(float(best[0]), 1)


@dataclass(frozen=True)
class QuoteMismatch:
    """A quote that does not occur in its source, and the closest passage that does."""

    where: str
    source: str
    quote: str
    closest: str
    similarity: float
    loc: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class QuoteReport:
    """How many quotes were checked, how many are verbatim, which are not;
    ``unchecked``: sources that carry no text (their quotes cannot be checked)."""

    checked: int = 0
    verbatim: int = 0
    mismatched: list[QuoteMismatch] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatched

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "verbatim": self.verbatim,
            "mismatched": [{**asdict(m), "loc": list(m.loc)} for m in self.mismatched],
            "unchecked_sources": list(self.unchecked),
        }


def quoted_judgements(conflict: Conflict) -> Iterator[tuple[tuple[str | int, ...], Provenance]]:
    """Every provenance in the case that cites a source with a quote, with its place."""

    def walk(node: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Provenance]]:
        if isinstance(node, Provenance):
            if node.source and node.quote:
                yield loc, node
            return
        if isinstance(node, BaseModel):
            for name in type(node).model_fields:
                yield from walk(getattr(node, name), (*loc, name))
        elif isinstance(node, Mapping):
            for k, v in node.items():
                yield from walk(v, (*loc, str(k)))
        elif isinstance(node, Sequence) and not isinstance(node, str):
            for i, v in enumerate(node):
                yield from walk(v, (*loc, i))

    yield from walk(conflict, ())


def case_base(case: str | Path) -> Any:
    """The folder of a case file (or bundled case), against which its sources' ``file:`` is read."""
    from .casefile import resolve_case_path

    _, path = resolve_case_path(case)
    return getattr(path, "parent", None)


def source_texts(conflict: Conflict, base: Any = None, display: str = "<case>") -> dict[str, str]:
    """The text of each source that gives one: ``text:`` as written, ``file:``
    read relative to ``base`` (the case file's folder; a path or a package
    resource). A ``file:`` that cannot be read is bad input; without a
    ``base`` (a case given as text) file sources are left out."""
    out: dict[str, str] = {}
    for i, s in enumerate(conflict.sources):
        if s.text is not None:
            out[s.id] = s.text
        elif s.file is not None and base is not None:
            target = base.joinpath(s.file) if not isinstance(base, str) else Path(base, s.file)
            try:
                out[s.id] = _document_text(target.read_bytes().decode("utf-8-sig"), s.file)
            except (OSError, UnicodeDecodeError) as e:
                why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
                raise CaseError(
                    display,
                    f"source {s.id!r}: its file {s.file!r} cannot be read ({why})",
                    loc=("sources", i, "file"),
                    hint="Give the path of a UTF-8 text file relative to the case file, "
                    "or the text itself as 'text:'.",
                ) from None
    return out


def _document_text(text: str, name: str) -> str:
    """The text quotes are checked against: HTML with its markup stripped, other files as they are."""
    from .html_text import is_html, strip_html

    return strip_html(text)[0] if is_html(text, name) else text


def check_quotes(conflict: Conflict, texts: Mapping[str, str]) -> QuoteReport:
    """Check every quote that cites a source in ``texts`` (see :func:`source_texts`)."""
    checked = verbatim = 0
    mismatched: list[QuoteMismatch] = []
    for loc, prov in quoted_judgements(conflict):
        assert prov.source is not None and prov.quote is not None
        text = texts.get(prov.source)
        if text is None:
            continue
        checked += 1
        if find_quote(text, prov.quote) is not None:
            verbatim += 1
            continue
        closest, score = closest_passage(text, prov.quote)
        mismatched.append(QuoteMismatch(format_loc(loc), prov.source, prov.quote, closest, score, loc))
    unchecked = [s.id for s in conflict.sources if s.id not in texts]
    return QuoteReport(checked, verbatim, mismatched, unchecked)


def mismatch_error(display: str, report: QuoteReport) -> CaseError:
    """The bad-input error for mismatched quotes: each named, with the closest passage."""
    n = len(report.mismatched)
    lines = [
        f'at {m.where}: the quote "{m.quote}" is not in source {m.source!r}; '
        f'the closest passage is "{m.closest}"'
        for m in report.mismatched
    ]
    return CaseError(
        display,
        f"{n} quote{'s' if n > 1 else ''} not found in {'their sources' if n > 1 else 'its source'}: "
        + "; ".join(lines),
        hint="Copy the words exactly from the source (whitespace, typographic quotes and dashes do "
        "not matter; leave words out with '...'), or mark the judgement as an analyst estimate.",
    )
