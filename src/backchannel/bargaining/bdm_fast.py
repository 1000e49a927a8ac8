"""A round of the expected-utility model with compiled kernels: the same
numbers as :mod:`.bdm_kernel`, bit for bit, without its ``(issue, actor,
actor)`` temporaries.

The reference computation in :mod:`.bdm_kernel` builds some twenty arrays of
``m·n²`` numbers per round.  Here the actors of each issue are taken in
position order, and the pairwise work is done in two loops over the dyads
(:func:`_danger_kernel` for the risk exponents, :func:`_round_kernel` for
probabilities, expected utilities, outcomes and the accepted offer), which
read a prefix table of the votes and the midpoint split of each dyad (counted
by a pointer that walks the actors in position order, ``O(n²)`` per issue) and
write only the outcome codes and one number per actor.

To give identical floating-point results every operation is the reference's,
in its order: the same products, the same sequential running sums (the
challengers' sum of the danger levels in actor order), the same comparisons,
the same first-index rule of ``argmin``.  Three kinds of operation are left to
NumPy because a compiled loop would not round the same way:

* the powers ``d^r``: NumPy computes them with SIMD routines that differ from
  the C library's ``pow`` in the last bit in about one case in twenty.  They
  are elementwise (each number computed alone, whatever the array's layout),
  so they are taken on arrays in position order and, for many actors, 64 rows
  at a time; a zero base, which sends NumPy's routine down a slow path, is
  raised as 1 and its power put back to +0 (what ``0^r`` is for ``r > 0``);
* the normaliser's products of each voter's sorted row with the rank
  coefficients (a BLAS matrix–vector product) and its sum over voters (NumPy's
  pairwise summation): called on an array of the reference's shape, whose
  sorted rows are the same numbers however they were sorted (here by merging
  the two monotone halves of a row, or by insertion for short rows).

Work buffers are reused from round to round (:class:`Workspace`), and chunks of
about a million dyads run two at a time on threads (the kernels release the
GIL).  ``tests/test_bdm_fast.py`` checks every array and the JSON against the
reference on random inputs.
"""

from __future__ import annotations

import math
import os
import queue
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .._jit import jit
from .arrays import FloatArray
from .bdm_params import BdmParams, BoolArray, IntArray

__all__ = ["Workspace", "fast_round", "supported", "workspaces"]

#: A kernel's array argument.
Arr = np.ndarray

_PROBABILITY = {"scholz": 0, "pairwise": 1, "net": 2}
_SELECTION = {"priority": 0, "scholz_code": 1, "least_move": 2, "strongest": 3}


def supported(params: BdmParams) -> bool:
    """Whether :func:`fast_round` computes this variant: ``Q = 1``, the default
    and Scholz et al.'s setting (other ``Q`` take the NumPy reference)."""
    return params.q == 1.0


@dataclass(frozen=True)
class RoundOut:
    risk: FloatArray  # (m, n)
    codes: np.ndarray  # (m, n, n) int8
    new_x: FloatArray  # (m, n)
    chosen: IntArray  # (m, n)
    found: BoolArray  # (m, n)
    own: FloatArray | None = None
    est: FloatArray | None = None
    probability: FloatArray | None = None


# ---------------------------------------------------------------------------
# Kernels (plain loops; compiled on first call).  Within an issue the actors
# are taken in position order: ``xs = x[order]``, and a dyad is a pair (a, u)
# of such ranks.
# ---------------------------------------------------------------------------


@jit
def _prepare(
    x: Arr, w: Arr, s: Arr, live: Arr, sort: bool, order: Arr, rank: Arr, xs: Arr, ws: Arr, ss: Arr, ls: Arr
) -> None:
    """The actors of each issue in position order: ``order`` (a stable sort, by
    insertion when ``sort``; else given), its inverse ``rank`` and the inputs
    gathered in that order."""
    m, n = x.shape
    for q in range(m):
        if sort:
            for a in range(n):
                v = x[q, a]
                b = a
                while b > 0 and x[q, order[q, b - 1]] > v:
                    order[q, b] = order[q, b - 1]
                    b -= 1
                order[q, b] = a
        for a in range(n):
            i = order[q, a]
            rank[q, i] = a
            xs[q, a] = x[q, i]
            ws[q, a] = w[q, i]
            ss[q, a] = s[q, i]
            ls[q, a] = live[q, i]


