"""Compiled loops of the stability engine (Numba, through :mod:`backchannel._jit`).

Each kernel is the plain-loop form of a step that NumPy could only do with
large temporaries or many passes:

* :func:`moves_kernel` — a decision maker's unilateral moves, state by state;
* :func:`improvements_kernel` — the moves to a strictly preferred state;
* :func:`improving_reach_kernel` — breadth-first search by improvements, per
  sample (status-quo distances, the phase walk);
* :func:`reverse_kernel` — moves by target (who can move *into* a state);
* :func:`reach_kernel` — the least value a coalition can reach by a legal
  sequence, from every (state, last mover), in one sweep of the states in
  ascending value (see :func:`backchannel.gmcr.engine.reachable_min_batch`);
* :func:`sim_kernel` — simultaneous sanctioning with joint or pairwise
  replies, a depth-first search over the opponents' replies with bounds
  (see :mod:`backchannel.gmcr.sim`).

Below :data:`KERNEL_STATES` states the analyses use their NumPy forms
instead (:func:`use_kernels`).  The tests compare every kernel with a NumPy or
brute-force reference.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._jit import jit
from .._jit import use_kernels as _use_kernels

__all__ = [
    "KERNEL_STATES",
    "ByTarget",
    "best_move_kernel",
    "clique_min_kernel",
    "fwd_min_kernel",
    "improvements_kernel",
    "improving_reach_kernel",
    "moves_kernel",
    "order_kernel",
    "parts_kernel",
    "reach_kernel",
    "reverse_kernel",
    "sim_kernel",
    "sim_tables_kernel",
    "use_kernels",
]

_INF = np.iinfo(np.int32).max

#: States from which an analysis runs the compiled kernels; below, NumPy
#: (loading Numba costs about half a second per process, more than a small
#: analysis).  ``BACKCHANNEL_KERNELS=always`` or ``never`` overrides.
KERNEL_STATES = 1 << 14


def use_kernels(n_states: int) -> bool:
    """Whether an analysis of ``n_states`` states runs the compiled kernels."""
    return _use_kernels(n_states, KERNEL_STATES)


class ByTarget:
    """The moves of several movers by target, in shared arrays (row ``j`` of
    ``ptr`` for the ``j``-th mover, global offsets into ``src``): who can move
    *into* each state.  With ``index``, ``move`` also gives each move's
    position in the concatenation of the movers' forward moves (to read
    per-move flags).

    A mover whose moves form cliques (``clique``: see
    :class:`~backchannel.gmcr.statespace.Moves`) moves into a state from
    where it moves to from it, so its rows are its forward moves, copied
    (unless ``index``).
    """

    def __init__(self, moves: Sequence[tuple[np.ndarray, np.ndarray, bool]], index: bool = False) -> None:
        n = len(moves[0][0]) - 1 if moves else 0
        total = sum(int(t.size) for _, t, _ in moves)
        self.ptr = np.empty((len(moves), n + 1), dtype=np.int64)
        self.src = np.empty(total, dtype=np.int32)
        self.move = np.empty(total if index else 0, dtype=np.int64)
        # with index, every row is reversed: a clique's move into u from x is
        # not the move at the same place among u's moves
        self.clique = np.array([c and not index for _, _, c in moves], dtype=np.bool_)
        at = 0
        for j, (indptr, targets, _) in enumerate(moves):
            size = int(targets.size)
            if self.clique[j]:
                self.ptr[j] = indptr + at
                self.src[at : at + size] = targets
            else:
                reverse_kernel(indptr, targets, self.ptr[j], self.src, self.move, at)
            at += size


def done_flags(n: int, movers: int) -> np.ndarray:
    """The per-state bit set of :func:`reach_kernel`: the smallest integer type with ``movers`` bits."""
    for dtype, bits in ((np.uint8, 8), (np.uint16, 16), (np.uint32, 32)):
        if movers <= bits:
            return np.zeros(n, dtype=dtype)
    return np.zeros(n, dtype=np.uint64)


@jit
def _find(code, codes, lookup):
    """Index of ``code`` among the sorted ``codes`` (dense ``lookup`` if given), or -1."""
    if lookup.size:
        if code >= lookup.size:
            return -1
        return lookup[code]
    lo = 0
    hi = codes.size
    while lo < hi:
        mid = (lo + hi) >> 1
        if codes[mid] < code:
            lo = mid + 1
        else:
            hi = mid
    if lo < codes.size and codes[lo] == code:
        return lo
    return -1


@jit
def moves_kernel(codes, mask, local, adopt_only, withdraw_only, lookup):
    """CSR (indptr, targets) of the moves that set the options under ``mask``
    to another of the ``local`` patterns (ascending), to a feasible state,
    withdrawing no adopt-only and adopting no withdraw-only option."""
    n = codes.size
    indptr = np.zeros(n + 1, dtype=np.int64)
    for s in range(n):
        c = codes[s]
        cur = c & mask
        ctx = c & ~mask
        cnt = 0
        for q in range(local.size):
            pat = local[q]
            if pat == cur or (cur & ~pat) & adopt_only or (pat & ~cur) & withdraw_only:
                continue
            if _find(ctx | pat, codes, lookup) >= 0:
                cnt += 1
        indptr[s + 1] = indptr[s] + cnt
    targets = np.empty(indptr[n], dtype=np.int32)
    for s in range(n):
        c = codes[s]
        cur = c & mask
        ctx = c & ~mask
        w = indptr[s]
        for q in range(local.size):
            pat = local[q]
            if pat == cur or (cur & ~pat) & adopt_only or (pat & ~cur) & withdraw_only:
                continue
            t = _find(ctx | pat, codes, lookup)
            if t >= 0:
                targets[w] = t
                w += 1
    return indptr, targets


@jit
def improving_reach_kernel(
    flat: np.ndarray,
    idx_t: np.ndarray,
    idx_s: np.ndarray,
    ptr: np.ndarray,
    tgt: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    use_stop: bool,
    dist: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Per sample, the number of improvements from the ``start`` states (samples × states)
    to each state, −1 where unreachable, not moving on from a state where ``stop`` (states)
    holds when ``use_stop``; written into ``dist`` (samples × states).  The moves are CSR
    by source (``ptr``, ``tgt``); move ``e`` improves for its mover in sample ``s`` when
    ``flat[s, idx_t[e]] > flat[s, idx_s[e]]`` (``flat``: the sample's payoffs as decision
    makers × states, flattened; the indices say where the mover's payoffs of the target
    and the source sit, as the mover sees them)."""
    b, n = start.shape
    queue = np.empty(n, dtype=np.int64)
    for s in range(b):
        tail = 0
        for v in range(n):
            if start[s, v]:
                dist[s, v] = 0
                queue[tail] = v
                tail += 1
            else:
                dist[s, v] = -1
        head = 0
        while head < tail:
            u = queue[head]
            head += 1
            if use_stop and stop[u]:
                continue
            du = dist[s, u] + 1
            for e in range(ptr[u], ptr[u + 1]):
                t = tgt[e]
                if dist[s, t] < 0 and flat[s, idx_t[e]] > flat[s, idx_s[e]]:
                    dist[s, t] = du
                    queue[tail] = t
                    tail += 1


