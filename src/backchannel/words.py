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


def state_list(states: Sequence[int], limit: int = 12, max_runs: int | None = None) -> str:
    """``1, 4, 5`` — or, for long lists, a count and ranges: ``135 states: 2–5, 7–10, …``
    (the first ``max_runs`` ranges, if given, then how many more)."""
    states = list(states)
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
    if max_runs is not None and len(runs) > max_runs:
        more = len(runs) - max_runs
        runs = [*runs[:max_runs], f"… and {more} more range{'s' if more > 1 else ''}"]
    return f"{len(states)} states: " + ", ".join(runs)
