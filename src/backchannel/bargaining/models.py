"""Static spatial bargaining models and the ensemble view.

Every model takes the same three arrays, with actors on the first axis:

* ``capability`` — shape ``(n_actors,)`` or the shape of ``position``;
* ``position`` — shape ``(n_actors,)`` for one issue, ``(n_actors, n_issues)``
  for several (positions on each issue's own scale);
* ``salience`` — the shape of ``position``, or ``(n_actors,)``.

Each actor's weight is capability × salience.  A one-issue input gives a
``float``; a several-issue input gives an array of shape ``(n_issues,)``, one
forecast per issue, computed independently but in one vectorised pass.

The models:

* :func:`compromise` — the capability × salience weighted mean (Achen 2006;
  the strongest baseline on the EU legislative data of Thomson et al. 2006);
* :func:`weighted_median` — the position of the weighted median voter (Black
  1948), which is also the Condorcet winner among the actors' positions when
  utilities fall linearly with distance;
* :func:`nash_bargaining` — the asymmetric Nash bargaining solution with the
  reference point (status quo) as the disagreement outcome (Nash 1950; Kalai
  1977; applied to EU bargaining by Schneider, Finke & Bailer 2010);
* :func:`ensemble` — these and the dynamic expected-utility model
  (:func:`backchannel.bargaining.bdm.bdm`) side by side, with the spread
  across them.

>>> c = [.08, .08, .03, .16, .16, .16, .16, .05, .05, .08]
>>> x = [4, 7, 4, 4, 10, 10, 10, 7, 4, 7]
>>> s = [.8, .4, .2, .8, .6, .6, .9, .1, 1.0, .7]
>>> round(compromise(c, x, s), 2), weighted_median(c, x, s)
(7.39, 7.0)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..case.results import Result
from .arrays import ArrayLike, FloatArray, Forecast, _checked, _weighted_mean_rows, _weighted_median_rows
from .bdm import BdmParams, BdmResult, bdm

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EnsembleResult",
    "compromise",
    "ensemble",
    "nash_bargaining",
    "weighted_median",
]


# ---------------------------------------------------------------------------
# 1. Compromise model
# ---------------------------------------------------------------------------


def compromise(capability: ArrayLike, position: ArrayLike, salience: ArrayLike) -> Forecast:
    """The compromise model: the capability × salience weighted mean position.

    ``Σ cᵢ sᵢ xᵢ / Σ cᵢ sᵢ`` (Achen 2006, "Institutional realism and bargaining
    models" and "Evaluating political decision-making models", in Thomson,
    Stokman, Achen & König (eds), *The European Union Decides*).  It is what
    the Nash bargaining solution with quadratic losses tends to when the
    disagreement point is far from every position, and it was the most
    accurate of the models Achen compared on the EU legislative data.
    """
    inp = _checked(capability, position, salience)
    return inp.out(_weighted_mean_rows(inp.position, inp.weight))


# ---------------------------------------------------------------------------
# 2. Weighted median
# ---------------------------------------------------------------------------


def weighted_median(capability: ArrayLike, position: ArrayLike, salience: ArrayLike) -> Forecast:
    """The median voter's position, each actor weighted by capability × salience.

    With utilities that fall linearly with distance, the total weighted vote of
    position ``a`` against ``b`` is ``D(b) − D(a)`` with ``D(p) = Σ wᵢ|xᵢ − p|``,
    so the Condorcet winner among the actors' positions is the minimiser of
    ``D``: the weighted median (Black 1948).  When a position splits the weight
    exactly in half, the midpoint of the two tied medians is returned.
    """
    inp = _checked(capability, position, salience)
    return inp.out(_weighted_median_rows(inp.position, inp.weight))


# ---------------------------------------------------------------------------
# 3. Asymmetric Nash bargaining solution
# ---------------------------------------------------------------------------


def nash_bargaining(
    capability: ArrayLike,
    position: ArrayLike,
    salience: ArrayLike,
    reference: ArrayLike,
    *,
    utility: Literal["quadratic", "linear"] = "quadratic",
    iterations: int = 200,
) -> Forecast:
    """The asymmetric Nash bargaining solution, the reference point being the
    disagreement outcome.

    Maximises ``Π (uᵢ(x) − uᵢ(d))^wᵢ`` over the outcomes ``x`` that leave no
    actor worse off than the reference point ``d`` (Nash 1950; the asymmetric
    form of Kalai 1977, with bargaining power ``wᵢ`` = capability × salience),
    as in the EU bargaining comparisons of Achen (2006) and Schneider, Finke &
    Bailer (2010).  ``utility`` is ``uᵢ(x) = −(x − xᵢ)²`` (``"quadratic"``) or
    ``−|x − xᵢ|`` (``"linear"``); multiplying ``uᵢ`` by the salience would not
    change the solution (it rescales each factor), so salience acts through the
    weights only.

    The outcomes that no actor likes less than ``d`` form an interval (the
    intersection of each actor's ``[min(d, 2xᵢ − d), max(d, 2xᵢ − d)]``); the
    objective is log-concave there, and its maximum is found by bisection on
    the sign of its derivative ``Σ wᵢ uᵢ'(x)/(uᵢ(x) − uᵢ(d))``, which stays
    accurate when the reference is far away (where the logarithm of the
    product itself is too flat to locate the maximum in floating point).
    When the reference lies between actors' positions the interval shrinks to
    ``d`` itself, and the solution is ``d``: no agreement suits everyone better.
    Actors with weight 0 neither weigh nor constrain.  As the reference moves
    far from every position the solution tends to the compromise model
    (quadratic utility; Achen 2006) or to the weighted median (linear).

    ``reference`` is a number, or one per issue (shape ``(n_issues,)``); a NaN
    reference gives a NaN solution for that issue.
    """
    if utility not in ("quadratic", "linear"):
        raise ValueError(f"utility must be 'quadratic' or 'linear', not {utility!r}")
    if iterations < 1:
        raise ValueError("iterations must be ≥ 1")
    inp = _checked(capability, position, salience)
    d = np.asarray(reference, dtype=float)
    if d.ndim == 0:
        d = np.full(inp.n_issues, float(d))
    if d.shape != (inp.n_issues,):
        raise ValueError(f"reference must be a number or one per issue ({inp.n_issues},), not {d.shape}")
    x, w = inp.position, inp.weight
    live = w > 0
    known = np.isfinite(d)
    dd = np.where(known, d, 0.0)[:, None]
    # Individually rational outcomes: x no farther from xᵢ than d is, for every weighted actor.
    lo = np.where(live, np.minimum(dd, 2 * x - dd), -np.inf).max(axis=1)
    hi = np.where(live, np.maximum(dd, 2 * x - dd), np.inf).min(axis=1)
    wn = np.where(live, w / w.sum(axis=1, keepdims=True), 0.0)
    tiny = np.finfo(float).tiny

    def slope(p: FloatArray) -> FloatArray:
        """The derivative of Σ wᵢ log(uᵢ(p) − uᵢ(d)) (a supergradient at kinks)."""
        pc = p[:, None]
        if utility == "quadratic":  # (xᵢ − d)² − (p − xᵢ)², factored to avoid cancellation
            gain = (pc - dd) * (2 * x - pc - dd)
            rise = 2 * (x - pc)
        else:
            gain = np.abs(x - dd) - np.abs(pc - x)
            rise = np.sign(x - pc)
        with np.errstate(over="ignore", invalid="ignore"):  # ±inf at the ends is the right sign
            return np.asarray((wn * rise / np.maximum(gain, tiny)).sum(axis=1), dtype=float)

    a, b = lo.copy(), np.maximum(hi, lo)
    for _ in range(iterations):
        mid = 0.5 * (a + b)
        up = slope(mid) > 0
        a, b = np.where(up, mid, a), np.where(up, b, mid)
        if np.all(b - a <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(a) + np.abs(b))):
            break
    solution = np.where(hi - lo > 0, 0.5 * (a + b), dd[:, 0])
    return inp.out(np.where(known, solution, np.nan))


# ---------------------------------------------------------------------------
# 5. Ensemble
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class EnsembleResult(Result):
    """The forecasts of several models on the same data, and how far apart they are.

    ``forecasts[model]`` is a ``float`` (one issue) or an array ``(n_issues,)``.
    ``low``/``high``/``spread`` (= high − low) and ``std`` (population standard
    deviation) describe the disagreement *between models*: they are not a
    confidence interval, and a small spread means the models agree, not that
    the forecast is certain.  Models without a forecast for an issue (the Nash
    solution without a reference point) are left out of that issue's spread.
    """

    forecasts: dict[str, Forecast]
    low: Forecast
    high: Forecast
    spread: Forecast
    std: Forecast
    bdm: BdmResult | None = None
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.forecasts)

    def to_dict(self) -> dict[str, Any]:
        def plain(v: Forecast) -> Any:
            if isinstance(v, np.ndarray):
                return [None if not np.isfinite(e) else float(e) for e in v]
            return None if not np.isfinite(v) else float(v)

        return {
            "analysis": "bargaining_ensemble",
            "note": "low, high, spread and std describe disagreement between models, "
            "not a confidence interval",
            "parameters": self.parameters,
            "forecasts": {k: plain(v) for k, v in self.forecasts.items()},
            "low": plain(self.low),
            "high": plain(self.high),
            "spread": plain(self.spread),
            "std": plain(self.std),
            "bdm": None if self.bdm is None else self.bdm.to_dict(),
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per issue (one row for a one-issue input), one column per model."""
        import pandas as pd

        cols = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in self.forecasts.items()}
        for k in ("low", "high", "spread", "std"):
            cols[k] = np.atleast_1d(np.asarray(getattr(self, k), dtype=float))
        frame = pd.DataFrame(cols)
        frame.index.name = "issue"
        return frame


