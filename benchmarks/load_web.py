"""Load test of the web workbench: concurrent clients analysing the flagship case.

Starts ``backchannel serve`` on 127.0.0.1 (a free port, a throw-away run
store) in a subprocess, lets ``--clients`` clients POST /api/analyze on the
flagship case as fast as they can for ``--seconds`` seconds (at most
``--max-requests`` requests in all), then stops the server and prints the
number of requests, errors, throughput and latency percentiles. Exits 1 on any
error. Only loopback is ever contacted.

    python benchmarks/load_web.py --seconds 30 --clients 50
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(port: int, db: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "BACKCHANNEL_TOKEN"}
    cmd = [sys.executable, "-m", "backchannel.commands.cli", "serve", "--host", HOST, "--port", str(port)]
    cmd += ["--db", f"sqlite:///{db}"]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise SystemExit(f"the server exited with code {proc.returncode}:\n{err}")
        try:
            if httpx.get(f"{base}/api/session", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer within {timeout:g} s")


async def client(
    base: str,
    deadline: float,
    budget: list[int],
    latencies: list[float],
    errors: list[str],
    case: str,
    distinct: bool,
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as c:
        csrf = (await c.get("/api/session")).json()["csrf"]
        headers = {"X-CSRF-Token": csrf}
        body: dict[str, str] = {"case": case}
        text = (await c.get(f"/api/cases/{case}")).json()["text"] if distinct else ""
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            if distinct:  # a text never seen before: parsed, compiled and analysed anew
                body = {"text": f"{text}\n# request {budget[0]} {time.perf_counter_ns()}\n"}
            t0 = time.perf_counter()
            try:
                r = await c.post("/api/analyze", json=body, headers=headers)
                ok = r.status_code == 200 and r.json().get("n_states", 0) > 0
                if not ok:
                    errors.append(f"HTTP {r.status_code}: {r.text[:200]}")
            except httpx.HTTPError as e:
                errors.append(f"{type(e).__name__}: {e}")
            latencies.append(time.perf_counter() - t0)


async def load(
    base: str, clients: int, seconds: float, max_requests: int, case: str, distinct: bool
) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    budget = [max_requests]
    t0 = time.monotonic()
    deadline = t0 + seconds
    await asyncio.gather(
        *(client(base, deadline, budget, latencies, errors, case, distinct) for _ in range(clients))
    )
    return latencies, errors, time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=30.0, help="How long to send requests (default 30).")
    ap.add_argument("--clients", type=int, default=50, help="Concurrent clients (default 50).")
    ap.add_argument("--max-requests", type=int, default=200_000, help="Stop after this many requests.")
    ap.add_argument("--case", default="bundled:ukraine-backchannel", help="The case to analyse.")
    ap.add_argument(
        "--distinct",
        action="store_true",
        help="Send the case's text with a different comment each time, so that no cache helps: "
        "every request is parsed, compiled and analysed.",
    )
    args = ap.parse_args()

    port = free_port()
    base = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(port, Path(tmp) / "runs.sqlite")
        try:
            wait_ready(base, proc)
            latencies, errors, elapsed = asyncio.run(
                load(base, args.clients, args.seconds, args.max_requests, args.case, args.distinct)
            )
            alive = proc.poll() is None and httpx.get(f"{base}/api/session", timeout=5).status_code == 200
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    lat = np.array(latencies) * 1000
    p50, p95, p99 = (np.percentile(lat, q) if lat.size else float("nan") for q in (50, 95, 99))
    what = f"{args.case} (a distinct text each time)" if args.distinct else args.case
    print(f"POST /api/analyze {what}: {args.clients} clients, {elapsed:.1f} s")
    print(f"requests   {len(latencies)}")
    print(f"errors     {len(errors)}")
    print(f"throughput {len(latencies) / elapsed:.1f} requests/s")
    print(f"latency    p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms (max {lat.max():.0f} ms)")
    print(f"server     {'still serving' if alive else 'NOT SERVING'} after the load")
    for e in sorted(set(errors))[:5]:
        print(f"  error: {e}")
    return 1 if errors or not alive or not latencies else 0


if __name__ == "__main__":
    sys.exit(main())
