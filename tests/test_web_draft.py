"""The workbench's drafting route: /api/draft, then validation and saving of the drafted case."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import yaml

from backchannel.web import create_app

with warnings.catch_warnings():  # starlette's test client warns that it prefers httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SOURCES = resources.files("backchannel") / "cases" / "sources"
NEWS = Path(__file__).parent / "data" / "news"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(store_url=f"sqlite:///{tmp_path}/s.db")) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf"]
        yield c


def _reports() -> list[dict[str, str]]:
    return [
        {"name": n, "text": (SOURCES / n).read_text(encoding="utf-8")}
        for n in ("report_a.txt", "report_b.txt")
    ]


def test_draft_route_quotes_slice_and_case_validates(client: TestClient) -> None:
    r = client.post("/api/draft", json={"reports": _reports()})
    assert r.status_code == 200, r.text
    data = r.json()
    texts = {s["id"]: s["text"] for s in data["sources"]}
    assert set(texts) == {"report_a", "report_b"}
    n = 0
    for kind in ("claims", "measures", "futures"):
        for q in data[kind]:
            assert texts[q["source"]][q["start"] : q["end"]] == q["quote"]
            n += 1
    for p in data["parties"]:
        for m in p["mentions"]:
            assert texts[m["source"]][m["start"] : m["end"]] == m["quote"]
    assert n > 40
    v = client.post("/api/validate", json={"text": data["case_yaml"]}).json()
    assert v["ok"], v["errors"]
    assert v["quotes"]["checked"] > 10 and v["quotes"]["verbatim"] == v["quotes"]["checked"]
    saved = client.post("/api/cases", json={"name": "drafted", "text": data["case_yaml"]})
    assert saved.status_code == 201 and saved.json()["id"] == "user:drafted"


def test_rejected_elements_stay_out_of_the_case(client: TestClient) -> None:
    first = client.post("/api/draft", json={"reports": _reports()}).json()
    measure = first["measures"][0]["text"]
    case = yaml.safe_load(first["case_yaml"])
    assert any(dm["label"] == "NATO" for dm in case["decision_makers"])
    labels = [o["label"] for dm in case["decision_makers"] for o in dm["options"]]
    assert measure[:1].upper() + measure[1:] in labels
    body = {"reports": _reports(), "rejected": {"parties": ["NATO"], "measures": [0], "futures": [0, 1]}}
    again = client.post("/api/draft", json=body).json()
    assert again["measures"] == first["measures"]  # the draft itself is whole; the case leaves them out
    case = yaml.safe_load(again["case_yaml"])
    assert all(dm["label"] != "NATO" for dm in case["decision_makers"])
    labels = [o["label"] for dm in case["decision_makers"] for o in dm["options"]]
    assert measure[:1].upper() + measure[1:] not in labels
    names = {s["label"].lower() for s in case["scenarios"].values()}
    assert first["futures"][0]["name"] not in names


def test_html_report_and_bad_input(client: TestClient) -> None:
    html = (NEWS / "sudan_jeddah_b.txt").read_text(encoding="utf-8")
    r = client.post("/api/draft", json={"reports": [{"name": "b.html", "text": html}]})
    assert r.status_code == 200
    src = r.json()["sources"][0]
    assert (
        src["title"] == "Hopes and doubts as Sudan truce talks enter second week" and "<p>" not in src["text"]
    )
    assert client.post("/api/draft", json={"reports": []}).status_code == 422
    r = client.post("/api/draft", json={"reports": [{"name": "w", "text": "The weather was fine."}]})
    assert r.status_code == 200 and r.json()["case_yaml"] is None and "no state" in r.json()["case_error"]
    r = client.post("/api/draft", json={"reports": [{"name": "x", "text": "<html><body></body></html>"}]})
    assert r.status_code == 422 and "no text" in r.json()["error"]