def ensemble(
    capability: ArrayLike,
    position: ArrayLike,
    salience: ArrayLike,
    *,
    reference: ArrayLike | None = None,
    rounds: int = 10,
    params: BdmParams | None = None,
    scale: ArrayLike | None = None,
    nash_utility: Literal["quadratic", "linear"] = "quadratic",
) -> EnsembleResult:
    """Run every model on the same data and report their forecasts and spread.

    The models: ``compromise``, ``weighted_median``, ``nash_bargaining`` (only
    when a ``reference`` point is given) and ``bdm`` (the median position after
    the last of ``rounds`` rounds of the dynamic expected-utility model with
    ``params``; ``scale`` is passed on to it).  The BDM run is kept in the
    result (``result.bdm``).
    """
    inp = _checked(capability, position, salience)
    forecasts: dict[str, Forecast] = {
        "compromise": compromise(capability, position, salience),
        "weighted_median": weighted_median(capability, position, salience),
    }
    if reference is not None:
        forecasts["nash_bargaining"] = nash_bargaining(
            capability, position, salience, reference, utility=nash_utility
        )
    params = params or BdmParams()
    run = bdm(capability, position, salience, rounds=rounds, params=params, scale=scale)
    forecasts["bdm"] = run.forecast
    table = np.stack([np.atleast_1d(np.asarray(v, dtype=float)) for v in forecasts.values()])
    finite = np.isfinite(table)
    masked = np.where(finite, table, np.nan)
    low = np.nanmin(masked, axis=0)
    high = np.nanmax(masked, axis=0)
    std = np.nanstd(masked, axis=0)
    return EnsembleResult(
        forecasts=forecasts,
        low=inp.out(low),
        high=inp.out(high),
        spread=inp.out(high - low),
        std=inp.out(std),
        bdm=run,
        parameters={
            "rounds": rounds,
            "bdm": asdict(params),
            "nash_utility": nash_utility if reference is not None else None,
        },
    )
