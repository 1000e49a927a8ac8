"""Stability and status-quo reachability for many preference samples at once.

The moves of a compiled :class:`~backchannel.gmcr.statespace.StateSpace` do not
depend on preferences, so a batch of payoff arrays (samples × decision makers
× states) is evaluated against one compiled model with array operations over
the whole batch.  The definitions are those of :mod:`backchannel.gmcr.engine`
(Nash, GMR, SMR, SEQ; SIM, joint or pairwise, falls back to the engine,
sample by sample) and of
:func:`backchannel.gmcr.evolution.evolution` (unilateral improvements from the
status quo); the tests check both against those implementations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .engine import CONCEPTS, reachable_min_batch, reduce_rows, stability_matrix
from .statespace import Moves, StateSpace

__all__ = ["batch_distance", "batch_stability", "dense_rank"]

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


def batch_distance(space: StateSpace, payoffs: np.ndarray, start: int) -> np.ndarray:
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
