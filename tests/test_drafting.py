"""Drafting a case from news reports (``backchannel draft``).

The flagship's two reports ship with the package (``cases/sources/``, see the
README there for their origin). Three other news texts, written for these
tests in news style about other conflicts (Sudan's truce talks, a collision
in the South China Sea; people's names are invented), keep the drafting from
being tuned to one text: ``tests/data/news/``. One of them is HTML.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from backchannel.drafting import Draft, case_from_draft, draft_reports, report_from_text
from conftest import RunCli

NEWS = Path(__file__).parent / "data" / "news"
SOURCES = resources.files("backchannel") / "cases" / "sources"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "sources"  # beside the clone, as CI lays it out


def _flagship_paths(tmp_path: Path) -> list[Path]:
    out = []
    for name in ("report_a.txt", "report_b.txt"):
        p = tmp_path / name
        p.write_bytes((SOURCES / name).read_bytes())
        out.append(p)
    return out


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> Draft:
    return draft_reports(_flagship_paths(tmp_path_factory.mktemp("flagship")))


@pytest.fixture(scope="module")
def sudan() -> Draft:
    return draft_reports([NEWS / "sudan_jeddah_a.txt", NEWS / "sudan_jeddah_b.txt"])


@pytest.fixture(scope="module")
def shoal() -> Draft:
    return draft_reports([NEWS / "scs_shoal.txt"])


def _quotes(node: Any) -> Iterator[dict[str, Any]]:
    """Every object of the draft's JSON with a source, offsets and a quote."""
    if isinstance(node, dict):
        if {"source", "start", "end", "quote"} <= node.keys():
            yield node
        for v in node.values():
            yield from _quotes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _quotes(v)


def _check_offsets(draft: Draft) -> int:
    data = draft.to_dict()
    n = 0
    for q in _quotes(data):
        assert draft.text_of(q["source"])[q["start"] : q["end"]] == q["quote"], q
        n += 1
    for kind in ("dates", "places"):
        for m in data[kind]:
            assert draft.text_of(m["source"])[m["start"] : m["end"]] == m["text"]
    return n


def test_packaged_reports_are_the_received_copies() -> None:
    digests = {
        "report_a.txt": "23cdf61eb8a6c0deaf81885848776f3fc12aef74cb2fe6e1bc05a32506d572dc",
        "report_b.txt": "416958eac5e0a739112f99ce268a444a8a461b1c76640e684f40f8b9a5afc699",
    }
    for name, digest in digests.items():
        assert hashlib.sha256((SOURCES / name).read_bytes()).hexdigest() == digest
    if SHARED.is_dir():  # where the steering folder lies beside the clone, the copies match it
        received = {hashlib.sha256(p.read_bytes()).hexdigest() for p in SHARED.glob("*.txt")}
        assert set(digests.values()) <= received


def test_every_quote_slices_exactly(flagship: Draft, sudan: Draft, shoal: Draft) -> None:
    for draft in (flagship, sudan, shoal):
        assert _check_offsets(draft) > 20


def test_flagship_parties(flagship: Draft) -> None:
    parties = {p.name: p for p in flagship.parties}
    for name in ("United States", "Russia", "Ukraine", "Europe", "NATO"):
        assert name in parties
    assert [p.name for p in flagship.parties[:3]] == ["Ukraine", "Russia", "United States"]
    assert {"Washington", "White House", "U.S."} <= parties["United States"].aliases
    assert {"Kremlin", "Moscow"} <= parties["Russia"].aliases
    assert "Kyiv" in parties["Ukraine"].aliases
    assert parties["Volodymyr Zelenskyy"].kind == "person"


def test_flagship_measures(flagship: Draft) -> None:
    texts = [m.text for m in flagship.measures]
    for words in (
        "A phased reduction of certain offensive operations",
        "Limited humanitarian corridors",
        "International monitoring in specific regions",
        "A freeze on certain types of long-range strikes",
        "Freezing current front lines",
        "Establishing demilitarized buffer zones",
    ):
        assert words in texts
    framework = next(m for m in flagship.measures if m.text.startswith("A phased reduction"))
    assert framework.kind == "proposal" and framework.source == "report_a"


