"""The expected-utility model's computation, round by round: geometry of the
positions, votes, probabilities of success, utilities, dyad outcomes and the
offer each actor accepts (issue-major arrays: ``(m, n)`` per actor,
``(m, n, n)`` per dyad)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .arrays import FloatArray
from .bdm_params import _MOVING, BdmParams, BoolArray, IntArray, OfferSelection, Probability

# ---------------------------------------------------------------------------
# The computation (issue-major arrays: (m, n) per actor, (m, n, n) per dyad)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geometry:
    """What depends only on the round's positions."""

    dist: FloatArray  # (m, n, n) |xₐ − x_b| / range
    order: IntArray  # (m, n) actors sorted by position
    dist_sorted: FloatArray  # (m, n, n) dist with its rows (voters k) in that order
    at_i: IntArray  # (m, n, n) flat index of (q, split(i, j), i) in a (m, n + 1, n) prefix table
    at_j: IntArray  # (m, n, n) flat index of (q, split(i, j), j)
    below: BoolArray  # (m, n, n) xᵢ < xⱼ


# Up to this many actors the midpoint counts compare every actor with every
# midpoint of every issue at once (a loop over actors); above, a sorted search per issue.
_BROADCAST_ACTORS = 24


def _sum_axis1(a: FloatArray) -> FloatArray:
    """``a.sum(axis=1)`` of ``(m, n, n)``: the same sums in the same order (numpy adds
    along a non-contiguous axis one slice after another), faster for few actors."""
    n = a.shape[1]
    if n > _BROADCAST_ACTORS:
        return np.asarray(a.sum(axis=1))
    out = a[:, 0].copy()
    for i in range(1, n):
        out += a[:, i]
    return out


def _any_last(a: BoolArray) -> BoolArray:
    """``a.any(axis=2)``, faster for few actors."""
    n = a.shape[2]
    if n > _BROADCAST_ACTORS:
        return np.asarray(a.any(axis=2))
    out = a[:, :, 0].copy()
    for j in range(1, n):
        out |= a[:, :, j]
    return out


def _split_counts(x: FloatArray, xs: FloatArray, order: IntArray) -> IntArray:
    """``split[q, i, j]``: how many actors lie strictly below the midpoint of xᵢ
    and xⱼ, i.e. have ``2xₖ < xᵢ + xⱼ`` (in actor order)."""
    m, n = x.shape
    if n <= _BROADCAST_ACTORS:
        # every issue at once: the same comparisons a sorted search makes, so the
        # same counts, without a Python loop over issues (of which a batch of
        # Monte Carlo samples has thousands)
        sums = x[:, :, None] + x[:, None, :]
        twice = 2.0 * x
        split = np.zeros((m, n, n), dtype=np.int64)
        for k in range(n):
            split += twice[:, k, None, None] < sums
        return split
    # Many actors, few issues: searched in sorted order (each row of queries is
    # then increasing, which numpy's search exploits), then put back in actor order.
    twice = 2.0 * xs
    sums = xs[:, :, None] + xs[:, None, :]
    split = np.empty((m, n, n), dtype=np.int64)
    for q in range(m):
        split[q] = np.searchsorted(twice[q], sums[q], side="left")
    rank = np.argsort(order, axis=1)
    return split[np.arange(m)[:, None, None], rank[:, :, None], rank[:, None, :]]


def _geometry(x: FloatArray, span: FloatArray) -> _Geometry:
    m, n = x.shape
    dist = np.abs(x[:, :, None] - x[:, None, :]) / span[:, None, None]
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    dist_sorted = np.abs(xs[:, :, None] - x[:, None, :]) / span[:, None, None]
    split = _split_counts(x, xs, order)
    # flat indices into the whole (m, n + 1, n) prefix table, so that one take
    # gathers every issue's sums
    split *= n
    split += (np.arange(m) * ((n + 1) * n))[:, None, None]
    cols = np.arange(n)
    return _Geometry(
        dist=dist,
        order=order,
        dist_sorted=dist_sorted,
        at_i=split + cols[None, :, None],
        at_j=split + cols[None, None, :],
        below=x[:, :, None] < x[:, None, :],
    )


