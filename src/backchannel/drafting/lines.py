"""A report cut into lines (paragraphs, headings, list items), each parsed by spaCy.

Offsets are kept into the report's text, so every span found in a line maps
back to ``text[start:end]`` exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .text import Report

__all__ = ["Line", "Parsed", "Quote", "is_item", "list_after", "parse_reports", "quote"]

_MARKER = re.compile(r"^\s*(?:[-•*–·▪]|\d{1,2}[.)]|[a-z][.)])\s+")


@dataclass(frozen=True)
class Quote:
    """Words of a source: ``text[start:end] == quote``."""

    source: str
    quote: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Line:
    """One non-empty line of a report and its parse."""

    index: int
    start: int
    end: int
    text: str
    doc: Any = None

    def words(self) -> int:
        return len(self.text.split())


@dataclass
class Parsed:
    """A report and its parsed lines."""

    report: Report
    lines: list[Line] = field(default_factory=list)

    def span(self, start: int, end: int) -> Quote:
        """The quote of ``text[start:end]``, trimmed of surrounding spaces."""
        text = self.report.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return Quote(self.report.id, text[start:end], start, end)

    def sentences(self) -> Iterator[tuple[Line, Any]]:
        for line in self.lines:
            for sent in line.doc.sents:
                yield line, sent


def quote(parsed: Parsed, line: Line, span: Any) -> Quote:
    """The quote of a spaCy span (or token) of ``line``."""
    if hasattr(span, "start_char"):
        a, b = span.start_char, span.end_char
    else:
        a, b = span.idx, span.idx + len(span)
    return parsed.span(line.start + a, line.start + b)


def is_item(line: Line) -> bool:
    """A list item: a bullet or number, or a short line without a full stop."""
    if _MARKER.match(line.text):
        return True
    return line.words() <= 14 and not line.text.rstrip().endswith((".", "?", "!", ":"))


def item_text_start(line: Line) -> int:
    """Where an item's words begin (after its bullet or number)."""
    m = _MARKER.match(line.text)
    return line.start + (m.end() if m else 0)


def list_after(lines: Sequence[Line], i: int) -> list[Line]:
    """The items listed after line ``i`` when it ends with a colon."""
    if not lines[i].text.rstrip().endswith(":"):
        return []
    out = []
    for line in lines[i + 1 :]:
        if not is_item(line):
            break
        out.append(line)
    return out


def parse_reports(reports: Sequence[Report], nlp: Any) -> list[Parsed]:
    """Cut each report into lines and parse them all in one batch."""
    out = []
    todo: list[Line] = []
    for r in reports:
        p = Parsed(r)
        for m in re.finditer(r"[^\n]+", r.text):
            if m.group().strip():
                p.lines.append(Line(len(p.lines), m.start(), m.end(), m.group()))
        todo.extend(p.lines)
        out.append(p)
    for line, doc in zip(todo, nlp.pipe([ln.text for ln in todo], batch_size=256), strict=True):
        line.doc = doc
    return out
