"""SIM with NumPy arrays only: the form used for small state spaces, where
loading the compiled search (:func:`backchannel.gmcr.kernels.sim_kernel`)
would cost more than the analysis, and the reference the tests hold the
compiled search to.  The definitions and the bounds are those of
:mod:`backchannel.gmcr.sim`: pairs (state, UI) that no reply can answer are
left out by bounds from tables over the focal decision maker's and one or two
opponents' options, then single replies are tried for all pairs at once, then
joint combinations opponent by opponent, in chunks of ``_CHUNK`` combined
states.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np

from ..errors import AnalysisRefused
from .statespace import Moves, StateSpace

__all__ = ["sim_row_arrays"]

_CHUNK = 1 << 21  # combined states materialised at a time


def _ranges(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For CSR ``indptr`` and row indices ``rows``: (position in ``rows`` of
    each entry, entry index) over all entries of those rows, row by row."""
    lo = indptr[rows]
    cnt = indptr[rows + 1] - lo
    total = int(cnt.sum())
    owner = np.repeat(np.arange(rows.size), cnt)
    offs = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return owner, np.repeat(lo, cnt) + offs


def sim_row_arrays(
    space: StateSpace,
    k: int,
    ui: Sequence[Moves],
    deltas: list[np.ndarray],
    mode: str,
    limits: tuple[int, int],
) -> np.ndarray:
    """SIM stability of every state for the focal decision maker ``k``, with NumPy arrays: ``deltas[j]``
    are the options each UI of ``j`` flips; ``limits`` (most joint replies at a state, in all)."""
    p = space.payoffs[k]
    src = ui[k].sources
    stable = np.ones(space.n_states, dtype=bool)
    if src.size == 0:
        return stable
    opponents = [j for j in range(space.n_dms) if j != k]
    pair_src = src.astype(np.int64)
    pair_tgt = ui[k].targets
    pair_code = space.codes[pair_tgt]
    answered = np.zeros(src.size, dtype=bool)
    # pairs that no reply can answer (a bound from k's own options and one
    # opponent's at a time) are left out at once
    parts = [_parts(space, d) for d in range(space.n_dms)]
    groups: list[tuple[int, ...]] = [(), *((j,) for j in opponents)]
    hopeful = _bound(space, k, p, ui, parts, groups, pair_src, pair_tgt, np.arange(src.size))
    tried = np.ones(src.size, dtype=bool)
    tried[hopeful] = False
    for j in opponents:
        live = np.flatnonzero(~(answered | tried))
        if live.size == 0:
            break
        _answer_one(space, p, ui[j].indptr, deltas[j], pair_src, pair_code, live, answered)
    if mode == "joint" and len(opponents) >= 2:
        live = np.flatnonzero(~(answered | tried))
        if live.size:
            pairs = list(combinations(opponents, 2))
            live = _bound(space, k, p, ui, parts, pairs, pair_src, pair_tgt, live)
        if live.size:
            opp = [(ui[j].indptr, deltas[j]) for j in opponents]
            _answer_joint(space, k, p, ui, opp, pair_src, pair_code, live, answered, limits)
    stable[src[~answered]] = False
    return stable


def _answer_one(
    space: StateSpace,
    p: np.ndarray,
    indptr: np.ndarray,
    delta: np.ndarray,
    pair_src: np.ndarray,
    pair_code: np.ndarray,
    live: np.ndarray,
    answered: np.ndarray,
) -> None:
    """Mark the live (state, UI) pairs that one opponent's simultaneous UI answers.

    ``indptr``, ``delta``: the opponent's UIs as CSR over source states, each
    given by the options it flips; combined with the focal UI's target by XOR
    (the two decision makers control disjoint options).  The ``r``-th UIs of
    all pairs are tried together; a pair answered is not tried again.
    """
    s = pair_src[live]
    lo = indptr[s]
    cnt = indptr[s + 1] - lo
    ids, code, limit = live, pair_code[live], p[s]
    r = 0
    while ids.size:
        more = cnt > r
        if not more.all():
            ids, code, limit, lo, cnt = ids[more], code[more], limit[more], lo[more], cnt[more]
            if not ids.size:
                return
        idx = space.index_of(code ^ delta[lo + r])
        hit = idx >= 0
        hit[hit] = p[idx[hit]] <= limit[hit]
        if hit.any():
            answered[ids[hit]] = True
            miss = ~hit
            ids, code, limit, lo, cnt = ids[miss], code[miss], limit[miss], lo[miss], cnt[miss]
        r += 1