@jit
def _sort_rows(g: Arr, out: Arr) -> None:
    """``out = np.sort(g, axis=2)`` by insertion (for short rows; no NaN)."""
    m, n, _ = g.shape
    for q in range(m):
        for a in range(n):
            for u in range(n):
                v = g[q, a, u]
                b = u
                while b > 0 and out[q, a, b - 1] > v:
                    out[q, a, b] = out[q, a, b - 1]
                    b -= 1
                out[q, a, b] = v


@jit
def _merge_rows(g: Arr, out: Arr) -> None:
    """``out = np.sort(g, axis=2)`` for rows that fall then rise: row ``a`` of a
    dyad array in position order is a function of the distance to actor ``a``,
    so ``g[a, a − 1], …, g[a, 0]`` and ``g[a, a], …, g[a, n − 1]`` are each
    sorted (up to rounding, which a final insertion pass mends)."""
    m, n, _ = g.shape
    for q in range(m):
        for a in range(n):
            left = a - 1
            right = a
            for k in range(n):
                if right < n and (left < 0 or g[q, a, right] <= g[q, a, left]):
                    out[q, a, k] = g[q, a, right]
                    right += 1
                else:
                    out[q, a, k] = g[q, a, left]
                    left -= 1
            for k in range(1, n):
                v = out[q, a, k]
                b = k
                while b > 0 and out[q, a, b - 1] > v:
                    out[q, a, b] = out[q, a, b - 1]
                    b -= 1
                out[q, a, b] = v


@jit
def _risk_kernel(danger: Arr, live: Arr, r: Arr) -> None:
    """The risk exponents from the danger levels, as ``bdm_kernel._risk_from_danger``."""
    m, n = danger.shape
    for q in range(m):
        hi = -np.inf
        lo = np.inf
        for i in range(n):
            if live[q, i]:
                hi = max(hi, danger[q, i])
                lo = min(lo, danger[q, i])
        width = hi - lo
        for i in range(n):
            if not live[q, i]:
                r[q, i] = 1.0
                continue
            big = (2.0 * danger[q, i] - hi - lo) / width if width > 0 else 0.0
            r[q, i] = (1.0 - big / 3.0) / (1.0 + big / 3.0)


@jit
def _zeros_to_ones(d: Arr, out: Arr) -> None:
    """``out = d`` with its zeros replaced by ones."""
    m, n, _ = d.shape
    for q in range(m):
        for a in range(n):
            for u in range(n):
                v = d[q, a, u]
                out[q, a, u] = 1.0 if v == 0.0 else v


@jit
def _ones_to_zeros(d: Arr, g: Arr) -> None:
    """``g = 0`` where ``d`` is zero."""
    m, n, _ = d.shape
    for q in range(m):
        for a in range(n):
            for u in range(n):
                if d[q, a, u] == 0.0:
                    g[q, a, u] = 0.0


@jit
def _sorted_dist(xs: Arr, span: Arr, out: Arr) -> None:
    """``out[q, a, u] = |xs[q, a] − xs[q, u]| / span[q]``."""
    m, n = xs.shape
    for q in range(m):
        sp = span[q]
        for a in range(n):
            xa = xs[q, a]
            for u in range(n):
                out[q, a, u] = abs(xa - xs[q, u]) / sp


@jit
def _bases(xs: Arr, span: Arr, a0: int, a1: int, low: Arr, high: Arr) -> None:
    """``low = ½ − ½d``, ``high = ½ + ½d`` for ``d = |xₐ − x_u| / span``, the rows
    ``a0 ≤ a < a1`` (``low[q, a − a0, u]``)."""
    m, n = xs.shape
    for q in range(m):
        sp = span[q]
        for a in range(a0, a1):
            xa = xs[q, a]
            for u in range(n):
                half = 0.5 * (abs(xa - xs[q, u]) / sp)
                low[q, a - a0, u] = 0.5 - half
                high[q, a - a0, u] = 0.5 + half


