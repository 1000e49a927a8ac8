"""Load test of the web workbench: concurrent clients analysing the flagship case.

Starts ``backchannel serve`` on 127.0.0.1 (a free port, a throw-away run
store) in a subprocess, lets ``--clients`` clients POST /api/analyze on the
flagship case as fast as they can for ``--seconds`` seconds (at most
``--max-requests`` requests in all), then stops the server and prints the
number of requests, errors, throughput and latency percentiles. Exits 1 on any
error. Only loopback is ever contacted.

    python benchmarks/load_web.py --seconds 30 --clients 50

``--hostile``: a mix instead (issue 17). Of the clients, a fifth send expensive
requests (a validation of a 1.9 MB case text; analyses of 65,536-state cases,
each text new so that no cache or memory helps), a fifth send hostile texts
(lone surrogates, duplicate keys, integers of 4,400 digits, NaN, capabilities
of 1e308), and the rest small analyses (the small bundled cases, each text
new). Expensive requests may be refused (429, 504), hostile ones must be
(4xx); small analyses must all succeed, and within 1 s at the 95th percentile.

    python benchmarks/load_web.py --seconds 30 --clients 50 --hostile
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
from typing import Any

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


# -- the hostile mix -------------------------------------------------------------

SMALL_CASES = ["elmira", "syria-iraq", "chicken", "prisoners-dilemma"]


def _generated(n_dms: int, n_opts: int) -> str:
    lines = ["title: generated", "decision_makers:"]
    for d in range(n_dms):
        nxt = (d + 1) % n_dms
        lines += [f"  - name: D{d}", "    options:"]
        lines += [f"      - name: o{d}_{k}" for k in range(n_opts)]
        lines += ["    preferences:"]
        lines += [f"      - o{nxt}_{k}" for k in range(n_opts)]
        lines += [f"      - not o{d}_{k}" for k in range(n_opts)]
    return "\n".join(lines) + "\n"


SMALL = """\
title: Two parties
decision_makers:
  - name: A
    options: [{name: a_acts}]
    preferences: [b_acts, not a_acts]
  - name: B
    options: [{name: b_acts}]
    preferences: [a_acts, not b_acts]
