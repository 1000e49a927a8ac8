"""Shared test helpers."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import pytest
from hypothesis import settings

from backchannel.commands import cli

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
