"""Limited-move stability ``L_h`` and non-myopic stability (``backchannel.gmcr.limited_move``).

What is asserted, and on what authority:

* **Published.**  The Nash equilibria of the bundled games (Fang, Hipel &
  Kilgour 1993), which ``L_1`` must reproduce: ``L_1`` stability is Nash
  stability, immediately from the definition (a horizon of one move is the
  myopic view) — checked on the bundled games and on random two-party
  conflicts.  In the prisoner's
  dilemma both the noncooperative outcome (mutual defection) and the
  cooperative one (mutual cooperation) are nonmyopic equilibria (Brams &
  Wittman 1981, "Nonmyopic equilibria in 2×2 games", *Conflict Management and
  Peace Science* 6; restated by Brams & Ismail 2022, "Every normal-form game
  has a Pareto-optimal nonmyopic equilibrium", *Theory and Decision* 92:
  "the noncooperative outcome in Prisoners' Dilemma is an NME that coincides
  with the NE … the cooperative outcome is also an NME").  Their NME is
  defined by the Brams–Wittman rules of play rather than as the limit of
  ``L_h``; the two agree here.
* **Derived by hand from the definition** (in the docstrings below): the
  ``L_h`` and NM stable states of the prisoner's dilemma and of chicken for
  every horizon.  We found no published table of ``L_h`` for these games that
  we could read (Fang, Hipel & Kilgour 1993 ch. 3 and Rêgo, de Oliveira,
  Vieira & Kilgour 2025, "Classifying limited-move stability cycles in 2×2
  games", *Games* 16(5) 54, tabulate them but were not accessible), so these
  are derivations, not citations.
* **Brute force.**  A recursive implementation written straight from the
  definition, on the brute-force game of ``tests/bruteforce.py``, agrees on
  random two-party conflicts (ties included), for every horizon and for NM.
"""

from __future__ import annotations

import json
import pathlib
import sys
from functools import cache

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from backchannel.case.model import Conflict
from backchannel.errors import AnalysisRefused
from backchannel.gmcr.analysis import compile_case
from backchannel.gmcr.engine import stability_matrix
from backchannel.gmcr.limited_move import limited_move
from backchannel.gmcr.statespace import compile_conflict
from bruteforce import Game, build_game
from conftest import RunCli
from strategies import conflicts

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------
# the 2×2 games


def test_prisoners_dilemma() -> None:
    """Prisoner's dilemma (bundled: states 1 NN mutual defection, 2 YN only P1
    cooperates, 3 NY only P2 cooperates, 4 YY mutual cooperation; P1 ranks
    3 > 4 > 1 > 2, P2 ranks 2 > 4 > 1 > 3; P1 moves 1↔2, 3↔4, P2 moves 1↔3, 2↔4).

    Published: L_1 = Nash = {1}; NM equilibria {1, 4} (Brams & Wittman 1981;
    Brams & Ismail 2022) — see the module docstring.

    Derivation.  G_1 is the best unilateral improvement or the state itself:
    G_1(P1, ·) = (1, 1, 3, 3), G_1(P2, ·) = (1, 2, 1, 2).
    h = 2, P1 at 4: its only move is to 3 (defect), after which P2 defects
    (G_1(P2, 3) = 1); P1 ranks 1 below 4, so it stays: G_2(P1, 4) = 4.  At 1,
    P1 would move to 2 and P2 would stay (G_1(P2, 2) = 2), worse for P1: it
    stays.  At 2, P1 moves to 1 and P2 stays there: 1 is better for P1, so 2
    is unstable; at 3 (P1's best) it stays.  So P1 is L_2 stable at {1, 3, 4}
    and, by symmetry, P2 at {1, 2, 4}: the L_2 equilibria are {1, 4}.
    h = 3: G_2(P2, ·) = (1, 2, 1, 4) (at 4 P2 foresees P1's defection 2 → 1),
    so P1 at 4 foresees 4 → 3 → 1, still worse; at 2 P1 foresees 2 → 1 → 1.
    G_3 = G_2 for both, hence G_h = G_2 for every h ≥ 2: L_h equilibria and
    NM equilibria are {1, 4}.
    """
    r = limited_move(compile_case("prisoners-dilemma"), horizon=6)
    assert r.equilibria(1) == [1]
    assert [r.equilibria(h) for h in range(2, 7)] == [[1, 4]] * 5
    assert r.stable_states("P1", 2) == [1, 3, 4]
    assert r.stable_states("P2", 2) == [1, 2, 4]
    assert r.anticipated_state("P1", 4, 2) == 4
    assert r.anticipated_state("P1", 2, 2) == 1
    assert r.nm_equilibria() == [1, 4]
    assert r.nm_stable_states("P1") == [1, 3, 4]
    assert (r.cycle_start, r.cycle_length) == (2, 1)
    assert not r.tie_dependent.any()


