"""The run store on SQLite and PostgreSQL: migrations, round trips, integrity,
concurrency, errors, and ``backchannel runs``.

PostgreSQL tests use ``$BACKCHANNEL_TEST_PG_URL`` (each test in a schema of its
own, dropped afterwards); without it they are skipped — except in CI
(``BACKCHANNEL_CI=1``), where a missing or unreachable server is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import types
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, event, text

from backchannel.commands.runs import differences
from backchannel.errors import BackchannelError
from backchannel.store import STATUSES, RunStore, open_engine, open_store
from backchannel.store.models import Base
from conftest import RunCli

PG_ENV = "BACKCHANNEL_TEST_PG_URL"
IN_CI = os.environ.get("BACKCHANNEL_CI") == "1"
CASE = "title: A test case\ndecision_makers: []\n"
UNREACHABLE = "postgresql://nobody:s3cret@127.0.0.1:1/x"


# ---------------------------------------------------------------------------
# fixtures


def _no_postgres(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must test PostgreSQL, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[tuple[str, Engine]]:
    """The test server's URL and an engine to create and drop schemas with."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        _no_postgres(f"{PG_ENV} is not set")
    try:
        engine, _ = open_engine(url)
    except BackchannelError as e:
        _no_postgres(str(e))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:
        engine.dispose()
        _no_postgres(f"the server at {PG_ENV} is unreachable: {e}")
    yield url, engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin: tuple[str, Engine]) -> Iterator[str]:
    """A URL of the test server whose search path is a fresh, empty schema."""
    url, engine = pg_admin
    schema = f"bc_test_{uuid.uuid4().hex[:16]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store's URL: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "runs.sqlite")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[RunStore]:
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()


def _run(
    store: RunStore, *, n_batches: int | None = 3, seed: int | None = 7, command: str = "scenarios"
) -> int:
    case = store.add_case(CASE, name="test.yaml", fmt="yaml")
    return store.create_run(
        command=command,
        parameters={"samples": 30, "concepts": ["nash"]},
        seed=seed,
        case_hash=case,
        n_batches=n_batches,
    )


# ---------------------------------------------------------------------------
# migrations


def test_open_migrates_to_head(store: RunStore) -> None:
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0002"
    assert store.runs() == []


def test_migrated_schema_matches_the_models(store: RunStore) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []
        # … and the comparison does see a difference when there is one
        changed = MetaData(naming_convention=Base.metadata.naming_convention)
        for table in Base.metadata.tables.values():
            table.to_metadata(changed)
        from sqlalchemy import Column, Integer

        changed.tables["runs"].append_column(Column("extra", Integer))
        diff = compare_metadata(ctx, changed)
        assert [d[0] for d in diff] == ["add_column"]


def test_reopening_is_a_no_op(db_url: str) -> None:
    with open_store(db_url) as s:
        run_id = _run(s)
    with open_store(db_url) as s:
        assert s.run(run_id).status == "created"


def test_a_newer_schema_is_refused(db_url: str) -> None:
    with open_store(db_url) as s, s.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(BackchannelError, match=r"revision '9999'.*newer backchannel"):
        open_store(db_url)


# ---------------------------------------------------------------------------
# round trips


def test_case_versions(store: RunStore) -> None:
    h = store.add_case(CASE, name="a.yaml", fmt="yaml")
    assert len(h) == 64
    assert store.add_case(CASE, name="other-name.yaml", fmt="yaml") == h  # idempotent: first name kept
    assert store.case_text(h) == (CASE, "a.yaml", "yaml")
    h2 = store.add_case(CASE + "# changed\n", name="a.yaml", fmt="yaml")
    assert h2 != h
    with pytest.raises(BackchannelError, match="no case version 000000000000"):
        store.case_text("0" * 64)


