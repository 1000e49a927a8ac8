"""Bueno de Mesquita's dynamic expected-utility model of group decisions.

The model (Bueno de Mesquita 1994, "Political forecasting: an expected
utility method", in Bueno de Mesquita & Stokman (eds), *European Community
Decision Making*, Yale UP, 71–104) as reconstructed by Scholz, Calbert & Smith
(2011, "Unravelling Bueno De Mesquita's group decision model", *Journal of
Theoretical Politics* 23(4), 510–531).  Each round:

1. **Votes and the median.**  Actor ``k`` votes ``cₖsₖ(Uₖ(a) − Uₖ(b))`` for
   position ``a`` over ``b``, with ``Uₖ(a) = 1 − 2|xₖ − a|/range``.  The
   Condorcet winner among the actors' positions is the round's median
   ``μ``; with these linear utilities it is the capability × salience weighted
   median (see :func:`~backchannel.bargaining.models.weighted_median`).
2. **Probabilities of success.**  ``P(i beats j)`` = the votes cast for ``i``
   over ``j`` (each voter ``k`` counting ``cₖsₖ((dₖⱼ)^ρₖ − (dₖᵢ)^ρₖ)`` when
   positive, ``d`` being range-normalised distances), over a normaliser: see
   :class:`BdmParams` ``probability``.
3. **Expected utility of a challenge** by ``i`` against ``j``::

       E(Uᵢⱼ) = sⱼ[P·Us + (1 − P)·Uf] + (1 − sⱼ)·Us − Q·Usq − (1 − Q)[T·Ub + (1 − T)·Uw]

   with ``Us = 2 − 4(½ − ½dᵢⱼ)^r`` (success), ``Uf = 2 − 4(½ + ½dᵢⱼ)^r``
   (failure), ``Usq = 2 − 4(½)^r`` (status quo), and ``Ub``/``Uw`` the
   status quo getting better/worse, ``2 − 4(½ ∓ ¼(dᵢμ + dᵢⱼ))^r``.  The target's
   salience ``sⱼ`` is the probability that it resists.
4. **Risk exponents.**  With every ``r = 1``, each actor's *danger* is the sum
   of the others' expected utilities of challenging it; ``Rᵢ = (2·dangerᵢ − max
   − min)/(max − min)`` over the actors, and ``rᵢ = (1 − Rᵢ/3)/(1 + Rᵢ/3)`` ∈
   [½, 2].  Steps 2–3 are then redone with these exponents.
5. **Offers.**  Each actor ``i`` compares ``E(Uᵢⱼ)`` with its estimate of
   ``E(Uⱼᵢ)`` and classifies each dyad (from ``i``'s side; :data:`OUTCOMES`):
   *conflict* when both are positive (``i`` loses it, and moves to ``xⱼ``, when
   ``E(Uⱼᵢ) > E(Uᵢⱼ)``); *compromise* when ``E(Uᵢⱼ) < 0 < E(Uⱼᵢ)`` and
   ``E(Uⱼᵢ) > |E(Uᵢⱼ)|``: ``i`` moves to ``xᵢ + (xⱼ − xᵢ)|E(Uᵢⱼ)/E(Uⱼᵢ)|``;
   *capitulation* when ``E(Uᵢⱼ) < 0 < E(Uⱼᵢ) ≤ |E(Uᵢⱼ)|``: ``i`` moves to
   ``xⱼ``; otherwise the status quo.  Each actor accepts one of the offers it
   receives (``offer_selection``) and all move at once.

The published description leaves choices open; each is a field of
:class:`BdmParams`, whose defaults reproduce the published trajectory of the
EC emission-standards case (Scholz et al. 2011, Table 2; data from Bueno de
Mesquita 1994, p. 78) to within 0.3 in every round:

>>> c = [.08, .08, .03, .16, .16, .16, .16, .05, .05, .08]
>>> x = [4, 7, 4, 4, 10, 10, 10, 7, 4, 7]
>>> s = [.8, .4, .2, .8, .6, .6, .9, .1, 1.0, .7]
>>> bdm(c, x, s, rounds=8).medians.round(2).tolist()
[7.0, 8.42, 9.61, 9.96, 9.96, 9.96, 7.47, 8.82, 9.67]

(Table 2 prints 8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6: every round but the
second agrees to the digit printed, the table's digits being truncated.)

Implementation: the pairwise vote sums use the fact that voter ``k`` prefers
``i`` to ``j`` exactly when it lies on ``i``'s side of their midpoint, so
prefix sums over the actors sorted by position give all ``n²`` sums in
``O(n²)`` per issue (after the sort) instead of ``O(n³)``.  Issues are
independent and computed side by side.  A round runs on compiled loops over
the dyads (:mod:`.bdm_fast`); the NumPy computation over (issue, actor, actor)
arrays in :mod:`.bdm_kernel` is the reference they reproduce bit for bit, and
still runs the variants with ``Q < 1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from .._jit import use_kernels
from ..case.results import Result
from .arrays import ArrayLike, FloatArray, Forecast, _checked
from .convergence import Convergence, bdm_convergence

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MAX_ROUNDS", "OUTCOMES", "BdmParams", "BdmResult", "bdm"]

from .bdm_fast import RoundOut, Workspace, fast_round, supported, workspaces
from .bdm_kernel import (
    _choose,
    _expected_utility,
    _geometry,
    _outcomes,
    _probabilities,
    _risk_exponents,
    _utilities,
)
from .bdm_params import MAX_ROUNDS, OUTCOMES, BdmParams, BoolArray, IntArray
from .rows import latest_repeat, median_mean


@dataclass(frozen=True, eq=False)
class BdmResult(Result):
    """A run of the dynamic expected-utility model.

    Shapes, for ``R`` rounds and ``n`` actors, with a trailing issue axis
    ``m`` only when the input had several issues:

    * ``positions`` ``(R + 1, n[, m])`` — round 0 is the input;
    * ``medians`` ``(R + 1[, m])`` — the Condorcet (weighted) median of each
      round's positions; ``means`` likewise, the weighted mean;
    * ``risk`` ``(R, n[, m])`` — the risk exponents used in each round;
    * ``accepted`` ``(R, n[, m])`` — whose offer each actor accepted (``-1``:
      none), ``outcome`` ``(R, n, n[, m])`` the dyad codes of :data:`OUTCOMES`
      from the first actor's side;
    * ``eu_challenge`` ``(R, n, n[, m])`` — ``E(Uᵢⱼ)``, ``i``'s expected
      utility of challenging ``j``; ``eu_estimate`` — ``i``'s estimate of
      ``E(Uⱼᵢ)``; ``probability`` — ``P(i beats j)``.  These three are ``None``
      when the run was made with ``detail=False``.
    """

    params: BdmParams
    rounds: int
    capability: FloatArray
    salience: FloatArray
    scale: FloatArray
    positions: FloatArray
    medians: FloatArray
    means: FloatArray
    risk: FloatArray
    accepted: IntArray
    outcome: npt.NDArray[np.int8]
    eu_challenge: FloatArray | None = None
    eu_estimate: FloatArray | None = None
    probability: FloatArray | None = None
    multi: bool = False
    involved: BoolArray | None = field(default=None, repr=False)
    repeat: IntArray | None = field(default=None, repr=False)
    period: IntArray | None = field(default=None, repr=False)
    auto: bool = False

    def convergence(self, actors: Sequence[str] | None = None) -> list[Convergence]:
        """Per issue: whether the forecast has settled, and if not, its range
        and the actors who drive the swing (see :mod:`.convergence`)."""
        return bdm_convergence(self, actors)

    @property
    def forecast(self) -> Forecast:
        """The median after the last round (one per issue for several issues)."""
        last = self.medians[-1]
        return np.array(last) if self.multi else float(last)

    @property
    def n_actors(self) -> int:
        return int(self.positions.shape[1])

    def _issue_view(self, a: np.ndarray, issue: int | None) -> np.ndarray:
        if self.multi:
            if issue is None:
                raise ValueError("this run has several issues: say which (issue=…)")
            return np.asarray(a[..., issue])
        return a

    def moves(self, round: int | None = None) -> list[dict[str, Any]]:
        """Who moved in a round (1…R; all rounds when ``None``): the actor, the
        actor whose offer it accepted, the kind of offer, and from where to where."""
        rounds = range(1, self.rounds + 1) if round is None else [round]
        out: list[dict[str, Any]] = []
        for r in rounds:
            if not 1 <= r <= self.rounds:
                raise ValueError(f"round must be from 1 to {self.rounds}, not {r}")
            acc = self.accepted[r - 1]
            acc2 = acc if self.multi else acc[:, None]
            before = self.positions[r - 1] if self.multi else self.positions[r - 1][:, None]
            after = self.positions[r] if self.multi else self.positions[r][:, None]
            codes = self.outcome[r - 1] if self.multi else self.outcome[r - 1][..., None]
            for i, q in zip(*np.nonzero(acc2 >= 0), strict=True):
                j = int(acc2[i, q])
                move: dict[str, Any] = {"round": r}
                if self.multi:
                    move["issue"] = int(q)
                move.update(
                    actor=int(i),
                    towards=j,
                    kind=OUTCOMES[int(codes[i, j, q])],
                    **{"from": float(before[i, q]), "to": float(after[i, q])},
                )
                out.append(move)
        return out

    def interactions(self, round: int, issue: int | None = None) -> list[dict[str, Any]]:
        """Every dyad of a round that is not the status quo, from the first actor's side:
        its outcome, whether it challenges (``E(Uᵢⱼ) > 0``), both expected
        utilities and, for the outcomes that move it, where it would go."""
        if not 1 <= round <= self.rounds:
            raise ValueError(f"round must be from 1 to {self.rounds}, not {round}")
        if self.eu_challenge is None or self.eu_estimate is None:
            raise ValueError("this run was made with detail=False: rerun with detail=True")
        codes = self._issue_view(self.outcome[round - 1], issue)
        own = self._issue_view(self.eu_challenge[round - 1], issue)
        est = self._issue_view(self.eu_estimate[round - 1], issue)
        x = self._issue_view(self.positions[round - 1], issue)
        out = []
        for i, j in zip(*np.nonzero(codes), strict=True):
            code = int(codes[i, j])
            offer = None
            if code in (1, 5):
                offer = float(x[j])
            elif code == 3:
                offer = float(x[i] + (x[j] - x[i]) * abs(own[i, j] / est[i, j]))
            out.append(
                {
                    "actor": int(i),
                    "other": int(j),
                    "outcome": OUTCOMES[code],
                    "challenges": bool(own[i, j] > 0),
                    "eu_challenge": float(own[i, j]),
                    "eu_estimate": float(est[i, j]),
                    "offer": offer,
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        def plain(a: np.ndarray | None) -> Any:
            return None if a is None else np.asarray(a).tolist()

        return {
            "analysis": "bdm_expected_utility",
            "definitions": "Bueno de Mesquita (1994) as reconstructed by Scholz, Calbert & Smith (2011)",
            "parameters": asdict(self.params),
            "rounds": self.rounds,
            "issues": int(self.positions.shape[2]) if self.multi else None,
            "scale": plain(self.scale),
            "outcome_labels": list(OUTCOMES),
            "forecast": plain(np.asarray(self.forecast)),
            "medians": plain(self.medians),
            "means": plain(self.means),
            "positions": plain(self.positions),
            "risk": plain(self.risk),
            "accepted": plain(self.accepted),
            "moves": self.moves(),
            "outcome": plain(self.outcome),
            "eu_challenge": plain(self.eu_challenge),
            "eu_estimate": plain(self.eu_estimate),
            "probability": plain(self.probability),
            "involved": plain(self.involved),
            "convergence": [c.to_dict() for c in self.convergence()],
        }

    def to_dataframe(self) -> pd.DataFrame:
        """Long format: one row per round, issue and actor, with the position,
        the risk exponent used that round and whose offer was accepted."""
        import pandas as pd

        pos = self.positions if self.multi else self.positions[..., None]
        risk = self.risk if self.multi else self.risk[..., None]
        acc = self.accepted if self.multi else self.accepted[..., None]
        n_r, n, m = pos.shape
        r_idx, a_idx, q_idx = np.meshgrid(np.arange(n_r), np.arange(n), np.arange(m), indexing="ij")
        risk_full = np.concatenate([np.full((1, n, m), np.nan), risk])
        acc_full = np.concatenate([np.full((1, n, m), -1), acc])
        return pd.DataFrame(
            {
                "round": r_idx.ravel(),
                "issue": q_idx.ravel(),
                "actor": a_idx.ravel(),
                "position": pos.ravel(),
                "risk": risk_full.ravel(),
                "accepted": acc_full.ravel(),
            }
        )


def bdm(
    capability: ArrayLike,
    position: ArrayLike,
    salience: ArrayLike,
    *,
    rounds: int | Literal["auto"] = 10,
    params: BdmParams | None = None,
    scale: ArrayLike | None = None,
    involved: ArrayLike | None = None,
    detail: bool = False,
    max_rounds: int = MAX_ROUNDS,
) -> BdmResult:
    """Run the dynamic expected-utility model for ``rounds`` rounds, or with
    ``rounds="auto"`` until every issue repeats an earlier state (a fixed point
    or a cycle; see :meth:`BdmResult.convergence`), at most ``max_rounds``.

    ``capability``, ``position`` and ``salience`` as in
    :mod:`backchannel.bargaining.models`; saliences lie between 0 and 1 (a
    salience is the probability that the actor resists a challenge).
    ``scale`` — the range that normalises distances: ``None`` (default, as in
    Scholz et al.) uses the spread of the initial positions of each issue; or
    give ``(low, high)``, or one pair per issue ``(n_issues, 2)`` (for instance
    the issue scales of a case); positions must lie within it.
    ``involved`` — an optional boolean mask of the shape of ``position``:
    actors not involved in an issue neither vote, challenge nor are
    challenged there, do not count towards the risk exponents, and stay put.
    ``detail=True`` keeps the per-round pairwise matrices (``eu_challenge``,
    ``eu_estimate``, ``probability``; ``3 × rounds × issues × actors²`` numbers,
    4.8 GB at 1,000 actors, 10 issues and 20 rounds), which only
    :meth:`BdmResult.interactions` reads; they are left out by default.

    A round is a function of the positions alone, so once an issue's positions
    repeat those of an earlier round its future is known: the issue is dropped
    from the computation and its remaining rounds are copied from the cycle
    (the same numbers, bit for bit, as computing them).

    Several issues are run independently (as the published model does) but
    side by side in one vectorised computation.
    """
    params = params or BdmParams()
    if not isinstance(params, BdmParams):
        raise TypeError("params must be a BdmParams")
    auto = rounds == "auto"
    if auto:
        if int(max_rounds) != max_rounds or max_rounds < 1:
            raise ValueError(f"max_rounds must be a whole number ≥ 1, not {max_rounds!r}")
        rounds = int(max_rounds)
    elif isinstance(rounds, str) or int(rounds) != rounds or rounds < 0:
        raise ValueError(f"rounds must be a whole number ≥ 0 or 'auto', not {rounds!r}")
    rounds = int(rounds)
    inp = _checked(capability, position, salience, salience_max=1.0)
    m, n = inp.n_issues, inp.n_actors
    x = inp.position.copy()
    s = inp.salience
    if involved is None:
        live = np.ones((m, n), dtype=bool)
    else:
        mask = np.asarray(involved, dtype=bool)
        if mask.shape != np.asarray(position).shape:
            raise ValueError(f"involved must have the shape of position {np.asarray(position).shape}")
        live = np.array(mask.T if inp.multi else mask[None, :], dtype=bool)
    w = np.where(live, inp.weight, 0.0)
    if not (w.sum(axis=1) > 0).all():
        raise ValueError("an issue has no involved actor with weight (capability × salience > 0)")

    if scale is None:
        lows, highs = x.min(axis=1), x.max(axis=1)
    else:
        sc = np.asarray(scale, dtype=float)
        if sc.shape == (2,):
            sc = np.broadcast_to(sc, (m, 2))
        if sc.shape != (m, 2) or not np.isfinite(sc).all() or not (sc[:, 0] < sc[:, 1]).all():
            raise ValueError(
                f"scale must be (low, high) with low < high, or one such pair per issue ({m}, 2)"
            )
        lows, highs = sc[:, 0], sc[:, 1]
        if ((x < lows[:, None]) | (x > highs[:, None])).any():
            raise ValueError("a position lies outside the scale")
    span = highs - lows
    span = np.where(span > 0, span, 1.0)  # unanimity: nothing to normalise

    pos_hist = np.empty((rounds + 1, m, n))
    med_hist = np.empty((rounds + 1, m))
    mean_hist = np.empty((rounds + 1, m))
    risk_hist = np.empty((rounds, m, n))
    acc_hist = np.full((rounds, m, n), -1, dtype=np.int64)
    out_hist = np.zeros((rounds, m, n, n), dtype=np.int8)
    own_hist = np.empty((rounds, m, n, n)) if detail else None
    est_hist = np.empty((rounds, m, n, n)) if detail else None
    p_hist = np.empty((rounds, m, n, n)) if detail else None

    all_live = bool(live.all())  # decided once: the formula must not change as issues drop out
    pos_hist[0] = x
    med_hist[0], mean_hist[0] = median_mean(x, w)
    repeat = np.full(m, -1, dtype=np.int64)  # the round whose positions repeat an earlier one
    period = np.zeros(m, dtype=np.int64)  # how many rounds back (1: a fixed point)
    active = np.arange(m)
    done = rounds
    # the issues still computed: their rows of the inputs, kept until one leaves
    idx: slice | IntArray = slice(None)
    xa, mu = x, med_hist[0]
    wa, sa, la, spa = w, s, live, span
    spaces = workspaces()  # buffers the rounds reuse
    for k in range(rounds):
        if active.size == 0:
            break
        step = _round(xa, mu, spa, wa, sa, la, params, all_live, detail, spaces)
        r, codes, new_x, chosen, found = step.risk, step.codes, step.new_x, step.chosen, step.found
        own, est, p = step.own, step.est, step.probability
        del step

        risk_hist[k, idx] = r
        acc_hist[k, idx] = np.where(found, chosen, -1)
        out_hist[k, idx] = codes
        if own_hist is not None and est_hist is not None and p_hist is not None:
            assert own is not None and est is not None and p is not None
            own_hist[k, idx], est_hist[k, idx], p_hist[k, idx] = own, est, p
        del own, est, p, codes
        med, mean = median_mean(new_x, wa)
        pos_hist[k + 1, idx] = new_x
        med_hist[k + 1, idx] = med
        mean_hist[k + 1, idx] = mean
        # an issue whose positions equal those of an earlier round has entered a cycle
        latest = latest_repeat(pos_hist, active, k, new_x)
        hit = latest >= 0
        if hit.any():
            repeat[active[hit]] = k + 1
            period[active[hit]] = (k + 1 - latest)[hit]
            keep = ~hit
            active = active[keep]
            idx = active
            xa, mu = new_x[keep], med[keep]
            wa, sa, la, spa = w[active], s[active], live[active], span[active]
        else:
            xa, mu = new_x, med
    if auto:
        done = int(repeat.max()) if (repeat >= 0).all() else rounds
    # the issues that left early follow their cycle to the end
    for k in range(done):
        rows = np.flatnonzero((repeat >= 0) & (repeat <= k))
        if rows.size == 0:
            continue
        src = k - period[rows]
        per_round: list[np.ndarray | None] = [risk_hist, acc_hist, out_hist, own_hist, est_hist, p_hist]
        for h in per_round:
            if h is not None:
                h[k, rows] = h[src, rows]
        per_state: list[np.ndarray] = [pos_hist, med_hist, mean_hist]
        for h2 in per_state:
            h2[k + 1, rows] = h2[src + 1, rows]
    if done < rounds:
        pos_hist, med_hist, mean_hist = pos_hist[: done + 1], med_hist[: done + 1], mean_hist[: done + 1]
        risk_hist, acc_hist, out_hist = risk_hist[:done], acc_hist[:done], out_hist[:done]
        if own_hist is not None and est_hist is not None and p_hist is not None:
            own_hist, est_hist, p_hist = own_hist[:done], est_hist[:done], p_hist[:done]
    repeat = np.where(repeat > done, -1, repeat)
    period = np.where(repeat >= 0, period, 0)

    def shaped(a: np.ndarray | None, issue_axis: int) -> Any:
        if a is None:
            return None
        return np.moveaxis(a, issue_axis, -1) if inp.multi else np.take(a, 0, axis=issue_axis)

    scale_out = np.stack([lows, highs], axis=1)
    return BdmResult(
        params=params,
        rounds=done,
        capability=shaped(inp.capability, 0),
        salience=shaped(inp.salience, 0),
        scale=scale_out if inp.multi else scale_out[0],
        positions=shaped(pos_hist, 1),
        medians=shaped(med_hist, 1),
        means=shaped(mean_hist, 1),
        risk=shaped(risk_hist, 1),
        accepted=shaped(acc_hist, 1),
        outcome=shaped(out_hist, 1),
        eu_challenge=shaped(own_hist, 1),
        eu_estimate=shaped(est_hist, 1),
        probability=shaped(p_hist, 1),
        multi=inp.multi,
        involved=shaped(live, 0),
        repeat=repeat if inp.multi else repeat[:1],
        period=period if inp.multi else period[:1],
        auto=auto,
    )


#: Whether rounds run on the compiled kernels of :mod:`.bdm_fast` (where they
#: cover the parameters); ``False`` runs the NumPy reference everywhere (tests).
_FAST = True


def _worth_compiling(shape: tuple[int, ...]) -> bool:
    """Whether a round of ``shape`` (issues, actors) is worth the compiled
    kernels: once Numba is loaded always; before, from 2**16 dyads on (loading
    it costs about half a second, more than a small model); see
    :func:`backchannel._jit.use_kernels`.  Both forms give the same bits
    (``tests/test_bdm_fast.py``)."""
    m, n = shape
    return use_kernels(m * n * n, 1 << 16, once_loaded=True)


def _round(
    xa: FloatArray,
    mu: FloatArray,
    spa: FloatArray,
    wa: FloatArray,
    sa: FloatArray,
    la: BoolArray,
    params: BdmParams,
    all_live: bool,
    detail: bool,
    spaces: list[Workspace],
) -> RoundOut:
    """One round for the issues still computed: risk exponents, outcome codes,
    accepted offers and new positions (and the pairwise matrices with ``detail``)."""
    if _FAST and supported(params) and _worth_compiling(xa.shape):
        return fast_round(xa, spa, wa, sa, la, params, all_live, detail, spaces)
    return _reference_round(xa, mu, spa, wa, sa, la, params, all_live, detail)


def _reference_round(
    xa: FloatArray,
    mu: FloatArray,
    spa: FloatArray,
    wa: FloatArray,
    sa: FloatArray,
    la: BoolArray,
    params: BdmParams,
    all_live: bool,
    detail: bool,
) -> RoundOut:
    """:func:`_round` in NumPy arrays over (issue, actor, actor): the reference."""
    geo = _geometry(xa, spa)
    d_mu = np.abs(xa - mu[:, None]) / spa[:, None]
    r = _risk_exponents(geo, wa, sa, d_mu, la, params, all_live)
    p = _probabilities(geo, wa, la, r if params.risk_in_votes else None, params.probability, all_live)
    # own[q, i, j]: i's E(U) of challenging j, with rᵢ.
    rho = r[:, :, None]
    utilities = _utilities(geo.dist, rho)
    own = _expected_utility(utilities, geo.dist, d_mu[:, :, None], sa[:, None, :], p, rho, params)
    if params.perspective == "own":  # i's estimate of j challenging i, with rᵢ
        pt = p.swapaxes(1, 2)
        est = _expected_utility(utilities, geo.dist, d_mu[:, None, :], sa[:, :, None], pt, rho, params)
    else:  # j's own E(U) of challenging i
        est = own.swapaxes(1, 2).copy()
    codes = _outcomes(own, est, (la[:, :, None] & la[:, None, :]) & (geo.dist > 0))
    del geo, utilities
    xi, xj = xa[:, :, None], xa[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        offer = np.where(codes == 3, xi + (xj - xi) * np.abs(own / est), xj)
    chosen, found = _choose(xa, codes, offer, own, est, params.offer_selection)
    new_x = np.take_along_axis(offer, chosen[:, :, None], axis=2)[:, :, 0]
    del offer
    new_x = np.where(found, new_x, xa)

    return RoundOut(
        risk=r,
        codes=codes,
        new_x=new_x,
        chosen=chosen,
        found=found,
        own=own if detail else None,
        est=est if detail else None,
        probability=p if detail else None,
    )
