"""The workbench API for analysts (issue 16): every problem at once, bargaining-only
scenario jobs, resumable runs, the what-if preview and a run's case version."""

from __future__ import annotations

import threading
import warnings
from pathlib import Path
from typing import Any

import pytest

from conftest import wait_job

with warnings.catch_warnings():  # starlette's test client warns that it prefers httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

# Three statements, each naming an option that does not exist (lines 7, 13 and 14).
THREE_UNKNOWN = """\
title: Two parties
decision_makers:
  - name: A
    options:
      - name: a_acts
    preferences:
      - b_dances
      - not a_acts
  - name: B
    options:
      - name: b_acts
    preferences:
      - a_sings
      - not b_walks
status_quo: NN
"""

# The second `scenarios:` entry named `calm` would silently replace the first.
DUPLICATE_KEY = """\
title: Two parties
decision_makers:
  - name: A
    options: [{name: a_acts}]
    preferences: [not a_acts]
  - name: B
    options: [{name: b_acts}]
    preferences: [not b_acts]
scenarios:
  calm: not a_acts and not b_acts
  calm: a_acts
"""


#: Runs here (a resumed flagship run, a full one) may take longer than test_web_api's jobs.
WAIT = 120


# ------------------------------------------------------------------ validation


def test_three_unknown_names_give_three_located_errors(client: TestClient) -> None:
    r = client.post("/api/validate", json={"text": THREE_UNKNOWN, "format": "yaml"})
    assert r.status_code == 200
    errors = r.json()["errors"]
    got = sorted((e["line"], e["path"]) for e in errors)
    assert got == [
        (7, "decision_makers.0.preferences.prioritization.0"),
        (13, "decision_makers.1.preferences.prioritization.0"),
        (14, "decision_makers.1.preferences.prioritization.1"),
    ], errors
    messages = " ".join(e["message"] for e in errors)
    for name in ("b_dances", "a_sings", "b_walks"):
        assert name in messages


def test_one_unknown_name_is_reported_once(client: TestClient) -> None:
    text = THREE_UNKNOWN.replace("a_sings", "a_acts").replace("b_walks", "b_acts")
    errors = client.post("/api/validate", json={"text": text, "format": "yaml"}).json()["errors"]
    assert [(e["line"], "b_dances" in e["message"]) for e in errors] == [(7, True)]


def test_unknown_names_in_rules_and_scenarios_are_all_reported(client: TestClient) -> None:
    text = THREE_UNKNOWN.replace("status_quo: NN\n", "") + (
        "infeasible:\n  - a_acts and c_acts\n  - at_most_one: [a_acts, d_acts]\nscenarios:\n  calm: e_acts\n"
    )
    errors = client.post("/api/validate", json={"text": text, "format": "yaml"}).json()["errors"]
    paths = {e["path"] for e in errors}
    assert {"infeasible.0.expr", "infeasible.1.at_most_one", "scenarios.calm.when"} <= paths, paths
    assert len(errors) == 6
    assert all(e["line"] for e in errors)


def test_duplicate_key_is_a_located_error(client: TestClient) -> None:
    """A duplicate key is an error at the second key's line, naming the first (issue 16)."""
    r = client.post("/api/validate", json={"text": DUPLICATE_KEY, "format": "yaml"})
    body = r.json()
    assert body["ok"] is False, "a duplicate key was silently accepted"
    (err,) = [e for e in body["errors"] if "calm" in e["message"]]
    assert err["line"] == 11
    assert "10" in err["message"] or "10" in (err.get("hint") or "")  # both lines are named


# ------------------------------------------------------------------ bargaining-only jobs


def test_scenario_job_on_a_bargaining_only_case_is_accepted(client: TestClient) -> None:
    r = client.post("/api/jobs", json={"case": "bundled:ec-emission-standards", "samples": 60, "seed": 3})
    assert r.status_code == 202, r.json()
    job = wait_job(client, r.json()["job"], timeout=WAIT)
    assert job["status"] == "done", job
    assert job["result"]["issues"], "a bargaining-only run forecasts its issues"


# ------------------------------------------------------------------ resuming a cancelled run


