"""The web workbench's API, in-process: every endpoint, against the library and the CLI."""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import pytest

from backchannel.web import Limits
from conftest import RunCli, make_client, wait_job

with warnings.catch_warnings():  # starlette's test client warns that it prefers httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

DATA = Path(__file__).parent / "data"

GOOD = """\
title: Two parties
decision_makers:
  - name: A
    options:
      - name: a_acts
    preferences:
      - b_acts
      - not a_acts
  - name: B
    options:
      - name: b_acts
    preferences:
      - a_acts
      - not b_acts
status_quo: NN
"""

UNKNOWN_OPTION = GOOD.replace("      - b_acts\n", "      - b_dances\n", 1)  # line 7
BAD_NAMES = GOOD.replace("a_acts\n    preferences", "a acts\n    preferences").replace(
    "      - name: b_acts", "      - name: 9b"
)


# ---------------------------------------------------------------------------
# session and pages


def test_session(tmp_path: Path) -> None:
    with make_client(tmp_path) as c:
        r = c.get("/api/session")
        assert r.status_code == 200
        body = r.json()
        assert body["auth"] is False and body["version"]
        assert c.cookies["bc_csrf"] == body["csrf"]
        assert c.get("/api/session").json()["csrf"] == body["csrf"]  # stable for the session


def test_pages_and_docs(client: TestClient, tmp_path: Path) -> None:
    assert client.get("/").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/analyze" in schema["paths"] and "/api/jobs" in schema["paths"]
    docs = client.get("/api/docs")
    assert (
        docs.status_code == 200 and "/api/analyze" in docs.text and "http" not in docs.text.split("<body>")[0]
    )
    assert client.get("/docs").status_code == 404  # no CDN-backed Swagger UI
    # no front end yet: a placeholder page; a front end: its index and assets
    with make_client(tmp_path, static_dir=tmp_path / "none") as c:
        r = c.get("/")
        assert r.status_code == 200 and "Backchannel" in r.text and "/api/docs" in r.text
    site = tmp_path / "site"
    (site / "js").mkdir(parents=True)
    (site / "index.html").write_text("<!DOCTYPE html><title>front</title>")
    (site / "js" / "app.js").write_text("console.log(1)")
    with make_client(tmp_path, static_dir=site) as c:
        assert c.get("/").text.endswith("<title>front</title>")
        js = c.get("/static/js/app.js")
        assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
        assert c.get("/static/js/missing.js").status_code == 404


# ---------------------------------------------------------------------------
# cases


def test_list_and_get_cases(client: TestClient) -> None:
    cases = {c["id"]: c for c in client.get("/api/cases").json()}
    assert cases["bundled:elmira"] == {
        "id": "bundled:elmira",
        "name": "elmira",
        "title": "Elmira groundwater contamination",
        "source": "bundled",
        "version": None,
        "states": 12,
        "kind": "graph",
        "modified": None,
    }
    assert cases["bundled:ukraine-backchannel"]["states"] == 576
    assert cases["bundled:ukraine-backchannel"]["kind"] == "both"
    assert cases["bundled:ec-emission-standards"]["kind"] == "bargaining"
    case = client.get("/api/cases/bundled:elmira").json()
    assert case["format"] == "yaml" and case["versions"] == [] and case["version"] is None
    assert case["text"].startswith("title: Elmira")
    assert client.get("/api/cases/bundled:nope").status_code == 404
    assert client.get("/api/cases/elmira").status_code == 404


