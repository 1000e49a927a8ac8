"""Benchmark the full stability analysis on synthetic conflicts.

For each size ``DxO`` (D decision makers with O options each, ``2**(D*O)``
option combinations before infeasibility) a synthetic conflict is generated
(:func:`generate.synthetic_conflict`) and analysed in a fresh Python process,
so that the peak memory is that of the analysis alone.  The child:

1. compiles the conflict (``compile_conflict``, timed as *compile*);
2. runs the full analysis, all the requested concepts in one call
   (``backchannel.stability(space, concepts)``, timed as *analysis*);
3. for the per-concept columns, runs ``stability_matrix(space, [c])`` once per
   concept; each of these calls also computes every decision maker's
   unilateral improvements (timed once as *ui*), so the per-concept times add
   up to a little more than *analysis*.

*total* is compile + analysis: what ``backchannel.stability(conflict)``
costs, without the interpreter start-up and the imports.  *peak* is the
child's maximum resident set size (``ru_maxrss`` from ``wait4``), in GiB
(2**30 bytes).  A size passes when total ≤ its time target and peak ≤ its
memory target.

Usage::

    python benchmarks/bench_stability.py                  # 4x4 and 5x4
    python benchmarks/bench_stability.py --sizes 3x4      # smoke run, about a second
    python benchmarks/bench_stability.py --sizes 4x4 --concepts gmr,seq --detail
    python benchmarks/bench_stability.py --json out.json

``--detail`` also times every reachability call (per concept and focal
decision maker), with one thread.  The exit status is 1
when a size fails its target.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

ALL_CONCEPTS = ("nash", "gmr", "smr", "seq", "sim")

# size → (seconds, GiB) for compile + full analysis, all five concepts
TARGETS: dict[str, tuple[float, float]] = {
    "3x4": (1.0, 1.0),  # smoke run: 4,096 combinations
    "4x4": (10.0, 4.0),  # 65,536 combinations
    "5x4": (8.0, 2.0),  # 1,048,576 combinations (issue 11's target; was 120 s, 16 GiB)
}


def _parse_size(text: str) -> tuple[int, int]:
    try:
        d, o = text.lower().split("x")
        dms, opts = int(d), int(o)
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r}: write it as DMSxOPTIONS, e.g. 4x4") from None
    if dms < 1 or opts < 1:
        raise argparse.ArgumentTypeError(f"size {text!r}: need at least 1x1")
    return dms, opts


def _maxrss_gib(ru_maxrss: int) -> float:
    # Linux reports KiB, macOS bytes
    return ru_maxrss / (2**30 if sys.platform == "darwin" else 2**20)


# --------------------------------------------------------------------------
# the child: one size, one process


def _instrument(detail: list[dict[str, Any]], current: dict[str, Any]) -> None:
    """Wrap the engine's reachability (compiled and NumPy forms) to time each call.

    The caller runs with one thread (``BACKCHANNEL_THREADS=1``), so that the
    calls do not overlap."""
    import numpy as np

    from backchannel.gmcr import engine

    def timed(orig: Any, moves_of: Any) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            out = orig(*a, **k)
            dt = time.perf_counter() - t
            moves = moves_of(a)
            detail.append(
                {
                    "concept": current.get("concept"),
                    "call": current.setdefault("n", 0),
                    "movers": len(moves),
                    "moves": int(sum(m.n_moves for m in moves)),
                    "seconds": dt,
                    "unreachable": int(np.count_nonzero(out == engine._INF)),
                }
            )
            current["n"] += 1
            return out

        return wrapper

    engine.least_reachable = timed(engine.least_reachable, lambda a: a[0])
    engine.reachable_min = timed(engine.reachable_min, lambda a: a[0])


def _child(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT / "src"))
    import numpy as np

    from backchannel.gmcr import engine
    from backchannel.gmcr.analysis import stability
    from backchannel.gmcr.statespace import compile_conflict
    from generate import synthetic_conflict

    dms, opts = _parse_size(args.child)
    concepts = tuple(args.concepts)
    rec: dict[str, Any] = {"size": args.child, "dms": dms, "options_per_dm": opts, "seed": args.seed}
    rss = lambda: _maxrss_gib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # noqa: E731
    rec["rss_start_gib"] = rss()

    conflict = synthetic_conflict(dms, opts, args.seed, infeasible_fraction=args.infeasible)
    rec["infeasible_fraction"] = args.infeasible
    t = time.perf_counter()
    space = compile_conflict(conflict, max_states=max(1 << 16, 2 ** (dms * opts)))
    rec["compile_s"] = time.perf_counter() - t
    rec["states"] = space.n_states
    rec["combinations"] = 2 ** (dms * opts)
    rec["moves"] = int(sum(m.n_moves for m in space.moves))
    rec["rss_after_compile_gib"] = rss()

    t = time.perf_counter()
    cpu = time.process_time()
    result = stability(space, concepts)
    rec["analysis_s"] = time.perf_counter() - t
    rec["analysis_cpu_s"] = time.process_time() - cpu
    rec["total_s"] = rec["compile_s"] + rec["analysis_s"]
    rec["rss_after_analysis_gib"] = rss()
    rec["equilibria"] = {c: len(result.equilibria(c)) for c in concepts}
    full = {c: result.stable[c].copy() for c in concepts}
    del result

    if not args.no_breakdown:
        t = time.perf_counter()
        ui = [engine.improvements(space, d) for d in range(space.n_dms)]
        rec["ui_s"] = time.perf_counter() - t
        rec["ui_moves"] = int(sum(m.n_moves for m in ui))
        del ui
        detail: list[dict[str, Any]] = []
        current: dict[str, Any] = {}
        if args.detail:
            os.environ["BACKCHANNEL_THREADS"] = "1"
            _instrument(detail, current)
        per: dict[str, float] = {}
        for c in concepts:
            current.clear()
            current["concept"] = c
            t = time.perf_counter()
            out = engine.stability_matrix(space, (c,))
            per[c] = time.perf_counter() - t
            if not np.array_equal(out[c], full[c]):  # pragma: no cover - a real bug
                rec.setdefault("errors", []).append(f"{c}: per-concept result differs from full call")
        rec["concept_s"] = per
        if args.detail:
            rec["reachable_min"] = detail
    rec["peak_gib"] = rss()
    return rec


# --------------------------------------------------------------------------
# the parent: one child per size


def _run_size(size: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        size,
        "--seed",
        str(args.seed),
        "--infeasible",
        str(args.infeasible),
        "--concepts",
        ",".join(args.concepts),
    ]
    if args.detail:
        cmd.append("--detail")
    if args.no_breakdown:
        cmd.append("--no-breakdown")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
    )
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        deadline = t0 + args.timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0 or not stdout.strip():
        what = "timed out" if wall >= args.timeout else f"exit status {proc.returncode}"
        return {
            "size": size,
            "error": f"{what}: {stderr.strip()[-2000:]}",
            "wall_s": wall,
            "peak_gib": _maxrss_gib(ru.ru_maxrss),
        }
    rec: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    rec["wall_s"] = wall
    rec["peak_gib"] = _maxrss_gib(ru.ru_maxrss)  # from wait4: the child's own peak
    return rec


def _verdict(rec: dict[str, Any]) -> None:
    target = TARGETS.get(rec["size"])
    rec["target_s"], rec["target_gib"] = target if target else (None, None)
    if "error" in rec:
        rec["verdict"] = "FAIL"
        return
    if target is None:
        rec["verdict"] = "n/a"
        return
    rec["time_ratio"] = rec["total_s"] / target[0]
    rec["mem_ratio"] = rec["peak_gib"] / target[1]
    ok = rec["time_ratio"] <= 1 and rec["mem_ratio"] <= 1 and not rec.get("errors")
    rec["verdict"] = "PASS" if ok else "FAIL"


def _table(recs: list[dict[str, Any]], concepts: tuple[str, ...]) -> str:
    head = [
        "size",
        "states",
        "moves",
        "compile s",
        *[f"{c} s" for c in concepts],
        "analysis s",
        "analysis CPU s",
        "total s",
        "peak GiB",
        "target",
        "time/tgt",
        "mem/tgt",
        "result",
    ]
    rows = [head]
    for r in recs:
        if "error" in r:
            rows.append(
                [
                    r["size"],
                    "-",
                    "-",
                    "-",
                    *["-"] * len(concepts),
                    "-",
                    "-",
                    f"{r['wall_s']:.1f}*",
                    f"{r['peak_gib']:.2f}",
                    _tgt(r),
                    "-",
                    "-",
                    "FAIL",
                ]
            )
            continue
        per = r.get("concept_s", {})
        rows.append(
            [
                r["size"],
                f"{r['states']:,} / {r['combinations']:,}",
                f"{r['moves']:,}",
                f"{r['compile_s']:.2f}",
                *[f"{per[c]:.2f}" if c in per else "-" for c in concepts],
                f"{r['analysis_s']:.2f}",
                f"{r.get('analysis_cpu_s', float('nan')):.2f}",
                f"{r['total_s']:.2f}",
                f"{r['peak_gib']:.2f}",
                _tgt(r),
                f"{r['time_ratio']:.2f}" if "time_ratio" in r else "-",
                f"{r['mem_ratio']:.2f}" if "mem_ratio" in r else "-",
                r["verdict"],
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for k, row in enumerate(rows):
        cells = (c.rjust(w) if k else c.ljust(w) for c, w in zip(row, widths, strict=True))
        lines.append("| " + " | ".join(cells) + " |")
        if k == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _tgt(r: dict[str, Any]) -> str:
    if r.get("target_s") is None:
        return "-"
    return f"{r['target_s']:g} s, {r['target_gib']:g} GiB"


def _detail_table(rec: dict[str, Any]) -> str:
    lines = [
        f"reachability calls, {rec['size']} ({rec['states']:,} states):",
        "  concept  focal  movers        moves   seconds  unreachable",
    ]
    for d in rec.get("reachable_min", []):
        lines.append(
            f"  {d['concept']:<7} {d['call'] + 1:>5}  {d['movers']:>6} {d['moves']:>12,} "
            f"{d['seconds']:>9.2f} {d['unreachable']:>12,}"
        )
    if "ui_s" in rec:
        lines.append(
            f"  improvements (all DMs, once per stability_matrix call): {rec['ui_s']:.2f} s, "
            f"{rec['ui_moves']:,} UIs"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time and memory of the full stability analysis.")
    ap.add_argument(
        "--sizes",
        default="4x4,5x4",
        help="comma-separated DMSxOPTIONS sizes (default 4x4,5x4; 3x4 for a smoke run)",
    )
    ap.add_argument("--seed", type=int, default=1, help="seed of the synthetic conflicts (default 1)")
    ap.add_argument(
        "--infeasible",
        type=float,
        default=0.4,
        help="target fraction of infeasible combinations (default 0.4; 0 keeps all 2**(D*O) states)",
    )
    ap.add_argument(
        "--concepts", default=",".join(ALL_CONCEPTS), help="comma-separated concepts (default: all five)"
    )
    ap.add_argument("--detail", action="store_true", help="time each reachability call (one thread)")
    ap.add_argument(
        "--no-breakdown", action="store_true", help="skip the per-concept runs (only compile + full analysis)"
    )
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per size (default 1800)")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    ap.add_argument("--child", metavar="SIZE", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.concepts = tuple(c.strip() for c in args.concepts.split(",") if c.strip())
    bad = [c for c in args.concepts if c not in ALL_CONCEPTS]
    if bad:
        ap.error(f"unknown concept(s) {', '.join(bad)}; choose from {', '.join(ALL_CONCEPTS)}")

    if args.child:
        print(json.dumps(_child(args)))
        return 0

    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in sizes:
        _parse_size(s)
    if set(args.concepts) != set(ALL_CONCEPTS):
        print(f"note: targets are for all five concepts; running {', '.join(args.concepts)} only")
    print(
        f"backchannel stability benchmark — {_dt.datetime.now().isoformat(timespec='seconds')}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, seed {args.seed}"
    )
    recs = []
    for size in sizes:
        print(f"  running {size} …", flush=True)
        rec = _run_size(size, args)
        _verdict(rec)
        recs.append(rec)
        if "error" in rec:
            print(f"  {size}: {rec['error']}", flush=True)
    print()
    print(_table(recs, args.concepts))
    for rec in recs:
        if args.detail and "reachable_min" in rec:
            print()
            print(_detail_table(rec))
    if args.json:
        meta = {
            "date": _dt.datetime.now().isoformat(timespec="seconds"),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "concepts": list(args.concepts),
            "seed": args.seed,
        }
        Path(args.json).write_text(json.dumps({"meta": meta, "results": recs}, indent=2), encoding="utf-8")
    return 0 if all(r["verdict"] != "FAIL" for r in recs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
