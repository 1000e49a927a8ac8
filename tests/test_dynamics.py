"""Phase dynamics (backchannel.gmcr.dynamics): hand-worked toys and the reduction
to the status-quo evolution when nobody misperceives anything."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import backchannel as bc
from backchannel.case.model import Conflict
from backchannel.errors import ModelError
from backchannel.gmcr.dynamics import phase_dynamics
from backchannel.gmcr.evolution import evolution
from strategies import conflicts


def _toy(trust: str = "both", timeline: list[dict[str, Any]] | None = None) -> Conflict:
    """A keeps a secret option; B decides whether to trust A.

    Options (state codes, option 1 first): A.secret, B.trust.  States:
    1 = NN, 2 = YN (secret, no trust), 3 = NY (trust, no secret), 4 = YY.
    A wants B's trust above all, then its secret.  B wants to trust A, but
    not while A keeps the secret.
    """
    data: dict[str, Any] = {
        "decision_makers": [
            {"name": "a", "options": [{"name": "secret"}], "preferences": ["trust", "secret"]},
            {
                "name": "b",
                "options": [{"name": "trust", "reversible": trust}],
                "preferences": ["not (trust and secret)", "trust"],
            },
        ],
        "status_quo": "NN",
    }
    if timeline is None:
        timeline = [
            {"name": "secret", "perceptions": {"b": {"unaware_of": ["secret"]}}, "ends": {"moves": 2}},
            {"name": "open"},
        ]
    data["timeline"] = timeline
    return Conflict.model_validate(data)


def test_learning_midway_changes_the_outcome() -> None:
    """Worked by hand.  Secret phase (B sees every state with the secret not
    taken; it ends after 2 moves): from NN, A takes the secret (YN, A's payoff
    1 > 0) or B trusts (B sees NY: 3 > 2); after the second move the walk
    stands at YY (B trusts at YN, seeing NN → NY; A takes the secret at NY).
    There B learns of the secret: a strategic surprise, stealthy until then
    (B saw NY, its anticipated equilibrium).  Open phase: at YY B withdraws
    its trust (1 → 2), and YN is at rest: the outcome.  Had B never learned
    (one phase, unaware), it would rest at YY."""
    r = phase_dynamics(_toy())
    secret, open_ = r.phases
    assert secret["start"] == [1] and secret["end"] == [4]
    assert secret["reached"] == [1, 2, 3, 4]
    assert secret["surprises"] == [
        {
            "state": 4,
            "decision_maker": "b",
            "options": ["secret"],
            "kind": "strategic surprise (stealthy until then)",
            "why": "until then it saw what it expected",
        }
    ]
    assert open_["start"] == [4]
    assert r.outcomes == [2]
    path = r.paths[2]
    assert [p["phase"] for p in path] == ["secret", "open"]
    # into YY the first mover in order is A (from NY): B trusts, then A takes the secret
    assert [(s["from"], s["to"], s["movers"]) for s in path[0]["steps"]] == [(1, 3, ["b"]), (3, 4, ["a"])]
    assert [(s["from"], s["to"], s["movers"]) for s in path[1]["steps"]] == [(4, 2, ["b"])]
    never = phase_dynamics(
        _toy(timeline=[{"name": "secret", "perceptions": {"b": {"unaware_of": ["secret"]}}}])
    )
    assert never.outcomes == [4]
    assert never.full_information == [2]  # with full information B never trusts a secret-keeper


def test_irreversible_trust_differs_from_full_information() -> None:
    """With trust adopt-only, B cannot take it back once it learns: the phased
    outcome is YY only, while with full information B could also stop at YN
    (at YN it does not trust, knowing of the secret)."""
    r = phase_dynamics(_toy(trust="adopt-only"))
    assert r.outcomes == [4]
    assert r.full_information == [2, 4]
    assert r.only_with_full_information == [2] and r.only_with_phases == []
    d = r.to_dict()
    assert d["differs"] is True and d["phases"][0]["surprises"][0]["decision_maker"] == "b"


def test_phase_ending_when_an_option_is_taken() -> None:
    """The secret phase ends when B trusts: from NN the walk reaches NY (B trusts)
    or YY (B trusts at YN); at YN it does not stop (B still wants to trust).
    The open phase starts from both; NY → YY by A, then B withdraws: YN."""
    r = phase_dynamics(
        _toy(
            timeline=[
                {
                    "name": "secret",
                    "perceptions": {"b": {"unaware_of": ["secret"]}},
                    "ends": {"when": "trust"},
                },
                {"name": "open"},
            ]
        )
    )
    assert r.phases[0]["end"] == [3, 4] and r.phases[0]["stays"] == []
    # at NY B learns nothing taken: only YY surprises it
    assert [s["state"] for s in r.phases[0]["surprises"]] == [4]
    assert r.outcomes == [2]


def test_a_leak_may_come_after_any_number_of_moves() -> None:
    r = phase_dynamics(
        _toy(
            timeline=[
                {"name": "secret", "perceptions": {"b": {"unaware_of": ["secret"]}}, "ends": {"leak": 0.5}},
                {"name": "open"},
            ]
        )
    )
    assert r.phases[0]["end"] == [1, 2, 3, 4]
    assert r.outcomes == [2]


def test_unsure_of_an_option_is_not_a_strategic_surprise() -> None:
    """B knows A may keep a secret but cannot see it: the outcome of the secret
    phase is the same walk (it judges states as they look), but learning the
    secret at the end is not a strategic surprise for it."""
    r = phase_dynamics(
        _toy(
            timeline=[
                {"name": "secret", "perceptions": {"b": {"unsure_of": ["secret"]}}, "ends": {"moves": 2}},
                {"name": "open"},
            ]
        )
    )
    assert r.outcomes == [2]
    kinds = {s["kind"] for s in r.phases[0]["surprises"]}
    assert kinds and not any(k.startswith("strategic") for k in kinds)


@pytest.mark.parametrize("case", ["elmira", "syria-iraq", "chicken", "prisoners-dilemma"])
@pytest.mark.parametrize("concept", ["nash", "gmr", "smr", "seq", "sim"])
def test_no_secrets_is_the_status_quo_evolution(case: str, concept: str) -> None:
    space = bc.compile_case(case)
    r = phase_dynamics(space, concept)
    e = evolution(space, concept=concept)
    assert r.outcomes == r.full_information == e.equilibria(concept)
    assert r.phases[0]["reached"] == e.reachable()
    for o in r.outcomes:  # the same shortest paths
        assert [s["to"] for s in r.paths[o][0]["steps"]] == [s.target for s in e.path(o)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts(max_dms=3, max_options=5))
def test_no_secrets_is_the_status_quo_evolution_on_random_conflicts(conflict: Conflict) -> None:
    space = bc.compile_conflict(conflict)
    if space.status_quo is None:
        space = replace(space, status_quo=0)
    for concept in ("nash", "seq"):
        r = phase_dynamics(space, concept)
        e = evolution(space, concept=concept)
        assert r.outcomes == e.equilibria(concept)
        assert r.phases[0]["reached"] == e.reachable()


def test_a_timeline_of_identical_phases_changes_nothing() -> None:
    same = {"perceptions": {"b": {"unaware_of": ["secret"]}}}
    one = phase_dynamics(_toy(timeline=[{"name": "only", **same}]))
    three = phase_dynamics(
        _toy(
            timeline=[
                {"name": "p1", **same, "ends": {"moves": 1}},
                {"name": "p2", **same, "ends": {"leak": 0.3}},
                {"name": "p3", **same},
            ]
        )
    )
    assert one.outcomes == three.outcomes == [4]


def test_bad_timelines_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="last phase"):
        _toy(timeline=[{"name": "x", "ends": {"moves": 1}}])
    with pytest.raises(ValueError, match="says nothing of how it ends"):
        _toy(timeline=[{"name": "x"}, {"name": "y"}])
    with pytest.raises(ValueError, match="exactly one of when"):
        _toy(timeline=[{"name": "x", "ends": {"moves": 1, "leak": 0.2}}, {"name": "y"}])
    with pytest.raises(ModelError, match="unknown option") as e:
        phase_dynamics(_toy(timeline=[{"name": "x", "perceptions": {"b": {"unaware_of": ["nope"]}}}]))
    assert e.value.loc[:2] == ("timeline", 0)
    with pytest.raises(ValueError, match="neither unaware_of nor unsure_of"):
        _toy(timeline=[{"name": "x", "perceptions": {"b": {"aware_probability": {"secret": 0.5}}}}])


def test_result_converts() -> None:
    r = phase_dynamics(_toy())
    assert r.to_dataframe().loc["secret", "end"] == [4]
    assert "learns" in "\n".join(r.summary())
    assert np.asarray(r.to_dict()["outcomes"]).tolist() == [2]


# -- scenarios over perceptions and disclosure timing ------------------------------------------


def _toy_case_text(trust: str) -> str:
    return f"""
