"""Why a state is stable or not, in the words of the case.

For each decision maker: whether the state is stable under a solution
concept; each of its unilateral moves, whether it improves, the
prioritisation statements it gains and loses (as written in the case, with
their provenance) — or, for ranking preferences, the ranks — and, for an
improvement, the sanction that deters it: the replying sequence, who moves,
where it ends.

The verdicts are the stability engine's
(:func:`~backchannel.gmcr.engine.stability_matrix`); this module finds the
witnesses by the same definitions (Fang, Hipel & Kilgour 1993): a sanction is
a legal sequence of the opponents' moves (GMR), one from which the decision
maker cannot escape by a move of its own (SMR), a legal sequence of the
opponents' unilateral improvements (SEQ), or an opponent's improvement made at
the same moment (SIM).  With option prioritisation (Fang, Hipel, Kilgour &
Peng 2003) a move improves exactly when the most important statement whose
truth it changes is one it gains: that statement is the move's *decisive*
reason.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..case.expr import parse_condition
from ..case.model import Conflict
from ..case.results import Result, meta
from ..errors import BackchannelError
from ..words import CONCEPT_LABELS, join_names
from .engine import CONCEPTS, improvements, legal_sequence, reachable_min, stability_matrix
from .evolution import describe_step, resolve_state
from .sim import sim_reply
from .statespace import Moves, StateSpace

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Explanation",
    "explain",
    "free_improvements",
    "ordinal",
    "possessive",
    "statement_changes",
    "statement_truth",
]


def possessive(name: str) -> str:
    """``Russia's``, ``United States'``."""
    return name + ("'" if name.endswith("s") else "'s")


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_TRUTH: weakref.WeakKeyDictionary[StateSpace, dict[int, np.ndarray | None]] = weakref.WeakKeyDictionary()


def statement_truth(space: StateSpace, d: int) -> np.ndarray | None:
    """(states × statements): whether each prioritisation statement of
    decision maker ``d`` holds in each state; None for a ranking.  Kept while
    ``space`` lives."""
    cache = _TRUTH.setdefault(space, {})
    if d not in cache:
        prefs = space.conflict.decision_makers[d].preferences
        truth = None
        if prefs.prioritization is not None:
            names = {n: i for i, n in enumerate(space.conflict.option_names)}
            truth = np.zeros((space.n_states, len(prefs.prioritization)), dtype=bool)
            for j, st in enumerate(prefs.prioritization):
                truth[:, j] = parse_condition(st.condition, names, len(names)).evaluate(space.codes)
        cache[d] = truth
    return cache[d]


def _statement(space: StateSpace, d: int, j: int) -> dict[str, Any]:
    st = space.conflict.decision_makers[d].preferences.prioritization[j]  # type: ignore[index]
    prov = st.provenance
    return {
        "statement": st.condition,
        "priority": j + 1,
        "note": st.note,
        "provenance": prov.describe() if prov is not None else None,
        "quote": prov.quote if prov is not None else None,
        "probability": st.probability,
    }


def statement_changes(space: StateSpace, d: int, s: int, t: int) -> tuple[list[int], list[int]]:
    """Indices of the statements of ``d`` that the move ``s`` → ``t`` makes
    true (gained) and false (lost), most important first; empty for a ranking."""
    truth = statement_truth(space, d)
    if truth is None:
        return [], []
    a, b = truth[s], truth[t]
    return [int(j) for j in np.flatnonzero(~a & b)], [int(j) for j in np.flatnonzero(a & ~b)]


def _rank(space: StateSpace, d: int, s: int) -> int:
    """Position of state ``s`` in ``d``'s order, 1 = best (ties share a position)."""
    p = space.payoffs[d]
    return int(p.max() - p[s]) + 1


def _listed(space: StateSpace, d: int, js: Sequence[int]) -> str:
    """``'A' (priority 1) and 'B' (priority 4)``."""
    texts = [f"'{_statement(space, d, j)['statement']}' (priority {j + 1})" for j in js]
    return join_names(texts)


@dataclass(frozen=True)
class _Witness:
    sanctions: list[Moves]
    low: np.ndarray | None  # per state: the least a sanction can bring k down to
    value: np.ndarray


