"""The DEU long format of docs/deu-format.md, on a synthetic file in exactly that layout."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import RunCli

DEU = Path(__file__).parent / "data" / "deu3_long_synthetic.csv"


def _by_hand() -> dict[str, dict[str, float]]:
    """Compromise and weighted median per issue, computed from the rows directly."""
    rows: dict[str, list[tuple[float, float]]] = defaultdict(list)
    outcome: dict[str, float] = {}
    with DEU.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            w = float(r["capability"]) * float(r["salience"]) / 100  # saliences in percent
            rows[r["issue"]].append((float(r["position"]), w))
            outcome[r["issue"]] = float(r["outcome"])
    out = {}
    for issue, pw in rows.items():
        total = sum(w for _, w in pw)
        mean = sum(p * w for p, w in pw) / total
        acc, median = 0.0, None
        for p, w in sorted(pw):
            acc += w
            if acc >= total / 2:
                median = p
                break
        assert median is not None
        out[issue] = {"compromise": mean, "median": median, "outcome": outcome[issue]}
    return out


def test_backtest_reads_the_documented_layout(run_cli: RunCli) -> None:
    code, out, err = run_cli(["backtest", str(DEU), "--samples", "200", "--seed", "1", "-f", "json"])
    assert code == 0, err
    d = json.loads(out)
    hand = _by_hand()
    assert d["n_issues"] == 3 and set(d["issues"]) == set(hand)
    for issue, h in hand.items():
        got = d["issues"][issue]
        assert got["outcome"] == h["outcome"]
        assert got["compromise"]["forecast"] == pytest.approx(h["compromise"], abs=1e-6)
        assert got["median"]["forecast"] == pytest.approx(h["median"])
    mae = sum(abs(h["compromise"] - h["outcome"]) for h in hand.values()) / 3
    assert d["models"]["compromise"]["mae"] == pytest.approx(mae, abs=1e-6)
    # the Nash solution: the reference point where actors stand on both sides of it
    assert d["issues"]["2017/0003(COD)-1"]["nash"]["forecast"] == pytest.approx(50.0)


def test_saliences_above_100_are_refused(run_cli: RunCli, tmp_path: Path) -> None:
    text = DEU.read_text(encoding="utf-8").replace(",80,1,0,70,", ",180,1,0,70,", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    code, _, err = run_cli(["backtest", str(bad)])
    assert code == 2 and "salience is 180" in err and "0 to 100" in err
