"""Completes a scenario result with why: the method (exact or Monte Carlo),
the decomposition of exact probabilities, the diagnosis of every named future,
the cycles, what would make an impossible future possible, and a computed
summary.  Called once a run's batches are put together
(:func:`backchannel.scenarios.run.aggregate`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from ..gmcr.guidance import concept_guidance
from .diagnostics import cycles, diagnose, profiles
from .exact import MAX_COMBINATIONS, combinations, decomposition, why_not_exact
from .montecarlo import Prepared

#: The robust-equilibria rows of a result, from (prep, space, P(equilibrium), P(outcome)) per state.
RobustStates = Callable[[Prepared, Any, np.ndarray, np.ndarray], list[dict[str, Any]]]

__all__ = ["complete"]


def _r(x: float) -> float:
    return round(float(x), 6)


def low_high(kind: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The samples where a discrete input is low and high: an alternative its
    first form against the others, a statement or pair off against on."""
    return (x == 0, x > 0) if kind == "alternative" else (x == 0, x == 1)


def sensitivity_row(
    inp: Any, names: list[str], p_lo: np.ndarray, p_hi: np.ndarray, se_of: Callable[[int], float], z: float
) -> dict[str, Any]:
    """A sensitivity row: the futures' probabilities with the input low and
    high, the largest swing and its future.  The swing is significant above
    ``z`` standard errors (``se_of(future)``); with ``z`` 0 (exact
    probabilities, no error) above 1e-9."""
    diff = p_hi - p_lo
    s = int(np.argmax(np.abs(diff)))
    se = se_of(s)
    return {
        "input": inp.key,
        "label": inp.label,
        "description": inp.describe(),
        "kind": inp.kind,
        "swing": _r(abs(diff[s])),
        "scenario": names[s],
        "low": _r(p_lo[s]),
        "high": _r(p_hi[s]),
        "se": _r(se),
        "significant": bool(abs(diff[s]) > (z * se if z else 1e-9)),
        "effects": {names[k]: {"low": _r(p_lo[k]), "high": _r(p_hi[k])} for k in range(len(names))},
    }


def _exact_sensitivity(
    prep: Prepared, values: np.ndarray, weight: np.ndarray, classes: np.ndarray, names: list[str]
) -> list[dict[str, Any]]:
    """The sensitivity rows of :func:`~backchannel.scenarios.run.aggregate`, computed exactly:
    the futures' probabilities given each discrete input low (the statement dropped, the
    ordering as written, the pair reversed) and high."""
    rows: list[dict[str, Any]] = []
    for j, inp in enumerate(prep.inputs):
        if inp.kind == "numeric":
            continue
        lo_mask, hi_mask = low_high(inp.kind, values[:, j])
        w_lo, w_hi = weight[lo_mask].sum(), weight[hi_mask].sum()
        if w_lo <= 0 or w_hi <= 0:
            continue
        p_lo = weight[lo_mask] @ classes[lo_mask] / w_lo
        p_hi = weight[hi_mask] @ classes[hi_mask] / w_hi
        rows.append(sensitivity_row(inp, names, p_lo, p_hi, lambda s: 0.0, 0.0))
    rows.sort(key=lambda r: (-float(r["swing"]), str(r["input"])))
    return rows


def complete(
    prep: Prepared,
    result: Any,
    values: np.ndarray,
    robust_states: RobustStates,
    eq: np.ndarray | None = None,
    outcome: np.ndarray | None = None,
) -> Any:
    """``result`` (a :class:`~backchannel.scenarios.run.ScenarioResult`) with its probabilities
    made exact where they can be, and the reasons added; ``robust_states`` recomputes its
    robust-equilibria rows from exact probabilities; ``eq`` and ``outcome`` are the sampled
    per-state probabilities of being an equilibrium and the outcome."""
    from .summary import scenario_summary
    from .whatif import what_would_it_take

    extra: dict[str, Any] = dict(result.extra)
    space = prep.space
    reason = why_not_exact(prep)
    extra["method"] = "exact" if reason is None else "monte_carlo"
    if space is None:
        extra["why_not_exact"] = reason
        return replace(result, extra=extra)
    names = list(result.names)
    exact = reason is None
    if exact:
        combos = combinations(prep)
        p = np.round(combos.weight @ combos.classes, 6)  # as to_dict() gives them
        p[int(np.argmax(p))] += round(1.0 - float(p.sum()), 6)  # and still summing to 1
        prof = combos.profiles
        eq = combos.weight @ combos.eq
        outcome = combos.weight @ combos.outcome
        extra["sampled"] = {n: _r(x) for n, x in zip(names, result.p, strict=True)}
        extra["combinations"] = int(combos.weight.size)
        extra["decomposition"] = decomposition(prep, combos, names)
        result = replace(
            result,
            p=p,
            low=p.copy(),
            high=p.copy(),
            states=robust_states(prep, space, eq, outcome),
            sensitivity=_exact_sensitivity(prep, combos.values, combos.weight, combos.classes, names),
            unresolved=float(combos.weight[prof.counts == 0].sum()),
            convergence=[],  # nothing to converge: the sampled estimates are kept under "sampled"
        )
    else:
        extra["why_not_exact"] = reason
        extra["max_combinations"] = MAX_COMBINATIONS
        prof = profiles(prep, values)
    concept = prep.settings["concept"]
    if concept in ("gmr", "smr", "seq"):
        extra["guidance"] = concept_guidance(space, None, (concept,))
    if not exact:  # the kinds from every sample; the blockers from the combinations analysed
        extra["diagnostics_combinations"] = {"analysed": int(prof.weight.size), "complete": prof.complete}
    extra["diagnostics"] = diagnose(prep, prof, result.p, exact, eq, outcome)
    extra["cycles"] = cycles(prep, prof)
    in_cycles = min(float(result.p[-1]), sum(c["p"] for c in extra["cycles"]))
    extra["unclassified"] = {  # what "unclassified" holds: cycles, and outcomes no named future takes
        "p": _r(result.p[-1]),
        "cycles": _r(in_cycles),
        "no_named_future": _r(max(0.0, float(result.p[-1]) - in_cycles)),
    }
    extra["what_would_it_take"] = what_would_it_take(prep, extra["diagnostics"])
    result = replace(result, extra=extra)
    extra["summary"] = scenario_summary(prep, result)
    return result