class _Explainer:
    """Finds the moves, improvements and sanction witnesses for one state."""

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

    def witness(self, k: int) -> _Witness:
        moves = self.sanction_moves(k)
        value = self.value(k)
        low = reachable_min(moves, value) if self.concept in ("gmr", "smr", "seq") else None
        return _Witness(moves, low, value)

    def sanction(self, k: int, t: int, w: _Witness) -> tuple[dict[str, Any] | None, str]:
        """The sanction deterring ``k``'s improvement to ``t`` (None if none), and the reason in words."""
        sp, s, c = self.space, self.s, self.concept
        p = sp.payoffs[k]
        me = self.name(k)
        if c == "nash":
            return (
                None,
                f"{me} prefers state {t + 1} to state {s + 1}: a Nash-stable state has no improvement.",
            )
        if c == "sim":  # the engine's joint definition: one or several opponents reply at once
            found = sim_reply(sp, k, s, t, self.ui)
            if found is None:
                return None, (
                    f"{me} prefers state {t + 1}, and no simultaneous improvements of its opponents, alone "
                    f"or together, turn the move into a state {me} does not prefer to state {s + 1}."
                )
            replies, end = found
            steps = [describe_step(sp, s, u, 1 << j) for j, u in replies]
            parts = [f"{self.name(j)} to state {u + 1}" for j, u in replies]
            moves = join_names([parts[0].replace(" to state", " moves to state", 1), *parts[1:]])
            each = "an improvement for it" if len(replies) == 1 else "each an improvement for its mover"
            return {
                "kind": "simultaneous",
                "path": [end + 1],
                "movers": [sp.dm_names[j] for j, _ in replies],
                "steps": [st.to_dict() for st in steps],
                "ends": end + 1,
                "text": "; ".join(st.text for st in steps),
            }, (
                f"If {me} moves to state {t + 1} while {moves} at the same time ({each}), "
                f"the result is state {end + 1}, which {me} does not prefer to state {s + 1}."
            )
        assert w.low is not None
        if w.low[t] > p[s]:
            them = join_names([self.name(j) for j in self.others(k)])
            what = {
                "gmr": f"no sequence of moves by {them}",
                "smr": f"no sequence of moves by {them} that {me} cannot escape",
                "seq": f"no sequence of improvements by {them} (each an improvement for whoever makes it)",
            }[c]
            return None, (
                f"{me} prefers state {t + 1}, and {what} leads to a state {me} does not prefer "
                f"to state {s + 1}."
            )
        path = legal_sequence(self.others(k), w.sanctions, t, w.value <= p[s])
        assert path is not None, "the engine found a sanction that the search does not"
        end = path[-1][2]
        steps = [describe_step(sp, a, b, 1 << d) for d, a, b in path]
        reply = "; then ".join(x.text for x in steps)
        tail = f"state {end + 1}, which {me} does not prefer to state {s + 1}"
        gained, lost = statement_changes(sp, k, s, end)
        if lost:
            tail += f" (there it loses {_listed(sp, k, lost[:1])})"
        if c == "smr":
            tail += f", and from which {me} cannot move to a state it prefers to state {s + 1}"
        return {
            "kind": {"gmr": "moves", "smr": "moves", "seq": "improvements"}[c],
            "path": [t + 1] + [b + 1 for _, _, b in path],
            "movers": [sp.dm_names[d] for d, _, _ in path],
            "steps": [x.to_dict() for x in steps],
            "ends": end + 1,
            "lost": [_statement(sp, k, j)["statement"] for j in lost],
            "gained": [_statement(sp, k, j)["statement"] for j in gained],
            "text": reply,
        }, f"If {me} moves to state {t + 1}, the reply is: {reply}. That ends in {tail}."

    def move(self, k: int, t: int, w: _Witness | None) -> dict[str, Any]:
        sp, s = self.space, self.s
        p = sp.payoffs[k]
        step = describe_step(sp, s, t, 1 << k)
        improves = bool(p[t] > p[s])
        gained, lost = statement_changes(sp, k, s, t)
        me = self.name(k)
        out: dict[str, Any] = {
            "to": t + 1,
            "pattern": sp.pattern(t),
            "improves": improves,
            "preference": "better" if improves else ("same" if p[t] == p[s] else "worse"),
            "gained": [_statement(sp, k, j)["statement"] for j in gained],
            "lost": [_statement(sp, k, j)["statement"] for j in lost],
            "statements": [
                {**_statement(sp, k, j), "change": "gained" if j in gained else "lost"}
                for j in sorted(gained + lost)
            ],
            "text": step.text,
        }
        if statement_truth(sp, k) is None:
            out["ranks"] = {"from": _rank(sp, k, s), "to": _rank(sp, k, t)}
            why = (
                f"state {t + 1} is {ordinal(out['ranks']['to'])} in {possessive(me)} ranking, "
                f"state {s + 1} {ordinal(out['ranks']['from'])}"
            )
        elif gained or lost:
            decisive = min(gained + lost)
            out["decisive"] = _statement(sp, k, decisive)["statement"]
            parts = []
            if gained:
                parts.append("gains " + _listed(sp, k, gained))
            if lost:
                parts.append("loses " + _listed(sp, k, lost))
            why = f"{me} " + " and ".join(parts)
            if len(gained) + len(lost) > 1:
                verdict = "gained" if decisive in gained else "lost"
                why += f"; the most important of these, '{out['decisive']}', is {verdict}"
        else:
            why = f"none of {possessive(me)} statements changes"
        word = "an improvement" if improves else ("equally preferred" if p[t] == p[s] else "worse for it")
        out["reason"] = f"{step.text} — {word}: {why}."
        out["sanction"] = None
        out["deterred"] = False
        if improves and w is not None and self.concept != "nash":  # Nash asks for no sanction
            sanction, reason = self.sanction(k, t, w)
            out["sanction"] = sanction
            out["deterred"] = sanction is not None
            out["deterrence"] = reason
        return out

    def dm(self, k: int, stable: dict[str, np.ndarray]) -> dict[str, Any]:
        sp, s, c = self.space, self.s, self.concept
        targets = sp.moves[k].of(s).tolist()
        p = sp.payoffs[k]
        any_ui = any(p[t] > p[s] for t in targets)
        w = self.witness(k) if any_ui else None
        moves = [self.move(k, t, w) for t in targets]
        is_stable = bool(stable[c][k, s])
        me = self.name(k)
        imps = [m for m in moves if m["improves"]]
        if not imps:
            reason = (
                f"{me} cannot move from state {s + 1}."
                if not moves
                else f"None of {possessive(me)} moves from state {s + 1} leads to a state it prefers."
            )
        elif is_stable:
            reason = f"Every improvement of {me} from state {s + 1} is deterred ({CONCEPT_LABELS[c]})."
        else:
            free = next(m for m in imps if not m["deterred"])
            reason = f"{me} can move to state {free['to']}, which it prefers" + (
                "" if c == "nash" else f", and nothing deters it ({CONCEPT_LABELS[c]})"
            )
            if free.get("decisive"):
                reason += f": it gains '{free['decisive']}'"
            reason += "."
        return {
            "name": sp.dm_names[k],
            "label": me,
            "stable": is_stable,
            "stable_under": {cc: bool(stable[cc][k, s]) for cc in stable},
            "payoff": int(p[s]),
            "rank": _rank(sp, k, s),
            "preferences": "prioritization" if statement_truth(sp, k) is not None else "ranking",
            "reason": reason,
            "moves": moves,
        }


