"""Reports as text: plain text read as it is, HTML with its markup stripped.

Every offset the drafting reports is an offset into the text returned here
(for HTML, the text after stripping), so ``text[start:end]`` is the quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..case.html_text import is_html, strip_html
from ..errors import BackchannelError

__all__ = ["Report", "is_html", "load_report", "report_from_text", "strip_html"]


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
