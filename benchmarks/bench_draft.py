"""Benchmark ``backchannel draft``: one news report of 5,000 words drafted offline.

The report is made of the flagship's two reports and the test news texts
(``tests/data/news``), repeated in turn until it has 5,000 words, so it is
news prose with lists, headings, claims and measures throughout. Times are
printed for loading spaCy's small English pipeline (once a process), for
reading the report, and for the whole draft (parties, claims, measures,
futures, dates, places, contradictions) with the pipeline loaded, and in a
fresh process as a user runs `backchannel draft` (start-up and loading
included). Target: under 5 s for the draft of a 5,000-word report.

Usage::

    python benchmarks/bench_draft.py [--words 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

TARGET_S = 5.0
ROOT = Path(__file__).resolve().parents[1]


def _report(words: int) -> str:
    texts = [
        (resources.files("backchannel") / "cases" / "sources" / n).read_text("utf-8")
        for n in ("report_a.txt", "report_b.txt")
    ]
    texts += [
        p.read_text("utf-8")
        for p in sorted((ROOT / "tests" / "data" / "news").glob("*.txt"))
        if not p.read_text("utf-8").lstrip().startswith("<")
    ]
    out: list[str] = []
    n = i = 0
    while n < words:
        for para in texts[i % len(texts)].split("\n"):
            if n >= words:
                break
            w = para.split()
            out.append(" ".join(w[: words - n]) if n + len(w) > words else para)
            n += min(len(w), words - n)
        i += 1
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    from backchannel.drafting import draft_reports, report_from_text
    from backchannel.drafting.nlp import load

    text = _report(args.words)
    print(
        f"report: {len(text.split()):,} words, {len(text):,} characters; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    t0 = time.perf_counter()
    load()
    print(f"loading spaCy and en_core_web_sm (once a process): {time.perf_counter() - t0:.2f} s")
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        draft = draft_reports([report_from_text(text, "bench.txt")])
        times.append(time.perf_counter() - t0)
    best = min(times)
    print(
        f"draft, pipeline loaded: best {best:.2f} s of {args.repeat} "
        f"({', '.join(f'{t:.2f}' for t in times)}); {len(draft.parties)} parties, "
        f"{len(draft.claims)} claims, "
        f"{len(draft.measures)} measures, {len(draft.futures)} futures"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "bench.txt")
        path.write_text(text, encoding="utf-8")
        exe = Path(sys.executable).with_name("backchannel")
        t0 = time.perf_counter()
        subprocess.run(
            [str(exe), "draft", str(path), "-o", str(Path(tmp, "case.yaml")), "--format", "json"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        cold = time.perf_counter() - t0
    print(f"`backchannel draft` in a fresh process (start-up, loading, draft, case written): {cold:.2f} s")
    ok = cold < TARGET_S
    print(
        f"target: under {TARGET_S:.0f} s for {args.words:,} words — {'met' if ok else 'NOT met'}; "
        f"load average now {os.getloadavg()[0]:.2f}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
