"""The run store: case versions, runs, their batches and results, and user cases.

SQLite by default (a file in the user data directory, WAL mode with a busy
timeout so that a command line and a web server can share it), PostgreSQL by
URL through the pure-Python pg8000 driver.  The schema is migrated to the
newest Alembic revision whenever a store is opened; concurrent opens are
serialised by a lock (SQLite's write lock, PostgreSQL's advisory lock).

Every write is one transaction: it happens entirely or not at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, delete, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..errors import BackchannelError
from .models import CaseVersion, RevokedSession, Run, RunBatch, RunResult, UserCaseRow, utcnow
from .records import RunRecord, UserCase

__all__ = ["STATUSES", "RunStore", "default_path", "open_engine", "open_store"]

#: The statuses of a run.  ``running`` sets the start time; ``done`` is set by :meth:`RunStore.finish`.
STATUSES = ("created", "running", "interrupted", "failed", "done", "cancelled")

#: Seconds between two heartbeats of a running run, and after which a ``running``
#: run without one is taken for interrupted (its process is gone).
HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 60.0

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT = 30.0  # seconds a SQLite writer waits for another one
_PG_LOCK = 0x6263_5F73_746F_7265  # pg_advisory_xact_lock key ("bc_store") held while migrating
_CONFIG_HINT = "give another --db or set BACKCHANNEL_DB"


def default_path() -> Path:
    """``runs.sqlite`` in the user data directory (e.g. ``~/.local/share/backchannel``)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("backchannel", appauthor=False)) / "runs.sqlite"


def _mask(raw: str) -> str:
    """``scheme://user:secret@host`` → ``scheme://user:***@host`` for text that is not a valid URL."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", raw)


def _reason(e: BaseException) -> str:
    """The driver's own message, on one line."""
    orig = getattr(e, "orig", None) or e
    arg: Any = orig.args[0] if getattr(orig, "args", None) else orig
    if isinstance(arg, dict):  # pg8000 server errors: {'S': 'FATAL', 'M': 'message', ...}
        arg = arg.get("M") or arg
    msg = " ".join(str(arg).split())
    return msg.rstrip(".") or type(orig).__name__


def _resolve(url: str | None) -> tuple[URL, str]:
    """The SQLAlchemy URL to connect to and the URL to show (password masked)."""
    if url is None or not url.strip():
        url = os.environ.get("BACKCHANNEL_DB", "").strip() or None
    if url is None:
        path = default_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise BackchannelError(
                f"cannot create the run store's directory {path.parent}: {e.strerror or e}; {_CONFIG_HINT}"
            ) from None
        return _sqlite(path)
    if "://" not in url:
        return _sqlite(Path(url).expanduser())
    try:
        u = make_url(url)
    except (ArgumentError, ValueError):
        raise BackchannelError(
            f"{_mask(url)} is not a database URL: give a file path, sqlite:///PATH or postgresql://USER@HOST/DB"
        ) from None
    shown = u.render_as_string(hide_password=True)
    backend, _, driver = u.drivername.partition("+")
    if backend in ("postgresql", "postgres"):
        return u.set(drivername=f"postgresql+{driver or 'pg8000'}"), shown
    if backend == "sqlite":
        if u.database and u.database != ":memory:" and not u.query.get("uri"):
            path = Path(u.database).expanduser()
            _check_sqlite_path(path, shown)
            u = u.set(database=str(path))
        return u, shown
    raise BackchannelError(
        f"cannot open the run store {shown}: {backend!r} databases are not supported; "
        "give a file path (SQLite), sqlite:///PATH or postgresql://USER@HOST/DB"
    )


def _sqlite(path: Path) -> tuple[URL, str]:
    path = path.absolute()
    u = URL.create("sqlite", database=str(path))
    shown = u.render_as_string()
    _check_sqlite_path(path, shown)
    return u, shown


def _check_sqlite_path(path: Path, shown: str) -> None:
    problem = ""
    if path.is_dir():
        problem = "it is a directory; give the path of a file, e.g. runs.sqlite in it"
    elif not path.parent.is_dir():
        problem = f"the directory {path.parent} does not exist; create it or {_CONFIG_HINT}"
    elif not path.exists() and not os.access(path.parent, os.W_OK):
        problem = f"the directory {path.parent} is not writable; {_CONFIG_HINT}"
    if problem:
        raise BackchannelError(f"cannot open the run store {shown}: {problem}")


