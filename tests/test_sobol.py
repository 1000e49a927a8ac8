"""Variance-based sensitivity, conditional forecasts and the stopping rule of scenario runs."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from backchannel.case.model import Conflict
from backchannel.scenarios.extras import stop_after, wilson_half_width
from backchannel.scenarios.run import scenarios, wilson
from backchannel.scenarios.sobol import ishigami, ishigami_indices, sobol_indices
from conftest import RunCli


def test_ishigami_indices_agree_with_the_analytic_values() -> None:
    """Saltelli et al. (2010): S = (0.314, 0.442, 0), S_T = (0.558, 0.442, 0.244)."""
    first, total = ishigami_indices()
    assert first.round(3).tolist() == [0.314, 0.442, 0.0]
    assert total.round(3).tolist() == [0.558, 0.442, 0.244]
    r = sobol_indices(ishigami, 3, 20_000, np.random.default_rng(3), bootstrap=50)
    assert np.allclose(r.first[:, 0], first, atol=0.03)
    assert np.allclose(r.total[:, 0], total, atol=0.03)
    # the bootstrap errors are of the size of the deviations
    assert (r.first_se[:, 0] < 0.03).all() and (r.first_se[:, 0] > 0.001).all()


def test_additive_model_has_equal_first_and_total_indices() -> None:
    """Y = 3 u₁ + u₂ (no interaction): S = S_T = (0.9, 0.1, 0)."""
    r = sobol_indices(lambda u: 3 * u[:, 0] + u[:, 1], 3, 20_000, np.random.default_rng(4), bootstrap=0)
    assert np.allclose(r.first[:, 0], [0.9, 0.1, 0.0], atol=0.02)
    assert np.allclose(r.total[:, 0], [0.9, 0.1, 0.0], atol=0.02)


def _one_issue() -> Conflict:
    data: dict[str, Any] = {
        "issues": {"x": {}},
        "actors": [
            {"name": "p", "capability": 1, "positions": {"x": {"uniform": [0, 100]}}, "salience": {"x": 1}},
            {
                "name": "q",
                "capability": {"value": 1, "uniform": [0, 2]},
                "positions": {"x": 50},
                "salience": {"x": 1},
            },
        ],
        "scenarios": {"high_x": "x >= 75", "low_x": "x < 25"},
    }
    return Conflict.model_validate(data)


def test_conditional_forecasts_lie_in_their_future() -> None:
    r = scenarios(_one_issue(), samples=2000, seed=3, forecast_model="compromise")
    cond = r.to_dict()["conditional_forecasts"]
    assert set(cond) == {"high_x", "low_x"}  # named futures only
    hi, lo = cond["high_x"]["issues"]["x"], cond["low_x"]["issues"]["x"]
    assert 75 <= hi["low"] <= hi["median"] <= hi["high"] <= 100
    assert 0 <= lo["low"] <= lo["median"] <= lo["high"] < 25
    assert cond["high_x"]["samples"] == pytest.approx(r.probability("high_x") * 2000)


def test_stopping_rule_is_the_first_batch_that_is_narrow_enough() -> None:
    case = _one_issue()
    r = scenarios(case, until_halfwidth=0.03, seed=5, batch_size=100, forecast_model="compromise")
    n = r.samples
    assert r.stopping is not None and r.stopping["reached"] and r.stopping["samples"] == n
    # every named future within ±0.03 at n, not yet one batch earlier
    named = r.p[:-1]
    assert float(wilson_half_width(named, n).max()) <= 0.03
    lo, hi = wilson(named, n)
    assert float(((hi - lo) / 2).max()) <= 0.03
    earlier = r.convergence[-2]
    p_before = np.array([earlier["scenarios"][k] for k in ("high_x", "low_x")])
    assert float(wilson_half_width(p_before, n - 100).max()) > 0.03
    # the same batches as a fixed run of that size, and the same bytes for the same seed
    fixed = scenarios(case, samples=n, seed=5, batch_size=100, forecast_model="compromise")
    assert np.array_equal(fixed.p, r.p)
    again = scenarios(case, until_halfwidth=0.03, seed=5, batch_size=100, forecast_model="compromise")
    assert json.dumps(again.to_dict()) == json.dumps(r.to_dict())


def test_stopping_rule_cap() -> None:
    r = scenarios(_one_issue(), until_halfwidth=0.001, max_samples=300, seed=1, batch_size=100)
    assert r.samples == 300 and r.stopping is not None and not r.stopping["reached"]


def test_stop_after_counts_batches_in_order() -> None:
    sums = [np.array([50.0, 50.0]), np.array([60.0, 40.0]), np.array([55.0, 45.0])]
    assert stop_after(sums, [100, 100, 100], 1, 0.5) == 1
    assert stop_after(sums, [100, 100, 100], 1, 0.0001) is None
    h2 = float(wilson_half_width(np.array([110 / 200]), 200)[0])
    assert stop_after(sums, [100, 100, 100], 1, h2) == 2


def test_cli_sobol_and_precision(run_cli: RunCli, tmp_path: Any) -> None:
    path = tmp_path / "one.json"
    path.write_text(_one_issue().model_dump_json(by_alias=True, exclude_none=True), encoding="utf-8")
    code, out, _ = run_cli(
        [
            "scenarios",
            str(path),
            "--precision",
            "0.05",
            "--sobol",
            "200",
            "--seed",
            "2",
            "--no-store",
            "-f",
            "json",
        ]
    )
    assert code == 0
    d = json.loads(out)
    assert d["stopping"]["reached"] and d["samples"] == d["stopping"]["samples"]
    rows = {r["input"]: r for r in d["sobol"]["inputs"]}
    # the uniform position of p drives both futures; q's capability matters less
    top = d["sobol"]["inputs"][0]
    assert top["input"].startswith("actors.p.positions") and top["total"] > 0.5
    assert len(rows) == 2
    code, out, _ = run_cli(["scenarios", str(path), "-n", "500", "--no-store"])
    assert code == 0 and "Issue forecasts within each future" in out
    code, _, err = run_cli(["scenarios", str(path), "--precision", "0.7", "--no-store"])
    assert code == 2 and "--until-halfwidth" in err


def test_stopping_rule_is_the_same_on_a_process_pool() -> None:
    """The pool computes batches ahead (one per worker and more); the stopping point
    is still the first batch in index order that is narrow enough."""
    kw: dict[str, Any] = {
        "until_halfwidth": 0.04,
        "seed": 9,
        "batch_size": 50,
        "forecast_model": "compromise",
    }
    here = scenarios(_one_issue(), **kw)
    pool = scenarios(_one_issue(), backend="processes", workers=2, **kw)
    assert json.dumps(pool.to_dict()) == json.dumps(here.to_dict())