@jit
def improvements_kernel(indptr, targets, payoff):
    """CSR of the moves to a state with a strictly higher ``payoff``."""
    n = indptr.size - 1
    out_ptr = np.zeros(n + 1, dtype=np.int64)
    for s in range(n):
        cnt = 0
        ps = payoff[s]
        for e in range(indptr[s], indptr[s + 1]):
            if payoff[targets[e]] > ps:
                cnt += 1
        out_ptr[s + 1] = out_ptr[s] + cnt
    out = np.empty(out_ptr[n], dtype=np.int32)
    w = 0
    for s in range(n):
        ps = payoff[s]
        for e in range(indptr[s], indptr[s + 1]):
            t = targets[e]
            if payoff[t] > ps:
                out[w] = t
                w += 1
    return out_ptr, out


@jit
def reverse_kernel(indptr, targets, rev_ptr, rev_src, rev_move, at):
    """One mover's moves by target, written into shared arrays from position
    ``at``: ``rev_ptr`` (n+1, global offsets), the sources ``rev_src`` and,
    when ``rev_move`` is not empty, each move's position ``at + e`` in the
    concatenation of the movers' forward moves."""
    n = indptr.size - 1
    for u in range(n + 1):
        rev_ptr[u] = 0
    for e in range(targets.size):
        rev_ptr[targets[e] + 1] += 1
    rev_ptr[0] = at
    for u in range(n):
        rev_ptr[u + 1] += rev_ptr[u]
    fill = rev_ptr[:n].copy()
    index = rev_move.size > 0
    for s in range(n):
        for e in range(indptr[s], indptr[s + 1]):
            u = targets[e]
            rev_src[fill[u]] = s
            if index:
                rev_move[fill[u]] = at + e
            fill[u] += 1


