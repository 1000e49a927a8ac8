"""The flagship case: the US–Russia back channel described by two news reports.

The reports are in ``shared/sources/`` beside the repository (as in CI); every
quote in the case must appear verbatim in the report it cites.
"""

from __future__ import annotations

import re
from importlib import resources

import numpy as np
import pytest
from pydantic import BaseModel

import backchannel as bc
from backchannel.case.model import Provenance
from backchannel.case.provenance import provenance_report

CASE = "ukraine-backchannel"
# the two reports, shipped with the case (copies of shared/sources/000_….txt and 001_….txt)
SOURCES = resources.files("backchannel") / "cases" / "sources"
FILES = {
    "report_a": "report_a.txt",
    "report_b": "report_b.txt",
}


def _norm(text: str) -> str:
    text = text.translate({0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"', 0xA0: " "})
    return re.sub(r"\s+", " ", text).strip()


def _provenances(obj: object) -> list[Provenance]:
    """Every provenance anywhere in the (pydantic) case."""
    out: list[Provenance] = []
    if isinstance(obj, Provenance):
        return [obj]
    if isinstance(obj, list | tuple):
        for x in obj:
            out += _provenances(x)
    elif isinstance(obj, dict):
        for x in obj.values():
            out += _provenances(x)
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            out += _provenances(getattr(obj, name))
    return out


@pytest.fixture(scope="module")
def result() -> bc.StabilityResult:
    return bc.stability(CASE)


def test_structure(result: bc.StabilityResult) -> None:
    conflict = result.space.conflict
    assert [d.name for d in conflict.decision_makers] == ["us", "russia", "ukraine", "europe"]
    assert set(conflict.scenarios) == {
        "expanded_negotiations",
        "diplomatic_breakdown",
        "frozen_conflict",
        "renewed_escalation",
        "talks_continue",  # the analyst's fifth bucket: the present format goes on
    }
    assert result.space.status_quo is not None


def test_scenarios_partition_the_states(result: bc.StabilityResult) -> None:
    """With the fifth bucket every state falls in exactly one named future, so
    `scenarios` leaves only unresolved samples unclassified."""
    masks = np.array(list(result.space.scenarios.values()))
    assert (masks.sum(axis=0) == 1).all()


def test_scenarios_are_mutually_exclusive_and_each_possible(result: bc.StabilityResult) -> None:
    masks = np.array(list(result.space.scenarios.values()))
    assert (masks.sum(axis=0) <= 1).all()
    assert masks.any(axis=1).all()


def test_every_preference_statement_has_provenance() -> None:
    rep = provenance_report(bc.load_case(CASE))
    assert rep.missing == []
    assert rep.problems == []
    assert rep.cited > 20 and rep.estimates >= 1


def test_estimates_explain_themselves() -> None:
    for prov in _provenances(bc.load_case(CASE)):
        if prov.estimate:
            assert prov.note and len(prov.note) > 20


def test_quotes_are_verbatim_in_the_cited_report() -> None:
    texts = {sid: _norm((SOURCES / name).read_text(encoding="utf-8")) for sid, name in FILES.items()}
    cited = [p for p in _provenances(bc.load_case(CASE)) if not p.estimate]
    assert cited
    for prov in cited:
        assert prov.source in texts, prov
        assert prov.quote, prov
        assert _norm(prov.quote) in texts[prov.source], prov.quote


def test_has_stable_outcomes(result: bc.StabilityResult) -> None:
    for concept in result.concepts:
        assert result.equilibria(concept), concept


def test_hypergame_shows_kyiv_and_europe_caught_off_guard() -> None:
    """The reports: Ukraine "was informed in general terms about U.S. diplomatic
    efforts, but not about the depth" (report_a), and many European governments
    "learned of the talks only after media disclosures" (report_b). In the
    secret phase the case makes Kyiv unsure of the US channel (it knows such
    diplomacy exists, not what it does) and Europe unaware of it. The observed
    outcome (the talks go on, Kyiv insists on its own process) then rests on an
    option Europe did not know of: a strategic surprise for Europe; for Kyiv it
    is no strategic surprise (it knew the option existed); for the two parties
    to the talks it is neither."""
    from backchannel.gmcr.hypergame import hypergame

    r = hypergame(bc.compile_case(CASE))  # the first phase: the secret talks
    assert r.unaware["europe"] == ["us_channel"] and r.unaware["ukraine"] == []
    assert r.space.conflict.perceptions["ukraine"].unsure_of == ["us_channel"]
    assert r.unaware["us"] == [] and r.unaware["russia"] == []
    observed = [x for x in r.surprise if "observed" in x["source"]]
    assert {x["concept"] for x in observed} == set(r.concepts)
    for x in observed:
        assert x["kinds"]["europe"] == "strategic surprise"
        assert x["kinds"]["ukraine"] not in ("strategic surprise", "stealthy")
        assert x["kinds"]["us"] not in ("strategic surprise", "stealthy")
        assert x["kinds"]["russia"] not in ("strategic surprise", "stealthy")


def test_the_timeline_tells_the_reports_story() -> None:
    """Phase by phase, under Nash (worked through with `backchannel hypergame`):
    while the talks are secret nobody moves (the status quo, the channel
    running, is at rest in every picture); when they leak, Europe learns of a
    channel it did not know of (strategic surprise) and Kyiv of one it knew
    only in general terms (not a strategic surprise); after the disclosure
    Europe demands a seat and Kyiv insists on a Ukraine-led process, and the
    talks go on: report_a's "The talks may continue — quietly", with the
    protests report_b describes. The same end state as with full information:
    in this case the secrecy decides who is surprised and when."""
    from backchannel.gmcr.dynamics import phase_dynamics

    space = bc.compile_case(CASE)
    r = phase_dynamics(space)
    secret = r.phases[0]
    assert [p["name"] for p in r.phases] == ["secret_talks", "disclosure", "today"]
    assert secret["start"] == secret["reached"] == [space.status_quo + 1]
    kinds = {s["decision_maker"]: s["kind"] for s in secret["surprises"]}
    assert kinds == {"europe": "strategic surprise", "ukraine": "unexpected"}
    assert all(s["options"] == ["us_channel"] for s in secret["surprises"])
    (outcome,) = r.outcomes
    taken = set(space.describe(outcome - 1).split(", "))
    assert taken == {"us_channel", "ru_channel", "ua_insists", "eu_seat"}
    assert r.outcomes == r.full_information
    movers = [st["movers"] for part in r.paths[outcome] for st in part["steps"]]
    assert sorted(m for ms in movers for m in ms) == ["europe", "ukraine"]
    assert r.space.conflict.scenarios["talks_continue"]
    assert space.scenarios["talks_continue"][outcome - 1]


def test_every_named_future_has_a_path() -> None:
    """The issue behind the remodel: two of report_b's four futures were impossible
    by construction. Each is now the outcome of the phase dynamics for some
    combination of the orderings the case gives (its alternatives)."""
    from backchannel.gmcr.dynamics import phase_dynamics

    conflict = bc.load_case(CASE)
    found: set[str] = set()
    for us in range(-1, 3):
        for ru in range(-1, 2):
            for ua in range(-1, 1):
                dms = []
                for dm, k in zip(conflict.decision_makers, (us, ru, ua, -1), strict=True):
                    p = dm.preferences
                    if k >= 0:
                        p = p.model_copy(update={"prioritization": p.alternatives[k].prioritization})
                    dms.append(
                        dm.model_copy(update={"preferences": p.model_copy(update={"alternatives": []})})
                    )
                space = bc.compile_conflict(conflict.model_copy(update={"decision_makers": dms}))
                for o in phase_dynamics(space).outcomes:
                    found |= {k for k, m in space.scenarios.items() if m[o - 1]}
    assert found >= {"expanded_negotiations", "diplomatic_breakdown", "frozen_conflict", "renewed_escalation"}


def test_no_actor_without_support_in_the_reports() -> None:
    """The UK actor (the EU's numbers copied; the reports never name the UK) is gone;
    every bargaining actor is a decision maker of the graph model."""
    conflict = bc.load_case(CASE)
    assert [a.name for a in conflict.actors] == ["us", "russia", "ukraine", "eu"]
    assert {a.decision_maker for a in conflict.actors} == {d.name for d in conflict.decision_makers}


def test_the_flagship_stays_small() -> None:
    assert bc.compile_case(CASE).n_states < 1000


def test_each_named_future_has_at_least_two_percent() -> None:
    """The issue's criterion, at its settings: 10,000 samples, the defaults
    otherwise (seed 0, Nash, split). Each of report_b's four futures has a
    probability of at least 2% and the probabilities sum to 1; no sample is
    left unresolved (so nothing is unclassified)."""
    from backchannel.scenarios.run import scenarios

    r = scenarios(CASE, samples=10_000)
    for name in ("expanded_negotiations", "diplomatic_breakdown", "frozen_conflict", "renewed_escalation"):
        assert r.probability(name) >= 0.02, (name, r.probability(name))
    assert abs(float(r.p.sum()) - 1.0) < 1e-9
    assert r.unresolved == 0.0 and r.probability("unclassified") == 0.0
    phases = r.to_dict()["phases"]
    assert [p["name"] for p in phases] == ["secret_talks", "disclosure", "today"]
    assert phases[0]["p_surprised"]["europe"] > phases[0]["p_surprised"]["ukraine"] > 0
