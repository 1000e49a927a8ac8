"""The HTML report: self-contained, well formed, faithful to the analyses, and its command."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import backchannel as bc
from backchannel.case.casefile import bundled_cases, load_case
from backchannel.case.provenance import provenance_report
from backchannel.errors import BackchannelError
from backchannel.report import sections_stability
from backchannel.report.build import build_report, content_hash, judgements
from backchannel.words import state_list
from conftest import RunCli

WHEN = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
FLAGSHIP = "ukraine-backchannel"

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class StrictParser(HTMLParser):
    """Checks that every element is closed, in order; collects attributes and section ids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.attrs: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()


def check_html(text: str) -> StrictParser:
    p = StrictParser()
    p.feed(text)
    p.close()
    assert not p.errors, p.errors[:5]
    assert p.stack == [], p.stack
    return p


def sections(p: StrictParser) -> list[str]:
    return [str(a["id"]) for tag, a in p.attrs if tag == "section"]


def assert_self_contained(text: str) -> None:
    low = text.lower()
    assert 'src="http' not in low and "src='http" not in low
    assert "<link" not in low and "@import" not in low and "<script" not in low
    assert "url(" not in low
    for m in re.finditer(r'(?:src|href)\s*=\s*"([^"]*)"', text):
        assert not m.group(1).lower().startswith(("http:", "https:", "//")), m.group(0)


@pytest.fixture(scope="module")
def flagship() -> str:
    return build_report(FLAGSHIP, generated=WHEN)


@pytest.fixture(scope="module")
def elmira() -> str:
    return build_report("elmira", generated=WHEN)


SCENARIOS: dict[str, Any] = {
    "analysis": "scenarios",
    "title": "Secret US–Russia back-channel talks on the war in Ukraine",
    "samples": 1000,
    "seed": 7,
    "parameters": {"concept": "nash", "rule": "split", "forecast_model": "bdm", "batch_size": 250},
    "scenarios": {
        "expanded_negotiations": {"label": "Expanded negotiations", "p": 0.41, "low": 0.38, "high": 0.44},
        "frozen_conflict": {"label": "Frozen <conflict>", "p": 0.3, "low": 0.27, "high": 0.33},
        "unclassified": {"label": "Unclassified", "p": 0.29, "low": 0.26, "high": 0.32},
    },
    "robust_equilibria": [
        {
            "state": 152,
            "pattern": "YNNNNNYNY",
            "description": "us_backchannel, ua_insists, eu_seat",
            "p_equilibrium": 0.93,
            "p_outcome": 0.40,
        }
    ],
    "sensitivity": [
        {
            "input": f"actors.a{k}.positions.sanctions",
            "label": f"Input number {k}",
            "kind": "numeric",
            "swing": k / 100,
            "scenario": "frozen_conflict" if k % 2 else "expanded_negotiations",
            "low": 0.30,
            "high": 0.30 + k / 100,
        }
        for k in range(1, 13)
    ],
    "convergence": [
        {
            "samples": 250,
            "scenarios": {"expanded_negotiations": 0.40, "frozen_conflict": 0.31},
            "half_width": 0.06,
        },
        {
            "samples": 500,
            "scenarios": {"expanded_negotiations": 0.41, "frozen_conflict": 0.30},
            "half_width": 0.04,
        },
    ],
    "issues": {"sanctions": {"label": "Sanctions relief", "mean": 41.2, "low": 30.1, "high": 55.0}},
}


# -- structure -----------------------------------------------------------------


def test_flagship_report_is_well_formed_and_self_contained(flagship: str) -> None:
    assert flagship.startswith("<!DOCTYPE html>")
    p = check_html(flagship)
    assert_self_contained(flagship)
    assert sections(p) == [
        "summary",  # computed, opens the report (issue 12)
        "case",
        "model",
        "provenance",
        "evidence",
        "equilibria",
        "why",
        "evolution",
        "hypergame",
        "forecasts",
    ]
    assert "Content-Security-Policy" in flagship and "default-src 'none'" in flagship
    # the header: title, generation time, version, content hash
    conflict = load_case(FLAGSHIP)
    assert f"<h1>{conflict.title}</h1>" in flagship
    assert "2025-01-02 03:04 UTC" in flagship and f"backchannel {bc.__version__}" in flagship
    assert content_hash(conflict) in flagship
    for s in conflict.sources:
        assert s.id in flagship
    # charts: one position chart per issue and the BDM trajectory
    assert flagship.count('role="img"') == len(conflict.issues) + 1


