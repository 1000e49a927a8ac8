"""Monte Carlo scenarios: probabilities that can be checked by hand, the
sampled preferences against compiling each sample's case, reproducibility on
every backend, resuming an interrupted run, and bad input."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.case.model import Conflict
from backchannel.case.uncertainty import draw, uncertain_inputs
from backchannel.gmcr.statespace import compile_conflict
from backchannel.scenarios.montecarlo import _payoffs, prepare
from backchannel.scenarios.run import RunInterrupted, execute_run, scenarios, wilson
from backchannel.store import open_store
from conftest import RunCli
from strategies import conflicts

# A two-party game small enough to follow by hand.  States (a, b):
# 1 = NN (status quo), 2 = YN, 3 = NY, 4 = YY.
# A prefers to take "a" (NN → YN); then B, at YN, takes "b" only if it ranks
# YY above YN.  So the outcome is YY (scenario both) exactly when B's
# alternative ordering holds, else YN (scenario only_a).
TWO_STEP: dict[str, Any] = {
    "title": "Two steps",
    "decision_makers": [
        {"name": "A", "options": [{"name": "a"}], "preferences": ["a"]},
        {
            "name": "B",
            "options": [{"name": "b"}],
            "preferences": {
                "prioritization": ["not b"],
                "alternatives": [{"weight": 0.3, "prioritization": ["b"]}],
            },
        },
    ],
    "status_quo": "NN",
    "scenarios": {"both": "a and b", "only_a": "a and not b"},
}


def _case(tmp_path: Path, data: dict[str, Any], name: str = "case.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return str(path)


def _inside(p_true: float, r: Any, name: str) -> None:
    """The estimate is within 4 standard errors of the true probability (the
    seeds are fixed, so this is deterministic; 4 s.e. keeps it from depending
    on a lucky seed) and its 95% interval brackets the estimate."""
    k = r.names.index(name)
    se = np.sqrt(p_true * (1 - p_true) / r.samples)
    assert abs(r.p[k] - p_true) <= 4 * se, (name, p_true, r.p[k])
    assert r.low[k] <= r.p[k] <= r.high[k]


def test_alternative_ordering_gives_its_weight() -> None:
    r = scenarios(Conflict.model_validate(TWO_STEP), samples=4000, seed=7)
    _inside(0.3, r, "both")
    _inside(0.7, r, "only_a")
    assert r.probability("unclassified") == 0
    assert abs(r.p.sum() - 1) < 1e-12
    d = r.to_dict()
    assert d["samples"] == 4000 and d["seed"] == 7
    assert set(d["scenarios"]["both"]) >= {"p", "low", "high"}
    top = d["sensitivity"][0]
    assert top["input"] == "B.preferences.alternatives"
    assert top["low"] == 0 and top["high"] == 1  # as written: never both; the alternative: always


def test_statement_probability_and_uncertain_pair() -> None:
    data = json.loads(json.dumps(TWO_STEP))
    data["decision_makers"][1]["preferences"] = {"prioritization": [{"statement": "b", "probability": 0.25}]}
    r = scenarios(Conflict.model_validate(data), samples=4000, seed=1)
    _inside(0.25, r, "both")  # when the statement drops out, B is indifferent and does not move
    data["decision_makers"][1]["preferences"] = {
        "ranking": [3, 1, 2, 4],
        "uncertain": [{"states": [4, 2], "p": 0.6}],
    }
    r = scenarios(Conflict.model_validate(data), samples=4000, seed=2)
    _inside(0.6, r, "both")
    data["decision_makers"][1]["preferences"]["uncertain"] = [[4, 2]]  # unknown order: p = 0.5
    r = scenarios(Conflict.model_validate(data), samples=4000, seed=3)
    _inside(0.5, r, "both")


def test_rules_split_and_nearest() -> None:
    # two equilibria reachable from the status quo at different distances;
    # which ones and how far is computed by the evolution analysis
    data = {
        "decision_makers": [
            {"name": "A", "options": [{"name": "a"}], "preferences": {"ranking": [2, [1, 4], 3]}},
            {"name": "B", "options": [{"name": "b"}], "preferences": {"ranking": [3, [2, 4], 1]}},
        ],
        "status_quo": "NN",
        "scenarios": {"yn": "a and not b", "ny": "b and not a"},
    }
    from backchannel.gmcr.evolution import evolution

    conflict = Conflict.model_validate(data)
    ev = evolution(conflict)
    eqs = ev.equilibria("nash")
    split = scenarios(conflict, samples=10, seed=0)
    nearest = scenarios(conflict, samples=10, seed=0, rule="nearest")
    outcome_split = {s["state"]: s["p_outcome"] for s in split.states if s["p_outcome"]}
    dmin = min(ev.steps_to(s) or 0 for s in eqs)
    near = [s for s in eqs if ev.steps_to(s) == dmin]
    assert len(eqs) >= 2
    assert outcome_split == {s: pytest.approx(1 / len(eqs)) for s in eqs}
    outcome_near = {s["state"]: s["p_outcome"] for s in nearest.states if s["p_outcome"]}
    assert outcome_near == {s: pytest.approx(1 / len(near)) for s in near}


def test_no_reachable_equilibrium_is_unresolved() -> None:
    # a cycle: A wants to match B, B wants to differ; no Nash equilibrium
    data = {
        "decision_makers": [
            {"name": "A", "options": [{"name": "a"}], "preferences": ["a iff b"]},
            {"name": "B", "options": [{"name": "b"}], "preferences": ["not (a iff b)"]},
        ],
        "status_quo": "NN",
        "scenarios": {"any": "a or not a"},
    }
    r = scenarios(Conflict.model_validate(data), samples=50, seed=0)
    assert r.unresolved == 1.0 and r.probability("unclassified") == 1.0


def test_issue_outcome_in_a_predicate_and_distributions() -> None:
    data = json.loads(json.dumps(TWO_STEP))
    data["issues"] = {"x": {"scale": [0, 100]}}
    data["actors"] = [
        {"name": "p", "capability": 1, "positions": {"x": {"uniform": [0, 100]}}, "salience": {"x": 1}},
    ]
    data["scenarios"] = {"high_x": "x >= 75", "rest": "true"}
    r = scenarios(Conflict.model_validate(data), samples=4000, seed=5, forecast_model="compromise")
    _inside(0.25, r, "high_x")  # the forecast is the only actor's position
    assert r.issues["x"]["mean"] == pytest.approx(50, abs=2)


@pytest.mark.parametrize(
    ("spec", "mean", "lo", "hi"),
    [
        ({"uniform": [10, 30]}, 20, 10, 30),
        ({"triangular": [0, 10, 50]}, 20, 0, 50),
        ({"normal": [50, 10]}, 50, 0, 100),
        ({"normal": [95, 20]}, None, 0, 100),  # truncated at the scale's end
        ({"value": 25, "beta": [2, 6]}, 25, 0, 100),  # on the issue's scale by default
        ({"beta": [2, 2], "bounds": [20, 40]}, 30, 20, 40),
    ],
)
def test_distributions(spec: dict[str, Any], mean: float | None, lo: float, hi: float) -> None:
    c = Conflict.model_validate(
        {
            "issues": {"x": {}},
            "actors": [{"name": "a", "capability": 1, "positions": {"x": spec}, "salience": {"x": 1}}],
        }
    )
    inputs = uncertain_inputs(c)
    x = draw(inputs, np.random.default_rng(0).random((20000, 1)))[:, 0]
    assert lo <= x.min() and x.max() <= hi
    if mean is not None:
        assert x.mean() == pytest.approx(mean, abs=0.5)


def test_wilson_interval() -> None:
    lo, hi = wilson(np.array([0.0, 0.5, 1.0]), 100)
    assert lo[0] == 0 and hi[2] == 1
    assert lo[1] == pytest.approx(0.4038, abs=1e-4) and hi[1] == pytest.approx(0.5962, abs=1e-4)


@settings(max_examples=30, deadline=None)
@given(conflicts(), st.integers(0, 2**32 - 1))
def test_sampled_payoffs_equal_compiling_each_sample(conflict: Conflict, seed: int) -> None:
    """Dropping statements in the batch equals compiling the case without them."""
    if any(dm.preferences.prioritization is None for dm in conflict.decision_makers):
        return
    data = conflict.model_dump(by_alias=True, exclude_none=True)
    for dm in data["decision_makers"]:
        for stmt in dm["preferences"]["prioritization"]:
            stmt["probability"] = 0.5
    data["status_quo"] = 1
    uncertain = Conflict.model_validate(data)
    prep = prepare(uncertain, {"max_states": None, "seed": 0})
    values = draw(list(prep.inputs), np.random.default_rng(seed).random((6, len(prep.inputs))))
    got = _payoffs(prep, values)
    for s in range(values.shape[0]):
        sample = json.loads(json.dumps(data))
        j = 0
        empty = False
        for dm in sample["decision_makers"]:
            kept = []
            for stmt in dm["preferences"]["prioritization"]:
                if values[s, j] == 1:
                    kept.append({k: v for k, v in stmt.items() if k != "probability"})
                j += 1
            dm["preferences"]["prioritization"] = kept
            empty |= not kept
        if empty:
            continue
        want = compile_conflict(Conflict.model_validate(sample)).payoffs
        np.testing.assert_array_equal(got[s], want)


# -- reproducibility, backends, store ---------------------------------------------


def test_same_seed_same_bytes_and_batches_do_not_matter_for_the_api() -> None:
    a = scenarios("ukraine-backchannel", samples=600, seed=11, batch_size=200)
    b = scenarios("ukraine-backchannel", samples=600, seed=11, batch_size=200)
    c = scenarios("ukraine-backchannel", samples=600, seed=12, batch_size=200)
    assert a.to_json() == b.to_json()
    assert a.to_json() != c.to_json()


@pytest.mark.parametrize("task_seconds", [1.0, 1e-9])  # several batches per task; one per task
def test_process_pool_equals_in_process(monkeypatch: pytest.MonkeyPatch, task_seconds: float) -> None:
    from backchannel.scenarios import backends

    monkeypatch.setattr(backends, "TASK_SECONDS", task_seconds)
    a = scenarios("ukraine-backchannel", samples=400, seed=3, batch_size=100)
    b = scenarios("ukraine-backchannel", samples=400, seed=3, batch_size=100, backend="processes", workers=2)
    assert a.to_json() == b.to_json()
    # nothing is left behind: no worker, no resource tracker (which, outliving
    # the command, became a zombie under a PID 1 that does not reap)
    assert _children() == []


def _children() -> list[str]:
    """The live or defunct child processes of this process (Linux /proc)."""
    import os
    from pathlib import Path

    pids: list[str] = []
    for task in Path(f"/proc/{os.getpid()}/task").glob("*"):
        try:
            pids += (task / "children").read_text().split()
        except OSError:  # pragma: no cover - not Linux, or the thread ended
            continue
    return pids


def test_dask_local_cluster_equals_in_process() -> None:
    pytest.importorskip("distributed")
    a = scenarios("ukraine-backchannel", samples=400, seed=4, batch_size=100)
    b = scenarios("ukraine-backchannel", samples=400, seed=4, batch_size=100, backend="dask", workers=2)
    assert a.to_json() == b.to_json()


def test_dask_existing_scheduler_equals_in_process() -> None:
    distributed = pytest.importorskip("distributed")
    a = scenarios("ukraine-backchannel", samples=300, seed=6, batch_size=100)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        b = scenarios(
            "ukraine-backchannel", samples=300, seed=6, batch_size=100, scheduler=cluster.scheduler_address
        )
    assert a.to_json() == b.to_json()
    assert b.backend == "dask"


def test_unreachable_scheduler(run_cli: RunCli) -> None:
    code, _, err = run_cli(
        ["scenarios", "elmira", "-n", "10", "--no-store", "--scheduler", "tcp://127.0.0.1:1"]
    )
    assert code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in err, err


def test_stored_run_resumes_after_an_interruption(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/runs.sqlite"
    whole = scenarios("ukraine-backchannel", samples=500, seed=9, batch_size=100)
    store = open_store(db)
    calls = {"n": 0}
    save = store.save_batch

    def flaky(run_id: int, index: int, payload: bytes, seconds: float) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        save(run_id, index, payload, seconds)

    store.save_batch = flaky  # type: ignore[method-assign]
    with pytest.raises(RunInterrupted) as exc:
        scenarios("ukraine-backchannel", samples=500, seed=9, batch_size=100, store=store)
    run_id = exc.value.run_id
    assert "backchannel runs resume" in str(exc.value)
    rec = store.run(run_id)
    assert rec.status == "interrupted" and rec.batches_done == 2
    store.save_batch = save  # type: ignore[method-assign]
    resumed = execute_run(store, run_id)
    assert resumed.to_json() == whole.to_json()
    rec = store.run(run_id)
    assert rec.status == "done" and rec.batches_done == 5
    assert rec.result == whole.to_dict()
    store.close()


def test_cli_json_and_store(run_cli: RunCli, tmp_path: Path) -> None:
    db = str(tmp_path / "runs.sqlite")
    code, out, err = run_cli(
        [
            "scenarios",
            "ukraine-backchannel",
            "-n",
            "300",
            "--seed",
            "5",
            "--db",
            db,
            "--format",
            "json",
            "--tornado",
            str(tmp_path / "t.svg"),
        ]
    )
    assert code == 0, err
    d = json.loads(out)
    assert d["samples"] == 300 and d["seed"] == 5
    assert abs(sum(v["p"] for v in d["scenarios"].values()) - 1) < 1e-5
    assert d == scenarios("ukraine-backchannel", samples=300, seed=5).to_dict()
    assert (tmp_path / "t.svg").read_text().startswith("<svg")
    code, out, _ = run_cli(["runs", "list", "--db", db, "--format", "json"])
    assert code == 0 and json.loads(out)[0]["command"] == "scenarios"
    code, out, _ = run_cli(["scenarios", "ukraine-backchannel", "-n", "300", "--no-store"])
    assert code == 0 and "Expanded negotiations" in out and "95% interval" in out


def test_ctrl_c_stops_cleanly_and_resume_gives_the_same_result(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.sqlite")
    exe = str(Path(sys.executable).with_name("backchannel"))
    args = ["ukraine-backchannel", "-n", "6000", "--batch-size", "50", "--seed", "2"]
    proc = subprocess.Popen(
        [exe, "scenarios", *args, "--db", db], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    store = open_store(db)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = store.runs()
        if runs and runs[0].batches_done >= 3:
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    run_id = store.runs()[0].id
    assert f"backchannel runs resume {run_id}" in err
    assert "Traceback" not in err
    rec = store.run(run_id)
    assert rec.status == "interrupted" and 3 <= rec.batches_done < 120
    done = subprocess.run(
        [exe, "runs", "resume", str(run_id), "--db", db], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    whole = subprocess.run(
        [exe, "scenarios", *args, "--no-store", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert store.run(run_id).result == json.loads(whole.stdout)
    store.close()


# -- bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patch", "words"),
    [
        ({"positions": {"x": {"uniform": [60, 40]}}}, "low > high"),
        ({"positions": {"x": {"value": 50, "normal": [50, -3]}}}, "negative"),
        ({"positions": {"x": {"uniform": [50, 140]}}}, "beyond the issue's scale"),
        ({"capability": {"uniform": [-1, 3]}}, "below 0"),
    ],
)
def test_bad_distributions(run_cli: RunCli, tmp_path: Path, patch: dict[str, Any], words: str) -> None:
    data = json.loads(json.dumps(TWO_STEP))
    data["issues"] = {"x": {}}
    actor = {"name": "p", "capability": 1, "positions": {"x": 50}, "salience": {"x": 1}}
    actor.update(patch)
    data["actors"] = [actor]
    path = _case(tmp_path, data)
    code, out, err = run_cli(["scenarios", path, "-n", "10", "--no-store"])
    assert code == 2, out
    assert words in err and "case.yaml" in err and "line" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("where", "value", "words"),
    [
        ("statement", 1.5, "less than or equal to 1"),
        ("pair", -0.1, "greater than or equal to 0"),
        ("alternatives", 0.8, "more than 1"),
    ],
)
def test_bad_probabilities(run_cli: RunCli, tmp_path: Path, where: str, value: float, words: str) -> None:
    data = json.loads(json.dumps(TWO_STEP))
    prefs = data["decision_makers"][1]["preferences"]
    if where == "statement":
        prefs["prioritization"] = [{"statement": "not b", "probability": value}]
    elif where == "pair":
        prefs["uncertain"] = [{"states": [1, 2], "p": value}]
    else:
        prefs["alternatives"].append({"weight": value, "prioritization": ["b"]})
    code, _, err = run_cli(["scenarios", _case(tmp_path, data), "-n", "10", "--no-store"])
    assert code == 2 and words in err and "line" in err, err


def test_unknown_name_in_a_scenario_predicate(run_cli: RunCli, tmp_path: Path) -> None:
    data = json.loads(json.dumps(TWO_STEP))
    data["scenarios"]["odd"] = "a and territory > 5"
    code, _, err = run_cli(["scenarios", _case(tmp_path, data), "-n", "10", "--no-store"])
    assert code == 2 and "unknown option or issue 'territory'" in err and "line" in err, err


def test_unreachable_database_writes_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    code, _, err = run_cli(["scenarios", "elmira", "-n", "10", "--db", "postgresql://nobody@127.0.0.1:1/x"])
    assert code == 2 and "127.0.0.1:1" in err and "Traceback" not in err, err


def test_bad_case_leaves_the_store_empty(run_cli: RunCli, tmp_path: Path) -> None:
    data = json.loads(json.dumps(TWO_STEP))
    data["scenarios"]["odd"] = "zzz"
    db = str(tmp_path / "runs.sqlite")
    code, _, _ = run_cli(["scenarios", _case(tmp_path, data), "-n", "10", "--db", db])
    assert code == 2
    assert open_store(db).runs() == []


def test_bad_options(run_cli: RunCli) -> None:
    for args, words in (
        (["--backend", "gpu"], "unknown backend"),
        (["--concept", "xyz"], "unknown concept"),
        (["--rule", "first"], "unknown rule"),
        (["-n", "0"], "--samples"),
    ):
        code, _, err = run_cli(["scenarios", "elmira", "--no-store", *args])
        assert code == 2 and words in err, (args, err)


def test_bargaining_only_case() -> None:
    """No decision makers: the scenarios test the issue forecasts alone."""
    data = {
        "issues": {"x": {}},
        "actors": [
            {"name": "p", "capability": 1, "positions": {"x": {"uniform": [0, 100]}}, "salience": {"x": 1}}
        ],
        "scenarios": {"high_x": "x >= 75", "low_x": "x < 25"},
    }
    r = scenarios(Conflict.model_validate(data), samples=4000, seed=8, forecast_model="median")
    _inside(0.25, r, "high_x")
    _inside(0.25, r, "low_x")
    _inside(0.5, r, "unclassified")
    d = r.to_dict()
    assert d["graph_model"] is False and d["robust_equilibria"] == [] and d["unresolved"] == 0


def test_a_case_with_nothing_to_sample_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    code, _, err = run_cli(["scenarios", _case(tmp_path, {"title": "empty"}), "-n", "10", "--no-store"])
    assert code == 2 and "neither decision makers nor issues" in err, err
