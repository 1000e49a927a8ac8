"""The evidence a case rests on, graded as intelligence analysts grade it.

Each source may carry a reliability grade (A–F) and each cited claim a
credibility grade (1–6): the NATO "Admiralty" system (STANAG 2511 / AJP-2.1;
the scale's wording as given by the Wikipedia article "Admiralty code" and
the MISP taxonomy "admiralty-scale", both read when this was written). A
graded judgement reads like ``B2`` (usually reliable source, probably true).

:func:`evidence` lists every cited judgement with its grades and says which
judgements rest on an ungraded claim (the source or the claim lacks a grade)
and which on a single source (no other source of the case carries the same
words, or a passage within :data:`CORROBORATION` similarity of them, when
the sources' texts are at hand). :func:`evidence_section` renders it for the
HTML report.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..case.model import Conflict
from ..case.provenance import judgements

__all__ = [
    "CORROBORATION",
    "CREDIBILITY",
    "RELIABILITY",
    "Evidence",
    "EvidenceRow",
    "evidence",
    "evidence_section",
]

RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}
CORROBORATION = 90.0  # RapidFuzz partial ratio of a quote against another source's closest passage


@dataclass(frozen=True)
class EvidenceRow:
    """One cited judgement: what it is, where, its source and grades, and who else says it."""

    where: str
    what: str
    source: str
    quote: str | None
    reliability: str | None
    credibility: int | None
    corroborated_by: tuple[str, ...] = ()

    @property
    def grade(self) -> str:
        """``B2``; ``?`` stands for a missing grade (``?2``, ``B?``, ``??``)."""
        return f"{self.reliability or '?'}{self.credibility or '?'}"

    @property
    def graded(self) -> bool:
        return self.reliability is not None and self.credibility is not None


@dataclass(frozen=True)
class Evidence:
    """The cited judgements with grades; which are ungraded or single-source; how many are estimates."""

    rows: list[EvidenceRow] = field(default_factory=list)
    estimates: int = 0
    texts_checked: bool = False

    @property
    def ungraded(self) -> list[EvidenceRow]:
        return [r for r in self.rows if not r.graded]

    @property
    def single_source(self) -> list[EvidenceRow]:
        return [r for r in self.rows if not r.corroborated_by]

    def to_dict(self) -> dict[str, Any]:
        return {
            "judgements": [
                {
                    "where": r.where,
                    "what": r.what,
                    "source": r.source,
                    "quote": r.quote,
                    "reliability": r.reliability,
                    "credibility": r.credibility,
                    "grade": r.grade,
                    "corroborated_by": list(r.corroborated_by),
                }
                for r in self.rows
            ],
            "estimates": self.estimates,
            "ungraded": [r.where for r in self.ungraded],
            "single_source": [r.where for r in self.single_source],
            "texts_checked": self.texts_checked,
        }


def evidence(conflict: Conflict, texts: Mapping[str, str] | None = None) -> Evidence:
    """Grade every cited judgement of ``conflict``; ``texts`` (source id → text) lets
    quotes be looked for in the other sources (corroboration)."""
    from ..case.quotes import closest_passage, find_quote

    reliability = {s.id: s.reliability for s in conflict.sources}
    rows: list[EvidenceRow] = []
    estimates = 0
    seen: dict[tuple[str, str], tuple[str, ...]] = {}
    for j in judgements(conflict):
        prov = j.provenance
        if prov is None:
            continue
        if prov.estimate:
            estimates += 1
            continue
        src = prov.source or ""
        others: tuple[str, ...] = ()
        if texts and prov.quote:
            key = (src, prov.quote)
            if key not in seen:
                found = []
                for sid, text in texts.items():
                    if sid == src:
                        continue
                    if find_quote(text, prov.quote) is not None or (
                        closest_passage(text, prov.quote)[1] >= CORROBORATION
                    ):
                        found.append(sid)
                seen[key] = tuple(found)
            others = seen[key]
        rows.append(
            EvidenceRow(j.where, j.what, src, prov.quote, reliability.get(src), prov.credibility, others)
        )
    return Evidence(rows, estimates, bool(texts))


def _texts(conflict: Conflict, case: str | Path | Conflict) -> dict[str, str]:
    """The sources' texts, where the case gives them (``text:``, or ``file:`` beside a case file)."""
    from ..case.quotes import source_texts
    from ..errors import BackchannelError

    base = None
    if not isinstance(case, Conflict):
        from ..case.quotes import case_base

        try:
            base = case_base(case)
        except BackchannelError:
            base = None
    try:
        return source_texts(conflict, base)
    except BackchannelError:  # an unreadable file: grade without corroboration
        return {s.id: s.text for s in conflict.sources if s.text is not None}


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def evidence_section(conflict: Conflict, case: str | Path | Conflict) -> str:
    """The report's section: the sources' reliability, every cited judgement with its
    Admiralty grade, and what rests on ungraded or single-source claims."""
    ev = evidence(conflict, _texts(conflict, case))
    out = [
        '<p class="note">Grades follow the NATO “Admiralty” system: the source’s reliability '
        "(A completely reliable … E unreliable, F cannot be judged) and the claim’s credibility "
        "(1 confirmed by other sources … 5 improbable, 6 cannot be judged), written together as "
        "<code>B2</code>; <code>?</code> marks a grade the case does not give.</p>"
    ]
    rows = []
    for s in conflict.sources:
        grade = f"{s.reliability} — {RELIABILITY[s.reliability]}" if s.reliability else "not graded"
        n = sum(1 for r in ev.rows if r.source == s.id)
        rows.append(
            f"<tr><td><code>{_e(s.id)}</code></td><td>{_e(s.title)}</td><td>{_e(grade)}</td>"
            f'<td class="num">{n}</td></tr>'
        )
    if rows:
        out.append(
            "<h3>Sources</h3><table><thead><tr><th>Id</th><th>Title</th><th>Reliability</th>"
            f"<th>Judgements citing it</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    n_ungraded, n_single = len(ev.ungraded), len(ev.single_source)
    out.append(
        f'<p class="counts"><strong>{len(ev.rows)}</strong> judgements cite a source '
        f"(<strong>{ev.estimates}</strong> more are analyst estimates); "
        f"<strong>{n_ungraded}</strong> rest on an ungraded claim; "
        f"<strong>{n_single}</strong> on a single source"
        + (
            ""
            if ev.texts_checked
            else " (the sources’ texts are not in the case, so no quote could be "
            "looked for in another source)"
        )
        + ".</p>"
    )
    body = []
    for r in ev.rows:
        rel = RELIABILITY.get(r.reliability or "", "source not graded")
        cred = CREDIBILITY.get(r.credibility or 0, "claim not graded")
        corr = ", ".join(r.corroborated_by) or "single source"
        quote = f'<div class="quote">“{_e(r.quote)}”</div>' if r.quote else ""
        body.append(
            f'<tr><td>{_e(r.what)}<div class="small where"><code>{_e(r.where)}</code></div>{quote}</td>'
            f"<td><code>{_e(r.source)}</code></td>"
            f'<td><strong>{_e(r.grade)}</strong><div class="small">{_e(rel)}; {_e(cred)}</div></td>'
            f"<td>{_e(corr)}</td></tr>"
        )
    if body:
        out.append(
            "<h3>Cited judgements and their grades</h3><table><thead><tr><th>Judgement and quote</th>"
            "<th>Source</th><th>Grade</th><th>Also in</th></tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )
    for title, items in (
        ("Resting on ungraded claims", ev.ungraded),
        ("Resting on a single source", ev.single_source),
    ):
        if items:
            lis = "".join(
                f'<li>{_e(r.what)} <span class="small">({_e(r.source)}, {_e(r.grade)})</span></li>'
                for r in items
            )
            out.append(f"<h3>{_e(title)}</h3><ul>{lis}</ul>")
    return "".join(out)
