"""Spatial bargaining models: published results and properties.

The regression case is the EC emission-standards issue of Bueno de Mesquita
(1994, p. 78), replayed by Scholz, Calbert & Smith (2011, Table 2).
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest

from backchannel.bargaining import (
    OUTCOMES,
    BdmParams,
    bdm,
    compromise,
    ensemble,
    nash_bargaining,
    weighted_median,
)

# name: capability, position (years), salience
EC = {
    "Netherlands": (0.08, 4, 0.8),
    "Belgium": (0.08, 7, 0.4),
    "Luxembourg": (0.03, 4, 0.2),
    "Germany": (0.16, 4, 0.8),
    "France": (0.16, 10, 0.6),
    "Italy": (0.16, 10, 0.6),
    "UK": (0.16, 10, 0.9),
    "Ireland": (0.05, 7, 0.1),
    "Denmark": (0.05, 4, 1.0),
    "Greece": (0.08, 7, 0.7),
}
NAMES = list(EC)
C, X, S = (np.array(col, dtype=float) for col in zip(*EC.values(), strict=True))
# Scholz, Calbert & Smith (2011), Table 2: the median position after rounds 1–8.
TABLE_2 = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6]
# What the default parameters give (rounds 0–8), pinned.
DEFAULT_MEDIANS = [7.0, 8.41593, 9.61086, 9.96198, 9.96198, 9.96198, 7.47205, 8.82459, 9.67113]


def _random_case(seed: int, n: int = 12, m: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    c = rng.uniform(0.05, 1.0, n)
    x = np.round(rng.uniform(0, 100, (n, m)), 1)  # some shared positions
    s = rng.uniform(0.05, 1.0, (n, m))
    return c, x, s


# ---------------------------------------------------------------------------
# The EC emission-standards case
# ---------------------------------------------------------------------------


def test_ec_compromise_and_weighted_median() -> None:
    assert compromise(C, X, S) == pytest.approx(7.39, abs=0.005)
    assert compromise(C, X, S) == pytest.approx(5.003 / 0.677)
    assert weighted_median(C, X, S) == 7.0


def test_ec_bdm_reproduces_scholz_table_2() -> None:
    """The default parameters give Scholz et al.'s Table 2 within 0.3 in every round.

    Remaining gap: round 2.  The model gives 9.611 (Belgium's second
    compromise towards France, from 8.416), the table prints 9.9.  Every other
    round agrees with the digit the table prints, the table truncating rather
    than rounding (9.962 → 9.9, 7.472 → 7.4, 9.671 → 9.6).  No reading of the
    open choices that we tried (probability normaliser, risk in the votes,
    perspective, offer selection, Q/T and the sign slip, exclusion of the pair
    from the votes, current or initial range) gives 9.9 in round 2 without
    breaking other rounds; the public transcription of the authors' code
    (jmckib/bdm-scholz-expected-utility-model) gives 9.611 as well.
    """
    result = bdm(C, X, S, rounds=8)
    medians = result.medians
    assert medians[0] == 7.0
    assert np.allclose(medians, DEFAULT_MEDIANS, atol=5e-6)
    for published, ours in zip(TABLE_2, medians[1:], strict=True):
        assert abs(ours - published) < 0.3
    truncated = [math.floor(v * 10 + 1e-9) / 10 for v in medians[1:]]
    assert [t == p for t, p in zip(truncated, TABLE_2, strict=True)] == [True, False, *[True] * 6]


def test_ec_bdm_who_moves() -> None:
    result = bdm(C, X, S, rounds=8, detail=True)
    first = [(NAMES[m["actor"]], m["kind"], NAMES[m["towards"]], round(m["to"], 3)) for m in result.moves(1)]
    assert first == [
        ("Belgium", "compromise", "France", 8.416),
        ("Luxembourg", "conflict_lost", "Belgium", 7.0),
        ("Ireland", "conflict_lost", "Luxembourg", 4.0),
    ]
    # Every round, only these three small actors move; the median follows them.
    movers = {NAMES[m["actor"]] for m in result.moves()}
    assert movers == {"Belgium", "Luxembourg", "Ireland"}
    # Round 4: Belgium compromises towards the Netherlands, Luxembourg takes its old place.
    fourth = {NAMES[m["actor"]]: (m["kind"], NAMES[m["towards"]]) for m in result.moves(4)}
    assert fourth["Belgium"] == ("compromise", "Netherlands")
    assert fourth["Luxembourg"] == ("conflict_lost", "Belgium")
    # the interactions of a round: France can press Belgium (from Belgium's side, a compromise)
    rows = result.interactions(1)
    be_fr = next(r for r in rows if (r["actor"], r["other"]) == (1, 4))
    assert be_fr["outcome"] == "compromise" and not be_fr["challenges"]
    assert be_fr["eu_challenge"] < 0 < be_fr["eu_estimate"]
    assert be_fr["offer"] == pytest.approx(8.41593, abs=1e-5)
    assert result.risk.shape == (8, 10)
    assert ((result.risk >= 0.5 - 1e-12) & (result.risk <= 2 + 1e-12)).all()


def test_ec_variants() -> None:
    # Reading the probability as the share of the i–j contest's votes: nobody moves.
    for probability in ("pairwise", "net"):
        r = bdm(C, X, S, rounds=8, params=BdmParams(probability=probability))
        assert np.allclose(r.medians, 7.0)
    # The transcription's compromise rule gives the same trajectory here.
    r = bdm(C, X, S, rounds=8, params=BdmParams(offer_selection="scholz_code"))
    assert np.allclose(r.medians, DEFAULT_MEDIANS, atol=5e-6)
    # "Least change of position" (the rule as worded) departs from Table 2.
    r = bdm(C, X, S, rounds=8, params=BdmParams(offer_selection="least_move"))
    assert np.allclose(r.medians[:2], DEFAULT_MEDIANS[:2], atol=5e-6)
    assert abs(r.medians[8] - TABLE_2[7]) > 1
    # Q < 1 brings in T and the sign of the last term.
    a = bdm(C, X, S, rounds=3, params=BdmParams(q=0.5, t=0.5), detail=True)
    b = bdm(C, X, S, rounds=3, params=BdmParams(q=0.5, t=0.5, legacy_sign=True), detail=True)
    assert a.eu_challenge is not None and b.eu_challenge is not None
    assert not np.allclose(a.eu_challenge[0], b.eu_challenge[0])


def test_ec_mirror_symmetry() -> None:
    """Turning the scale around mirrors the forecast with the default offer rule,
    but not with the transcribed compromise rule (which prefers low positions)."""
    a = bdm(C, X, S, rounds=8)
    b = bdm(C, 14 - X, S, rounds=8)
    assert np.allclose(a.medians, 14 - b.medians)
    c = bdm(C, 14 - X, S, rounds=8, params=BdmParams(offer_selection="scholz_code"))
    assert not np.allclose(a.medians, 14 - c.medians)


def test_ec_ensemble() -> None:
    e = ensemble(C, X, S, reference=0.0, rounds=8)
    assert e.models == ("compromise", "weighted_median", "nash_bargaining", "bdm")
    assert e.forecasts["bdm"] == pytest.approx(DEFAULT_MEDIANS[-1], abs=5e-6)
    values = [float(v) for v in e.forecasts.values()]
    assert e.low == min(values) and e.high == max(values)
    assert e.spread == pytest.approx(max(values) - min(values))
    assert e.std == pytest.approx(float(np.std(values)))
    d = e.to_dict()
    json.dumps(d)
    assert "not a confidence interval" in d["note"]
    assert e.to_dataframe().shape == (1, 8)
    # without a reference there is no Nash solution
    assert "nash_bargaining" not in ensemble(C, X, S, rounds=2).forecasts


# ---------------------------------------------------------------------------
# Nash bargaining
# ---------------------------------------------------------------------------


def test_nash_bargaining() -> None:
    # a disagreement point far away: the compromise model (Achen 2006)
    assert nash_bargaining(C, X, S, -1e5) == pytest.approx(compromise(C, X, S), abs=1e-3)
    # …and with linear losses, the weighted median
    assert nash_bargaining(C, X, S, 1e6, utility="linear") == pytest.approx(7.0, abs=1e-3)
    # a reference between the actors: no agreement is better for all
    assert nash_bargaining(C, X, S, 7.0) == 7.0
    assert nash_bargaining(C, X, S, 6.0, utility="linear") == 6.0
    # one actor gets its position
    assert nash_bargaining([1.0], [3.0], [0.5], 10.0) == pytest.approx(3.0, abs=1e-9)
    assert nash_bargaining([1.0], [3.0], [0.5], 10.0, utility="linear") == pytest.approx(3.0, abs=1e-9)
    # two actors, quadratic: maximise w1·log(x − d) + w1·log(2x1 − x − d) + w2·log(2x2 − x − d)…
    x0 = float(nash_bargaining([1, 1], [2, 4], [1, 1], 0.0))
    grad = 2 / x0 - 1 / (4 - x0) - 1 / (8 - x0)
    assert abs(grad) < 1e-8 and 0 < x0 <= 4
    # …and the solution lies between the reference and the nearest actor's mirror image
    assert 0 < nash_bargaining(C, X, S, 0.0) < 8
    assert nash_bargaining(C, X, S, 0.0, utility="linear") != nash_bargaining(C, X, S, 0.0)
    # several issues, a NaN reference where none is known
    xs = np.stack([X, X + 1], axis=1)
    out = nash_bargaining(C, xs, np.stack([S, S], axis=1), [0.0, np.nan])
    assert isinstance(out, np.ndarray) and out.shape == (2,)
    assert out[0] == pytest.approx(nash_bargaining(C, X, S, 0.0)) and np.isnan(out[1])


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("params", [BdmParams(), BdmParams(probability="pairwise", perspective="true")])
def test_unanimity_stays_put(params: BdmParams) -> None:
    x = np.full(6, 42.0)
    r = bdm([1, 2, 3, 4, 5, 6], x, [0.5] * 6, rounds=5, params=params)
    assert (r.positions == 42.0).all() and (r.medians == 42.0).all()
    assert r.moves() == [] and (r.outcome == 0).all()
    assert compromise([1, 2], [42, 42], [1, 1]) == 42.0
    assert weighted_median([1, 2], [42, 42], [1, 1]) == 42.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scaling_capabilities_changes_nothing(seed: int) -> None:
    c, x, s = _random_case(seed)
    base = bdm(c, x, s, rounds=8)
    for factor in (4.0, 3.7):
        other = bdm(c * factor, x, s, rounds=8)
        assert np.allclose(base.positions, other.positions)
        assert np.allclose(base.medians, other.medians)
        assert np.allclose(compromise(c, x, s), compromise(c * factor, x, s))
        assert np.allclose(weighted_median(c, x, s), weighted_median(c * factor, x, s))
        assert np.allclose(nash_bargaining(c, x, s, 0.0), nash_bargaining(c * factor, x, s, 0.0))


@pytest.mark.parametrize("seed", [4, 5, 6])
@pytest.mark.parametrize(
    "params",
    [
        BdmParams(),
        BdmParams(probability="pairwise"),
        BdmParams(probability="net", risk="neutral", risk_in_votes=False),
        BdmParams(perspective="true", offer_selection="least_move"),
        BdmParams(offer_selection="strongest", q=0.5, t=0.3),
        BdmParams(offer_selection="scholz_code", q=0.0, legacy_sign=True),
    ],
)
def test_positions_stay_within_the_actors_range(seed: int, params: BdmParams) -> None:
    c, x, s = _random_case(seed)
    r = bdm(c, x, s, rounds=10, params=params)
    lo, hi = x.min(axis=0), x.max(axis=0)
    assert ((r.positions >= lo - 1e-9) & (r.positions <= hi + 1e-9)).all()
    assert ((r.medians >= lo - 1e-9) & (r.medians <= hi + 1e-9)).all()
    for f in (compromise, weighted_median):
        v = f(c, x, s)
        assert ((v >= lo) & (v <= hi)).all()
    # who moved is consistent with the outcome codes
    for mv in r.moves():
        assert mv["kind"] in ("conflict_lost", "compromise", "capitulation")
    assert set(np.unique(r.outcome)) <= set(range(len(OUTCOMES)))


@pytest.mark.parametrize("params", [BdmParams(), BdmParams(probability="pairwise", perspective="true")])
def test_several_issues_equal_one_at_a_time(params: BdmParams) -> None:
    c, x, s = _random_case(7, n=15, m=4)
    scale = np.array([[0.0, 100.0]] * 4)
    together = bdm(c, x, s, rounds=10, params=params, scale=scale, detail=True)
    assert together.positions.shape == (11, 15, 4)
    assert together.medians.shape == (11, 4)
    assert together.outcome.shape == (10, 15, 15, 4)
    assert isinstance(together.forecast, np.ndarray)
    together_compromise = np.asarray(compromise(c, x, s))
    together_median = np.asarray(weighted_median(c, x, s))
    together_nash = np.asarray(nash_bargaining(c, x, s, 0.0))
    for q in range(4):
        alone = bdm(c, x[:, q], s[:, q], rounds=10, params=params, scale=(0, 100), detail=True)
        assert np.allclose(alone.positions, together.positions[:, :, q])
        assert np.allclose(alone.medians, together.medians[:, q])
        assert (alone.accepted == together.accepted[:, :, q]).all()
        assert together.eu_challenge is not None and alone.eu_challenge is not None
        assert np.allclose(alone.eu_challenge, together.eu_challenge[..., q])
        assert alone.forecast == pytest.approx(together.forecast[q])
        assert compromise(c, x[:, q], s[:, q]) == pytest.approx(together_compromise[q])
        assert weighted_median(c, x[:, q], s[:, q]) == together_median[q]
        assert nash_bargaining(c, x[:, q], s[:, q], 0.0) == pytest.approx(together_nash[q])
    json.dumps(together.to_dict())
    assert together.to_dataframe().shape == (11 * 15 * 4, 6)
    moves = together.moves(3)
    assert all("issue" in m for m in moves)
    assert together.interactions(3, issue=1) == bdm(
        c, x[:, 1], s[:, 1], rounds=10, params=params, scale=(0, 100), detail=True
    ).interactions(3)


def test_translation_and_shared_capability() -> None:
    c, x, s = _random_case(8)
    a = bdm(c, x, s, rounds=6)
    b = bdm(c, x + 250.0, s, rounds=6)
    assert np.allclose(a.medians + 250.0, b.medians)
    cm = np.broadcast_to(c[:, None], x.shape)
    assert np.allclose(bdm(cm, x, s, rounds=6).positions, a.positions)


def test_vote_sums_match_brute_force() -> None:
    """The prefix-sum vote totals equal the direct O(n³) sums."""
    bdm_module = sys.modules["backchannel.bargaining.bdm_kernel"]
    rng = np.random.default_rng(9)
    n, m = 9, 2
    x = np.round(rng.uniform(0, 10, (m, n)))  # ties on purpose
    w = rng.uniform(0.1, 1, (m, n))
    rho = rng.uniform(0.5, 2, (m, n))
    span = np.ptp(x, axis=1)
    geo = bdm_module._geometry(x, span)
    live = np.ones((m, n), dtype=bool)
    s, everything = bdm_module._votes_for(geo, w, live, rho, True)
    d = np.abs(x[:, :, None] - x[:, None, :]) / span[:, None, None]  # d[q, k, a]
    g = d ** rho[:, :, None]
    brute = np.einsum("qk,qkij->qij", w, np.maximum(g[:, :, None, :] - g[:, :, :, None], 0))
    assert np.allclose(s, brute)
    total = np.einsum("qk,qkab->q", w, np.abs(g[:, :, :, None] - g[:, :, None, :]))
    assert np.allclose(everything, total)
    # with some actors left out of the contests
    live[0, :3] = False
    _, partial = bdm_module._votes_for(geo, w, live, rho, False)
    keep = live[:, None, :, None] & live[:, None, None, :]
    total = np.einsum("qk,qkab->q", w, np.where(keep, np.abs(g[:, :, :, None] - g[:, :, None, :]), 0))
    assert np.allclose(partial, total)


def test_involved_mask() -> None:
    c, x, s = _random_case(10, n=10, m=2)
    involved = np.ones_like(x, dtype=bool)
    involved[:3, 0] = False
    r = bdm(c, x, s, rounds=6, involved=involved)
    assert (r.positions[:, :3, 0] == x[:3, 0]).all()
    assert (r.outcome[:, :3, :, 0] == 0).all() and (r.outcome[:, :, :3, 0] == 0).all()
    # issue 1 is unaffected by issue 0's mask
    alone = bdm(c, x[:, 1], s[:, 1], rounds=6)
    assert np.allclose(alone.positions, r.positions[:, :, 1])


def test_weighted_median_ties_and_zero_weights() -> None:
    assert weighted_median([1, 1], [0, 10], [1, 1]) == 5.0  # exactly half: the midpoint
    assert weighted_median([1, 1, 1], [0, 10, 20], [1, 1, 0]) == 5.0  # zero weight ignored
    assert weighted_median([1, 2], [0, 10], [1, 1]) == 10.0


def test_results_serialise() -> None:
    r = bdm(C, X, S, rounds=3)
    d = r.to_dict()
    text = json.dumps(d)
    assert d["parameters"]["probability"] == "scholz" and d["outcome_labels"] == list(OUTCOMES)
    assert len(d["medians"]) == 4 and len(d["moves"]) == 9
    assert json.loads(text)["positions"][0] == X.tolist()
    frame = r.to_dataframe()
    assert frame.shape == (4 * 10, 6)
    lean = bdm(C, X, S, rounds=3, detail=False)
    assert lean.eu_challenge is None and np.allclose(lean.medians, r.medians)
    json.dumps(lean.to_dict())
    with pytest.raises(ValueError, match="detail=False"):
        lean.interactions(1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: compromise([1, 2], [1, 2, 3], [1, 1, 1]), "capability has shape"),
        (lambda: compromise([1, -1], [1, 2], [1, 1]), "capability must be"),
        (lambda: compromise([1, 1], [1, np.nan], [1, 1]), "finite"),
        (lambda: compromise([0, 0], [1, 2], [1, 1]), "no actor has weight"),
        (lambda: weighted_median([1, 1], [[1, 2], [3, 4]], [[0, 1], [0, 1]]), "issue 0 has no weight"),
        (lambda: bdm(C, X, S * 100), "divide percentages by 100"),
        (lambda: bdm(C, X, S, rounds=-1), "rounds"),
        (lambda: bdm(C, X, S, scale=(5, 9)), "outside the scale"),
        (lambda: bdm(C, X, S, scale=(9, 5)), "low < high"),
        (lambda: BdmParams(probability="share"), "probability must be one of"),  # type: ignore[arg-type]
        (lambda: BdmParams(q=1.5), "probability"),
        (lambda: nash_bargaining(C, X, S, [0, 1]), "reference must be"),
        (lambda: nash_bargaining(C, X, S, 0, utility="cubic"), "utility"),  # type: ignore[arg-type]
    ],
)
def test_bad_input(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]
