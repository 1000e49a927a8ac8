"""Hypergames: perceived games, anticipated equilibria, H1/H2, surprise.

The hand-checked case (tests/data/secret_channel.yaml): A controls options
1 ``channel`` (a secret channel) and 2 ``press``; B controls 3 ``concede``.
States: 1 NNN, 2 YNN, 3 NYN, 4 YYN, 5 NNY, 6 YNY, 7 NYY, 8 YYY.
B does not know the channel exists and believes A wants, first, to press and,
second, B to concede.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import backchannel as bc
from backchannel.case.casefile import parse_case_text
from backchannel.case.model import Conflict
from backchannel.gmcr.hypergame import hypergame
from conftest import RunCli
from strategies import conflicts

DATA = pathlib.Path(__file__).parent / "data"
CASE = str(DATA / "secret_channel.yaml")


@pytest.fixture(scope="module")
def result() -> bc.StabilityResult:
    return bc.stability(CASE)


def test_secret_channel_by_hand() -> None:
    """Nash, worked by hand.

    A's scores (statements channel 4, concede 2, not press 1):
    1:1 2:5 3:0 4:4 5:3 6:7 7:2 8:6.  B's (not (press and not concede) 2,
    not concede 1): 1:3 2:3 3:1 4:1 5:2 6:2 7:2 8:2.

    True game: A's best for concede = N is 2, for concede = Y is 6; B at 2
    would move to 6 only for a loss (2 < 3), at 6 it moves to 2 (3 > 2): the
    only Nash equilibrium is 2 (the channel, no pressure, no concession).

    B's game: it sees 1, 3, 5, 7 (channel not taken) and believes A's scores
    are press 2 + concede 1: 1:0 3:2 5:1 7:3.  State 7 (A presses, B
    concedes) is the only state no one improves from in B's eyes.

    H1: A carries out its part of 2 (channel, no press), B its part of 7
    (concede): state 6.  H2: A-stable states {2, 6}; B's view of a state is
    stable for B at 1 and 7, i.e. universal states 1, 2, 7, 8; together {2}.

    State 6 takes the channel, and B sees 5 (it anticipated 7): a strategic
    surprise for B.  A did not anticipate 6 and misjudged nothing:
    unexpected.  State 2 is, for B, also a strategic surprise (it sees 1).
    """
    r = hypergame(bc.compile_case(CASE), ("nash",))
    assert bc.stability(CASE).equilibria("nash") == [2]
    assert r.perceived_equilibria("A", "nash") == [2]
    assert r.perceived_equilibria("B", "nash") == [7]
    assert r.h1_outcomes("nash") == [6]
    assert r.h2_outcomes("nash") == [2]
    kinds = {x["state"]: x["kinds"] for x in r.surprise}
    assert kinds[6] == {"A": "unexpected", "B": "strategic surprise"}
    assert kinds[2] == {"A": "anticipated", "B": "strategic surprise"}


def test_stealthy_outcome() -> None:
    """Under SEQ, 8 (channel, press, concede) is an H1 and H2 outcome; B sees 7,
    which it anticipated: stealthy for B."""
    r = hypergame(bc.compile_case(CASE), ("seq",))
    assert 8 in r.h1_outcomes("seq") and 8 in r.h2_outcomes("seq")
    kinds = {x["state"]: x["kinds"] for x in r.surprise}
    assert kinds[8]["B"] == "stealthy"


def _with_second_level(about: bool) -> Conflict:
    text = (DATA / "secret_channel.yaml").read_text()
    text = text.replace(
        "      - not (press and not concede)\n",
        "      - concede iff channel\n      - not (press and not concede)\n",
    )
    if about:
        text += "  A:\n    about:\n      B:\n        unaware_of: [channel]\n"
    return parse_case_text(text, "case.yaml")[0]


def test_second_level_changes_what_a_anticipates() -> None:
    """B's true preferences now put "concede iff channel" first (weights 4, 2, 1):
    B's scores 1:7 2:3 3:5 4:1 5:2 6:6 7:2 8:6, so in the true game B is
    Nash-stable at 1, 3, 6, 8 and the equilibrium is 6; A, seeing the true
    game, anticipates 6.  If A knows that B is unaware of the channel, it
    judges B at B's view: state 6 looks like 5, where B (2 < 7) would stop
    conceding; state 2 looks like 1, where B stays.  So A anticipates 2."""
    plain = hypergame(bc.compile_conflict(_with_second_level(False)), ("nash",))
    nested = hypergame(bc.compile_conflict(_with_second_level(True)), ("nash",))
    assert plain.perceived_equilibria("A", "nash") == [6]
    assert nested.perceived_equilibria("A", "nash") == [2]
    assert nested.perceived_equilibria("B", "nash") == plain.perceived_equilibria("B", "nash") == [3]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts())
def test_true_game_everywhere_reduces_to_the_ordinary_analysis(conflict: Conflict) -> None:
    """With no misperception, every decision maker anticipates exactly the
    ordinary equilibria, H2 is the set of ordinary equilibria, and H1 contains
    them (it may add combinations of different equilibria: a coordination
    failure); with a unique equilibrium H1 is exactly it."""
    space = bc.compile_conflict(conflict)
    ordinary = bc.stability(space, ("nash", "gmr", "smr", "seq"))
    # an explicit, truthful perception for everyone must change nothing either
    data = conflict.model_dump(by_alias=True)
    data["perceptions"] = {
        dm["name"]: {
            "unaware_of": [],
            "preferences": {
                o["name"]: o["preferences"] for o in data["decision_makers"] if o["name"] != dm["name"]
            },
        }
        for dm in data["decision_makers"]
    }
    truthful = Conflict.model_validate(data)
    for model in (space, bc.compile_conflict(truthful)):
        r = hypergame(model)
        for c in r.concepts:
            eq = ordinary.equilibria(c)
            for dm in space.dm_names:
                assert r.perceived_equilibria(dm, c) == eq
            assert r.h2_outcomes(c) == eq
            assert set(eq) <= set(r.h1_outcomes(c))
            if len(eq) == 1:
                assert r.h1_outcomes(c) == eq
            for x in r.surprise:
                if x["concept"] == c and x["state"] in eq:
                    assert set(x["kinds"].values()) == {"anticipated"}


def test_json_shape(run_cli: RunCli) -> None:
    import json

    code, out, _ = run_cli(["hypergame", CASE, "--format", "json", "--outcome", "5"])
    assert code == 0
    data = json.loads(out)
    assert data["perceived_equilibria"]["B"]["nash"] == [7]
    assert set(data["perceived_equilibria"]["A"]) == {"nash", "gmr", "smr", "seq"}
    assert data["h1"]["nash"] == [6] and data["h2"]["nash"] == [2]
    given = [x for x in data["surprise"] if "given" in x["source"]]
    assert {x["concept"] for x in given} == {"nash", "gmr", "smr", "seq"}
    assert all(x["state"] == 5 for x in given)


def test_table_and_summary(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["hypergame", CASE, "-c", "nash"])
    assert code == 0
    flat = " ".join(out.split())
    assert "strategic surprise" in flat
    expected = "In H1, state 6 (channel, concede) would catch B off guard: it rests on channel"
    assert expected + ", which it did not know of." in flat


BAD = [
    ("perceptions:\n  Z:\n    unaware_of: [channel]\n", "unknown decision maker 'Z'", "perceptions.Z"),
    (
        "perceptions:\n  B:\n    unaware_of: [tunnel]\n",
        "unknown option 'tunnel'",
        "perceptions.B.unaware_of[0]",
    ),
    (
        "perceptions:\n  B:\n    unaware_of: [concede]\n",
        "cannot be unaware of its own option",
        "unaware_of[0]",
    ),
    (
        "perceptions:\n  B:\n    preferences:\n      B: [concede]\n",
        "about itself",
        "perceptions.B.preferences.B",
    ),
    ("perceptions:\n  A:\n    about:\n      A: {}\n", "about itself", "perceptions.A.about.A"),
    (
        "perceptions:\n  B:\n    unaware_of: [channel]\n    preferences:\n      A: [channel]\n",
        "unknown in this view",
        "perceptions.B.preferences.A.prioritization[0]",
    ),
]


@pytest.mark.parametrize(("extra", "message", "where"), BAD)
def test_bad_perceptions(
    tmp_path: pathlib.Path, run_cli: RunCli, extra: str, message: str, where: str
) -> None:
    text = (DATA / "secret_channel.yaml").read_text().split("perceptions:")[0] + extra
    path = tmp_path / "case.yaml"
    path.write_text(text)
    code, _, err = run_cli(["hypergame", str(path)])
    flat = " ".join(err.split())
    assert code == 2, err
    assert message in flat and where in flat and "line" in flat and "Traceback" not in flat


def test_result_converts_to_pandas() -> None:
    df = hypergame(bc.compile_case(CASE), ("nash",)).to_dataframe()
    assert list(df.index) == list(range(1, 9))
    assert bool(df.loc[6, "h1_nash"]) and bool(df.loc[7, "B.anticipates_nash"])
    assert not np.any(df["h2_nash"].to_numpy() & ~df["A.anticipates_nash"].to_numpy())


def test_a_picture_without_states_is_a_clear_error(tmp_path: pathlib.Path, run_cli: RunCli) -> None:
    """B does not know of option a, but every feasible state takes it: B's
    picture has no state. The message names the place and the fix (it was an
    IndexError from the state lookup)."""
    case = tmp_path / "empty.yaml"
    case.write_text(
        "title: empty picture\n"
        "decision_makers:\n"
        "  - {name: A, options: [{name: a}], preferences: {prioritization: [a]}}\n"
        "  - {name: B, options: [{name: b}], preferences: {prioritization: [b]}}\n"
        "infeasible: ['not a']\n"
        "perceptions:\n"
        "  B: {unaware_of: [a]}\n"
    )
    code, out, err = run_cli(["hypergame", str(case)])
    assert code == 2, err
    assert "(perceptions.B.unaware_of)" in err and "B's picture of the game has no state" in err
    assert "Traceback" not in err + out