title: toy
decision_makers:
  - {{name: a, options: [{{name: secret}}], preferences: [trust, secret]}}
  - name: b
    options: [{{name: trust, reversible: {trust}}}]
    preferences: ["not (trust and secret)", trust]
status_quo: NN
timeline:
  - name: secret
    perceptions: {{b: {{unaware_of: [secret], aware_probability: {{secret: 0.3}}}}}}
    ends: {{leak: 0.4}}
  - name: open
scenarios:
  betrayed: trust and secret
  no_deal: secret and not trust
"""


def test_scenarios_sample_disclosure_timing_and_awareness(tmp_path: Any) -> None:
    """Trust adopt-only.  If B knows of the secret (p = 0.3), it is the full-information
    game: outcomes YN and YY, half each.  If not, the leak comes after N moves,
    N geometric with p = 0.4: N = 0 (p 0.4): B learns at once, as with full
    information (half each); N = 1 (p 0.24): the walk stands at YN (no trust yet:
    no deal) or NY (trust, then A takes the secret: betrayed), half each; N ≥ 2
    (p 0.36): B has trusted: betrayed.  P(betrayed) = 0.3·0.5 + 0.7·(0.4·0.5 +
    0.24·0.5 + 0.36) = 0.15 + 0.7·0.68 = 0.626."""
    from backchannel.scenarios.run import scenarios

    path = tmp_path / "toy.yaml"
    path.write_text(_toy_case_text("adopt-only"))
    r = scenarios(path, samples=20_000, seed=1)
    assert abs(r.probability("betrayed") - 0.626) < 0.015
    assert abs(r.probability("no_deal") - 0.374) < 0.015
    d = r.to_dict()
    assert d["phases"][0]["p_ended"] == 1.0
    # B is surprised when it did not know (0.7) and the secret was taken when the phase ended
    assert 0.2 < d["phases"][0]["p_surprised"]["b"] < 0.7
    top = {row["input"]: row for row in d["sensitivity"]}
    leak = top["timeline.secret.ends.leak"]
    assert leak["significant"] and leak["effects"]["betrayed"]["high"] > leak["effects"]["betrayed"]["low"]
    assert "timeline.secret.b.aware.secret" in top
    # outcomes other than with full information ({YN, YY}): B unaware (0.7) and trusting
    # before the leak (N ≥ 2, p 0.36), so YY only: 0.7 · 0.36 = 0.252
    assert abs(d["p_differs_from_full_information"] - 0.252) < 0.015


def test_scenarios_of_a_certain_phased_case_match_the_point_analysis(tmp_path: Any) -> None:
    """No uncertainty: every sample is the point analysis, split over its outcomes."""
    from backchannel.scenarios.run import scenarios

    path = tmp_path / "toy.yaml"
    text = (
        _toy_case_text("adopt-only")
        .replace("aware_probability: {secret: 0.3}", "")
        .replace("{leak: 0.4}", "{moves: 2}")
    )
    path.write_text(text)
    point = phase_dynamics(bc.compile_case(path))
    assert point.outcomes == [4]
    r = scenarios(path, samples=50, seed=2)
    assert r.probability("betrayed") == 1.0


def test_timeline_errors_are_located(tmp_path: Any, run_cli: Any) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "decision_makers:\n"
        "  - {name: a, options: [{name: secret}], preferences: [secret]}\n"
        "  - {name: b, options: [{name: trust}], preferences: [trust]}\n"
        "status_quo: NN\n"
        "timeline:\n"
        "  - {name: one, perceptions: {b: {unaware_of: [secret]}}, ends: {when: 'trust and'}}\n"
        "  - {name: two}\n"
    )
    code, _, err = run_cli(["validate", str(path)])
    assert code == 2 and "timeline[0].ends.when" in err and "Traceback" not in err
    path.write_text(path.read_text().replace("unaware_of: [secret]", "unaware_of: [secrt]"))
    code, _, err = run_cli(["hypergame", str(path)])
    assert code == 2 and "timeline[0].perceptions.b.unaware_of[0]" in err and "line 6" in err