def test_user_case_lifecycle(client: TestClient) -> None:
    r = client.post("/api/cases", json={"name": "two", "text": GOOD})
    assert r.status_code == 201 and r.json() == {"id": "user:two", "version": 1}
    assert client.post("/api/cases", json={"name": "two", "text": GOOD}).status_code == 409
    bad = client.post("/api/cases", json={"name": "bad", "text": UNKNOWN_OPTION})
    assert bad.status_code == 422
    assert bad.json()["line"] == 7 and "b_dances" in bad.json()["error"] and bad.json()["errors"]
    assert client.post("/api/cases", json={"name": "../x", "text": GOOD}).status_code == 422

    changed = GOOD.replace("title: Two parties", "title: Two parties, revised")
    r = client.put("/api/cases/user:two", json={"text": changed, "format": "yaml"})
    assert r.status_code == 200 and r.json() == {"id": "user:two", "version": 2}
    latest = client.get("/api/cases/user:two").json()
    assert (
        latest["versions"] == [1, 2] and latest["version"] == 2 and latest["title"] == "Two parties, revised"
    )
    assert client.get("/api/cases/user:two?version=1").json()["text"] == GOOD
    assert client.get("/api/cases/user:two?version=9").status_code == 404
    assert client.put("/api/cases/user:two", json={"text": UNKNOWN_OPTION}).status_code == 422
    listed = {c["id"]: c for c in client.get("/api/cases").json()}
    assert listed["user:two"]["version"] == 2 and listed["user:two"]["states"] == 4

    r = client.post("/api/cases/bundled:elmira/duplicate", json={"name": "elmira-copy"})
    assert r.status_code == 201 and r.json() == {"id": "user:elmira-copy", "version": 1}
    assert client.post("/api/cases/user:two/duplicate", json={"name": "elmira-copy"}).status_code == 409
    a = client.post("/api/analyze", json={"case": "user:elmira-copy"}).json()
    b = client.post("/api/analyze", json={"case": "bundled:elmira"}).json()
    assert a == b

    assert client.put("/api/cases/bundled:elmira", json={"text": GOOD}).status_code == 403
    assert client.delete("/api/cases/bundled:elmira").status_code == 403
    assert client.put("/api/cases/user:ghost", json={"text": GOOD}).status_code == 404
    assert client.delete("/api/cases/user:two").status_code == 204
    assert client.get("/api/cases/user:two").status_code == 404
    assert client.delete("/api/cases/user:two").status_code == 404


def test_import_gmcr_and_ktab(client: TestClient) -> None:
    from backchannel import load_case, stability
    from backchannel.bargaining.forecast import forecast

    with open(DATA / "elmira.gmcr", "rb") as fh:
        r = client.post("/api/import", files={"file": ("elmira.gmcr", fh.read())})
    assert r.status_code == 201 and r.json() == {"id": "user:elmira", "version": 1}
    case = client.get("/api/cases/user:elmira").json()
    assert case["format"] == "yaml" and "decision_makers:" in case["text"]
    got = client.post("/api/analyze", json={"case": "user:elmira"}).json()
    want = stability(load_case(DATA / "elmira.gmcr"))
    assert got["equilibria"] == {c: want.equilibria(c) for c in want.concepts}
    # the same file again: a new name
    with open(DATA / "elmira.gmcr", "rb") as fh:
        assert (
            client.post("/api/import", files={"file": ("elmira.gmcr", fh.read())}).json()["id"]
            == "user:elmira-2"
        )

    with open(DATA / "ktab_3actors.csv", "rb") as fh:
        r = client.post(
            "/api/import", files={"file": ("ktab_3actors.csv", fh.read())}, data={"name": "three"}
        )
    assert r.status_code == 201 and r.json()["id"] == "user:three"
    fc = client.post("/api/forecast", json={"case": "user:three"}).json()
    assert fc == forecast(load_case(DATA / "ktab_3actors.csv")).to_dict() | {"meta": fc["meta"]}

    # content without a telling name; a path in the file name is only a name
    r = client.post("/api/import", files={"file": ("../../etc/passwd", GOOD.encode())})
    assert r.status_code == 201 and r.json()["id"] == "user:passwd"
    r = client.post("/api/import", files={"file": ("x.yaml", UNKNOWN_OPTION.encode())})
    assert r.status_code == 422 and r.json()["line"] == 7
    r = client.post("/api/import", files={"file": ("x.yaml", b"\xff\xfe\x00bad")})
    assert r.status_code == 422 and "UTF-8" in r.json()["error"]