def test_chicken() -> None:
    """Chicken (bundled: states 1 NN crash, 2 YN driver 1 swerves, 3 NY driver 2
    swerves, 4 YY both swerve; D1 ranks 3 > 4 > 2 > 1, D2 ranks 2 > 4 > 3 > 1).

    Published: L_1 = Nash = {2, 3} (Fang, Hipel & Kilgour 1993: Nash
    equilibria {2, 3}).

    Derivation.  G_1(D1, ·) = (2, 2, 3, 3), G_1(D2, ·) = (3, 2, 3, 2).
    h = 2 — brinkmanship.  D1 at 2 (it swerved) straightens: 2 → 1, the crash,
    foreseeing that D2, one move left, swerves (G_1(D2, 1) = 3) — D1's best
    state.  So 2 is L_2 unstable for D1 (G_2(D1, 2) = 3) and likewise 3 for
    D2; 4 is unstable for both (each straightens and the other stays) and 1
    for both: there is no L_2 equilibrium.
    h = 3.  G_2(D1, ·) = (2, 3, 3, 3), G_2(D2, ·) = (3, 2, 2, 2).  D1 at 4
    foresees 4 → 3 → 2 (D2 at 3 now straightens, foreseeing D1 give way back
    to 2): worse than 4, so D1 stays, and symmetrically D2: 4 is L_3 stable
    for both.  D1 at 2 still foresees 2 → 1 → 3 (G_2(D2, 1) = 3), so 2 stays
    unstable.  G_3(D1, ·) = (2, 3, 3, 4), G_3(D2, ·) = (3, 2, 2, 4) and
    G_4 = G_3, so from h = 3 on G_h is constant: L_h and NM equilibria {4}.
    """
    r = limited_move(compile_case("chicken"), horizon=5)
    assert [r.equilibria(h) for h in range(1, 6)] == [[2, 3], [], [4], [4], [4]]
    assert r.anticipated_state("D1", 2, 2) == 3
    assert r.stable_states("D1", 3) == [3, 4]
    assert r.stable_states("D2", 3) == [2, 4]
    assert r.nm_equilibria() == [4]
    assert (r.cycle_start, r.cycle_length) == (3, 1)


@pytest.mark.parametrize("case", ["prisoners-dilemma", "chicken", "syria-iraq"])
def test_l1_is_nash(case: str) -> None:
    """L_1 stability is Nash stability (from the definition: one move, no reply)."""
    space = compile_case(case)
    r = limited_move(space, horizon=1, nonmyopic=False)
    assert np.array_equal(r.stable[0], stability_matrix(space, ["nash"])["nash"])
    assert r.nm_stable is None and r.nm_equilibria() is None


def test_syria_iraq_cycles() -> None:
    """In the Syria–Iraq model the anticipated states never settle: from h = 2
    they repeat with period 4, and no state is NM stable for both (Syria's
    verdict on state 6 alternates).  Checked against the brute force."""
    space = compile_case("syria-iraq")
    r = limited_move(space, horizon=9)
    assert (r.cycle_start, r.cycle_length) == (2, 4)
    assert r.nm_equilibria() == []
    assert r.equilibria(2) == r.equilibria(6) == [6]
    assert r.equilibria(3) == r.equilibria(7) == []
    game = build_game(space.conflict)
    g, _ = brute_anticipation(game, 9)
    assert np.array_equal(r.anticipated, g)


def test_needs_two_decision_makers() -> None:
    with pytest.raises(AnalysisRefused, match="two decision makers; this conflict has 3"):
        limited_move("elmira")


def test_to_json_and_dataframe() -> None:
    r = limited_move(compile_case("chicken"), horizon=3)
    data = json.loads(r.to_json())
    assert data["equilibria"] == {"limited_move": {"1": [2, 3], "2": [], "3": [4]}, "nonmyopic": [4]}
    assert data["stability"]["D1"]["limited_move"]["2"] == [3]
    assert data["states"][1]["limited_move"]["D1"]["2"] == {
        "stable": False,
        "anticipated": 3,
        "tie_dependent": False,
    }
    assert data["states"][3]["nonmyopic"]["D2"] == {"stable": True, "anticipated": 4, "tie_dependent": False}
    assert data["cycle"] == {"start": 3, "length": 1}
    assert data["meta"]["analysis"] == "limited-move"
    df = r.to_dataframe()
    assert df["eq_L1"].tolist() == [False, True, True, False]
    assert df["eq_NM"].tolist() == [False, False, False, True]
    assert df.loc[2, "D1.L2"] == False  # noqa: E712


