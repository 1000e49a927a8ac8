"""The web's view of :func:`backchannel.gmcr.explain.explain`: why a state is
stable or not, for each decision maker, in the shape the workbench's state
panel reads (``decision_makers`` as a list, ``explanation.improvements`` with
their sanctions), with the statements each move gains and loses and their
provenance.  The analysis is the library's; this module only reshapes it.
"""

from __future__ import annotations

from typing import Any

from ..gmcr.explain import explain
from ..gmcr.statespace import StateSpace

__all__ = ["explain_state"]


def _state(space: StateSpace, number: int) -> dict[str, Any]:
    s = number - 1
    return {"number": number, "pattern": space.pattern(s), "description": space.describe(s)}


_WORDS = ("gained", "lost", "statements", "ranks", "decisive")


def _words(m: dict[str, Any]) -> dict[str, Any]:
    return {k: m[k] for k in _WORDS if k in m}


def _improvement(space: StateSpace, m: dict[str, Any]) -> dict[str, Any]:
    sanc = m["sanction"]
    old = None
    if sanc is not None:
        old = {
            "kind": sanc["kind"],
            "by": sorted(set(sanc["movers"]), key=space.dm_names.index),
            "steps": sanc["steps"],
            "result": _state(space, sanc["ends"]),
            "path": sanc["path"],
            "movers": sanc["movers"],
            "text": sanc["text"],
        }
    return {
        "target": _state(space, m["to"]),
        "text": m["text"],
        "deterred": m["deterred"],
        "sanction": old,
        "reason": m.get("deterrence", m["reason"]),
        "move_reason": m["reason"],
        **_words(m),
    }


def explain_state(space: StateSpace, state: int | str, concept: str = "nash") -> dict[str, Any]:
    """Who can move where from ``state`` (a number or a Y/N pattern), and, per
    decision maker, whether the state is stable under ``concept`` and why.

    >>> from backchannel.gmcr.analysis import compile_case
    >>> r = explain_state(compile_case("prisoners-dilemma"), 4, "gmr")
    >>> r["equilibrium"]["gmr"], r["decision_makers"][0]["explanation"]["improvements"][0]["deterred"]
    (True, True)
    """
    e = explain(space, state, concept)
    s = e.state
    dms = []
    for d in e.decision_makers:
        moves = [
            {
                "target": _state(space, m["to"]),
                "improvement": m["improves"],
                "preference": m["preference"],
                "text": m["text"],
                "reason": m["reason"],
                **_words(m),
            }
            for m in d["moves"]
        ]
        imps = [_improvement(space, m) for m in d["moves"] if m["improves"]]
        dms.append(
            {
                "name": d["name"],
                "label": d["label"],
                "payoff": d["payoff"],
                "rank": d["rank"],
                "stable": d["stable_under"],
                "moves": moves,
                "explanation": {
                    "concept": concept,
                    "stable": d["stable"],
                    "reason": d["reason"],
                    "improvements": imps,
                },
            }
        )
    return {
        "state": _state(space, s + 1),
        "concept": concept,
        "status_quo": s == space.status_quo,
        "scenarios": space.scenario_labels(s),
        "equilibrium": e.equilibrium,
        "summary": e.summary(),
        "decision_makers": dms,
        "explain": e.to_dict(),
    }