@jit
def _prefix(ws: Arr, g: Arr, table: Arr) -> None:
    """``table[q, t, u]``: the votes ``ws · g[voter, u]`` of the first ``t`` voters,
    summed voter after voter as the reference's cumulative sum does."""
    m, n = ws.shape
    for q in range(m):
        for u in range(n):
            table[q, 0, u] = 0.0
        for t in range(n):
            wt = ws[q, t]
            for u in range(n):
                table[q, t + 1, u] = table[q, t, u] + wt * g[q, t, u]


@jit
def _splits(xs: Arr, split: Arr) -> None:
    """``split[q, a, u]``: how many actors lie strictly below the midpoint of the
    actors ranked ``a`` and ``u`` (``2xₖ < xₐ + x_u``), by a pointer that walks
    forwards as ``u`` grows."""
    m, n = xs.shape
    twice = np.empty(n)
    for q in range(m):
        for u in range(n):
            twice[u] = 2.0 * xs[q, u]
        for a in range(n):
            xa = xs[q, a]
            t = 0
            for u in range(n):
                total = xa + xs[q, u]
                while t < n and twice[t] < total:
                    t += 1
                split[q, a, u] = t


@jit
def _danger_kernel(
    xs: Arr,
    span: Arr,
    order: Arr,
    rank: Arr,
    split: Arr,
    table: Arr,
    everything: Arr,
    ss: Arr,
    ls: Arr,
    mode: int,
    buf: Arr,
    danger: Arr,
) -> None:
    """Each actor's danger: the sum over the other involved actors ``i``, in
    actor order, of ``E(Uᵢⱼ)`` with every ``r = 1`` (``danger`` in actor order)."""
    m, n = xs.shape
    for q in range(m):
        sp = span[q]
        ev = everything[q]
        for a in range(n):
            xa = xs[q, a]
            for u in range(n):
                xu = xs[q, u]
                t = split[q, a, u]
                if ls[q, a] and ls[q, u] and a != u:
                    at_u = table[q, t, u]
                    at_a = table[q, t, a]
                    d_au = at_u - at_a
                    d_ua = at_a - at_u
                    s_au = d_au if xa < xu else (table[q, n, u] - table[q, n, a]) - d_au
                    s_ua = d_ua if xu < xa else (table[q, n, a] - table[q, n, u]) - d_ua
                    s_au = max(s_au, 0.0)
                    s_ua = max(s_ua, 0.0)
                    if mode == 0:
                        num, den = s_au, ev
                    elif mode == 1:
                        num, den = s_au, s_au + s_ua
                    else:
                        num, den = max(s_au - s_ua, 0.0), s_au + s_ua
                    p = num / den if den != 0.0 else 0.0
                    if not np.isfinite(p):
                        p = 0.0
                    d = abs(xa - xu) / sp
                    us = 2.0 * d
                    uf = -2.0 * d
                    buf[a, u] = (us - ss[q, u] * (1.0 - p) * (us - uf)) - 0.0
                else:
                    buf[a, u] = 0.0
        # the challengers in actor order, as the reference sums them
        for u in range(n):
            danger[q, order[q, u]] = buf[rank[q, 0], u]
        for i in range(1, n):
            row = rank[q, i]
            for u in range(n):
                danger[q, order[q, u]] += buf[row, u]