# ---------------------------------------------------------------------------
# the command


def test_cli_table(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["limited-move", "chicken", "--horizon", "3"])
    assert code == 0
    assert "D1 L1…L3 NM" in out
    assert "L2" in out and "none" in out
    assert "The anticipated states no longer change from h = 3." in out


def test_cli_json_and_errors(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["limited-move", "prisoners-dilemma", "-H", "2", "-f", "json"])
    assert code == 0
    assert json.loads(out)["equilibria"]["nonmyopic"] == [1, 4]
    code, out, _ = run_cli(["limited-move", "prisoners-dilemma", "--no-nonmyopic", "-f", "json"])
    assert code == 0 and json.loads(out)["equilibria"]["nonmyopic"] is None
    code, _, err = run_cli(["limited-move", "elmira"])
    assert code == 1 and "two decision makers" in err
    code, _, err = run_cli(["limited-move", "chicken", "--horizon", "0"])
    assert code == 2 and "at least 1" in err


# ---------------------------------------------------------------------------
# agreement with a recursion written from the definition


def brute_anticipation(game: Game, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """``G_h(i, s)`` for h = 1..horizon from the recursive definition, memoised:
    ``G_0(i, s) = s``; ``i`` moves to the ``s1 ∈ R_i(s)`` whose anticipated
    state ``G_{h-1}(j, s1)`` it likes best, if that state beats ``s``; ties
    between different anticipated states go to the lowest state, and are
    flagged (as is anything that depends on a flagged choice)."""
    pay = game.pay

    @cache
    def g(h: int, i: int, s: int) -> tuple[int, bool]:
        if h == 0:
            return s, False
        j = 1 - i
        tie = False
        better: set[int] = set()  # M_h(i, s), by anticipated state
        for s1 in game.moves[i][s]:
            o, t = g(h - 1, j, s1)
            tie |= t
            if pay[i][o] > pay[i][s]:
                better.add(o)
        if not better:
            return s, tie
        top = max(pay[i][o] for o in better)
        best = sorted(o for o in better if pay[i][o] == top)
        return best[0], tie or len(best) > 1

    n = game.n_states
    out = np.empty((horizon, 2, n), dtype=np.int64)
    ties = np.zeros((horizon, 2, n), dtype=bool)
    for h in range(1, horizon + 1):
        for i in (0, 1):
            for s in range(n):
                out[h - 1, i, s], ties[h - 1, i, s] = g(h, i, s)
    return out, ties


def brute_nm(game: Game) -> np.ndarray:
    """NM stability: G_h(i, s) = s at every horizon h ≥ 1 of the eventual cycle of
    (G_h, flags), found by running the brute-force recursion until it repeats."""
    h = 8
    while True:
        g, t = brute_anticipation(game, h)
        seen: dict[bytes, int] = {}
        for k in range(h):
            key = g[k].tobytes() + t[k].tobytes()
            if key in seen:
                first = seen[key]
                stable = np.ones((2, game.n_states), dtype=bool)
                for m in range(first, k):
                    stable &= g[m] == np.arange(game.n_states)[None, :]
                return stable
            seen[key] = k
        h *= 2


@settings(FAST, max_examples=200)
@given(conflicts(min_dms=2, max_dms=2))
def test_agrees_with_the_definition(conflict: Conflict) -> None:
    space = compile_conflict(conflict)
    game = build_game(conflict)
    r = limited_move(space, horizon=6)
    g, ties = brute_anticipation(game, 6)
    assert np.array_equal(r.anticipated, g)
    assert np.array_equal(r.tie_dependent, ties)
    assert np.array_equal(r.stable, g == np.arange(space.n_states)[None, None, :])
    assert r.nm_stable is not None
    assert np.array_equal(r.nm_stable, brute_nm(game))
    # L_1 is Nash stability
    assert np.array_equal(r.stable[0], stability_matrix(space, ["nash"])["nash"])


@settings(FAST, max_examples=200)
@given(conflicts(min_dms=2, max_dms=2))
def test_l2_implies_sequential_stability(conflict: Conflict) -> None:
    """Derived: if s is L_2 stable for i, every unilateral improvement s1 of i
    must be followed by G_1(j, s1) ≠ s1, a unilateral improvement of j that i
    does not prefer to s — a sequential sanction.  So L_2 ⊆ SEQ (⊆ GMR)."""
    space = compile_conflict(conflict)
    r = limited_move(space, horizon=2, nonmyopic=False)
    seq = stability_matrix(space, ["seq"])["seq"]
    assert not (r.stable[1] & ~seq).any()
