"""The compiled kernels of the Monte Carlo path (issue 11) against the implementations they
replaced (kept in ``reference_scenarios``): status-quo distance and stability of the batched
engine, the phase walk, the payoffs per sample and per statement edit, on random conflicts,
random phased conflicts and random samples of the flagship; and the process pool, forked or
spawned, against the run in this process."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backchannel.case.model import Conflict
from backchannel.case.uncertainty import draw
from backchannel.errors import ModelError
from backchannel.gmcr.batch import batch_distance, batch_stability, reachable_nash
from backchannel.gmcr.engine import CONCEPTS
from backchannel.gmcr.statespace import compile_conflict
from backchannel.scenarios.montecarlo import Prepared, _payoffs, prepare, prepared
from backchannel.scenarios.phases import _phase_run, compare_full_information, run_phases
from backchannel.scenarios.run import _case_text, make_task, scenarios, settings_of
from backchannel.scenarios.whatif import _payoffs as whatif_payoffs
from backchannel.scenarios.whatif import edits
from reference_scenarios import (
    ref_batch_distance,
    ref_batch_stability,
    ref_payoffs,
    ref_run_phases,
    ref_whatif_payoffs,
)
from strategies import conflict_dicts, conflicts


def _settings(concept: str = "nash", samples: int = 100) -> dict[str, Any]:
    return settings_of(
        samples=samples,
        seed=0,
        concept=concept,
        rule="split",
        forecast_model="compromise",
        batch_size=100,
        rounds=10,
        max_states=None,
    )


def _flagship(concept: str = "nash") -> Prepared:
    return prepared(make_task(*_case_text("ukraine-backchannel"), _settings(concept)))


# -- the batched engine --------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(conflicts(), st.integers(0, 2**32 - 1))
def test_distance_and_stability_equal_the_reference(conflict: Conflict, seed: int) -> None:
    space = compile_conflict(conflict)
    rng = np.random.default_rng(seed)
    payoffs = rng.integers(0, 5, size=(7, space.n_dms, space.n_states)).astype(np.int32)
    got, want = batch_stability(space, payoffs, CONCEPTS), ref_batch_stability(space, payoffs, CONCEPTS)
    for start in {0, space.n_states - 1, int(rng.integers(space.n_states))}:
        dist = ref_batch_distance(space, payoffs, start)
        np.testing.assert_array_equal(batch_distance(space, payoffs, start), dist)
        np.testing.assert_array_equal(
            reachable_nash(space, payoffs, start), want["nash"].all(axis=1) & (dist >= 0)
        )
    for c in CONCEPTS:
        np.testing.assert_array_equal(got[c], want[c], err_msg=c)
    only_nash = batch_stability(space, payoffs, ["nash"])  # without the other concepts' arrays
    np.testing.assert_array_equal(only_nash["nash"], want["nash"])


def test_distance_and_stability_on_flagship_samples() -> None:
    prep = _flagship()
    space = prep.space
    assert space is not None and space.status_quo is not None
    values = draw(list(prep.inputs), np.random.default_rng(5).random((300, len(prep.inputs))))
    payoffs = _payoffs(prep, values)
    np.testing.assert_array_equal(
        batch_distance(space, payoffs, space.status_quo), ref_batch_distance(space, payoffs, space.status_quo)
    )
    nash = ref_batch_stability(space, payoffs)["nash"]
    np.testing.assert_array_equal(batch_stability(space, payoffs)["nash"], nash)
    reached = ref_batch_distance(space, payoffs, space.status_quo) >= 0
    full = reachable_nash(space, payoffs, space.status_quo)
    np.testing.assert_array_equal(full, nash.all(axis=1) & reached)
    assert full.any() and not full.all()


# -- the phase walk ------------------------------------------------------------------------


@st.composite
def phased_cases(draw_: st.DrawFn) -> dict[str, Any]:
    """A random conflict with a status quo, a scenario, and a timeline of 2–3 phases in which
    decision makers may not know of (or not see) others' options, ending by moves, a leak or
    an option taken."""
    data = draw_(conflict_dicts(max_dms=3, max_options=6))
    owner = {o["name"]: dm["name"] for dm in data["decision_makers"] for o in dm["options"]}
    names = list(owner)
    phases = []
    n_phases = draw_(st.integers(2, 3))
    for i in range(n_phases):
        perceptions: dict[str, Any] = {}
        for dm in data["decision_makers"]:
            others = [o for o in names if owner[o] != dm["name"]]
            if not others or draw_(st.booleans()):
                continue
            hidden = draw_(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
            key = draw_(st.sampled_from(["unaware_of", "unsure_of"]))
            per: dict[str, Any] = {key: hidden}
            if draw_(st.booleans()):
                per["aware_probability"] = {hidden[0]: draw_(st.sampled_from([0.25, 0.5, 0.9]))}
            perceptions[dm["name"]] = per
        phase: dict[str, Any] = {"name": f"p{i}", "perceptions": perceptions}
        if i < n_phases - 1:
            kind = draw_(st.sampled_from(["moves", "leak", "when"]))
            if kind == "moves":
                phase["ends"] = {"moves": draw_(st.integers(0, 3))}
            elif kind == "leak":
                phase["ends"] = {"leak": draw_(st.sampled_from([0.2, 0.5, 0.9]))}
            else:
                phase["ends"] = {"when": draw_(st.sampled_from(names))}
        phases.append(phase)
    data["timeline"] = phases
    data["status_quo"] = 1
    data["scenarios"] = {"first": names[0]}
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(phased_cases(), st.sampled_from(["nash", "nash", "gmr", "seq"]), st.integers(0, 2**32 - 1))
def test_phase_walk_equals_the_reference(data: dict[str, Any], concept: str, seed: int) -> None:
    try:
        prep = prepare(Conflict.model_validate(data), _settings(concept))
        assert prep.space is not None
        rng = np.random.default_rng(seed)
        values = draw(list(prep.inputs), rng.random((9, len(prep.inputs))))
        payoffs = rng.integers(0, 4, size=(9, prep.space.n_dms, prep.space.n_states)).astype(np.int32)
        _phase_run(prep)  # compiles the phases
    except ModelError:  # e.g. a perceived game with no state
        assume(False)
        return
    want = ref_run_phases(prep, payoffs, values, concept)
    got = run_phases(prep, payoffs, values, concept)
    for g, w, what in zip(got, want, ("equilibria", "outcomes", "distance", "statistics"), strict=True):
        np.testing.assert_array_equal(g, w, err_msg=what)


@pytest.mark.parametrize("concept", ["nash", "gmr"])
def test_phase_walk_on_flagship_samples(concept: str) -> None:
    prep = _flagship(concept)
    space = prep.space
    assert space is not None
    values = draw(list(prep.inputs), np.random.default_rng(9).random((120, len(prep.inputs))))
    payoffs = _payoffs(prep, values)
    got = run_phases(prep, payoffs, values, concept)
    want = ref_run_phases(prep, payoffs, values, concept)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    assert got[1].any(axis=1).all()  # every sample has an outcome: the walk was not vacuous
    full = compare_full_information(space, payoffs, concept, got[1], got[3])
    assert full.shape == (got[3].shape[0] + 1, got[3].shape[1])


# -- payoffs -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["ukraine-backchannel", "elmira", "syria-iraq", "chicken"])
def test_payoffs_equal_the_reference(case: str) -> None:
    prep = prepared(make_task(*_case_text(case), _settings()))
    values = draw(list(prep.inputs), np.random.default_rng(2).random((400, len(prep.inputs))))
    np.testing.assert_array_equal(_payoffs(prep, values), ref_payoffs(prep, values))


@settings(max_examples=40, deadline=None)
@given(conflict_dicts(), st.integers(0, 2**32 - 1))
def test_payoffs_with_uncertain_preferences_equal_the_reference(data: dict[str, Any], seed: int) -> None:
    """Random conflicts with some statements uncertain, alternative orderings and uncertain pairs."""
    rng = np.random.default_rng(seed)
    first = data["decision_makers"][0]["options"][0]["name"]
    for dm in data["decision_makers"]:
        prefs = dm["preferences"]
        if "prioritization" in prefs:
            prefs["prioritization"] = [
                {"statement": s if isinstance(s, str) else s["statement"], "probability": 0.5}
                if rng.random() < 0.6
                else s
                for s in prefs["prioritization"]
            ]
        if rng.random() < 0.5:
            prefs["alternatives"] = [{"prioritization": [f"not {first}"], "weight": 0.3}]
        if rng.random() < 0.5:
            prefs["uncertain"] = [{"states": [1, 2], "p": 0.4}]
    data["status_quo"] = 1
    try:
        prep = prepare(Conflict.model_validate(data), _settings())
    except (ModelError, ValueError):
        assume(False)
        return
    values = draw(list(prep.inputs), rng.random((30, len(prep.inputs))))
    np.testing.assert_array_equal(_payoffs(prep, values), ref_payoffs(prep, values))


def test_statement_edit_payoffs_equal_the_reference() -> None:
    prep = _flagship()
    assert prep.space is not None
    singles = [(e,) for e in edits(prep)]
    pairs = [(a[0], b[0]) for a, b in itertools.pairwise(singles) if a[0].dm != b[0].dm]
    changes = singles + pairs
    assert len(singles) > 10 and pairs
    np.testing.assert_array_equal(
        whatif_payoffs(prep.space, changes), ref_whatif_payoffs(prep.space, changes)
    )


# -- the process pool ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_forked_and_spawned_pools_equal_in_process(monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    from backchannel.scenarios import backends
    from test_scenarios import _children

    monkeypatch.setattr(backends, "start_method", lambda: method)
    a = scenarios("ukraine-backchannel", samples=900, seed=7, batch_size=100)
    b = scenarios("ukraine-backchannel", samples=900, seed=7, batch_size=100, backend="processes", workers=2)
    assert a.to_json() == b.to_json()
    assert _children() == []


def test_fork_only_from_a_single_thread() -> None:
    import sys
    import threading

    from backchannel.scenarios.backends import start_method

    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert start_method() == "spawn"
    finally:
        stop.set()
        t.join()
    if threading.active_count() == 1:
        assert start_method() == ("fork" if sys.platform == "linux" else "spawn")


def test_tasks_are_shared_among_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from backchannel.scenarios import backends

    monkeypatch.setattr(backends, "_timed", lambda task, idx: [(i, b"", 0.001) for i in idx])
    groups = backends._grouped("task", list(range(41)), lambda *a: None, None, 2)
    assert sorted(i for g in groups for i in g) == list(range(1, 41))
    assert len(groups) >= backends.TASKS_PER_WORKER * 2
