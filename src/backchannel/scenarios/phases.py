"""Scenarios over perceptions and disclosure timing: the phase dynamics, sample by sample.

A case with a ``timeline`` (or with perceptions) is sampled like any other,
with two more kinds of uncertain input (:func:`phase_inputs`):

- ``awareness``: an option listed in ``unaware_of`` or ``unsure_of`` with an
  ``aware_probability``: in that share of samples the decision maker knows
  of it fully in that phase;
- the *timing* of a phase that ends by a ``leak`` (probability ``q`` per
  move): the number of moves before the leak, geometric with parameter ``q``
  (a numeric input, so the sensitivity analysis compares early and late
  disclosures: "if Kyiv had known earlier").

For each sample the phases run as in :func:`backchannel.gmcr.dynamics.phase_dynamics`,
sample by sample in compiled kernels (:mod:`.walk`): the outcomes are the
states at rest in the last phase (and where a phase that ends on an event comes to rest before it), and
the batch records, per phase, how often it ended and how often each decision
maker learned at its end of an option that was taken.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..case.model import Conflict, Phase
from ..case.uncertainty import UncertainInput
from ..gmcr.dynamics import CompiledPhase, compile_phases, rest_states
from ..gmcr.kernels import improving_reach_kernel
from ..gmcr.statespace import StateSpace
from .walk import rest_kernel, steps_kernel

__all__ = [
    "PhaseRun",
    "compare_full_information",
    "has_phases",
    "phase_inputs",
    "phases_summary",
    "run_phases",
]

#: A leak after more moves than this is taken to come after this many.
MAX_MOVES = 64


def has_phases(conflict: Conflict) -> bool:
    """Whether the scenarios of ``conflict`` run the phase dynamics (a timeline or perceptions)."""
    return bool(conflict.timeline or conflict.perceptions)


def phase_inputs(conflict: Conflict) -> list[UncertainInput]:
    """The uncertain awareness and disclosure timing of ``conflict``'s phases."""
    out: list[UncertainInput] = []
    if not has_phases(conflict):
        return out
    label = {o.name: o.text for _, o in conflict.options}
    dm_text = {d.name: d.text for d in conflict.decision_makers}
    for i, ph in enumerate(conflict.phases()):
        base: tuple[str | int, ...] = ("timeline", i) if conflict.timeline else ()
        where = f" ({ph.text})" if conflict.timeline else ""
        for dm, per in ph.perceptions.items():
            for opt, p in per.aware_probability.items():
                out.append(
                    UncertainInput(
                        key=f"timeline.{ph.name}.{dm}.aware.{opt}",
                        label=f"{dm_text.get(dm, dm)} knows of {label.get(opt, opt)}{where}",
                        kind="awareness",
                        loc=(*base, "perceptions", dm, "aware_probability", opt),
                        target=("awareness", i, dm, opt),
                        value=p,
                    )
                )
        if ph.ends is not None and ph.ends.leak is not None:
            q = ph.ends.leak
            out.append(
                UncertainInput(
                    key=f"timeline.{ph.name}.ends.leak",
                    label=f"moves before {ph.text} ends",
                    kind="numeric",
                    loc=(*base, "ends", "leak"),
                    target=("phase_end", i),
                    value=(1 - q) / q,
                    distribution="geometric",
                    params=(q,),
                    bounds=(0.0, float(MAX_MOVES)),
                )
            )
    return out


@dataclass(eq=False)
class PhaseRun:
    """The compiled phases of a prepared case, one list per combination of sampled awareness."""

    space: StateSpace
    phases: list[Phase]
    awareness: list[tuple[int, int, str, str]]  # (input column, phase, DM, option)
    timing: dict[int, int]  # phase → input column
    edges: tuple[np.ndarray, np.ndarray, np.ndarray]  # every move: source, target, mover (by source)
    compiled: dict[tuple[int, ...], list[CompiledPhase]]
    index: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def edge_index(self, cp: CompiledPhase) -> tuple[np.ndarray, np.ndarray]:
        """Per move, where its mover's payoff of the target and of the source, as the mover
        sees them, sit in a flattened (DMs × states) payoff row."""
        got = self.index.get(id(cp))
        if got is None:
            src, tgt, mov = self.edges
            n = self.space.n_states
            got = (
                np.ascontiguousarray(mov * n + cp.view[mov, tgt], dtype=np.int64),
                np.ascontiguousarray(mov * n + cp.view[mov, src], dtype=np.int64),
            )
            self.index[id(cp)] = got
        return got

    @property
    def by_source(self) -> tuple[np.ndarray, np.ndarray]:
        """The CSR pointer of the moves by source state, and their targets."""
        ptr, _, tgt, _ = self.space.by_source
        return ptr, tgt

    def for_flags(self, flags: tuple[int, ...]) -> list[CompiledPhase]:
        if flags not in self.compiled:
            phases = list(self.phases)
            for (_, i, dm, opt), aware in zip(self.awareness, flags, strict=True):
                if not aware:
                    continue
                per = phases[i].perceptions[dm]
                per = per.model_copy(
                    update={
                        "unaware_of": [o for o in per.unaware_of if o != opt],
                        "unsure_of": [o for o in per.unsure_of if o != opt],
                        "aware_probability": {},
                    }
                )
                phases[i] = phases[i].model_copy(update={"perceptions": {**phases[i].perceptions, dm: per}})
            self.compiled[flags] = compile_phases(self.space, phases)
        return self.compiled[flags]


