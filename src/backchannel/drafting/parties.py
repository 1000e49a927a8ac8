"""Parties: countries, organisations, groups and people, each with its mentions.

States and international organisations are found by the gazetteer, which
normalises their names ("Washington", "the White House" → United States);
other organisations and groups, and people, by spaCy's named entities. An
acronym introduced in brackets ("Rapid Support Forces (RSF)") is an alias
of the name before it. A person acts for the party named nearest before
them in the sentence of their first mention ("Ukrainian President X").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import gazetteer
from .lines import Parsed, Quote

__all__ = ["Party", "find_parties", "party_at"]

_ACRONYM = re.compile(r"\b((?:[A-Z][\w'-]+\s+){1,6}[A-Z][\w'-]+)\s+\(([A-Z]{2,6})\)")
_GENERIC = {"government", "ministry", "army", "forces", "officials", "state", "department", "council"}
_ORG_WORDS = re.compile(
    r"\b(Union|Forces|Force|Council|Organi[sz]ation|Party|Front|Army|Movement|Ministry|Agency|Committee|"
    r"Group|Coalition|Alliance|Bank|Court|Fund|Brigades?|Militia|Guard|Corps|Office|Commission|Assembly)\b"
)


# words between a party and a person that say the person does not act for it
_APART = re.compile(r"\b(?:in|on|since|at|from|with|about|to|against|by|and|or|than|that|said|says)\b", re.I)


def is_heading(text: str) -> bool:
    """A title or heading line: short, no full stop, most words capitalised."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text)]
    if not words or len(words) > 14 or text.rstrip().endswith((".", ",", ";")):
        return False
    caps = sum(
        1
        for w in words
        if w[0].isupper()
        or w.lower()
        in {
            "a",
            "an",
            "the",
            "of",
            "and",
            "or",
            "in",
            "on",
            "to",
            "for",
            "vs",
            "with",
            "at",
            "by",
            "is",
            "are",
        }
    )
    return caps == len(words) and sum(1 for w in words if w[0].isupper()) >= 2


@dataclass
class Party:
    """A party, its kind (state, organisation, group, person), the names it goes by and its mentions."""

    name: str
    kind: str
    aliases: set[str] = field(default_factory=set)
    mentions: list[Quote] = field(default_factory=list)
    acts_for: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "aliases": sorted(self.aliases),
            "mentions": [m.to_dict() for m in self.mentions],
        }
        if self.kind == "person":
            out["acts_for"] = self.acts_for
        return out


def _strip_the(s: str) -> str:
    return re.sub(r"^(?:the|The)\s+", "", re.sub(r"['’]s?$", "", s)).strip()


def find_parties(parsed: Sequence[Parsed]) -> list[Party]:
    """Every party the reports name, most mentioned first."""
    parties: dict[str, Party] = {}
    spans: dict[str, list[tuple[int, int, str]]] = {p.report.id: [] for p in parsed}

    def add(name: str, kind: str, alias: str, q: Quote) -> None:
        party = parties.setdefault(name, Party(name, kind))
        party.aliases.add(alias)
        if all((m.source, m.start) != (q.source, q.start) for m in party.mentions):
            party.mentions.append(q)
            spans[q.source].append((q.start, q.end, name))

    acronyms: dict[str, str] = {}
    for p in parsed:
        for m in _ACRONYM.finditer(p.report.text):
            acronyms[m.group(2)] = _strip_the(m.group(1))
        for m in gazetteer.matcher().finditer(p.report.text):
            entry = gazetteer.lookup(m.group())
            if entry is not None:
                add(entry.name, entry.kind, " ".join(m.group().split()), p.span(m.start(), m.end()))
    # organisations, groups and people that the gazetteer does not know
    people: list[tuple[Parsed, Any, Any, int]] = []
    orgs: list[tuple[str, str, Quote]] = []
    for p in parsed:
        for line in p.lines:
            if is_heading(line.text):
                continue
            for ent in line.doc.ents:
                start = line.start + ent.start_char
                if any(a <= start < b for a, b, _ in spans[p.report.id]):
                    continue
                text = _strip_the(ent.text)
                if not text or not text[0].isupper():
                    continue
                if ent.label_ == "ORG" and text.lower() not in _GENERIC:
                    name = acronyms.get(text, text)
                    if gazetteer.lookup(name) is None:
                        orgs.append((name, text, p.span(start, start + len(ent.text))))
                elif ent.label_ == "PERSON":
                    people.append((p, line, ent, start))
    counts: dict[str, int] = {}
    for name, _, _ in orgs:
        counts[name] = counts.get(name, 0) + 1
    for name, text, q in orgs:
        if counts[name] >= 2 or name.isupper() or _ORG_WORDS.search(name):
            add(name, "organisation", text, q)
    for p, line, ent, start in people:
        text = _strip_the(ent.text)
        # "Haddad" after "General Omar Haddad": the same person
        name = next((n for n, v in parties.items() if v.kind == "person" and text in n.split()), text)
        if name == text and len(text.split()) < 2:
            continue  # a single word that names no one seen in full
        person = parties.get(name)
        if person is None:
            lo = max(line.start + ent.sent.start_char, start - 60)
            body = p.report.text
            before = [
                (b, n)
                for a, b, n in spans[p.report.id]
                if lo <= a and b <= start and n != name and not _APART.search(body[b:start])
            ]
            acts_for = max(before)[1] if before else None
            add(name, "person", text, p.span(start, start + len(ent.text)))
            parties[name].acts_for = acts_for
            if acts_for is not None:
                parties[acts_for].aliases.add(name)
        else:
            add(name, "person", text, p.span(start, start + len(ent.text)))
    for party in parties.values():
        party.mentions.sort(key=lambda q: (q.source, q.start))
    order = sorted(parties.values(), key=lambda x: (-len(x.mentions), x.name))
    return order


def party_at(parties: Sequence[Party], source: str, start: int, end: int) -> str | None:
    """The party (or the party a person acts for) first mentioned in ``[start, end)`` of a source."""
    best: tuple[int, str] | None = None
    for party in parties:
        for m in party.mentions:
            if m.source == source and start <= m.start < end and (best is None or m.start < best[0]):
                name = party.acts_for if party.kind == "person" and party.acts_for else party.name
                best = (m.start, name)
    return best[1] if best else None
