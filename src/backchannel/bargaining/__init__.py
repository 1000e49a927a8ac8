"""Spatial bargaining models: who gets what on a one-dimensional issue.

Pure numeric functions of capability, position and salience arrays
(``(n_actors,)`` for one issue, ``(n_actors, n_issues)`` for several):

* :func:`compromise` — capability × salience weighted mean (Achen 2006);
* :func:`weighted_median` — the weighted median voter (Black 1948);
* :func:`nash_bargaining` — the asymmetric Nash bargaining solution, the
  reference point as disagreement outcome (Nash 1950; Kalai 1977);
* :func:`bdm` — Bueno de Mesquita's dynamic expected-utility model as
  reconstructed by Scholz, Calbert & Smith (2011), with every open choice a
  field of :class:`BdmParams`;
* :func:`ensemble` — all of them side by side, with the spread across models.
"""

from __future__ import annotations

from .bdm import OUTCOMES, BdmParams, BdmResult, bdm
from .models import EnsembleResult, compromise, ensemble, nash_bargaining, weighted_median

__all__ = [
    "OUTCOMES",
    "BdmParams",
    "BdmResult",
    "EnsembleResult",
    "bdm",
    "compromise",
    "ensemble",
    "nash_bargaining",
    "weighted_median",
]