def _answer_joint(
    space: StateSpace,
    k: int,
    p: np.ndarray,
    ui: Sequence[Moves],
    deltas: list[tuple[np.ndarray, np.ndarray]],
    pair_src: np.ndarray,
    pair_code: np.ndarray,
    live: np.ndarray,
    answered: np.ndarray,
    limits: tuple[int, int],
) -> None:
    """Mark the live pairs that a reply by two or more opponents at once answers.

    Partial combinations are grown opponent by opponent (each opponent stays
    or takes one of its UIs); every partial in which at least two opponents
    moved is itself a complete reply (the later opponents stay) and is checked
    as soon as it is made; a pair is dropped once answered.
    """
    counts = np.stack([np.diff(indptr)[pair_src[live]] for indptr, _ in deltas])  # opponents × live
    movers = (counts > 0).sum(axis=0)
    live = live[movers >= 2]  # one replying opponent at most: the pairwise pass said it all
    if live.size == 0:
        return
    counts = counts[:, movers >= 2].astype(np.float64)
    replies = np.prod(1.0 + counts, axis=0)  # combinations at the pair's state, including "all stay"
    worst = float(replies.max())
    total = float(replies.sum())
    max_replies, max_work = limits
    if worst > max_replies or total > max_work:
        s = int(pair_src[live[int(np.argmax(replies))]])
        raise AnalysisRefused(
            f"SIM with joint replies is too large here: at state {s + 1} the opponents of "
            f"{space.dm_names[k]} have {int(worst) - 1:,} combinations of simultaneous improvements "
            f"({total:,.0f} to check in all, in the worst case); the limits are "
            f"{max_replies:,} per state and {max_work:,} in all. Use the pairwise "
            "reading (--sim pairwise, sim_mode='pairwise'), leave SIM out (--concept), or reduce "
            "the options per decision maker."
        )
    # chunks of pairs whose combinations fit the chunk size
    cum = np.cumsum(replies)
    start = 0
    while start < live.size:
        stop = int(np.searchsorted(cum, cum[start] - replies[start] + _CHUNK, side="right"))
        stop = max(stop, start + 1)
        _joint_chunk(space, p, deltas, pair_src, pair_code, live[start:stop], answered)
        start = stop


def _parts(space: StateSpace, d: int) -> tuple[np.ndarray, int]:
    """Per state, a number for how ``d`` sets its own options there; how many."""
    keys, inverse = np.unique(space.codes & np.uint64(space.dm_masks[d]), return_inverse=True)
    return inverse.astype(np.int64), int(keys.size)