status_quo: NN
"""

BIG_TEXT = SMALL.replace("title: Two parties", "title: " + "word " * 380_000)  # 1.9 MB

HOSTILE_TEXTS = [
    SMALL.replace("title: Two parties", 'title: "\\ud800"'),
    SMALL + "status_quo: YN\n",
    SMALL.replace("status_quo: NN", "status_quo: " + "9" * 4400),
    SMALL.replace("  - name: B\n", "  - name: B\n    name: C\n"),
    "issues: {t: {reference: 50}}\nactors:\n  - {name: a, capability: 1.0e+308, positions: {t: 1}, "
    "salience: {t: 1}}\n",
    '{"title": NaN, "decision_makers": []}',
]


async def _timed(
    c: httpx.AsyncClient, path: str, body: dict[str, str], headers: dict[str, str], out: dict[str, list[Any]]
) -> int:
    t0 = time.perf_counter()
    try:
        r = await c.post(path, json=body, headers=headers)
        code = r.status_code
    except httpx.HTTPError as e:
        out["errors"].append(f"{type(e).__name__}: {e}")
        return 0
    finally:
        out["latency"].append(time.perf_counter() - t0)
    out["codes"].append(code)
    return code


async def mixed_client(
    kind: str,
    base: str,
    deadline: float,
    budget: list[int],
    stats: dict[str, dict[str, list[Any]]],
    pause: float,
) -> None:
    out = stats[kind]
    async with httpx.AsyncClient(base_url=base, timeout=120.0) as c:
        csrf = (await c.get("/api/session")).json()["csrf"]
        headers = {"X-CSRF-Token": csrf}
        texts = {n: (await c.get(f"/api/cases/bundled:{n}")).json()["text"] for n in SMALL_CASES}
        i = 0
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            i += 1
            stamp = f"\n# {kind} {i} {time.perf_counter_ns()}\n"
            if kind == "small":
                body = {"text": texts[SMALL_CASES[i % len(SMALL_CASES)]] + stamp}
                code = await _timed(c, "/api/analyze", body, headers, out)
                if code != 200:
                    out["errors"].append(f"small analysis: HTTP {code}")
                await asyncio.sleep(pause)  # an analyst's pace; the others send flat out
            elif kind == "expensive":
                which = i % 3
                if which == 0:
                    code = await _timed(c, "/api/validate", {"text": BIG_TEXT + stamp}, headers, out)
                else:
                    text = _generated(2, 8) if which == 1 else _generated(4, 4)
                    code = await _timed(c, "/api/analyze", {"text": text + stamp}, headers, out)
                if code not in (200, 422, 429, 504):
                    out["errors"].append(f"expensive request: HTTP {code}")
            else:
                text = HOSTILE_TEXTS[i % len(HOSTILE_TEXTS)]
                fmt = "json" if text.startswith("{") else "yaml"
                path = "/api/analyze" if i % 2 else "/api/validate"
                code = await _timed(c, path, {"text": text, "format": fmt}, headers, out)
                if not (code == 422 or (path == "/api/validate" and code == 200)):
                    out["errors"].append(f"hostile text on {path}: HTTP {code}")


async def mixed_load(
    base: str, clients: int, seconds: float, max_requests: int, share: float, pause: float
) -> tuple[dict[str, dict[str, list[Any]]], float]:
    stats: dict[str, dict[str, list[Any]]] = {
        k: {"latency": [], "codes": [], "errors": []} for k in ("small", "expensive", "hostile")
    }
    n_exp = n_hostile = round(clients * share / 2)
    kinds = ["expensive"] * n_exp + ["hostile"] * n_hostile
    kinds += ["small"] * max(1, clients - len(kinds))
    budget = [max_requests]
    t0 = time.monotonic()
    await asyncio.gather(*(mixed_client(k, base, t0 + seconds, budget, stats, pause) for k in kinds))
    return stats, time.monotonic() - t0


def report_mixed(
    stats: dict[str, dict[str, list[Any]]], clients: int, elapsed: float, alive: bool, limit: float
) -> int:
    from collections import Counter

    print(f"hostile mix: {clients} clients, {elapsed:.1f} s, load average {os.getloadavg()[0]:.1f}")
    failed = not alive
    for kind, st in stats.items():
        lat = np.array(st["latency"]) * 1000
        p50, p95, p99 = (np.percentile(lat, q) if lat.size else float("nan") for q in (50, 95, 99))
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(Counter(st["codes"]).items()))
        print(f"{kind:9}  requests {len(lat):5}  errors {len(st['errors'])}  statuses {codes}")
        print(f"{'':9}  latency p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms")
        for e in sorted(set(st["errors"]))[:5]:
            print(f"{'':9}  error: {e}")
        failed |= bool(st["errors"])
    small = np.array(stats["small"]["latency"])
    p95_small = float(np.percentile(small, 95)) if small.size else float("inf")
    ok = p95_small <= limit
    print(f"small analyses p95 {p95_small * 1000:.0f} ms: {'within' if ok else 'NOT within'} {limit:g} s")
    print(f"errors     {sum(len(st['errors']) for st in stats.values())}")
    print(f"server     {'still serving' if alive else 'NOT SERVING'} after the load")
    return 1 if failed or not ok or not small.size else 0


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
    ap.add_argument(
        "--hostile",
        action="store_true",
        help="A mix of expensive, hostile and small requests; small analyses must stay under 1 s (p95).",
    )
    ap.add_argument(
        "--share", type=float, default=0.4, help="With --hostile: the share of attacking clients (0.4)."
    )
    ap.add_argument(
        "--pause", type=float, default=0.25, help="With --hostile: seconds between a small client's requests."
    )
    ap.add_argument(
        "--p95-limit", type=float, default=1.0, help="With --hostile: the small analyses' p95 limit."
    )
    args = ap.parse_args()

    port = free_port()
    base = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(port, Path(tmp) / "runs.sqlite")
        try:
            wait_ready(base, proc)
            if args.hostile:
                stats, elapsed = asyncio.run(
                    mixed_load(base, args.clients, args.seconds, args.max_requests, args.share, args.pause)
                )
                alive = proc.poll() is None and httpx.get(f"{base}/api/session", timeout=5).status_code == 200
                return report_mixed(stats, args.clients, elapsed, alive, args.p95_limit)
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