def test_run_lifecycle(store: RunStore) -> None:
    run_id = _run(store, seed=2**62)
    r = store.run(run_id)
    assert (r.command, r.status, r.seed, r.n_batches, r.batches_done) == ("scenarios", "created", 2**62, 3, 0)
    assert r.parameters == {"samples": 30, "concepts": ["nash"]}
    assert r.case_name == "test.yaml" and r.result is None and r.started is None
    assert r.created.tzinfo is not None and r.created.utcoffset() == UTC.utcoffset(None)
    from backchannel import __version__

    assert r.version == __version__

    store.set_status(run_id, "running")
    started = store.run(run_id).started
    assert started is not None
    store.set_status(run_id, "interrupted", error="stopped by the user")
    store.set_status(run_id, "running")
    r = store.run(run_id)
    assert r.started == started and r.error is None  # the first start stays

    store.save_batch(run_id, 0, b"\x00zero\xff", 0.5)
    store.save_batch(run_id, 2, b"two", 0.25)
    assert store.batches(run_id) == {0: b"\x00zero\xff", 2: b"two"}
    assert store.run(run_id).batches_done == 2

    result = {"scenarios": {"war": [1, 2]}, "robust_equilibria": [3], "share": float("nan"), "meta": {"x": 1}}
    store.finish(run_id, result, 12.5)
    r = store.run(run_id)
    assert r.status == "done" and r.seconds == 12.5 and r.finished is not None and r.finished >= r.started  # type: ignore[operator]
    assert (
        r.result is not None
        and r.result["scenarios"] == {"war": [1, 2]}
        and r.result["share"] != r.result["share"]
    )
    d = r.to_dict()
    json.dumps(d)
    assert d["created"].endswith("+00:00") and d["id"] == run_id


def test_runs_listing(store: RunStore) -> None:
    a = _run(store)
    b = _run(store, command="other")
    c = _run(store)
    store.set_status(b, "failed", error="boom")
    store.finish(c, {"x": 1}, 1.0)
    assert [r.id for r in store.runs()] == [c, b, a]  # newest first
    assert [r.id for r in store.runs(limit=2)] == [c, b]
    assert [r.id for r in store.runs(status="failed")] == [b]
    assert [r.id for r in store.runs(command="scenarios")] == [c, a]
    assert store.runs()[0].result is None and store.runs(with_result=True)[0].result == {"x": 1}
    assert store.runs(status="failed")[0].error == "boom"
    with pytest.raises(BackchannelError, match="unknown run status 'finished'"):
        store.runs(status="finished")


def test_unknown_runs_and_statuses(store: RunStore) -> None:
    run_id = _run(store)
    for call in (
        lambda: store.run(999),
        lambda: store.set_status(999, "running"),
        lambda: store.save_batch(999, 0, b"x", 0.0),
        lambda: store.batches(999),
        lambda: store.finish(999, {}, 0.0),
        lambda: store.delete_run(999),
    ):
        with pytest.raises(BackchannelError, match=f"^no run 999 in {store.url.split('?')[0][:20]}"):
            call()
    with pytest.raises(BackchannelError, match="unknown run status 'finished'"):
        store.set_status(run_id, "finished")
    assert set(STATUSES) == {"created", "running", "interrupted", "failed", "done", "cancelled"}
    with pytest.raises(BackchannelError, match="no case version"):
        store.create_run(command="scenarios", parameters={}, seed=None, case_hash="f" * 64)
    with pytest.raises(TypeError, match="JSON"):
        store.create_run(command="scenarios", parameters={"x": object()}, seed=None, case_hash="f" * 64)
    assert [r.id for r in store.runs()] == [run_id]


def test_save_batch_never_overwrites(store: RunStore) -> None:
    run_id = _run(store)
    store.save_batch(run_id, 1, b"payload", 1.0)
    store.save_batch(run_id, 1, b"payload", 2.0)  # identical: nothing happens
    with pytest.raises(
        BackchannelError, match=r"batch 1 of run \d+ is already stored with a different payload"
    ):
        store.save_batch(run_id, 1, b"other", 1.0)
    assert store.batches(run_id) == {1: b"payload"}
    with pytest.raises(BackchannelError, match="out of range"):
        store.save_batch(run_id, 3, b"x", 1.0)
    with pytest.raises(BackchannelError, match="numbered from 0"):
        store.save_batch(run_id, -1, b"x", 1.0)


