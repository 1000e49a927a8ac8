"""Drafting a case from news reports, offline.

``draft_reports(paths)`` reads plain-text or HTML reports and proposes the
parties (normalised: "Washington", "the White House" → United States), the
attributed claims, the measures under discussion, the futures the reports
name, dates and places, and the contradictions between reports, each with
its words in the source (``source``, ``start``, ``end``: ``text[start:end]``
is the quote). ``case_from_draft`` turns a draft into a case file that
``backchannel validate`` accepts, every guess marked as a draft.

Needs spaCy and its small English model: ``pip install 'backchannel[nlp]'``.
"""

from __future__ import annotations

from .draft import Draft, draft_reports
from .text import Report, load_report, report_from_text
from .writer import case_from_draft, case_yaml

__all__ = [
    "Draft",
    "Report",
    "case_from_draft",
    "case_yaml",
    "draft_reports",
    "load_report",
    "report_from_text",
]