@jit
def order_kernel(value):
    """The states in ascending ``value`` (ties by index): a counting sort when
    the values span at most four times the states, else a merge sort."""
    n = value.size
    if n == 0:
        return np.empty(0, dtype=np.int64)
    lo = value.min()
    span = np.int64(value.max()) - np.int64(lo) + 1
    if span > 4 * n + 16:
        return np.argsort(value, kind="mergesort").astype(np.int64)
    start = np.zeros(span + 1, dtype=np.int64)
    for s in range(n):
        start[np.int64(value[s]) - lo + 1] += 1
    for v in range(span):
        start[v + 1] += start[v]
    out = np.empty(n, dtype=np.int64)
    for s in range(n):
        v = np.int64(value[s]) - lo
        out[start[v]] = s
        start[v] += 1
    return out


@jit
def _label(x, need, v, done, low, stack_s, stack_j, top):
    """Label the nodes (``x``, j) for the bits j of ``need`` with ``v`` and
    push them; the new top of the stack."""
    one = done.dtype.type(1)
    done[x] |= need
    for j in range(low.shape[1]):
        if (need >> j) & one:
            low[x, j] = v
            stack_s[top] = x
            stack_j[top] = j
            top += 1
    return top


@jit
def reach_kernel(value, order, movers, rev_ptr, rev_src, rev_move, clique, allowed, pay, done):
    """For every node (state ``t``, last mover ``j``): the least ``value`` over
    the states reachable from ``t`` by a legal sequence (length ≥ 0) whose
    first mover is not ``j``.  ``movers[j]`` selects the row of ``rev_ptr``
    (moves by target) of the ``j``-th mover.  ``allowed`` (empty, or one flag
    per forward move, indexed by ``rev_move``) restricts the moves; so does
    ``pay`` (empty, or payoffs by row): then a move counts only when it
    improves its mover's payoff.  ``done`` is a zeroed bit set per state
    (:func:`done_flags`).

    The states are taken in ascending ``value``; each node not yet labelled
    gets that value and so does, by a search backwards over the moves, every
    node that can reach it.  Every node is labelled once and every move by
    target read once, so the cost is linear in the moves.

    A mover whose moves form cliques (``clique[row]``, no ``allowed``) needs
    less: the first search into a state of a block reaches every other state
    of the block, so a later search into the same block has only the first
    one's state left to label (with ``pay``: nothing, unless it enters at a
    higher payoff of the mover than any search before).  Each block is then
    read about once per mover instead of once per state.
    """
    h = movers.size
    n = value.size
    one = done.dtype.type(1)
    full = done.dtype.type((np.uint64(1) << np.uint64(h)) - np.uint64(1))
    low = np.empty((n, h), dtype=np.int32)  # by state: a state's labels share a cache line
    stack_s = np.empty(h * n, dtype=np.int32)
    stack_j = np.empty(h * n, dtype=np.int32)
    restrict = allowed.size > 0
    improving = pay.size > 0
    # per mover and block (by its least state): the state the first search
    # entered it by (+1; 0: none), or with pay the highest payoff entered at
    first = np.zeros((n, h), dtype=np.int32)
    for i in range(n):
        t = order[i]
        if done[t] == full:
            continue
        v = value[t]
        top = _label(t, full & ~done[t], v, done, low, stack_s, stack_j, 0)
        while top:
            top -= 1
            u = stack_s[top]
            m = stack_j[top]
            row = movers[m]
            skip = full & ~(one << m)
            lo = rev_ptr[row, u]
            hi = rev_ptr[row, u + 1]
            if lo == hi:
                continue
            if clique[row] and not restrict:
                block = min(u, rev_src[lo])
                if improving:
                    if first[block, m] > pay[row, u] + 1:
                        continue
                    first[block, m] = pay[row, u] + 2
                elif first[block, m]:
                    x = first[block, m] - 1
                    need = skip & ~done[x]
                    if x != u and need:
                        top = _label(x, need, v, done, low, stack_s, stack_j, top)
                    continue
                else:
                    first[block, m] = u + 1
            # a move of mover m into u, from x, extends the sequences of the
            # nodes (l, x) with l != m
            for e in range(lo, hi):
                x = rev_src[e]
                need = skip & ~done[x]
                if need == 0:
                    continue
                if restrict and not allowed[rev_move[e]]:
                    continue
                if improving and pay[row, u] <= pay[row, x]:
                    continue
                top = _label(x, need, v, done, low, stack_s, stack_j, top)
    return low


