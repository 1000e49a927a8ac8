"""The command line as a user meets it: commands, JSON shape, start-up cost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import RunCli


def test_analyze_json_shape(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["analyze", "elmira", "--format", "json"])
    assert code == 0
    data = json.loads(out)
    assert data["states"][0] == {
        "number": 1,
        "pattern": "NYNNN",
        "code": 2,
        "description": "delay",
        "scenarios": [],
        "payoffs": {"MoE": 3, "UR": 8, "LG": 5},
    }
    assert [s["number"] for s in data["states"]] == list(range(1, 13))
    assert set(data["stability"]) == {"MoE", "UR", "LG"}
    assert set(data["stability"]["UR"]) == {"nash", "gmr", "smr", "seq", "sim"}
    assert data["equilibria"]["nash"] == [5, 6, 7, 10, 11, 12]
    assert data["equilibria"]["gmr"] == [1, 4, 5, 6, 7, 10, 11, 12]
    assert data["status_quo"] == 1
    assert data["scenarios"]["plant_abandoned"]["equilibria"]["nash"] == [5, 6, 11, 12]
    assert len(data["meta"]["model_hash"]) == 64


def test_analyze_table(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["analyze", "syria-iraq"])
    assert code == 0
    assert "Equilibria" in out and "NYY" in out and "escalate, attack" in out
    assert "GMR" in out and "1, 6" in out


def test_analyze_selected_concepts(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["analyze", "chicken", "-c", "nash,seq", "-f", "json"])
    assert code == 0
    assert json.loads(out)["equilibria"] == {"nash": [2, 3], "seq": [2, 3]}
    code, _, err = run_cli(["analyze", "chicken", "-c", "nsh"])
    assert code == 2 and "unknown concept" in err


def test_cases_lists_bundled(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["cases", "--format", "json"])
    assert code == 0
    names = {c["name"] for c in json.loads(out)}
    assert {"prisoners-dilemma", "chicken", "syria-iraq", "elmira"} <= names


def test_schema_is_json_schema(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["schema"])
    assert code == 0
    sch = json.loads(out)
    assert sch["type"] == "object" and "decision_makers" in sch["properties"]
    assert "issues" in sch["properties"] and "actors" in sch["properties"]


def test_schema_validates_bundled_cases(run_cli: RunCli) -> None:
    import jsonschema
    import yaml

    from backchannel.case.casefile import _Loader, bundled_cases

    _, out, _ = run_cli(["schema"])
    sch = json.loads(out)
    checked = 0
    for path in bundled_cases().values():
        if str(path).endswith(".yaml"):
            data = yaml.load(Path(str(path)).read_text(), Loader=_Loader)
            jsonschema.validate(data, sch)
            checked += 1
    assert checked >= 4


def test_version(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["--version"])
    assert code == 0 and out.startswith("backchannel ")


def test_help_imports_no_heavy_library() -> None:
    """`backchannel --help` must stay instant: no numpy, pydantic or pandas."""
    code = (
        "import sys, backchannel.commands.cli\n"
        "heavy = [m for m in ('numpy', 'pydantic', 'pandas', 'yaml') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_import_has_no_side_effects() -> None:
    subprocess.run([sys.executable, "-W", "error", "-c", "import backchannel"], check=True)


def test_usage_errors_exit_2_without_traceback() -> None:
    """typer reports an unknown option or a missing argument itself (exit 2)."""
    for argv in (["analyze", "elmira", "--bogus"], ["analyze"], ["no-such-command"]):
        out = subprocess.run(
            [sys.executable, "-m", "backchannel.commands.cli", *argv],
            capture_output=True,
            text=True,
            check=False,
        )
        assert out.returncode == 2, (argv, out.stderr)
        assert "Traceback" not in out.stderr and "Usage" in out.stderr


def test_long_tables_are_plain_and_capped(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past RICH_ROWS rows the table is plain aligned text (linear in what is
    printed), and without --all at most SHOWN_ROWS states are listed, with a
    note; the equilibria table names every equilibrium (JSON gives all)."""
    from backchannel.commands import cli

    code, out, _ = run_cli(["analyze", "ukraine-backchannel", "-f", "json"])
    eq_nash = json.loads(out)["equilibria"]["nash"]
    monkeypatch.setattr(cli, "RICH_ROWS", 2)
    monkeypatch.setattr(cli, "SHOWN_ROWS", 3)
    code, out, _ = run_cli(["analyze", "ukraine-backchannel"])
    assert code == 0
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.lstrip().startswith("#  State"))
    assert set(lines[head + 1].replace(" ", "")) == {"-"}
    listed = [line for line in lines[head + 2 : head + 10] if line.strip()[:1].isdigit()]
    assert len(listed) == 3
    assert "the first 3 are listed" in out
    assert ", ".join(map(str, eq_nash)) in out or f"{len(eq_nash)} states" in out
    code, out_all, _ = run_cli(["analyze", "ukraine-backchannel", "--all"])
    assert code == 0 and "the first 3 are listed" not in out_all
    assert sum(1 for line in out_all.splitlines() if line.strip()[:1].isdigit()) >= 240
