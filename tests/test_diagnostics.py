"""Scenario diagnostics, exact probabilities, cycles, what would it take and
the computed summaries, against hand-worked cases (tests/data/why/*.yaml,
each worked out in its header) and, structurally, on the flagship."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import RunCli

import backchannel as bc
from backchannel.case.model import Conflict
from backchannel.scenarios.exact import MAX_COMBINATIONS
from backchannel.scenarios.run import scenarios

DATA = Path(__file__).parent / "data" / "why"
TOY = str(DATA / "toy2.yaml")


def _diag(r: Any) -> dict[str, dict[str, Any]]:
    return {row["future"]: row for row in r.extra["diagnostics"]}


def test_toy_is_exact_with_its_decomposition() -> None:
    r = scenarios(TOY, samples=50, seed=3)
    d = r.to_dict()
    assert d["method"] == "exact" and d["combinations"] == 2
    assert r.probability("deal") == 0.3 and r.probability("a_alone") == 0.7 and r.probability("nothing") == 0
    assert list(r.low) == list(r.p) == list(r.high)  # no sampling interval around an exact number
    dec = d["decomposition"]
    assert [(x["combination"], x["weight"], x["futures"], x["outcomes"]) for x in dec] == [
        ("the preferences as written", 0.7, {"a_alone": 1.0}, [2]),
        ("B: alternative ordering 1", 0.3, {"deal": 1.0}, [4]),
    ]
    # the same answer whatever the seed and the number of samples
    assert scenarios(TOY, samples=7, seed=11).to_dict()["scenarios"] == d["scenarios"]


def test_toy_zero_future_is_impossible_naming_who_leaves() -> None:
    diag = _diag(scenarios(TOY, samples=20, seed=0))
    nothing = diag["nothing"]
    assert nothing["kind"] == "impossible" and nothing["states"] == [1, 3]
    assert {(b["decision_maker"], b["state"], b["to"], tuple(b["gained"])) for b in nothing["blockers"]} == {
        ("A", 1, 2, ("a",)),
        ("A", 3, 4, ("a",)),
    }
    assert all(b["always"] for b in nothing["blockers"])
    assert "A leaves every one of them" in nothing["reason"] and "'a'" in nothing["reason"]
    assert diag["deal"]["kind"] == diag["a_alone"]["kind"] == "possible"
    assert diag["deal"]["main_state"] == 4


def test_toy_what_would_it_take() -> None:
    r = scenarios(TOY, samples=20, seed=0)
    (w,) = r.extra["what_would_it_take"]
    assert w["future"] == "nothing"
    (change,) = w["changes"]  # A's only statement: dropping it is not an edit (nothing would be left)
    assert (change["decision_maker"], change["edit"], change["statement"]) == ("A", "negate", "a")
    assert change["states"] == [1] and "If A held 'not (a)' instead of 'a'" in w["text"]


def test_three_parties_two_always_leave() -> None:
    r = scenarios(str(DATA / "three.yaml"), samples=10, seed=0)
    diag = _diag(r)
    a_alone = diag["a_alone"]
    assert a_alone["kind"] == "impossible" and a_alone["states"] == [2]
    assert {b["decision_maker"] for b in a_alone["blockers"]} == {"B", "C"}
    assert "B and C each leave every one of them" in a_alone["reason"]
    assert diag["standoff"]["kind"] == "possible" and r.probability("standoff") == 1.0


def test_unreachable_equilibrium() -> None:
    r = scenarios(str(DATA / "unreachable.yaml"), samples=10, seed=0)
    diag = _diag(r)
    assert diag["both"]["kind"] == "unreachable" and diag["both"]["equilibria"] == [4]
    assert "never reaches it from the status quo" in diag["both"]["reason"]
    assert diag["a_only"]["kind"] == "possible" and r.probability("a_only") == 1.0
    assert diag["other"]["kind"] == "impossible"


def test_cycles_are_reported_with_their_states() -> None:
    # A wants to match B, B wants to differ: no Nash equilibrium; the conflict goes round all four states
    data = {
        "decision_makers": [
            {"name": "A", "options": [{"name": "a"}], "preferences": ["a iff b"]},
            {"name": "B", "options": [{"name": "b"}], "preferences": ["not (a iff b)"]},
        ],
        "status_quo": "NN",
        "scenarios": {"any": "a or not a"},
    }
    r = scenarios(Conflict.model_validate(data), samples=20, seed=0)
    assert r.extra["cycles"] == [{"states": [1, 2, 3, 4], "p": 1.0, "futures": ["any"]}]
    assert r.to_dict()["unclassified"] == {"p": 1.0, "cycles": 1.0, "no_named_future": 0.0}
    assert any("never settles" in s and "1, 2, 3, 4" in s for s in r.extra["summary"])


def test_monte_carlo_when_a_future_reads_continuous_forecasts() -> None:
    conflict = bc.load_case(TOY)
    raw = conflict.model_dump(by_alias=True, exclude_none=True)
    raw["issues"] = {"x": {"scale": [0, 100]}}
    raw["actors"] = [
        {"name": "p", "capability": 1, "positions": {"x": {"uniform": [0, 100]}}, "salience": {"x": 1}}
    ]
    raw["scenarios"] = {"high_x": "x >= 75", "rest": "true"}
    r = scenarios(Conflict.model_validate(raw), samples=400, seed=1, forecast_model="compromise")
    assert r.extra["method"] == "monte_carlo" and "continuous" in r.extra["why_not_exact"]
    assert r.low[0] < r.p[0] < r.high[0]
    # a continuous input that no future reads does not stop the exact computation
    raw["scenarios"] = json.loads(
        json.dumps(conflict.model_dump(by_alias=True, exclude_none=True)["scenarios"])
    )
    assert scenarios(Conflict.model_validate(raw), samples=50, seed=1).extra["method"] == "exact"


def test_monte_carlo_beyond_the_combination_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    k = 14  # 2**14 combinations of uncertain statements
    assert 2**k > MAX_COMBINATIONS
    stmts = [{"statement": "a" if i % 2 else "not a", "probability": 0.5} for i in range(k)]
    data = {
        "decision_makers": [
            {"name": "A", "options": [{"name": "a"}], "preferences": {"prioritization": stmts}},
            {"name": "B", "options": [{"name": "b"}], "preferences": ["b"]},
        ],
        "status_quo": "NN",
        "scenarios": {"with_a": "a", "without_a": "not a"},
    }
    r = scenarios(Conflict.model_validate(data), samples=200, seed=2)
    assert r.extra["method"] == "monte_carlo" and "16,384 combinations" in r.extra["why_not_exact"]
    assert {row["kind"] for row in r.extra["diagnostics"]} == {"possible"}
    assert r.extra["diagnostics_combinations"] == {"analysed": 200, "complete": True}  # all distinct
    # past the budget, the blockers come from the most frequent combinations; the kinds still from
    # every sample
    diagnostics = importlib.import_module("backchannel.scenarios.diagnostics")
    monkeypatch.setattr(diagnostics, "MAX_PROFILES", 5)
    capped = scenarios(Conflict.model_validate(data), samples=200, seed=2)
    assert capped.extra["diagnostics_combinations"] == {"analysed": 5, "complete": False}
    assert [row["kind"] for row in capped.extra["diagnostics"]] == [
        row["kind"] for row in r.extra["diagnostics"]
    ]


def test_exact_agrees_with_sampling_on_the_flagship_without_its_timeline() -> None:
    """Without its timeline the flagship's uncertainty that the futures depend on
    is discrete: the exact probabilities agree with sampling."""
    conflict = bc.load_case("ukraine-backchannel").model_copy(update={"timeline": []})
    d = scenarios(conflict, samples=2000, seed=4).to_dict()
    assert d["method"] == "exact" and d["combinations"] >= 2
    assert sum(x["weight"] for x in d["decomposition"]) == pytest.approx(1.0)
    for name, v in d["scenarios"].items():
        assert d["sampled"][name] == pytest.approx(v["p"], abs=0.04)  # 2000 samples: sd ≤ 0.012


def test_flagship_diagnoses_every_future() -> None:
    r = scenarios("ukraine-backchannel", samples=2000, seed=4)
    d = r.to_dict()
    # its timeline (leak timing, Kyiv's awareness) is drawn per sample: Monte Carlo, and it says why
    assert d["method"] == "monte_carlo" and "timeline" in d["why_not_exact"]
    # every named future has a diagnosis (structural: the case may be re-modelled)
    kinds = {row["future"]: row["kind"] for row in d["diagnostics"]}
    assert set(kinds) == set(r.names) - {"unclassified"}
    assert all(k in ("impossible", "unreachable", "possible") for k in kinds.values())
    for row in d["diagnostics"]:
        assert row["reason"] and (row["kind"] != "impossible" or row["blockers"])
        assert (row["p"] > 0) == (row["kind"] == "possible")
    assert sum(c["p"] for c in d["cycles"]) == pytest.approx(d["unresolved"])
    assert 2 <= len(d["summary"]) <= 5


def test_cli_prints_the_reasons(run_cli: RunCli, tmp_path: Path) -> None:
    code, out, _ = run_cli(["scenarios", TOY, "--samples", "20", "--no-store"])
    assert code == 0
    assert "Summary (computed)" in out and "Exact" in out and "impossible" in out
    assert "What would it take" in out
    code, out, _ = run_cli(["scenarios", TOY, "--samples", "20", "--no-store", "--format", "json"])
    d = json.loads(out)
    assert d["method"] == "exact" and d["scenarios"]["deal"]["p"] == 0.3


def test_analyze_summary_and_guidance(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["analyze", "prisoners-dilemma", "--format", "json"])
    d = json.loads(out)
    assert code == 0 and d["summary"][0].startswith("The only Nash equilibrium is state 1")
    code, out, _ = run_cli(["analyze", "prisoners-dilemma"])
    assert "Summary (computed)" in out.splitlines()[2]


def test_guidance_names_the_threat() -> None:
    from backchannel.gmcr.guidance import concept_guidance

    # T can strike; X and Z each want, above all, no strike, then their own option. Where there is no
    # strike and X (or Z) has not yet taken its option, its improvement is deterred only by T's
    # strike: 2 states for X, 2 for Z, every sanction the same threat.
    data = {
        "decision_makers": [
            {"name": "T", "options": [{"name": "strike"}], "preferences": ["not strike"]},
            {"name": "X", "options": [{"name": "x"}], "preferences": ["not strike", "x"]},
            {"name": "Z", "options": [{"name": "z"}], "preferences": ["not strike", "z"]},
        ],
    }
    r = bc.stability(Conflict.model_validate(data))
    (g,) = concept_guidance(r.space, r.stable, ("gmr",))
    assert g["sanctioned"] == 4 and g["equilibria"] == 4
    assert g["threat"]["text"] == "T takes 'strike'" and g["threat"]["underpins"] == 4
    assert any(
        n.startswith("One threat underpins most of GMR's sanctions: T takes 'strike'") for n in g["notes"]
    )
    # a concept accepting most states is called unselective
    r2 = bc.stability("elmira")
    (e,) = concept_guidance(r2.space, r2.stable, ("gmr",))
    assert e["equilibria"] > 6 and any("not selective" in n for n in e["notes"])


def test_report_opens_with_the_computed_summary() -> None:
    from backchannel.report.build import build_report

    page = build_report(TOY, samples=20, seed=0)
    first = page.index("<section")
    assert page[first:].startswith('<section id="summary"')
    summary = page[first : page.index("</section>", first)]
    assert (
        "The only Nash equilibrium is state 2" in summary and "The most likely future is a alone" in summary
    )
    assert 'id="why"' in page and "gains <code>a</code>" in page
    assert 'id="futures-why"' in page and "B: alternative ordering 1" in page and "impossible" in page


def test_flagship_report_opens_with_the_summary() -> None:
    from backchannel.report.build import build_report

    page = build_report("ukraine-backchannel", samples=50, seed=0)
    assert page[page.index("<section") :].startswith('<section id="summary"')
    assert page.count("<tr>") > 20 and "Diagnosis of each named future" in page


def test_what_would_it_take_two_edits_when_two_parties_leave() -> None:
    # three.yaml: B and C each leave state 2 (a alone); no single edit keeps both, the pair does
    r = scenarios(str(DATA / "three.yaml"), samples=10, seed=0)
    (w,) = [x for x in r.extra["what_would_it_take"] if x["future"] == "a_alone"]
    (change,) = w["changes"]
    assert change["size"] == 2 and change["states"] == [2]
    assert [(e["decision_maker"], e["edit"], e["statement"]) for e in change["edits"]] == [
        ("B", "negate", "b"),
        ("C", "negate", "c"),
    ]
    assert w["text"].startswith("If B held 'not (b)' instead of 'b' (its 1st statement) and C held 'not (c)'")
