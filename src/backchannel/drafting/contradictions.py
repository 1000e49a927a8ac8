"""Contradictions: the same fact told differently by two reports.

Facts (:mod:`.facts`) of two reports are compared when they are of the same
kind and share an anchor: the event or thing they are about ("began", "the
election", "trucks"). When (dates), where (places) and how many (numbers)
that differ are a contradiction, each side quoted with its sentence. This
finds candidates for the analyst; two dates about the same anchor may be
compatible (a start and a later stage), which the quotes let the analyst
judge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .facts import Fact, find_facts
from .lines import Parsed

__all__ = ["Contradiction", "find_contradictions"]

_WEAK = {"be", "have", "do", "make", "say", "take", "go", "come", "become"}
_NUM = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
}


@dataclass(frozen=True)
class Contradiction:
    """Two reports telling one fact differently: what about, which kind, and each side's words."""

    topic: str
    kind: str
    sides: tuple[dict[str, Any], dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "kind": self.kind, "sides": [dict(s) for s in self.sides]}


def _side(f: Fact) -> dict[str, Any]:
    return {
        "source": f.quote.source,
        "value": f.value,
        "quote": f.quote.quote,
        "start": f.quote.start,
        "end": f.quote.end,
    }


def _number(v: str) -> float | None:
    v = v.lower().replace(",", "")
    if v in _NUM:
        return float(_NUM[v])
    try:
        return float(v)
    except ValueError:
        return None


def _norm(v: str) -> str:
    return " ".join(v.lower().replace("’", "'").split())


def find_contradictions(parsed: Sequence[Parsed]) -> list[Contradiction]:
    """Facts told differently by two reports, each pair once."""
    facts = [find_facts(p) for p in parsed]
    out: list[Contradiction] = []
    seen: set[tuple[Any, ...]] = set()
    for i, fa in enumerate(facts):
        for fb in facts[i + 1 :]:
            for a in fa:
                for b in fb:
                    if a.kind != b.kind:
                        continue
                    shared = (a.anchors & b.anchors) - _WEAK
                    if not shared & (a.core | b.core):
                        continue
                    if a.kind == "how many":
                        na, nb = _number(a.value), _number(b.value)
                        if na is None or nb is None or na == nb:
                            continue
                    elif _norm(a.value) == _norm(b.value):
                        continue
                    key = (a.quote.start, b.quote.start, a.kind)
                    if key in seen:
                        continue
                    seen.add(key)
                    topic = ", ".join(sorted(shared))
                    out.append(Contradiction(topic, a.kind, (_side(a), _side(b))))
    return out