def test_elmira_report_has_no_hypergame_or_forecasts(elmira: str) -> None:
    p = check_html(elmira)
    assert_self_contained(elmira)
    assert sections(p) == [
        "summary",
        "case",
        "model",
        "provenance",
        "evidence",
        "equilibria",
        "why",
        "evolution",
    ]
    assert "Hypergame" not in elmira and "Bargaining" not in elmira
    # published references are listed
    assert "Kilgour, D. M. &amp; Hipel" in elmira


def test_bargaining_only_case() -> None:
    text = build_report("ec-emission-standards", generated=WHEN)
    p = check_html(text)
    assert sections(p) == ["case", "provenance", "evidence", "forecasts"]


def test_report_is_deterministic_for_a_given_time() -> None:
    assert build_report("syria-iraq", generated=WHEN) == build_report("syria-iraq", generated=WHEN)


def test_content_hash_is_the_results_model_hash() -> None:
    meta = bc.stability(FLAGSHIP).to_dict(states=False)["meta"]
    assert content_hash(load_case(FLAGSHIP)) == meta["model_hash"]


def test_case_text_is_escaped() -> None:
    nasty = '<script>alert("x")</script> & <b>'
    conflict = load_case("elmira").model_copy(update={"title": nasty, "description": nasty})
    text = build_report(conflict, generated=WHEN)
    check_html(text)
    assert "<script>" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text


# -- faithful to the analyses -------------------------------------------------


def listed_equilibria(p: StrictParser) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for _, a in p.attrs:
        if "data-eq" in a:
            out.setdefault(str(a["data-eq"]), []).append(int(str(a["data-state"])))
    return out


@pytest.mark.parametrize("case", [FLAGSHIP, "elmira"])
def test_equilibria_are_those_of_the_analysis(case: str, flagship: str, elmira: str) -> None:
    text = flagship if case == FLAGSHIP else elmira
    listed = listed_equilibria(check_html(text))
    result = bc.stability(case)
    for c in result.concepts:
        assert listed.get(c, []) == result.equilibria(c), c
    # every equilibrium's row of the stability table is marked; above STATE_TABLE_LIMIT
    # states (the flagship has 576) the table has only the status quo's and the
    # Nash/SEQ/SIM equilibria's rows
    rows = re.findall(r'<tr class="eq"><td>(\d+)', text)
    expected = {e for c in result.concepts for e in result.equilibria(c)}
    if result.space.n_states > sections_stability.STATE_TABLE_LIMIT:
        sq = result.space.status_quo
        shown = {e for c in ("nash", "seq", "sim") for e in result.equilibria(c)} | {sq + 1}
        expected &= shown
    assert sorted(map(int, rows)) == sorted(expected)


def test_big_cases_show_only_the_selective_equilibria(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sections_stability, "STATE_TABLE_LIMIT", 5)
    monkeypatch.setattr(sections_stability, "EQ_TABLE_LIMIT", 2)
    text = build_report("elmira", generated=WHEN)
    check_html(text)
    assert "The case has 12 states: the status quo and the Nash/SEQ/SIM equilibria, 7 rows are shown" in text
    result = bc.stability("elmira")
    shown = {e for c in ("nash", "seq", "sim") for e in result.equilibria(c)} | {1}  # 1: the status quo
    table = text[text.index("Stability of each state") : text.index('id="evolution"')]
    assert {int(n) for n in re.findall(r"<tr(?: class=\"eq\")?><td>(\d+)", table)} == shown
    assert listed_equilibria(check_html(text))["gmr"] == result.equilibria("gmr")
    monkeypatch.setattr(sections_stability, "STATE_ROWS_LIMIT", 3)
    text = build_report("elmira", generated=WHEN)
    assert "7 rows, of which the first 3 are shown" in text
    table = text[text.index("Stability of each state") : text.index('id="evolution"')]
    assert len(re.findall(r"<tr(?: class=\"eq\")?><td>(\d+)", table)) == 3


