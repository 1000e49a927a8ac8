"""One batch of Monte Carlo samples of a case: draw, analyse, classify.

A *task* (the case text and the settings, as JSON) and a batch index fully
determine a batch: its random numbers come from
``SeedSequence(seed, spawn_key=(index,))``, so the result of a run does not
depend on which process or machine computes which batch, nor in what order.
The compiled model is prepared once per process and task
(:func:`prepared`) and every batch is evaluated against it with array
operations over the whole batch (:mod:`backchannel.gmcr.batch`).

For each sample:

1. the uncertain inputs are drawn (:mod:`backchannel.case.uncertainty`);
2. each decision maker's payoffs are built from the drawn preferences;
3. the states stable for every decision maker under the chosen concept are
   the sample's equilibria; the equilibria reachable from the status quo by
   unilateral improvements (the evolution analysis) are its possible
   outcomes, weighted by the *rule*: ``split`` gives each reachable
   equilibrium an equal share; ``nearest`` shares only among those reached in
   the fewest steps; a sample with no reachable equilibrium is *unresolved*;
4. the bargaining models forecast every issue (the drawn numbers);
5. the outcome's weight goes to the first scenario (in the case's order)
   whose predicate holds in the outcome state with the sample's forecasts;
   what no scenario takes is *unclassified*.

A case with issues but no decision makers (bargaining only) skips steps 2
and 3: its scenarios are predicates over the issue forecasts.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from ..bargaining.bdm import BdmParams, bdm
from ..bargaining.data import BargainingData, bargaining_data
from ..bargaining.forecast import MODELS
from ..bargaining.models import compromise, nash_bargaining, weighted_median
from ..case.casefile import parse_case_text
from ..case.expr import Expr, Pattern, parse_condition
from ..case.model import Conflict, Preferences
from ..case.uncertainty import UncertainInput, draw, uncertain_inputs
from ..errors import BackchannelError, ModelError
from ..gmcr.batch import batch_distance, batch_stability, dense_rank
from ..gmcr.statespace import (
    StateSpace,
    _resolve_state,
    compile_conflict,
    preference_payoff,
    scenario_conditions,
)
from .phases import compare_full_information, has_phases, phase_inputs, run_phases

__all__ = [
    "RULES",
    "BatchOutput",
    "Prepared",
    "compute_batch",
    "evaluate_values",
    "outcomes",
    "pack",
    "prepared",
    "unpack",
]

RULES = ("split", "nearest")
FORECAST_MODELS = MODELS


@dataclass(frozen=True)
class _Form:
    """One ordering of a decision maker: fixed payoffs, or statements that may drop out."""

    payoff: np.ndarray | None  # fixed dense ranks (no uncertain statement)
    truth: np.ndarray | None  # (states, statements) for a prioritisation with uncertain statements
    columns: tuple[int, ...]  # per statement: its input column, or -1 when certain


@dataclass(frozen=True)
class _DmPrefs:
    forms: tuple[_Form, ...]  # the ordering as written first
    choice: int  # input column of the alternative, or -1
    pairs: tuple[tuple[int, int, int], ...]  # (state a, state b, input column)

    @property
    def certain(self) -> bool:
        """Whether the preferences are the same in every sample."""
        uncertain_statement = any(f.truth is not None for f in self.forms)
        return self.choice < 0 and not self.pairs and not uncertain_statement


@dataclass(frozen=True, eq=False)
class Prepared:
    """A case compiled once for many samples."""

    conflict: Conflict
    space: StateSpace | None  # None for a bargaining-only case (no decision makers)
    inputs: tuple[UncertainInput, ...]
    prefs: tuple[_DmPrefs, ...]
    data: BargainingData | None
    scenario_names: tuple[str, ...]
    conditions: tuple[Expr | Pattern, ...]
    settings: dict[str, Any]

    @property
    def n_buckets(self) -> int:
        return len(self.scenario_names) + 1


def _prioritization_form(
    space: StateSpace, statements: list[Any], columns: list[int], loc: tuple[str | int, ...]
) -> _Form:
    names = {n: i for i, n in enumerate(space.conflict.option_names)}
    truth = np.zeros((space.n_states, len(statements)), dtype=bool)
    for j, st in enumerate(statements):
        truth[:, j] = parse_condition(st.condition, names, len(names)).evaluate(space.codes)
    if len(statements) > 62:
        raise ModelError(
            "more than 62 statements with uncertain ones among them",
            loc,
            "Uncertain statements are supported in prioritisations of up to 62 statements.",
        )
    return _Form(None, truth, tuple(columns))


def _dm_prefs(space: StateSpace, d: int, prefs: Preferences, column: dict[tuple[Any, ...], int]) -> _DmPrefs:
    n_opt = space.n_options
    names = {n: i for i, n in enumerate(space.conflict.option_names)}

    def resolve(ref: Any, loc: tuple[str | int, ...]) -> int:
        return _resolve_state(ref, space.codes, space.index_of, n_opt, loc)

    base: tuple[str | int, ...] = ("decision_makers", d, "preferences")
    forms = []
    variants: list[tuple[int, Any, tuple[str | int, ...]]] = [(-1, prefs, base)]
    variants += [(a, alt, (*base, "alternatives", a)) for a, alt in enumerate(prefs.alternatives)]
    who = repr(space.dm_names[d])
    for alt, form, loc in variants:
        payoff = preference_payoff(form, space.codes, names, loc, who, resolve)  # also checks it
        cols = [column.get(("statement", d, alt, j), -1) for j in range(len(form.prioritization or []))]
        if form.prioritization is not None and max(cols) >= 0:
            forms.append(_prioritization_form(space, form.prioritization, cols, loc))
        else:  # the same in every sample
            forms.append(_Form(payoff, None, ()))
    pairs = []
    for k, pair in enumerate(prefs.uncertain):
        a = resolve(pair.states[0], (*base, "uncertain", k, "states", 0))
        b = resolve(pair.states[1], (*base, "uncertain", k, "states", 1))
        if a == b:
            raise ModelError(
                f"the uncertain pair of {who} names state {a + 1} twice",
                (*base, "uncertain", k),
                "Name two different states.",
            )
        pairs.append((a, b, column[("pair", d, k)]))
    return _DmPrefs(tuple(forms), column.get(("alternative", d), -1), tuple(pairs))


def _check_support(conflict: Conflict, inp: UncertainInput) -> None:
    lo, hi = inp.bounds
    if inp.distribution in ("uniform", "triangular"):
        lo, hi = min(inp.params), max(inp.params)
    kind = inp.target[0]
    if kind in ("position", "reference"):
        issue = list(conflict.issues)[int(inp.target[-1])]
        s_lo, s_hi = conflict.issues[issue].scale
        if lo < s_lo or hi > s_hi:
            raise ModelError(
                f"the {inp.distribution} distribution of {inp.label} reaches {lo:g}–{hi:g}, "
                f"beyond the issue's scale {s_lo:g}–{s_hi:g}",
                inp.loc,
                "Keep the distribution within the scale (for a normal, its bounds).",
            )
    elif lo < 0:
        raise ModelError(
            f"the {inp.distribution} distribution of {inp.label} reaches {lo:g}, below 0",
            inp.loc,
            "Capabilities and saliences are ≥ 0: keep the range (or the bounds) at 0 or above.",
        )


def prepare(conflict: Conflict, settings: dict[str, Any]) -> Prepared:
    """Compile ``conflict`` for sampling with ``settings`` (see ``scenarios.run.scenarios``)."""
    space: StateSpace | None = None
    if conflict.decision_makers:
        space = compile_conflict(conflict, max_states=settings.get("max_states"))
        if space.status_quo is None:
            raise ModelError(
                "the case gives no status quo",
                ("status_quo",),
                "Scenario analysis follows the conflict from its status quo: add status_quo (a state).",
            )
    elif not conflict.issues:
        raise ModelError(
            "the case has neither decision makers nor issues",
            ("decision_makers",),
            "Scenario analysis runs the graph model (decision makers with options and preferences) "
            "and the bargaining forecasts (issues and actors): give at least one of them.",
        )
    inputs = tuple(uncertain_inputs(conflict)) + (tuple(phase_inputs(conflict)) if space is not None else ())
    column = {inp.target: j for j, inp in enumerate(inputs)}
    prefs = (
        tuple(_dm_prefs(space, d, dm.preferences, column) for d, dm in enumerate(conflict.decision_makers))
        if space is not None
        else ()
    )
    data = bargaining_data(conflict) if conflict.issues or conflict.actors else None
    for inp in inputs:
        if inp.kind == "numeric":
            _check_support(conflict, inp)
    conds = scenario_conditions(conflict)
    return Prepared(
        conflict=conflict,
        space=space,
        inputs=inputs,
        prefs=prefs,
        data=data,
        scenario_names=tuple(conds),
        conditions=tuple(conds.values()),
        settings=settings,
    )


@lru_cache(maxsize=4)
def prepared(task: str) -> Prepared:
    """The prepared model of a task (JSON: case text, format, name, settings), cached per process."""
    spec = json.loads(task)
    conflict, _ = parse_case_text(spec["text"], spec["name"], spec["format"])
    return prepare(conflict, spec["settings"])


def task_hash(task: str) -> str:
    return hashlib.sha256(task.encode()).hexdigest()[:16]


# -- one batch ----------------------------------------------------------------


def _payoffs(prep: Prepared, values: np.ndarray) -> np.ndarray:
    """Per sample, every decision maker's payoffs (samples × decision makers × states), each
    computed once per distinct combination of the inputs that decide it."""
    space = prep.space
    assert space is not None
    b = values.shape[0]
    out = np.empty((b, space.n_dms, space.n_states), dtype=np.int32)
    for d, dp in enumerate(prep.prefs):
        if dp.certain:
            out[:, d] = space.payoffs[d]
            continue
        decide = {dp.choice, *(c for f in dp.forms for c in f.columns), *(c for *_, c in dp.pairs)}
        cols = sorted(decide - {-1})
        _, first, inv = np.unique(values[:, cols], axis=0, return_index=True, return_inverse=True)
        out[:, d] = _dm_payoffs(space, dp, values[first])[inv.ravel()]
    return out


def _dm_payoffs(space: StateSpace, dp: _DmPrefs, values: np.ndarray) -> np.ndarray:
    """One decision maker's payoffs (samples × states) in the samples of drawn inputs ``values``."""
    b = values.shape[0]
    choice = values[:, dp.choice].astype(np.int64) if dp.choice >= 0 else np.zeros(b, dtype=np.int64)
    p = np.empty((b, space.n_states), dtype=np.int64)
    for f, form in enumerate(dp.forms):
        rows = np.flatnonzero(choice == f)
        if rows.size == 0:
            continue
        if form.payoff is not None:
            p[rows] = form.payoff
            continue
        assert form.truth is not None
        k = form.truth.shape[1]
        active = np.ones((rows.size, k), dtype=np.int64)
        for j, col in enumerate(form.columns):
            if col >= 0:
                active[:, j] = values[rows, col]
        weights = np.left_shift(np.int64(1), np.arange(k - 1, -1, -1, dtype=np.int64))  # k ≤ 62: prepare
        p[rows] = dense_rank((active * weights) @ form.truth.T.astype(np.int64))
    if dp.pairs:
        p = 2 * dense_rank(p).astype(np.int64)
        rows_all = np.arange(b)
        for a, c, col in dp.pairs:
            first = values[:, col] == 1
            hi = np.where(first, a, c)  # the state that must come out above
            lo = np.where(first, c, a)
            ph, pl = p[rows_all, hi], p[rows_all, lo]
            swap = ph < pl
            tie = ph == pl
            p[rows_all[swap], hi[swap]] = pl[swap]
            p[rows_all[swap], lo[swap]] = ph[swap]
            p[rows_all[tie], hi[tie]] = ph[tie] + 1
    return dense_rank(p)


