"""Why each named future is likely, rare or never: scenario diagnostics.

For each named future (the states its predicate takes, in the case's order,
as the classification does):

- ``impossible``: no state of it is an equilibrium under the concept, in any
  combination of the uncertain preferences (any sample);
- ``unreachable``: some are, but none is reached from the status quo by
  unilateral improvements;
- ``possible``: it has a positive probability.

An impossible future names its ``blockers``: the decision makers who leave
its states — first those who leave every one of them in every combination —
with the move each makes and the statements it gains (with the preferences as
written).  Samples in which no equilibrium is reachable are *cycles*: the
conflict keeps moving through the states of a closed set (a terminal strongly
connected component of the improvement graph); they are reported with those
states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..gmcr.batch import batch_distance, batch_stability
from ..gmcr.explain import free_improvements
from ..gmcr.statespace import StateSpace
from ..words import CONCEPT_LABELS, join_names, state_list
from .montecarlo import Prepared, _payoffs, outcomes

__all__ = ["MAX_PROFILES", "Profiles", "cycles", "diagnose", "future_masks", "profiles"]

_PREFERENCE = ("statement", "alternative", "pair")
_MAX_BLOCKERS = 12
#: Distinct preference combinations of a Monte Carlo run analysed at most for blockers and cycles
#: (the kinds come from every sample).
MAX_PROFILES = 2_000


@dataclass(frozen=True, eq=False)
class Profiles:
    """The distinct preference combinations met (or enumerated), with their weights."""

    values: np.ndarray  # (profiles, inputs)
    weight: np.ndarray  # (profiles,), sums to 1
    payoffs: np.ndarray  # (profiles, decision makers, states)
    stable: np.ndarray  # (profiles, decision makers, states) under the concept
    eq: np.ndarray  # (profiles, states)
    outcome: np.ndarray  # (profiles, states)
    counts: np.ndarray  # (profiles,) reachable equilibria counted; 0: a cycle
    complete: bool = True  # False: only the most frequent combinations were analysed


def profiles(prep: Prepared, values: np.ndarray, weight: np.ndarray | None = None) -> Profiles:
    """The distinct preference combinations among ``values`` (samples × inputs),
    weighted by how often they occur (or by ``weight``)."""
    assert prep.space is not None
    cols = [j for j, i in enumerate(prep.inputs) if i.kind in _PREFERENCE]
    complete = True
    if weight is None:
        keys = values[:, cols] if cols else np.zeros((values.shape[0], 0))
        _, first, inv = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        counts = np.bincount(inv.ravel(), minlength=first.size).astype(float)
        values, weight = values[first], counts / counts.sum()
        if weight.size > MAX_PROFILES:  # the most frequent (ties: first met), as many as the budget
            keep = np.sort(np.lexsort((first, -weight))[:MAX_PROFILES])
            values, weight, complete = values[keep], weight[keep], False
    pay = _payoffs(prep, values)
    concept = prep.settings["concept"]
    stable = np.asarray(batch_stability(prep.space, pay, [concept])[concept])
    eq, out, n = outcomes(prep, pay, np.asarray(stable.all(axis=1)))
    return Profiles(values, np.asarray(weight, dtype=float), pay, stable, eq, out, n, complete)


def future_masks(prep: Prepared) -> list[np.ndarray | None]:
    """Per future, the states it takes (after the futures before it); None
    when its predicate reads the issue forecasts."""
    space = prep.space
    assert space is not None
    taken = np.zeros(space.n_states, dtype=bool)
    out: list[np.ndarray | None] = []
    for cond in prep.conditions:
        if cond.quantities():
            out.append(None)
            continue
        holds = np.asarray(cond.evaluate(space.codes), dtype=bool) & ~taken
        out.append(holds)
        taken |= holds
    return out


def cycles(prep: Prepared, prof: Profiles) -> list[dict[str, Any]]:
    """The closed sets of states the conflict keeps moving through when no
    equilibrium is reachable, with their probability, heaviest first."""
    space = prep.space
    assert space is not None and space.status_quo is not None
    found: dict[tuple[int, ...], float] = {}
    stuck = np.flatnonzero(prof.counts == 0)
    if stuck.size == 0:
        return []
    # imported here: most runs have no cycle, and SciPy's graphs take 0.1 s to load
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    dist = batch_distance(space, prof.payoffs[stuck], space.status_quo)
    for row, i in enumerate(stuck):
        p = prof.payoffs[i]
        src, tgt = [], []
        for d in range(space.n_dms):
            mv = space.moves[d]
            ok = p[d, mv.targets] > p[d, mv.sources]
            src.append(mv.sources[ok])
            tgt.append(mv.targets[ok])
        s_all, t_all = np.concatenate(src), np.concatenate(tgt)
        inside = (dist[row, s_all] >= 0) & (dist[row, t_all] >= 0)
        s_all, t_all = s_all[inside], t_all[inside]
        n = space.n_states
        g = csr_matrix((np.ones(s_all.size), (s_all, t_all)), shape=(n, n))
        _, comp = connected_components(g, directed=True, connection="strong")
        leaves = np.zeros(comp.max() + 1, dtype=bool)
        leaves[comp[s_all][comp[s_all] != comp[t_all]]] = True
        reach = np.flatnonzero(dist[row] >= 0)
        closed = []
        for c in sorted(set(comp[reach].tolist())):
            members = tuple(int(x) + 1 for x in reach[comp[reach] == c])
            if not leaves[c] and len(members) > 1:
                closed.append(members)
        for members in closed:  # the conflict ends in one of them: equal shares, as the rule split
            found[members] = found.get(members, 0.0) + float(prof.weight[i]) / len(closed)
    masks = future_masks(prep)
    rows = []
    for states, w in sorted(found.items(), key=lambda kv: (-kv[1], kv[0])):
        futures = [
            name
            for name, m in zip(prep.scenario_names, masks, strict=True)
            if m is not None and m[[s - 1 for s in states]].any()
        ]
        rows.append({"states": list(states), "p": round(w, 9), "futures": futures})
    return rows


def _label(prep: Prepared, name: str) -> str:
    return prep.conflict.scenarios[name].label or name.replace("_", " ")


def _blockers(space: StateSpace, prep: Prepared, prof: Profiles, mask: np.ndarray) -> list[dict[str, Any]]:
    """Who leaves the future's states, and why (with the preferences as written)."""
    concept = prep.settings["concept"]
    states = np.flatnonzero(mask)
    leaves = ~prof.stable[:, :, states]  # profiles × dms × states
    always = [d for d in range(space.n_dms) if leaves[:, d, :].all()]
    rows: list[dict[str, Any]] = []
    for pos, s in enumerate(states[:_MAX_BLOCKERS].tolist()):
        movers = always or [d for d in range(space.n_dms) if leaves[:, d, pos].any()][:1]
        for d in movers:
            free = free_improvements(space, d, s, concept)
            if not free:
                continue
            m = free[0]
            rows.append(
                {
                    "decision_maker": space.dm_names[d],
                    "label": space.conflict.decision_makers[d].text,
                    "state": s + 1,
                    "to": m["to"],
                    "gained": m["gained"],
                    "lost": m["lost"],
                    "always": d in always,
                    "text": m["reason"],
                }
            )
    return rows