@jit
def _round_kernel(
    xs: Arr,
    span: Arr,
    order: Arr,
    split: Arr,
    table: Arr,
    everything: Arr,
    a0: int,
    a1: int,
    pow_s: Arr,
    pow_f: Arr,
    usq: Arr,
    ss: Arr,
    ls: Arr,
    mode: int,
    true_view: bool,
    selection: int,
    detail: bool,
    codes: Arr,
    new_x: Arr,
    chosen: Arr,
    found: Arr,
    own_out: Arr,
    est_out: Arr,
    p_out: Arr,
) -> None:
    """Probabilities, expected utilities, outcome codes and the accepted offer
    of the actors ranked ``a0 ≤ a < a1`` (outputs in actor order), with their
    rows of the powers ``pow_s[q, a − a0, u]``, ``pow_f`` (all rows when
    ``true_view``, which reads ``pow_s[q, u, a]`` too)."""
    m, n = xs.shape
    best_key = np.empty(3)
    best_j = np.empty(3, dtype=np.int64)
    best_offer = np.empty(3)
    for q in range(m):
        sp = span[q]
        ev = everything[q]
        for a in range(a0, a1):
            i = order[q, a]
            xi = xs[q, a]
            for g in range(3):
                best_j[g] = -1
                best_key[g] = 0.0
                best_offer[g] = 0.0
            for u in range(n):
                j = order[q, u]
                xj = xs[q, u]
                t = split[q, a, u]
                at_u = table[q, t, u]
                at_a = table[q, t, a]
                d_au = at_u - at_a
                d_ua = at_a - at_u
                s_au = d_au if xi < xj else (table[q, n, u] - table[q, n, a]) - d_au
                s_ua = d_ua if xj < xi else (table[q, n, a] - table[q, n, u]) - d_ua
                s_au = max(s_au, 0.0)
                s_ua = max(s_ua, 0.0)
                if mode == 0:
                    num, num_t, den, den_t = s_au, s_ua, ev, ev
                elif mode == 1:
                    num, num_t, den, den_t = s_au, s_ua, s_au + s_ua, s_ua + s_au
                else:
                    num, num_t = max(s_au - s_ua, 0.0), max(s_ua - s_au, 0.0)
                    den, den_t = s_au + s_ua, s_ua + s_au
                p_ij = num / den if den != 0.0 else 0.0
                if not np.isfinite(p_ij):
                    p_ij = 0.0
                p_ji = num_t / den_t if den_t != 0.0 else 0.0
                if not np.isfinite(p_ji):
                    p_ji = 0.0
                us = 2.0 - 4.0 * pow_s[q, a - a0, u]
                uf = 2.0 - 4.0 * pow_f[q, a - a0, u]
                own = (us - ss[q, u] * (1.0 - p_ij) * (us - uf)) - usq[q, a]
                if true_view:
                    us_j = 2.0 - 4.0 * pow_s[q, u, a]
                    uf_j = 2.0 - 4.0 * pow_f[q, u, a]
                    est = (us_j - ss[q, a] * (1.0 - p_ji) * (us_j - uf_j)) - usq[q, u]
                else:
                    est = (us - ss[q, a] * (1.0 - p_ji) * (us - uf)) - usq[q, a]
                if detail:
                    own_out[q, i, j] = own
                    est_out[q, i, j] = est
                    p_out[q, i, j] = p_ij
                # the cases exclude one another (NaN: none), so without branches
                both = (own > 0) & (est > 0)
                give = (own < 0) & (est > 0)
                take = (est < 0) & (own > 0)
                code = (
                    both * (2 - (est > own)) + give * (5 - 2 * (est > -own)) + take * (6 - 2 * (own > -est))
                )
                code *= ls[q, a] & ls[q, u] & (abs(xi - xj) / sp > 0)
                codes[q, i, j] = code
                if code == 1 or code == 3 or code == 5:
                    if code == 3:
                        offer = xi + (xj - xi) * abs(own / est)
                    else:
                        offer = xj
                    move = abs(offer - xi)
                    if selection == 2:
                        g, key = 0, move
                    elif selection == 3:
                        g, key = 0, -est
                    elif code == 3:
                        g = 1
                        if selection == 0:
                            key = -est
                        else:
                            key = (abs(own) * xi + abs(est) * xj) / (abs(own) + abs(est))
                    else:
                        g, key = (0 if code == 1 else 2), move
                    # NumPy's argmin over j: the first NaN, else the first smallest
                    bj = best_j[g]
                    bk = best_key[g]
                    if bj < 0:
                        better = True
                    elif np.isnan(key):
                        better = not np.isnan(bk) or j < bj
                    elif np.isnan(bk):
                        better = False
                    else:
                        better = key < bk or (key == bk and j < bj)
                    if better:
                        best_key[g] = key
                        best_j[g] = j
                        best_offer[g] = offer
            chosen[q, i] = 0
            found[q, i] = False
            new_x[q, i] = xi
            for g in range(3):
                if best_j[g] >= 0:
                    chosen[q, i] = best_j[g]
                    found[q, i] = True
                    new_x[q, i] = best_offer[g]
                    break


