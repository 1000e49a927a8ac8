"""Forecasts worth acting on: BDM convergence, Nash no-agreement, decisive actors.

Exact assertions use small hand-built cases; the flagship is a smoke check
(its judgements may be remodelled)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from backchannel.bargaining import bdm
from backchannel.bargaining.forecast import forecast
from backchannel.case.model import Conflict
from conftest import RunCli

# Four actors (found by search, then checked by hand below): from round 1 the
# positions alternate between two states, and the median with them, 30 ↔ 100.
CYCLE_C = [4.0, 5.0, 7.0, 9.0]
CYCLE_X = [0.0, 100.0, 50.0, 30.0]
CYCLE_S = [0.7, 0.6, 0.3, 0.3]


def test_a_two_round_cycle_is_found_with_its_range() -> None:
    r = bdm(CYCLE_C, CYCLE_X, CYCLE_S, rounds=8, scale=(0, 100))
    assert r.medians.tolist() == [30.0, 100.0, 30.0, 100.0, 30.0, 100.0, 30.0, 100.0, 30.0]
    # the state repeats: positions of round 3 are those of round 1
    assert (r.positions[3] == r.positions[1]).all() and not (r.positions[2] == r.positions[1]).all()
    (c,) = r.convergence(["a", "b", "c", "d"])
    assert (c.status, c.converged, c.period, c.first, c.last) == ("cycle", False, 2, 1, 3)
    assert (c.low, c.high) == (30.0, 100.0)
    assert c.drivers and set(c.drivers) <= {"a", "b", "c", "d"}
    assert "30 and 100" in c.sentence("x") and "not the last round" in c.sentence("x")
    # rounds="auto" stops as soon as the cycle is known
    auto = bdm(CYCLE_C, CYCLE_X, CYCLE_S, rounds="auto", scale=(0, 100))
    assert auto.rounds == 3 and auto.convergence()[0].status == "cycle"


def test_early_exit_equals_computing_every_round() -> None:
    """Issues that repeat leave the computation and their rounds are copied from
    the cycle: each round must equal a fresh one-round run from the round before."""
    rng = np.random.default_rng(5)
    n, m = 6, 12
    c = rng.integers(1, 10, n).astype(float)
    x = rng.integers(0, 11, (n, m)).astype(float) * 10
    s = rng.integers(1, 10, (n, m)) / 10
    r = bdm(c, x, s, rounds=12, scale=(0, 100))
    assert r.repeat is not None and (r.repeat >= 0).any()  # some issues did leave early
    for t in range(12):
        step = bdm(c, r.positions[t], s, rounds=1, scale=(0, 100))
        assert (step.positions[1] == r.positions[t + 1]).all()
        assert (step.medians[1] == r.medians[t + 1]).all()
        assert (step.accepted[0] == r.accepted[t]).all()


def test_fixed_point_and_unsettled() -> None:
    # everybody at one position: nothing moves, a fixed point from round 0
    r = bdm([1, 2, 3], [40, 40, 40], [0.5, 0.5, 0.5], rounds=4, scale=(0, 100))
    (c,) = r.convergence()
    assert (c.status, c.converged, c.period, c.first) == ("fixed_point", True, 1, 0)
    # cut the cycle short of its repeat: two rounds give no repeat and a moving median
    r = bdm(CYCLE_C, CYCLE_X, CYCLE_S, rounds=2, scale=(0, 100))
    (c,) = r.convergence()
    assert (c.status, c.converged, c.low, c.high) == ("unsettled", False, 30.0, 100.0)
    assert "has not converged after 2 rounds" in c.sentence()


def _case(reference: float, positions: dict[str, float], capability: dict[str, float]) -> Conflict:
    data: dict[str, Any] = {
        "title": "hand-built",
        "issues": {"x": {"label": "The issue", "reference": reference}},
        "actors": [
            {"name": k, "capability": capability[k], "positions": {"x": v}, "salience": {"x": 0.5}}
            for k, v in positions.items()
        ],
    }
    return Conflict.model_validate(data)


def test_nash_no_agreement_and_decided_by() -> None:
    # the reference 50 lies between a (20) and b, c (80): any move hurts one side
    r = forecast(_case(50, {"a": 20, "b": 80, "c": 70}, {"a": 1, "b": 3, "c": 1}), rounds=5)
    entry = r.to_dict()["issues"]["x"]
    assert entry["nash"] == 50.0 and entry["nash_agreement"] is False
    assert any(n.startswith("Nash bargaining: no agreement") and "a wants less" in n for n in entry["notes"])
    # b alone holds the weighted median (weight 1.5 of 2.5)
    assert entry["median"] == 80.0 and entry["decided_by"]["median"] == "b"
    assert any("decided by b alone" in n for n in entry["notes"])
    # the reference below everyone: an agreement, between the positions
    r = forecast(_case(0, {"a": 20, "b": 80, "c": 80}, {"a": 1, "b": 3, "c": 1}), rounds=5)
    entry = r.to_dict()["issues"]["x"]
    assert entry["nash_agreement"] is True and 20 < entry["nash"] < 80
    # two actors at the median: no single actor decides it
    assert entry["median"] == 80.0 and entry["decided_by"]["median"] is None


def test_forecast_json_carries_the_range_of_a_cycle() -> None:
    positions = dict(zip("abcd", CYCLE_X, strict=True))
    data: dict[str, Any] = {
        "issues": {"x": {"reference": 50}},
        "actors": [
            {"name": k, "capability": c, "positions": {"x": positions[k]}, "salience": {"x": s}}
            for k, c, s in zip("abcd", CYCLE_C, CYCLE_S, strict=True)
        ],
    }
    entry = forecast(Conflict.model_validate(data), rounds=8).to_dict()["issues"]["x"]
    assert entry["bdm_converged"] is False and entry["bdm_range"] == [30.0, 100.0]
    assert entry["bdm_convergence"]["status"] == "cycle" and entry["bdm_convergence"]["period"] == 2
    assert entry["decided_by"]["bdm"] is None  # an unconverged outcome is nobody's
    auto = forecast(Conflict.model_validate(data), rounds="auto").to_dict()
    assert auto["meta"]["parameters"]["rounds"] == "auto" and auto["meta"]["parameters"]["rounds_run"] == 3


def test_flagship_smoke(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["forecast", "ukraine-backchannel", "--format", "json"])
    assert code == 0
    issues = json.loads(out)["issues"]
    for entry in issues.values():
        assert isinstance(entry["bdm_converged"], bool)
        assert isinstance(entry["nash_agreement"], bool)
        if entry["bdm_converged"]:
            assert "bdm_range" not in entry
        else:
            lo, hi = entry["bdm_range"]
            assert lo < hi and any("not converge" in n for n in entry["notes"])
    assert any(not e["nash_agreement"] for e in issues.values())
    code, out, _ = run_cli(["forecast", "ukraine-backchannel", "--rounds", "auto"])
    assert code == 0 and "Forecast per issue" in out
    code, _, err = run_cli(["forecast", "ukraine-backchannel", "--rounds", "often"])
    assert code == 2 and "'auto'" in err


def test_table_shows_a_range(run_cli: RunCli, tmp_path: Any) -> None:
    path = tmp_path / "cycle.yaml"
    positions = dict(zip("abcd", CYCLE_X, strict=True))
    data = {
        "issues": {"x": {"reference": 50}},
        "actors": [
            {"name": k, "capability": c, "positions": {"x": positions[k]}, "salience": {"x": s}}
            for k, c, s in zip("abcd", CYCLE_C, CYCLE_S, strict=True)
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = run_cli(["forecast", str(path)])
    assert code == 0
    assert "↻ 30.0–100.0" in out and "does not converge" in out


@pytest.mark.parametrize("rounds", [0, -1])
def test_bad_rounds(run_cli: RunCli, rounds: int) -> None:
    code, _, err = run_cli(["forecast", "ec-emission-standards", "--rounds", str(rounds)])
    assert code == 2 and "at least one round" in err


def test_report_shows_the_range_and_the_verdicts() -> None:
    from backchannel.report.build import build_report

    positions = dict(zip("abcd", CYCLE_X, strict=True))
    data: dict[str, Any] = {
        "title": "cycle",
        "issues": {"x": {"reference": 50, "label": "The issue"}},
        "actors": [
            {"name": k, "capability": c, "positions": {"x": positions[k]}, "salience": {"x": s}}
            for k, c, s in zip("abcd", CYCLE_C, CYCLE_S, strict=True)
        ],
        "scenarios": {"high": "x >= 50", "low": "x < 50"},
    }
    html = build_report(Conflict.model_validate(data), samples=200, seed=1)
    assert "30.0–100.0 <span" in html and "(not converged)" in html
    assert "BDM low ↻ 30" in html and "BDM high ↻ 100" in html
    assert "does not converge" in html
    # the scenario section: forecasts within each future (no uncertainty: every sample alike)
    assert "Issue forecasts within each future" in html
