"""What a forecast's numbers mean, issue by issue, in words.

Three checks an analyst makes before acting on a forecast:

* **Convergence** of the expected-utility (BDM) model
  (:mod:`.convergence`): ``bdm_converged``, and when it has not converged
  ``bdm_range`` — the lowest and highest median over the cycle it runs round
  (or over the second half of the rounds) — with the actors who drive the
  swing.  The last round alone is then not a forecast.
* **No agreement** in Nash bargaining: the solution is the reference point
  when every outcome but the reference leaves some actor worse off than no
  agreement (actors on both sides of it); ``nash_agreement`` is then false.
* **Decided by one actor**: the weighted median, and the BDM outcome when it
  has converged, are an actor's position; when exactly one actor holds it,
  that actor alone decides the forecast (``decided_by``), and the forecast is
  only as good as that actor's position (whether it is cited or an estimate
  is said).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Protocol

import numpy as np

from ..case.model import Conflict
from .bdm import BdmResult
from .data import BargainingData

__all__ = ["issue_verdicts", "position_basis"]

# Positions and forecasts closer than this fraction of the scale count as equal.
_RTOL = 1e-9


def position_basis(conflict: Conflict, data: BargainingData) -> np.ndarray:
    """Per actor and issue: ``"cited"`` (a source), ``"estimate"`` (an analyst's
    estimate) or ``""`` (no provenance) for the actor's position."""
    out = np.full((data.n_actors, data.n_issues), "", dtype=object)
    index = {k: i for i, k in enumerate(data.issues)}
    for a, actor in enumerate(conflict.actors):
        for key, est in actor.positions.items():
            prov = est.provenance
            if prov is not None and key in index:
                out[a, index[key]] = "estimate" if prov.estimate else "cited"
    return out


class _Forecast(Protocol):
    """What is read of a :class:`~backchannel.bargaining.forecast.ForecastResult`
    (a protocol, so that this module does not import the one that imports it)."""

    @property
    def data(self) -> BargainingData: ...
    @property
    def models(self) -> Sequence[str]: ...
    @property
    def forecasts(self) -> dict[str, np.ndarray]: ...
    @property
    def bdm_run(self) -> BdmResult | None: ...
    @property
    def basis(self) -> np.ndarray | None: ...


def _sole_holder(value: float, positions: np.ndarray, live: np.ndarray, tol: float) -> int | None:
    """The one weighted actor at ``value``, or None (nobody, or several)."""
    if not np.isfinite(value):
        return None
    at = np.flatnonzero(live & (np.abs(positions - value) <= tol))
    return int(at[0]) if at.size == 1 else None


def issue_verdicts(result: _Forecast) -> list[dict[str, Any]]:
    """Per issue of ``result``, the keys added to its JSON entry:
    ``bdm_converged``, ``bdm_range`` (not converged only), ``bdm_convergence``,
    ``nash_agreement`` (with a Nash forecast), ``decided_by`` and ``notes``
    (sentences)."""
    d = result.data
    weight = d.capability[:, None] * d.salience
    live = d.involved & (weight > 0)
    labels = dict(zip(d.actors, d.actor_labels, strict=True))
    conv = result.bdm_run.convergence(d.actors) if result.bdm_run is not None else None
    final = None
    if result.bdm_run is not None:
        final = np.asarray(result.bdm_run.positions)[-1].reshape(d.n_actors, -1)
    out: list[dict[str, Any]] = []
    for i in range(d.n_issues):
        lo, hi = (float(v) for v in d.scales[i])
        tol = _RTOL * max(1.0, hi - lo)
        entry: dict[str, Any] = {}
        notes: list[str] = []
        if conv is not None:
            c = conv[i]
            entry["bdm_converged"] = c.converged
            if not c.converged:
                entry["bdm_range"] = [round(c.low, 6), round(c.high, 6)]
            named = replace(c, drivers=tuple(labels[a] for a in c.drivers))
            sentence = named.sentence()
            entry["bdm_convergence"] = named.to_dict() | {"sentence": sentence}
            if not c.converged or c.status == "settled":  # worth saying beside the numbers
                notes.append(sentence)
        if "nash" in result.models:
            ref, nash = float(d.reference[i]), float(result.forecasts["nash"][i])
            if not np.isfinite(ref) or not np.isfinite(nash):
                entry["nash_agreement"] = None
            else:
                agree = bool(abs(nash - ref) > tol)
                entry["nash_agreement"] = agree
                if not agree:
                    below = [
                        d.actor_labels[k] for k in np.flatnonzero(live[:, i] & (d.position[:, i] < ref - tol))
                    ]
                    above = [
                        d.actor_labels[k] for k in np.flatnonzero(live[:, i] & (d.position[:, i] > ref + tol))
                    ]
                    why = ""
                    if below and above:
                        why = (
                            f": {_join(below)} want{'s' if len(below) == 1 else ''} less than it and "
                            f"{_join(above)} more, so any move leaves one side worse off than no agreement"
                        )
                    notes.append(
                        f"Nash bargaining: no agreement — the solution is the reference point {ref:.4g}{why}."
                    )
        decided: dict[str, str | None] = {}
        if "median" in result.models:
            decided["median"] = _decided(
                result, i, float(result.forecasts["median"][i]), d.position[:, i], tol
            )
        if "bdm" in result.models and final is not None:
            ok = conv is None or conv[i].converged
            decided["bdm"] = (
                _decided(result, i, float(result.forecasts["bdm"][i]), final[:, i], tol) if ok else None
            )
        if decided:
            entry["decided_by"] = decided
            for model, who in decided.items():
                if who is None:
                    continue
                k = d.actors.index(who)
                what = "The weighted median" if model == "median" else "The expected-utility outcome"
                basis = ""
                if result.basis is not None and model == "median":
                    b = result.basis[k, i]
                    basis = {
                        "estimate": " (an analyst estimate)",
                        "cited": " (cited from a source)",
                        "": " (without provenance)",
                    }[b]
                value = float(d.position[k, i]) if model == "median" else float(result.forecasts["bdm"][i])
                notes.append(
                    f"{what} is decided by {labels[who]} alone: it is that actor's position {value:.4g}"
                    f"{basis}, which no other actor holds, so the forecast moves with that one judgement."
                )
        entry["notes"] = notes
        out.append(entry)
    return out


def _decided(result: _Forecast, i: int, value: float, positions: np.ndarray, tol: float) -> str | None:
    d = result.data
    weight = d.capability * d.salience[:, i]
    k = _sole_holder(value, positions, d.involved[:, i] & (weight > 0), tol)
    return None if k is None else d.actors[k]


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