@jit
def fwd_min_kernel(indptr, targets, low, allowed, out):
    """``out[s] = min(out[s], low[t])`` over the (allowed) moves ``s → t``."""
    n = indptr.size - 1
    restrict = allowed.size > 0
    for s in range(n):
        best = out[s]
        for e in range(indptr[s], indptr[s + 1]):
            if restrict and not allowed[e]:
                continue
            v = low[targets[e]]
            if v < best:
                best = v
        out[s] = best


@jit
def clique_min_kernel(indptr, targets, low, j, out):
    """:func:`fwd_min_kernel` for a mover whose moves form cliques: each
    block (a state and its targets) is read once, from its least state, and
    every member gets the least ``low[:, j]`` of the others (the second
    least for the member holding the least)."""
    n = indptr.size - 1
    for s in range(n):
        lo = indptr[s]
        hi = indptr[s + 1]
        if lo == hi or targets[lo] < s:
            continue  # no moves, or not the block's least state
        best = low[s, j]
        arg = s
        second = _INF
        for e in range(lo, hi):
            v = low[targets[e], j]
            if v < best:
                second = best
                best = v
                arg = targets[e]
            elif v < second:
                second = v
        v = second if arg == s else best
        if v < out[s]:
            out[s] = v
        for e in range(lo, hi):
            t = targets[e]
            v = second if arg == t else best
            if v < out[t]:
                out[t] = v


@jit
def best_move_kernel(indptr, targets, payoff):
    """Per state, the larger of its ``payoff`` and the best one move reaches."""
    n = indptr.size - 1
    out = np.empty(n, dtype=np.int32)
    for s in range(n):
        best = payoff[s]
        for e in range(indptr[s], indptr[s + 1]):
            if payoff[targets[e]] > best:
                best = payoff[targets[e]]
        out[s] = best
    return out


@jit
def parts_kernel(codes, masks):
    """Per decision maker and state, its own options' setting as a number
    (the bits under ``masks[d]`` packed together)."""
    nd = masks.size
    n = codes.size
    out = np.empty((nd, n), dtype=np.int64)
    for d in range(nd):
        m = masks[d]
        for s in range(n):
            c = codes[s]
            v = np.int64(0)
            bit = 0
            for b in range(64):
                one = np.uint64(1) << np.uint64(b)
                if m & one:
                    if c & one:
                        v |= np.int64(1) << bit
                    bit += 1
            out[d, s] = v
    return out