# ---------------------------------------------------------------------------
# The round
# ---------------------------------------------------------------------------

#: Issues are computed in chunks of about this many dyads, so that the
#: temporaries stay small (and are reused by the allocator) and two chunks can
#: run at once.
_CHUNK_DYADS = 1 << 20
#: From this many actors on, the utilities' powers are computed this many rows
#: of an issue at a time.
_ROW_BLOCK = 64
#: Up to this many actors an issue's rows are sorted by insertion.
_SMALL = 32


class Workspace:
    """Buffers that a run reuses from round to round: a fresh array costs a page
    fault per 4 KiB on first touch, which at a thousand actors is as much as
    the arithmetic."""

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
        size = math.prod(shape)
        buf = self._buffers.get(name)
        if buf is None or buf.size < size or buf.dtype != np.dtype(dtype):
            buf = np.empty(size, dtype=dtype)
            self._buffers[name] = buf
        return buf[:size].reshape(shape)


def workspaces() -> list[Workspace]:
    """One :class:`Workspace` per thread :func:`fast_round` uses."""
    return [Workspace() for _ in range(_workers())]


def _normaliser(
    gs: FloatArray, ws: FloatArray, ls: BoolArray, all_live: bool, small: bool, space: Workspace
) -> FloatArray:
    """The reference's normaliser (``bdm_kernel._normaliser``), its rows sorted
    in a reused buffer (by a compiled insertion sort when they are short)."""
    from .bdm_kernel import _normaliser, _normaliser_sorted

    if not all_live:
        return _normaliser(gs, ws, ls, all_live)
    gsorted = space.get("sorted", gs.shape)
    if small:
        _sort_rows(gs, gsorted)
    else:
        _merge_rows(gs, gsorted)
    return _normaliser_sorted(gsorted, ws)


def fast_round(
    x: FloatArray,
    span: FloatArray,
    w: FloatArray,
    s: FloatArray,
    live: BoolArray,
    params: BdmParams,
    all_live: bool,
    detail: bool,
    spaces: list[Workspace] | None = None,
) -> RoundOut:
    """One round for the issues ``x`` ``(m, n)``: what the reference computes
    from ``_geometry`` to ``_choose`` (see :func:`.bdm.bdm`).  Chunks of issues
    run on up to two threads, each with one of ``spaces``."""
    m, n = x.shape
    spaces = spaces or workspaces()
    out = RoundOut(
        risk=np.empty((m, n)),
        codes=np.empty((m, n, n), dtype=np.int8),
        new_x=np.empty((m, n)),
        chosen=np.empty((m, n), dtype=np.int64),
        found=np.empty((m, n), dtype=np.bool_),
        own=np.empty((m, n, n)) if detail else None,
        est=np.empty((m, n, n)) if detail else None,
        probability=np.empty((m, n, n)) if detail else None,
    )
    step = max(1, _CHUNK_DYADS // (n * n))
    chunks = [slice(a, min(m, a + step)) for a in range(0, m, step)]
    if len(chunks) == 1 or len(spaces) == 1:
        for c in chunks:
            _chunk(x, span, w, s, live, params, all_live, out, c, spaces[0])
        return out
    free: queue.SimpleQueue[Workspace] = queue.SimpleQueue()
    for space in spaces:
        free.put(space)

    def task(rows: slice) -> None:
        space = free.get()
        try:
            _chunk(x, span, w, s, live, params, all_live, out, rows, space)
        finally:
            free.put(space)

    with ThreadPoolExecutor(max_workers=len(spaces)) as pool:
        for f in [pool.submit(task, c) for c in chunks]:
            f.result()
    return out


def _workers() -> int:
    return max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))


