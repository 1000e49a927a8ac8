"""The package's architecture (issue 10): layers that import only downwards,
no import cycles, and modules small enough to hold in mind.

The layers and the cycle rule are import-linter contracts in ``pyproject.toml``
(``[tool.importlinter]``); this test runs them, so the suite fails when a
change imports upwards or closes a cycle.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "backchannel"
MAX_LINES = 800


def test_import_contracts_hold() -> None:
    pytest.importorskip("importlinter")
    exe = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run(
        [str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "Each layer imports only the layers below it KEPT" in run.stdout
    assert "No two modules import each other, directly or through others KEPT" in run.stdout


@pytest.mark.parametrize("suffix", [".py", ".js"])
def test_no_module_over_800_lines(suffix: str) -> None:
    # vendored third-party code (web/static/vendor/) is kept as published
    files = [p for p in PACKAGE.rglob(f"*{suffix}") if not {"migrations", "vendor"} & set(p.parts)]
    assert files
    long = {
        str(p.relative_to(PACKAGE)): n for p in files if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these along their seams: {long}"


def test_the_tree_shows_the_layers() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders >= {
        "case",
        "gmcr",
        "bargaining",
        "scenarios",
        "formats",
        "report",
        "store",
        "web",
        "commands",
    }
    root_modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert root_modules <= {"__init__", "_jit", "_version", "errors", "defaults", "progress", "words"}