def test_flagship_futures(flagship: Draft) -> None:
    named = {f.name: f for f in flagship.futures if f.kind == "named scenario"}
    assert set(named) == {
        "expanded negotiations",
        "diplomatic breakdown",
        "frozen conflict",
        "renewed escalation",
    }
    assert "talks could collapse" in named["diplomatic breakdown"].quote


def test_flagship_claims(flagship: Draft) -> None:
    by_quote = {c.quote: c for c in flagship.claims}
    c = by_quote[
        "Washington emphasizes that no agreement can move forward without Ukraine’s explicit approval."
    ]
    assert (c.speaker, c.party, c.cue) == ("Washington", "United States", "emphasizes")
    kyiv = next(c for c in flagship.claims if c.quote.startswith("Kyiv fears that:"))
    assert (
        kyiv.party == "Ukraine" and "Territorial concessions could be discussed without consent" in kyiv.quote
    )
    assert any(c.party == "Europe" and c.cue == "warned" for c in flagship.claims)


def test_flagship_contradiction_election(flagship: Draft) -> None:
    found = [
        c
        for c in flagship.contradictions
        if "election year" in c.sides[0]["quote"]
        and "since Donald Trump’s election victory" in c.sides[1]["quote"]
    ]
    assert len(found) == 1
    a, b = found[0].sides
    assert (a["source"], b["source"]) == ("report_a", "report_b")


def test_sudan_reports(sudan: Draft) -> None:
    parties = {p.name: p for p in sudan.parties}
    assert {"Sudan", "Rapid Support Forces", "Saudi Arabia", "United States"} <= set(parties)
    assert "RSF" in parties["Rapid Support Forces"].aliases
    assert "Riyadh" in parties["Saudi Arabia"].aliases
    texts = [m.text for m in sudan.measures]
    assert "An exchange of prisoners held by both sides" in texts
    assert "a phased withdrawal of forces from the capital" in texts
    assert [m.text for m in sudan.measures if m.kind == "offer"] == ["host the monitoring committee"]
    kinds = {(c.kind, c.sides[0]["value"], c.sides[1]["value"]) for c in sudan.contradictions}
    assert ("where", "Jeddah", "Riyadh") in kinds
    assert ("how many", "40", "12") in kinds
    assert any(k == "when" and "10 March" in a and "2 March" in b for k, a, b in kinds)
    assert any(f.name == "famine" for f in sudan.futures)
    rsf = next(c for c in sudan.claims if c.cue == "denied")
    assert rsf.party == "Rapid Support Forces"


def test_html_report_is_stripped(sudan: Draft) -> None:
    b = next(r for r in sudan.reports if r.id == "sudan_jeddah_b")
    assert b.title == "Hopes and doubts as Sudan truce talks enter second week"
    assert "<p>" not in b.text and b.date == "16 March 2025"


def test_shoal_report(shoal: Draft) -> None:
    parties = {p.name: p for p in shoal.parties}
    assert {"Philippines", "China", "United States"} <= set(parties)
    assert parties["Lin Mei"].acts_for == "China"
    beijing = next(c for c in shoal.claims if c.quote == "Beijing rejected the account.")
    assert beijing.party == "China"
    accused = next(
        c for c in shoal.claims if c.cue == "accused"
    )  # after the dateline "MANILA, 3 June 2024 … —"
    assert (accused.speaker, accused.party) == ("The Philippines", "Philippines")
    assert any("hotline" in m.text for m in shoal.measures)
    demand = next(m for m in shoal.measures if m.kind == "demand")
    assert demand.text == "Beijing withdraw its ships from the area"  # "demanded that Beijing withdraw …"
    names = {f.name for f in shoal.futures}
    assert "a blockade of the shoal" in names


def test_text_reports_without_files() -> None:
    r = report_from_text("<html><body><p>Kyiv said talks could lead to a ceasefire.</p></body></html>", "x")
    d = draft_reports([r])
    assert d.reports[0].text.strip() == "Kyiv said talks could lead to a ceasefire."
    assert d.claims[0].party == "Ukraine"
    case = case_from_draft(d)
    assert case["sources"][0]["text"] == d.reports[0].text  # no file: the text goes into the case