def diagnose(
    prep: Prepared,
    prof: Profiles,
    p: np.ndarray,
    exact: bool,
    eq: np.ndarray | None = None,
    outcome: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """Per named future: its kind (impossible / unreachable / possible), the
    reason in words, and its blockers.  ``eq`` and ``outcome`` (per state: the
    probability of being an equilibrium, the outcome) decide the kind; by
    default they come from the profiles, which in any case give the blockers."""
    if eq is None or outcome is None:
        eq, outcome = prof.weight @ prof.eq, prof.weight @ prof.outcome
    space = prep.space
    assert space is not None
    concept = CONCEPT_LABELS[prep.settings["concept"]]
    where = "in any combination of the uncertain preferences" if exact else "in any sample"
    partial = (
        ""
        if prof.complete
        else (f" (the blockers are those of the {prof.weight.size:,} most frequent preference combinations)")
    )
    out = []
    for k, (name, mask) in enumerate(zip(prep.scenario_names, future_masks(prep), strict=True)):
        label = _label(prep, name)
        row: dict[str, Any] = {"future": name, "label": label, "p": round(float(p[k]), 9), "blockers": []}
        if mask is None:
            row["kind"] = "possible" if p[k] > 0 else "impossible"
            row["reason"] = (
                f"{label} reads the issue forecasts; it is the outcome with probability {p[k]:.3g}."
            )
            out.append(row)
            continue
        states = np.flatnonzero(mask)
        row["states"] = [int(s) + 1 for s in states]
        if states.size == 0:
            row["kind"] = "impossible"
            row["reason"] = (
                f"No feasible state is {label} (or every one is taken by a future listed before it)."
            )
            out.append(row)
            continue
        eq_w = eq[states]  # per state: probability it is an equilibrium
        out_w = outcome[states]
        if not eq_w.any():
            row["kind"] = "impossible"
            blockers = _blockers(space, prep, prof, mask)
            row["blockers"] = blockers
            always = [b for b in blockers if b["always"]]
            if always:
                whose: dict[str, dict[str, Any]] = {}
                for b in always:
                    whose.setdefault(b["label"], b)
                eg = []
                for lab, b in whose.items():
                    gains = f", gaining '{b['gained'][0]}'" if b["gained"] else ""
                    eg.append(f"{lab} from state {b['state']} to state {b['to']}{gains}")
                verb = "leaves" if len(whose) == 1 else "each leave"
                row["reason"] = (
                    f"No state of {label} is a {concept} equilibrium {where}: {join_names(list(whose))} "
                    f"{verb} every one of them (e.g. {'; '.join(eg)}){partial}."
                )
            else:
                parts = []
                for b in blockers[:3]:
                    gains = f", gaining '{b['gained'][0]}'" if b["gained"] else ""
                    parts.append(f"{b['label']} leaves state {b['state']} for state {b['to']}{gains}")
                row["reason"] = (
                    f"No state of {label} is a {concept} equilibrium {where}; no single decision maker "
                    f"leaves them all, but in each someone has a free improvement: {'; '.join(parts)}."
                )
        elif not out_w.any():
            row["kind"] = "unreachable"
            eqs = [int(s) + 1 for s in states[eq_w > 0]]
            row["equilibria"] = eqs
            if len(eqs) == 1:
                what = f"State {eqs[0]} of {label} is a {concept} equilibrium"
            elif len(eqs) <= 6:
                what = f"States {state_list(eqs)} of {label} are {concept} equilibria"
            else:
                shown = ", ".join(map(str, eqs[:6]))
                what = f"{len(eqs)} states of {label} ({shown}, …) are {concept} equilibria"
            them = "them" if len(eqs) > 1 else "it"
            row["reason"] = (
                f"{what} with probability up to {float(eq_w.max()):.3g}, but the conflict never reaches "
                f"{them} from the status quo by unilateral improvements."
            )
        else:
            row["kind"] = "possible"
            top = int(states[int(np.argmax(out_w))])
            share = float(out_w.max())
            row["main_state"] = top + 1
            row["reason"] = (
                f"{label} has probability {p[k]:.3g}: most often as state {top + 1} "
                f"({space.describe(top)}), a {concept} equilibrium reached from the status quo "
                f"(probability {share:.3g})."
            )
        out.append(row)
    return out