def _votes_for(
    geo: _Geometry, w: FloatArray, live: BoolArray, rho: FloatArray | None, all_live: bool
) -> tuple[FloatArray, FloatArray]:
    """``S[q, i, j] = Σₖ wₖ max(0, dₖⱼ^ρₖ − dₖᵢ^ρₖ)`` (votes for i over j) and, per
    issue, ``Σₖ wₖ Σₐ Σ_b |dₖₐ^ρₖ − dₖ_b^ρₖ|`` (all votes in all contests).

    Voter ``k`` prefers ``i`` to ``j`` exactly when it lies on ``i``'s side of
    their midpoint, so with the voters sorted by position ``S`` is a difference
    of prefix sums: ``pref[t, j] − pref[t, i]`` over the ``t = split(i, j)``
    voters below the midpoint when ``xᵢ < xⱼ``, the complement otherwise (a
    voter exactly at the midpoint is indifferent and adds nothing either way).
    """
    m, n, _ = geo.dist.shape
    ws = np.take_along_axis(w, geo.order, axis=1)
    if rho is None:
        gs = geo.dist_sorted
    else:
        gs = geo.dist_sorted ** np.take_along_axis(rho, geo.order, axis=1)[:, :, None]
    pref = np.zeros((m, n + 1, n))
    terms = ws[:, :, None] * gs
    if n <= _BROADCAST_ACTORS:  # the same running sums as cumsum, faster over short axes
        for t in range(n):
            np.add(pref[:, t], terms[:, t], out=pref[:, t + 1])
    else:
        np.cumsum(terms, axis=1, out=pref[:, 1:, :])
    flat = pref.reshape(-1)
    diff = flat[geo.at_j]
    diff -= flat[geo.at_i]
    total = pref[:, n, :]  # (m, n)
    s = np.where(geo.below, diff, (total[:, None, :] - total[:, :, None]) - diff)
    np.maximum(s, 0.0, out=s)
    return s, _normaliser(gs, ws, live, all_live)


def _normaliser_sorted(gsorted: FloatArray, ws: FloatArray) -> FloatArray:
    """:func:`_normaliser` with every actor involved, from the rows of ``gs`` sorted."""
    n = gsorted.shape[1]
    coef = 2.0 * (2.0 * np.arange(n) - n + 1.0)
    return np.asarray((ws * (gsorted @ coef)).sum(axis=1))


def _normaliser(gs: FloatArray, ws: FloatArray, live: BoolArray, all_live: bool) -> FloatArray:
    """``Σₖ wₖ Σₐ Σ_b |gₖₐ − gₖ_b|`` per issue, for ``gs`` ``(m, n, n)`` with its
    rows (voters) in position order and ``ws`` their weights.

    Σₐ Σ_b |gₐ − g_b| = 2 Σₜ (2t − L + 1) g₍ₜ₎ over each voter's sorted g, the
    contests being between the L involved actors."""
    n = gs.shape[1]
    if all_live:
        return _normaliser_sorted(np.sort(gs, axis=2), ws)
    n_live = live.sum(axis=1, keepdims=True)  # (m, 1)
    ranks = np.arange(n)[None, :]
    coef2 = np.where(ranks < n_live, 2.0 * (2.0 * ranks - n_live + 1.0), 0.0)  # (m, n)
    gsorted = np.sort(np.where(live[:, None, :], gs, np.inf), axis=2)
    gsorted = np.where(np.isfinite(gsorted), gsorted, 0.0)
    return np.asarray((ws * np.einsum("qkt,qt->qk", gsorted, coef2)).sum(axis=1))


def _probabilities(
    geo: _Geometry,
    w: FloatArray,
    live: BoolArray,
    rho: FloatArray | None,
    mode: Probability,
    all_live: bool | None = None,
) -> FloatArray:
    s, everything = _votes_for(geo, w, live, rho, bool(live.all()) if all_live is None else all_live)
    with np.errstate(invalid="ignore", divide="ignore"):
        if mode == "scholz":
            p = s / everything[:, None, None]
        else:
            contest = s + s.swapaxes(1, 2)
            num = s if mode == "pairwise" else np.maximum(s - s.swapaxes(1, 2), 0.0)
            p = num / contest
    return np.asarray(np.where(np.isfinite(p), p, 0.0), dtype=float)


def _utilities(d: FloatArray, rho: FloatArray | None) -> tuple[FloatArray, FloatArray, FloatArray | float]:
    """``Us``, ``Uf`` and ``Usq`` for range-normalised distances ``d`` (``rho=None``: r = 1)."""
    if rho is None:
        return 2.0 * d, -2.0 * d, 0.0
    us = 2.0 - 4.0 * (0.5 - 0.5 * d) ** rho
    uf = 2.0 - 4.0 * (0.5 + 0.5 * d) ** rho
    return us, uf, 2.0 - 4.0 * 0.5**rho


