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


def test_hypergame_shows_kyiv_caught_off_guard() -> None:
    """The reports: the framework "was significant enough to surprise Kyiv when it
    surfaced"; many European governments "learned of the talks only after media
    disclosures". The case makes both unaware of the channel; the observed
    outcome must then be a strategic surprise for them, and not for the two
    parties to the talks."""
    from backchannel.gmcr.hypergame import hypergame

    r = hypergame(bc.compile_case(CASE))
    assert r.unaware["ukraine"] == ["us_backchannel"] and r.unaware["europe"] == ["us_backchannel"]
    assert r.unaware["us"] == [] and r.unaware["russia"] == []
    observed = [x for x in r.surprise if "observed" in x["source"]]
    assert {x["concept"] for x in observed} == set(r.concepts)
    for x in observed:
        assert x["kinds"]["ukraine"] == x["kinds"]["europe"] == "strategic surprise"
        assert x["kinds"]["us"] not in ("strategic surprise", "stealthy")
    # acting on their own pictures, the parties reach an outcome that rests on the channel
    for s in r.h1_outcomes("nash"):
        assert r.space.pattern(s - 1)[0] == "Y"