def test_draft_cli_writes_a_case_that_validates(run_cli: RunCli, tmp_path: Path) -> None:
    paths = _flagship_paths(tmp_path)
    out = tmp_path / "case.yaml"
    code, stdout, err = run_cli(["draft", *map(str, paths), "-o", str(out), "--format", "json"])
    assert code == 0, err
    data = json.loads(stdout)
    assert set(data) >= {"sources", "parties", "claims", "measures", "futures", "contradictions"}
    assert data["sources"][0] == {
        "id": "report_a",
        "file": str(paths[0]),
        "title": data["sources"][0]["title"],
        "date": None,
    }
    code, stdout, err = run_cli(["validate", str(out), "--format", "json"])
    assert code == 0, stdout + err
    report = json.loads(stdout)
    assert report["ok"] and report["quotes"]["checked"] > 10
    assert report["quotes"]["verbatim"] == report["quotes"]["checked"]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# DRAFT") and "DRAFT placeholder" in text
    assert "file: report_a.txt" in text  # relative to the case file


def test_draft_cli_html_case_validates(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "sudan.yaml"
    code, stdout, err = run_cli(
        ["draft", str(NEWS / "sudan_jeddah_a.txt"), str(NEWS / "sudan_jeddah_b.txt"), "-o", str(out)]
    )
    assert code == 0, err
    assert "Contradictions between reports" in stdout and "Riyadh" in stdout
    code, stdout, err = run_cli(["validate", str(out)])
    assert code == 0, err
    assert "verbatim" in stdout


def test_no_party_no_case(run_cli: RunCli, tmp_path: Path) -> None:
    report = tmp_path / "weather.txt"
    report.write_text("The weather was fine all week, and the harvest came in early.", encoding="utf-8")
    code, out, _ = run_cli(["draft", str(report), "--format", "json"])
    assert code == 0 and json.loads(out)["parties"] == []
    code, _, err = run_cli(["draft", str(report), "-o", str(tmp_path / "case.yaml")])
    assert code == 2 and "name no state, organisation or group" in " ".join(err.split())
    assert not (tmp_path / "case.yaml").exists()


def test_draft_cli_bad_input(run_cli: RunCli, tmp_path: Path) -> None:
    code, _, err = run_cli(["draft", str(tmp_path / "missing.txt")])
    assert code == 2 and "no such file" in err
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    code, _, err = run_cli(["draft", str(empty)])
    assert code == 2 and "is empty" in err
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00abc")
    code, _, err = run_cli(["draft", str(binary)])
    assert code == 2 and "not UTF-8" in err


def test_draft_without_spacy_says_how_to_install(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys

    from backchannel.drafting import nlp

    report = tmp_path / "r.txt"
    report.write_text("Kyiv said so.", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy fails
    nlp.load.cache_clear()
    try:
        code, _, err = run_cli(["draft", str(report)])
    finally:
        nlp.load.cache_clear()
    assert code == 2
    assert "pip install 'backchannel[nlp]'" in " ".join(err.split())


def test_gazetteer_normalises_names() -> None:
    from backchannel.drafting import gazetteer

    assert gazetteer.lookup("the Kremlin").name == "Russia"  # type: ignore[union-attr]
    assert gazetteer.lookup("Washington’s").name == "United States"  # type: ignore[union-attr]
    assert gazetteer.lookup("Brussels").name == "Europe"  # type: ignore[union-attr]
    assert gazetteer.lookup("Gotham") is None
    text = "Let us eat turkey with U.S. envoys in Turkey; the US and the Kremlin agreed."
    found = [(m.group(), gazetteer.lookup(m.group()).name) for m in gazetteer.matcher().finditer(text)]  # type: ignore[union-attr]
    assert found == [
        ("U.S.", "United States"),
        ("Turkey", "Turkey"),
        ("US", "United States"),
        ("Kremlin", "Russia"),
    ]


def test_drafting_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from backchannel.drafting import nlp

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access during drafting")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    nlp.load.cache_clear()  # load the pipeline again, with the network cut
    try:
        d = draft_reports([report_from_text("The Kremlin said talks could lead to a ceasefire.", "r")])
    finally:
        nlp.load.cache_clear()
    assert d.claims[0].party == "Russia" and d.futures[0].name == "a ceasefire"