def test_cancelled_run_resumes_to_the_uninterrupted_result(client: TestClient) -> None:
    from backchannel.scenarios import run as mod

    store = client.app.state.services.store()  # type: ignore[attr-defined]
    text = Path(mod.__file__).parents[1].joinpath("cases", "ukraine-backchannel.yaml").read_text()
    settings = mod.settings_of(
        samples=3 * mod.BATCH_SIZE,
        seed=7,
        concept="nash",
        rule="split",
        forecast_model="bdm",
        batch_size=mod.BATCH_SIZE,
        rounds=10,
        max_states=None,
    )
    run_id = mod.record_run(store, text, "yaml", "bundled:ukraine-backchannel", settings)
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        if done >= mod.BATCH_SIZE:  # cancel once the first batch is saved
            cancel.set()

    with pytest.raises(mod.Cancelled):
        mod.execute_run(store, run_id, progress=progress, cancel=cancel)
    rec = client.get(f"/api/runs/{run_id}").json()
    assert rec["status"] == "cancelled"
    assert 1 <= rec["batches_done"] < 3

    r = client.post(f"/api/runs/{run_id}/resume")
    assert r.status_code == 202, r.json()
    assert r.json()["run"] == run_id
    assert wait_job(client, r.json()["job"], timeout=WAIT)["status"] == "done"
    resumed = client.get(f"/api/runs/{run_id}").json()["result"]

    whole = mod.scenarios(_conflict(text), samples=3 * mod.BATCH_SIZE, seed=7)
    assert {k: v["p"] for k, v in resumed["scenarios"].items()} == {
        k: v["p"] for k, v in whole.to_dict()["scenarios"].items()
    }
    # a finished run is not resumed again
    assert client.post(f"/api/runs/{run_id}/resume").status_code == 409


def _conflict(text: str) -> Any:
    from backchannel.case.casefile import parse_case_text

    return parse_case_text(text, "ukraine-backchannel.yaml", "yaml")[0]


def test_run_case_gives_the_version_the_run_used(client: TestClient) -> None:
    r = client.post("/api/jobs", json={"case": "bundled:elmira", "samples": 20})
    run_id = r.json()["run"]
    wait_job(client, r.json()["job"], timeout=WAIT)
    got = client.get(f"/api/runs/{run_id}/case").json()
    assert got["format"] == "yaml"
    assert got["text"].startswith("title: Elmira")


# ------------------------------------------------------------------ what-if


def _statement_probability(text: str, p: float) -> str:
    """The flagship with the first preference statement of its first party holding with p."""
    import yaml

    data = yaml.safe_load(text)
    prefs = data["decision_makers"][0]["preferences"]
    prio = prefs["prioritization"] if isinstance(prefs, dict) else prefs
    first = prio[0]
    base = {"statement": first} if isinstance(first, str) else first
    prio[0] = {**base, "probability": p}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def test_whatif_preview_is_labelled_and_follows_the_inputs(client: TestClient) -> None:
    base = client.post("/api/whatif", json={"case": "bundled:ukraine-backchannel"})
    assert base.status_code == 200, base.json()
    b = base.json()
    assert b["method"] == "monte_carlo"
    assert "500 samples" in b["method_note"]
    assert b["samples"] == 500
    again = client.post("/api/whatif", json={"case": "bundled:ukraine-backchannel"}).json()
    assert again["scenarios"] == b["scenarios"]  # a fixed seed: the same sliders, the same numbers

    from backchannel.case.casefile import read_case_text

    text = read_case_text("ukraine-backchannel")[0]
    changed = client.post("/api/whatif", json={"text": _statement_probability(text, 0.0)}).json()
    assert changed["method"] == "monte_carlo"
    assert {k: v["p"] for k, v in changed["scenarios"].items()} != {
        k: v["p"] for k, v in b["scenarios"].items()
    }


def test_whatif_is_exact_when_the_uncertainty_is_discrete(client: TestClient) -> None:
    """The two-party toy of issue 12 (an alternative ordering with weight 0.3): the
    preview is exact, 0.3 / 0.7 / 0, and quick."""
    text = (Path(__file__).parent / "data" / "why" / "toy2.yaml").read_text()
    r = client.post("/api/whatif", json={"text": text})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["method"] == "exact" and body["method_note"].startswith("exact")
    assert sorted(v["p"] for v in body["scenarios"].values()) == [0.0, 0.0, 0.3, 0.7]
    assert body["preview_seconds"] < 1.0


def test_whatif_exact_is_refused_with_its_reason(client: TestClient) -> None:
    r = client.post("/api/whatif", json={"case": "bundled:ukraine-backchannel", "method": "exact"})
    assert r.status_code == 422
    assert r.json()["loc"] == ["method"] and "timeline" in r.json()["error"]


def test_whatif_bargaining_only_case(client: TestClient) -> None:
    r = client.post("/api/whatif", json={"case": "bundled:ec-emission-standards", "samples": 100})
    assert r.status_code == 200, r.json()
    assert r.json()["issues"]
