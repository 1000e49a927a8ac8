"""The workbench's worker pool (issue 17): a fair heavy lane, a time budget that
stops the work, and small analyses that are not starved."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from backchannel.web import Limits
from backchannel.web.heavyproc import HeavyProcess, JobTimeout
from backchannel.web.problems import ApiError
from backchannel.web.work import CLIENT, PER_CLIENT_QUEUE, Worker


def _sleep(seconds: float, tag: str, log: list[str] | None = None) -> str:
    time.sleep(seconds)
    if log is not None:
        log.append(tag)
    return tag


async def _as(client: str, coro: Any) -> Any:
    CLIENT.set(client)
    return await coro


def test_heavy_lane_serves_clients_in_turn() -> None:
    """Client a queues three expensive jobs, then b one: b's runs second, not fourth."""
    worker = Worker(2, timeout=30, heavy_workers=1)
    log: list[str] = []

    async def main() -> None:
        heavy = {"cost": lambda: True}
        a = [asyncio.create_task(_as("a", worker.run(_sleep, 0.2, f"a{i}", log, **heavy))) for i in range(3)]
        await asyncio.sleep(0.05)
        b = asyncio.create_task(_as("b", worker.run(_sleep, 0.2, "b0", log, **heavy)))
        await asyncio.gather(*a, b)

    try:
        asyncio.run(main())
    finally:
        worker.close()
    assert log == ["a0", "b0", "a1", "a2"]


def test_small_work_is_not_starved_by_heavy_work() -> None:
    worker = Worker(2, timeout=30, heavy_workers=1)

    async def main() -> float:
        heavy = [
            asyncio.create_task(_as("x", worker.run(_sleep, 0.5, f"h{i}", cost=lambda: True)))
            for i in range(PER_CLIENT_QUEUE)
        ]
        await asyncio.sleep(0.05)
        t0 = time.perf_counter()
        await _as("y", worker.run(_sleep, 0.01, "small", cost=lambda: False))
        took = time.perf_counter() - t0
        await asyncio.gather(*heavy)
        return took

    try:
        took = asyncio.run(main())
    finally:
        worker.close()
    assert took < 0.4  # not behind 2 s of heavy work


def test_a_client_may_queue_only_so_many_expensive_requests() -> None:
    worker = Worker(2, timeout=30, heavy_workers=1)

    async def main() -> list[Any]:
        tasks = [
            asyncio.create_task(_as("a", worker.run(_sleep, 0.3, str(i), cost=lambda: True)))
            for i in range(PER_CLIENT_QUEUE + 3)
        ]
        return await asyncio.gather(*tasks, return_exceptions=True)

    try:
        out = asyncio.run(main())
    finally:
        worker.close()
    refused = [e for e in out if isinstance(e, ApiError)]
    assert refused and all(e.status == 429 for e in refused)
    assert len(out) - len(refused) >= PER_CLIENT_QUEUE


def _spin(seconds: float) -> int:
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return n


def test_process_past_its_budget_is_stopped() -> None:
    """The heavy lane's process is killed at the budget: the CPU is given back."""
    proc = HeavyProcess(Limits())
    try:
        assert proc.call(_spin, (0.01,), timeout=60) > 0  # started (imports), works
        t0 = time.perf_counter()
        with pytest.raises(JobTimeout):
            proc.call(_spin, (30.0,), timeout=0.5)
        assert time.perf_counter() - t0 < 5
        assert proc._proc is None  # stopped
        assert proc.call(_spin, (0.01,), timeout=60) > 0  # a new process for the next job
    finally:
        proc.stop()


def test_errors_come_back_from_the_process_as_they_were() -> None:
    from backchannel.web.cases import CaseText
    from backchannel.web.validation import validate_case

    proc = HeavyProcess(Limits())
    try:
        case = CaseText("editor", "text", "yaml", "title: a\ntitle: b\n")
        from backchannel.web.cases import CaseCache

        report = proc.call(validate_case, (case, CaseCache(), 1000), timeout=60)
        assert report["ok"] is False and "appears twice" in report["errors"][0]["message"]
        with pytest.raises(ApiError) as e:
            proc.call(_raise_api_error, (), timeout=60)
        assert e.value.status == 422 and e.value.line == 3
    finally:
        proc.stop()


def _raise_api_error() -> None:
    raise ApiError(422, "bad", line=3, hint="fix it")