def _expected_utility(
    utilities: tuple[FloatArray, FloatArray, FloatArray | float],
    d: FloatArray,
    d_mu: FloatArray,
    s_target: FloatArray,
    p: FloatArray,
    rho: FloatArray | None,
    params: BdmParams,
) -> FloatArray:
    """E(U) of a challenge (broadcasting); ``d_mu`` the challenger's distance to μ."""
    us, uf, usq = utilities
    # sⱼ[P·Us + (1 − P)·Uf] + (1 − sⱼ)·Us, rearranged
    value = us - s_target * (1.0 - p) * (us - uf)
    q, t = params.q, params.t
    if q == 1.0:
        return np.asarray(value - usq, dtype=float)
    r = 1.0 if rho is None else rho
    ub = 2.0 - 4.0 * (0.5 - 0.25 * (d_mu + d)) ** r
    uw = 2.0 - 4.0 * (0.5 + 0.25 * (d_mu + d)) ** r
    change = (1.0 - q) * (t * ub + (1.0 - t) * uw)
    no_challenge = q * usq - change if params.legacy_sign else q * usq + change
    return np.asarray(value - no_challenge, dtype=float)


def _risk_exponents(
    geo: _Geometry,
    w: FloatArray,
    s: FloatArray,
    d_mu: FloatArray,
    live: BoolArray,
    params: BdmParams,
    all_live: bool | None = None,
) -> FloatArray:
    m, n = w.shape
    if params.risk == "neutral":
        return np.ones((m, n))
    p1 = _probabilities(geo, w, live, None, params.probability, all_live)
    eu1 = _expected_utility(
        _utilities(geo.dist, None), geo.dist, d_mu[:, :, None], s[:, None, :], p1, None, params
    )
    pair = live[:, :, None] & live[:, None, :]
    pair &= ~np.eye(n, dtype=bool)[None]
    danger = _sum_axis1(np.where(pair, eu1, 0.0))  # others' E(U) of challenging each actor
    return _risk_from_danger(danger, live)


def _risk_from_danger(danger: FloatArray, live: BoolArray) -> FloatArray:
    """The risk exponents ``rᵢ`` from the actors' danger levels (step 4)."""
    hi = np.where(live, danger, -np.inf).max(axis=1, keepdims=True)
    lo = np.where(live, danger, np.inf).min(axis=1, keepdims=True)
    width = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        big_r = np.where(width > 0, (2.0 * danger - hi - lo) / width, 0.0)
    r = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
    return np.asarray(np.where(live, r, 1.0), dtype=float)


def _outcomes(own: FloatArray, est: FloatArray, valid: BoolArray) -> npt.NDArray[np.int8]:
    """The codes of :data:`OUTCOMES` for every dyad, from the first actor's side."""
    i_pos, j_pos = own > 0, est > 0
    i_neg, j_neg = own < 0, est < 0
    # the six cases exclude one another, so the code is a sum of (case × code)
    both = i_pos & j_pos
    give = i_neg & j_pos
    take = j_neg & i_pos
    lost = both & (est > own)
    codes = lost.astype(np.int8)  # 1
    codes += (both & ~lost).view(np.int8) * np.int8(2)
    comp = give & (est > -own)
    codes += comp.view(np.int8) * np.int8(3)
    codes += (give & ~comp).view(np.int8) * np.int8(5)
    won = take & (own > -est)
    codes += won.view(np.int8) * np.int8(4)
    codes += (take & ~won).view(np.int8) * np.int8(6)
    codes *= valid.view(np.int8)
    return codes


def _choose(
    x: FloatArray,
    codes: npt.NDArray[np.int8],
    offer: FloatArray,
    own: FloatArray,
    est: FloatArray,
    mode: OfferSelection,
) -> tuple[IntArray, BoolArray]:
    """The accepted offer per actor: index ``(m, n)`` and whether there is one."""
    move = np.abs(offer - x[:, :, None])
    if mode == "least_move":
        groups = [(np.isin(codes, _MOVING), move)]
    elif mode == "strongest":
        groups = [(np.isin(codes, _MOVING), -est)]
    else:
        if mode == "priority":
            comp_key = -est
        else:  # scholz_code
            xj = np.broadcast_to(x[:, None, :], own.shape)
            with np.errstate(invalid="ignore", divide="ignore"):
                comp_key = (np.abs(own) * x[:, :, None] + np.abs(est) * xj) / (np.abs(own) + np.abs(est))
        groups = [(codes == 1, move), (codes == 3, comp_key), (codes == 5, move)]
    m, n = x.shape
    chosen = np.zeros((m, n), dtype=np.int64)
    found = np.zeros((m, n), dtype=bool)
    for mask, key in groups:
        k = np.where(mask, key, np.inf)
        best = np.argmin(k, axis=2)
        has = _any_last(mask) & ~found
        chosen = np.where(has, best, chosen)
        found |= has
    return chosen, found