def _forecasts(prep: Prepared, values: np.ndarray) -> np.ndarray:
    """Per sample, the chosen model's forecast of every issue (samples × issues)."""
    data = prep.data
    b = values.shape[0]
    if data is None:
        return np.zeros((b, 0))
    n_a, n_i = data.n_actors, data.n_issues
    cap = np.broadcast_to(data.capability[None, :, None], (b, n_a, n_i)).copy()
    pos = np.broadcast_to(data.position[None], (b, n_a, n_i)).copy()
    sal = np.broadcast_to(data.salience[None], (b, n_a, n_i)).copy()
    ref = np.broadcast_to(data.reference[None], (b, n_i)).copy()
    for j, inp in enumerate(prep.inputs):
        kind = inp.target[0]
        if kind == "capability":
            cap[:, int(inp.target[1]), :] = values[:, j, None]
        elif kind == "position":
            pos[:, int(inp.target[1]), int(inp.target[2])] = values[:, j]
        elif kind == "salience":
            sal[:, int(inp.target[1]), int(inp.target[2])] = values[:, j]
        elif kind == "reference":
            ref[:, int(inp.target[1])] = values[:, j]
    # samples side by side as issues: (actors, samples·issues)
    flat = lambda x: np.ascontiguousarray(np.moveaxis(x, 1, 0).reshape(n_a, b * n_i))  # noqa: E731
    c, x, s = flat(cap), flat(pos), flat(sal)
    model = prep.settings["forecast_model"]
    if model == "compromise":
        f = compromise(c, x, s)
    elif model == "median":
        f = weighted_median(c, x, s)
    elif model == "nash":
        f = nash_bargaining(c, x, s, ref.reshape(b * n_i))
    else:
        run = bdm(
            c,
            x,
            s,
            rounds=int(prep.settings["rounds"]),
            params=BdmParams(),
            scale=np.tile(data.scales, (b, 1)),
            involved=np.tile(data.involved, (1, b)),
            detail=False,
        )
        f = run.forecast
    return np.asarray(f, dtype=float).reshape(b, n_i)


