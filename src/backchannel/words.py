"""Small helpers for saying results in words, shared by every layer."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["CONCEPT_LABELS", "join_names", "state_list"]

#: How the solution concepts are written in text.
CONCEPT_LABELS = {"nash": "Nash", "gmr": "GMR", "smr": "SMR", "seq": "SEQ", "sim": "SIM"}


def join_names(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    names = list(names)
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def state_list(states: list[int], limit: int = 12) -> str:
    """``1, 4, 5`` — or, for long lists, a count and ranges: ``135 states: 2–5, 7–10, …``."""
    if not states:
        return "none"
    if len(states) <= limit:
        return ", ".join(map(str, states))
    runs: list[str] = []
    start = prev = states[0]
    for x in [*states[1:], None]:
        if x is not None and x == prev + 1:
            prev = x
            continue
        runs.append(str(start) if start == prev else f"{start}–{prev}")
        if x is not None:
            start = prev = x
    return f"{len(states)} states: " + ", ".join(runs)
