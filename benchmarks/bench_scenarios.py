"""Benchmark Monte Carlo scenarios on the flagship case: 10,000 samples (graph
model: stability and status-quo reachability; forecasts: BDM on all 8
issues) in-process, target under 60 s on the project's 2-core machine; then
the same run on a Dask LocalCluster with 1 and 2 workers, and a process pool,
to show how it scales.  Every run must give byte-identical JSON.

Also compares the batched engine with the naive way (one compiled
:class:`StateSpace` and one ``stability_matrix`` + ``evolution`` per sample)
on a few hundred samples, to show what evaluating many samples against one
compiled model buys.

``--fast`` measures only what issue 11 sets a target for: 10,000 samples in-process (under
2.5 s) and with a pool of two processes (faster than in-process), each in a fresh Python
process (wall time from before the library's import, CPU time of the process and its
workers, peak memory of each), with Numba's on-disk cache empty (cold: the kernels compile)
and filled (warm), and the command line (warm)::

    python benchmarks/bench_scenarios.py --fast [--samples 10000] [--seed 1] [--repeat 3]

Usage::

    python benchmarks/bench_scenarios.py [--samples 10000] [--seed 1] [--workers 1,2] [--no-dask]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

TARGET_S = 60.0
FAST_TARGET_S = 2.5

# One measurement in a fresh process: import, run, report (JSON on the last line).
_CHILD = """
import hashlib, json, os, resource, sys, time
t0 = time.perf_counter()
from backchannel.scenarios.run import scenarios
t1 = time.perf_counter()
kw = json.loads(sys.argv[1])
r = scenarios("ukraine-backchannel", **kw)
t2 = time.perf_counter()
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "import": t1 - t0, "run": t2 - t1, "wall": t2 - t0,
    "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
    "rss": me.ru_maxrss / 1024, "rss_workers": kids.ru_maxrss / 1024,
    "sha": hashlib.sha256(r.to_json().encode()).hexdigest()[:16],
}))
"""


def _graph_model_rates(samples: int, seed: int) -> tuple[float, float]:
    """Samples per second of the graph-model part (Nash stability and reachability
    from the status quo), batched against one compiled model and sample by sample."""
    import numpy as np

    from backchannel.case.uncertainty import draw
    from backchannel.gmcr.batch import batch_distance, batch_stability
    from backchannel.gmcr.engine import stability_matrix
    from backchannel.gmcr.evolution import evolution
    from backchannel.scenarios.montecarlo import _payoffs, prepared
    from backchannel.scenarios.run import _case_text, make_task, settings_of

    settings = settings_of(
        samples=samples,
        seed=seed,
        concept="nash",
        rule="split",
        forecast_model="bdm",
        batch_size=250,
        rounds=10,
        max_states=None,
    )
    prep = prepared(make_task(*_case_text("ukraine-backchannel"), settings))
    values = draw(list(prep.inputs), np.random.default_rng(seed).random((samples, len(prep.inputs))))
    payoffs = _payoffs(prep, values)
    space = prep.space
    assert space is not None
    sq = space.status_quo
    assert sq is not None
    t0 = time.perf_counter()
    for lo in range(0, samples, 250):
        batch_stability(space, payoffs[lo : lo + 250], ["nash"])
        batch_distance(space, payoffs[lo : lo + 250], sq)
    batched = samples / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for s in range(samples):
        sp = replace(space, payoffs=payoffs[s])
        stability_matrix(sp, ["nash"])
        evolution(sp)
    return batched, samples / (time.perf_counter() - t0)


def _child(kw: dict[str, object], cache: str) -> dict[str, float | str]:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(kw)], env=env, capture_output=True, text=True, check=True
    )
    got: dict[str, float | str] = json.loads(out.stdout.strip().splitlines()[-1])
    return got


def _cli(args: list[str], cache: str) -> tuple[float, str]:
    exe = Path(sys.executable).with_name("backchannel")
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    t0 = time.perf_counter()
    out = subprocess.run([str(exe), *args], env=env, capture_output=True, check=True)
    return time.perf_counter() - t0, hashlib.sha256(out.stdout).hexdigest()[:16]


def _walls(ws: list[float]) -> str:
    return ", ".join(f"{w:.2f}" for w in ws)


def fast(samples: int, seed: int, repeat: int) -> int:
    """The issue-11 figures: in-process and two processes, cold and warm Numba cache, and the
    CLI; warm runs ``repeat`` times, alternating, and the median kept (the machine is shared)."""
    print(
        f"flagship case, {samples:,} samples, seed {seed}, {os.cpu_count()} cores, "
        f"load {', '.join(f'{x:.2f}' for x in os.getloadavg())}; warm figures: median of {repeat}"
    )
    runs = [("in-process", {}), ("processes x2", {"backend": "processes", "workers": 2})]
    cli = ["scenarios", "ukraine-backchannel", "--samples", str(samples), "--seed", str(seed)]
    cli += ["--no-store", "--format", "json"]
    cli_runs = [("in-process", cli), ("processes x2", [*cli, "--backend", "processes", "--workers", "2"])]
    fig: dict[str, float] = {}
    shas: set[str] = set()  # of the API's JSON, every run
    cli_shas: set[str] = set()  # of the command line's output
    with tempfile.TemporaryDirectory() as cache:
        for temp in ("cold", "warm"):
            got: dict[str, list[dict[str, float | str]]] = {name: [] for name, _ in runs}
            for _ in range(1 if temp == "cold" else repeat):
                for name, extra in runs:
                    if temp == "cold":  # an empty cache for each: every kernel compiles
                        for f in Path(cache).iterdir():
                            shutil.rmtree(f)
                    m = _child({"samples": samples, "seed": seed, **extra}, cache)
                    shas.add(str(m["sha"]))
                    got[name].append(m)
            for name, extra in runs:
                ms = sorted(got[name], key=lambda m: float(m["wall"]))
                m = ms[len(ms) // 2]
                fig[f"{name} {temp}"] = float(m["wall"])
                print(
                    f"{name:>13} {temp}: wall {m['wall']:5.2f} s (import {m['import']:4.2f} + run "
                    f"{m['run']:4.2f}), CPU {m['cpu']:5.2f} s, peak RSS {m['rss']:4.0f} MiB"
                    + (f", workers {m['rss_workers']:4.0f} MiB" if extra else "")
                    + (f"  [all: {_walls([float(x['wall']) for x in ms])}]" if len(ms) > 1 else "")
                )
        walls: dict[str, list[float]] = {name: [] for name, _ in cli_runs}
        for _ in range(repeat):
            for name, args in cli_runs:
                w, sha = _cli(args, cache)
                walls[name].append(w)
                cli_shas.add(sha)
        for name, _ in cli_runs:
            ws = sorted(walls[name])
            fig[f"cli {name}"] = ws[len(ws) // 2]
            print(f"{'CLI ' + name:>17} warm: wall {ws[len(ws) // 2]:5.2f} s  [all: {_walls(ws)}]")
    inproc, pool = fig["in-process warm"], fig["processes x2 warm"]
    same = len(shas) == 1 and len(cli_shas) == 1
    print(
        f"in-process warm {inproc:.2f} s (target < {FAST_TARGET_S} s: "
        f"{'met' if inproc < FAST_TARGET_S else 'MISSED'}); two processes "
        f"{'beat' if pool < inproc else 'do NOT beat'} in-process ({pool:.2f} s); "
        f"CLI {fig['cli in-process']:.2f} s, with two processes {fig['cli processes x2']:.2f} s; "
        f"identical results: {'yes' if same else 'NO'}"
    )
    return 0 if inproc < FAST_TARGET_S and pool < inproc and same else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", default="1,2", help="Dask worker counts to try, comma-separated")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--fast", action="store_true", help="only the issue-11 figures (see above)")
    ap.add_argument("--repeat", type=int, default=3, help="--fast: runs of each warm figure (median)")
    args = ap.parse_args(argv)
    if args.fast:
        return fast(args.samples, args.seed, max(1, args.repeat))

    from backchannel.scenarios.run import scenarios

    print(
        f"flagship case, {args.samples:,} samples, seed {args.seed}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    t0 = time.perf_counter()
    base = scenarios("ukraine-backchannel", samples=args.samples, seed=args.seed)
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = args.samples / wall
    print(
        f"in-process: {wall:6.2f} s  {rate:8,.0f} samples/s  peak RSS {rss:,.0f} MiB  "
        f"(target < {TARGET_S:.0f} s: {'met' if wall < TARGET_S else 'MISSED'}, "
        f"{TARGET_S / wall:.1f}× under)"
    )
    batched, naive = _graph_model_rates(2000, args.seed)
    print(
        f"graph model only (2,000 samples): batched {batched:,.0f} samples/s, one by one "
        f"{naive:,.0f} samples/s: {batched / naive:.1f}× faster batched"
    )
    ref = base.to_json()
    ok = True
    runs: list[tuple[str, dict[str, object]]] = [("processes ×2", {"backend": "processes", "workers": 2})]
    if not args.no_dask:
        runs += [(f"dask ×{w}", {"backend": "dask", "workers": int(w)}) for w in args.workers.split(",")]
    for name, kw in runs:
        t0 = time.perf_counter()
        r = scenarios("ukraine-backchannel", samples=args.samples, seed=args.seed, **kw)  # type: ignore[arg-type]
        w = time.perf_counter() - t0
        same = r.to_json() == ref
        ok &= same
        print(
            f"{name:>13}: {w:6.2f} s  {args.samples / w:8,.0f} samples/s  speed-up {wall / w:4.2f}×  "
            f"identical result: {'yes' if same else 'NO'}"
        )
    return 0 if ok and wall < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
