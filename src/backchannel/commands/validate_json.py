"""``backchannel validate --format json``: the whole validation report, as /api/validate gives it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

__all__ = ["validate_json"]


def validate_json(case: str | Path, max_states: int | None) -> None:
    """Print ``{"ok", "errors", "warnings", "audit", "summary", "quotes"}``; exit 2 unless ok."""
    from ..case.casefile import parse_case_text, read_case_text
    from ..case.quotes import case_base
    from ..errors import BackchannelError
    from ..gmcr.statespace import default_max_states
    from ..web.cases import CaseCache, CaseText
    from ..web.validation import validate_case

    text, display, fmt = read_case_text(case)
    limit = max_states
    if limit is None:
        try:
            limit = default_max_states(parse_case_text(text, display, fmt)[0])
        except BackchannelError:  # the report says why
            limit = 1 << 16
    report = validate_case(
        CaseText(display, "file", fmt, text, label=display), CaseCache(), limit, case_base(case)
    )
    sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if not report["ok"]:
        raise typer.Exit(2)
