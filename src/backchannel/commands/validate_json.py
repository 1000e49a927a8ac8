"""``backchannel validate --format json``: the whole validation report, as /api/validate gives it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

__all__ = ["case_base", "validate_json"]


def case_base(case: str | Path) -> Any:
    """The folder of a case file (or bundled case), against which its sources' ``file:`` is read."""
    from ..casefile import resolve_case_path

    _, path = resolve_case_path(case)
    return getattr(path, "parent", None)


def validate_json(case: str | Path, max_states: int | None) -> None:
    """Print ``{"ok", "errors", "warnings", "audit", "summary", "quotes"}``; exit 2 unless ok."""
    from ..casefile import parse_case_text, read_case_text
    from ..errors import BackchannelError
    from ..statespace import default_max_states
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
