"""The implementations the compiled kernels replaced (issue 11), kept as references:
the tests check the kernels against them on random conflicts and samples.

Copied unchanged from the code before the kernels (commit 39173a8) but for their names
(``ref_*``); not part of the library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from backchannel.gmcr.batch import dense_rank
from backchannel.gmcr.dynamics import CompiledPhase, rest_states
from backchannel.gmcr.engine import CONCEPTS, reachable_min_batch, reduce_rows, stability_matrix
from backchannel.gmcr.explain import statement_truth
from backchannel.gmcr.statespace import Moves, StateSpace
from backchannel.scenarios.montecarlo import Prepared
from backchannel.scenarios.phases import MAX_MOVES, PhaseRun, _phase_run
from backchannel.scenarios.whatif import Change

_INF = np.iinfo(np.int32).max
_NEG = np.iinfo(np.int32).min


def _improving(space: StateSpace, payoffs: np.ndarray, d: int) -> np.ndarray:
    m = space.moves[d]
    p = payoffs[:, d, :]
    return p[:, m.targets] > p[:, m.sources]


def _edges_by_source(run: PhaseRun) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    src, tgt, _ = run.edges
    ptr = np.zeros(run.space.n_states + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=run.space.n_states), out=ptr[1:])
    return src, tgt, ptr


def ref_batch_stability(
    space: StateSpace, payoffs: np.ndarray, concepts: Sequence[str] = ("nash",), *, sim_mode: str = "joint"
) -> dict[str, np.ndarray]:
    """Stability of every state for every decision maker, per sample.

    ``payoffs`` has shape (samples, decision makers, states), higher is better.
    Returns ``{concept: bool array (samples, decision makers, states)}``,
    equal to :func:`backchannel.gmcr.engine.stability_matrix` on each sample
    (``sim_mode`` as there).
    """
    unknown = [c for c in concepts if c not in CONCEPTS]
    if unknown:
        raise ValueError(f"unknown concept(s) {unknown}; choose from {', '.join(CONCEPTS)}")
    payoffs = np.asarray(payoffs, dtype=np.int32)
    b, n_dm, n = payoffs.shape
    out = {c: np.ones((b, n_dm, n), dtype=bool) for c in concepts}
    ui = [_improving(space, payoffs, d) for d in range(n_dm)]
    for k in range(n_dm):
        p = payoffs[:, k, :]
        mk = space.moves[k]
        others = [j for j in range(n_dm) if j != k]

        # the best a UI of k reaches, after the opponents' answer: NEG where k has no UI
        def worst(v: np.ndarray, mk: Moves = mk, k: int = k) -> np.ndarray:
            return reduce_rows(np.where(ui[k], v[:, mk.targets], _NEG), mk.indptr, np.maximum, _NEG)

        if "nash" in concepts:
            has_ui = reduce_rows(ui[k].astype(np.int32), mk.indptr, np.maximum, 0) > 0
            out["nash"][:, k] = ~has_ui
        if "gmr" in concepts:
            v = reachable_min_batch([space.moves[j] for j in others], p, None)
            out["gmr"][:, k] = worst(v) <= p
        if "smr" in concepts:
            g = np.maximum(p, reduce_rows(p[:, mk.targets], mk.indptr, np.maximum, _NEG))
            v = reachable_min_batch([space.moves[j] for j in others], g, None)
            out["smr"][:, k] = worst(v) <= p
        if "seq" in concepts:
            v = reachable_min_batch([space.moves[j] for j in others], p, [ui[j] for j in others])
            out["seq"][:, k] = worst(v) <= p
    if "sim" in concepts:
        for s in range(b):
            out["sim"][s] = stability_matrix(replace(space, payoffs=payoffs[s]), ["sim"], sim_mode=sim_mode)[
                "sim"
            ]
    return out


def ref_batch_distance(space: StateSpace, payoffs: np.ndarray, start: int) -> np.ndarray:
    """Per sample, the number of unilateral improvements (by any decision
    maker) needed to reach each state from ``start``; -1 where unreachable.

    The batched form of :func:`backchannel.gmcr.evolution.evolution` without
    coalitions.
    """
    payoffs = np.asarray(payoffs, dtype=np.int32)
    b, n_dm, n = payoffs.shape
    src = np.concatenate([space.moves[d].sources for d in range(n_dm)])
    tgt = np.concatenate([space.moves[d].targets for d in range(n_dm)])
    ok = np.concatenate([_improving(space, payoffs, d) for d in range(n_dm)], axis=1)
    order = np.argsort(tgt, kind="stable")
    src, tgt, ok = src[order], tgt[order], ok[:, order]
    counts = np.bincount(tgt, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    dist = np.full((b, n), -1, dtype=np.int32)
    dist[:, start] = 0
    frontier = np.zeros((b, n), dtype=bool)
    frontier[:, start] = True
    level = 0
    while frontier.any():
        active = frontier[:, src] & ok
        hit = reduce_rows(active.astype(np.int32), indptr, np.maximum, 0) > 0
        new = hit & (dist < 0)
        level += 1
        dist[new] = level
        frontier = new
    return dist


class RefWalk:
    """Perceived improvements of one phase for a group of samples, computed only for the
    moves out of states the walk reaches (most of a large state space is never visited)."""

    def __init__(self, run: PhaseRun, cp: CompiledPhase, payoffs: np.ndarray, concept: str) -> None:
        self.src, self.tgt, self.ptr = _edges_by_source(run)
        self.idx_t, self.idx_s = run.edge_index(cp)
        b, n_dm, n = payoffs.shape
        self.flat = payoffs.reshape(b, n_dm * n)
        self.ok = np.zeros((b, self.src.size), dtype=bool)
        self.have = np.zeros(self.src.size, dtype=bool)
        self.rest_all: np.ndarray | None = None
        if concept != "nash":  # stability in each own game: computed for every state at once
            self.rest_all = rest_states(cp, payoffs, concept, self.ok, self.src)  # ok unused here

    def _ok(self, cols: np.ndarray) -> np.ndarray:
        need = cols[~self.have[cols]]
        if need.size:
            self.ok[:, need] = np.take(self.flat, self.idx_t[need], axis=1) > np.take(
                self.flat, self.idx_s[need], axis=1
            )
            self.have[need] = True
        return self.ok[:, cols]

    def _cols(self, states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.ptr[states], self.ptr[states + 1]
        counts = hi - lo
        starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        return np.arange(int(counts.sum())) + starts, counts

    def successors(self, frontier: np.ndarray, stop: np.ndarray | None = None) -> np.ndarray:
        f = frontier if stop is None else frontier & ~stop
        out = np.zeros(frontier.shape, dtype=bool)
        cols, _ = self._cols(np.flatnonzero(f.any(axis=0)))
        if cols.size:
            bi, ei = np.nonzero(f[:, self.src[cols]] & self._ok(cols))
            out[bi, self.tgt[cols[ei]]] = True
        return out

    def rest(self, among: np.ndarray) -> np.ndarray:
        """Per sample, which of the states in ``among`` (samples × states) are at rest."""
        states = np.flatnonzero(among.any(axis=0))
        cols, counts = self._cols(states)
        moving = np.zeros(among.shape, dtype=bool)
        if cols.size:
            ok = self._ok(cols)
            has = counts > 0
            seg = np.concatenate(([0], np.cumsum(counts)[:-1]))[has]
            moving[:, states[has]] = np.logical_or.reduceat(ok, seg, axis=1)
        at_rest = ~moving if self.rest_all is None else self.rest_all | ~moving
        return at_rest & among

    def reach(self, start: np.ndarray, stop: np.ndarray | None = None) -> np.ndarray:
        dist = np.where(start, 0, -1).astype(np.int32)
        frontier, level = start, 0
        while True:
            fresh = self.successors(frontier, stop) & (dist < 0)
            if not fresh.any():
                return dist
            level += 1
            dist[fresh] = level
            frontier = fresh

    def steps(self, start: np.ndarray, moves: np.ndarray) -> np.ndarray:
        cur = start
        for i in range(int(moves.max(initial=0))):
            nxt = self.rest(cur) | self.successors(cur)
            nxt = np.where((i < moves)[:, None], nxt, cur)
            if np.array_equal(nxt, cur):
                break
            cur = nxt
        return cur


def ref_run_phases(
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
    for key in {tuple(int(x) for x in row) for row in flags}:
        groups[key] = np.flatnonzero((flags == np.array(key, dtype=np.int64)).all(axis=1))
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
            walk = RefWalk(run, cp, payoffs[rows], concept)
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
                reached = walk.reach(st, np.broadcast_to(cp.end_mask, st.shape)) >= 0
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


def ref_payoffs(prep: Prepared, values: np.ndarray) -> np.ndarray:
    space = prep.space
    assert space is not None
    b = values.shape[0]
    out = np.empty((b, space.n_dms, space.n_states), dtype=np.int32)
    for d, dp in enumerate(prep.prefs):
        if dp.certain:
            out[:, d] = space.payoffs[d]
            continue
        choice = values[:, dp.choice].astype(np.int64) if dp.choice >= 0 else np.zeros(b, dtype=np.int64)
        p = np.empty((b, space.n_states), dtype=np.int64)
        for f, form in enumerate(dp.forms):
            rows = np.flatnonzero(choice == f)
            if rows.size == 0:
                continue
            if form.payoff is not None:
                p[rows] = form.payoff
                continue
            assert form.truth is not None
            k = form.truth.shape[1]
            active = np.ones((rows.size, k), dtype=np.int64)
            for j, col in enumerate(form.columns):
                if col >= 0:
                    active[:, j] = values[rows, col]
            weights = np.left_shift(np.int64(1), np.arange(k - 1, -1, -1, dtype=np.int64))  # k ≤ 62: prepare
            p[rows] = dense_rank((active * weights) @ form.truth.T.astype(np.int64))
        if dp.pairs:
            p = 2 * dense_rank(p).astype(np.int64)
            rows_all = np.arange(b)
            for a, c, col in dp.pairs:
                first = values[:, col] == 1
                hi = np.where(first, a, c)  # the state that must come out above
                lo = np.where(first, c, a)
                ph, pl = p[rows_all, hi], p[rows_all, lo]
                swap = ph < pl
                tie = ph == pl
                p[rows_all[swap], hi[swap]] = pl[swap]
                p[rows_all[swap], lo[swap]] = ph[swap]
                p[rows_all[tie], hi[tie]] = ph[tie] + 1
        out[:, d] = dense_rank(p)
    return out


def ref_whatif_payoffs(space: StateSpace, changes: Sequence[Change]) -> np.ndarray:
    """The payoffs (changes × decision makers × states) with each change's edits applied."""
    base = space.payoffs.astype(np.int32)
    pay = np.repeat(base[None], len(changes), axis=0)
    for i, change in enumerate(changes):
        for d in sorted({e.dm for e in change}):
            truth = statement_truth(space, d)
            assert truth is not None
            order, negated = list(range(truth.shape[1])), set()
            for e in (e for e in change if e.dm == d):
                if e.kind == "drop":
                    order.remove(e.statement)
                elif e.kind == "negate":
                    negated.add(e.statement)
                else:
                    order.remove(e.statement)
                    order.insert(e.to, e.statement)
            cols = np.stack([~truth[:, j] if j in negated else truth[:, j] for j in order], axis=1)
            w = np.left_shift(np.int64(1), np.arange(len(order) - 1, -1, -1, dtype=np.int64))
            pay[i, d] = dense_rank((cols.astype(np.int64) @ w)[None, :])[0]
    return pay
