"""Hostile and careless input (issue 17): each reproducer is refused with exit 2 and
one located paragraph, quickly, without a traceback. The workbench's side of
the same inputs is in ``test_web_hardening.py``."""

from __future__ import annotations

import io
import json
import os
import stat
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.case.textguard import JsonLines, json_line_map
from conftest import RunCli
from test_bad_input import GOOD as BAD_INPUT_GOOD

GOOD = BAD_INPUT_GOOD + "status_quo: NNN\n"  # the two-party case of test_bad_input, with a status quo

BARGAIN = """\
title: Bargain
issues:
  t:
    scale: [0, 100]
    reference: 50
actors:
  - name: a
    capability: CAP
    positions: {t: 10}
    salience: {t: 0.5}
  - name: b
    capability: 1
    positions: {t: 90}
    salience: {t: 0.9}
"""


def _json(text: str, **extra: object) -> str:
    import yaml

    data = yaml.safe_load(text)
    data.update(extra)
    return json.dumps(data, indent=1)


HUGE = "9" * 4400
PRISONERS = (Path(__file__).parent / "data" / "prisoners.gmcr").read_text(encoding="utf-8")

CASES = [
    # (id, file name, text, substrings of the message, line)
    ("surrogate-yaml", "c.yaml", GOOD.replace("title: Test", 'title: "\\ud800"'), ["lone surrogate"], 1),
    (
        "surrogate-json",
        "c.json",
        _json(GOOD).replace('"title": "Test"', '"title": "\\udfff"'),
        ["lone surrogate"],
        2,
    ),
    (
        "surrogate-in-key",
        "c.yaml",
        GOOD.replace("status_quo: NNN", '"\\ud800": 1'),
        ["lone surrogate"],
        None,
    ),
    (
        "huge-int-json",
        "c.json",
        _json(GOOD).replace('"status_quo": "NNN"', f'"status_quo": {HUGE}'),
        ["4,400 digits", "too large"],
        None,
    ),
    (
        "huge-int-gmcr",
        "c.gmcr",
        PRISONERS.replace('"payoffs": [2, 1, 4, 3]', f'"payoffs": [{HUGE}, 1, 4, 3]'),
        ["4,400 digits"],
        1,
    ),
    ("nan-json", "c.json", _json(GOOD).replace('"title": "Test"', '"title": NaN'), ["NaN"], 2),
    (
        "duplicate-key-yaml",
        "c.yaml",
        GOOD.replace("title: Test\n", "title: Test\ntitle: Again\n"),
        ["'title' appears twice", "lines 1 and 2"],
        2,
    ),
    (
        "duplicate-scenario-yaml",
        "c.yaml",
        GOOD + "scenarios:\n  deal: x\n  war: y\n  deal: z\n",
        ["'deal' appears twice", "lines 16 and 18"],
        18,
    ),
    (
        "duplicate-key-json",
        "c.json",
        _json(GOOD).replace('"title": "Test",', '"title": "Test",\n "title": "Again",'),
        ["'title' appears twice", "lines 2 and 3"],
        3,
    ),
    (
        "uncertain-pair-unknown-state",
        "c.yaml",
        GOOD.replace("      - x\n", "      prioritization: [x]\n      uncertain:\n        - [1, 99]\n"),
        ["state 99 does not exist", "uncertain[0]"],
        9,
    ),
    (
        "uncertain-pair-same-state",
        "c.yaml",
        GOOD.replace("      - x\n", "      prioritization: [x]\n      uncertain:\n        - [2, 2]\n"),
        ["names state 2 twice"],
        9,
    ),
    ("capability-1e308", "c.yaml", BARGAIN.replace("CAP", "1.0e+308"), ["beyond ±1e+12"], 8),
    ("capability-inf", "c.yaml", BARGAIN.replace("CAP", ".inf"), ["not a finite number"], 8),
    (
        "scale-1e308",
        "c.yaml",
        BARGAIN.replace("CAP", "1").replace("[0, 100]", "[-1.0e+308, 1.0e+308]"),
        ["beyond ±1e+12", "scale"],
        4,
    ),
    (
        "ktab-duplicate-actor",
        "c.csv",
        "S,desc,3,1\nActor,Description,Power,Pstn1,Sal1\nA,x,10,20,50\nB,y,5,80,60\nA,z,3,50,40\n",
        ["two actors are named 'A'", "lines 3 and 5"],
        5,
    ),
    (
        "ktab-huge-power",
        "c.csv",
        "S,desc,2,1\nActor,Description,Power,Pstn1,Sal1\nA,x,1e308,20,50\nB,y,5,80,60\n",
        ["beyond ±1e+12"],
        3,
    ),
]


