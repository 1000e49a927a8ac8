"""Benchmark Monte Carlo scenarios on the flagship case: 10,000 samples (graph
model: stability and status-quo reachability; forecasts: BDM on all 8
issues) in-process, target under 60 s on the project's 2-core machine; then
the same run on a Dask LocalCluster with 1 and 2 workers, and a process pool,
to show how it scales.  Every run must give byte-identical JSON.

Also compares the batched engine with the naive way (one compiled
:class:`StateSpace` and one ``stability_matrix`` + ``evolution`` per sample)
on a few hundred samples, to show what evaluating many samples against one
compiled model buys.

Usage::

    python benchmarks/bench_scenarios.py [--samples 10000] [--seed 1] [--workers 1,2] [--no-dask]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from dataclasses import replace

TARGET_S = 60.0


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
    sq = prep.space.status_quo
    assert sq is not None
    t0 = time.perf_counter()
    for lo in range(0, samples, 250):
        batch_stability(prep.space, payoffs[lo : lo + 250], ["nash"])
        batch_distance(prep.space, payoffs[lo : lo + 250], sq)
    batched = samples / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for s in range(samples):
        sp = replace(prep.space, payoffs=payoffs[s])
        stability_matrix(sp, ["nash"])
        evolution(sp)
    return batched, samples / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", default="1,2", help="Dask worker counts to try, comma-separated")
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args(argv)

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
