"""Load test of the workbench (bounded, loopback only): 50 concurrent clients
analyse the flagship case for 30 s against a real ``backchannel serve``; no
request may fail and the server must still serve afterwards. The figures
(p95 latency among them) are printed and kept in
``test-artifacts/load-test.txt``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_fifty_clients_for_thirty_seconds() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load_web.py"), "--seconds", "30", "--clients", "50"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    report = out.stdout + out.stderr
    print(report)
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "load-test.txt").write_text(report, encoding="utf-8")
    assert out.returncode == 0, report
    assert "errors     0" in report and "p95" in report and "still serving" in report