@pytest.mark.parametrize(("what", "name", "text", "expected", "line"), CASES, ids=[c[0] for c in CASES])
def test_refused_with_exit_2(
    tmp_path: Path, run_cli: RunCli, what: str, name: str, text: str, expected: list[str], line: int | None
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    commands = [["validate", str(path)], ["analyze", str(path), "--format", "json"]]
    if name.endswith(".csv") or "Bargain" in text:
        commands[1] = ["forecast", str(path), "--format", "json"]
    if what.startswith("uncertain"):  # only the scenario analysis reads uncertain pairs
        commands[1] = ["scenarios", str(path), "--samples", "10", "--no-store"]
    for command in commands:
        code, out, err = run_cli(command)
        flat = " ".join(err.split())
        assert code == 2, (command, out, err)
        assert "Traceback" not in err and str(path) in flat
        for s in expected:
            assert s in flat, (s, flat)
        if line is not None:
            assert f"line {line}" in flat, flat


def test_surrogate_pairs_are_joined_into_one_character(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(GOOD.replace("title: Test", 'title: "\\ud83d\\ude00 ok"'), encoding="utf-8")
    code, out, err = run_cli(["analyze", str(path), "--format", "json"])
    assert code == 0, err
    assert json.loads(out)["case"] == "\U0001f600 ok"


def test_yaml_merge_keys_are_not_duplicates(tmp_path: Path, run_cli: RunCli) -> None:
    text = GOOD + "sources:\n  - &s {id: a, title: A}\n  - <<: *s\n    id: b\n"
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run_cli(["validate", str(path)])
    assert code == 0, err


def test_dev_zero_is_refused_without_reading(run_cli: RunCli) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    t0 = time.perf_counter()
    code, _, err = run_cli(["validate", "/dev/zero"])
    assert time.perf_counter() - t0 < 5
    assert code == 2 and "a device, not a regular file" in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_named_pipe_is_refused_without_hanging(tmp_path: Path, run_cli: RunCli) -> None:
    pipe = tmp_path / "case.yaml"
    os.mkfifo(pipe)
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    t0 = time.perf_counter()
    code, _, err = run_cli(["validate", str(pipe)])
    assert time.perf_counter() - t0 < 5
    assert code == 2 and "a named pipe, not a regular file" in err


def test_file_over_the_size_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backchannel.case import textguard
    from backchannel.errors import CaseError

    path = tmp_path / "c.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert textguard.read_bounded(path, "c.yaml", limit=len(GOOD)) == GOOD.encode()
    with pytest.raises(CaseError, match="larger than 100 bytes"):
        textguard.read_bounded(path, "c.yaml", limit=100)


def test_json_error_lines_in_a_large_file_are_found_quickly(tmp_path: Path, run_cli: RunCli) -> None:
    """20 MB of JSON with an error at its end: located in about the time of one parse
    (it took 30 s for 50 MB when lines came from re-reading the JSON as YAML)."""
    import yaml

    data = yaml.safe_load(GOOD)
    data["sources"] = [{"id": f"s{i}", "title": f"source {i}"} for i in range(250_000)]
    data["sources"][-1]["bogus"] = 1
    path = tmp_path / "big.json"
    text = json.dumps(data, indent=1)
    path.write_text(text, encoding="utf-8")
    bogus_line = text[: text.index('"bogus"')].count("\n") + 1
    t0 = time.perf_counter()
    code, _, err = run_cli(["validate", str(path)])
    took = time.perf_counter() - t0
    flat = " ".join(err.split())
    assert code == 2 and "unknown field 'bogus'" in flat and "sources[249999]" in flat
    assert f"line {bogus_line} " in flat, flat
    assert took < 20, took


def test_terminal_output_is_linear_in_its_length() -> None:
    """Printing a long title costs time proportional to it (rich's word wrapping
    was quadratic: a 10 MB title took 25 s)."""
    from rich.text import Text

    from backchannel.commands.common import console

    def cost(n: int) -> float:
        out = console()
        out.file = io.StringIO()
        t0 = time.perf_counter()
        out.print(Text("word " * n, style="bold"))
        return time.perf_counter() - t0

    cost(1000)
    small, large = min(cost(40_000) for _ in range(2)), min(cost(320_000) for _ in range(2))
    assert large < 20 * small + 0.05, (small, large)  # linear: ~8×; quadratic: ~64×


def test_validate_with_a_ten_megabyte_title(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(GOOD.replace("title: Test", "title: " + "word " * 2_000_000), encoding="utf-8")
    t0 = time.perf_counter()
    code, out, _ = run_cli(["validate", str(path)])
    assert code == 0 and out.startswith("ok: ")
    assert time.perf_counter() - t0 < 15  # 11.6 s before, of which most in wrapping; ~2 s now


def test_markup_in_a_title_is_printed_as_written(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(GOOD.replace("title: Test", 'title: "[/] [bold]x"'), encoding="utf-8")
    code, out, err = run_cli(["validate", str(path)])
    assert code == 0, err
    assert "[/] [bold]x" in out


# -- the JSON line map: the on-demand walk agrees with the full scan ----------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(json_values, st.integers(0, 2))
def test_json_lines_on_demand_agree_with_the_scan(value: object, indent: int) -> None:
    text = json.dumps(value, indent=indent or None)
    full = json_line_map(text)
    lazy = JsonLines(text)
    for path, line in full.items():
        assert path in lazy and lazy[path] == line, (path, text)
    assert ("no such key",) not in lazy


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_backtest_data_must_be_a_regular_file(tmp_path: Path, run_cli: RunCli) -> None:
    pipe = tmp_path / "data.csv"
    os.mkfifo(pipe)
    code, _, err = run_cli(["backtest", str(pipe)])
    assert code == 2 and "Traceback" not in err
    assert "no such file" in err or "not a regular file" in err
