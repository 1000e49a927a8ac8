"""Which judgements of a case cite a source, which are estimates, which have neither."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import format_loc
from .model import Conflict, Provenance

__all__ = ["ProvenanceReport", "provenance_report"]


@dataclass(frozen=True)
class ProvenanceReport:
    """Counts of cited and estimated judgements, and where provenance is missing."""

    cited: int = 0
    estimates: int = 0
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def provenance_report(conflict: Conflict) -> ProvenanceReport:
    """Audit the judgements of a case: preference statements (and a ranking as a
    whole), perceptions, capabilities, positions, saliences and reference
    points; infeasibility rules, scenarios and the status quo when they carry one."""
    ids = {s.id for s in conflict.sources}
    cited = estimates = 0
    missing: list[str] = []
    problems: list[str] = []

    def visit(prov: Provenance | None, loc: tuple[str | int, ...], what: str) -> None:
        nonlocal cited, estimates
        if prov is None:
            missing.append(f"{format_loc(loc)} ({what})")
        elif prov.estimate:
            estimates += 1
        else:
            cited += 1
            if ids and prov.source not in ids:
                problems.append(
                    f"{format_loc(loc)} cites source {prov.source!r}, which is not among the "
                    f"case's sources ({', '.join(sorted(ids))})"
                )

    for d, dm in enumerate(conflict.decision_makers):
        prefs = dm.preferences
        base: tuple[str | int, ...] = ("decision_makers", d, "preferences")
        if prefs.prioritization is not None:
            for j, st in enumerate(prefs.prioritization):
                visit(st.provenance or prefs.provenance, (*base, "prioritization", j), st.condition)
        else:
            visit(prefs.provenance, (*base, "ranking"), f"ranking of {dm.name}")
    for r, rule in enumerate(conflict.infeasible):
        if rule.provenance is not None:
            visit(rule.provenance, ("infeasible", r), rule.form)
    for name, issue in conflict.issues.items():
        if issue.reference is not None:
            visit(
                issue.reference.provenance or issue.provenance,
                ("issues", name, "reference"),
                "reference point",
            )
    for a, actor in enumerate(conflict.actors):
        base = ("actors", a)
        visit(
            actor.capability.provenance or actor.provenance,
            (*base, "capability"),
            f"capability of {actor.name}",
        )
        for kind, values in (("positions", actor.positions), ("salience", actor.salience)):
            for key, est in values.items():
                visit(est.provenance, (*base, kind, key), f"{kind.rstrip('s')} of {actor.name} on {key}")
    for name, per in conflict.perceptions.items():
        if per.unaware_of or per.preferences:
            visit(per.provenance, ("perceptions", name), f"perception of {name}")
        for other, nested in per.about.items():
            visit(nested.provenance or per.provenance, ("perceptions", name, "about", other), "second level")
    for key in ("status_quo", "observed"):
        choice = getattr(conflict, key)
        if choice is not None and choice.provenance is not None:
            visit(choice.provenance, (key,), key.replace("_", " "))
    for name, sc in conflict.scenarios.items():
        if sc.provenance is not None:
            visit(sc.provenance, ("scenarios", name), sc.when)
    return ProvenanceReport(cited, estimates, missing, problems)
