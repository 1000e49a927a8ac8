"""Exact scenario probabilities when the uncertainty is discrete and enumerable.

When every uncertain input the named futures depend on is discrete — a
preference statement that holds or not, a choice among alternative orderings,
an uncertain pair of states — and their combinations number at most
:data:`MAX_COMBINATIONS`, the probabilities are a finite sum: each
combination is analysed once (as a Monte Carlo sample would be,
:func:`~backchannel.scenarios.montecarlo.evaluate_values`) and weighted by its
probability (the product of the inputs' probabilities, which are independent
as in the sampler).  Numeric inputs (issue positions, capabilities, …) are
ignored when no future's predicate reads the issue forecasts; otherwise the
result stays a Monte Carlo estimate.

The result says ``"method": "exact"`` and carries the *decomposition*: which
combination leads to which future, with its weight — the analyst's weights
passed through the model.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..case.uncertainty import UncertainInput
from .diagnostics import Profiles, profiles
from .montecarlo import Prepared, evaluate_values

__all__ = ["MAX_COMBINATIONS", "Combinations", "combinations", "describe_combination", "why_not_exact"]

#: The most combinations of discrete inputs enumerated exactly.
MAX_COMBINATIONS = 10_000
_DISCRETE = ("statement", "alternative", "pair")


def _levels(inp: UncertainInput) -> list[tuple[float, float]]:
    """(value, probability) of each level of a discrete input, zero-probability levels left out."""
    if inp.kind == "alternative":
        total = sum(inp.weights)
        levels = [(float(i), w / total) for i, w in enumerate(inp.weights)]
    else:
        levels = [(1.0, inp.value), (0.0, 1.0 - inp.value)]
    return [(v, p) for v, p in levels if p > 0]


def why_not_exact(prep: Prepared) -> str | None:
    """Why the probabilities of ``prep`` cannot be computed exactly; None when they can."""
    if prep.space is None:
        return (
            "the case is bargaining only: its futures read the issue forecasts, which have continuous inputs"
        )
    if prep.conflict.timeline:
        return (
            "the case has a timeline: when each phase ends and what each party knows are drawn per "
            "sample, and the phase-by-phase dynamics run on each draw"
        )
    numeric = [i for i in prep.inputs if i.kind == "numeric"]
    if numeric and any(c.quantities() for c in prep.conditions):
        return (
            "a future's predicate reads the issue forecasts, which depend on continuous inputs "
            f"({numeric[0].label}{' and others' if len(numeric) > 1 else ''})"
        )
    n = count(prep)
    if n > MAX_COMBINATIONS:
        return f"the discrete inputs have {n:,} combinations, more than {MAX_COMBINATIONS:,}"
    return None


def count(prep: Prepared) -> int:
    """How many combinations the discrete inputs have."""
    n = 1
    for inp in prep.inputs:
        if inp.kind in _DISCRETE:
            n *= len(_levels(inp))
    return n


@dataclass(frozen=True, eq=False)
class Combinations:
    """Every combination of the discrete inputs, with its probability and what it leads to."""

    values: np.ndarray  # (combinations, inputs), as drawn values (numeric inputs at their point values)
    weight: np.ndarray  # (combinations,), sums to 1
    classes: np.ndarray  # (combinations, futures + 1)
    profiles: Profiles  # their analysis: payoffs, stability, equilibria, outcomes

    @property
    def eq(self) -> np.ndarray:
        return self.profiles.eq

    @property
    def outcome(self) -> np.ndarray:
        return self.profiles.outcome


def combinations(prep: Prepared) -> Combinations:
    """Enumerate and analyse every combination (check :func:`why_not_exact` first)."""
    cols = [j for j, i in enumerate(prep.inputs) if i.kind in _DISCRETE]
    levels = [_levels(prep.inputs[j]) for j in cols]
    rows = list(itertools.product(*levels)) if cols else [()]
    m = len(rows)
    values = np.array([[inp.value for inp in prep.inputs]] * m, dtype=float).reshape(m, len(prep.inputs))
    weight = np.ones(m)
    for k, j in enumerate(cols):
        values[:, j] = [r[k][0] for r in rows]
        weight *= np.array([r[k][1] for r in rows])
    weight = weight / weight.sum()
    prof = profiles(prep, values, weight)
    out = evaluate_values(prep, 0, values, (prof.eq, prof.outcome, prof.counts))
    return Combinations(values, weight, out.classes, prof)


def describe_combination(prep: Prepared, row: np.ndarray) -> str:
    """What sets a combination apart from the preferences as written, in words."""
    parts = []
    for j, inp in enumerate(prep.inputs):
        if inp.kind not in _DISCRETE:
            continue
        v = row[j]
        who = prep.conflict.decision_makers[int(inp.target[1])]
        if inp.kind == "alternative" and v > 0:
            parts.append(f"{who.text}: alternative ordering {int(v)}")
        elif inp.kind == "statement" and v == 0:
            alt, k = int(inp.target[2]), int(inp.target[3])
            form = who.preferences if alt < 0 else who.preferences.alternatives[alt]
            st = form.prioritization[k].condition  # type: ignore[index]
            where = "" if alt < 0 else f" (alternative {alt + 1})"
            parts.append(f"{who.text} does not hold '{st}'{where}")
        elif inp.kind == "pair":
            a, b = who.preferences.uncertain[int(inp.target[2])].states
            parts.append(f"{who.text} prefers {a} to {b}" if v == 1 else f"{who.text} prefers {b} to {a}")
    return "; ".join(parts) if parts else "the preferences as written"


def decomposition(prep: Prepared, combos: Combinations, names: list[str]) -> list[dict[str, Any]]:
    """Each combination: its weight, what it is, and its futures (shares), heaviest first."""
    order = np.lexsort((np.arange(combos.weight.size), -combos.weight))
    rows = []
    for i in order:
        row = combos.values[i]
        rows.append(
            {
                "combination": describe_combination(prep, row),
                "weight": round(float(combos.weight[i]), 9),
                "futures": {names[k]: round(float(x), 9) for k, x in enumerate(combos.classes[i]) if x > 0},
                "outcomes": [int(s) + 1 for s in np.flatnonzero(combos.outcome[i] > 0)],
            }
        )
    return rows