@dataclass(frozen=True, eq=False)
class Explanation(Result):
    """Why one state is stable or not, for each decision maker, under one concept."""

    space: StateSpace
    state: int  # index
    concept: str
    equilibrium: dict[str, bool]  # per concept
    decision_makers: tuple[dict[str, Any], ...]

    @property
    def is_equilibrium(self) -> bool:
        return self.equilibrium[self.concept]

    def dm(self, name: str) -> dict[str, Any]:
        for d in self.decision_makers:
            if d["name"] == name:
                return d
        raise KeyError(name)

    def summary(self) -> str:
        """One or two sentences: equilibrium or not, and who leaves, gaining what."""
        s = self.state
        label = CONCEPT_LABELS[self.concept]
        leaving = [d for d in self.decision_makers if not d["stable"]]
        if not leaving:
            return (
                f"State {s + 1} is a {label} equilibrium: no decision maker has an improvement "
                "it is free to make."
            )
        parts = []
        for d in leaving:
            free = next(m for m in d["moves"] if m["improves"] and not m["deterred"])
            why = f", gaining '{free['decisive']}'" if free.get("decisive") else ""
            parts.append(f"{d['label']} moves to state {free['to']}{why}")
        return f"State {s + 1} is not a {label} equilibrium: " + "; ".join(parts) + "."

    def to_dict(self) -> dict[str, Any]:
        sp, s = self.space, self.state
        return {
            "state": s + 1,
            "pattern": sp.pattern(s),
            "description": sp.describe(s),
            "concept": self.concept,
            "equilibrium": self.is_equilibrium,
            "equilibrium_under": dict(self.equilibrium),
            "status_quo": s == sp.status_quo,
            "scenarios": sp.scenario_labels(s),
            "summary": self.summary(),
            "decision_makers": {
                d["name"]: {k: v for k, v in d.items() if k != "name"} for d in self.decision_makers
            },
            "meta": meta(
                sp,
                "explain",
                "Fang, Hipel & Kilgour 1993 (witnesses of the engine's verdicts)",
                {"state": s + 1, "concept": self.concept},
            ),
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per move: decision maker, target, improves, gained, lost, sanction."""
        import pandas as pd

        rows = []
        for d in self.decision_makers:
            for m in d["moves"]:
                sanc = m["sanction"]
                rows.append(
                    {
                        "decision_maker": d["name"],
                        "stable": d["stable"],
                        "to": m["to"],
                        "improves": m["improves"],
                        "gained": "; ".join(m["gained"]),
                        "lost": "; ".join(m["lost"]),
                        "sanction": " → ".join(map(str, sanc["path"])) if sanc else "",
                        "movers": ", ".join(sanc["movers"]) if sanc else "",
                    }
                )
        return pd.DataFrame(rows)


def free_improvements(space: StateSpace, d: int, s: int, concept: str) -> list[dict[str, Any]]:
    """The improvements of decision maker ``d`` from state index ``s`` that
    nothing deters under ``concept`` (the moves of :func:`explain`, with the
    statements they gain and lose); empty when ``s`` is stable for ``d``."""
    ex = _Explainer(space, s, concept)
    p = space.payoffs[d]
    targets = [t for t in space.moves[d].of(s).tolist() if p[t] > p[s]]
    if not targets:
        return []
    w = ex.witness(d)
    return [m for m in (ex.move(d, t, w) for t in targets) if not m["deterred"]]


def explain(
    model: StateSpace | Conflict | str | Path,
    state: int | str,
    concept: str = "nash",
    *,
    stable: dict[str, np.ndarray] | None = None,
) -> Explanation:
    """Why ``state`` (a number or a Y/N pattern) is stable or not under ``concept``, per decision
    maker.  ``model`` is a compiled :class:`StateSpace`, a :class:`Conflict`, or a case file path /
    bundled case name; ``stable``: the engine's verdicts for every concept, if already computed
    (:func:`~backchannel.gmcr.engine.stability_matrix` of the same space).

    >>> e = explain("prisoners-dilemma", 4, "gmr")
    >>> e.is_equilibrium, e.decision_makers[0]["moves"][0]["deterred"]
    (True, True)
    """
    if concept not in CONCEPTS:
        raise BackchannelError(f"unknown concept {concept!r}: choose from {', '.join(CONCEPTS)}")
    from .analysis import as_space

    space = as_space(model)
    s = resolve_state(space, state)
    if stable is None or any(c not in stable for c in CONCEPTS):
        stable = stability_matrix(space, CONCEPTS)
    ex = _Explainer(space, s, concept)
    dms = tuple(ex.dm(k, stable) for k in range(space.n_dms))
    return Explanation(
        space=space,
        state=s,
        concept=concept,
        equilibrium={c: bool(stable[c][:, s].all()) for c in CONCEPTS},
        decision_makers=dms,
    )
