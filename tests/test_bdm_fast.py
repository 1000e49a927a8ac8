"""The compiled round of the expected-utility model (``bargaining/bdm_fast.py``)
gives the NumPy reference's numbers bit for bit: every array of the result and
its JSON, on random inputs with ties, left-out actors, every variant of
:class:`BdmParams` the fast path covers, and issues split into chunks that run
on two threads."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.bargaining import BdmParams, bdm
from backchannel.bargaining.bdm_fast import supported

bdm_module = sys.modules["backchannel.bargaining.bdm"]
fast_module = sys.modules["backchannel.bargaining.bdm_fast"]

ARRAYS = (
    "positions",
    "medians",
    "means",
    "risk",
    "accepted",
    "outcome",
    "eu_challenge",
    "eu_estimate",
    "probability",
    "repeat",
    "period",
)


@pytest.fixture(autouse=True)
def _compiled_whatever_the_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small models run NumPy until Numba is loaded; here the kernels always run."""
    monkeypatch.setattr(bdm_module, "_worth_compiling", lambda shape: True)


def _both(*args: object, **kwargs: object) -> tuple[object, object]:
    fast = bdm(*args, **kwargs)  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bdm_module, "_FAST", False)
        ref = bdm(*args, **kwargs)  # type: ignore[arg-type]
    return fast, ref


def _assert_identical(fast: object, ref: object) -> None:
    for name in ARRAYS:
        a, b = getattr(fast, name), getattr(ref, name)
        if b is None:
            assert a is None, name
            continue
        assert a.shape == b.shape and a.dtype == b.dtype, name
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
        if a.dtype.kind == "f":
            assert np.array_equal(np.signbit(a), np.signbit(b)), name
    assert json.dumps(fast.to_dict()) == json.dumps(ref.to_dict())  # type: ignore[attr-defined]


PARAMS = st.builds(
    BdmParams,
    probability=st.sampled_from(["scholz", "pairwise", "net"]),
    risk=st.sampled_from(["scholz", "neutral"]),
    risk_in_votes=st.booleans(),
    perspective=st.sampled_from(["own", "true"]),
    offer_selection=st.sampled_from(["priority", "scholz_code", "least_move", "strongest"]),
)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 14),
    m=st.integers(1, 4),
    grid=st.sampled_from([0.0, 1.0, 5.0, 25.0]),
    params=PARAMS,
    masked=st.booleans(),
)
def test_fast_round_equals_reference(
    seed: int, n: int, m: int, grid: float, params: BdmParams, masked: bool
) -> None:
    rng = np.random.default_rng(seed)
    c = rng.uniform(0.05, 1.0, n)
    x = rng.uniform(0.0, 100.0, (n, m))
    if grid:  # ties, and voters exactly at a midpoint
        x = np.round(x / grid) * grid
    s = rng.uniform(0.0, 1.0, (n, m))
    s[rng.uniform(size=(n, m)) < 0.1] = 0.0
    s[0] = np.maximum(s[0], 0.5)  # every issue keeps an actor with weight
    involved = None
    if masked:
        involved = rng.uniform(size=(n, m)) < 0.8
        involved[0] = True
    assert supported(params)
    fast, ref = _both(c, x, s, rounds=6, params=params, scale=(0, 100), involved=involved, detail=True)
    _assert_identical(fast, ref)


@pytest.mark.parametrize("detail", [True, False])
def test_chunks_on_threads_equal_reference(monkeypatch: pytest.MonkeyPatch, detail: bool) -> None:
    """Issues split into many chunks (run two at a time) give the same numbers."""
    monkeypatch.setattr(fast_module, "_CHUNK_DYADS", 200)
    rng = np.random.default_rng(5)
    n, m = 12, 9
    c = rng.uniform(0.1, 1.0, n)
    x = np.round(rng.uniform(0, 100, (n, m)))
    s = rng.uniform(0.1, 1.0, (n, m))
    fast, ref = _both(c, x, s, rounds="auto", scale=(0, 100), detail=detail)
    _assert_identical(fast, ref)