_RUNS: weakref.WeakKeyDictionary[Any, PhaseRun] = weakref.WeakKeyDictionary()


def _phase_run(prep: Any) -> PhaseRun:
    run = _RUNS.get(prep)
    if run is None:
        space = prep.space
        conflict = space.conflict
        awareness: list[tuple[int, int, str, str]] = []
        timing: dict[int, int] = {}
        for j, inp in enumerate(prep.inputs):
            if inp.target[0] == "awareness":
                _, i, dm, opt = inp.target
                awareness.append((j, int(i), str(dm), str(opt)))
            elif inp.target[0] == "phase_end":
                timing[int(inp.target[1])] = j
        run = PhaseRun(space, conflict.phases(), awareness, timing, space.by_source[1:], {})
        run.for_flags(tuple(0 for _ in awareness))  # checks the phases once, up front
        _RUNS[prep] = run
    return run


class _Walk:
    """The perceived improvements of one phase for a group of samples, read by the compiled
    kernels of :mod:`.walk` only for the moves out of states a walk stands on."""

    def __init__(self, run: PhaseRun, cp: CompiledPhase, payoffs: np.ndarray, concept: str) -> None:
        self.ptr, self.tgt = run.by_source
        self.idx_t, self.idx_s = run.edge_index(cp)
        b, n_dm, n = payoffs.shape
        self.flat = np.ascontiguousarray(payoffs.reshape(b, n_dm * n))
        self.rest_all = np.zeros((1, 1), dtype=bool)
        self.use_all = concept != "nash"
        if self.use_all:  # stability in each own game: computed for every state at once
            none = np.zeros(0, dtype=np.int64)  # the moves are not read for these concepts
            self.rest_all = rest_states(cp, payoffs, concept, np.zeros((b, 0), dtype=bool), none)

    def rest(self, among: np.ndarray) -> np.ndarray:
        """Per sample, which of the states in ``among`` (samples × states) are at rest."""
        out = np.empty(among.shape, dtype=bool)
        among = np.ascontiguousarray(among)
        rest_kernel(self.flat, self.idx_t, self.idx_s, self.ptr, among, self.rest_all, self.use_all, out)
        return out

    def reach(self, start: np.ndarray, stop: np.ndarray | None = None) -> np.ndarray:
        """Per sample, the number of perceived improvements from the ``start`` states to each
        state (−1: unreachable), not moving on from the ``stop`` states (a mask of states)."""
        dist = np.empty(start.shape, dtype=np.int32)
        use_stop = stop is not None
        halt = np.ascontiguousarray(stop if stop is not None else np.zeros(0, dtype=bool))
        start = np.ascontiguousarray(start)
        improving_reach_kernel(
            self.flat, self.idx_t, self.idx_s, self.ptr, self.tgt, start, halt, use_stop, dist
        )
        return dist

    def steps(self, start: np.ndarray, moves: np.ndarray) -> np.ndarray:
        """Per sample, the states where the walk can stand after ``moves[sample]`` moves."""
        out = np.empty(start.shape, dtype=bool)
        start = np.ascontiguousarray(start)
        m = np.ascontiguousarray(moves, dtype=np.int64)
        steps_kernel(
            self.flat, self.idx_t, self.idx_s, self.ptr, self.tgt, start, m, self.rest_all, self.use_all, out
        )
        return out


