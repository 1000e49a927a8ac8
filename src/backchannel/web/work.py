"""Analyses off the event loop: two lanes of worker threads, a fair queue and a
time budget per request.

* **Cheap work** (the flagship, a small case, a cached result's serialising)
  runs in the *fast lane*, a pool of ``analysis_workers`` threads, first come
  first served.
* **Expensive work** (a case of many states, a large text: see
  :func:`backchannel.web.resolve.heavy_case`) runs in the *heavy lane*, a few
  threads fed by a fair queue: one queue per client address, served in turn,
  at most one running job per client, at most :data:`PER_CLIENT_QUEUE`
  waiting per client (429 past it). So a client sending many expensive
  requests waits for its own, and neither it nor anyone else starves the
  small analyses of the fast lane.
* **Time budget:** a request waits at most ``timeout`` seconds (queue and
  work); past it, 504. The heavy lane's work runs in worker processes
  (:mod:`backchannel.web.heavyproc`, at low priority), which are stopped when
  the budget is spent: an expensive request costs at most its budget of CPU,
  and does not compete with the small analyses for the server's interpreter.
  (The fast lane's threads cannot be stopped; their work is small.) A request
  (``key``) that overran its budget is refused at once for
  :data:`SLOW_MEMORY` seconds, so that resending it costs nothing.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .problems import ApiError

__all__ = ["CLIENT", "PER_CLIENT_QUEUE", "SLOW_MEMORY", "Worker"]

T = TypeVar("T")

#: The address of the client of the request being served (set by the security middleware).
CLIENT: contextvars.ContextVar[str] = contextvars.ContextVar("backchannel_client", default="?")

#: Expensive requests one client may have waiting in the heavy lane.
PER_CLIENT_QUEUE = 4
#: Seconds a request that overran its budget is refused at once.
SLOW_MEMORY = 600.0


@dataclass
class _Job:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    client: str
    deadline: float
    future: Future[Any] = field(default_factory=Future)
    cancelled: bool = False


class Worker:
    """Runs analyses in worker threads; a request waits at most ``timeout`` seconds.

    ``workers`` threads serve the fast lane; ``heavy_workers`` (default: half
    of them, at least one) the heavy lane, each with a worker process when
    ``limits`` are given (else in the thread itself).
    """

    def __init__(
        self, workers: int, timeout: float, heavy_workers: int | None = None, limits: Any = None
    ) -> None:
        self.timeout = timeout
        self._fast = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="backchannel-analysis")
        self.heavy_workers = heavy_workers or max(1, workers // 2)
        self._heavy = ThreadPoolExecutor(self.heavy_workers, thread_name_prefix="backchannel-heavy")
        self._lock = threading.Lock()
        self._queues: OrderedDict[str, deque[_Job]] = OrderedDict()  # clients in turn
        self._running: dict[str, int] = {}
        self._served: dict[str, int] = {}  # client → turn it was last served
        self._turn = 0
        self._free = self.heavy_workers
        self._slow: dict[str, float] = {}  # request key → refused until (monotonic)
        self._procs: list[Any] = []
        if limits is not None:
            from .heavyproc import HeavyProcess

            self._procs = [HeavyProcess(limits) for _ in range(self.heavy_workers)]

    # -- the heavy lane's fair queue ------------------------------------------
    def _enqueue(self, job: _Job) -> None:
        with self._lock:
            q = self._queues.setdefault(job.client, deque())
            if len([j for j in q if not j.cancelled]) >= PER_CLIENT_QUEUE:
                raise ApiError(
                    429,
                    f"{PER_CLIENT_QUEUE} expensive requests of yours are already waiting",
                    hint="Wait for them to finish (large cases are analysed one at a time per client).",
                    headers={"Retry-After": "5"},
                )
            q.append(job)
            self._dispatch()

    def _dispatch(self) -> None:
        """Start queued jobs while heavy threads are free: the client served least
        recently first, one running job per client."""
        while self._free > 0:
            picked = None
            for client in list(self._queues):
                q = self._queues[client]
                while q and q[0].cancelled:
                    q.popleft()
                if not q:
                    del self._queues[client]
                    continue
                if self._running.get(client, 0) == 0 and (
                    picked is None or self._served.get(client, -1) < self._served.get(picked, -1)
                ):
                    picked = client
            if picked is None:
                return
            job = self._queues[picked].popleft()
            self._turn += 1
            self._served[picked] = self._turn
            if len(self._served) > 10_000:
                self._served = {c: t for c, t in self._served.items() if c in self._queues}
            if not self._queues[picked]:
                del self._queues[picked]
            self._free -= 1
            self._running[picked] = self._running.get(picked, 0) + 1
            proc = self._procs.pop() if self._procs else None
            self._heavy.submit(self._work, job, proc)

    def _work(self, job: _Job, proc: Any) -> None:
        try:
            if job.cancelled or not job.future.set_running_or_notify_cancel():
                return
            try:
                if proc is not None:
                    result = proc.call(job.fn, job.args, job.deadline - time.monotonic())
                else:
                    result = job.fn(*job.args)
                job.future.set_result(result)
            except BaseException as e:
                job.future.set_exception(e)
        finally:
            with self._lock:
                if proc is not None:
                    self._procs.append(proc)
                self._free += 1
                left = self._running.get(job.client, 1) - 1
                if left:
                    self._running[job.client] = left
                else:
                    self._running.pop(job.client, None)
                self._dispatch()

    # -- requests -------------------------------------------------------------
    async def run(
        self,
        fn: Callable[..., T],
        *args: Any,
        what: str = "the analysis",
        cost: Callable[[], bool] | None = None,
        key: str | None = None,
    ) -> T:
        """``fn(*args)`` in a worker thread. ``cost``: a cheap function telling whether the
        work is expensive (run first, in the fast lane); ``key``: names the request, so
        that one that overran its budget is refused at once when sent again."""
        t0 = time.monotonic()
        if key is not None:
            self._check_slow(key, what)
        heavy = False
        if cost is not None:
            heavy = await self._wait(self._fast.submit(cost), t0, what, None, None)
        if not heavy:
            return await self._wait(self._fast.submit(fn, *args), t0, what, key, None)
        job = _Job(fn, args, CLIENT.get(), t0 + self.timeout)
        self._enqueue(job)
        return await self._wait(job.future, t0, what, key, job)

    async def _wait(self, fut: Future[Any], t0: float, what: str, key: str | None, job: _Job | None) -> Any:
        from .heavyproc import JobTimeout

        left = max(0.0, self.timeout - (time.monotonic() - t0))
        try:
            # a little longer for the heavy lane, whose process stops at the deadline itself
            return await asyncio.wait_for(asyncio.wrap_future(fut), left + (1.0 if job else 0.0))
        except (TimeoutError, JobTimeout):
            started = fut.running() or fut.done()
            if job is not None:
                job.cancelled = True
            fut.cancel()
            if key is not None and started:
                with self._lock:
                    now = time.monotonic()
                    self._slow = {k: v for k, v in self._slow.items() if v > now}
                    if len(self._slow) < 10_000:
                        self._slow[key] = now + SLOW_MEMORY
            raise ApiError(
                504,
                f"{what} did not finish within the time limit of {self.timeout:g} s",
                hint="Reduce the case (fewer options, more infeasibility rules) or run it with the "
                "command line, which has no time limit.",
            ) from None

    def _check_slow(self, key: str, what: str) -> None:
        with self._lock:
            until = self._slow.get(key)
        if until is not None and until > time.monotonic():
            raise ApiError(
                504,
                f"{what} of this very request did not finish within the time limit of {self.timeout:g} s "
                "a moment ago; it is not tried again for a while",
                hint="Reduce the case (fewer options, more infeasibility rules) or run it with the "
                "command line, which has no time limit.",
            )

    def warm(self) -> None:
        """Start the heavy lane's worker processes now rather than on first use."""
        for proc in list(self._procs):
            proc.warm()

    def close(self) -> None:
        with self._lock:
            for q in self._queues.values():
                for job in q:
                    job.cancelled = True
                    job.future.cancel()
            self._queues.clear()
        self._fast.shutdown(wait=False, cancel_futures=True)
        self._heavy.shutdown(wait=False, cancel_futures=True)
        for proc in self._procs:
            proc.stop()