def test_delete_run(store: RunStore) -> None:
    keep = _run(store)
    gone = _run(store)
    store.save_batch(gone, 0, b"x", 1.0)
    store.finish(gone, {"x": 1}, 1.0)
    store.delete_run(gone)
    with pytest.raises(BackchannelError, match=f"no run {gone}"):
        store.run(gone)
    assert [r.id for r in store.runs()] == [keep]
    assert store.case_text(store.run(keep).case_hash)[0] == CASE
    assert _run(store) > gone  # ids are never reused


def test_user_cases(store: RunStore) -> None:
    assert store.save_user_case("mine", "title: First\n") == 1
    assert store.save_user_case("mine", "title: First\n") == 1  # same text: no new version
    assert store.save_user_case("mine", "title: Second\n") == 2
    assert store.save_user_case("json-case", '{"title": "From JSON"}', fmt="json") == 1
    assert store.save_user_case("broken", "title: [unclosed\n") == 1
    latest = {u.name: u for u in store.user_cases()}
    assert list(latest) == ["broken", "json-case", "mine"]
    assert latest["mine"].version == 2 and latest["mine"].title == "Second"
    assert latest["json-case"].title == "From JSON" and latest["json-case"].fmt == "json"
    assert latest["broken"].title is None
    first = store.user_case("mine", 1)
    assert (first.text, first.title, first.fmt) == ("title: First\n", "First", "yaml")
    assert store.user_case("mine").version == 2
    assert [u.version for u in store.user_case_versions("mine")] == [1, 2]
    assert store.user_case_versions("nobody") == []
    json.dumps(first.to_dict())
    with pytest.raises(BackchannelError, match="no user case 'nobody'"):
        store.user_case("nobody")
    with pytest.raises(BackchannelError, match=r"no version 5 of user case 'mine'.*versions 1–2"):
        store.user_case("mine", 5)
    store.delete_user_case("mine")
    assert [u.name for u in store.user_cases()] == ["broken", "json-case"]
    with pytest.raises(BackchannelError, match="no user case 'mine'"):
        store.delete_user_case("mine")
    assert store.save_user_case("mine", "title: Again\n") == 1
    with pytest.raises(BackchannelError, match="needs a name"):
        store.save_user_case(" ", "x")


# ---------------------------------------------------------------------------
# integrity


