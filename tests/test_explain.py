"""``explain``: verdicts in the case's words, checked against hand-worked cases
(tests/data/why/*.yaml, each worked out in its header)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import RunCli

from backchannel.gmcr.analysis import compile_case
from backchannel.gmcr.engine import CONCEPTS, stability_matrix
from backchannel.gmcr.explain import explain, ordinal, possessive

DATA = Path(__file__).parent / "data" / "why"
TOY = str(DATA / "toy2.yaml")
THREE = str(DATA / "three.yaml")


def test_toy_names_statements_gained_and_lost() -> None:
    e = explain(compile_case(TOY), 1, "nash").to_dict()
    assert e["state"] == 1 and e["pattern"] == "NN" and e["concept"] == "nash"
    assert e["equilibrium"] is False
    a, b = e["decision_makers"]["A"], e["decision_makers"]["B"]
    assert a["stable"] is False and b["stable"] is True
    (ma,) = a["moves"]
    assert ma["to"] == 2 and ma["improves"] is True and ma["gained"] == ["a"] and ma["lost"] == []
    assert ma["statements"][0]["quote"] == "A wants a above all."
    assert ma["sanction"] is None
    (mb,) = b["moves"]
    assert mb["to"] == 3 and mb["improves"] is False and mb["gained"] == [] and mb["lost"] == ["not b"]
    assert "A moves to state 2, gaining 'a'" in e["summary"]


def test_toy_equilibrium_and_its_reasons() -> None:
    e = explain(compile_case(TOY), "YN", "nash").to_dict()
    assert e["state"] == 2 and e["equilibrium"] is True
    (back,) = e["decision_makers"]["A"]["moves"]
    assert back["to"] == 1 and back["lost"] == ["a"] and not back["improves"]
    assert "worse for it" in back["reason"] and "'a'" in back["reason"]


def test_three_parties_sanction_by_two_replies() -> None:
    e = explain(compile_case(THREE), 1, "gmr").to_dict()
    a = e["decision_makers"]["A"]
    assert a["stable"] is True
    (m,) = a["moves"]
    assert m["to"] == 2 and m["improves"] and m["gained"] == ["a"] and m["decisive"] == "a"
    s = m["sanction"]
    # one reply alone does not deter (states 4 and 6 are better for A than state 1): two are needed
    assert s["path"] == [2, 4, 8] and s["movers"] == ["B", "C"] and s["ends"] == 8
    assert s["lost"] == ["not (b and c)"]
    assert "B takes b: state 2 → 4; then C takes c: state 4 → 8" in m["deterrence"]
    # under Nash the same improvement is not deterred
    n = explain(compile_case(THREE), 1, "nash").to_dict()["decision_makers"]["A"]
    assert n["stable"] is False and n["moves"][0]["sanction"] is None


def test_ranking_preferences_give_ranks() -> None:
    # Elmira (published rankings): MOE ranks state 9 first and state 1 sixth
    e = explain(compile_case("elmira"), 1, "nash").to_dict()
    moe = e["decision_makers"]["MoE"]
    assert moe["preferences"] == "ranking" and moe["rank"] == 6
    for m in moe["moves"]:
        assert m["gained"] == [] and m["lost"] == []
        assert m["improves"] == (m["ranks"]["to"] < m["ranks"]["from"])


@pytest.mark.parametrize("case", ["elmira", "prisoners-dilemma", THREE, TOY])
def test_verdicts_and_witnesses_agree_with_engine(case: str) -> None:
    sp = compile_case(case)
    stable = stability_matrix(sp)
    for c in CONCEPTS:
        for s in range(sp.n_states):
            e = explain(sp, s + 1, c)
            for k, d in enumerate(e.decision_makers):
                assert d["stable"] == bool(stable[c][k, s])
                for m in d["moves"]:
                    t = m["to"] - 1
                    assert m["improves"] == bool(sp.payoffs[k, t] > sp.payoffs[k, s])
                    if m["sanction"]:
                        assert sp.payoffs[k, m["sanction"]["ends"] - 1] <= sp.payoffs[k, s]
                        if c == "sim":  # one or several opponents reply at once: one combined state
                            assert len(m["sanction"]["path"]) == 1 and m["sanction"]["movers"]
                        else:
                            assert len(m["sanction"]["path"]) == len(m["sanction"]["movers"]) + 1
                if c != "nash":
                    imps = [m for m in d["moves"] if m["improves"]]
                    assert d["stable"] == all(m["deterred"] for m in imps)


def test_cli_json_shape(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["explain", THREE, "--state", "1", "--concept", "gmr", "--format", "json"])
    assert code == 0
    d = json.loads(out)
    assert {"state", "pattern", "concept", "equilibrium", "decision_makers"} <= d.keys()
    m = d["decision_makers"]["A"]["moves"][0]
    assert {"to", "improves", "gained", "lost", "sanction"} <= m.keys()
    assert {"path", "movers"} <= m["sanction"].keys()


def test_cli_table_and_bad_input(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["explain", TOY, "--state", "1"])
    assert code == 0 and "A gains 'a'" in out and "A wants a above all." in out
    code, _, err = run_cli(["explain", TOY, "--state", "9"])
    assert code == 2 and "numbered 1 to 4" in err
    code, _, err = run_cli(["explain", TOY, "--state", "1", "--concept", "best"])
    assert code == 2 and "unknown concept" in err


def test_api_keeps_its_fields_and_adds_the_words(tmp_path: Path) -> None:
    from backchannel.web import create_app

    with TestClient(create_app(store_url=f"sqlite:///{tmp_path}/s.db")) as client:
        client.headers["X-CSRF-Token"] = client.get("/api/session").json()["csrf"]
        r = client.post(
            "/api/explain", json={"case": "bundled:prisoners-dilemma", "state": 4, "concept": "gmr"}
        )
    assert r.status_code == 200
    ex = r.json()
    imp = ex["decision_makers"][0]["explanation"]["improvements"][0]
    assert imp["deterred"] and imp["sanction"]["result"]["number"] == 1  # the fields the front end reads
    assert "gained" in imp and "lost" in imp and imp["sanction"]["movers"]
    assert ex["explain"]["decision_makers"]["P1"]["stable"] is True


def test_words() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
    ]  # fmt: skip
    assert possessive("Russia") == "Russia's" and possessive("United States") == "United States'"


def test_public_api() -> None:
    import backchannel as bc

    e = bc.explain(THREE, "NNN", "gmr")  # a case file, a pattern
    from backchannel.gmcr.explain import Explanation

    assert isinstance(e, Explanation) and e.state == 0  # importing the module does not hide the function
    assert callable(bc.explain) and e.to_dataframe().loc[0, "movers"] == "B, C"
