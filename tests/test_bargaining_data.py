"""Issues and actors: checked arrays, KTAB CSV import/export, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from backchannel.bargaining.data import bargaining_data
from backchannel.case.casefile import load_case, parse_case_text
from backchannel.errors import CaseError, ModelError
from backchannel.formats.ktab import conflict_from_ktab, conflict_to_ktab
from conftest import RunCli

DATA = Path(__file__).parent / "data"
KTAB = DATA / "ktab_3actors.csv"


def test_ktab_import() -> None:
    c = load_case(KTAB)
    assert c.title == "Three actors"
    assert [a.name for a in c.actors] == ["Alpha", "Beta", "Gamma_1"]
    assert [a.label for a in c.actors] == ["Alpha", "Beta", "Gamma-1"]
    d = bargaining_data(c)
    assert d.issues == ("dim_1", "dim_2")
    assert d.capability.tolist() == [100, 50, 150]
    assert d.position.tolist() == [[20, 10], [60, 70], [80, 40]]
    # KTAB saliences are percentages; a case holds them as 0–1
    assert np.allclose(d.salience, [[0.5, 0.8], [0.3, 0.2], [0.9, 1.0]])


def test_ktab_round_trip() -> None:
    c = load_case(KTAB)
    text = conflict_to_ktab(c)
    again = conflict_from_ktab(text, "again.csv")
    a, b = bargaining_data(c), bargaining_data(again)
    assert np.allclose(a.position, b.position) and np.allclose(a.salience, b.salience)
    assert np.allclose(a.capability, b.capability)
    assert text.splitlines()[1] == "Actor,Description,Power,Pstn1,Sal1,Pstn2,Sal2"


BAD_KTAB = [
    ("x,y,3,2\nActor,D,P,Pstn1,Sal1\n", "header has 5 columns", 2),
    ("x,y,2,1\nActor,D,P,Pstn1,Sal1\nA,a,1,50,50\n", "announces 2 actors but 1 rows follow", 1),
    ("x,y,1,1\nActor,D,P,Pstn1,Sal1\nA,a,1,150,50\n", "outside 0–100", 3),
    ("x,y,1,1\nActor,D,P,Pstn1,Sal1\nA,a,-1,50,50\n", "power of 'A' is negative", 3),
    ("x,y,1,1\nActor,D,P,Pstn1,Sal1\nA,a,one,50,50\n", "not a number", 3),
    ("x,y,one,1\n", "numbers of actors and dimensions", 1),
    ("x,y,1,1\n", "header line is missing", 2),
]


@pytest.mark.parametrize(("text", "message", "line"), BAD_KTAB)
def test_bad_ktab(tmp_path: Path, run_cli: RunCli, text: str, message: str, line: int) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    code, _, err = run_cli(["validate", str(path)])
    flat = " ".join(err.split())
    assert code == 2 and message in flat and f"line {line}" in flat and str(path) in flat, flat


CASE = """\
issues:
  line:
    label: Line of control
    reference: 30
actors:
  - name: a
    capability: 1
    positions: {line: 20}
    salience: {line: 0.5}
  - name: b
    capability: 2
    positions: {line: 70}
    salience: {line: 0.8}
"""


def test_case_arrays() -> None:
    d = bargaining_data(parse_case_text(CASE, "c.yaml")[0])
    assert d.reference.tolist() == [30.0] and np.isnan(d.outcome).all()
    assert d.position.tolist() == [[20.0], [70.0]]


BAD_CASE = [
    (
        CASE.replace("{line: 20}", "{line: 120}"),
        "outside the issue's scale 0–100",
        "actors[0].positions.line",
        8,
    ),
    (
        CASE.replace("capability: 1", "capability: -1"),
        "capability of 'a' is -1",
        "actors[0].capability",
        7,
    ),
    (
        CASE.replace("0.5}", "0}").replace("0.8}", "0}"),
        "all saliences on issue 'line' are zero",
        "issues.line",
        2,
    ),
    (
        CASE.replace("{line: 20}", "{lien: 20}"),
        "issue 'lien', which is not defined",
        "positions.lien",
        8,
    ),
    (
        CASE.replace("salience: {line: 0.5}", "salience: {}"),
        "position on 'line' but no salience",
        "actors[0]",
        9,
    ),
    (
        CASE.replace("reference: 30", "reference: -5"),
        "reference of 'line' is -5",
        "issues.line.reference",
        4,
    ),
]


@pytest.mark.parametrize(("text", "message", "where", "line"), BAD_CASE)
def test_bad_bargaining_case(
    tmp_path: Path, run_cli: RunCli, text: str, message: str, where: str, line: int
) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(text)
    code, _, err = run_cli(["validate", str(path)])
    flat = " ".join(err.split())
    assert code == 2, flat
    assert message in flat and where in flat and f"line {line}" in flat and "Traceback" not in flat, flat


def test_model_error_has_location() -> None:
    c = parse_case_text(
        CASE.replace("capability: 2", "capability: 0").replace("capability: 1", "capability: 0"), "c"
    )[0]
    with pytest.raises(ModelError, match="every actor has capability 0"):
        bargaining_data(c)


def test_ktab_errors_are_case_errors() -> None:
    with pytest.raises(CaseError):
        conflict_from_ktab("", "empty.csv")