def _fail_on(store: RunStore, prefix: str) -> Callable[[], None]:
    """Make the next statement starting with ``prefix`` fail; returns the undo."""

    def boom(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(prefix):
            raise RuntimeError("simulated failure")

    event.listen(store.engine, "before_cursor_execute", boom)
    return lambda: event.remove(store.engine, "before_cursor_execute", boom)


def test_a_failed_write_leaves_nothing_half_written(store: RunStore) -> None:
    run_id = _run(store)
    store.set_status(run_id, "running")
    # finish updates the run, then inserts its result: make the insert fail
    undo = _fail_on(store, "INSERT INTO RUN_RESULTS")
    try:
        with pytest.raises(Exception, match="simulated failure"):
            store.finish(run_id, {"x": 1}, 3.0)
    finally:
        undo()
    r = store.run(run_id)
    assert (r.status, r.finished, r.seconds, r.result) == ("running", None, None, None)
    # delete_run deletes the batches, then the run: make the last step fail
    store.save_batch(run_id, 0, b"x", 1.0)
    undo = _fail_on(store, "DELETE FROM RUNS")
    try:
        with pytest.raises(Exception, match="simulated failure"):
            store.delete_run(run_id)
    finally:
        undo()
    assert store.batches(run_id) == {0: b"x"}
    store.finish(run_id, {"x": 1}, 3.0)  # and the store works on
    assert store.run(run_id).result == {"x": 1}


def test_a_result_that_is_not_json_is_refused_before_writing(store: RunStore) -> None:
    run_id = _run(store)
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        store.finish(run_id, {"x": object()}, 1.0)
    assert store.run(run_id).status == "created"


def _in_threads(work: Callable[[int], None], n: int = 4) -> None:
    """Run ``work(k)`` in ``n`` threads started together; fail with the first error."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def target(k: int) -> None:
        try:
            barrier.wait()
            work(k)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=target, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def test_concurrent_writers(db_url: str) -> None:
    """Threads, each with a store of its own, open a new database and write at once."""
    run_ids: dict[int, int] = {}

    def own_runs(k: int) -> None:
        with open_store(db_url) as s:  # concurrent opens: the schema is made once
            run_id = _run(s, n_batches=None)
            run_ids[run_id] = k
            for i in range(15):
                s.save_batch(run_id, i, f"{k}:{i}".encode(), 0.0)
            s.save_user_case("shared", f"title: writer {k}\n")

    _in_threads(own_runs)
    with open_store(db_url) as s:
        assert sorted(r.id for r in s.runs()) == sorted(run_ids)
        for run_id, k in run_ids.items():
            assert s.batches(run_id) == {i: f"{k}:{i}".encode() for i in range(15)}
        assert [u.version for u in s.user_case_versions("shared")] == [1, 2, 3, 4]
        shared = _run(s, n_batches=None)

    def same_batches(k: int) -> None:  # every writer stores the same batches: all but one are no-ops
        with open_store(db_url) as s:
            for i in range(15):
                s.save_batch(shared, i, f"batch {i}".encode(), 0.0)

    _in_threads(same_batches)
    with open_store(db_url) as s:
        assert s.batches(shared) == {i: f"batch {i}".encode() for i in range(15)}


_WRITER = """
import sys
from backchannel.store import open_store
path, k = sys.argv[1], int(sys.argv[2])
with open_store(path) as s:
    case = s.add_case("title: shared\\n", name="shared.yaml", fmt="yaml")
    run_id = s.create_run(command="scenarios", parameters={"k": k}, seed=k, case_hash=case, n_batches=40)
    for i in range(40):
        s.save_batch(run_id, i, bytes([k, i]), 0.0)
        s.set_status(run_id, "running")
    s.finish(run_id, {"k": k}, 0.0)
"""


def test_concurrent_processes_share_a_sqlite_file(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite")
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, path, str(k)], stderr=subprocess.PIPE, text=True)
        for k in range(3)
    ]
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errs
    with open_store(path) as s:
        runs = s.runs()
        assert sorted(r.parameters["k"] for r in runs) == [0, 1, 2]
        assert all(r.status == "done" and r.batches_done == 40 for r in runs)
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


# ---------------------------------------------------------------------------
# where the store is, and errors


def test_default_location_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import platformdirs

    data = tmp_path / "data" / "backchannel"
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(data))
    monkeypatch.delenv("BACKCHANNEL_DB", raising=False)
    with open_store() as s:
        assert s.url == f"sqlite:///{data / 'runs.sqlite'}"
    assert (data / "runs.sqlite").is_file()
    other = tmp_path / "env.sqlite"
    monkeypatch.setenv("BACKCHANNEL_DB", str(other))
    with open_store() as s:
        assert s.url == f"sqlite:///{other}"
    with open_store(f"sqlite:///{tmp_path / 'url.sqlite'}") as s:
        _run(s)
    assert (tmp_path / "url.sqlite").is_file()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            UNREACHABLE,
            r"cannot open the run store postgresql://nobody:\*\*\*@127\.0\.0\.1:1/x: .*server is running",
        ),
        ("/no/such/directory/runs.sqlite", "the directory /no/such/directory does not exist"),
        ("sqlite:////no/such/directory/runs.sqlite", "the directory /no/such/directory does not exist"),
        ("mysql://u@h/db", "'mysql' databases are not supported"),
        ("postgresql://u:pw@h:port/db", r"postgresql://u:\*\*\*@h:port/db is not a database URL"),
        (UNREACHABLE + "?sslmode=bogus", "unknown sslmode 'bogus'"),
        (UNREACHABLE + "?colour=blue", r"argument 'colour'; check the parameters after '\?'"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(BackchannelError, match=message) as exc:
        open_store(url)
    assert "s3cret" not in str(exc.value) and "\n" not in str(exc.value)


def test_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(BackchannelError, match="it is a directory"):
        open_store(str(tmp_path))
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database " * 100)
    with pytest.raises(BackchannelError, match="file is not a database"):
        open_store(str(junk))


def test_missing_postgres_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pg8000", None)
    with pytest.raises(BackchannelError, match=r"pip install 'backchannel\[postgres\]'"):
        open_store("postgres://u@127.0.0.1/db")


def test_missing_postgres_database(pg_admin: tuple[str, Engine]) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(pg_admin[0]).set(database=f"no_such_db_{uuid.uuid4().hex[:8]}")
    with pytest.raises(BackchannelError, match="does not exist; create the database"):
        open_store(url.render_as_string(hide_password=False))


# ---------------------------------------------------------------------------
# backchannel runs


def _filled(db_url: str) -> tuple[int, int]:
    """A done run with batches and a result, and an interrupted one."""
    with open_store(db_url) as s:
        done = _run(s)
        for i in range(3):
            s.save_batch(done, i, json.dumps({"batch": i}).encode(), 0.1)
        s.finish(done, {"scenarios": {"war": {"equilibria": [1, 2]}}, "robust_equilibria": [4]}, 1.5)
        stopped = _run(s, seed=None)
        s.save_batch(stopped, 0, b"\x80\x81", 0.1)
        s.set_status(stopped, "interrupted")
    return done, stopped


def test_cli_list(db_url: str, run_cli: RunCli) -> None:
    code, out, _ = run_cli(["runs", "list", "--db", db_url])
    assert code == 0 and "no runs in" in out
    done, stopped = _filled(db_url)
    code, out, err = run_cli(["runs", "list", "--db", db_url])
    assert code == 0, err
    assert "test.yaml" in out and "3/3" in out and "1/3" in out and "interrupted" in out and "done" in out
    code, out, _ = run_cli(["runs", "list", "--db", db_url, "--format", "json", "--status", "done"])
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [done] and rows[0]["batches_done"] == 3 and "result" not in rows[0]
    code, out, _ = run_cli(["runs", "list", "--db", db_url, "-f", "json", "--limit", "1"])
    assert [r["id"] for r in json.loads(out)] == [stopped]
    code, _, err = run_cli(["runs", "list", "--db", db_url, "--status", "nope"])
    assert code == 2 and "unknown run status 'nope'" in err


def test_cli_show(db_url: str, run_cli: RunCli) -> None:
    done, stopped = _filled(db_url)
    code, out, err = run_cli(["runs", "show", str(done), "--db", db_url])
    assert code == 0, err
    assert f"Run {done}" in out and "samples" in out and "robust_equilibria" in out and "1 entry: war" in out
    code, out, _ = run_cli(["runs", "show", str(stopped), "--db", db_url])
    assert code == 0 and f"backchannel runs resume {stopped}" in out
    code, out, _ = run_cli(["runs", "show", str(done), "--db", db_url, "--format", "json"])
    data = json.loads(out)
    assert (
        data["id"] == done
        and data["result"]["robust_equilibria"] == [4]
        and data["parameters"]["samples"] == 30
    )
    code, out, err = run_cli(["runs", "show", "999", "--db", db_url])
    assert code == 2 and "no run 999 in" in err and "Traceback" not in err + out


def test_cli_export(db_url: str, run_cli: RunCli, tmp_path: Path) -> None:
    done, stopped = _filled(db_url)
    code, out, _ = run_cli(["runs", "export", str(done), "--db", db_url])
    assert code == 0 and json.loads(out)["robust_equilibria"] == [4]
    code, out, _ = run_cli(["runs", "export", str(done), "--db", db_url, "--what", "case"])
    assert code == 0 and out == CASE
    code, out, _ = run_cli(["runs", "export", str(done), "--db", db_url, "--what", "batches"])
    batches = json.loads(out)["batches"]
    assert batches[2] == {"index": 2, "encoding": "json", "payload": {"batch": 2}}
    code, out, _ = run_cli(["runs", "export", str(stopped), "--db", db_url, "--what", "batches"])
    assert json.loads(out)["batches"] == [{"index": 0, "encoding": "base64", "payload": "gIE="}]
    target = tmp_path / "result.json"
    code, _, err = run_cli(["runs", "export", str(done), "--db", db_url, "-o", str(target)])
    assert code == 0 and "wrote" in err and json.loads(target.read_text())["scenarios"]
    code, _, err = run_cli(["runs", "export", str(done), "--db", db_url, "-o", str(target)])
    assert code == 2 and "--force" in err
    code, _, _ = run_cli(
        ["runs", "export", str(done), "--db", db_url, "-o", str(target), "--what", "case", "--force"]
    )
    assert code == 0 and target.read_text() == CASE
    code, _, err = run_cli(["runs", "export", str(stopped), "--db", db_url])
    assert code == 2 and "has no result: it is interrupted" in err and "resume" in err


@pytest.mark.parametrize(
    ("db", "message"),
    [
        (UNREACHABLE, "cannot open the run store postgresql://nobody:***@127.0.0.1:1/x"),
        ("/no/such/directory/runs.sqlite", "/no/such/directory does not exist"),
    ],
)
@pytest.mark.parametrize("sub", [["list"], ["show", "1"], ["export", "1"], ["rerun", "1"], ["resume", "1"]])
def test_cli_unreachable_store(run_cli: RunCli, db: str, message: str, sub: list[str]) -> None:
    code, out, err = run_cli(["runs", *sub, "--db", db])
    assert code == 2
    assert message in " ".join(err.split()) and "Traceback" not in out + err and "s3cret" not in out + err


# -- rerun and resume, through a stand-in for backchannel.scenarios.run.execute_run


class _FakeResult:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        return self.data


def _fake_scenarios(monkeypatch: pytest.MonkeyPatch, *, jitter: bool = False) -> list[dict[str, Any]]:
    """Install a stand-in ``backchannel.scenarios.run`` whose execute_run computes batches
    from the seed (or, with ``jitter``, from how many times it was called)."""
    calls: list[dict[str, Any]] = []

    def execute_run(
        store: RunStore,
        run_id: int,
        *,
        backend: str = "inprocess",
        workers: int | None = None,
        scheduler: str | None = None,
        progress: bool = True,
    ) -> _FakeResult:
        r = store.run(run_id)
        calls.append({"run": run_id, "backend": backend, "workers": workers, "done_before": r.batches_done})
        store.set_status(run_id, "running")
        have = store.batches(run_id)
        salt = len(calls) if jitter else 0
        for i in range(r.n_batches or 0):
            if i not in have:
                store.save_batch(run_id, i, json.dumps([r.seed, i, salt]).encode(), 0.01)
        total = len(store.batches(run_id))
        result = {
            "scenarios": {"total": total, "salt": salt},
            "robust_equilibria": [r.seed],
            "meta": {"seconds": 0.01 * len(calls), "run_id": run_id},
        }
        store.finish(run_id, result, 0.01)
        return _FakeResult(result)

    monkeypatch.setitem(
        sys.modules, "backchannel.scenarios.run", types.SimpleNamespace(execute_run=execute_run)
    )
    return calls


def test_cli_rerun_identical(db_url: str, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_scenarios(monkeypatch)
    with open_store(db_url) as s:
        first = _run(s)
    code, out, err = run_cli(["runs", "resume", str(first), "--db", db_url])  # never started: runs it
    assert code == 0, err
    code, out, err = run_cli(
        ["runs", "rerun", str(first), "--db", db_url, "--backend", "processes", "--workers", "2"]
    )
    assert code == 0, err
    assert "identical" in out and f"re-run of run {first}" in out
    second = calls[-1]["run"]
    assert second != first and calls[-1]["backend"] == "processes" and calls[-1]["workers"] == 2
    with open_store(db_url) as s:
        a, b = s.run(first), s.run(second)
    assert (a.parameters, a.seed, a.case_hash, a.n_batches) == (
        b.parameters,
        b.seed,
        b.case_hash,
        b.n_batches,
    )
    assert b.status == "done" and b.batches_done == 3
    code, out, _ = run_cli(["runs", "rerun", str(first), "--db", db_url, "--format", "json"])
    report = json.loads(out)
    assert report["identical"] is True and report["differences"] == [] and "meta" in report["ignored_keys"]


def test_cli_rerun_different(db_url: str, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_scenarios(monkeypatch, jitter=True)
    with open_store(db_url) as s:
        first = _run(s)
    assert run_cli(["runs", "resume", str(first), "--db", db_url])[0] == 0
    code, out, err = run_cli(["runs", "rerun", str(first), "--db", db_url])
    assert code == 0, err
    assert "different" in out and "scenarios.salt" in out
    code, out, _ = run_cli(["runs", "rerun", str(first), "--db", db_url, "-f", "json"])
    report = json.loads(out)
    assert report["identical"] is False and report["differences"] == ["scenarios.salt"]  # meta ignored


def test_cli_resume(db_url: str, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_scenarios(monkeypatch)
    done, stopped = _filled(db_url)
    code, out, err = run_cli(["runs", "resume", str(stopped), "--db", db_url, "-f", "json"])
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] == "done" and data["batches_done"] == 3 and calls[-1]["done_before"] == 1
    with open_store(db_url) as s:
        assert s.batches(stopped)[0] == b"\x80\x81"  # the stored batch was kept, not recomputed
    code, _, err = run_cli(["runs", "resume", str(done), "--db", db_url])
    assert code == 2 and f"run {done} is done: nothing to resume" in err
    with open_store(db_url) as s:
        busy = _run(s)
        s.set_status(busy, "running")
        other = _run(s, command="analyze")
    code, _, err = run_cli(["runs", "resume", str(busy), "--db", db_url])
    assert code == 2 and "--force" in err
    assert run_cli(["runs", "resume", str(busy), "--db", db_url, "--force"])[0] == 0
    for sub in ("resume", "rerun"):
        code, out, err = run_cli(["runs", sub, str(other), "--db", db_url])
        assert code == 2 and f"run {other} was made by 'analyze', which cannot be re-run" in err
    code, _, err = run_cli(["runs", "rerun", "999", "--db", db_url])
    assert code == 2 and "no run 999" in err


# -- rerun and resume, for real


def test_cli_rerun_and_resume_scenarios(db_url: str, run_cli: RunCli) -> None:
    from backchannel.scenarios.run import scenarios

    with open_store(db_url) as s:
        first = scenarios("ukraine-backchannel", samples=40, batch_size=10, seed=3, store=s)
        orig = s.run(first.run_id)
        assert orig.status == "done" and orig.batches_done == 4
        # a copy of the run stopped after two batches (the batches of the original)
        stopped = s.create_run(
            command="scenarios",
            parameters=orig.parameters,
            seed=orig.seed,
            case_hash=orig.case_hash,
            n_batches=orig.n_batches,
        )
        for i, payload in sorted(s.batches(orig.id).items())[:2]:
            s.save_batch(stopped, i, payload, 0.0)
        s.set_status(stopped, "interrupted")
    code, out, err = run_cli(["runs", "rerun", str(orig.id), "--db", db_url, "-f", "json"])
    assert code == 0, err
    report = json.loads(out)
    assert report["identical"] is True and report["status"] == "done"
    code, out, err = run_cli(["runs", "resume", str(stopped), "--db", db_url, "--backend", "inprocess"])
    assert code == 0, err
    assert "resumed from 2 stored batches" in " ".join(out.split())
    with open_store(db_url) as s:
        resumed = s.run(stopped)
        assert resumed.status == "done" and resumed.batches_done == 4
        assert differences(orig.result, resumed.result) == []
        assert resumed.result == orig.result
