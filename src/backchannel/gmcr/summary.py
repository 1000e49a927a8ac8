"""A computed summary of a stability analysis, in two or three sentences:
the equilibria, each with its main reason, and what to make of the
unselective concepts.  No analyst text: only what the results say."""

from __future__ import annotations

from typing import Any

from ..words import CONCEPT_LABELS, join_names, state_list
from .guidance import concept_guidance

__all__ = ["stability_summary"]


def _futures(result: Any, states: list[int]) -> str:
    sp = result.space
    names: list[str] = []
    for s in states:
        for k in sp.scenario_labels(s - 1):
            lab = sp.conflict.scenarios[k].label or k
            if lab not in names:
                names.append(lab)
    return f" ({join_names(names)})" if names else ""


def stability_summary(
    result: Any, guidance: bool = True, rows: list[dict[str, Any]] | None = None
) -> list[str]:
    """The sentences of the summary of ``result``, a
    :class:`~backchannel.gmcr.results.StabilityResult` (typed loosely: the
    result imports this module); ``rows``: its concept guidance, if already computed."""
    sp = result.space
    out: list[str] = []
    concepts = result.concepts
    if "nash" in concepts:
        eqs = result.equilibria("nash")
        if not eqs:
            out.append("No state is a Nash equilibrium: in every state some decision maker can improve.")
        else:
            one = len(eqs) == 1
            out.append(
                f"{'The only Nash equilibrium is state' if one else 'The Nash equilibria are states'} "
                f"{state_list(eqs)}{_futures(result, eqs)}, where no decision maker has a move to a state "
                "it prefers."
            )
    for c in ("seq", "sim"):
        if c not in concepts:
            continue
        extra = sorted(
            set(result.equilibria(c)) - set(result.equilibria("nash") if "nash" in concepts else [])
        )
        if extra:
            out.append(
                f"{CONCEPT_LABELS[c]} adds state{'s' if len(extra) > 1 else ''} {state_list(extra)}"
                f"{_futures(result, extra)}, where every improvement is deterred by "
                + (
                    "an opponent's improving reply."
                    if c == "seq"
                    else "an opponent's simultaneous improvement."
                )
            )
            break
    if guidance:
        wanted = tuple(c for c in ("gmr", "smr") if c in concepts)
        if wanted:
            if rows is None:
                rows = concept_guidance(sp, {c: result.stable[c] for c in wanted}, wanted)
            for row in (r for r in rows if r["concept"] in wanted):
                if row["share"] > 0.5:
                    threat = row["threat"]
                    why = (
                        f"; most of its sanctions rest on one threat: {threat['text']}"
                        if threat and threat["share"] > 0.5
                        else ""
                    )
                    label = CONCEPT_LABELS[row["concept"]]
                    out.append(
                        f"{label} accepts {row['equilibria']} of the {row['states']} states, so it says "
                        f"little here{why}."
                    )
                    break
    if not out:
        for c in concepts:
            eqs = result.equilibria(c)
            out.append(f"{CONCEPT_LABELS[c]} equilibria: {state_list(eqs)}{_futures(result, eqs)}.")
    return out
