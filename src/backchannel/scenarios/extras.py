"""What a scenario run adds beyond the probabilities: conditional forecasts,
a stopping rule, and variance-based sensitivity.

* :func:`conditional_forecasts` — for each named future, the distribution of
  each issue's forecast among the samples that end in it ("if talks expand,
  where does the line of control land?"): its median and 90% range, each
  sample weighted by the share of its outcome that goes to the future (a
  sample split between two equilibria counts half in each).
* :func:`stop_after` — the stopping rule of ``--until-halfwidth``: the first
  batch after which every named future's 95% Wilson interval is at most the
  given half-width.  Batches are taken in index order and batch *i* always
  draws from ``SeedSequence(seed, spawn_key=(i,))``, so the stopping point,
  and the result, do not depend on the backend or on how many batches were
  computed ahead.
* :func:`scenario_sobol` — Sobol first-order and total indices
  (:mod:`backchannel.scenarios.sobol`) of each scenario's probability with respect to
  each uncertain input, from a separate pick-and-freeze design of
  ``base × (inputs + 2)`` samples drawn from ``SeedSequence(seed,
  spawn_key=(0, 1))`` (a key no batch uses).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .montecarlo import Prepared, evaluate_uniform
from .sobol import sobol_indices

__all__ = ["conditional_forecasts", "scenario_sobol", "stop_after", "wilson_half_width"]

Z95 = 1.959963984540054


def _r(x: float, nd: int = 4) -> float:
    return round(float(x), nd)


def conditional_forecasts(
    prep: Prepared, names: Sequence[str], classes: np.ndarray, forecasts: np.ndarray
) -> dict[str, Any]:
    """Per named future (``names`` without ``unclassified``), its weight (samples
    ending in it) and per issue the weighted median and 5%–95% range of the
    forecasts among them."""
    data = prep.data
    if data is None or forecasts.shape[1] == 0:
        return {}
    out: dict[str, Any] = {}
    for s, name in enumerate(names):
        if name == "unclassified":
            continue
        w = classes[:, s]
        entry: dict[str, Any] = {"samples": _r(w.sum(), 2), "issues": {}}
        for i, key in enumerate(data.issues):
            col = forecasts[:, i]
            keep = np.isfinite(col) & (w > 0)
            if not keep.any():
                continue
            lo, med, hi = np.quantile(col[keep], [0.05, 0.5, 0.95], weights=w[keep], method="inverted_cdf")
            entry["issues"][key] = {
                "label": data.issue_labels[i],
                "median": _r(med),
                "low": _r(lo),
                "high": _r(hi),
            }
        out[name] = entry
    return out


def wilson_half_width(p: np.ndarray, n: int) -> np.ndarray:
    """Half the width of the 95% Wilson score interval of proportions ``p`` of ``n``
    (clipped to [0, 1] as the reported interval is)."""
    p = np.asarray(p, dtype=float)
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * np.sqrt(np.maximum(p * (1 - p), 0) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = np.where(p <= 0, 0.0, np.clip(centre - half, 0, 1))
    high = np.where(p >= 1, 1.0, np.clip(centre + half, 0, 1))
    return np.asarray((high - low) / 2)


def stop_after(
    sums: Sequence[np.ndarray], sizes: Sequence[int], n_named: int, half_width: float
) -> int | None:
    """How many of the batches (in index order; ``sums[i]`` the summed class
    weights of batch *i*, ``sizes[i]`` its samples) are needed until the
    named futures' (the first ``n_named`` classes) 95% intervals are all at
    most ``half_width``; ``None`` when these batches are not enough."""
    acc = np.zeros_like(np.asarray(sums[0], dtype=float)) if sums else np.zeros(0)
    n = 0
    for i, (s, size) in enumerate(zip(sums, sizes, strict=True)):
        acc = acc + s
        n += size
        if n_named == 0 or float(wilson_half_width(acc[:n_named] / n, n).max()) <= half_width:
            return i + 1
    return None


def scenario_sobol(prep: Prepared, base: int, seed: int, labels: Sequence[str]) -> dict[str, Any]:
    """Sobol indices of every scenario's probability (``labels``: the bucket names,
    ``unclassified`` last) with respect to every uncertain input."""
    k = len(prep.inputs)
    if k == 0:
        return {"base_samples": base, "evaluations": 0, "inputs": []}
    batch = int(prep.settings.get("batch_size", 250))

    def model(u: np.ndarray) -> np.ndarray:
        parts = [evaluate_uniform(prep, -1, u[a : a + batch]).classes for a in range(0, u.shape[0], batch)]
        return np.concatenate(parts)

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0, 1)))
    res = sobol_indices(model, k, base, rng)
    rows = []
    for j, inp in enumerate(prep.inputs):
        by = {
            name: {
                "first": _r(res.first[j, s]),
                "total": _r(res.total[j, s]),
                "first_se": _r(res.first_se[j, s]),
                "total_se": _r(res.total_se[j, s]),
            }
            for s, name in enumerate(labels)
            if res.variance[s] > 0
        }
        if not by:
            continue
        top = max(by, key=lambda name: (by[name]["total"], name))
        rows.append(
            {
                "input": inp.key,
                "label": inp.label,
                "description": inp.describe(),
                "scenario": top,
                "first": by[top]["first"],
                "total": by[top]["total"],
                "by_scenario": by,
            }
        )
    rows.sort(key=lambda r: (-float(r["total"]), str(r["input"])))  # type: ignore[arg-type]
    return {
        "method": "Saltelli (2002) design; first order Saltelli et al. (2010), total Jansen (1999)",
        "base_samples": base,
        "evaluations": base * (k + 2),
        "note": "indices of each scenario's probability; first: the input alone, total: with interactions; "
        "standard errors by bootstrap over the base samples",
        "inputs": rows,
    }
