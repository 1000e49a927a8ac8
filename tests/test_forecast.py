"""Forecasts from cases and KTAB files, the command line, and backtesting."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from backchannel.bargaining.backtest import backtest, read_long_format
from backchannel.bargaining.forecast import forecast
from backchannel.case.casefile import load_case
from backchannel.errors import CaseError
from conftest import RunCli

DATA = Path(__file__).parent / "data"

# Scholz, Calbert & Smith (2011), Table 2: median position, rounds 1–8
SCHOLZ_TABLE_2 = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6]


def test_ec_emission_case_reproduces_the_published_figures() -> None:
    """The bundled EC case (data as published by Scholz et al. 2011): compromise
    7.39, weighted median 7, and the BDM medians of Table 2 within 0.3."""
    r = forecast(load_case("ec-emission-standards"), rounds=8)
    d = r.to_dict()["issues"]["emission_standards"]
    assert round(d["compromise"], 2) == 7.39
    assert d["median"] == 7.0
    assert d["nash"] is None  # no reference point in the published data
    rounds = d["bdm_rounds"]
    assert rounds[0] == 7.0 and len(rounds) == 9
    assert np.allclose(rounds[1:], SCHOLZ_TABLE_2, atol=0.3)


def test_forecast_json_shape(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["forecast", "ukraine-backchannel", "--format", "json"])
    assert code == 0
    issues = json.loads(out)["issues"]
    assert {"line_of_control", "nato_path", "sanctions_relief"} <= set(issues)
    for entry in issues.values():
        for key in ("compromise", "median", "nash", "bdm"):
            assert isinstance(entry[key], float)
        assert len(entry["bdm_rounds"]) == 11
        lo, hi = entry["scale"]
        assert all(lo <= x <= hi for x in entry["bdm_rounds"])
        assert entry["spread"]["low"] <= entry["compromise"] <= entry["spread"]["high"]


def test_forecast_table_and_selected_models(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["forecast", "ukraine-backchannel", "-m", "compromise,median"])
    assert code == 0
    assert "Compromise" in out and "Weighted" in out and "round by round" not in out
    assert "BDM" not in out
    code, _, err = run_cli(["forecast", "ukraine-backchannel", "-m", "oracle"])
    assert code == 2 and "unknown model 'oracle'" in err


def test_forecast_on_a_ktab_file(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["forecast", str(DATA / "ktab_3actors.csv"), "-f", "json"])
    assert code == 0
    issues = json.loads(out)["issues"]
    # weights capability × salience: dim_1 positions 20, 60, 80 with weights 50, 15, 135
    assert issues["dim_1"]["compromise"] == pytest.approx((20 * 50 + 60 * 15 + 80 * 135) / 200)
    assert issues["dim_1"]["median"] == 80.0


def test_plot_svg(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "forecast.svg"
    code, _out, _ = run_cli(["forecast", "ec-emission-standards", "--plot", str(path)])
    assert code == 0 and path.is_file()
    assert ET.parse(path).getroot().tag.endswith("svg")
    code, _, err = run_cli(["forecast", "ec-emission-standards", "--plot", str(tmp_path / "x.pdf")])
    assert code == 2 and ".svg or .png" in err


def _synthetic_long_format(seed: int, n_issues: int = 30, n_actors: int = 12) -> str:
    """Issues whose recorded outcome is the compromise plus a little noise: the
    compromise model must score best."""
    rng = np.random.default_rng(seed)
    lines = ["issue,actor,position,salience,capability,reference,outcome"]
    for i in range(n_issues):
        x = rng.uniform(0, 100, n_actors).round(1)
        s = rng.uniform(0.1, 1, n_actors).round(2)
        c = rng.uniform(0.1, 1, n_actors).round(2)
        ref = round(float(rng.uniform(0, 100)), 1)
        outcome = round(float(np.clip(np.sum(x * s * c) / np.sum(s * c) + rng.normal(0, 2), 0, 100)), 2)
        for a in range(n_actors):
            lines.append(f"issue{i},actor{a},{x[a]},{s[a]},{c[a]},{ref},{outcome}")
    return "\n".join(lines) + "\n"


def test_backtest_scores_models(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "deu.csv"
    path.write_text(_synthetic_long_format(1))
    code, out, _ = run_cli(["backtest", str(path), "--samples", "200", "--seed", "3", "-f", "json"])
    assert code == 0
    data = json.loads(out)
    models = data["models"]
    assert min(models, key=lambda m: models[m]["mae"]) == "compromise"
    for m in models.values():
        assert m["low"] <= m["mae"] <= m["high"]
    assert data["n_issues"] == 30 and data["bootstrap"] == {"samples": 200, "seed": 3, "interval": 0.95}
    # same seed, same intervals
    _code2, out2, _ = run_cli(["backtest", str(path), "--samples", "200", "--seed", "3", "-f", "json"])
    assert json.loads(out2)["models"] == models
    code, table, _ = run_cli(["backtest", str(path), "--samples", "50"])
    assert code == 0 and "Mean absolute error over 30 issues" in table


def test_backtest_errors_are_exact() -> None:
    data = read_long_format(_synthetic_long_format(2, n_issues=5), "x.csv")
    r = backtest(data, ["compromise", "median"], samples=10)
    cap = data.capability[:, None] * data.salience
    expected = np.sum(cap * data.position, axis=0) / np.sum(cap, axis=0)
    assert np.allclose(r.forecasts["compromise"], expected)
    assert r.mae["compromise"] == pytest.approx(float(np.mean(np.abs(expected - data.outcome))))


BAD_LONG = [
    ("issue,actor,position\n", "columns salience, capability, reference, outcome missing", 1),
    ("issue,actor,position,salience,capability,reference,outcome\ni,a,x,1,1,50,50\n", "position is 'x'", 2),
    (
        "issue,actor,position,salience,capability,reference,outcome\ni,a,150,1,1,50,50\n",
        "outside the scale",
        2,
    ),
    (
        "issue,actor,position,salience,capability,reference,outcome\ni,a,10,1,1,50,50\ni,b,10,1,1,50,60\n",
        "issue 'i' has reference/outcome 50/60 here but 50/50 on line 2",
        3,
    ),
]


@pytest.mark.parametrize(("text", "message", "line"), BAD_LONG)
def test_backtest_bad_input(tmp_path: Path, run_cli: RunCli, text: str, message: str, line: int) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    code, _, err = run_cli(["backtest", str(path)])
    flat = " ".join(err.split())
    assert code == 2 and message in flat and f"line {line}" in flat and "Traceback" not in flat, flat


def test_read_long_format_rejects_empty() -> None:
    with pytest.raises(CaseError, match="empty"):
        read_long_format("", "e.csv")
