"""Expensive analyses in worker processes: a real CPU budget, and no competition
with the small analyses for the server's interpreter.

Each worker of the heavy lane (:mod:`backchannel.web.work`) hands its job to a
process of its own (started with ``spawn``, at low priority: ``nice`` 10), which
keeps a case cache of its own. A job past its time budget is stopped by
killing the process (a new one is started for the next job): unlike a thread,
a process can be stopped, so an expensive request costs at most its budget.

The processes are started with ``spawn``, which imports the main module again:
a script that serves ``create_app()`` itself needs the usual
``if __name__ == "__main__":`` guard (``backchannel serve`` has it), or
``Limits(heavy_processes=False)`` to keep the heavy lane in threads.

Arguments that are the server's shared objects (:class:`~backchannel.web.context.Services`,
:class:`~backchannel.web.cases.CaseCache`) are replaced by the process's own;
everything else travels pickled, results and errors alike.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["HeavyProcess", "JobTimeout"]

_SVC = "<services>"
_CACHE = "<case cache>"


class JobTimeout(Exception):
    """The job did not finish within its budget (its process was stopped)."""


class _LocalServices:
    """What the analyses use of the server's services, in a worker process."""

    def __init__(self, limits: Any) -> None:
        from .cases import CaseCache, ResultCache

        self.limits = limits
        self.cache = CaseCache()
        self.results = ResultCache()


def _child(conn: Connection, limits: Any) -> None:  # pragma: no cover - runs in the worker process
    import contextlib

    with contextlib.suppress(OSError):
        os.nice(10)
    local = _LocalServices(limits)
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        args = tuple(local if a == _SVC else local.cache if a == _CACHE else a for a in args)
        try:
            out: tuple[str, Any] = ("ok", fn(*args))
        except BaseException as e:  # sent back as data: type, attributes, arguments
            out = ("error", (type(e), dict(e.__dict__), e.args))
        try:
            conn.send(out)
        except Exception as e:  # a result that does not pickle
            conn.send(("error", (RuntimeError, {}, (f"the result could not be sent: {e}",))))


def _rebuild(kind: type[BaseException], attrs: dict[str, Any], args: tuple[Any, ...]) -> BaseException:
    exc = kind.__new__(kind)
    exc.args = args
    exc.__dict__.update(attrs)
    return exc


class HeavyProcess:
    """One worker process, started on first use and again after it was stopped."""

    def __init__(self, limits: Any) -> None:
        self._limits = limits
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def _start(self) -> Connection:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_child, args=(child, self._limits), daemon=True, name="backchannel-heavy")
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        return parent

    def call(self, fn: Any, args: tuple[Any, ...], timeout: float) -> Any:
        """``fn(*args)`` in the process; :class:`JobTimeout` (and the process stopped)
        past ``timeout`` seconds."""
        # the server's services and case cache stay here; the worker uses its own
        sent = tuple(getattr(a, "in_worker_process", a) for a in args)
        try:
            payload = pickle.dumps((fn, sent))
        except Exception:  # a function or argument that cannot travel: run it here
            return fn(*args)
        with self._lock:
            conn = self._conn if self._proc is not None and self._proc.is_alive() else None
            if conn is None:
                conn = self._start()
            try:
                conn.send_bytes(payload)
                if not conn.poll(max(timeout, 0.0)):
                    self.stop()
                    raise JobTimeout
                status, value = conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                self.stop()
                raise RuntimeError("the worker process of an expensive analysis ended unexpectedly") from None
        if status == "ok":
            return value
        raise _rebuild(*value)

    def warm(self) -> None:
        """Start the process (its imports take a few seconds) before the first job."""
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self._start()

    def stop(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            conn.close()
        if proc is not None and proc.is_alive():
            proc.kill()
            proc.join(5)