def test_many_actors_equal_reference() -> None:
    """Above the reference's small-n branches (sorted searches, cumsum) too."""
    rng = np.random.default_rng(11)
    n, m = 90, 2
    c = rng.uniform(0.1, 1.0, n)
    x = rng.uniform(0, 100, (n, m))
    x[:20] = np.round(x[:20])
    s = rng.uniform(0.1, 1.0, (n, m))
    fast, ref = _both(c, x, s, rounds=5, scale=(0, 100))
    _assert_identical(fast, ref)


@pytest.mark.parametrize(
    "params",
    [
        BdmParams(probability="pairwise", offer_selection="scholz_code"),
        BdmParams(probability="net", risk_in_votes=False, offer_selection="least_move"),
        BdmParams(perspective="true", offer_selection="strongest"),
        BdmParams(risk="neutral"),
    ],
)
@pytest.mark.parametrize("masked", [False, True])
def test_many_actors_variants_equal_reference(params: BdmParams, masked: bool) -> None:
    """Row blocks of the powers, merged rows of the normaliser, or NumPy's
    normaliser when some actors are left out, with the other variants."""
    rng = np.random.default_rng(17)
    n, m = 70, 2
    c = rng.uniform(0.1, 1.0, n)
    x = np.round(rng.uniform(0, 100, (n, m)), 1)
    s = rng.uniform(0.1, 1.0, (n, m))
    involved = rng.uniform(size=(n, m)) < 0.85 if masked else None
    fast, ref = _both(c, x, s, rounds=4, params=params, scale=(0, 100), involved=involved, detail=True)
    _assert_identical(fast, ref)


def test_other_q_takes_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    params = BdmParams(q=0.5, t=0.5)
    assert not supported(params)
    monkeypatch.setattr(bdm_module, "fast_round", None)  # would fail if called
    r = bdm([1, 2, 3], [1, 5, 9], [0.5, 0.6, 0.7], rounds=2, params=params)
    assert r.positions.shape == (3, 3)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40), m=st.integers(1, 30), grid=st.booleans())
def test_median_and_mean_rows_equal_numpy(seed: int, n: int, m: int, grid: bool) -> None:
    """The compiled weighted median and mean (up to ``rows.SMALL`` actors, NumPy
    above) are NumPy's to the bit: ties, zero weights, weights spanning decades."""
    from backchannel.bargaining.arrays import _weighted_mean_rows, _weighted_median_rows
    from backchannel.bargaining.rows import median_mean

    rng = np.random.default_rng(seed)
    x = rng.uniform(-50, 50, (m, n))
    if grid:
        x = np.round(x / 10) * 10
    w = rng.uniform(0, 1, (m, n)) * 10.0 ** rng.uniform(-6, 6, (m, n))
    w[rng.uniform(size=(m, n)) < 0.2] = 0.0
    w[:, 0] += 0.5
    if grid and n % 2 == 0:  # a position splitting the weight exactly in half
        w[0] = 1.0
    med, mean = median_mean(x, w)
    ref_med, ref_mean = _weighted_median_rows(x, w), _weighted_mean_rows(x, w)
    assert np.array_equal(med, ref_med) and np.array_equal(np.signbit(med), np.signbit(ref_med))
    assert np.array_equal(mean, ref_mean) and np.array_equal(np.signbit(mean), np.signbit(ref_mean))


def test_latest_repeat_equals_numpy() -> None:
    from backchannel.bargaining.rows import latest_repeat

    rng = np.random.default_rng(3)
    rounds, m, n = 7, 40, 3
    hist = np.round(rng.uniform(0, 2, (rounds + 1, m, n)))
    seen = []
    for k in range(rounds):
        rows = np.sort(rng.choice(m, size=25, replace=False))
        new_x = hist[k + 1, rows]
        same = (hist[: k + 1, rows] == new_x).all(axis=2)
        expected = np.where(same.any(axis=0), k - np.argmax(same[::-1], axis=0), -1)
        assert np.array_equal(latest_repeat(hist, rows, k, new_x), expected)
        seen.extend(expected.tolist())
    assert min(seen) == -1 and max(seen) > 0
