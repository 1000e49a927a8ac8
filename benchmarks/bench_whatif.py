"""Benchmark the workbench's what-if preview on the flagship case.

The what-if panel asks ``POST /api/whatif`` for the scenario probabilities of
the case as the sliders have changed it.  Target: under one second per update
(issue 16).  Without exact enumeration the answer is a Monte Carlo preview
(500 samples, a fixed seed); this prints how long a warm request takes (the
first one also imports the modules), in-process through the ASGI app, for a
few sample sizes, with the load of the machine.

Usage::

    python benchmarks/bench_whatif.py [--repeat 5] [--samples 250,500,1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings

TARGET_S = 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--samples", default="250,500,1000")
    args = ap.parse_args()

    from backchannel.case.casefile import read_case_text
    from backchannel.web import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    text = read_case_text("ukraine-backchannel")[0]
    with tempfile.TemporaryDirectory() as tmp, TestClient(create_app(store_url=f"sqlite:///{tmp}/s.db")) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf"]
        t0 = time.perf_counter()
        first = c.post("/api/whatif", json={"text": text})
        assert first.status_code == 200, first.text
        took = time.perf_counter() - t0
        print(f"first request (imports, compile): {took:.2f} s; method {first.json()['method']}")
        for n in [int(x) for x in args.samples.split(",")]:
            times = []
            for k in range(args.repeat):
                # a different statement probability each time: no cache can answer
                body = {"text": text.replace("probability: 0.8", f"probability: 0.{k + 1}", 1), "samples": n}
                t = time.perf_counter()
                r = c.post("/api/whatif", json=body)
                times.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
            med = statistics.median(times)
            flag = "ok" if med < TARGET_S else "over the target"
            best = min(times)
            print(f"{n:5d} samples: median {med:.2f} s, best {best:.2f} s ({flag}, target {TARGET_S:g} s)")
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
