"""Why a state is stable or not, for each decision maker: the moves it has,
its improvements, and for each improvement the sanction that deters it.

The verdicts are the stability engine's (:func:`~backchannel.engine.stability_matrix`);
this module only finds the witnesses, by the same definitions (Fang, Hipel &
Kilgour 1993): a sanction is a legal sequence of the opponents' moves (GMR),
one from which the decision maker cannot escape by a move of its own (SMR), a
legal sequence of the opponents' unilateral improvements (SEQ), or an
opponents' improvements made at the same moment, one or several together
(SIM, :func:`backchannel.sim.sim_reply`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine import CONCEPTS, improvements, legal_sequence, reachable_min, stability_matrix
from ..evolution import describe_step, resolve_state
from ..sim import sim_reply
from ..statespace import Moves, StateSpace

__all__ = ["explain_state"]

LABELS = {"nash": "Nash", "gmr": "GMR", "smr": "SMR", "seq": "SEQ", "sim": "SIM"}


def _state(space: StateSpace, s: int) -> dict[str, Any]:
    return {"number": s + 1, "pattern": space.pattern(s), "description": space.describe(s)}


def _steps(space: StateSpace, path: Sequence[tuple[int, int, int]]) -> list[dict[str, Any]]:
    return [describe_step(space, a, b, 1 << d).to_dict() for d, a, b in path]


class _Explainer:
    def __init__(self, space: StateSpace, s: int, concept: str) -> None:
        self.space = space
        self.s = s
        self.concept = concept
        self.ui = [improvements(space, d) for d in range(space.n_dms)]

    def name(self, d: int) -> str:
        return self.space.conflict.dm(self.space.dm_names[d]).text

    def others(self, k: int) -> list[int]:
        return [j for j in range(self.space.n_dms) if j != k]

    def value(self, k: int) -> np.ndarray:
        """What a sanction must bring ``k`` down to (at most its payoff at ``s``)."""
        sp = self.space
        p = sp.payoffs[k].astype(np.int32)
        if self.concept != "smr":
            return p
        mk = sp.moves[k]
        best = p.copy()
        if mk.n_moves:
            nonempty = np.diff(mk.indptr) > 0
            best[nonempty] = np.maximum(
                p[nonempty], np.maximum.reduceat(p[mk.targets], mk.indptr[:-1][nonempty])
            )
        return best

    def sanction_moves(self, k: int) -> list[Moves]:
        if self.concept == "seq":
            return [self.ui[j] for j in self.others(k)]
        return [self.space.moves[j] for j in self.others(k)]

    def improvement(self, k: int, t: int, low: np.ndarray | None, value: np.ndarray) -> dict[str, Any]:
        sp, s, c = self.space, self.s, self.concept
        p = sp.payoffs[k]
        step = describe_step(sp, s, t, 1 << k)
        out: dict[str, Any] = {
            "target": _state(sp, t),
            "text": step.text,
            "deterred": False,
            "sanction": None,
        }
        me = self.name(k)
        if c == "nash":
            out["reason"] = (
                f"{me} prefers state {t + 1} to state {s + 1}: a Nash-stable state has no improvement."
            )
            return out
        if c == "sim":
            found = sim_reply(sp, k, s, t, self.ui)
            if found is not None:
                replies, w = found
                who = [self.name(j) for j, _ in replies]
                out["deterred"] = True
                out["sanction"] = {
                    "kind": "simultaneous",
                    "by": [sp.dm_names[j] for j, _ in replies],
                    "steps": [describe_step(sp, s, u, 1 << j).to_dict() for j, u in replies],
                    "result": _state(sp, w),
                }
                parts = [f"{n} to state {u + 1}" for n, (_, u) in zip(who, replies, strict=True)]
                moves = _join([parts[0].replace(" to state", " moves to state", 1), *parts[1:]])
                each = "an improvement for it" if len(replies) == 1 else "each an improvement for its mover"
                out["reason"] = (
                    f"If {me} moves to state {t + 1} while {moves} at the same time ({each}), "
                    f"the result is state {w + 1}, which {me} does not prefer to state {s + 1}."
                )
                return out
            out["reason"] = (
                f"{me} prefers state {t + 1}, and no simultaneous improvements of its opponents, alone or "
                f"together, turn the move into a state {me} does not prefer to state {s + 1}."
            )
            return out
        assert low is not None
        if low[t] > p[s]:
            them = _join([self.name(j) for j in self.others(k)])
            what = {
                "gmr": f"no sequence of moves by {them}",
                "smr": f"no sequence of moves by {them} that {me} cannot escape",
                "seq": f"no sequence of improvements by {them} (each an improvement for whoever makes it)",
            }[c]
            out["reason"] = (
                f"{me} prefers state {t + 1}, and {what} leads to a state {me} does not prefer to "
                f"state {s + 1}."
            )
            return out
        good = value <= p[s]
        path = legal_sequence(self.others(k), self.sanction_moves(k), t, good)
        assert path is not None, "the engine found a sanction that the search does not"
        w = path[-1][2]
        out["deterred"] = True
        out["sanction"] = {
            "kind": {"gmr": "moves", "smr": "moves", "seq": "improvements"}[c],
            "by": sorted({sp.dm_names[d] for d, _, _ in path}, key=sp.dm_names.index),
            "steps": _steps(sp, path),
            "result": _state(sp, w),
        }
        reply = "; then ".join(describe_step(sp, a, b, 1 << d).text for d, a, b in path)
        tail = f"state {w + 1}, which {me} does not prefer to state {s + 1}"
        if c == "smr":
            tail += f", and from which {me} cannot move to a state it prefers to state {s + 1}"
        out["reason"] = f"If {me} moves to state {t + 1}, the reply is: {reply}. That ends in {tail}."
        return out

    def dm(self, k: int, stable: dict[str, np.ndarray]) -> dict[str, Any]:
        sp, s, c = self.space, self.s, self.concept
        p = sp.payoffs[k]
        moves = []
        for t in sp.moves[k].of(s).tolist():
            rel = "better" if p[t] > p[s] else ("same" if p[t] == p[s] else "worse")
            moves.append(
                {
                    "target": _state(sp, t),
                    "improvement": bool(p[t] > p[s]),
                    "preference": rel,
                    "text": describe_step(sp, s, t, 1 << k).text,
                }
            )
        ui = self.ui[k].of(s).tolist()
        low = value = None
        if c in ("gmr", "smr", "seq") and ui:
            value = self.value(k)
            low = reachable_min(self.sanction_moves(k), value)
        imps = [self.improvement(k, t, low, value if value is not None else p) for t in ui]
        is_stable = bool(stable[c][k, s])
        me = self.name(k)
        if not ui:
            reason = (
                f"{me} cannot move from state {s + 1}."
                if not moves
                else f"None of {me}'s moves from state {s + 1} leads to a state it prefers."
            )
        elif is_stable:
            reason = f"Every improvement of {me} from state {s + 1} is deterred ({LABELS[c]})."
        else:
            free = [i for i in imps if not i["deterred"]]
            reason = (
                f"{me} can move to state {free[0]['target']['number']}, which it prefers, and nothing "
                f"deters it ({LABELS[c]})."
            )
        return {
            "name": sp.dm_names[k],
            "label": me,
            "payoff": int(p[s]),
            "stable": {cc: bool(stable[cc][k, s]) for cc in stable},
            "moves": moves,
            "explanation": {"concept": c, "stable": is_stable, "reason": reason, "improvements": imps},
        }


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def explain_state(space: StateSpace, state: int | str, concept: str = "nash") -> dict[str, Any]:
    """Who can move where from ``state`` (a number or a Y/N pattern), and, per
    decision maker, whether the state is stable under ``concept`` and why.

    >>> from backchannel.analysis import compile_case
    >>> r = explain_state(compile_case("prisoners-dilemma"), 4, "gmr")
    >>> r["equilibrium"]["gmr"], r["decision_makers"][0]["explanation"]["improvements"][0]["deterred"]
    (True, True)
    """
    if concept not in CONCEPTS:
        from ..errors import BackchannelError

        raise BackchannelError(f"unknown concept {concept!r}: choose from {', '.join(CONCEPTS)}")
    s = resolve_state(space, state)
    stable = stability_matrix(space, CONCEPTS)
    ex = _Explainer(space, s, concept)
    dms = [ex.dm(k, stable) for k in range(space.n_dms)]
    return {
        "state": _state(space, s),
        "concept": concept,
        "status_quo": s == space.status_quo,
        "scenarios": space.scenario_labels(s),
        "equilibrium": {c: bool(stable[c][:, s].all()) for c in CONCEPTS},
        "decision_makers": dms,
    }
