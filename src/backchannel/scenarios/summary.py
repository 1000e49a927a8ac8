"""A computed summary of a scenario analysis: the futures in two or three
sentences, each with its main reason (from the diagnostics), and how the
probabilities were obtained.  No analyst text."""

from __future__ import annotations

from typing import Any

from ..words import CONCEPT_LABELS, join_names, state_list
from .montecarlo import Prepared

__all__ = ["scenario_summary"]


def _pct(p: float) -> str:
    return f"{p:.0%}" if p >= 0.01 or p == 0 else f"{p:.1%}"


def scenario_summary(prep: Prepared, result: Any) -> list[str]:
    """The sentences of the summary of ``result`` (a :class:`~backchannel.scenarios.run.ScenarioResult`)."""
    extra = result.extra
    diag = {row["future"]: row for row in extra.get("diagnostics", [])}
    exact = extra.get("method") == "exact"
    out: list[str] = []
    named = [(float(p), n, lab) for n, lab, p in zip(result.names, result.labels, result.p, strict=True)]
    ranked = sorted((x for x in named if x[1] != "unclassified" and x[0] > 0), key=lambda x: -x[0])
    how = (
        f"exactly, over {extra.get('combinations', 0):,} combinations of the uncertain preferences"
        if exact
        else f"over {result.samples:,} samples"
    )
    if ranked:
        p, name, label = ranked[0]
        row = diag.get(name, {})
        where = ""
        if row.get("main_state"):
            s = int(row["main_state"])
            where = f", mostly as state {s}, an equilibrium reached from the status quo"
        first = f"The most likely future is {label} ({_pct(p)}{where})"
        if len(ranked) > 1:
            rest = [f"{lab} ({_pct(q)})" for q, _, lab in ranked[1:3]]
            first += f", then {join_names(rest)}"
        out.append(first + f"; probabilities computed {how}.")
    never = [diag[n] for n in result.names if n in diag and diag[n]["kind"] != "possible"]
    for row in never[:2]:
        out.append(row["reason"])
    rare = [x for x in ranked[1:] if x[0] < 0.1 and x[1] in diag and diag[x[1]].get("reason")]
    if rare and len(never) < 2:  # the rarest future that does happen, and how it happens
        out.append("The rarest: " + diag[rare[-1][1]]["reason"])
    differs = extra.get("p_differs_from_full_information")
    if differs is not None:
        out.append(
            "Each party acts on its own picture through the case's timeline; the outcome differs "
            f"from the one under full information in {_pct(float(differs))} of samples."
        )
    for g in extra.get("guidance") or []:
        threat = g.get("threat")
        if g["share"] > 0.5:
            why = (
                f"; most of its sanctions rest on one threat: {threat['text']}"
                if threat and threat["share"] > 0.5
                else ""
            )
            out.append(
                f"{CONCEPT_LABELS[g['concept']]} accepts {g['equilibria']} of the {g['states']} states "
                f"as equilibria{why}."
            )
    cyc = extra.get("cycles") or []
    if cyc:
        total = sum(c["p"] for c in cyc)
        first = cyc[0]["states"]
        states = (
            state_list(first, 8) if len(first) <= 8 else f"{len(first)} states ({state_list(first[:6])} …)"
        )
        more = f" (and {len(cyc) - 1} other cycle{'s' if len(cyc) > 2 else ''})" if len(cyc) > 1 else ""
        out.append(
            f"With probability {_pct(total)} the conflict never settles: it keeps moving through "
            f"{states}{more}."
        )
    return out
