"""What the routes share: the limits, the worker pool, the case cache, the jobs, the store."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from fastapi import Request

from ..errors import BackchannelError
from .cases import CaseCache, ResultCache
from .jobs import JobManager
from .problems import ApiError
from .settings import Limits
from .work import Worker

if TYPE_CHECKING:
    from ..store import RunStore

__all__ = ["Services", "services"]


class Services:
    #: What stands for the services in a job sent to a worker process (:mod:`.heavyproc`).
    in_worker_process = "<services>"

    def __init__(self, limits: Limits, store_url: str | None, token: str | None) -> None:
        self.limits = limits
        self.store_url = store_url
        self.auth = token is not None
        self.worker = Worker(
            limits.analysis_workers,
            limits.analysis_timeout,
            limits=limits if limits.heavy_processes else None,
        )
        self.cache = CaseCache()
        self.results = ResultCache()
        self.inflight: dict[str, asyncio.Future[bytes]] = {}  # results being computed, by key
        self.jobs = JobManager(limits.max_jobs)
        self._store: RunStore | None = None
        self._lock = threading.Lock()

    def store(self) -> RunStore:
        """The run store, opened on first use; 501 if this installation has none."""
        with self._lock:
            if self._store is None:
                try:
                    from ..store import open_store
                except ImportError:
                    raise ApiError(501, "this installation has no run store (backchannel.store)") from None
                try:
                    self._store = open_store(self.store_url)
                except BackchannelError as e:
                    raise ApiError(503, f"the run store cannot be opened: {e}") from None
            return self._store

    def close(self) -> None:
        self.jobs.shutdown()
        self.worker.close()
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc
