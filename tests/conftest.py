"""Shared test helpers."""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from backchannel.commands import cli
from backchannel.web import create_app

with warnings.catch_warnings():  # starlette's test client warns that it prefers httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

# CI runs the property tests with a fixed seed, so that a landing is judged on
# the code and not on the draw; runs elsewhere keep exploring new examples
# (and a failure found there becomes a regression test).
settings.register_profile("ci", derandomize=True)
if os.environ.get("BACKCHANNEL_CI") == "1":
    settings.load_profile("ci")

RunCli = Callable[[list[str]], tuple[int, str, str]]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """Run ``backchannel ARGS…`` in-process: (exit code, stdout, stderr)."""

    def run(argv: list[str]) -> tuple[int, str, str]:
        old = sys.argv
        sys.argv = ["backchannel", *argv]
        try:
            with pytest.raises(SystemExit) as exc:
                cli.main()
        finally:
            sys.argv = old
        out, err = capsys.readouterr()
        return int(exc.value.code or 0), out, err

    return run


# -- the web API, in-process --------------------------------------------------


def make_client(tmp_path: Path, **kw: Any) -> TestClient:
    app = create_app(store_url=f"sqlite:///{tmp_path}/s.db", **kw)
    return TestClient(app)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf"]
        yield c


def wait_job(c: TestClient, job: str, timeout: float = 60) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        j: dict[str, Any] = c.get(f"/api/jobs/{job}").json()
        if j["status"] not in ("queued", "running"):
            return j
        time.sleep(0.02)
    raise AssertionError(f"job {job} did not finish")
