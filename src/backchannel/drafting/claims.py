"""Claims: attributed statements ("X said / insists / fears / denies ...").

A claim is a sentence whose verb is a cue of speech or stance (its lemma in
:data:`CUES`) with a subject: the speaker. The party is the one the speaker
names ("Ukrainian leaders" → Ukraine, "the Kremlin" → Russia), or the party
a named person acts for; a pronoun ("it", "its negotiator") stands for the
party of the sentence before. "According to X, ..." makes X the speaker. A
sentence ending with a colon takes the list that follows into its quote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .lines import Parsed, list_after, quote
from .parties import Party, party_at

__all__ = ["CUES", "Claim", "find_claims"]

CUES = frozenset(
    str.split(
        """say tell insist fear deny warn worry argue stress emphasize emphasise claim reject accuse demand
    call believe hope want complain state announce add note acknowledge admit confirm suggest propose offer
    threaten urge reiterate repeat allege maintain contend concede assert predict expect caution signal
    vow pledge promise refuse dismiss describe report brief agree oppose welcome condemn criticise criticize
    question doubt"""
    )
)
_LEAD_IN = re.compile(
    r"^(?P<who>[A-Z][\w’'.\- ]{0,60}?)\s+(?P<cue>fears?|worr(?:y|ies)|warns?|says?|insists?|argues?|"
    r"believes?|hopes?|wants?|demands?)\s+(?:that\s*)?:\s*$"
)
_PRONOUNS = {"it", "they", "its", "their", "he", "she", "his", "her", "we", "our"}
# the nouns of speakers: people and bodies that speak ("officials", "a spokesman for the army")
SPEAKERS = frozenset(
    str.split(
        """official officials leader leaders diplomat diplomats analyst analysts critic critics spokesman
    spokeswoman spokesperson minister ministers president prime premier chancellor secretary negotiator
    negotiators envoy envoys agency agencies source sources insider insiders government governments ministry
    capital capitals delegation delegations observer observers expert experts aide aides ally allies partner
    partners group groups army military commander commanders general generals others people residents
    mediator mediators lawmaker lawmakers senator senators parliament administration office spokespeople
    representative representatives ambassador ambassadors member members authorities authority team"""
    )
)


@dataclass(frozen=True)
class Claim:
    """An attributed statement: who says it, for which party, by which verb, in which words."""

    speaker: str
    party: str | None
    cue: str
    quote: str
    source: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _subject(verb: Any) -> Any:
    v = verb
    for _ in range(3):  # "denied ... and said": the conjoined verb shares the subject
        for child in v.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                return child
        if v.dep_ in ("conj", "xcomp", "advcl") and v.head is not v:
            v = v.head
        else:
            break
    return None


def _speaks(p: Parsed, line: Any, parties: Sequence[Party], subj: Any) -> bool:
    """Whether a subject can be a speaker: a party, a person, a pronoun or a noun of :data:`SPEAKERS`."""
    if subj.lower_ in _PRONOUNS - {"its", "their", "his", "her", "our"} and subj.lower_ != "we":
        return True
    if subj.ent_type_ in ("PERSON", "GPE", "ORG", "NORP") or subj.lemma_.lower() in SPEAKERS:
        return True
    if subj.lower_ in SPEAKERS:
        return True
    q = quote(p, line, _speaker_span(subj))
    return party_at(parties, p.report.id, q.start, q.end) is not None and subj.pos_ == "PROPN"


# a dateline at the start of a line: "MANILA, 3 June 2024 (staff report) — "
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]+,[^—–\n]{0,60}?(?:—|–|--)\s*")


def _speaker_span(subj: Any, cue: Any = None) -> Any:
    doc = subj.doc
    m = _DATELINE.match(doc.text)
    if m and subj.idx < m.end() and cue is not None and cue.idx > m.end():
        # the parser took the dateline's city for the subject: the speaker is what follows it
        start = next(t.i for t in doc if t.idx >= m.end())
        return doc[start : cue.i] if cue.i > start else doc[start : start + 1]
    left = subj.left_edge.i
    right = subj.right_edge.i
    for k in range(subj.i - 1, left - 1, -1):  # a dateline before the subject
        if doc[k].text in ("—", "–", "--"):
            left = k + 1
            break
    # "A spokeswoman for China's foreign ministry, Lin Mei," keeps its apposition; no trailing comma
    while right > left and doc[right].is_punct:
        right -= 1
    return doc[left : right + 1]


def find_claims(parsed: Sequence[Parsed], parties: Sequence[Party]) -> list[Claim]:
    """Every attributed statement of the reports, in the order of the text."""
    out: list[Claim] = []
    for p in parsed:
        last_party: str | None = None
        for line in p.lines:
            for sent in line.doc.sents:
                sq = quote(p, line, sent)
                found: tuple[Any, Any] | None = None
                for tok in sent:
                    if (
                        tok.lemma_.lower() == "accord"
                        and tok.i + 1 < len(tok.doc)
                        and tok.nbor().lower_ == "to"
                    ):
                        obj = next((c for c in tok.nbor().children if c.dep_ == "pobj"), None)
                        if obj is not None:
                            found = (tok, obj)
                            break
                    if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in CUES:
                        subj = _subject(tok)
                        if subj is not None and subj.dep_ == "nsubj" and _speaks(p, line, parties, subj):
                            found = (tok, subj)
                            break
                sent_party = party_at(parties, p.report.id, sq.start, sq.end)
                lead = _LEAD_IN.match(sent.text) if found is None else None
                if found is not None:
                    cue, subj = found
                    span = _speaker_span(subj, cue)
                    spq = quote(p, line, span)
                    first = span[0].lower_
                    cue_word = "according to" if cue.lemma_.lower() == "accord" else cue.text
                elif lead is not None:  # "Kyiv fears that:", where the parser reads "Kyiv fears" as a noun
                    a = line.start + sent.start_char
                    spq = p.span(a + lead.start("who"), a + lead.end("who"))
                    first = spq.quote.split()[0].lower()
                    cue_word = lead.group("cue")
                else:
                    if sent_party:
                        last_party = sent_party
                    continue
                party = party_at(parties, p.report.id, spq.start, spq.end)
                if party is None and first in _PRONOUNS:
                    party = last_party
                if lead is not None and party is None:
                    continue
                end = sq.end
                if sent.text.rstrip().endswith(":") and sent.end == len(line.doc):
                    items = list_after(p.lines, line.index)
                    if items:
                        end = items[-1].end
                q = p.span(sq.start, end)
                out.append(Claim(spq.quote, party, cue_word, q.quote, p.report.id, q.start, q.end))
                last_party = party or sent_party or last_party
    return out