def run_phases(
    prep: Any, payoffs: np.ndarray, values: np.ndarray, concept: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per sample: (states at rest in the last phase, outcome states, their distance in the
    last phase, phase statistics (phases × (ended, stayed, per DM surprised)) summed over samples)."""
    run = _phase_run(prep)
    space = run.space
    b, n_dm, n = payoffs.shape
    n_ph = len(run.phases)
    cols = [a[0] for a in run.awareness]
    flags = values[:, cols].astype(np.int64) if cols else np.zeros((b, 0), dtype=np.int64)
    groups: dict[tuple[int, ...], np.ndarray] = {}
    keys, inv = np.unique(flags, axis=0, return_inverse=True)
    for g, key in enumerate(keys):
        groups[tuple(int(x) for x in key)] = np.flatnonzero(inv.ravel() == g)
    start = np.zeros((b, n), dtype=bool)
    assert space.status_quo is not None
    start[:, space.status_quo] = True
    outcome = np.zeros((b, n), dtype=bool)
    eq = np.zeros((b, n), dtype=bool)
    dist = np.full((b, n), -1, dtype=np.int32)
    stats = np.zeros((n_ph, 2 + n_dm))
    for i in range(n_ph):
        end = np.zeros((b, n), dtype=bool)
        for key, rows in sorted(groups.items()):
            cps = run.for_flags(key)
            cp = cps[i]
            walk = _Walk(run, cp, payoffs[rows], concept)
            st = start[rows]
            kind = cp.end_kind
            if kind is None:
                d = walk.reach(st)
                eq[rows] = walk.rest(np.ones(st.shape, dtype=bool))
                outcome[rows] |= walk.rest(d >= 0)
                dist[rows] = d
                continue
            if kind == "when":
                assert cp.end_mask is not None
                reached = walk.reach(st, cp.end_mask) >= 0
                e = reached & cp.end_mask
                stay = walk.rest(reached & ~cp.end_mask)
                outcome[rows] |= stay
                stats[i, 1] += float((stay.any(axis=1) & ~e.any(axis=1)).sum())
            else:
                if kind == "moves":
                    assert cp.phase.ends is not None and cp.phase.ends.moves is not None
                    m = np.full(rows.size, cp.phase.ends.moves, dtype=np.int64)
                else:
                    m = np.minimum(values[rows, run.timing[i]], MAX_MOVES).astype(np.int64)
                e = walk.steps(st, m)
            end[rows] = e
            stats[i, 0] += float(e.any(axis=1).sum())
            share = np.maximum(e.sum(axis=1), 1)
            for k in range(n_dm):
                learned = cp.hidden[k] & ~cps[i + 1].hidden[k]
                if not learned:
                    continue
                hit = (space.codes & np.uint64(learned)) != 0
                stats[i, 2 + k] += float(((e & hit).sum(axis=1) / share).sum())
        start = end
    dist = np.where(outcome & (dist < 0), 0, dist)  # resting before an event that never came: 0 moves on
    return eq, outcome, dist, stats


def compare_full_information(
    space: StateSpace, payoffs: np.ndarray, concept: str, outcome: np.ndarray, stats: np.ndarray
) -> np.ndarray:
    """``stats`` with one more row: in how many samples the phased outcomes differ from the
    equilibria reachable with full information (the status-quo evolution of the true game)."""
    from ..gmcr.batch import batch_distance, batch_stability, reachable_nash

    assert space.status_quo is not None
    if concept == "nash":
        full = reachable_nash(space, payoffs, space.status_quo)
    else:
        eq = np.asarray(batch_stability(space, payoffs, [concept])[concept].all(axis=1))
        full = eq & (batch_distance(space, payoffs, space.status_quo) >= 0)
    row = np.zeros((1, stats.shape[1]))
    row[0, 0] = float((full != outcome).any(axis=1).sum())
    return np.vstack([stats, row])


def phases_summary(prep: Any, outputs: list[Any], samples: int) -> dict[str, Any]:
    """``{"phases": [...]}`` for a run's result when the case has phases (else ``{}``):
    how often each phase ended, and who was surprised at its end."""
    if prep.space is None or not has_phases(prep.conflict):
        return {}
    stats = np.sum([o.phases for o in outputs], axis=0)
    return {
        "phases": _summarise(prep, stats[:-1], samples),
        "p_differs_from_full_information": round(float(stats[-1, 0]) / max(samples, 1), 6),
    }


def _summarise(prep: Any, stats: np.ndarray, samples: int) -> list[dict[str, Any]]:
    conflict = prep.space.conflict
    out = []
    phases = conflict.phases()
    for i, ph in enumerate(phases):
        row: dict[str, Any] = {
            "name": ph.name,
            "label": ph.text,
            "ends": None if ph.ends is None else ph.ends.kind,
        }
        if ph.ends is not None and i < stats.shape[0]:
            row["p_ended"] = round(float(stats[i, 0]) / max(samples, 1), 6)
            row["p_rested_before_the_event"] = round(float(stats[i, 1]) / max(samples, 1), 6)
            row["p_surprised"] = {
                dm: round(float(stats[i, 2 + k]) / max(samples, 1), 6)
                for k, dm in enumerate(prep.space.dm_names)
                if stats[i, 2 + k] > 0
            }
        out.append(row)
    return out