def _chunk(
    x_all: FloatArray,
    span_all: FloatArray,
    w_all: FloatArray,
    s_all: FloatArray,
    live_all: BoolArray,
    params: BdmParams,
    all_live: bool,
    out: RoundOut,
    rows: slice,
    space: Workspace,
) -> None:
    x, span, live = x_all[rows], span_all[rows], live_all[rows]
    m, n = x.shape
    small = n <= _SMALL
    order = np.empty((m, n), dtype=np.int64) if small else np.argsort(x, axis=1, kind="stable")
    rank = np.empty((m, n), dtype=np.int64)
    xs, ws, ss = np.empty((m, n)), np.empty((m, n)), np.empty((m, n))
    ls = np.empty((m, n), dtype=np.bool_)
    _prepare(x, w_all[rows], s_all[rows], live, small, order, rank, xs, ws, ss, ls)
    # dist[q, a, u] between the actors ranked a and u; the reference's rows of
    # voters are in this order, its columns in actor order, which neither the
    # sorted rows of the normaliser nor any single number depends on
    dyads = (m, n, n)
    dist = space.get("dist", dyads)
    _sorted_dist(xs, span, dist)
    mode = _PROBABILITY[params.probability]
    table = space.get("table", (m, n + 1, n))
    split = space.get("split", dyads, np.int16 if n < 2**15 else np.int32)
    _splits(xs, split)
    if params.risk == "neutral":
        r = np.ones((m, n))
    else:
        everything1 = _normaliser(dist, ws, ls, all_live, small, space)
        _prefix(ws, dist, table)
        danger = np.empty((m, n))
        buf = space.get("buf", (n, n))
        _danger_kernel(xs, span, order, rank, split, table, everything1, ss, ls, mode, buf, danger)
        r = np.empty((m, n))
        _risk_kernel(danger, live, r)
    out.risk[rows] = r
    rs = np.take_along_axis(r, order, axis=1)
    rho = rs[:, :, None]
    if params.risk_in_votes and small:
        # 0^r = +0 for the r > 0 here, but NumPy's vectorised power takes a slow
        # path for a zero base (a quarter of the bases with 4 actors): raise 1
        # instead and put the zeros back
        spare = space.get("spare", dyads)
        _zeros_to_ones(dist, spare)
        gs = np.power(spare, rho, out=space.get("gs", dyads))
        _ones_to_zeros(dist, gs)
    elif params.risk_in_votes:
        gs = np.power(dist, rho, out=space.get("gs", dyads))
    else:
        gs = dist
    everything = _normaliser(gs, ws, ls, all_live, small, space)
    _prefix(ws, gs, table)
    usq = np.ascontiguousarray((2.0 - 4.0 * 0.5**rho)[:, :, 0])
    detail = out.own is not None and out.est is not None and out.probability is not None
    empty = np.empty((0, 0, 0))
    true_view = params.perspective == "true"
    # the powers of the utilities, row block by row block of one issue while
    # the actors are many (the block stays in cache for the dyad loop), else
    # every row of every issue at once
    block = n if (true_view or n < _ROW_BLOCK) else _ROW_BLOCK
    issues = [slice(0, m)] if block == n else [slice(q, q + 1) for q in range(m)]
    for iq in issues:
        mq = iq.stop - iq.start
        for a0 in range(0, n, block):
            a1 = min(n, a0 + block)
            low = space.get("low", (mq, a1 - a0, n))
            high = space.get("high", (mq, a1 - a0, n))
            _bases(xs[iq], span[iq], a0, a1, low, high)
            pow_s = np.power(low, rho[iq, a0:a1], out=space.get("pow_s", low.shape))
            pow_f = np.power(high, rho[iq, a0:a1], out=space.get("pow_f", low.shape))
            _round_kernel(
                xs[iq],
                span[iq],
                order[iq],
                split[iq],
                table[iq],
                everything[iq],
                a0,
                a1,
                pow_s,
                pow_f,
                usq[iq],
                ss[iq],
                ls[iq],
                mode,
                true_view,
                _SELECTION[params.offer_selection],
                detail,
                out.codes[rows][iq],
                out.new_x[rows][iq],
                out.chosen[rows][iq],
                out.found[rows][iq],
                out.own[rows][iq] if out.own is not None else empty,
                out.est[rows][iq] if out.est is not None else empty,
                out.probability[rows][iq] if out.probability is not None else empty,
            )