def test_export(client: TestClient) -> None:
    from backchannel.case.casefile import parse_case_text

    want = client.post("/api/analyze", json={"case": "bundled:elmira"}).json()["equilibria"]
    for fmt, parse_as in (("yaml", "yaml"), ("json", "json"), ("gmcr", "gmcr")):
        r = client.get(f"/api/cases/bundled:elmira/export?format={fmt}")
        assert r.status_code == 200
        assert r.headers["content-disposition"] == f'attachment; filename="elmira.{fmt}"'
        conflict, _ = parse_case_text(r.text, f"elmira.{fmt}", parse_as)
        from backchannel import stability

        got = stability(conflict)
        assert {c: got.equilibria(c) for c in got.concepts} == want
    csv = client.get("/api/cases/bundled:ukraine-backchannel/export?format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert client.get("/api/cases/bundled:elmira/export?format=exe").status_code == 422


# ---------------------------------------------------------------------------
# validation


def test_validate(client: TestClient) -> None:
    text = client.get("/api/cases/bundled:ukraine-backchannel").json()["text"]
    t0 = time.perf_counter()
    ok = client.post("/api/validate", json={"text": text, "format": "yaml"}).json()
    assert time.perf_counter() - t0 < 2
    assert ok["ok"] is True and ok["errors"] == []
    assert ok["summary"]["states"] == 576 and ok["audit"]["cited"] > 0

    unknown = client.post("/api/validate", json={"text": UNKNOWN_OPTION}).json()
    assert unknown["ok"] is False
    (err,) = unknown["errors"]
    assert "b_dances" in err["message"] and err["line"] == 7
    assert err["path"] == "decision_makers.0.preferences.prioritization.0"

    names = client.post("/api/validate", json={"text": BAD_NAMES}).json()
    assert names["ok"] is False
    got = {(e["path"], e["line"]) for e in names["errors"]}
    assert got == {("decision_makers.0.options.0.name", 5), ("decision_makers.1.options.0.name", 11)}
    assert all("must start with a letter" in e["message"] for e in names["errors"])

    syntax = client.post("/api/validate", json={"text": "title: [unclosed\n"}).json()
    assert syntax["ok"] is False and syntax["errors"][0]["line"] is not None
    js = client.post("/api/validate", json={"text": '{"title": 1', "format": "json"}).json()
    assert js["ok"] is False and "JSON" in js["errors"][0]["message"]
    ranking = GOOD.replace("      - b_acts\n      - not a_acts\n", "      ranking: [1, 2, 3]\n", 1)
    rk = client.post("/api/validate", json={"text": ranking}).json()
    assert rk["ok"] is False and "ranking" in rk["errors"][0]["message"] and rk["errors"][0]["line"] == 7
    bargaining = client.get("/api/cases/bundled:ec-emission-standards").json()["text"]
    assert client.post("/api/validate", json={"text": bargaining}).json()["ok"] is True
    broken = bargaining.replace("salience:", "salience_typo:", 1)
    assert client.post("/api/validate", json={"text": broken}).json()["ok"] is False


# ---------------------------------------------------------------------------
# analyses: the same JSON as the command line


@pytest.mark.parametrize("case", ["elmira", "ukraine-backchannel"])
def test_analyze_matches_cli(client: TestClient, run_cli: RunCli, case: str) -> None:
    code, out, _ = run_cli(["analyze", case, "--format", "json"])
    assert code == 0
    r = client.post("/api/analyze", json={"case": f"bundled:{case}"})
    assert r.status_code == 200
    assert r.json() == json.loads(out)


def test_analyze_text_and_concepts(client: TestClient) -> None:
    r = client.post("/api/analyze", json={"text": GOOD, "concepts": ["nash", "gmr"]})
    assert r.status_code == 200
    assert r.json()["equilibria"] == {"nash": [1], "gmr": [1, 4]}
    again = client.post("/api/analyze", json={"text": GOOD, "concepts": ["gmr", "nash"]})
    assert again.headers["x-cache"] == "hit" and again.content == r.content  # a pure function of its input
    # the text wins over the id: unsaved editor text
    r = client.post("/api/analyze", json={"case": "bundled:elmira", "text": GOOD, "concepts": ["nash"]})
    assert r.json()["case"] == "Two parties"
    r = client.post("/api/analyze", json={"case": "bundled:elmira", "concepts": ["nashh"]})
    assert r.status_code == 422 and "nashh" in r.json()["error"]
    r = client.post("/api/analyze", json={"text": UNKNOWN_OPTION})
    assert r.status_code == 422 and r.json()["line"] == 7
    assert client.post("/api/analyze", json={}).status_code == 422


@pytest.mark.parametrize("case", ["elmira", "syria-iraq"])
def test_graph_matches_analysis(client: TestClient, case: str) -> None:
    _graph_matches_analysis(client, case)


def test_flagship_graph_matches_analysis(tmp_path: Path) -> None:
    """The flagship (576 states) is above the default graph limit (300): with room for it."""
    with make_client(tmp_path, limits=Limits(max_graph_nodes=1000)) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf"]
        _graph_matches_analysis(c, "ukraine-backchannel")


def _graph_matches_analysis(client: TestClient, case: str) -> None:
    analysis = client.post("/api/analyze", json={"case": f"bundled:{case}"}).json()
    g = client.post("/api/graph", json={"case": f"bundled:{case}", "concept": "gmr"}).json()
    assert g["truncated"] is False and len(g["nodes"]) == analysis["n_states"]
    assert g["dms"] == analysis["decision_makers"] and g["layout"]
    for c, eqs in analysis["equilibria"].items():
        assert [n["id"] for n in g["nodes"] if n["equilibrium"][c]] == eqs
    ids = {n["id"] for n in g["nodes"]}
    for n in g["nodes"]:
        assert 0 <= n["x"] <= 1 and 0 <= n["y"] <= 1
        assert n["status_quo"] == (n["id"] == analysis["status_quo"])
        assert n["pattern"] == analysis["states"][n["id"] - 1]["pattern"]
    assert len({(n["x"], n["y"]) for n in g["nodes"]}) == len(g["nodes"])  # no two nodes on one spot
    assert all(e["source"] in ids and e["target"] in ids and e["dm"] in g["dms"] for e in g["edges"])
    payoffs = {s["number"]: s["payoffs"] for s in analysis["states"]}
    for e in g["edges"]:
        assert e["improving"] == (payoffs[e["target"]][e["dm"]] > payoffs[e["source"]][e["dm"]])
    assert any(e["on_path"] for e in g["edges"]) or not any(
        n["reachable"] and n["equilibrium"]["gmr"] and not n["status_quo"] for n in g["nodes"]
    )
    again = client.post("/api/graph", json={"case": f"bundled:{case}", "concept": "gmr"}).json()
    assert again == g  # deterministic


def test_graph_truncated(tmp_path: Path) -> None:
    with make_client(tmp_path, limits=Limits(max_graph_nodes=50)) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf"]
        g = c.post("/api/graph", json={"case": "bundled:ukraine-backchannel"}).json()
        analysis = c.post("/api/analyze", json={"case": "bundled:ukraine-backchannel"}).json()
    assert g["truncated"] is True
    kept = {n["id"] for n in g["nodes"]}
    assert analysis["status_quo"] in kept and set(analysis["equilibria"]["nash"]) <= kept
    assert all(n["reachable"] or n["equilibrium"]["nash"] or n["status_quo"] for n in g["nodes"])


def test_explain(client: TestClient) -> None:
    # Elmira, status quo (state 1): not Nash stable for the local government, which insists
    r = client.post("/api/explain", json={"case": "bundled:elmira", "state": 1, "concept": "nash"})
    assert r.status_code == 200
    ex = r.json()
    assert ex["state"]["number"] == 1 and ex["status_quo"] is True and ex["equilibrium"]["nash"] is False
    lg = next(d for d in ex["decision_makers"] if d["name"] == "LG")
    assert lg["stable"]["nash"] is False and lg["explanation"]["stable"] is False
    (imp,) = lg["explanation"]["improvements"]
    assert imp["target"]["number"] == 7 and "state 7" in lg["explanation"]["reason"]
    assert any(m["target"]["number"] == 7 and m["improvement"] for m in lg["moves"])
    # the GET form says the same
    same = client.get("/api/cases/bundled:elmira/states/1?concept=nash").json()
    assert same == ex
    # a GMR-stable state: each improvement and the sanction that deters it
    pd = client.post(
        "/api/explain", json={"case": "bundled:prisoners-dilemma", "state": "YY", "concept": "gmr"}
    )
    p1 = pd.json()["decision_makers"][0]["explanation"]
    assert p1["stable"] is True
    (imp,) = p1["improvements"]
    assert imp["deterred"] is True and imp["sanction"]["by"] == ["P2"]
    assert imp["sanction"]["result"]["number"] == 1
    bad = client.post("/api/explain", json={"case": "bundled:elmira", "state": 99})
    assert bad.status_code == 422 and "numbered 1 to 12" in bad.json()["error"]


@pytest.mark.parametrize("case", ["elmira", "syria-iraq", "chicken", "ukraine-backchannel"])
def test_explanations_agree_with_engine(case: str) -> None:
    from backchannel.gmcr.analysis import compile_case
    from backchannel.gmcr.engine import CONCEPTS, stability_matrix
    from backchannel.web.explain import explain_state

    sp = compile_case(case)
    stable = stability_matrix(sp)
    states = range(sp.n_states) if sp.n_states < 50 else range(0, sp.n_states, 17)
    for c in CONCEPTS:
        for s in states:
            ex = explain_state(sp, s + 1, c)
            for k, dm in enumerate(ex["decision_makers"]):
                imps = dm["explanation"]["improvements"]
                assert dm["explanation"]["stable"] == bool(stable[c][k, s])
                if c != "nash":
                    assert dm["explanation"]["stable"] == all(i["deterred"] for i in imps)
                for i in imps:
                    if i["deterred"]:
                        w = i["sanction"]["result"]["number"] - 1
                        assert sp.payoffs[k, w] <= sp.payoffs[k, s]


def test_hypergame_forecast_evolve_match_cli(client: TestClient, run_cli: RunCli) -> None:
    for cmd, endpoint, case in (
        ("hypergame", "/api/hypergame", "ukraine-backchannel"),
        ("forecast", "/api/forecast", "ukraine-backchannel"),
        ("evolve", "/api/evolve", "elmira"),
        ("evolve", "/api/evolve", "ukraine-backchannel"),
    ):
        code, out, _ = run_cli([cmd, case, "--format", "json"])
        assert code == 0
        r = client.post(endpoint, json={"case": f"bundled:{case}"})
        assert r.status_code == 200, r.json()
        assert r.json() == json.loads(out), (cmd, case)
    r = client.post("/api/hypergame", json={"case": "bundled:elmira"})
    assert r.status_code == 422 and "perceptions" in r.json()["error"]
    r = client.post("/api/forecast", json={"case": "bundled:elmira"})
    assert r.status_code == 422
    r = client.post("/api/forecast", json={"case": "bundled:ukraine-backchannel", "rounds": 10_000})
    assert r.status_code == 422
    r = client.post("/api/evolve", json={"case": "bundled:elmira", "concept": ["nash", "gmr"]})
    assert r.json()["concepts"] == ["nash", "gmr"]
    r = client.post("/api/evolve", json={"text": GOOD.replace("status_quo: NN\n", "")})
    assert r.status_code == 422 and "status quo" in r.json()["error"]


def test_graphml_and_report(client: TestClient) -> None:
    r = client.get("/api/cases/bundled:elmira/graphml")
    assert r.status_code == 200 and r.text.startswith("<?xml") and "<graphml" in r.text
    assert r.headers["content-disposition"].startswith("attachment;")
    r = client.get("/api/cases/bundled:elmira/report")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Elmira" in r.text
    assert "script-src" not in r.headers["content-security-policy"]  # no scripts in a report
    assert "default-src 'none'" in r.headers["content-security-policy"]


# ---------------------------------------------------------------------------
# jobs and runs


def test_job_runs_to_done(client: TestClient) -> None:
    r = client.post(
        "/api/jobs",
        json={"kind": "scenarios", "case": "bundled:ukraine-backchannel", "samples": 200, "seed": 3},
    )
    assert r.status_code == 202
    job, run = r.json()["job"], r.json()["run"]
    j = wait_job(client, job)
    assert j["status"] == "done" and j["error"] is None
    assert j["done"] == j["total"] == 200 and j["run"] == run
    res = j["result"]
    assert res["samples"] == 200 and res["seed"] == 3
    assert abs(sum(s["p"] for s in res["scenarios"].values()) - 1) < 1e-6
    # the same as the command line's and the library's answer for that seed
    from backchannel.scenarios.run import scenarios

    assert res == scenarios("ukraine-backchannel", samples=200, seed=3).to_dict()

    runs = client.get("/api/runs").json()
    assert runs[0]["id"] == run and runs[0]["status"] == "done" and "result" not in runs[0]
    rec = client.get(f"/api/runs/{run}").json()
    assert rec["result"] == res
    dl = client.get(f"/api/runs/{run}/download?format=json")
    assert dl.status_code == 200 and json.loads(dl.text)["result"] == res
    table = client.get(f"/api/runs/{run}/download?format=csv")
    assert table.status_code == 200
    lines = table.text.splitlines()
    assert lines[0].startswith("scenario,") and len(lines) == len(res["scenarios"]) + 1
    assert client.get("/api/runs/999").status_code == 404
    assert client.get("/api/jobs/nope").status_code == 404

    # a rerun gives the same result (same case version, parameters and seed)
    r = client.post(f"/api/runs/{run}/rerun")
    assert r.status_code == 202 and r.json()["run"] != run
    again = wait_job(client, r.json()["job"])
    assert again["status"] == "done" and again["result"] == res

    report = client.get(f"/api/cases/bundled:ukraine-backchannel/report?run={run}")
    assert report.status_code == 200 and "Scenarios" in report.text


def test_job_cancel(client: TestClient) -> None:
    r = client.post("/api/jobs", json={"case": "bundled:ukraine-backchannel", "samples": 20_000, "seed": 1})
    assert r.status_code == 202
    job, run = r.json()["job"], r.json()["run"]
    c = client.delete(f"/api/jobs/{job}")
    assert c.status_code == 202
    j = wait_job(client, job)
    assert j["status"] == "cancelled" and j["result"] is None
    assert client.get(f"/api/runs/{run}").json()["status"] in ("cancelled", "created")


def test_job_input_errors(client: TestClient) -> None:
    r = client.post("/api/jobs", json={"case": "bundled:elmira", "samples": 20_001})
    assert r.status_code == 422 and "samples" in r.json()["error"]
    r = client.post("/api/jobs", json={"case": "bundled:elmira", "samples": 10, "rule": "coin"})
    assert r.status_code == 422 and "coin" in r.json()["error"]
    r = client.post("/api/jobs", json={"text": UNKNOWN_OPTION, "samples": 10})
    assert r.status_code == 422 and r.json()["line"] == 7
    assert client.get("/api/runs").json() == []  # nothing stored for refused jobs


def test_fast_yaml_reads_as_the_case_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """The libyaml reader gives the pure-Python reader's conflict and line map."""
    from backchannel.case import casefile
    from backchannel.case.casefile import bundled_cases, parse_case_text

    texts = [bundled_cases()[n].read_text(encoding="utf-8") for n in bundled_cases()]
    texts += [(DATA / "secret_channel.yaml").read_text(encoding="utf-8"), GOOD]
    texts.append(
        GOOD.replace(
            "title: Two parties", "title: yes\ndescription: 'on'\nreferences: [no, off, Y, '2001-12-14']"
        )
    )
    assert casefile._LIBYAML
    fast_all = [parse_case_text(text, "t", "yaml") for text in texts]
    monkeypatch.setattr(casefile, "_FastLoader", casefile._Loader)
    for text, fast in zip(texts, fast_all, strict=True):
        slow = parse_case_text(text, "t", "yaml")
        assert fast[0] == slow[0] and fast[1] == slow[1]
        assert fast[0].model_dump_json() == slow[0].model_dump_json()


def test_head_of_the_front_page(client: TestClient) -> None:
    """Monitoring tools and `curl -I` ask for HEAD."""
    r = client.head("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and not r.content


def test_timeline_in_the_api(client: TestClient) -> None:
    """A belief in a phase's perceptions that names an unknown option is reported at
    its place in the timeline; the flagship's hypergame and evolution carry the phases."""
    text = (
        "decision_makers:\n"
        "  - {name: a, options: [{name: secret}], preferences: [secret]}\n"
        "  - {name: b, options: [{name: trust}], preferences: [trust]}\n"
        "status_quo: NN\n"
        "timeline:\n"
        "  - {name: one, perceptions: {b: {preferences: {a: [nope]}}}, ends: {moves: 1}}\n"
        "  - {name: two}\n"
    )
    r = client.post("/api/validate", json={"text": text, "format": "yaml"}).json()
    assert not r["ok"]
    assert any("timeline" in str(e.get("loc")) and e.get("line") == 6 for e in r["errors"]), r["errors"]
    hg = client.post("/api/hypergame", json={"case": "bundled:ukraine-backchannel"}).json()
    assert [p["name"] for p in hg["phases"]] == ["secret_talks", "disclosure", "today"]
    assert hg["dynamics"]["outcomes"] and hg["story"]
    ev = client.post("/api/evolve", json={"case": "bundled:ukraine-backchannel"}).json()
    assert ev["phases"]["outcomes"] == hg["dynamics"]["outcomes"]