def open_engine(url: str | None = None) -> tuple[Engine, str]:
    """A SQLAlchemy engine for the store at ``url`` (see :func:`open_store`) and the
    URL to show; the schema is not touched.  Dispose of the engine when done."""
    u, shown = _resolve(url)
    if u.get_backend_name() == "sqlite":
        return _sqlite_engine(u), shown
    connect_args: dict[str, Any] = {}
    if u.get_driver_name() == "pg8000":
        try:
            import pg8000  # noqa: F401
        except ImportError:
            raise BackchannelError(
                f"cannot open the run store {shown}: PostgreSQL needs the pg8000 driver: "
                "pip install 'backchannel[postgres]'"
            ) from None
        # libpq's ``?options=-csearch_path%3Dmy_schema`` and ``?sslmode=…`` work here too.
        options = u.query.get("options")
        if options:
            connect_args["startup_params"] = {"options": str(options)}
        sslmode = u.query.get("sslmode")
        if sslmode:
            connect_args.update(_ssl_args(str(sslmode), shown))
        u = u.difference_update_query(["options", "sslmode"])
    try:
        engine = create_engine(u, connect_args=connect_args, pool_pre_ping=True)
    except ImportError as e:
        raise BackchannelError(
            f"cannot open the run store {shown}: the driver is not installed ({e}); install it, or write "
            "postgresql://… for pg8000 (pip install 'backchannel[postgres]')"
        ) from None
    except (ArgumentError, ValueError, TypeError) as e:
        raise BackchannelError(f"cannot open the run store {shown}: {_reason(e)}") from None
    return engine, shown


def _ssl_args(sslmode: str, shown: str) -> dict[str, Any]:
    """pg8000's arguments for libpq's ``sslmode``."""
    if sslmode in ("disable", "allow", "prefer"):
        return {}
    if sslmode not in ("require", "verify-ca", "verify-full"):
        raise BackchannelError(
            f"cannot open the run store {shown}: unknown sslmode {sslmode!r}; "
            "use disable, require, verify-ca or verify-full"
        )
    import ssl

    ctx = ssl.create_default_context()
    if sslmode != "verify-full":
        ctx.check_hostname = False
    if sslmode == "require":
        ctx.verify_mode = ssl.CERT_NONE
    return {"ssl_context": ctx}


