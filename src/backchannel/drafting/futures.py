"""Futures the reports name: candidate scenarios.

Two forms. A numbered list of headings under a heading or introduction that
speaks of scenarios, paths or outcomes ("What Happens Next? Key Scenarios",
"Several paths now lie ahead:"), each heading followed by its description:
each is a named future, the heading its name. And sentences saying what
could happen: a modal (could, may, might) or "risks" / "threatens" with
an outcome ("could lead to famine in Darfur", "risks a de facto partition").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .lines import Parsed

__all__ = ["Future", "find_futures"]

_SECTION = re.compile(
    r"\b(scenarios?|paths?|futures?|outcomes?|possibilities|options ahead|ways? forward)\b", re.I
)
_NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s+(.+?)\s*$")
_OBJECT_VERBS = {
    "lead": "to",
    "result": "in",
    "end": "in",
    "pave": "for",
    "trigger": "",
    "spark": "",
    "risk": "",
    "threaten": "",
    "bring": "",
    "cause": "",
    "produce": "",
    "mean": "",
}
_OUTCOME_VERBS = set(
    str.split(
        """collapse expand escalate intensify spread emerge spiral break widen deepen fracture fail end
    freeze stall resume erupt"""
    )
)


@dataclass(frozen=True)
class Future:
    """A future a report names, how it is named (named scenario, possible outcome), and its words."""

    name: str
    kind: str
    quote: str
    source: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _named(p: Parsed) -> list[Future]:
    out = []
    lines = p.lines
    for i, line in enumerate(lines):
        m = _NUMBERED.match(line.text)
        if not m or len(m.group(2).split()) > 8 or m.group(2).rstrip().endswith("."):
            continue
        # the section: the lines above the list's first item (items and their descriptions skipped)
        first = i
        while first > 0 and (
            _NUMBERED.match(lines[first - 1].text) or (first > 1 and _NUMBERED.match(lines[first - 2].text))
        ):
            first -= 1
        context = " ".join(ln.text for ln in lines[max(0, first - 3) : first])[-300:]
        if not _SECTION.search(context):
            continue
        end = line.end
        if i + 1 < len(lines) and not _NUMBERED.match(lines[i + 1].text):
            end = lines[i + 1].end
        q = p.span(line.start + m.start(2), end)
        out.append(Future(m.group(2).strip().lower(), "named scenario", q.quote, p.report.id, q.start, q.end))
    return out


def _object_phrase(verb: Any, prep: str) -> Any:
    for c in verb.children:
        if prep and c.dep_ in ("prep", "dative") and c.lower_ == prep:
            obj = next((g for g in c.children if g.dep_ == "pobj"), None)
            if obj is not None:
                return obj
        if not prep and c.dep_ in ("dobj", "attr", "xcomp"):
            return c
    return None


def _phrase_text(tok: Any) -> str:
    """A noun phrase without its relative clauses, appositions and conjuncts, up to its first comma."""
    keep = {tok.i}
    stack = [tok]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ in ("relcl", "appos", "conj", "cc", "advcl", "acl") or c.i > tok.i + 10:
                continue
            keep.add(c.i)
            stack.append(c)
    lo, hi = min(keep), max(keep)
    for k in range(tok.i + 1, hi + 1):
        if tok.doc[k].text in (",", ";", "—", "–", "("):
            hi = k - 1
            break
    while hi + 2 < len(tok.doc) and tok.doc[hi + 1].text == "-":  # "de-escalation" is one word
        hi += 2
    while hi > lo and tok.doc[hi].is_punct:
        hi -= 1
    return tok.doc[lo : hi + 1].text


def find_futures(parsed: Sequence[Parsed]) -> list[Future]:
    """The futures the reports name, named scenarios first, in the order of the text."""
    out: list[Future] = []
    for p in parsed:
        named = _named(p)
        out.extend(named)
        covered = [(f.start, f.end) for f in named]
        for line in p.lines:
            for sent in line.doc.sents:
                start = line.start + sent.start_char
                if any(a <= start < b for a, b in covered):
                    continue
                for tok in sent:
                    lemma = tok.lemma_.lower()
                    if tok.pos_ != "VERB":
                        continue
                    modal = any(
                        c.dep_ == "aux" and c.lower_ in ("could", "may", "might") for c in tok.children
                    )
                    name = None
                    if lemma in _OBJECT_VERBS and (modal or lemma in ("risk", "threaten")):
                        obj = _object_phrase(tok, _OBJECT_VERBS[lemma])
                        if obj is not None and obj.pos_ in ("NOUN", "PROPN", "VERB"):
                            name = _phrase_text(obj)
                            if name.split()[0].lower() in ("that", "this", "these", "those", "it"):
                                name = None
                    elif lemma in _OUTCOME_VERBS and modal:
                        subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                        if subj is not None and subj.pos_ != "PRON":
                            dobj = next((c for c in tok.children if c.dep_ == "dobj"), None)
                            name = f"{_phrase_text(subj)} {lemma}" + (
                                f" {_phrase_text(dobj)}" if dobj else ""
                            )
                    if name:
                        q = p.span(start, line.start + sent.end_char)
                        out.append(
                            Future(
                                " ".join(name.split()),
                                "possible outcome",
                                q.quote,
                                p.report.id,
                                q.start,
                                q.end,
                            )
                        )
    return out
