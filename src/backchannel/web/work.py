"""Analyses off the event loop: a worker pool with a time limit per analysis."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from .problems import ApiError

__all__ = ["Worker"]

T = TypeVar("T")


class Worker:
    """Runs analyses in a thread pool; a request waits at most ``timeout`` seconds.

    Python cannot stop a thread: an analysis past its time limit runs on in
    the background (the web limits bound how long that can be) while the
    request gets a 504 and the server goes on serving.
    """

    def __init__(self, workers: int, timeout: float) -> None:
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="backchannel-analysis")

    async def run(self, fn: Callable[..., T], *args: Any, what: str = "the analysis") -> T:
        fut = self._pool.submit(fn, *args)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut), self.timeout)
        except TimeoutError:
            fut.cancel()
            raise ApiError(
                504,
                f"{what} did not finish within the time limit of {self.timeout:g} s",
                hint="Reduce the case (fewer options, more infeasibility rules) or run it with the "
                "command line, which has no time limit.",
            ) from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
