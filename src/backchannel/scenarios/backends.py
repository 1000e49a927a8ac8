"""Where the batches of a Monte Carlo run are computed.

- ``inprocess`` (default): one after another in this process;
- ``processes``: a pool of local worker processes, shut down and reaped
  (with multiprocessing's resource tracker) before the run returns.  On
  Linux, from a process with no other thread (helper threads such as a
  stored run's heartbeat pause while the workers start), the workers are forked
  (:func:`start_method`): they start at once with this process's prepared
  model and loaded kernels, so that the pool pays off even when a run takes
  a second or two; otherwise they are spawned (each imports the library and
  prepares the model, about a second);
- ``dask``: a Dask distributed cluster — a :class:`~distributed.LocalCluster`
  started for the run, or an existing scheduler (``scheduler="tcp://host:port"``).
  Needs the ``dask`` extra (``pip install 'backchannel[dask]'``).

Every backend calls :func:`backchannel.scenarios.montecarlo.compute_batch` with the
same task text and batch index, and results are put together in index
order, so the backend and the number of workers never change a result.
The process pool and Dask get tasks of about a second
(:data:`TASK_SECONDS`): the first batch is computed here and timed, and the
rest are grouped into tasks of as many batches as fit in that time, and
small enough that each worker gets several (:data:`TASKS_PER_WORKER`), so
that none waits long for another at the end (the batches, and so the
result, stay the same).
Workers are single-threaded (BLAS and OpenMP threads set to 1); on Dask the
nanny's pre-spawn environment is replaced, dropping its
``MALLOC_TRIM_THRESHOLD_`` setting, which made NumPy-heavy tasks 2–3 times
slower.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import BackchannelError
from .montecarlo import compute_batch, task_hash

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["BACKENDS", "Cancelled", "Pausable", "register_pausable", "run_batches"]

BACKENDS = ("inprocess", "processes", "dask")
TASK_SECONDS = 1.0
MAX_BATCHES_PER_TASK = 64
#: At least this many tasks per worker where there are batches enough.
TASKS_PER_WORKER = 4
WORKER_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}

OnBatch = Callable[[int, bytes, float], None]


class Cancelled(BackchannelError):
    """The run was cancelled (a cancel event was set)."""

    exit_code = 1


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("the run was cancelled")


def _inprocess(task: str, indices: Sequence[int], on_batch: OnBatch, cancel: threading.Event | None) -> None:
    for i in indices:
        _check_cancel(cancel)
        t0 = time.perf_counter()
        payload = compute_batch(task, i)
        on_batch(i, payload, time.perf_counter() - t0)


def _timed(task: str, indices: Sequence[int]) -> list[tuple[int, bytes, float]]:
    """Compute several batches (one task), each timed."""
    out = []
    for index in indices:
        t0 = time.perf_counter()
        payload = compute_batch(task, index)
        out.append((index, payload, time.perf_counter() - t0))
    return out


def _grouped(
    task: str, indices: Sequence[int], on_batch: OnBatch, cancel: threading.Event | None, workers: int = 1
) -> list[list[int]]:
    """Compute the first batch here, timed, and group the others into tasks of about a second,
    at least :data:`TASKS_PER_WORKER` per worker where there are batches enough."""
    _check_cancel(cancel)
    first, rest = indices[0], list(indices[1:])
    ((i, payload, seconds),) = _timed(task, [first])
    on_batch(i, payload, seconds)
    per_task = int(min(MAX_BATCHES_PER_TASK, max(1, TASK_SECONDS / max(seconds, 1e-3))))
    per_task = max(1, min(per_task, -(-len(rest) // (TASKS_PER_WORKER * max(workers, 1)))))
    return [rest[k : k + per_task] for k in range(0, len(rest), per_task)]


def _worker_init() -> None:
    os.environ.update(WORKER_ENV)


_pools = 0  # process pools running in this process
_pools_lock = threading.Lock()


def _stop_resource_tracker() -> None:
    """Stop (and reap) multiprocessing's resource tracker, started with the
    pool's semaphores.  Left running, it outlives a command that exits and,
    reparented to a PID 1 that does not reap, stays behind as a zombie; in a
    long-lived process (the web server) it stays as an idle child."""
    from multiprocessing import resource_tracker

    stop = getattr(getattr(resource_tracker, "_resource_tracker", None), "_stop", None)
    if stop is not None:
        stop()


def start_method() -> str:
    """How the pool starts its workers: ``fork`` on Linux when this process runs no other
    thread (a forked worker inherits the prepared model and the loaded kernels, and forking
    a process with threads may deadlock the child), else ``spawn``."""
    import multiprocessing as mp

    if sys.platform == "linux" and threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
        return "fork"
    return "spawn"


class Pausable(Protocol):
    """A helper thread that can stop for a moment (a run's heartbeat)."""

    def pause(self) -> None: ...
    def resume(self) -> None: ...


_pausable: set[Pausable] = set()
_pausable_lock = threading.Lock()


def register_pausable(thread: Pausable, *, on: bool = True) -> None:
    """Let (``on``) or stop letting the process pool pause ``thread`` while it forks its workers."""
    with _pausable_lock:
        if on:
            _pausable.add(thread)
        else:
            _pausable.discard(thread)


@contextlib.contextmanager
def _threads_paused() -> Iterator[None]:
    """The registered helper threads stopped for the block, so that a process
    that runs nothing else may fork (see :func:`start_method`)."""
    with _pausable_lock:
        threads = list(_pausable)
    paused: list[Pausable] = []
    try:
        for t in threads:
            t.pause()
            paused.append(t)
        yield
    finally:
        for t in paused:
            t.resume()


def _processes(
    task: str, indices: Sequence[int], on_batch: OnBatch, cancel: threading.Event | None, workers: int | None
) -> None:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    n = workers or os.cpu_count() or 1
    groups = _grouped(task, indices, on_batch, cancel, n)  # warms this process's model and kernels
    if not groups:
        return
    global _pools
    with _pools_lock:
        _pools += 1
    try:
        # the first submit starts every worker (forked ones at once): the
        # helper threads rest meanwhile, a few milliseconds
        with _threads_paused():
            pool = ProcessPoolExecutor(
                max_workers=n, mp_context=mp.get_context(start_method()), initializer=_worker_init
            )
            try:
                pending = {pool.submit(_timed, task, g) for g in groups}
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        _pool(pool, pending, on_batch, cancel)
    finally:
        with _pools_lock:
            _pools -= 1
            if _pools == 0:
                _stop_resource_tracker()


def _pool(
    pool: ProcessPoolExecutor,
    pending: set[Future[Any]],
    on_batch: OnBatch,
    cancel: threading.Event | None,
) -> None:
    from concurrent.futures import FIRST_COMPLETED, wait

    with pool:
        try:
            while pending:
                _check_cancel(cancel)
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for f in done:
                    for item in f.result():
                        on_batch(*item)
        except BaseException:
            for f in pending:
                f.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _dask(
    task: str,
    indices: Sequence[int],
    on_batch: OnBatch,
    cancel: threading.Event | None,
    workers: int | None,
    scheduler: str | None,
) -> None:
    try:
        import dask
        import distributed
    except ImportError:
        raise BackchannelError("the dask backend needs Dask: pip install 'backchannel[dask]'") from None
    import logging

    # Replace (not merge) the nanny's environment: no MALLOC_TRIM_THRESHOLD_, one thread.
    dask.config.set({"distributed.nanny.pre-spawn-environ": dict(WORKER_ENV)})
    cluster = None
    try:
        if scheduler:
            try:
                client = distributed.Client(scheduler, timeout="5s")
            except (OSError, TimeoutError) as e:
                raise BackchannelError(
                    f"cannot reach the Dask scheduler at {scheduler}: {e}",
                ) from None
        else:
            cluster = distributed.LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = distributed.Client(cluster)
        with client:
            tag = task_hash(task)
            groups = _grouped(task, indices, on_batch, cancel, workers or os.cpu_count() or 1)
            futures = [
                client.submit(_timed, task, g, key=f"backchannel-{tag}-{g[0]}-{g[-1]}", pure=False)
                for g in groups
            ]
            try:
                for fut in distributed.as_completed(futures):
                    _check_cancel(cancel)
                    for item in fut.result():
                        on_batch(*item)
            except BaseException:
                client.cancel(futures)
                raise
    finally:
        if cluster is not None:
            cluster.close()


def run_batches(
    task: str,
    indices: Sequence[int],
    on_batch: OnBatch,
    *,
    backend: str = "inprocess",
    workers: int | None = None,
    scheduler: str | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Compute the batches ``indices`` of ``task``, calling ``on_batch(index,
    payload, seconds)`` as each completes (in this thread, in any order)."""
    if backend not in BACKENDS:
        raise BackchannelError(f"unknown backend {backend!r}: choose from {', '.join(BACKENDS)}")
    if workers is not None and workers < 1:
        raise BackchannelError("--workers must be at least 1")
    if scheduler and backend != "dask":
        backend = "dask"
    if not indices:
        return
    if backend == "inprocess":
        _inprocess(task, indices, on_batch, cancel)
    elif backend == "processes":
        _processes(task, indices, on_batch, cancel, workers)
    else:
        _dask(task, indices, on_batch, cancel, workers, scheduler)