def _sqlite_engine(u: URL) -> Engine:
    memory = not u.database or u.database == ":memory:"
    kw: dict[str, Any] = {"connect_args": {"timeout": BUSY_TIMEOUT, "check_same_thread": False}}
    if memory:
        from sqlalchemy.pool import StaticPool

        kw["poolclass"] = StaticPool
    engine = create_engine(u, **kw)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (below), so that DDL and reads are transactional too.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            if not memory:
                _wal(cur)  # readers never block the writer
                cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA foreign_keys = ON")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # Writers take the write lock at once: a transaction that reads and then
        # writes could otherwise fail with "database is locked" without waiting.
        write = conn.get_execution_options().get("backchannel_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _wal(cur: Any) -> None:
    """Switch a new SQLite database to WAL mode. The switch needs the file to
    itself, and SQLite answers "database is locked" at once (no busy wait) when
    another connection opens the same new file at that moment: try again, up
    to the busy timeout."""
    import sqlite3
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@cache
def _alembic_config_and_head() -> tuple[Any, str | None, set[str]]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    return cfg, script.get_current_head(), known


def migrate(engine: Engine, shown: str) -> None:
    """Bring the schema to the newest revision; safe when several processes open the store at once."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    base, head, known = _alembic_config_and_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return
    if current is not None and current not in known:
        raise BackchannelError(
            f"the run store {shown} has schema revision {current!r}, which this version of backchannel "
            "does not know: it was written by a newer backchannel; upgrade backchannel or use another --db"
        )
    with engine.execution_options(backchannel_write=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        cfg = Config()
        cfg.set_main_option("script_location", base.get_main_option("script_location"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")  # reads the revision again, under the lock


def open_store(url: str | None = None) -> RunStore:
    """Open (and create or migrate) the run store.

    ``url`` is a file path (SQLite), ``sqlite:///PATH`` or ``postgresql://USER:PASSWORD@HOST/DB``
    (``postgres://`` too; pg8000 unless a driver is named, as in ``postgresql+psycopg2://``).
    Without it: ``$BACKCHANNEL_DB`` if set, else ``runs.sqlite`` in the user data directory.
    Failures (unreachable server, bad URL, unwritable path) raise :class:`BackchannelError`.
    """
    from alembic.util import CommandError

    engine, shown = open_engine(url)
    try:
        migrate(engine, shown)
    except BackchannelError:
        engine.dispose()
        raise
    except (SQLAlchemyError, OSError) as e:
        engine.dispose()
        raise BackchannelError(_open_error(shown, e, engine.dialect.name)) from None
    except CommandError as e:
        engine.dispose()
        raise BackchannelError(f"cannot migrate the run store {shown}: {_reason(e)}") from None
    except TypeError as e:  # the driver does not know a parameter given in the URL
        engine.dispose()
        raise BackchannelError(
            f"cannot open the run store {shown}: {_reason(e)}; check the parameters after '?' in the URL"
        ) from None
    except BaseException:
        engine.dispose()
        raise
    return RunStore(engine, shown)


def _open_error(shown: str, e: BaseException, dialect: str) -> str:
    reason = _reason(e)
    if dialect == "sqlite":
        fix = f"check that the file is a SQLite database and its directory is writable, or {_CONFIG_HINT}"
    elif "does not exist" in reason and "database" in reason:
        fix = f"create the database (createdb) or {_CONFIG_HINT}"
    else:
        fix = f"check that the server is running and the URL is right, or {_CONFIG_HINT}"
    return f"cannot open the run store {shown}: {reason}; {fix}"


def _version() -> str:
    try:
        from .._version import __version__

        return __version__
    except ImportError:  # pragma: no cover
        from importlib.metadata import version

        return version("backchannel")


def _title(text_: str, fmt: str) -> str | None:
    try:
        if fmt == "json":
            data = json.loads(text_)
        else:
            import yaml

            # libyaml when it is there: every listing reads every user case's title
            data = yaml.load(text_, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except Exception:
        return None
    title = data.get("title") if isinstance(data, dict) else None
    if not isinstance(title, str | int | float) or isinstance(title, bool):
        return None
    try:
        str(title).encode("utf-8")
    except (UnicodeEncodeError, ValueError):  # a lone surrogate; an int too long to print
        return None
    return str(title)


class RunStore:
    """Case versions, runs, batches, results and user cases in one database.

    Safe to share between threads (each call uses its own session).  Close it
    (or use it as a context manager) to release its connections.
    """

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url  #: the store's URL, password masked
        self._writer = engine.execution_options(backchannel_write=True)

    # -- plumbing -----------------------------------------------------------
    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RunStore({self.url!r})"

    @contextmanager
    def _session(self, write: bool) -> Iterator[Session]:
        """One transaction: committed if the block ends normally, else rolled back."""
        try:
            with Session(self._writer if write else self.engine, expire_on_commit=False) as s, s.begin():
                yield s
        except (BackchannelError, IntegrityError):
            raise
        except SQLAlchemyError as e:
            reason = _reason(e)
            if "locked" in reason or "busy" in reason:
                raise BackchannelError(
                    f"the run store {self.url} stayed locked by another process for {BUSY_TIMEOUT:g} s; "
                    "try again"
                ) from None
            raise BackchannelError(f"database error in the run store {self.url}: {reason}") from None

    def _no_run(self, run_id: int) -> BackchannelError:
        return BackchannelError(f"no run {run_id} in {self.url}")

    def _get_run(self, s: Session, run_id: int) -> Run:
        run = s.get(Run, run_id)
        if run is None:
            raise self._no_run(run_id)
        return run

    # -- case versions ------------------------------------------------------
    def add_case(self, text: str, *, name: str, fmt: str) -> str:
        """Store a case text (once: the same text is stored only the first time); its SHA-256."""
        _readable(text, "a case text")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._session(write=False) as s:
            if s.get(CaseVersion, digest) is not None:
                return digest
        try:
            with self._session(write=True) as s:
                if s.get(CaseVersion, digest) is None:
                    s.add(CaseVersion(hash=digest, name=name, fmt=fmt, text=text, created=utcnow()))
        except IntegrityError:  # another writer stored the same text first
            with self._session(write=False) as s:
                if s.get(CaseVersion, digest) is None:
                    raise
        return digest

    def case_text(self, case_hash: str) -> tuple[str, str, str]:
        """(text, name, format) of a stored case version."""
        with self._session(write=False) as s:
            cv = s.get(CaseVersion, case_hash)
            if cv is None:
                raise BackchannelError(f"no case version {case_hash[:12]} in {self.url}")
            return cv.text, cv.name, cv.fmt

    # -- runs ---------------------------------------------------------------
    def create_run(
        self,
        *,
        command: str,
        parameters: dict[str, Any],
        seed: int | None,
        case_hash: str,
        n_batches: int | None = None,
    ) -> int:
        """A new run (status ``created``) of ``command`` on a stored case version; its id."""
        params = _json_roundtrip(parameters, "parameters")
        with self._session(write=True) as s:
            if s.get(CaseVersion, case_hash) is None:
                raise BackchannelError(
                    f"no case version {case_hash[:12]} in {self.url}: store the case with add_case first"
                )
            run = Run(
                command=command,
                parameters=params,
                seed=seed,
                version=_version(),
                status="created",
                created=utcnow(),
                case_hash=case_hash,
                n_batches=n_batches,
            )
            s.add(run)
            s.flush()
            return run.id

    def copy_run(self, run_id: int) -> int:
        """A new run with the command, parameters, seed and case version of run ``run_id`` (a re-run)."""
        orig = self.run(run_id)
        return self.create_run(
            command=orig.command,
            parameters=orig.parameters,
            seed=orig.seed,
            case_hash=orig.case_hash,
            n_batches=orig.n_batches,
        )

    def set_status(self, run_id: int, status: str, *, error: str | None = None) -> None:
        """Set a run's status (one of :data:`STATUSES`); ``running`` records the start time
        the first time.  ``error`` is kept with the run; ``running`` and ``done`` clear it."""
        if status not in STATUSES:
            raise BackchannelError(f"unknown run status {status!r}: choose from {', '.join(STATUSES)}")
        with self._session(write=True) as s:
            run = self._get_run(s, run_id)
            run.status = status
            if status == "running" and run.started is None:
                run.started = utcnow()
            run.heartbeat = utcnow() if status == "running" else None
            if error is not None:
                run.error = error
            elif status in ("running", "done"):
                run.error = None

    def heartbeat(self, run_id: int, seconds: float | None = None) -> None:
        """The process working on a ``running`` run is alive; ``seconds``: the run's
        time so far (all sessions), kept so that a run killed outright keeps it."""
        with self._session(write=True) as s:
            run = self._get_run(s, run_id)
            if run.status == "running":
                run.heartbeat = utcnow()
                if seconds is not None:
                    run.seconds = seconds

    def save_batch(self, run_id: int, index: int, payload: bytes, seconds: float) -> None:
        """Store batch ``index`` of a run.  Storing it again with the same payload does
        nothing; with a different payload it is an error (batches are never overwritten)."""
        payload = bytes(payload)
        if index < 0:
            raise BackchannelError(f"batch index {index} of run {run_id}: batches are numbered from 0")
        try:
            with self._session(write=True) as s:
                run = self._get_run(s, run_id)
                if run.n_batches is not None and index >= run.n_batches:
                    raise BackchannelError(
                        f"batch index {index} of run {run_id} is out of range: the run has {run.n_batches}"
                    )
                old = s.get(RunBatch, (run_id, index))
                if old is not None:
                    self._same_batch(run_id, index, old.payload, payload)
                    return
                s.add(
                    RunBatch(run_id=run_id, index=index, payload=payload, seconds=seconds, created=utcnow())
                )
        except IntegrityError:  # another writer stored the batch first (or the run was deleted)
            with self._session(write=False) as s:
                old = s.get(RunBatch, (run_id, index))
                if old is None:
                    self._get_run(s, run_id)
                    raise
                self._same_batch(run_id, index, old.payload, payload)

    def _same_batch(self, run_id: int, index: int, old: bytes, new: bytes) -> None:
        if bytes(old) != new:
            raise BackchannelError(
                f"batch {index} of run {run_id} is already stored with a different payload; stored batches "
                f"are never overwritten (start a new run, e.g. backchannel runs rerun {run_id})"
            )

    def batches(self, run_id: int) -> dict[int, bytes]:
        """The stored batches of a run, by index."""
        with self._session(write=False) as s:
            self._get_run(s, run_id)
            rows = s.execute(
                select(RunBatch.index, RunBatch.payload)
                .where(RunBatch.run_id == run_id)
                .order_by(RunBatch.index)
            )
            return {int(i): bytes(p) for i, p in rows}

    def finish(self, run_id: int, result: dict[str, Any], seconds: float) -> None:
        """Store a run's result (JSON-able) and mark it done, with the finish time and total seconds."""
        try:
            payload = json.dumps(result, ensure_ascii=False)
        except (TypeError, ValueError) as e:
            raise TypeError(f"the result of run {run_id} is not JSON-serialisable: {e}") from None
        with self._session(write=True) as s:
            run = self._get_run(s, run_id)
            now = utcnow()
            run.status = "done"
            run.finished = now
            run.started = run.started or now
            run.seconds = seconds
            run.error = None
            s.flush()
            stored = s.get(RunResult, run_id)
            if stored is None:
                s.add(RunResult(run_id=run_id, result=payload))
            else:
                stored.result = payload

    def run(self, run_id: int) -> RunRecord:
        """Everything about one run, with its result."""
        with self._session(write=False) as s:
            records = self._records(s, select_ids=[run_id], with_result=True)
        if not records:
            raise self._no_run(run_id)
        return records[0]

    def runs(
        self,
        *,
        limit: int = 50,
        status: str | None = None,
        command: str | None = None,
        with_result: bool = False,
    ) -> list[RunRecord]:
        """The newest runs first, optionally of one status or command.  Results are
        left out (``result`` None) unless ``with_result``: they can be large."""
        if status is not None and status not in STATUSES:
            raise BackchannelError(f"unknown run status {status!r}: choose from {', '.join(STATUSES)}")
        with self._session(write=False) as s:
            return self._records(s, limit=limit, status=status, command=command, with_result=with_result)

    def _records(
        self,
        s: Session,
        *,
        select_ids: list[int] | None = None,
        limit: int | None = None,
        status: str | None = None,
        command: str | None = None,
        with_result: bool = False,
    ) -> list[RunRecord]:
        counts = select(RunBatch.run_id, func.count().label("n")).group_by(RunBatch.run_id).subquery("counts")
        from datetime import timedelta

        stale_before = utcnow() - timedelta(seconds=STALE_SECONDS)
        stmt = (
            select(Run, CaseVersion.name, func.coalesce(counts.c.n, 0))
            .outerjoin(CaseVersion, CaseVersion.hash == Run.case_hash)
            .outerjoin(counts, counts.c.run_id == Run.id)
            .order_by(Run.id.desc())
        )
        if select_ids is not None:
            stmt = stmt.where(Run.id.in_(select_ids))
        if status == "interrupted":  # also the running ones whose process is gone
            stmt = stmt.where(
                (Run.status == status)
                | ((Run.status == "running") & (func.coalesce(Run.heartbeat, Run.started) < stale_before))
            )
        elif status == "running":
            stmt = stmt.where(
                (Run.status == status) & (func.coalesce(Run.heartbeat, Run.started) >= stale_before)
            )
        elif status is not None:
            stmt = stmt.where(Run.status == status)
        if command is not None:
            stmt = stmt.where(Run.command == command)
        if limit is not None:
            stmt = stmt.limit(max(limit, 0))
        rows = s.execute(stmt).all()
        results: dict[int, dict[str, Any]] = {}
        if with_result and rows:
            ids = [r[0].id for r in rows]
            for rid, res in s.execute(
                select(RunResult.run_id, RunResult.result).where(RunResult.run_id.in_(ids))
            ):
                results[rid] = json.loads(res)
        return [
            RunRecord(
                id=run.id,
                command=run.command,
                parameters=dict(run.parameters or {}),
                seed=run.seed,
                version=run.version,
                status=_effective_status(run, stale_before),
                created=run.created,
                started=run.started,
                finished=run.finished,
                seconds=run.seconds,
                case_hash=run.case_hash,
                case_name=name,
                n_batches=run.n_batches,
                batches_done=int(n),
                error=run.error,
                result=results.get(run.id),
            )
            for run, name, n in rows
        ]

    def delete_run(self, run_id: int) -> None:
        """Delete a run with its batches and result (the case version stays)."""
        with self._session(write=True) as s:
            run = self._get_run(s, run_id)
            s.execute(delete(RunBatch).where(RunBatch.run_id == run_id))
            s.execute(delete(RunResult).where(RunResult.run_id == run_id))
            s.delete(run)

    # -- workbench sessions ended at logout -----------------------------------
    def revoke_session(self, session_hash: str, expires: Any) -> None:
        """Keep a logged-out session's id (its SHA-256) until it would have expired."""
        with self._session(write=True) as s:
            s.execute(delete(RevokedSession).where(RevokedSession.expires < utcnow()))
            if s.get(RevokedSession, session_hash) is None:
                s.add(RevokedSession(id=session_hash, expires=expires))

    def revoked_sessions(self) -> set[str]:
        """The ids (SHA-256) of logged-out sessions that have not yet expired."""
        with self._session(write=False) as s:
            return set(s.scalars(select(RevokedSession.id).where(RevokedSession.expires >= utcnow())))

    # -- user cases (web workbench) -----------------------------------------
    def save_user_case(self, name: str, text: str, fmt: str = "yaml") -> int:
        """Save a new version of a user case; its version number (1, 2, …).  Saving the
        text of the latest version again makes no new version (its number is returned)."""
        if not name or not name.strip():
            raise BackchannelError("a user case needs a name")
        _readable(name, "a user case's name")
        _readable(text, f"the text of user case {name!r}")
        for attempt in range(5):
            try:
                with self._session(write=True) as s:
                    latest = s.scalars(
                        select(UserCaseRow)
                        .where(UserCaseRow.name == name)
                        .order_by(UserCaseRow.version.desc())
                        .limit(1)
                    ).first()
                    if latest is not None and latest.text == text and latest.fmt == fmt:
                        return latest.version
                    version = 1 if latest is None else latest.version + 1
                    s.add(UserCaseRow(name=name, version=version, fmt=fmt, text=text, created=utcnow()))
                    return version
            except IntegrityError:  # another writer took the same version number: try again
                if attempt == 4:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def user_cases(self) -> list[UserCase]:
        """The latest version of every user case, by name."""
        latest = (
            select(UserCaseRow.name, func.max(UserCaseRow.version).label("v"))
            .group_by(UserCaseRow.name)
            .subquery("latest")
        )
        stmt = (
            select(UserCaseRow)
            .join(latest, (latest.c.name == UserCaseRow.name) & (latest.c.v == UserCaseRow.version))
            .order_by(UserCaseRow.name)
        )
        with self._session(write=False) as s:
            return [_user_case(row) for row in s.scalars(stmt)]

    def user_case(self, name: str, version: int | None = None) -> UserCase:
        """A user case: its latest version, or the version asked for."""
        stmt = select(UserCaseRow).where(UserCaseRow.name == name)
        if version is None:
            stmt = stmt.order_by(UserCaseRow.version.desc()).limit(1)
        else:
            stmt = stmt.where(UserCaseRow.version == version)
        with self._session(write=False) as s:
            row = s.scalars(stmt).first()
            if row is None:
                if version is None:
                    raise BackchannelError(f"no user case {name!r} in {self.url}")
                versions = [
                    v for (v,) in s.execute(select(UserCaseRow.version).where(UserCaseRow.name == name))
                ]
                have = f"it has versions 1–{max(versions)}" if versions else "there is no such case"
                raise BackchannelError(f"no version {version} of user case {name!r} in {self.url}: {have}")
            return _user_case(row)

    def user_case_versions(self, name: str) -> list[UserCase]:
        """Every version of a user case, oldest (version 1) first; empty if there is no such case."""
        stmt = select(UserCaseRow).where(UserCaseRow.name == name).order_by(UserCaseRow.version)
        with self._session(write=False) as s:
            return [_user_case(row) for row in s.scalars(stmt)]

    def delete_user_case(self, name: str) -> None:
        """Delete a user case, every version of it."""
        with self._session(write=True) as s:
            n = s.execute(delete(UserCaseRow).where(UserCaseRow.name == name)).rowcount  # type: ignore[attr-defined]
            if not n:
                raise BackchannelError(f"no user case {name!r} in {self.url}")


def _effective_status(run: Run, stale_before: Any) -> str:
    """``interrupted`` for a ``running`` run without a recent heartbeat: its process is gone."""
    if run.status == "running":
        alive = run.heartbeat or run.started
        if alive is None or alive < stale_before:
            return "interrupted"
    return run.status


def _readable(text: str, what: str) -> None:
    """Refuse text that could be stored but not read back as UTF-8 (a lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise BackchannelError(
            f"{what} holds a lone surrogate (U+{ord(text[e.start]):04X}) at character {e.start}, "
            "which is not a character and cannot be stored"
        ) from None


def _user_case(row: UserCaseRow) -> UserCase:
    return UserCase(
        name=row.name,
        version=row.version,
        fmt=row.fmt,
        text=row.text,
        created=row.created,
        title=_title(row.text, row.fmt),
    )


def _json_roundtrip(value: dict[str, Any], what: str) -> dict[str, Any]:
    """``value`` as it will read back from the database (tuples become lists, …)."""
    try:
        out = json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what} must be JSON-serialisable (without NaN): {e}") from None
    if not isinstance(out, dict):
        raise TypeError(f"{what} must be a dict")
    return out
