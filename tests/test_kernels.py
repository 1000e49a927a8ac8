"""The compiled kernels of the stability engine against their references.

``tests/test_properties.py`` checks the whole engine against a brute force
written from the definitions; this file checks the pieces that test cannot
reach on its small random conflicts: the reachability sweep on arbitrary move
graphs (not only those a conflict generates) with per-move restrictions, the
shortcut for decision makers whose moves form cliques, the sorted-codes search
used when there are too many options for a dense lookup table, the budget of
the joint SIM search, and the threaded analysis.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from backchannel.case.model import Conflict
from backchannel.errors import AnalysisRefused
from backchannel.gmcr import sim, statespace
from backchannel.gmcr.engine import reachable_min_arrays, reachable_min_batch, stability_matrix
from backchannel.gmcr.statespace import Moves, compile_conflict
from strategies import conflicts
from test_properties import TOGETHER

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)


@pytest.fixture(autouse=True)
def _compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernels, whatever the size (small spaces run NumPy by default)."""
    monkeypatch.setenv("BACKCHANNEL_KERNELS", "always")


def _random_moves(rng: np.random.Generator, n: int, density: float) -> Moves:
    adj = rng.random((n, n)) < density
    np.fill_diagonal(adj, False)
    src, tgt = np.nonzero(adj)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return Moves(indptr, tgt.astype(np.int32))


@FAST
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 30),
    movers=st.integers(1, 4),
    samples=st.integers(1, 3),
    restricted=st.booleans(),
)
def test_reachability_agrees_with_the_array_form_on_any_graph(
    seed: int, n: int, movers: int, samples: int, restricted: bool
) -> None:
    rng = np.random.default_rng(seed)
    moves = [_random_moves(rng, n, float(rng.uniform(0.02, 0.3))) for _ in range(movers)]
    value = rng.integers(-5, 6, size=(samples, n)).astype(np.int32)
    allowed = [rng.random((samples, m.n_moves)) < 0.6 for m in moves] if restricted else None
    want = reachable_min_arrays(moves, value, allowed)
    assert np.array_equal(reachable_min_batch(moves, value, allowed), want)


@FAST
@given(conflicts(max_dms=4, max_options=8))
def test_clique_shortcut_changes_nothing(conflict: Conflict) -> None:
    space = compile_conflict(conflict)
    plain = [Moves(m.indptr, m.targets) for m in space.moves]
    for k in range(space.n_dms):
        others = [j for j in range(space.n_dms) if j != k]
        value = space.payoffs[k][None, :]
        a = reachable_min_batch([space.moves[j] for j in others], value, None)
        b = reachable_min_batch([plain[j] for j in others], value, None)
        assert np.array_equal(a, b)
        rng = np.random.default_rng(k)
        allowed = [rng.random((1, space.moves[j].n_moves)) < 0.5 for j in others]
        a = reachable_min_batch([space.moves[j] for j in others], value, allowed)
        b = reachable_min_arrays([plain[j] for j in others], value, allowed)
        assert np.array_equal(a, b)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(conflicts(max_dms=4, max_options=8))
def test_sorted_code_search_agrees_with_the_dense_table(conflict: Conflict) -> None:
    dense = compile_conflict(conflict)
    saved = statespace._DENSE_LOOKUP_BITS
    statespace._DENSE_LOOKUP_BITS = 0  # no table: moves and SIM look codes up by binary search
    try:
        searched = compile_conflict(conflict)
    finally:
        statespace._DENSE_LOOKUP_BITS = saved
    assert searched._lookup is None
    for a, b in zip(dense.moves, searched.moves, strict=True):
        assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.targets, b.targets)
    for mode in sim.SIM_MODES:
        x = stability_matrix(dense, sim_mode=mode)
        y = stability_matrix(searched, sim_mode=mode)
        assert all(np.array_equal(x[c], y[c]) for c in x)


def test_joint_search_stops_at_its_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    space = compile_conflict(Conflict.model_validate(TOGETHER))
    monkeypatch.setattr(sim, "MAX_JOINT_WORK", 0)
    with pytest.raises(AnalysisRefused, match=r"by state \d+ the search has built 0 joint replies") as e:
        stability_matrix(space, ["sim"])
    assert "--sim pairwise" in str(e.value)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(conflicts(min_dms=3, max_dms=4, max_options=8))
def test_threads_give_the_same_answer(conflict: Conflict) -> None:
    space = compile_conflict(conflict)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BACKCHANNEL_THREADS", "1")
        one = stability_matrix(space)
        mp.setenv("BACKCHANNEL_THREADS", "3")
        three = stability_matrix(space)
    assert all(np.array_equal(one[c], three[c]) for c in one)
