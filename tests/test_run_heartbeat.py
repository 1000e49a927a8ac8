"""Runs whose process is gone (kill -9) are recognised by their missing heartbeat and
resume without --force; a run's time adds up over its sessions (issue 17)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from backchannel.scenarios.run import RunInterrupted, execute_run, scenarios
from backchannel.store import open_store
from backchannel.store.models import Run, utcnow
from backchannel.store.runstore import STALE_SECONDS
from conftest import RunCli

# The command line with a heartbeat every 0.2 s (instead of 5 s), so the test need not wait.
FAST_BEAT = (
    "import sys, backchannel.store.runstore as r; r.HEARTBEAT_SECONDS = 0.2; "
    "from backchannel.commands.cli import main; sys.argv[0] = 'backchannel'; main()"
)


def _age_heartbeat(db: str, run_id: int, seconds: float) -> None:
    with open_store(db) as store, store.engine.begin() as conn:
        conn.execute(
            update(Run).where(Run.id == run_id).values(heartbeat=utcnow() - timedelta(seconds=seconds))
        )


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")
def test_killed_run_is_interrupted_and_resumes_without_force(tmp_path: Path, run_cli: RunCli) -> None:
    db = str(tmp_path / "runs.sqlite")
    args = ["scenarios", "ukraine-backchannel", "-n", "4000", "--batch-size", "40", "--seed", "4"]
    proc = subprocess.Popen(
        [sys.executable, "-c", FAST_BEAT, *args, "--db", db, "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        rec = None
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if not Path(db).exists():
                continue
            with open_store(db) as store:
                runs = store.runs()
            if runs and runs[0].batches_done >= 2 and (runs[0].seconds or 0) > 0:
                rec = runs[0]
                break
        assert rec is not None, "the run never started"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    with open_store(db) as store:
        killed = store.run(rec.id)
    assert killed.status == "running"  # its heartbeat is recent: it could still be alive
    code, _, err = run_cli(["runs", "resume", str(rec.id), "--db", db])
    assert code == 2 and "--force" in err

    _age_heartbeat(db, rec.id, STALE_SECONDS + 5)  # a minute later, nothing has beaten
    with open_store(db) as store:
        assert store.run(rec.id).status == "interrupted"
        assert [r.id for r in store.runs(status="interrupted")] == [rec.id]
        assert store.runs(status="running") == []
        before = store.run(rec.id).seconds or 0.0
    code, out, _ = run_cli(["runs", "list", "--db", db])
    assert "interrupted" in out
    code, out, err = run_cli(["runs", "resume", str(rec.id), "--db", db])
    assert code == 0, err
    with open_store(db) as store:
        done = store.run(rec.id)
    assert done.status == "done" and done.batches_done == 100
    assert done.seconds is not None and done.seconds > before > 0
    whole = scenarios("ukraine-backchannel", samples=4000, seed=4, batch_size=40)
    assert done.result is not None and done.result["scenarios"] == whole.to_dict()["scenarios"]


def test_seconds_add_up_across_resumes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/runs.sqlite"
    store = open_store(db)
    save = store.save_batch
    calls = {"n": 0}

    def slow_then_interrupted(run_id: int, index: int, payload: bytes, seconds: float) -> None:
        calls["n"] += 1
        time.sleep(0.3)  # the first session takes at least 0.6 s
        if calls["n"] == 3:
            raise KeyboardInterrupt
        save(run_id, index, payload, seconds)

    store.save_batch = slow_then_interrupted  # type: ignore[method-assign]
    with pytest.raises(RunInterrupted) as exc:
        scenarios("ukraine-backchannel", samples=500, seed=9, batch_size=100, store=store)
    run_id = exc.value.run_id
    first = store.run(run_id).seconds
    assert first is not None and first >= 0.6
    store.save_batch = save  # type: ignore[method-assign]
    t0 = time.perf_counter()
    resumed = execute_run(store, run_id)
    second = time.perf_counter() - t0
    rec = store.run(run_id)
    assert rec.status == "done"
    assert rec.seconds is not None and first + 0.5 * second <= rec.seconds <= first + second + 0.5
    assert resumed.seconds == rec.seconds
    store.close()


def test_a_live_run_stays_running(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "r.sqlite")) as store:
        case = store.add_case("title: x\n", name="x.yaml", fmt="yaml")
        run_id = store.create_run(command="scenarios", parameters={}, seed=1, case_hash=case)
        store.set_status(run_id, "running")
        assert store.run(run_id).status == "running"
        store.heartbeat(run_id, 1.5)
        rec = store.run(run_id)
        assert rec.status == "running" and rec.seconds == 1.5


@pytest.mark.skipif(sys.platform != "linux", reason="forked workers on Linux only")
def test_a_stored_run_still_forks_its_workers(tmp_path: Path) -> None:
    """The heartbeat thread pauses while the pool starts, so a stored run's
    workers are forked (inheriting the prepared model and the kernels) as for
    --no-store, and the result is the in-process one."""
    db = str(tmp_path / "runs.sqlite")
    script = (
        "import importlib, sys; b = importlib.import_module('backchannel.scenarios.backends')\n"
        "orig = b.start_method\n"
        "def shown():\n    m = orig(); print('start method:', m, file=sys.stderr); return m\n"
        "b.start_method = shown\n"
        "from backchannel.commands.cli import main; sys.argv[0] = 'backchannel'; main()"
    )
    args = ["scenarios", "ukraine-backchannel", "-n", "3000", "--seed", "2", "--format", "json"]
    pooled = subprocess.run(
        [sys.executable, "-c", script, *args, "--db", db, "--backend", "processes", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert pooled.returncode == 0, pooled.stderr
    assert "start method: fork" in pooled.stderr
    alone = subprocess.run(
        [sys.executable, "-c", script, *args, "--no-store"], capture_output=True, text=True, timeout=300
    )
    assert alone.returncode == 0, alone.stderr
    import json

    keep = ("probabilities", "outcomes", "samples")
    a, b = json.loads(pooled.stdout), json.loads(alone.stdout)
    assert {k: a.get(k) for k in keep} == {k: b.get(k) for k in keep}
    with open_store(db) as store:
        assert store.runs()[0].status == "done"
