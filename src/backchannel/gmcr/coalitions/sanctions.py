"""Coalition analysis, sanctions: whether a coalitional improvement is deterred
under coalition GMR, SMR or SEQ (see :mod:`backchannel.gmcr.coalitions`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..engine import reachable_min
from ..statespace import Moves, StateSpace
from .bitsets import _bit, _forward, _pack, _reach_or

_INF = np.iinfo(np.int32).max


# ---------------------------------------------------------------------------
# sanctions


def _undeterred(
    space: StateSpace,
    members: tuple[int, ...],
    concept: str,
    src: np.ndarray,
    tgt: np.ndarray,
    class_moves: Sequence[Moves],
    gmr_done: np.ndarray | None = None,
) -> np.ndarray:
    """For each coalitional improvement ``src → tgt`` of ``members``: whether
    no sanction under ``concept`` deters it (bool per pair).

    ``class_moves``: the coalitional improvements of the other coalitions
    (SEQ sanctions).  ``gmr_done``: the pairs already known to be undeterred
    under GMR (hence under SMR).
    """
    if concept == "nash" or src.size == 0:
        return np.ones(src.size, dtype=bool)
    others = [j for j in range(space.n_dms) if j not in members]
    if concept in ("gmr", "seq"):
        sanction = [space.moves[j] for j in others] if concept == "gmr" else list(class_moves)
        deterred = np.zeros(src.size, dtype=bool)
        for i in members:
            p = space.payoffs[i]
            low = reachable_min(sanction, p)
            deterred |= low[tgt] <= p[src]
        return ~deterred
    assert concept == "smr"
    if len(members) == 1:
        (i,) = members
        p = space.payoffs[i].astype(np.int32)
        mi = space.moves[i]
        best = np.full(space.n_states, np.iinfo(np.int32).min, dtype=np.int32)
        nonempty = np.diff(mi.indptr) > 0
        if mi.n_moves:
            best[nonempty] = np.maximum.reduceat(p[mi.targets], mi.indptr[:-1][nonempty])
        low = reachable_min([space.moves[j] for j in others], np.maximum(p, best))
        return np.asarray(low[tgt] > p[src])
    # a move no GMR sanction deters, no SMR sanction does: check the others only
    undeterred = np.zeros(src.size, dtype=bool) if gmr_done is None else gmr_done.copy()
    # Sufficient for an SMR sanction: some s2 from which one member cannot
    # jointly reach (s2 included) anything it prefers to s — scalar, per member.
    surely = np.zeros(src.size, dtype=bool)
    mine_moves = [space.moves[d] for d in members]
    for i in members:
        p = space.payoffs[i].astype(np.int32)
        low = reachable_min(mine_moves, -p)
        best = np.where(low == _INF, p, np.maximum(p, -low))
        surely |= reachable_min([space.moves[j] for j in others], best)[tgt] <= p[src]
    check = np.flatnonzero(~undeterred & ~surely)
    if check.size == 0:
        return undeterred
    mine = [_forward(space.moves[d]) for d in members]
    theirs = [_forward(space.moves[j]) for j in others]
    # what deters depends on the start only through its payoffs: one bit per distinct payoff vector
    thresholds, col = np.unique(space.payoffs[list(members)][:, src[check]].T, axis=0, return_inverse=True)
    col = col.ravel()
    batch = 512
    for b0 in range(0, thresholds.shape[0], batch):
        thr = thresholds[b0 : b0 + batch]
        bad = np.ones((space.n_states, thr.shape[0]), dtype=bool)
        for k, i in enumerate(members):
            bad &= space.payoffs[i][:, None] > thr[None, :, k]
        escape = _reach_or(mine, _pack(bad))
        valid = _pack(~bad) & ~escape  # deters H, and H cannot escape (padding bits cleared by _pack)
        deters = _reach_or(theirs, valid)
        sel = (col >= b0) & (col < b0 + batch)
        pairs = check[sel]
        undeterred[pairs] = ~_bit(deters, tgt[pairs], col[sel] - b0)
    return undeterred