@dataclass(frozen=True, eq=False)
class BatchOutput:
    """What a batch contributes to a run."""

    index: int
    classes: np.ndarray  # (samples, scenarios + 1): weight of each scenario, unclassified last
    values: np.ndarray  # (samples, inputs): the drawn inputs
    forecasts: np.ndarray  # (samples, issues)
    eq_count: np.ndarray  # (states,): in how many samples each state is an equilibrium
    outcome: np.ndarray  # (states,): summed outcome weight of each state
    unresolved: int  # samples with no equilibrium reachable from the status quo
    phases: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # phase statistics, summed

    @property
    def n(self) -> int:
        return int(self.classes.shape[0])


def batch_sizes(samples: int, batch_size: int) -> list[int]:
    full, rest = divmod(samples, batch_size)
    return [batch_size] * full + ([rest] if rest else [])


def evaluate(prep: Prepared, index: int, size: int) -> BatchOutput:
    """Batch ``index`` of ``size`` samples."""
    st = prep.settings
    ss = np.random.SeedSequence(int(st["seed"]), spawn_key=(index,))
    rng = np.random.default_rng(ss)
    return evaluate_uniform(prep, index, rng.random((size, len(prep.inputs))))


def evaluate_uniform(prep: Prepared, index: int, u: np.ndarray) -> BatchOutput:
    """The samples whose inputs are drawn from the uniform numbers ``u``
    (samples × inputs), as batch ``index``."""
    values = draw(list(prep.inputs), u)
    return evaluate_values(prep, index, values)


