"""Benchmark the dynamic expected-utility (BDM) model: 200 actors × 10 issues ×
20 rounds, random data from a seed.  Target: under 5 s on the project's 2-core
machine (for scale: KTAB's C++ SMP takes about 35 s for 40 actors on one issue
there); issue 11's size, ``--actors 1000``, has the target 10 s (``--target``)
and every run a peak-memory target of 2 GiB (``--max-gib``).

Capabilities, positions (0–100) and saliences are drawn uniformly from
``numpy.random.default_rng(seed)``; the run leaves out the per-round pairwise
matrices (``detail=False``, the default of ``bdm``) unless ``--detail``.
Each repeat is timed on the wall clock and in CPU time of this process; the
verdict uses the best wall-clock time (other processes on the machine only
ever slow a run down).  The load average is printed to show how busy the
machine was.  The first call (70 actors, one round) is timed apart: it pays the
imports and loading the compiled kernels (or, on a machine without Numba's
disk cache, compiling them).

Usage::

    python benchmarks/bench_bdm.py [--actors 200] [--issues 10] [--rounds 20]
                                   [--seed 1] [--repeat 3] [--detail]
                                   [--target SECONDS] [--max-gib 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

TARGET_S = 5.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--actors", type=int, default=200)
    ap.add_argument("--issues", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--detail", action="store_true", help="keep the per-round pairwise matrices")
    ap.add_argument("--no-detail", action="store_true", help="(the default; kept for old command lines)")
    ap.add_argument("--target", type=float, default=None, help="seconds (default 5, or 10 from 1,000 actors)")
    ap.add_argument("--max-gib", type=float, default=2.0, help="peak memory target")
    args = ap.parse_args(argv)

    import numpy as np

    from backchannel.bargaining import bdm

    rng = np.random.default_rng(args.seed)
    n, m = args.actors, args.issues
    capability = rng.uniform(0.1, 1.0, n)
    position = rng.uniform(0.0, 100.0, (n, m))
    salience = rng.uniform(0.1, 1.0, (n, m))

    target = args.target if args.target is not None else (10.0 if n >= 1000 else TARGET_S)
    f0 = time.perf_counter()
    k = min(n, 70)  # enough actors for every compiled path
    bdm(capability[:k], position[:k], salience[:k], rounds=1)  # imports and first-call costs
    first = time.perf_counter() - f0
    walls, cpus = [], []
    result = None
    for _ in range(max(1, args.repeat)):
        w0, c0 = time.perf_counter(), time.process_time()
        result = bdm(capability, position, salience, rounds=args.rounds, scale=(0, 100), detail=args.detail)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    assert result is not None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    best = min(walls)
    moves = len(result.moves())
    print(
        f"bdm benchmark: {n} actors x {m} issues x {args.rounds} rounds, seed {args.seed}, "
        f"detail={'on' if args.detail else 'off'}"
    )
    print(f"wall          best {best:.2f} s, median {statistics.median(walls):.2f} s over {len(walls)} runs")
    print(f"cpu           best {min(cpus):.2f} s (this process, all threads)")
    print(f"target        {target:.0f} s   ratio {best / target:.2f}")
    print(f"first call    {first:.2f} s (imports, compiled kernels loaded or compiled)")
    print(f"peak memory   {peak:.2f} GiB (target {args.max_gib:g} GiB)")
    print(f"load average  {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"moves         {moves} accepted offers; final medians {np.round(result.medians[-1], 1).tolist()}")
    ok = best <= target and peak <= args.max_gib
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
