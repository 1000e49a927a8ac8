"""Measures under discussion: proposals, demands and offers.

Three forms are read. A list introduced by a line that speaks of a proposal,
framework, plan, talks or demands and lists them ("The framework reportedly
included elements such as:", "the mediators proposed:"): each item is a
measure. And, in sentences about proposals, offers, demands or talks, noun
phrases headed by a word of :data:`HEADS` ("a seven-day humanitarian
truce", "an exchange of prisoners held by both sides"). And what a verb of
demanding, proposing or offering puts forward ("demanded that Beijing
withdraw its ships", "has offered to host the monitoring committee").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .lines import Parsed, item_text_start, list_after

__all__ = ["HEADS", "Measure", "find_measures"]

_CONTEXT = set(
    str.split(
        """proposal proposals proposed propose proposes framework plan plans deal agreement terms measures
    mediators mediator discussions talks negotiations demands demand conditions draft package
    roadmap"""
    )
)
_LISTING = set(
    str.split(
        """include includes included including focus focuses proposed propose proposes must demand demanded
    demands discussing discuss under outlined outline contain contains offered offer requires require"""
    )
)
_DEMAND = {"must", "demand", "demanded", "demands", "conditions", "requires", "require", "insist"}
_PROPOSAL = {
    "proposal",
    "proposals",
    "proposed",
    "propose",
    "proposes",
    "framework",
    "draft",
    "plan",
    "offer",
    "offered",
    "package",
    "roadmap",
}
# verbs that put a measure forward, and how
_VERBS = {
    "demand": "demand",
    "urge": "demand",
    "propose": "proposal",
    "suggest": "proposal",
    "offer": "offer",
}
HEADS = frozenset(
    str.split(
        """ceasefire cease-fire truce armistice corridor corridors reduction freeze monitoring monitor
    observers
    withdrawal pullback exchange swap zone zones guarantee guarantees sanctions patrols patrol hotline
    arrangement arrangements code referendum amnesty deployment deployments limits limit mission peacekeepers
    peacekeeping demilitarization demilitarisation moratorium release reopening convoy convoys committee
    recognition buffer inspection inspections"""
    )
)
_CUE_SENT = re.compile(
    r"\b(propos\w*|offer\w*|demand\w*|call\w* for|press\w* for|push\w* for|discuss\w*|negotiat\w*|"
    r"framework|plan|deal|include\w*|insist\w*|mediator\w*|under discussion|agree\w* to)\b",
    re.I,
)


@dataclass(frozen=True)
class Measure:
    """A measure, how it is put (proposal, demand, under discussion), and its words in the source."""

    text: str
    kind: str
    quote: str
    source: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _kind(words: set[str]) -> str:
    if words & _DEMAND:
        return "demand"
    if words & _PROPOSAL:
        return "proposal"
    return "under discussion"


def _phrase(tok: Any) -> tuple[int, int]:
    """Token range of a noun phrase: the head with its modifiers and attached phrases, not its conjuncts."""
    keep = {tok.i}
    stack = [tok]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ in ("conj", "cc", "punct", "relcl", "appos", "advcl", "parataxis"):
                continue
            keep.add(c.i)
            stack.append(c)
    lo, hi = min(keep), max(keep)
    while lo < hi and tok.doc[lo].dep_ in ("det", "predet") and tok.doc[lo].lower_ in ("the", "any", "all"):
        lo += 1
    while lo < tok.i and tok.doc[lo].pos_ in ("ADP", "PART", "CCONJ", "PUNCT"):
        lo += 1
    if hi - lo > 14:
        hi = min(hi, tok.i + 8)
    return lo, hi + 1


def find_measures(parsed: Sequence[Parsed]) -> list[Measure]:
    """Measures under discussion in the reports, each once per report, in the order of the text."""
    out: list[Measure] = []
    for p in parsed:
        seen: set[str] = set()
        taken: list[tuple[int, int]] = []

        def add(
            text: str,
            kind: str,
            start: int,
            end: int,
            p: Parsed = p,
            seen: set[str] = seen,
            taken: list[tuple[int, int]] = taken,
        ) -> None:
            q = p.span(start, end)
            key = " ".join(q.quote.lower().split())
            if not q.quote or key in seen or any(a <= q.start < b for a, b in taken):
                return
            seen.add(key)
            taken.append((q.start, q.end))
            out.append(Measure(" ".join(text.split()), kind, q.quote, p.report.id, q.start, q.end))

        for line in p.lines:
            words = set(re.findall(r"[a-z]+", line.text.lower()))
            if line.text.rstrip().endswith(":") and words & _CONTEXT and words & _LISTING:
                kind = _kind(words)
                for item in list_after(p.lines, line.index):
                    a = item_text_start(item)
                    q = p.span(a, item.end)
                    add(q.quote.rstrip(".;,"), kind, q.start, q.start + len(q.quote.rstrip(".;,")))
        for line in p.lines:
            for sent in line.doc.sents:
                # "demanded that Beijing withdraw its ships", "has offered to host the committee"
                for tok in sent:
                    verb_kind = _VERBS.get(tok.lemma_.lower()) if tok.pos_ == "VERB" else None
                    comp = next(
                        (
                            c
                            for c in tok.children
                            if c.dep_ in ("ccomp", "xcomp") and c.pos_ in ("VERB", "AUX")
                        ),
                        None,
                    )
                    if verb_kind and comp is not None:
                        sub = [t for t in comp.subtree if t.i <= comp.i + 12]
                        toks = [
                            t
                            for t in sub
                            if not (t.i < comp.i and t.dep_ in ("mark", "aux") and t.lower_ in ("that", "to"))
                        ]
                        while toks and (toks[-1].is_punct or toks[-1].dep_ in ("cc", "mark")):
                            toks.pop()
                        if len(toks) >= 2 and toks[-1].i - toks[0].i + 1 == len(toks):
                            a = line.start + toks[0].idx
                            b = line.start + toks[-1].idx + len(toks[-1].text)
                            add(p.report.text[a:b], verb_kind, a, b)
                if not _CUE_SENT.search(sent.text):
                    continue
                kind = _kind(set(re.findall(r"[a-z]+", sent.text.lower())))
                for tok in sent:
                    if (
                        tok.pos_ in ("NOUN", "PROPN")
                        and tok.lower_ in HEADS
                        and tok.dep_ not in ("compound", "amod")
                    ):
                        lo, hi = _phrase(tok)
                        span = tok.doc[lo:hi]
                        if len(span) < 2:
                            continue
                        start = line.start + span.start_char
                        add(span.text, kind, start, line.start + span.end_char)
    # a phrase inside a longer measure of the same report ("a ceasefire" in "a ceasefire monitored by ...")
    texts = {(m.source, m.text.lower()) for m in out}
    return [
        m
        for m in out
        if not any(src == m.source and t != m.text.lower() and m.text.lower() in t for src, t in texts)
    ]
