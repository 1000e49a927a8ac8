"""Shared test helpers."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from backchannel import cli

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
