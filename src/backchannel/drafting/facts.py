"""Dates and places the reports give, and the facts that reports may tell differently.

A *fact* here is a date, a place or a number attached to something a report
tells: "the talks, which began on 10 March" (when: began), "met in Jeddah"
(where: met), "40 aid trucks" (how many: trucks). Contradictions compare
them across reports (see :mod:`.contradictions`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .lines import Parsed, Quote, quote

__all__ = ["Fact", "Mention", "find_dates_places", "find_facts"]

_TIME_WORDS = {
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "today",
    "yesterday",
    "tomorrow",
    "century",
    "decade",
    "decades",
    "time",
    "an",
    "a",
    "the",
    "this",
    "that",
    "last",
    "next",
    "several",
    "early",
    "late",
    "since",
    "after",
    "before",
    "during",
    "in",
    "on",
    "of",
    "until",
    "over",
    "past",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "'s",
    "’s",
}
_EVENT_NOUNS = {
    "talks",
    "discussions",
    "negotiations",
    "meetings",
    "meeting",
    "dialogue",
    "diplomacy",
    "channel",
    "backchannel",
    "engagement",
    "contacts",
    "round",
    "ceasefire",
    "truce",
    "deal",
}
_WEAK_VERBS = {"be", "have", "do", "say", "take", "go", "come", "become", "make"}
_PLACE_VERBS = {"meet", "hold", "gather", "convene", "negotiate", "talk", "sign", "host"}


@dataclass(frozen=True)
class Mention:
    """A date or place as the report gives it."""

    text: str
    kind: str
    source: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Fact:
    """A date, place or number (``value``) attached to ``topic`` words, with its sentence as the quote."""

    kind: str  # when, where, how many
    value: str
    anchors: frozenset[str]
    quote: Quote
    value_at: tuple[int, int]
    core: frozenset[str] = frozenset()  # the anchors of the fact itself (its verb, its own words)


def find_dates_places(parsed: Sequence[Parsed]) -> tuple[list[Mention], list[Mention]]:
    """Dates (spaCy's DATE entities) and places (GPE, LOC, FAC) of every report."""
    dates: list[Mention] = []
    places: list[Mention] = []
    for p in parsed:
        for line in p.lines:
            for ent in line.doc.ents:
                if ent.label_ == "DATE":
                    q = quote(p, line, ent)
                    dates.append(Mention(q.quote, "date", q.source, q.start, q.end))
                elif ent.label_ in ("GPE", "LOC", "FAC"):
                    q = quote(p, line, ent)
                    places.append(Mention(q.quote, ent.label_.lower(), q.source, q.start, q.end))
    return dates, places


def _verb(tok: Any) -> Any:
    t = tok
    for _ in range(6):
        if t.pos_ in ("VERB", "AUX") or t.head is t:
            return t
        t = t.head
    return t


def _content(words: Any) -> set[str]:
    return {w.lemma_.lower() for w in words if w.is_alpha and w.lower_ not in _TIME_WORDS and not w.is_stop}


def find_facts(parsed: Parsed) -> list[Fact]:
    """Dates, places and counts told about events (talks, meetings, deals) in one report."""
    out: list[Fact] = []
    for line in parsed.lines:
        for sent in line.doc.sents:
            words = {t.lower_ for t in sent}
            sq = quote(parsed, line, sent)
            for ent in sent.ents:
                if ent.label_ == "DATE":
                    if ent.root.dep_ in ("amod", "compound", "nummod") or "-" in ent.text:
                        continue  # "a seven-day truce": a length, not a date of the report's events
                    verb = _verb(ent.root)
                    core = _content(ent) | ({verb.lemma_.lower()} - _WEAK_VERBS)
                    # "since X's election victory in November": the words around the date name its anchor
                    window = sent.doc[max(sent.start, ent.start - 4) : min(sent.end, ent.end + 1)]
                    if not (words & _EVENT_NOUNS or _content(ent)):
                        continue
                    before = [t.lower_ for t in sent.doc[max(sent.start, ent.start - 8) : ent.start]]
                    rel = next(
                        (w for w in before if w in ("since", "before", "after", "during", "until")), ""
                    )
                    rel = rel or next((w for w in reversed(before) if w in ("in", "over", "on")), "")
                    at = (line.start + ent.start_char, line.start + ent.end_char)
                    out.append(
                        Fact(
                            "when",
                            f"{rel} {ent.text}".strip(),
                            frozenset(core | _content(window)),
                            sq,
                            at,
                            frozenset(core),
                        )
                    )
                elif ent.label_ in ("GPE", "LOC", "FAC"):
                    head = ent.root
                    while head.dep_ in ("appos", "compound", "conj") and head.head is not head:
                        head = head.head
                    prep = head.head
                    verb = _verb(prep)
                    if prep.lower_ == "in" and verb.lemma_.lower() in _PLACE_VERBS:
                        at = (line.start + ent.start_char, line.start + ent.end_char)
                        out.append(
                            Fact("where", ent.text, frozenset({"venue"}), sq, at, frozenset({"venue"}))
                        )
            for tok in sent:
                if tok.like_num and tok.dep_ == "nummod" and tok.head.pos_ == "NOUN":
                    noun = tok.head
                    mods = {c.lemma_.lower() for c in noun.children if c.dep_ in ("compound", "amod")}
                    value = re.sub(r"\s+", " ", tok.text)
                    anchors = frozenset({noun.lemma_.lower()} | mods)
                    at = (line.start + tok.idx, line.start + tok.idx + len(tok.text))
                    out.append(Fact("how many", value, anchors, sq, at, anchors))
    return out