def _bound(
    space: StateSpace,
    k: int,
    p: np.ndarray,
    ui: Sequence[Moves],
    parts: list[tuple[np.ndarray, int]],
    groups: Sequence[tuple[int, ...]],
    pair_src: np.ndarray,
    pair_tgt: np.ndarray,
    live: np.ndarray,
) -> np.ndarray:
    """The live pairs that a joint reply may still answer.

    For a group ``G`` of opponents (each one alone, then each two): the least
    payoff of ``k`` over the feasible states in which ``k``'s options are as
    in ``s1`` and each ``j`` in ``G`` sets its options as in ``s`` or as after
    one of its UIs from ``s`` (the other opponents anyhow).  Every joint reply
    reaches one of those states, so when that least payoff is above ``k``'s
    at ``s`` for some group, no joint reply sanctions the move.  The least
    payoffs come from a table over (``k``'s options, ``G``'s options).
    """
    kval, nk = parts[k]
    for group in groups:
        if live.size == 0:
            break
        size = nk * int(np.prod([parts[j][1] for j in group]))
        if size > 1 << 24:
            continue  # table too large for a bound worth having
        key = kval.copy()
        for j in group:
            key = key * parts[j][1] + parts[j][0]
        least = np.full(size, np.iinfo(np.int32).max, dtype=np.int32)
        np.minimum.at(least, key, p)
        if len(group) <= 1:
            live = _bound_one(ui, parts, group, least, kval, p, pair_src, pair_tgt, live)
            continue
        keep = np.ones(live.size, dtype=bool)
        widest = int(np.prod([1 + int(np.diff(ui[j].indptr).max(initial=0)) for j in group]))
        step = max(1, _CHUNK // widest)  # pairs whose expansions fit a chunk
        for start in range(0, live.size, step):
            rows = live[start : start + step]
            s = pair_src[rows]
            owner = np.arange(rows.size)
            val = kval[pair_tgt[rows]]
            for j in group:
                jval, nj = parts[j]
                rep, v = _stay_or_improve(ui[j], jval, s[owner])
                owner, val = owner[rep], val[rep] * nj + v
            firsts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            keep[start : start + step] = np.minimum.reduceat(least[val], firsts) <= p[s]
        live = live[keep]
    return live


def _bound_one(
    ui: Sequence[Moves],
    parts: list[tuple[np.ndarray, int]],
    group: tuple[int, ...],
    least: np.ndarray,
    kval: np.ndarray,
    p: np.ndarray,
    pair_src: np.ndarray,
    pair_tgt: np.ndarray,
    live: np.ndarray,
) -> np.ndarray:
    """:func:`_bound` for no opponent or one: the ``r``-th UIs of all pairs at
    once, a pair dropped as soon as its bound is at or below ``k``'s payoff
    at ``s`` (it stays live)."""
    s = pair_src[live]
    limit = p[s]
    row = kval[pair_tgt[live]]
    if not group:
        return live[least[row] <= limit]
    jval, nj = parts[group[0]]
    row *= nj
    ok = least[row + jval[s]] <= limit  # the opponent stays
    indptr = ui[group[0]].indptr
    reached = jval[ui[group[0]].targets]
    lo = indptr[s]
    cnt = indptr[s + 1] - lo
    pending = np.flatnonzero(~ok)
    r = 0
    while pending.size:
        pending = pending[cnt[pending] > r]
        if not pending.size:
            break
        hit = least[row[pending] + reached[lo[pending] + r]] <= limit[pending]
        ok[pending[hit]] = True
        pending = pending[~hit]
        r += 1
    return live[ok]


def _stay_or_improve(ui: Moves, part: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each entry of ``s``: its own options' ``part`` (stay) and then
    the part after each of its UIs; (entry of ``s``, part) flat, in order."""
    lo = ui.indptr[s]
    cnt = ui.indptr[s + 1] - lo + 1
    rep = np.repeat(np.arange(s.size), cnt)
    offs = np.arange(rep.size, dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    v = part[s][rep]
    moved = offs > 0
    if moved.any():
        v[moved] = part[ui.targets[lo[rep[moved]] + offs[moved] - 1]]
    return rep, v


def _joint_chunk(
    space: StateSpace,
    p: np.ndarray,
    deltas: list[tuple[np.ndarray, np.ndarray]],
    pair_src: np.ndarray,
    pair_code: np.ndarray,
    rows: np.ndarray,
    answered: np.ndarray,
) -> None:
    s = pair_src[rows]
    limit = p[s]
    alive = np.ones(rows.size, dtype=bool)
    owner = np.arange(rows.size)  # partial combinations: pair, code, opponents moved (capped at 2)
    code = pair_code[rows]
    moved = np.zeros(rows.size, dtype=np.int8)
    last = len(deltas) - 1
    for o, (indptr, dl) in enumerate(deltas):
        rep, entry = _ranges(indptr, s[owner])
        if rep.size == 0:
            continue
        ncode = code[rep] ^ dl[entry]
        nowner = owner[rep]
        nmoved = np.minimum(moved[rep] + 1, 2).astype(np.int8)
        check = nmoved >= 2
        if check.any():
            idx = space.index_of(ncode[check])
            ok = idx >= 0
            who = nowner[check][ok]
            hit = p[idx[ok]] <= limit[who]
            alive[who[hit]] = False
        if o == last or not alive.any():
            break
        owner = np.concatenate([owner, nowner])
        code = np.concatenate([code, ncode])
        moved = np.concatenate([moved, nmoved])
        keep = alive[owner]
        if not keep.all():
            owner, code, moved = owner[keep], code[keep], moved[keep]
    answered[rows[~alive]] = True
