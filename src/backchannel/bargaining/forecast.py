"""Issue-by-issue forecasts of where bargaining lands, from a case.

:func:`forecast` runs the chosen models (:mod:`backchannel.bargaining.models`,
:mod:`backchannel.bargaining.bdm`) on every issue of a case and returns a
:class:`ForecastResult`: per issue the reference point, each model's forecast,
the spread across models, and for the dynamic model the median of each round
and who moved toward whom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..case.model import Conflict
from ..case.results import Result, _version
from ..errors import BackchannelError
from .bdm import MAX_ROUNDS, BdmParams, BdmResult, bdm
from .data import BargainingData, bargaining_data
from .models import compromise, nash_bargaining, weighted_median
from .verdicts import issue_verdicts, position_basis

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MODELS", "ForecastResult", "forecast"]

MODELS: tuple[str, ...] = ("compromise", "median", "nash", "bdm")
MODEL_LABELS = {
    "compromise": "Compromise (Achen 2006)",
    "median": "Weighted median",
    "nash": "Nash bargaining",
    "bdm": "Expected utility (BDM)",
}


@dataclass(frozen=True, eq=False)
class ForecastResult(Result):
    """Forecasts per issue and model; ``bdm_run`` keeps the dynamic model's run."""

    data: BargainingData
    models: tuple[str, ...]
    forecasts: dict[str, np.ndarray]  # model → (n_issues,), NaN where not computable
    bdm_run: BdmResult | None
    title: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    basis: np.ndarray | None = None  # (actors, issues): "cited", "estimate" or "" for each position

    def verdicts(self) -> list[dict[str, Any]]:
        """Per issue, what the numbers mean: whether the expected-utility model
        converged (and its range if not), whether Nash bargaining reaches an
        agreement, and whether one actor decides the median or the BDM outcome;
        each with a sentence (see :mod:`.verdicts`)."""
        return issue_verdicts(self)

    def spread(self) -> tuple[np.ndarray, np.ndarray]:
        """Lowest and highest forecast per issue across the models (NaN ignored)."""
        table = np.array([self.forecasts[m] for m in self.models])
        with np.errstate(all="ignore"):
            return np.nanmin(table, axis=0), np.nanmax(table, axis=0)

    def bdm_rounds(self, i: int) -> list[float]:
        """Median of each round of the dynamic model on issue ``i`` (round 0 first)."""
        if self.bdm_run is None:
            return []
        med = np.asarray(self.bdm_run.medians)
        return [float(v) for v in (med[:, i] if med.ndim == 2 else med)]

    def bdm_moves(self, i: int) -> list[dict[str, Any]]:
        """Who moved toward whom on issue ``i``, round by round, with actor names."""
        if self.bdm_run is None:
            return []
        out = []
        for mv in self.bdm_run.moves():
            if mv.get("issue", 0) != i:
                continue
            out.append(
                {
                    "round": mv["round"],
                    "actor": self.data.actors[mv["actor"]],
                    "towards": self.data.actors[mv["towards"]],
                    "kind": mv["kind"],
                    "from": round(mv["from"], 4),
                    "to": round(mv["to"], 4),
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        d = self.data
        low, high = self.spread()
        verdicts = self.verdicts()
        issues: dict[str, Any] = {}
        for i, name in enumerate(d.issues):
            entry: dict[str, Any] = {
                "label": d.issue_labels[i],
                "scale": [float(x) for x in d.scales[i]],
                "reference": _num(d.reference[i]),
                "outcome": _num(d.outcome[i]),
            }
            for m in self.models:
                entry[m] = _num(self.forecasts[m][i])
            entry["spread"] = {"low": _num(low[i]), "high": _num(high[i])}
            if "bdm" in self.models:
                entry["bdm_rounds"] = self.bdm_rounds(i)
                entry["bdm_moves"] = self.bdm_moves(i)
            entry.update(verdicts[i])
            issues[name] = entry
        return {
            "case": self.title,
            "models": list(self.models),
            "actors": [
                {"name": a, "label": d.actor_labels[k], "capability": float(d.capability[k])}
                for k, a in enumerate(d.actors)
            ],
            "issues": issues,
            "meta": {
                "analysis": "forecast",
                "definitions": "Achen (2006); Black (1948); Nash (1950); Scholz, Calbert & Smith (2011)",
                "parameters": self.parameters,
                "backchannel_version": _version(),
            },
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per issue: reference, each model's forecast, the spread."""
        import pandas as pd

        low, high = self.spread()
        data: dict[str, Any] = {
            "issue": list(self.data.issues),
            "label": list(self.data.issue_labels),
            "reference": self.data.reference,
        }
        for m in self.models:
            data[m] = self.forecasts[m]
        data["low"] = low
        data["high"] = high
        return pd.DataFrame(data).set_index("issue")


def _num(v: float) -> float | None:
    return None if not np.isfinite(v) else round(float(v), 6)


def forecast(
    model: Conflict | BargainingData,
    models: Sequence[str] = MODELS,
    *,
    rounds: int | Literal["auto"] = 10,
    params: BdmParams | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> ForecastResult:
    """Run the bargaining models on every issue of a case.

    ``models`` from :data:`MODELS`. The Nash bargaining solution needs an
    issue's reference point (NaN where none is given). The dynamic model runs
    ``rounds`` rounds on each issue's own scale, with the actors that take no
    position on an issue left out of it; ``rounds="auto"`` runs it until every
    issue repeats an earlier state (converged, or a cycle found), at most
    ``max_rounds``.
    """
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise BackchannelError(f"unknown model {unknown[0]!r}: choose from {', '.join(MODELS)}")
    if rounds != "auto" and (isinstance(rounds, str) or rounds < 1):
        raise BackchannelError(f"the dynamic model needs at least one round, or 'auto' (got {rounds!r})")
    if max_rounds < 1:
        raise BackchannelError(f"the cap of --rounds auto must be at least one round (got {max_rounds})")
    title = ""
    basis = None
    if isinstance(model, Conflict):
        title = model.title
        data = bargaining_data(model)
        basis = position_basis(model, data)
    else:
        data = model
    cap = data.capability[:, None] * np.ones((1, data.n_issues))
    x, s = data.position, data.salience
    out: dict[str, np.ndarray] = {}
    run: BdmResult | None = None
    models = tuple(m for m in MODELS if m in models)
    for m in models:
        if m == "compromise":
            out[m] = np.atleast_1d(compromise(cap, x, s)).astype(float)
        elif m == "median":
            out[m] = np.atleast_1d(weighted_median(cap, x, s)).astype(float)
        elif m == "nash":
            out[m] = np.atleast_1d(nash_bargaining(cap, x, s, data.reference)).astype(float)
        else:
            run = bdm(
                cap,
                x,
                s,
                rounds=rounds,
                params=params or BdmParams(),
                scale=data.scales,
                involved=data.involved,
                max_rounds=max_rounds,
            )
            out[m] = np.atleast_1d(np.asarray(run.forecast, dtype=float))
    parameters: dict[str, Any] = {"models": list(models), "rounds": rounds}
    if rounds == "auto":
        parameters["max_rounds"] = max_rounds
        parameters["rounds_run"] = None if run is None else run.rounds
    parameters["bdm"] = (params or BdmParams()).__dict__
    return ForecastResult(data, models, out, run, title, parameters, basis)
