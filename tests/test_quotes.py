"""Quotes checked against their sources (``validate``), and ``validate --format json``."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest
import yaml

from backchannel.case.casefile import load_case
from backchannel.case.quotes import check_quotes, closest_passage, find_quote, normalise, source_texts
from conftest import RunCli

CASES = resources.files("backchannel") / "cases"


def _flagship_copy(tmp_path: Path) -> Path:
    case = tmp_path / "ukraine-backchannel.yaml"
    case.write_bytes((CASES / "ukraine-backchannel.yaml").read_bytes())
    (tmp_path / "sources").mkdir()
    for name in ("report_a.txt", "report_b.txt"):
        (tmp_path / "sources" / name).write_bytes((CASES / "sources" / name).read_bytes())
    return case


def test_normalise_ignores_typography_and_whitespace() -> None:
    text = "Washington’s line:\n“Nothing is decided” —  without\tUkraine…"
    assert normalise(text)[0] == 'Washington\'s line: "Nothing is decided"-without Ukraine...'
    start, end = find_quote(text, '"Nothing is decided" - without Ukraine') or (0, 0)
    assert text[start:end] == "“Nothing is decided” —  without\tUkraine"
    # an ellipsis marks words left out, so a trailing one asks for nothing more
    assert find_quote(text, "Nothing is decided” — without Ukraine...") == (start + 1, end)
    assert find_quote(text, "Washington's line ... without Ukraine") == (0, len(text) - 1)
    assert find_quote(text, "without Ukraine ... Washington") is None  # parts in order
    assert find_quote(text, "Something is decided") is None


def test_closest_passage_is_whole_words() -> None:
    text = "First sentence here. Russia has consistently rejected conditions it views as humiliating. Last."
    passage, score = closest_passage(text, "Russia has always accepted conditions it views as humiliating.")
    assert passage == "Russia has consistently rejected conditions it views as humiliating."
    assert 60 < score < 100


def test_flagship_quotes_all_check(run_cli: RunCli) -> None:
    conflict = load_case("ukraine-backchannel")
    texts = source_texts(conflict, CASES)
    assert set(texts) == {"report_a", "report_b"}
    report = check_quotes(conflict, texts)
    assert report.checked > 80 and report.verbatim == report.checked and not report.mismatched
    code, out, err = run_cli(["validate", "ukraine-backchannel", "--format", "json"])
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"ok", "errors", "warnings", "audit", "summary", "quotes"}
    assert data["quotes"]["checked"] == report.checked and data["quotes"]["mismatched"] == []
    code, out, _ = run_cli(["validate", "ukraine-backchannel"])
    assert (
        code == 0
        and f"quotes: {report.checked} checked against their sources, {report.checked} verbatim" in out
    )


def test_altered_flagship_quote_is_named(run_cli: RunCli, tmp_path: Path) -> None:
    case = _flagship_copy(tmp_path)
    original = "Moscow has not signaled readiness for major concessions."
    text = case.read_text(encoding="utf-8")
    assert original in text
    case.write_text(
        text.replace(original, "Moscow has signaled readiness for major concessions."), encoding="utf-8"
    )
    code, out, err = run_cli(["validate", str(case)])
    assert code == 2 and not out.startswith("ok")
    msg = " ".join(err.split())
    assert '"Moscow has signaled readiness for major concessions."' in msg
    assert f'the closest passage is "{original}"' in msg
    code, out, _ = run_cli(["validate", str(case), "--format", "json"])
    assert code == 2
    data = json.loads(out)
    assert not data["ok"] and data["quotes"]["mismatched"]
    m = data["quotes"]["mismatched"][0]
    assert m["quote"] == "Moscow has signaled readiness for major concessions." and m["closest"] == original
    assert m["where"].endswith("provenance") and m["source"] == "report_a"
    err0 = data["errors"][0]
    assert err0["loc"][-1] == "quote" and isinstance(err0["line"], int)


def test_missing_source_file_is_bad_input(run_cli: RunCli, tmp_path: Path) -> None:
    case = _flagship_copy(tmp_path)
    shutil.rmtree(tmp_path / "sources")
    code, _, err = run_cli(["validate", str(case)])
    assert code == 2
    assert "report_a" in err and "sources/report_a.txt" in err and "cannot be read" in err


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_text_sources_are_checked(run_cli: RunCli, tmp_path: Path, fmt: str) -> None:
    case = yaml.safe_load((CASES / "prisoners-dilemma.yaml").read_text(encoding="utf-8"))
    case["sources"] = [{"id": "memo", "title": "A memo", "text": "P1 said: “We’ll  cooperate — if P2 does.”"}]
    dm = case["decision_makers"][0]
    dm["provenance"] = {"source": "memo", "quote": '"We\'ll cooperate - if P2 does."', "credibility": 2}
    path = tmp_path / "pd.yaml"
    path.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    code, out, err = run_cli(["validate", str(path), "--format", fmt])
    assert code == 0, out + err
    dm["provenance"]["quote"] = "We will cooperate whatever P2 does."
    path.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    code, out, err = run_cli(["validate", str(path), "--format", fmt])
    assert code == 2
    assert "We will cooperate whatever P2 does." in (out + " ".join(err.split()))


def test_grades_are_checked(run_cli: RunCli, tmp_path: Path) -> None:
    case = yaml.safe_load((CASES / "prisoners-dilemma.yaml").read_text(encoding="utf-8"))
    case["sources"] = [{"id": "memo", "title": "A memo", "reliability": "G"}]
    path = tmp_path / "pd.yaml"
    path.write_text(yaml.safe_dump(case), encoding="utf-8")
    code, _, err = run_cli(["validate", str(path)])
    assert code == 2 and "reliability" in err
    case["sources"][0]["reliability"] = "B"
    case["decision_makers"][0]["provenance"] = {"source": "memo", "credibility": 7}
    path.write_text(yaml.safe_dump(case), encoding="utf-8")
    code, _, err = run_cli(["validate", str(path)])
    assert code == 2 and "credibility" in err
