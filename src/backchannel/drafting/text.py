"""Reports as text: plain text read as it is, HTML with its markup stripped.

Every offset the drafting reports is an offset into the text returned here
(for HTML, the text after stripping), so ``text[start:end]`` is the quote.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..errors import BackchannelError

__all__ = ["Report", "is_html", "load_report", "report_from_text", "strip_html"]

_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "figcaption",
    "title",
}
_SKIP = {"script", "style", "noscript", "template", "svg", "head"}


class _Stripper(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP:
            self._skip += 1
        if tag in _BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP and self._skip:
            self._skip -= 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


def is_html(text: str, name: str = "") -> bool:
    """Whether a report is HTML: by its file name, or by markup at its start."""
    if name.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or bool(re.search(r"<(body|p|article)\b", head))


def strip_html(text: str) -> tuple[str, str | None]:
    """The visible text of an HTML document (one block a line) and its title."""
    p = _Stripper()
    p.feed(text)
    p.close()
    lines = [" ".join(line.split()) for line in "".join(p.parts).splitlines()]
    body = "\n".join(line for line in lines if line)
    title = " ".join(html.unescape("".join(p.title)).split()) or None
    return body + "\n", title


@dataclass(frozen=True)
class Report:
    """A report: an id, where it came from, its title and date (when found), and its text."""

    id: str
    file: str | None
    title: str
    date: str | None
    text: str


def _slug(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "report"
    return s if s[0].isalpha() else f"r{s}"


def _title(text: str, html_title: str | None) -> str:
    if html_title:
        return html_title
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    words = first.split()
    if 0 < len(words) <= 20 and not first.endswith((".", ":")):
        return first
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "") or "(untitled)"


_DATE = re.compile(
    r"\b(\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+\d{4}|(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+\d{1,2},\s+\d{4}|\d{4}-\d{2}-\d{2})\b"
)


def report_from_text(text: str, name: str = "report", file: str | None = None) -> Report:
    """A report from its text (HTML is stripped); ``name`` gives its id."""
    html_title = None
    if is_html(text, file or name):
        text, html_title = strip_html(text)
    m = _DATE.search(text[:2000])
    return Report(_slug(Path(name).stem), file, _title(text, html_title), m.group(1) if m else None, text)


def load_report(path: str | Path) -> Report:
    """Read a report file (UTF-8 text or HTML); bad input names the file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise BackchannelError(
            f"{path}: cannot be read ({e.strerror or e}). Name a text or HTML file."
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BackchannelError(
            f"{path}: is not UTF-8 text (byte {e.start}). Save the report as UTF-8 text or HTML."
        ) from None
    if not text.strip():
        raise BackchannelError(f"{path}: is empty. Name a report with text in it.")
    return report_from_text(text, p.name, str(path))
