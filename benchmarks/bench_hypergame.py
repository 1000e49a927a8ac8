"""Benchmark the hypergame analysis: 4 decision makers × 4 options (16
options, 65,536 combinations) with two decision makers unaware of options.

Perceptions added to the synthetic conflict (``generate.synthetic_conflict``):
D3 and D4 do not know of two of D1's options; D1 knows that they do not know
(second level); D3 believes D2's preferences are D2's statements in reverse
order (those it can state: the ones not about the hidden options).  The
analysis computes, for all four concepts (Nash, GMR, SMR, SEQ), every
decision maker's anticipated equilibria, H1, H2 and the surprise of
each outcome.  Target: under 30 s on the project's 2-core machine.

Usage::

    python benchmarks/bench_hypergame.py [--seed 1] [--infeasible 0.4]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_S = 30.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--infeasible", type=float, default=0.4)
    args = ap.parse_args(argv)

    from backchannel.case.model import Conflict
    from backchannel.gmcr.hypergame import hypergame
    from backchannel.gmcr.statespace import compile_conflict
    from generate import synthetic_conflict

    base = synthetic_conflict(4, 4, args.seed, infeasible_fraction=args.infeasible)
    data = base.model_dump(by_alias=True, exclude_none=True)
    d1 = [o["name"] for o in data["decision_makers"][0]["options"]]
    hidden = d1[:2]
    d2_prefs = [
        st
        for st in data["decision_makers"][1]["preferences"]["prioritization"]
        if not any(h in (st if isinstance(st, str) else st["statement"]).split() for h in hidden)
    ]
    data["perceptions"] = {
        "D3": {"unaware_of": hidden, "preferences": {"D2": {"prioritization": d2_prefs[::-1]}}},
        "D4": {"unaware_of": hidden},
        "D1": {"about": {"D3": {"unaware_of": hidden}, "D4": {"unaware_of": hidden}}},
    }
    conflict = Conflict.model_validate(data)
    t0 = time.perf_counter()
    space = compile_conflict(conflict, max_states=1 << 17)
    t1 = time.perf_counter()
    result = hypergame(space)
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    total = t2 - t0
    print(f"hypergame benchmark: 4 DMs x 4 options, seed {args.seed}, unaware: D3, D4 of {', '.join(hidden)}")
    print(f"states        {space.n_states:,} / 65,536")
    print(f"compile       {t1 - t0:.2f} s")
    print(f"hypergame     {t2 - t1:.2f} s  (nash, gmr, smr, seq; {len(result.surprise)} outcomes classified)")
    print(f"total         {total:.2f} s   target {TARGET_S:.0f} s   ratio {total / TARGET_S:.2f}")
    print(f"peak memory   {peak:.2f} GiB")
    for c in result.concepts:
        print(f"  {c}: H1 {len(result.h1_outcomes(c))}, H2 {len(result.h2_outcomes(c))} outcomes")
    ok = total <= TARGET_S
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
