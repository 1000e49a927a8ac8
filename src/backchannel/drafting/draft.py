"""The draft of a case from reports: parties, claims, measures, futures, dates,
places and contradictions, every one quoted with its offsets in its source."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .claims import Claim, find_claims
from .contradictions import Contradiction, find_contradictions
from .facts import Mention, find_dates_places
from .futures import Future, find_futures
from .lines import parse_reports
from .measures import Measure, find_measures
from .parties import Party, find_parties
from .text import Report, load_report

__all__ = ["Draft", "draft_reports"]


@dataclass(frozen=True)
class Draft:
    """What the reports say, as candidates for a case; every quote is ``text[start:end]`` of its source."""

    reports: tuple[Report, ...]
    parties: tuple[Party, ...]
    claims: tuple[Claim, ...]
    measures: tuple[Measure, ...]
    futures: tuple[Future, ...]
    dates: tuple[Mention, ...]
    places: tuple[Mention, ...]
    contradictions: tuple[Contradiction, ...]

    def to_dict(self, *, texts: bool = False) -> dict[str, Any]:
        """The draft as JSON data; ``texts`` adds each source's text (as the offsets read it)."""
        sources = []
        for r in self.reports:
            entry: dict[str, Any] = {"id": r.id, "file": r.file, "title": r.title, "date": r.date}
            if texts:
                entry["text"] = r.text
            sources.append(entry)
        return {
            "sources": sources,
            "parties": [p.to_dict() for p in self.parties],
            "claims": [c.to_dict() for c in self.claims],
            "measures": [m.to_dict() for m in self.measures],
            "futures": [f.to_dict() for f in self.futures],
            "dates": [d.to_dict() for d in self.dates],
            "places": [p.to_dict() for p in self.places],
            "contradictions": [c.to_dict() for c in self.contradictions],
        }

    def to_json(self, *, texts: bool = False) -> str:
        return json.dumps(self.to_dict(texts=texts), indent=2, ensure_ascii=False)

    def without(
        self,
        *,
        parties: Collection[str] = (),
        claims: Collection[int] = (),
        measures: Collection[int] = (),
        futures: Collection[int] = (),
        contradictions: Collection[int] = (),
    ) -> Draft:
        """The draft less the elements the analyst rejected (parties by name, the others by index)."""

        def keep(items: tuple[Any, ...], drop: Collection[int]) -> tuple[Any, ...]:
            return tuple(x for i, x in enumerate(items) if i not in set(drop))

        return replace(
            self,
            parties=tuple(p for p in self.parties if p.name not in set(parties)),
            claims=keep(self.claims, claims),
            measures=keep(self.measures, measures),
            futures=keep(self.futures, futures),
            contradictions=keep(self.contradictions, contradictions),
        )

    def text_of(self, source: str) -> str:
        return next(r.text for r in self.reports if r.id == source)


def _unique_ids(reports: Sequence[Report]) -> list[Report]:
    out: list[Report] = []
    seen: set[str] = set()
    for r in reports:
        rid, k = r.id, 2
        while rid in seen:
            rid, k = f"{r.id}_{k}", k + 1
        seen.add(rid)
        out.append(Report(rid, r.file, r.title, r.date, r.text) if rid != r.id else r)
    return out


def draft_reports(reports: Sequence[Report | str | Path]) -> Draft:
    """Draft from reports (:class:`Report` objects or paths to text/HTML files), offline."""
    from .nlp import load

    loaded = _unique_ids([r if isinstance(r, Report) else load_report(r) for r in reports])
    parsed = parse_reports(loaded, load())
    parties = find_parties(parsed)
    dates, places = find_dates_places(parsed)
    return Draft(
        tuple(loaded),
        tuple(parties),
        tuple(find_claims(parsed, parties)),
        tuple(find_measures(parsed)),
        tuple(find_futures(parsed)),
        tuple(dates),
        tuple(places),
        tuple(find_contradictions(parsed)),
    )