def outcomes(
    prep: Prepared, payoffs: np.ndarray, eq: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sample (payoffs: samples × decision makers × states): the
    equilibria (samples × states; computed unless given), the outcome weight
    of each state (the equilibria reachable from the status quo, shared by the
    rule), and the number of reachable equilibria counted (0: unresolved)."""
    space, st = prep.space, prep.settings
    assert space is not None and space.status_quo is not None
    concept = st["concept"]
    if eq is None:
        eq = np.asarray(batch_stability(space, payoffs, [concept])[concept].all(axis=1))  # samples × states
    dist = batch_distance(space, payoffs, space.status_quo)
    weight, counts = _shares(st["rule"], eq & (dist >= 0), dist)
    return eq, weight, counts


def _shares(rule: str, reach: np.ndarray, dist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's outcome weight per state (the reachable equilibria, shared
    by ``rule``) and how many equilibria share it (0: unresolved)."""
    if rule == "nearest":
        big = np.iinfo(np.int32).max
        dmin = np.where(reach, dist, big).min(axis=1, keepdims=True)
        reach = reach & (dist == dmin)
    counts = reach.sum(axis=1)
    weight = np.where(counts[:, None] > 0, reach / np.maximum(counts, 1)[:, None], 0.0)
    return weight, counts


def evaluate_values(
    prep: Prepared,
    index: int,
    values: np.ndarray,
    found: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> BatchOutput:
    """The batch of the samples whose drawn inputs are ``values`` (samples × inputs);
    ``found``: their :func:`outcomes`, when already computed."""
    size = values.shape[0]
    forecasts = _forecasts(prep, values)
    q = [forecasts[:, i, None] for i in range(forecasts.shape[1])]
    space = prep.space
    eq: np.ndarray
    phase_stats = np.zeros((0, 0))
    if space is None:  # bargaining only: the forecasts are the outcome
        weight = np.ones((size, 1))
        codes = np.zeros((1, 1), dtype=np.uint64)
        eq = np.zeros((size, 0), dtype=bool)
        counts = np.ones(size, dtype=np.int64)
    else:
        if found is not None:
            eq, weight, counts = found
        elif has_phases(prep.conflict):  # each party on its own picture, phase by phase
            st = prep.settings
            payoffs = _payoffs(prep, values)
            eq, reach, dist, phase_stats = run_phases(prep, payoffs, values, st["concept"])
            phase_stats = compare_full_information(space, payoffs, st["concept"], reach, phase_stats)
            weight, counts = _shares(st["rule"], reach, dist)
        else:
            eq, weight, counts = outcomes(prep, _payoffs(prep, values))
        codes = space.codes[None, :]
    classes = np.zeros((size, prep.n_buckets))
    taken = np.zeros(weight.shape, dtype=bool)
    for s, cond in enumerate(prep.conditions):
        holds = np.broadcast_to(cond.evaluate(codes, q), taken.shape) & ~taken
        classes[:, s] = (weight * holds).sum(axis=1)
        taken |= holds
    classes[:, -1] = np.clip(1.0 - classes[:, :-1].sum(axis=1), 0.0, 1.0)
    return BatchOutput(
        index=index,
        classes=classes,
        values=values,
        forecasts=forecasts,
        eq_count=eq.sum(axis=0).astype(np.int64),
        outcome=weight.sum(axis=0) if space is not None else np.zeros(0),
        unresolved=int((counts == 0).sum()),
        phases=phase_stats,
    )


def compute_batch(task: str, index: int) -> bytes:
    """Compute batch ``index`` of ``task`` and return it packed (see :func:`pack`).

    A top-level function of plain arguments, so that process pools and Dask
    workers can run it.
    """
    prep = prepared(task)
    st = prep.settings
    sizes = batch_sizes(int(st["samples"]), int(st["batch_size"]))
    if not 0 <= index < len(sizes):
        raise BackchannelError(f"batch {index} is out of range (the run has {len(sizes)})")
    return pack(evaluate(prep, index, sizes[index]))


# -- packing: a fixed, byte-stable format ---------------------------------------

_ARRAYS = ("classes", "values", "forecasts", "eq_count", "outcome", "phases")


def pack(out: BatchOutput) -> bytes:
    """A batch as bytes: a JSON header line, then the arrays' raw little-endian bytes."""
    arrays = {k: np.ascontiguousarray(getattr(out, k)) for k in _ARRAYS}
    header = {
        "index": out.index,
        "unresolved": out.unresolved,
        "arrays": {k: [a.dtype.str, list(a.shape)] for k, a in arrays.items()},
    }
    buf = io.BytesIO()
    buf.write(json.dumps(header, sort_keys=True).encode() + b"\n")
    for k in _ARRAYS:
        buf.write(arrays[k].astype(arrays[k].dtype.newbyteorder("<")).tobytes())
    return buf.getvalue()


def unpack(payload: bytes) -> BatchOutput:
    line, _, rest = payload.partition(b"\n")
    header = json.loads(line)
    out: dict[str, np.ndarray] = {}
    pos = 0
    for k in _ARRAYS:
        dtype, shape = header["arrays"][k]
        dt = np.dtype(dtype).newbyteorder("<")
        size = int(np.prod(shape)) * dt.itemsize
        out[k] = np.frombuffer(rest[pos : pos + size], dtype=dt).reshape(shape)
        pos += size
    return BatchOutput(index=header["index"], unresolved=header["unresolved"], **out)
