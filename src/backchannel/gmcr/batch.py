"""Stability and status-quo reachability for many preference samples at once.

The moves of a compiled :class:`~backchannel.gmcr.statespace.StateSpace` do not
depend on preferences, so a batch of payoff arrays (samples × decision makers
× states) is evaluated against one compiled model: Nash stability and the
search from the status quo in compiled kernels (:mod:`backchannel._jit`) that
loop over the samples and read each move's payoffs as they go, GMR, SMR and SEQ
with array operations over the whole batch.  The definitions are those of
:mod:`backchannel.gmcr.engine`
(Nash, GMR, SMR, SEQ; SIM, joint or pairwise, falls back to the engine,
sample by sample) and of
:func:`backchannel.gmcr.evolution.evolution` (unilateral improvements from the
status quo); the tests check both against those implementations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .._jit import jit
from .engine import CONCEPTS, reachable_min_batch, reduce_rows, stability_matrix
from .kernels import improving_reach_kernel
from .statespace import Moves, StateSpace

__all__ = ["batch_distance", "batch_stability", "dense_rank", "reachable_nash"]

_INF = np.iinfo(np.int32).max
_NEG = np.iinfo(np.int32).min


def dense_rank(scores: np.ndarray) -> np.ndarray:
    """Dense ranks (0 = lowest) along the last axis of a 2-D array.

    >>> dense_rank(np.array([[5, 1, 5, 3]])).tolist()
    [[2, 0, 2, 1]]
    """
    order = np.argsort(scores, axis=1, kind="stable")
    s = np.take_along_axis(scores, order, axis=1)
    step = np.zeros(s.shape, dtype=np.int32)
    step[:, 1:] = s[:, 1:] != s[:, :-1]
    ranks = np.cumsum(step, axis=1, dtype=np.int32)
    out = np.empty_like(ranks)
    np.put_along_axis(out, order, ranks, axis=1)
    return out


def _improving(space: StateSpace, payoffs: np.ndarray, d: int) -> np.ndarray:
    m = space.moves[d]
    p = payoffs[:, d, :]
    return p[:, m.targets] > p[:, m.sources]


def batch_stability(
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
    if "nash" in concepts:
        ptr, _, tgt, mov = space.by_source
        _nash_kernel(payoffs, ptr, tgt, mov, out["nash"])
    moving = any(c in concepts for c in ("gmr", "smr", "seq"))  # the opponents' replies count
    ui = [_improving(space, payoffs, d) for d in range(n_dm)] if moving else []
    for k in range(n_dm if moving else 0):
        p = payoffs[:, k, :]
        mk = space.moves[k]
        others = [j for j in range(n_dm) if j != k]

        # the best a UI of k reaches, after the opponents' answer: NEG where k has no UI
        def worst(v: np.ndarray, mk: Moves = mk, k: int = k) -> np.ndarray:
            return reduce_rows(np.where(ui[k], v[:, mk.targets], _NEG), mk.indptr, np.maximum, _NEG)

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


def batch_distance(space: StateSpace, payoffs: np.ndarray, start: int) -> np.ndarray:
    """Per sample, the number of unilateral improvements (by any decision
    maker) needed to reach each state from ``start``; -1 where unreachable.

    The batched form of :func:`backchannel.gmcr.evolution.evolution` without
    coalitions: a breadth-first search per sample in compiled code, reading
    each move's payoffs as it goes.
    """
    payoffs = np.ascontiguousarray(payoffs, dtype=np.int32)
    b, n_dm, n = payoffs.shape
    ptr, src, tgt, mov = space.by_source
    begin = np.zeros((b, n), dtype=bool)
    begin[:, start] = True
    dist = np.empty((b, n), dtype=np.int32)
    no_stop = np.zeros(0, dtype=bool)
    flat = payoffs.reshape(b, n_dm * n)
    improving_reach_kernel(flat, mov * n + tgt, mov * n + src, ptr, tgt, begin, no_stop, False, dist)
    return dist


def reachable_nash(space: StateSpace, payoffs: np.ndarray, start: int) -> np.ndarray:
    """Per sample, the Nash equilibria (stable for every decision maker) reached from ``start``
    by unilateral improvements: ``batch_stability(...)["nash"].all(axis=1) & (batch_distance(...)
    >= 0)``, in one search that judges only the states it reaches."""
    payoffs = np.ascontiguousarray(payoffs, dtype=np.int32)
    b, _n_dm, n = payoffs.shape
    ptr, _, tgt, mov = space.by_source
    out = np.empty((b, n), dtype=bool)
    _reachable_nash_kernel(payoffs, ptr, tgt, mov, int(start), out)
    return out


@jit
def _reachable_nash_kernel(
    pay: np.ndarray, ptr: np.ndarray, tgt: np.ndarray, mov: np.ndarray, start: int, out: np.ndarray
) -> None:  # pragma: no cover - compiled
    b, _, n = pay.shape
    queue = np.empty(n, dtype=np.int64)
    seen = np.empty(n, dtype=np.bool_)
    for s in range(b):
        for v in range(n):
            seen[v] = False
            out[s, v] = False
        seen[start] = True
        queue[0] = start
        head, tail = 0, 1
        while head < tail:
            u = queue[head]
            head += 1
            stable = True
            for e in range(ptr[u], ptr[u + 1]):
                t = tgt[e]
                d = mov[e]
                if pay[s, d, t] > pay[s, d, u]:
                    stable = False
                    if not seen[t]:
                        seen[t] = True
                        queue[tail] = t
                        tail += 1
            out[s, u] = stable


@jit
def _nash_kernel(
    pay: np.ndarray, ptr: np.ndarray, tgt: np.ndarray, mov: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover - compiled
    """``out[s, d, u]`` false where decision maker ``d`` has a unilateral improvement from
    ``u`` in sample ``s``; the moves as CSR by source with their movers (``StateSpace.by_source``)."""
    b, _, n = pay.shape
    for s in range(b):
        for u in range(n):
            for e in range(ptr[u], ptr[u + 1]):
                d = mov[e]
                if out[s, d, u] and pay[s, d, tgt[e]] > pay[s, d, u]:
                    out[s, d, u] = False
