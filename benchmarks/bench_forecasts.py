"""Benchmark the bargaining forecasts inside Monte Carlo, and BDM at scale.

Two figures, each against its target (issue 11):

1. ``scenarios("ukraine-backchannel", samples=10000, seed=1)`` in-process,
   wall clock (best of ``--repeat``), and how much of it the BDM forecasts
   take (the forecasts of the same 40 batches timed on their own).
   Target: under 2.5 s.
2. ``bdm`` with 1,000 actors × 10 issues × 20 rounds (random data from
   ``default_rng(1)``, ``detail=False``), in a fresh child process so that its
   peak memory is its own. Targets: under 10 s and 2 GiB.

The load average is printed: other processes on the machine only ever slow
a run down, so the best time is the fairest.

Usage::

    python benchmarks/bench_forecasts.py [--repeat 3] [--samples 10000]
                                         [--actors 1000] [--issues 10] [--rounds 20] [--skip-scale]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

TARGET_MC_S = 2.5
TARGET_BDM_S = 10.0
TARGET_BDM_GIB = 2.0

_CHILD = """
import json, resource, sys, time
import numpy as np
from backchannel.bargaining import bdm
n, m, rounds = (int(a) for a in sys.argv[1:4])
rng = np.random.default_rng(1)
c = rng.uniform(0.1, 1.0, n); x = rng.uniform(0.0, 100.0, (n, m)); s = rng.uniform(0.1, 1.0, (n, m))
bdm(c[:5], x[:5], s[:5], rounds=1)
w0, c0 = time.perf_counter(), time.process_time()
r = bdm(c, x, s, rounds=rounds, scale=(0, 100))
wall, cpu = time.perf_counter() - w0, time.process_time() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
print(json.dumps({"wall": wall, "cpu": cpu, "peak_gib": peak, "median": r.medians[-1].round(2).tolist()}))
"""


def _scenarios(samples: int, repeat: int) -> tuple[float, float, float]:
    import numpy as np

    import backchannel as bc
    from backchannel.case.uncertainty import draw
    from backchannel.scenarios.montecarlo import _forecasts, batch_sizes, prepared
    from backchannel.scenarios.run import _case_text, make_task, settings_of

    bc.scenarios("ukraine-backchannel", samples=250, seed=1)  # imports and caches
    walls, cpus = [], []
    for _ in range(max(1, repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        bc.scenarios("ukraine-backchannel", samples=samples, seed=1)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    text, fmt, name = _case_text("ukraine-backchannel")
    st = settings_of(
        samples=samples,
        seed=1,
        concept="nash",
        rule="split",
        forecast_model="bdm",
        batch_size=250,
        rounds=10,
        max_states=None,
    )
    prep = prepared(make_task(text, fmt, name, st))
    c0 = time.process_time()
    for i, size in enumerate(batch_sizes(samples, 250)):
        rng = np.random.default_rng(np.random.SeedSequence(1, spawn_key=(i,)))
        _forecasts(prep, draw(list(prep.inputs), rng.random((size, len(prep.inputs)))))
    return min(walls), min(cpus), time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--actors", type=int, default=1000)
    ap.add_argument("--issues", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--skip-scale", action="store_true", help="only the Monte Carlo figure")
    args = ap.parse_args(argv)
    ok = True
    print(f"load average  {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    best, cpu, bdm_s = _scenarios(args.samples, args.repeat)
    ok &= best <= TARGET_MC_S
    print(
        f"scenarios     {args.samples:,} flagship samples in-process: wall best {best:.2f} s, "
        f"cpu best {cpu:.2f} s (target {TARGET_MC_S} s); BDM forecasts of the same batches alone "
        f"{bdm_s:.2f} s cpu"
    )
    if not args.skip_scale:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(args.actors), str(args.issues), str(args.rounds)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout)
        ok &= r["wall"] <= TARGET_BDM_S and r["peak_gib"] <= TARGET_BDM_GIB
        print(
            f"bdm           {args.actors} actors x {args.issues} issues x {args.rounds} rounds: "
            f"wall {r['wall']:.2f} s, cpu {r['cpu']:.2f} s (target {TARGET_BDM_S} s), "
            f"peak {r['peak_gib']:.2f} GiB (target {TARGET_BDM_GIB} GiB)"
        )
    print(f"load average  {os.getloadavg()[0]:.2f} (after)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
