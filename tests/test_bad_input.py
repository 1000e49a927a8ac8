"""Bad input: one paragraph naming the file, the place and the fix; exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import RunCli

GOOD = """\
title: Test
decision_makers:
  - name: a
    options:
      - name: x
    preferences:
      - x
  - name: b
    options:
      - name: y
      - name: z
    preferences:
      - y and not z
"""


def write(tmp_path: Path, text: str, name: str = "case.yaml") -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_good_case_is_valid(tmp_path: Path, run_cli: RunCli) -> None:
    code, out, _ = run_cli(["validate", write(tmp_path, GOOD)])
    assert code == 0
    assert "ok" in out and "8 feasible states" in out


BAD = [
    # (description, case text, substrings expected in the message, line)
    (
        "unknown option name",
        GOOD.replace("y and not z", "y and not zz"),
        ["unknown option 'zz'", "did you mean 'z'", "prioritization[0]"],
        13,
    ),
    (
        "decision maker without options",
        GOOD.replace("    options:\n      - name: x\n", "    options: []\n"),
        ["'a' has no options", "at least one option"],
        4,
    ),
    (
        "option controlled by two decision makers",
        GOOD.replace("- name: z", "- name: x"),
        ["'x' is controlled by both 'a' and 'b'", "exactly one controller"],
        11,
    ),
    (
        "ranking omits a state",
        GOOD.replace(
            "    preferences:\n      - x\n", "    preferences:\n      ranking: [1, 2, 3, 4, 5, 6, 7]\n"
        ),
        ["omits 1 of the 8 feasible states: 8"],
        7,
    ),
    (
        "ranking repeats a state",
        GOOD.replace(
            "    preferences:\n      - x\n",
            "    preferences:\n      ranking: [1, 2, 3, [4, 5], 6, 7, 8, 2]\n",
        ),
        ["state 2 appears twice"],
        7,
    ),
    (
        "pattern of the wrong length",
        GOOD + "infeasible:\n  - pattern: YY\n",
        ["has 2 characters but the conflict has 3 options"],
        15,
    ),
    (
        "no feasible state",
        GOOD + "infeasible:\n  - x\n  - not x\n",
        ["no state is feasible"],
        14,
    ),
    (
        "invalid YAML",
        GOOD.replace("  - name: b\n", "  - name: b\n   oops: [\n"),
        ["not valid YAML"],
        None,
    ),
    (
        "unknown field",
        GOOD.replace("title: Test", "titel: Test"),
        ["unknown field 'titel'", "backchannel schema"],
        1,
    ),
    (
        "bad reversibility",
        GOOD.replace("      - name: y\n", "      - name: y\n        reversible: sometimes\n"),
        ["both", "adopt-only", "withdraw-only"],
        11,
    ),
    (
        "state number out of range",
        GOOD + "status_quo: 9\n",
        ["state 9 does not exist", "8 feasible states"],
        14,
    ),
]


@pytest.mark.parametrize(("what", "text", "expected", "line"), BAD, ids=[b[0] for b in BAD])
def test_bad_case(
    tmp_path: Path,
    run_cli: RunCli,
    what: str,
    text: str,
    expected: list[str],
    line: int | None,
) -> None:
    path = write(tmp_path, text)
    for command in (["validate", path], ["analyze", path]):
        code, _, err = run_cli(command)
        assert code == 2, err
        assert "Traceback" not in err
        flat = " ".join(err.split())
        assert path in flat
        for s in expected:
            assert s in flat, (s, flat)
        if line is not None:
            assert f"line {line}" in flat, flat


def test_invalid_json(tmp_path: Path, run_cli: RunCli) -> None:
    path = write(tmp_path, '{"title": "x",\n "decision_makers": [}\n', "case.json")
    code, _, err = run_cli(["analyze", path])
    assert code == 2
    flat = " ".join(err.split())
    assert "not valid JSON" in flat and "line 2" in flat and path in flat


def test_missing_file(run_cli: RunCli) -> None:
    code, _, err = run_cli(["analyze", "no/such/case.yaml"])
    assert code == 2
    flat = " ".join(err.split())
    assert "no/such/case.yaml" in flat and "no such file" in flat and "backchannel cases" in flat


def test_binary_file(tmp_path: Path, run_cli: RunCli) -> None:
    p = tmp_path / "case.yaml"
    p.write_bytes(b"\xff\xfe\x00garbage\x80")
    code, _, err = run_cli(["analyze", str(p)])
    assert code == 2 and "UTF-8" in err


def test_too_many_states_is_refused_with_exit_1(tmp_path: Path, run_cli: RunCli) -> None:
    code, _, err = run_cli(["analyze", write(tmp_path, GOOD), "--max-states", "4"])
    assert code == 1
    flat = " ".join(err.split())
    assert "--max-states" in flat and "8" in flat


def test_huge_state_space_is_refused_before_it_is_built(tmp_path: Path, run_cli: RunCli) -> None:
    """4 decision makers × 10 options: 2**40 states are estimated, not enumerated."""
    dms = "".join(
        f"  - name: d{d}\n    options:\n"
        + "".join(f"      - name: o{d}_{i}\n" for i in range(10))
        + f"    preferences:\n      - o{d}_0\n"
        for d in range(4)
    )
    path = write(tmp_path, "decision_makers:\n" + dms)
    code, _, err = run_cli(["analyze", path])
    flat = " ".join(err.split())
    assert code == 1
    assert "1,099,511,627,776 feasible states" in flat and "--max-states" in flat


def test_alias_bomb_is_refused_quickly(tmp_path: Path, run_cli: RunCli) -> None:
    """A few lines of anchors and aliases that expand to 10**9 elements."""
    import time

    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
    )
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    t0 = time.perf_counter()
    code, _, err = run_cli(["validate", str(path)])
    assert time.perf_counter() - t0 < 5
    assert code == 2 and "bomb.yaml" in err and "aliases" in err and "Traceback" not in err


def test_anchors_and_aliases_within_reason_are_read(tmp_path: Path, run_cli: RunCli) -> None:
    """An anchor reused by an alias is ordinary YAML, and reads as if written out."""
    text = GOOD.replace("      - x\n", "      - &s x\n").replace(
        "      - y and not z\n", "      - y and not z\n      - *s\n"
    )
    assert "*s" in text
    code, out, err = run_cli(["validate", write(tmp_path, text)])
    assert code == 0, err
    assert "8 feasible states" in out
