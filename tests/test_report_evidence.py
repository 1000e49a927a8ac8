"""Source grading (NATO Admiralty system) and the report's evidence section."""

from __future__ import annotations

from importlib import resources

import yaml

from backchannel.case.casefile import load_case
from backchannel.case.model import Conflict
from backchannel.case.provenance import provenance_report
from backchannel.case.quotes import source_texts
from backchannel.report.build import build_report
from backchannel.report.evidence import evidence

CASES = resources.files("backchannel") / "cases"


def _case() -> Conflict:
    data = yaml.safe_load((CASES / "prisoners-dilemma.yaml").read_text(encoding="utf-8"))
    data["sources"] = [
        {
            "id": "wire",
            "title": "Wire report",
            "reliability": "B",
            "text": "P1 said it would cooperate if P2 does. P2 gave no answer.",
        },
        {
            "id": "paper",
            "title": "Newspaper",
            "reliability": "D",
            "text": "According to aides, P1 said it would cooperate if P2 does. Nobody believes P2.",
        },
    ]
    p1, p2 = (dm["preferences"]["prioritization"] for dm in data["decision_makers"])
    p1[0]["provenance"] = {
        "source": "wire",
        "quote": "P1 said it would cooperate if P2 does.",
        "credibility": 2,
    }
    p2[0]["provenance"] = {"source": "paper", "quote": "Nobody believes P2."}
    p1[1]["provenance"] = p2[1]["provenance"] = "analyst estimate: for the test"
    return Conflict.model_validate(data)


def test_grades_and_corroboration() -> None:
    conflict = _case()
    ev = evidence(conflict, source_texts(conflict))
    by_source = {r.source: r for r in ev.rows}
    wire, paper = by_source["wire"], by_source["paper"]
    assert wire.grade == "B2" and wire.graded and wire.corroborated_by == ("paper",)
    assert paper.grade == "D?" and not paper.graded and paper.corroborated_by == ()
    assert [r.source for r in ev.ungraded] == ["paper"]
    assert [r.source for r in ev.single_source] == ["paper"]
    data = ev.to_dict()
    assert data["texts_checked"] and data["judgements"][0]["grade"] in ("B2", "D?")


def test_without_texts_every_claim_is_single_source() -> None:
    conflict = _case()
    ev = evidence(conflict, None)
    assert len(ev.single_source) == len(ev.rows) == 2 and not ev.texts_checked


def test_report_shows_the_evidence_table() -> None:
    html = build_report(_case())
    assert "Evidence: sources and grades" in html
    assert "B — usually reliable" in html and "D — not usually reliable" in html
    assert "<strong>B2</strong>" in html and "<strong>D?</strong>" in html
    assert "Resting on ungraded claims" in html and "Resting on a single source" in html


def test_flagship_sources_are_graded_and_its_claims_are_not() -> None:
    conflict = load_case("ukraine-backchannel")
    assert {s.reliability for s in conflict.sources} == {"F"}
    ev = evidence(conflict, source_texts(conflict, CASES))
    cited = provenance_report(conflict).cited  # every judgement citing a source is a row
    assert cited > 50 and len(ev.rows) == cited
    assert len(ev.ungraded) == cited  # no credibility graded yet: all shown as such
    html = build_report("ukraine-backchannel")
    assert "F — reliability cannot be judged" in html
    assert f"{cited}</strong> rest on an ungraded claim" in html