@jit
def sim_tables_kernel(payoff, parts, group, radix):
    """Bound tables: table ``d`` holds, for every setting of the options of
    ``group[0..d]`` (numbered in mixed radix, ``radix[g]`` settings of ``g``),
    the least ``payoff`` over the states with that setting (int32 max where
    there is none); all tables flat, one after another, from ``offs[d]``."""
    depth = group.size
    offs = np.zeros(depth + 1, dtype=np.int64)
    size = np.int64(1)
    for d in range(depth):
        size *= radix[group[d]]
        offs[d + 1] = offs[d] + size
    tab = np.full(offs[depth], np.iinfo(np.int32).max, dtype=np.int32)
    for s in range(payoff.size):
        key = np.int64(0)
        for d in range(depth):
            g = group[d]
            key = key * radix[g] + parts[g, s]
            i = offs[d] + key
            if payoff[s] < tab[i]:
                tab[i] = payoff[s]
    return tab, offs


@jit
def sim_kernel(k, opponents, payoff, codes, lookup, ui_ptr, ui_tgt, parts, radix, tab, offs, joint, budget):
    """SIM stability of every state for the focal decision maker ``k``.

    ``ui_ptr[d]`` (global offsets into ``ui_tgt``) are the unilateral
    improvements of decision maker ``d``; ``parts``/``radix`` number each
    decision maker's option settings; table ``d`` of ``tab`` (see
    :func:`sim_tables_kernel`, over ``k`` then the opponents in order) bounds
    from below the focal payoff over the states that agree with a partial
    reply.  A UI of ``k`` from ``s`` is sanctioned when a reply (``joint``:
    any set of opponents, each with one UI from ``s``; else one opponent)
    combined with it gives a feasible state ``k`` does not prefer to ``s``.

    Returns (stable per state, -1), or (…, the state at which the search had
    built ``budget`` complete replies and stopped).
    """
    n = codes.size
    h = opponents.size
    depth = offs.size - 1  # tables 0 .. depth-1
    stable = np.ones(n, dtype=np.bool_)
    cnt = np.empty(h, dtype=np.int64)
    base = np.empty(h, dtype=np.int64)
    choice = np.empty(h, dtype=np.int64)
    keys = np.empty(h + 1, dtype=np.int64)
    combo = np.empty(h + 1, dtype=np.uint64)
    built = np.int64(0)
    for s in range(n):
        a = ui_ptr[k, s]
        b = ui_ptr[k, s + 1]
        if a == b:
            continue
        ps = payoff[s]
        cs = codes[s]
        for i in range(h):
            o = opponents[i]
            base[i] = ui_ptr[o, s]
            cnt[i] = ui_ptr[o, s + 1] - base[i]
        for e in range(a, b):
            s1 = ui_tgt[e]
            key0 = parts[k, s1]
            if depth > 0 and tab[key0] > ps:
                stable[s] = False
                break
            code1 = codes[s1]
            hit = False
            if not joint:
                for i in range(h):
                    for r in range(cnt[i]):
                        t = ui_tgt[base[i] + r]
                        c = _find(code1 ^ codes[t] ^ cs, codes, lookup)
                        if c >= 0 and payoff[c] <= ps:
                            hit = True
                            break
                    if hit:
                        break
            else:
                keys[0] = key0
                combo[0] = code1
                d = 0
                choice[0] = 0
                while d >= 0:
                    if choice[d] > cnt[d]:
                        d -= 1
                        if d >= 0:
                            choice[d] += 1
                        continue
                    o = opponents[d]
                    if choice[d] == 0:
                        part = parts[o, s]
                        delta = np.uint64(0)
                    else:
                        t = ui_tgt[base[d] + choice[d] - 1]
                        part = parts[o, t]
                        delta = codes[t] ^ cs
                    key = keys[d] * radix[o] + part
                    code = combo[d] ^ delta
                    if d + 1 < depth and tab[offs[d + 1] + key] > ps:
                        choice[d] += 1
                        continue
                    if d + 1 == h:
                        built += 1
                        c = _find(code, codes, lookup)
                        if c >= 0 and payoff[c] <= ps:
                            hit = True
                            break
                        choice[d] += 1
                        continue
                    keys[d + 1] = key
                    combo[d + 1] = code
                    d += 1
                    choice[d] = 0
            if not hit:
                stable[s] = False
                break
        if built > budget:
            return stable, s
    return stable, -1
