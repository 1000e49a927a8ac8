"""The batched engine (:mod:`backchannel.gmcr.batch`) equals the engine and the
evolution analysis sample by sample, on random conflicts with random payoffs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.case.model import Conflict
from backchannel.gmcr.batch import batch_distance, batch_stability, dense_rank
from backchannel.gmcr.engine import CONCEPTS, stability_matrix
from backchannel.gmcr.evolution import evolution
from backchannel.gmcr.statespace import compile_conflict
from strategies import conflicts


@settings(max_examples=60, deadline=None)
@given(conflicts(), st.integers(0, 2**32 - 1))
def test_batch_equals_engine_per_sample(conflict: Conflict, seed: int) -> None:
    space = compile_conflict(conflict)
    rng = np.random.default_rng(seed)
    b = 4
    payoffs = rng.integers(0, 4, size=(b, space.n_dms, space.n_states)).astype(np.int32)
    payoffs[0] = space.payoffs  # the case's own preferences among the samples
    got = batch_stability(space, payoffs, CONCEPTS)
    start = space.status_quo if space.status_quo is not None else 0
    dist = batch_distance(space, payoffs, start)
    for s in range(b):
        sample = replace(space, payoffs=payoffs[s])
        want = stability_matrix(sample, CONCEPTS)
        for c in CONCEPTS:
            np.testing.assert_array_equal(got[c][s], want[c], err_msg=f"{c}, sample {s}")
        ev = evolution(sample, start + 1)
        np.testing.assert_array_equal(dist[s], ev.distance)


def test_dense_rank_matches_unique() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(0, 5, size=(6, 30))
    want = np.stack([np.unique(row, return_inverse=True)[1] for row in x])
    np.testing.assert_array_equal(dense_rank(x), want)
