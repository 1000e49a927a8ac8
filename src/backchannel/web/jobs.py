"""Background jobs (scenario runs): threads with progress and cancellation.

At most ``max_jobs`` run at once; a job asked for past that is refused (the
API answers 429) rather than queued, so that a busy server says so at once.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import BackchannelError
from .problems import ApiError

__all__ = ["Job", "JobManager"]

log = logging.getLogger("backchannel.web")

Progress = Callable[[int, int], None]
Task = Callable[[Progress, threading.Event], dict[str, Any]]

ACTIVE = ("queued", "running")


@dataclass
class Job:
    """One background job; ``status``: queued, running, done, failed or cancelled."""

    id: str
    kind: str
    total: int
    run: int | None = None
    status: str = "queued"
    done: int = 0
    error: str | None = None
    result: dict[str, Any] | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    thread: threading.Thread | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "job": self.id,
            "kind": self.kind,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "run": self.run,
            "error": self.error,
            "result": self.result,
        }


class JobManager:
    """Starts jobs in threads, at most ``max_jobs`` at once; keeps the last ``keep`` finished ones."""

    def __init__(self, max_jobs: int, keep: int = 200) -> None:
        self.max_jobs = max_jobs
        self.keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._closed = False

    def active(self) -> int:
        with self._lock:
            return sum(j.status in ACTIVE for j in self._jobs.values())

    def reserve(self, kind: str, total: int) -> Job:
        """A queued job slot; 429 when ``max_jobs`` are active. Start it with :meth:`start`
        (or :meth:`release` it if what it needs cannot be prepared)."""
        with self._lock:
            if self._closed:
                raise ApiError(503, "the server is shutting down")
            active = sum(j.status in ACTIVE for j in self._jobs.values())
            if active >= self.max_jobs:
                raise ApiError(
                    429,
                    f"{active} background jobs are running, the most this server runs at once",
                    hint="Wait for one to finish (GET /api/jobs/{job}), or cancel one "
                    "(DELETE /api/jobs/{job}).",
                    headers={"Retry-After": "5"},
                )
            job = Job(id=secrets.token_hex(8), kind=kind, total=total)
            self._jobs[job.id] = job
            self._trim()
            return job

    def release(self, job: Job) -> None:
        with self._lock:
            self._jobs.pop(job.id, None)

    def start(self, job: Job, task: Task) -> Job:
        thread = threading.Thread(
            target=self._run, args=(job, task), name=f"backchannel-job-{job.id}", daemon=True
        )
        job.thread = thread
        thread.start()
        return job

    def _run(self, job: Job, task: Task) -> None:
        def progress(done: int, total: int) -> None:
            job.done, job.total = int(done), int(total)

        if job.cancel.is_set():
            job.status = "cancelled"
            job.finished = time.time()
            return
        job.status = "running"
        try:
            result = task(progress, job.cancel)
        except BaseException as e:  # never let a job's thread die with a traceback
            if job.cancel.is_set():
                job.status = "cancelled"
            else:
                if isinstance(e, BackchannelError):
                    job.error = str(e)
                else:
                    log.exception("job %s failed", job.id)
                    job.error = f"{type(e).__name__}: {e}"
                job.status = "failed"
        else:
            if job.cancel.is_set():
                job.status = "cancelled"
            else:
                job.result = result
                job.done = job.total
                job.status = "done"
        job.finished = time.time()

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise ApiError(404, f"no job {job_id!r}", hint="Jobs are kept in memory until the server stops.")
        return job

    def cancel(self, job_id: str) -> Job:
        job = self.get(job_id)
        job.cancel.set()
        if job.status == "queued":
            job.status = "cancelled"
        return job

    def _trim(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.status not in ACTIVE]
        for k in finished[: max(0, len(finished) - self.keep)]:
            del self._jobs[k]

    def shutdown(self, timeout: float = 5.0) -> None:
        """Cancel every job and wait (up to ``timeout`` seconds in all) for their threads."""
        with self._lock:
            self._closed = True
            jobs = list(self._jobs.values())
        for j in jobs:
            j.cancel.set()
        deadline = time.monotonic() + timeout
        for j in jobs:
            if j.thread is not None:
                j.thread.join(max(0.0, deadline - time.monotonic()))