@pytest.mark.parametrize("case", sorted(bundled_cases()))
def test_judgements_match_the_provenance_audit(case: str) -> None:
    conflict = load_case(case)
    rep = provenance_report(conflict)
    kinds = Counter(j.kind for j in judgements(conflict))
    assert kinds["cited"] == rep.cited
    assert kinds["estimate"] == rep.estimates
    assert kinds["none"] == len(rep.missing)
    missing = [f"{j.where} " for j in judgements(conflict) if j.kind == "none"]
    assert [m.split(" (")[0] + " " for m in rep.missing] == missing


def test_provenance_counts_in_the_report(flagship: str, elmira: str) -> None:
    for case, text in ((FLAGSHIP, flagship), ("elmira", elmira)):
        rep = provenance_report(load_case(case))
        assert (
            f"<strong>{rep.cited}</strong> judgements cite a source, <strong>{rep.estimates}</strong> are "
            f"analyst estimates, <strong>{len(rep.missing)}</strong> have no provenance" in text
        )
        assert text.count('<span class="kind-cited">cited</span>') == rep.cited
        assert text.count('<span class="kind-estimate">analyst estimate</span>') == rep.estimates
        assert text.count('<span class="kind-none">no provenance</span>') == len(rep.missing)
    # a quote is shown with its source
    assert "“Direct communication was seen as necessary to avoid unintended escalation.”" in flagship


def test_evolution_and_hypergame_sections(flagship: str) -> None:
    # from the modules: once they are imported, bc.evolution and bc.hypergame name the modules
    from backchannel.gmcr.engine import CONCEPTS
    from backchannel.gmcr.evolution import evolution
    from backchannel.gmcr.hypergame import hypergame

    evo = evolution(FLAGSHIP, None, CONCEPTS)
    part = flagship[flagship.index('id="evolution"') : flagship.index('id="hypergame"')]
    for e in evo.all_equilibria():
        assert f"<strong>State {e}</strong>" in part
        for st in evo.path(e):
            assert st.text.replace("&", "&amp;") in part
    hyp = hypergame(bc.compile_case(FLAGSHIP)).to_dict()  # the first phase: the secret talks
    part = flagship[flagship.index('id="hypergame"') : flagship.index('id="forecasts"')]
    assert "strategic surprise" in part
    assert hyp["unaware_of"]["europe"] == ["us_channel"]
    assert "Pursue the back channel with Russia" in part
    assert f"<td>Nash</td><td>{state_list(hyp['h1']['nash'], 8)}</td>" in part  # condensed
    # the story through the timeline's phases follows the tables
    assert "Through the phases" in part and "Media disclosure." in part


def test_forecast_section(flagship: str) -> None:
    from backchannel.bargaining.forecast import forecast

    fc = forecast(load_case(FLAGSHIP)).to_dict()
    part = flagship[flagship.index('id="forecasts"') :]
    for entry in fc["issues"].values():
        assert entry["label"].replace("'", "&#x27;") in part
        assert f"{entry['bdm']:.1f}" in part
    assert "Median position by round" in part


# -- scenarios ----------------------------------------------------------------


def test_scenario_section_from_a_dict() -> None:
    text = build_report(FLAGSHIP, scenarios=SCENARIOS, generated=WHEN)
    p = check_html(text)
    assert_self_contained(text)
    assert sections(p)[-1] == "scenarios"
    part = text[text.index('id="scenarios"') :]
    assert "Frozen &lt;conflict&gt;" in part and "0.41" in part and "0.38–0.44" in part
    assert "Scenario probabilities (95% intervals)" in part
    assert "Robust equilibria" in part and "0.93" in part
    # the ten inputs with the largest swing, as tornado charts per scenario and a table
    assert "the 10 most influential inputs" in part
    assert "Input number 12" in part and "Input number 3" in part and "Input number 2<" not in part
    assert part.count(">input low</text>") == 2  # one tornado per scenario concerned
    assert "Scenario estimates as samples accumulate" in part
    assert "Sanctions relief" in part and "30.1–55.0" in part
    for key, value in (("samples", "1000"), ("seed", "7"), ("rule", "split"), ("batch size", "250")):
        assert f"<dt>{key}</dt><dd>{value}</dd>" in part
    assert part.count('role="img"') == 1 + 2 + 1


