"""Benchmark the reasons of issue 12: ``explain`` of one state, the concept
guidance (a reachability per threat), and what the scenario result adds after
the batches (exact enumeration, diagnostics, cycles, what would it take) — on
the flagship and on synthetic conflicts (``generate.py``).  Prints figures
with the machine's load; no targets are asserted (the other analyses set the
budget: explaining a state should cost about one stability analysis).

Usage::

    python benchmarks/bench_reasons.py [--sizes 3x3,4x4] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _t(f, *a, **k):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = f(*a, **k)
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="3x3,4x4", help="synthetic sizes, DMs x options per DM")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    from backchannel.gmcr.analysis import compile_case, stability
    from backchannel.gmcr.explain import explain
    from backchannel.gmcr.guidance import concept_guidance
    from backchannel.gmcr.statespace import compile_conflict
    from backchannel.scenarios.run import scenarios
    from generate import synthetic_conflict

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    cases = [("ukraine-backchannel", compile_case("ukraine-backchannel"))]
    for size in args.sizes.split(","):
        n, k = (int(x) for x in size.split("x"))
        cases.append((f"synthetic {size}", compile_conflict(synthetic_conflict(n, k, args.seed))))
    for name, space in cases:
        _, t_stab = _t(stability, space)
        s = space.status_quo if space.status_quo is not None else 0
        times = {c: _t(explain, space, s + 1, c)[1] for c in ("nash", "gmr", "seq")}
        res = stability(space)
        _, t_guid = _t(concept_guidance, space, res.stable)
        print(
            f"{name}: {space.n_states:,} states; stability {t_stab:.2f} s; explain one state "
            + ", ".join(f"{c} {t:.2f} s" for c, t in times.items())
            + f"; concept guidance {t_guid:.2f} s"
        )
    r, t = _t(scenarios, "ukraine-backchannel", samples=1000, seed=1)
    print(
        f"flagship scenarios, 1,000 samples: {t:.2f} s in all ({r.extra['method']}, "
        f"{r.extra.get('combinations', 0)} combinations; diagnostics, cycles, what would it take included)"
    )


if __name__ == "__main__":
    main()
