"""Load test of the workbench (bounded, loopback only): 50 concurrent clients for
30 s against a real ``backchannel serve``, a fifth of them sending expensive
requests, a fifth hostile texts, the rest small analyses (issue 17; see
``benchmarks/load_web.py --hostile``). No small analysis may fail, every
hostile text must be refused (4xx), nothing may give a 500, and the server must
still serve afterwards. The figures (p95 latency among them) are printed and
kept in ``test-artifacts/load-test.txt``.

The target, small analyses within 1 s at the 95th percentile, is checked by the
benchmark itself on an otherwise idle machine (``benchmarks/README.md``); here,
on a shared test machine, the limit is 5 s, which still catches starvation
(20 s before the fair worker pool)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_fifty_clients_for_thirty_seconds() -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "load_web.py"),
            *("--seconds", "30", "--clients", "50", "--hostile", "--p95-limit", "5"),
        ],
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
