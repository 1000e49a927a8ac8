"""Monte Carlo scenario analysis: how likely is each named future?

:func:`scenarios` draws ``samples`` samples of a case's uncertain inputs,
runs the graph model and the bargaining forecasts on each (see
:mod:`backchannel.scenarios.montecarlo` for what a sample computes and the rule that
picks its outcome) and reports:

- each scenario's probability with a 95% Wilson score interval; scenarios
  are made mutually exclusive by taking them in the case's order (a sample's
  outcome goes to the first scenario whose predicate holds), and what none
  takes is ``unclassified``, so the probabilities sum to 1;
- robust equilibria: how often each state is an equilibrium, and how often
  it is the outcome;
- a sensitivity ranking of the uncertain inputs: for each input, the
  scenario probabilities among the samples where it was low (bottom third;
  for a preference: the statement failed, the pair went the other way, the
  ordering as written) against those where it was high (top third; the
  statement held, ...); the *swing* is the largest change over scenarios;
- convergence: the estimates and the largest interval half-width after
  each batch;
- the issues' forecasts: mean and 95% range.

Runs are reproducible: the same case and seed give byte-identical results
whatever the backend and the number of workers.  With a run store, every
batch is saved as it completes, so an interrupted run resumes
(:func:`execute_run`) without changing its result.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..case.casefile import read_case_text
from ..case.model import Conflict
from ..case.results import Result, _version
from ..defaults import BATCH_SIZE
from ..errors import BackchannelError
from ..gmcr.engine import CONCEPTS
from .backends import BACKENDS, Cancelled, register_pausable, run_batches
from .explained import complete, low_high, sensitivity_row
from .extras import conditional_forecasts, scenario_sobol, stop_after, wilson_half_width
from .montecarlo import FORECAST_MODELS, RULES, BatchOutput, Prepared, batch_sizes, prepared, unpack
from .phases import phases_summary

if TYPE_CHECKING:
    import pandas as pd

    from ..gmcr.statespace import StateSpace
    from ..store import RunStore

__all__ = ["BATCH_SIZE", "RunInterrupted", "ScenarioResult", "execute_run", "record_run", "scenarios"]

Z95 = 1.959963984540054
MAX_SAMPLES = 10_000_000
Progress = Callable[[int, int], None]


class RunInterrupted(BackchannelError):
    """A stored run stopped before its end (Ctrl-C); it can be resumed."""

    exit_code = 130

    def __init__(self, run_id: int, done: int, total: int) -> None:
        super().__init__(
            f"interrupted after {done} of {total} batches; nothing is lost. "
            f"Resume with: backchannel runs resume {run_id}"
        )
        self.run_id = run_id


def wilson(p: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of proportions ``p`` out of ``n``."""
    p = np.asarray(p, dtype=float)
    if n <= 0:
        return np.zeros_like(p), np.ones_like(p)
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * np.sqrt(np.maximum(p * (1 - p), 0) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = np.where(p <= 0, 0.0, np.clip(centre - half, 0, 1))
    high = np.where(p >= 1, 1.0, np.clip(centre + half, 0, 1))
    return low, high


def _r(x: float, nd: int = 6) -> float:
    return round(float(x), nd)


@dataclass(frozen=True, eq=False)
class ScenarioResult(Result):
    """The probabilities of a case's scenarios, and what drives them."""

    title: str
    samples: int
    seed: int
    parameters: dict[str, Any]
    names: tuple[str, ...]  # scenario names, "unclassified" last
    labels: tuple[str, ...]
    p: np.ndarray
    low: np.ndarray
    high: np.ndarray
    states: list[dict[str, Any]]  # robust equilibria
    sensitivity: list[dict[str, Any]]
    convergence: list[dict[str, Any]]
    issues: dict[str, dict[str, Any]]
    unresolved: float
    inputs: list[dict[str, Any]]
    case_hash: str
    graph_model: bool = True  # False for a bargaining-only case
    run_id: int | None = None
    seconds: float = 0.0
    backend: str = "inprocess"
    workers: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    conditional: dict[str, Any] = field(default_factory=dict)  # per named future: issue forecasts
    sobol: dict[str, Any] | None = None  # variance-based sensitivity, when asked for
    stopping: dict[str, Any] | None = None  # the stopping rule, when one was given

    def probability(self, name: str) -> float:
        return float(self.p[self.names.index(name)])

    def to_dict(self) -> dict[str, Any]:
        """Plain data; identical for the same case and seed on any backend
        (timings and the backend are attributes, not part of it)."""
        return {
            "analysis": "scenarios",
            "title": self.title,
            "samples": self.samples,
            "seed": self.seed,
            "parameters": self.parameters,
            "scenarios": {
                n: {"label": lab, "p": _r(p), "low": _r(lo), "high": _r(hi)}
                for n, lab, p, lo, hi in zip(
                    self.names, self.labels, self.p, self.low, self.high, strict=True
                )
            },
            "graph_model": self.graph_model,
            "unresolved": _r(self.unresolved),
            "robust_equilibria": self.states,
            "sensitivity": self.sensitivity,
            "convergence": self.convergence,
            "issues": self.issues,
            **({"conditional_forecasts": self.conditional} if self.conditional else {}),
            **({"sobol": self.sobol} if self.sobol is not None else {}),
            **({"stopping": self.stopping} if self.stopping is not None else {}),
            "inputs": self.inputs,
            "case_hash": self.case_hash,
            "backchannel_version": _version(),
            **self.extra,  # method, decomposition, diagnostics, cycles, summary (scenarios.explained)
        }

    def to_dataframe(self) -> pd.DataFrame:
        import pandas as pd

        df = pd.DataFrame(
            {"label": self.labels, "p": self.p, "low": self.low, "high": self.high},
            index=pd.Index(self.names, name="scenario"),
        )
        return df


# -- the task -----------------------------------------------------------------


def _case_text(model: Conflict | str | Path) -> tuple[str, str, str]:
    """(text, format, name) of a case given as a path, bundled name or Conflict."""
    if isinstance(model, Conflict):
        text = model.model_dump_json(by_alias=True, exclude_none=True)
        return text, "json", model.title
    text, name, fmt = read_case_text(model)
    return text, fmt, name


def settings_of(
    *,
    samples: int,
    seed: int,
    concept: str,
    rule: str,
    forecast_model: str,
    batch_size: int,
    rounds: int,
    max_states: int | None,
    until_halfwidth: float | None = None,
    sobol: int | None = None,
) -> dict[str, Any]:
    """Check and collect the parameters of a run.  With ``until_halfwidth``,
    ``samples`` is the cap of the stopping rule."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise BackchannelError(f"--samples must be from 1 to {MAX_SAMPLES:,} (got {samples})")
    if not 0 <= seed < 2**63:
        raise BackchannelError(f"--seed must be a whole number from 0 to 2**63 - 1 (got {seed})")
    if concept not in CONCEPTS:
        raise BackchannelError(f"unknown concept {concept!r}: choose from {', '.join(CONCEPTS)}")
    if rule not in RULES:
        raise BackchannelError(f"unknown rule {rule!r}: choose from {', '.join(RULES)}")
    if forecast_model not in FORECAST_MODELS:
        raise BackchannelError(
            f"unknown forecast model {forecast_model!r}: choose from {', '.join(FORECAST_MODELS)}"
        )
    if not 1 <= batch_size <= 100_000:
        raise BackchannelError(f"--batch-size must be from 1 to 100,000 (got {batch_size})")
    if rounds < 1:
        raise BackchannelError("--rounds must be at least 1")
    settings: dict[str, Any] = {
        "samples": samples,
        "seed": seed,
        "concept": concept,
        "rule": rule,
        "forecast_model": forecast_model,
        "batch_size": batch_size,
        "rounds": rounds,
        "max_states": max_states,
    }
    # only when given, so that a run without them keeps its identity
    if until_halfwidth is not None:
        if not 0 < until_halfwidth < 0.5:
            raise BackchannelError(
                f"--until-halfwidth must lie between 0 and 0.5, e.g. 0.01 (got {until_halfwidth})"
            )
        settings["until_halfwidth"] = float(until_halfwidth)
    if sobol is not None:
        if not 2 <= sobol <= 100_000:
            raise BackchannelError(f"--sobol must be from 2 to 100,000 base samples (got {sobol})")
        settings["sobol"] = int(sobol)
    return settings


def make_task(text: str, fmt: str, name: str, settings: dict[str, Any]) -> str:
    return json.dumps({"text": text, "format": fmt, "name": name, "settings": settings}, sort_keys=True)


# -- aggregation ----------------------------------------------------------------


def _sensitivity(
    prep: Prepared, values: np.ndarray, classes: np.ndarray, names: list[str]
) -> list[dict[str, Any]]:
    n = classes.shape[0]
    overall = classes.mean(axis=0)
    # more than sampling noise: a two-sided 5% test, Bonferroni-corrected over
    # every (input, scenario) pair looked at
    from scipy import special

    z_crit = float(special.ndtri(1 - 0.05 / (2 * max(1, len(prep.inputs) * len(names)))))
    rows: list[dict[str, Any]] = []
    for j, inp in enumerate(prep.inputs):
        x = values[:, j]
        if inp.kind == "numeric":
            q1, q2 = np.quantile(x, [1 / 3, 2 / 3])
            lo_mask, hi_mask = x <= q1, x >= q2
        else:
            lo_mask, hi_mask = low_high(inp.kind, x)
        n_lo, n_hi = int(lo_mask.sum()), int(hi_mask.sum())
        if n_lo == 0 or n_hi == 0 or n_lo == n or n_hi == n:
            continue

        def se_of(s: int, n_lo: int = n_lo, n_hi: int = n_hi) -> float:
            return float(np.sqrt(overall[s] * (1 - overall[s]) * (1 / n_lo + 1 / n_hi)))

        p_lo = classes[lo_mask].mean(axis=0)
        p_hi = classes[hi_mask].mean(axis=0)
        rows.append(sensitivity_row(inp, names, p_lo, p_hi, se_of, z_crit))
    rows.sort(key=lambda r: (-float(r["swing"]), str(r["input"])))
    return rows


def _robust_states(
    prep: Prepared, space: StateSpace, eq: np.ndarray, outcome: np.ndarray
) -> list[dict[str, Any]]:
    """The states that are an equilibrium or the outcome in some sample, most often the outcome first."""
    out = []
    for s in np.lexsort((-eq, -outcome)):
        if eq[s] == 0 and outcome[s] == 0:
            continue
        out.append(
            {
                "state": int(s) + 1,
                "pattern": space.pattern(int(s)),
                "description": space.describe(int(s)),
                "scenarios": [
                    k
                    for k, c in zip(prep.scenario_names, prep.conditions, strict=True)
                    if not c.quantities() and bool(c.evaluate(space.codes[s : s + 1])[0])
                ],
                "p_equilibrium": _r(eq[s]),
                "p_outcome": _r(outcome[s]),
            }
        )
    return out


def aggregate(
    prep: Prepared, outputs: list[BatchOutput], case_hash: str, parameters: dict[str, Any]
) -> ScenarioResult:
    """Put the batches of a run together, in index order."""
    outputs = sorted(outputs, key=lambda o: o.index)
    conflict, space = prep.conflict, prep.space
    names = [*prep.scenario_names, "unclassified"]
    labels = [conflict.scenarios[k].label or k.replace("_", " ") for k in prep.scenario_names] + [
        "Unclassified"
    ]
    classes = np.concatenate([o.classes for o in outputs])
    values = np.concatenate([o.values for o in outputs])
    forecasts = np.concatenate([o.forecasts for o in outputs])
    n = classes.shape[0]
    p = classes.mean(axis=0)
    low, high = wilson(p, n)
    eq = np.sum([o.eq_count for o in outputs], axis=0) / n
    outcome = np.sum([o.outcome for o in outputs], axis=0) / n
    states = [] if space is None else _robust_states(prep, space, eq, outcome)
    convergence = []
    cum = 0
    acc = np.zeros(len(names))
    for o in outputs:
        cum += o.n
        acc = acc + o.classes.sum(axis=0)
        pk = acc / cum
        lo_k, hi_k = wilson(pk, cum)
        convergence.append(
            {
                "samples": cum,
                "scenarios": {k: _r(v) for k, v in zip(names, pk, strict=True)},
                "half_width": _r(float(np.max((hi_k - lo_k) / 2))),
            }
        )
    issues: dict[str, dict[str, Any]] = {}
    if prep.data is not None:
        for i, key in enumerate(prep.data.issues):
            col = forecasts[:, i]
            col = col[np.isfinite(col)]
            if col.size == 0:
                continue
            lo_q, hi_q = np.quantile(col, [0.025, 0.975])
            issues[key] = {
                "label": prep.data.issue_labels[i],
                "model": prep.settings["forecast_model"],
                "mean": _r(col.mean(), 4),
                "low": _r(lo_q, 4),
                "high": _r(hi_q, 4),
            }
    conditional = conditional_forecasts(prep, names, classes, forecasts)
    result = ScenarioResult(
        title=conflict.title,
        samples=n,
        seed=int(prep.settings["seed"]),
        parameters=parameters,
        names=tuple(names),
        labels=tuple(labels),
        p=p,
        low=low,
        high=high,
        states=states,
        sensitivity=_sensitivity(prep, values, classes, names),
        convergence=convergence,
        issues=issues,
        unresolved=sum(o.unresolved for o in outputs) / n,
        inputs=[{"input": i.key, "kind": i.kind, "description": i.describe()} for i in prep.inputs],
        case_hash=case_hash,
        graph_model=space is not None,
        conditional=conditional,
        extra=phases_summary(prep, outputs, n),
    )
    # exact where it can be; diagnostics, cycles, what would it take, summary
    return complete(prep, result, values, _robust_states, eq if space is not None else None, outcome)


# -- running ----------------------------------------------------------------------


def _run(
    text: str,
    fmt: str,
    name: str,
    settings: dict[str, Any],
    *,
    done: dict[int, bytes],
    on_batch: Callable[[int, bytes, float], None] | None,
    backend: str,
    workers: int | None,
    scheduler: str | None,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> ScenarioResult:
    task = make_task(text, fmt, name, settings)
    prep = prepared(task)  # checks the case before any work is sent out
    payloads = dict(done)
    total = settings["samples"]
    sizes = batch_sizes(total, settings["batch_size"])
    n_batches = len(sizes)

    done_samples = sum(sizes[i] for i in payloads)
    if progress:
        progress(done_samples, total)

    def got(index: int, payload: bytes, seconds: float) -> None:
        nonlocal done_samples
        if on_batch is not None:
            on_batch(index, payload, seconds)
        if index not in payloads:
            done_samples += sizes[index]
        payloads[index] = payload
        if progress:
            progress(done_samples, total)

    t0 = time.perf_counter()
    stopping = None
    if settings.get("until_halfwidth") is None:
        todo = [i for i in range(n_batches) if i not in payloads]
        run_batches(task, todo, got, backend=backend, workers=workers, scheduler=scheduler, cancel=cancel)
        used = n_batches
    else:
        used, stopping = _run_until(
            task, prep, settings, sizes, payloads, got, backend, workers, scheduler, cancel
        )
    outputs = [unpack(payloads[i]) for i in range(used)]
    case_hash = hashlib.sha256(text.encode()).hexdigest()
    # what shapes the numbers (the size limit max_states does not)
    params = {k: v for k, v in settings.items() if k not in ("seed", "max_states")}
    result = aggregate(prep, outputs, case_hash, params)
    object.__setattr__(result, "stopping", stopping)
    if settings.get("sobol") is not None:
        object.__setattr__(
            result, "sobol", scenario_sobol(prep, int(settings["sobol"]), int(settings["seed"]), result.names)
        )
    object.__setattr__(result, "seconds", time.perf_counter() - t0)
    object.__setattr__(result, "backend", "dask" if scheduler else backend)
    object.__setattr__(result, "workers", workers)
    return result


def _run_until(
    task: str,
    prep: Prepared,
    settings: dict[str, Any],
    sizes: list[int],
    payloads: dict[int, bytes],
    got: Callable[[int, bytes, float], None],
    backend: str,
    workers: int | None,
    scheduler: str | None,
    cancel: threading.Event | None,
) -> tuple[int, dict[str, Any]]:
    """Batches in index order until the stopping rule holds (see
    :func:`backchannel.scenarios.extras.stop_after`) or every batch up to the
    cap is used; returns how many batches count, and what the rule did."""
    h = float(settings["until_halfwidth"])
    n_named = len(prep.scenario_names)
    sums: dict[int, np.ndarray] = {}

    def class_sums(i: int) -> np.ndarray:
        if i not in sums:
            sums[i] = unpack(payloads[i]).classes.sum(axis=0)
        return sums[i]

    used: int | None = None
    while True:
        have = 0
        while have in payloads:
            have += 1
        used = stop_after([class_sums(i) for i in range(have)], sizes[:have], n_named, h) if have else None
        if used is not None or have == len(sizes):
            break
        # how many more batches the current estimate needs (at least one, or one per worker)
        ahead = max(1, workers or 1)
        if have:
            n = sum(sizes[:have])
            p = np.sum([class_sums(i) for i in range(have)], axis=0)[:n_named] / n
            hw = float(wilson_half_width(p, n).max()) if n_named else 0.0
            needed = int(np.ceil(n * (hw / h) ** 2 * 1.1))
            ahead = max(ahead, int(np.ceil((needed - n) / sizes[0])))
        todo = list(range(have, min(len(sizes), have + ahead)))
        run_batches(task, todo, got, backend=backend, workers=workers, scheduler=scheduler, cancel=cancel)
    reached = used is not None
    used = used if used is not None else len(sizes)
    n = sum(sizes[:used])
    p = np.sum([class_sums(i) for i in range(used)], axis=0)[:n_named] / n
    return used, {
        "until_halfwidth": h,
        "reached": reached,
        "samples": n,
        "cap": sum(sizes),
        "largest_half_width": _r(float(wilson_half_width(p, n).max()) if n_named else 0.0),
        "rule": "batches in index order until every named future's 95% Wilson interval is at most "
        "this half-width, or the cap",
    }


def scenarios(
    model: Conflict | str | Path,
    *,
    samples: int = 1000,
    seed: int = 0,
    concept: str = "nash",
    rule: str = "split",
    forecast_model: str = "bdm",
    batch_size: int = BATCH_SIZE,
    rounds: int = 10,
    max_states: int | None = None,
    backend: str = "inprocess",
    workers: int | None = None,
    scheduler: str | None = None,
    store: RunStore | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    until_halfwidth: float | None = None,
    max_samples: int = 200_000,
    sobol: int | None = None,
) -> ScenarioResult:
    """Probabilities of the scenarios of ``model`` (a Conflict, case file or
    bundled case name) over ``samples`` draws of its uncertain inputs.

    ``until_halfwidth``: instead of a fixed number, sample batch after batch
    until every named future's 95% interval has at most this half-width, or
    ``max_samples`` (see :func:`backchannel.scenarios.extras.stop_after`).
    ``sobol``: also estimate Sobol indices from that many base samples
    (``sobol × (inputs + 2)`` more evaluations).

    With a ``store`` the run is recorded (case version, parameters, every
    batch, the result) and ``result.run_id`` is set.

    >>> r = scenarios("ukraine-backchannel", samples=200, seed=1)
    >>> round(float(r.p.sum()), 9)
    1.0
    >>> r.to_dict()["scenarios"]["renewed_escalation"]["p"] == r.probability("renewed_escalation")
    True
    """
    settings = settings_of(
        samples=samples if until_halfwidth is None else max_samples,
        seed=seed,
        concept=concept,
        rule=rule,
        forecast_model=forecast_model,
        batch_size=batch_size,
        rounds=rounds,
        max_states=max_states,
        until_halfwidth=until_halfwidth,
        sobol=sobol,
    )
    if backend not in BACKENDS:
        raise BackchannelError(f"unknown backend {backend!r}: choose from {', '.join(BACKENDS)}")
    text, fmt, name = _case_text(model)
    if store is None:
        return _run(
            text,
            fmt,
            name,
            settings,
            done={},
            on_batch=None,
            backend=backend,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            cancel=cancel,
        )
    run_id = record_run(store, text, fmt, name, settings)
    return execute_run(
        store, run_id, backend=backend, workers=workers, scheduler=scheduler, progress=progress, cancel=cancel
    )


def record_run(store: RunStore, text: str, fmt: str, name: str, settings: dict[str, Any]) -> int:
    """Store a new scenarios run (case version, parameters, seed), not yet
    executed; a case that cannot be sampled is refused before anything is
    stored. ``settings`` come from :func:`settings_of`."""
    prepared(make_task(text, fmt, name, settings))
    case_hash = store.add_case(text, name=name, fmt=fmt)
    return store.create_run(
        command="scenarios",
        parameters={k: v for k, v in settings.items() if k != "seed"},
        seed=settings["seed"],
        case_hash=case_hash,
        n_batches=len(batch_sizes(settings["samples"], settings["batch_size"])),
    )


class _Heartbeat:
    """Tells the store, every few seconds, that the process working on a run is alive
    (and how long the run has taken), so that a run whose process was killed is
    recognised as interrupted (see :data:`backchannel.store.runstore.STALE_SECONDS`)."""

    def __init__(self, store: RunStore, run_id: int, seconds: Callable[[], float]) -> None:
        from ..store.runstore import HEARTBEAT_SECONDS

        self._store, self._run_id, self._seconds = store, run_id, seconds
        self._every = HEARTBEAT_SECONDS
        self._done = False
        self._start()
        register_pausable(self)  # the process pool may fork its workers meanwhile

    def _start(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, args=(self._every,), name=f"heartbeat-{self._run_id}", daemon=True
        )
        self._thread.start()

    def _beat(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                self._store.heartbeat(self._run_id, self._seconds())
            except Exception:  # a busy store: the next beat will do
                continue

    def pause(self) -> None:
        """Stop the thread for a moment (its next beat comes after :meth:`resume`)."""
        self._stop.set()
        self._thread.join()

    def resume(self) -> None:
        if not self._done:
            self._start()

    def stop(self, *, final: bool = False) -> None:
        """Stop beating; ``final``: record the time once more (the run stops here)."""
        register_pausable(self, on=False)
        self._done = True
        if not self._stop.is_set():
            self._stop.set()
            self._thread.join()
        if final:
            with contextlib.suppress(Exception):
                self._store.heartbeat(self._run_id, self._seconds())


def execute_run(
    store: RunStore,
    run_id: int,
    *,
    backend: str = "inprocess",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | bool | None = None,
    cancel: threading.Event | None = None,
) -> ScenarioResult:
    """Run, or resume, the stored run ``run_id``: its completed batches are
    kept, the missing ones computed and saved one by one, and the result
    stored.  ``progress=True`` shows a progress bar on the terminal.
    Ctrl-C marks the run interrupted and raises :class:`RunInterrupted`."""
    rec = store.run(run_id)
    if rec.command != "scenarios":
        raise BackchannelError(f"run {run_id} was made by {rec.command!r}, which cannot be re-run")
    done_batches = store.batches(run_id)
    text, name, fmt = store.case_text(rec.case_hash)
    params = dict(rec.parameters)
    settings = settings_of(
        samples=int(params["samples"]),
        seed=int(rec.seed or 0),
        concept=params.get("concept", "nash"),
        rule=params.get("rule", "split"),
        forecast_model=params.get("forecast_model", "bdm"),
        batch_size=int(params.get("batch_size", 250)),
        rounds=int(params.get("rounds", 10)),
        max_states=params.get("max_states"),
        until_halfwidth=params.get("until_halfwidth"),
        sobol=params.get("sobol"),
    )
    bar = None
    if progress is True:
        from ..progress import ProgressBar

        bar = ProgressBar(f"run {run_id}")
        progress = bar.update
    store.set_status(run_id, "running")
    t0 = time.perf_counter()
    before = rec.seconds or 0.0  # time of the earlier sessions of a resumed run
    beat = _Heartbeat(store, run_id, lambda: before + time.perf_counter() - t0)
    try:
        result = _run(
            text,
            fmt,
            name,
            settings,
            done=done_batches,
            on_batch=lambda i, p, s: store.save_batch(run_id, i, p, s),
            backend=backend,
            workers=workers,
            scheduler=scheduler,
            progress=progress or None,
            cancel=cancel,
        )
    except KeyboardInterrupt:
        beat.stop(final=True)
        store.set_status(run_id, "interrupted")
        total = len(batch_sizes(settings["samples"], settings["batch_size"]))
        raise RunInterrupted(run_id, len(store.batches(run_id)), total) from None
    except Cancelled:
        beat.stop(final=True)
        store.set_status(run_id, "cancelled")
        raise
    except BaseException as e:
        beat.stop(final=True)
        store.set_status(run_id, "failed", error=str(e) or type(e).__name__)
        raise
    finally:
        beat.stop()
        if bar is not None:
            bar.close()
    elapsed = before + time.perf_counter() - t0
    object.__setattr__(result, "seconds", elapsed)  # all sessions of the run, as the store keeps it
    store.finish(run_id, result.to_dict(), elapsed)
    object.__setattr__(result, "run_id", run_id)
    return result
