"""Which judgements of a case cite a source, which are estimates, which have neither."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import format_loc
from .model import Conflict, Infeasible, Provenance

__all__ = ["Judgement", "ProvenanceReport", "judgements", "provenance_report", "rule_text"]


@dataclass(frozen=True)
class ProvenanceReport:
    """Counts of cited and estimated judgements, and where provenance is missing."""

    cited: int = 0
    estimates: int = 0
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Judgement:
    """One judgement of a case and what it rests on.

    ``loc`` is its place in the case; ``short`` names it in the audit,
    ``what`` describes it in full (with its value); ``note`` is the element's
    own note, if any; ``provenance`` is None when it has none.
    """

    loc: tuple[str | int, ...]
    short: str
    what: str
    provenance: Provenance | None
    note: str | None = None

    @property
    def kind(self) -> str:
        """``cited``, ``estimate`` or ``none``."""
        if self.provenance is None:
            return "none"
        return "estimate" if self.provenance.estimate else "cited"

    @property
    def where(self) -> str:
        return format_loc(self.loc)

    @property
    def source(self) -> str | None:
        """The source a cited judgement names."""
        prov = self.provenance
        return prov.source if prov is not None and not prov.estimate else None

    @property
    def text(self) -> str | None:
        """The quote of a cited judgement, or the reasoning of an estimate."""
        if self.provenance is None:
            return None
        if self.provenance.estimate:
            return self.provenance.note
        return self.provenance.quote or self.provenance.note


def rule_text(rule: Infeasible) -> str:
    """An infeasibility rule in words."""
    if rule.expr is not None:
        return rule.expr
    if rule.pattern is not None:
        return f"pattern {rule.pattern}"
    form = rule.form
    return f"{form.replace('_', ' ')} of: {', '.join(getattr(rule, form))}"


def judgements(conflict: Conflict) -> list[Judgement]:
    """Every judgement of a case, in order: preference statements (or a ranking
    as a whole), perceptions, capabilities, positions, saliences and reference
    points; infeasibility rules, scenarios and the status quo when they carry one."""
    out: list[Judgement] = []
    dm_text = {dm.name: dm.text for dm in conflict.decision_makers}
    issue_text = {k: v.label or k for k, v in conflict.issues.items()}

    def add(
        prov: Provenance | None, loc: tuple[str | int, ...], short: str, what: str, note: str | None = None
    ) -> None:
        out.append(Judgement(loc, short, what, prov, note))

    for d, dm in enumerate(conflict.decision_makers):
        prefs = dm.preferences
        base: tuple[str | int, ...] = ("decision_makers", d, "preferences")
        if prefs.prioritization is not None:
            k = len(prefs.prioritization)
            for j, st in enumerate(prefs.prioritization):
                add(
                    st.provenance or prefs.provenance,
                    (*base, "prioritization", j),
                    st.condition,
                    f"{dm.text}, preference {j + 1} of {k}: {st.condition}",
                    st.note,
                )
        else:
            add(
                prefs.provenance,
                (*base, "ranking"),
                f"ranking of {dm.name}",
                f"{dm.text}: ranking of the states",
            )
    for r, rule in enumerate(conflict.infeasible):
        if rule.provenance is not None:
            add(rule.provenance, ("infeasible", r), rule.form, f"infeasible: {rule_text(rule)}", rule.note)
    for name, issue in conflict.issues.items():
        if issue.reference is not None:
            add(
                issue.reference.provenance or issue.provenance,
                ("issues", name, "reference"),
                "reference point",
                f"reference point of “{issue_text[name]}”: {issue.reference.value:g}",
                issue.reference.note,
            )
    for a, actor in enumerate(conflict.actors):
        add(
            actor.capability.provenance or actor.provenance,
            ("actors", a, "capability"),
            f"capability of {actor.name}",
            f"capability of {actor.text}: {actor.capability.value:g}",
            actor.capability.note,
        )
        for kind, values in (("positions", actor.positions), ("salience", actor.salience)):
            word = kind.rstrip("s")
            for key, est in values.items():
                add(
                    est.provenance,
                    ("actors", a, kind, key),
                    f"{word} of {actor.name} on {key}",
                    f"{word} of {actor.text} on “{issue_text.get(key, key)}”: {est.value:g}",
                    est.note,
                )
    for name, per in conflict.perceptions.items():
        who = dm_text.get(name, name)
        if per.unaware_of or per.preferences:
            parts = []
            if per.unaware_of:
                parts.append("unaware of " + ", ".join(per.unaware_of))
            if per.preferences:
                parts.append("beliefs about " + ", ".join(dm_text.get(j, j) for j in per.preferences))
            add(
                per.provenance,
                ("perceptions", name),
                f"perception of {name}",
                f"perception of {who}: {'; '.join(parts)}",
                per.note,
            )
        for other, nested in per.about.items():
            what = f"{who} believes {dm_text.get(other, other)} is unaware of " + (
                ", ".join(nested.unaware_of) or "nothing"
            )
            add(
                nested.provenance or per.provenance,
                ("perceptions", name, "about", other),
                "second level",
                what,
                nested.note,
            )
    for key in ("status_quo", "observed"):
        choice = getattr(conflict, key)
        if choice is not None and choice.provenance is not None:
            words = key.replace("_", " ")
            add(choice.provenance, (key,), words, f"{words}: {choice.state}", choice.note)
    for name, sc in conflict.scenarios.items():
        if sc.provenance is not None:
            add(
                sc.provenance,
                ("scenarios", name),
                sc.when,
                f"scenario {sc.label or name}: {sc.when}",
                sc.description,
            )
    return out


def provenance_report(conflict: Conflict) -> ProvenanceReport:
    """Audit the judgements of a case (see :func:`judgements`): how many cite a
    source, how many are estimates, which have no provenance, and which cite a
    source the case does not list."""
    ids = {s.id for s in conflict.sources}
    cited = estimates = 0
    missing: list[str] = []
    problems: list[str] = []
    for j in judgements(conflict):
        prov = j.provenance
        if prov is None:
            missing.append(f"{format_loc(j.loc)} ({j.short})")
        elif prov.estimate:
            estimates += 1
        else:
            cited += 1
            if ids and prov.source not in ids:
                problems.append(
                    f"{format_loc(j.loc)} cites source {prov.source!r}, which is not among the "
                    f"case's sources ({', '.join(sorted(ids))})"
                )
    return ProvenanceReport(cited, estimates, missing, problems)