def test_scenario_section_with_missing_parts() -> None:
    minimal = {"analysis": "scenarios", "scenarios": SCENARIOS["scenarios"]}
    text = build_report("elmira", scenarios=minimal, generated=WHEN)
    check_html(text)
    part = text[text.index('id="scenarios"') :]
    assert "Scenario probabilities" in part
    for absent in ("Sensitivity", "Convergence", "Robust equilibria", "Issue forecasts"):
        assert absent not in part
    assert "computed for" not in part  # no title given: nothing to compare
    other = build_report("elmira", scenarios=SCENARIOS, generated=WHEN)
    assert "this scenario result was computed for" in other
    with pytest.raises(BackchannelError, match="not a scenario analysis"):
        build_report("elmira", scenarios={"analysis": "forecast"})


@pytest.mark.skipif(
    importlib.util.find_spec("backchannel.scenarios.run") is None,
    reason="backchannel.scenarios.run not installed",
)
def test_report_runs_the_scenario_analysis() -> None:
    text = build_report(FLAGSHIP, samples=200, seed=1, generated=WHEN)
    p = check_html(text)
    assert_self_contained(text)
    assert sections(p)[-2:] == ["scenarios", "futures-why"]
    part = text[text.index('id="scenarios"') :]
    assert "<dt>samples</dt><dd>200</dd>" in part and "<dt>seed</dt><dd>1</dd>" in part
    assert "Scenario probabilities" in part


# -- the command ---------------------------------------------------------------


def test_cli_writes_the_report(tmp_path: Path, run_cli: RunCli) -> None:
    out = tmp_path / "report.html"
    code, stdout, err = run_cli(["report", "elmira", "-o", str(out)])
    assert code == 0, err
    assert out.is_file() and str(out) in stdout and f"{out.stat().st_size:,} bytes" in stdout
    check_html(out.read_text(encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left
    # an existing file is replaced
    code, _, _ = run_cli(["report", "syria-iraq", "--output", str(out)])
    assert code == 0 and "Syria" in out.read_text(encoding="utf-8")


def test_cli_bad_input(tmp_path: Path, run_cli: RunCli) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run_cli(["report", "elmira", "-o", str(blocker / "report.html")])
    assert code == 2 and "cannot write" in err and "does not exist" in err
    code, _, err = run_cli(["report", "elmira", "-o", str(tmp_path)])
    assert code == 2 and "is a folder" in err
    code, _, err = run_cli(["report", "no-such-case", "-o", str(tmp_path / "r.html")])
    assert code == 2 and "no such file, and no bundled case" in err
    code, _, err = run_cli(
        ["report", "elmira", "-o", str(tmp_path / "r.html"), "--samples", "10", "--run", "1"]
    )
    assert code == 2 and "exclude each other" in err
    code, _, err = run_cli(["report", "elmira", "-o", str(tmp_path / "r.html"), "--samples", "-1"])
    assert code == 2
    assert not (tmp_path / "r.html").exists()


def test_cli_max_states_refuses_big_cases(tmp_path: Path, run_cli: RunCli) -> None:
    code, _, err = run_cli(["report", FLAGSHIP, "-o", str(tmp_path / "r.html"), "--max-states", "10"])
    assert code == 1 and "states" in err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.skipif(
    importlib.util.find_spec("backchannel.store") is None
    or importlib.util.find_spec("backchannel.scenarios.run") is None,
    reason="the run store is not installed",
)
def test_cli_takes_a_stored_run(tmp_path: Path, run_cli: RunCli) -> None:
    from backchannel.scenarios.run import scenarios
    from backchannel.store import open_store

    db = str(tmp_path / "runs.sqlite")
    store = open_store(db)
    try:
        run_id = scenarios("elmira", samples=50, seed=3, store=store).run_id
    finally:
        store.close()
    out = tmp_path / "r.html"
    code, _, err = run_cli(["report", "elmira", "-o", str(out), "--run", str(run_id), "--db", db])
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "<dt>samples</dt><dd>50</dd>" in text and "<dt>seed</dt><dd>3</dd>" in text
    code, _, err = run_cli(["report", "elmira", "-o", str(out), "--run", "999", "--db", db])
    assert code == 2 and "999" in err


def test_json_result_of_scenarios_is_accepted_as_a_dict() -> None:
    # what `backchannel scenarios --format json` prints can be passed back in
    text = build_report("elmira", scenarios=json.loads(json.dumps(SCENARIOS)), generated=WHEN)
    assert 'id="scenarios"' in text
