"""Inverse analysis (``backchannel.gmcr.inverse``): conditions, exact counts, smallest changes.

* Published regressions.  Inverse GMCR as defined by Kinsara (2015, PhD
  thesis, University of Waterloo, ch. 5; Def. 5.2.6: a profile is in the GMR
  inverse preference structure of ``s_E`` iff for every improvement ``q`` of
  each ``i`` there is ``k ∈ R_{N-i}(q)`` with ``P_i(k) ≤ P_i(s_E)``; Def.
  5.2.7 likewise for SMR) and
  Kinsara, Kilgour & Hipel (2015, IEEE Trans. SMC: Systems 45(5)), counting
  strict profiles out of ``(m!)^n``.  Asserted on the published cases already
  bundled (Fang, Hipel & Kilgour 1993 for the prisoner's dilemma and chicken;
  Hipel, Kilgour & Kinsara 2014 for Syria–Iraq 1975):

  - the prisoner's dilemma's defining property, read inversely: mutual
    cooperation (state 4) is Nash stable iff each prisoner prefers it to
    defecting alone (P1: 4 over 3, P2: 4 over 2) — so 12 × 12 = 144 of the
    24 × 24 = 576 strict profiles, and one reversed pair per prisoner;
  - every published equilibrium needs no change, under its concept;
  - the GMR conditions are exactly Kinsara's Definition 5.2.6 with the
    legal-sequence sanction sets (checked against a breadth-first search
    written from the definition, ``tests/bruteforce.py``).
* Brute force: on the bundled 4- and 6-state cases and on random small
  conflicts, every count equals the number of enumerated profiles (in the
  window) for which ``stability_matrix`` finds the state an equilibrium, and
  every smallest change works and nothing closer does.
* Three decision makers: a sanction reachable only when an opponent moves
  twice (legal sequences) changes the conditions and the counts compared with
  GMCR+'s one-move-each rule.
* The command line and bad input.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import pathlib
import sys
from collections import defaultdict, deque

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import backchannel as bc
from backchannel.case.model import Conflict
from backchannel.errors import AnalysisRefused, BackchannelError
from backchannel.gmcr.engine import stability_matrix
from backchannel.gmcr.inverse import Comparison, InverseResult, _Problem, inverse
from backchannel.gmcr.statespace import StateSpace, compile_conflict
from bruteforce import build_game, reachable
from conftest import RunCli
from strategies import conflicts
from test_properties import TWICE
from test_published import PUBLISHED

CONCEPTS = ("nash", "gmr", "smr", "seq", "sim")


# ---------------------------------------------------------------------------
# brute force helpers


def _pay(perm: tuple[int, ...]) -> list[int]:
    """Payoffs of a strict ranking given best first."""
    n = len(perm)
    p = [0] * n
    for q, x in enumerate(perm):
        p[x] = n - 1 - q
    return p


def _rankings(space: StateSpace, d: int, window: int | None) -> list[tuple[int, ...]]:
    """All strict rankings of ``d``, or those with every state at most
    ``window`` places from its current place (ties broken by state number)."""
    n = space.n_states
    if window is None:
        return list(itertools.permutations(range(n)))
    cur = space.payoffs[d].tolist()
    base = sorted(range(n), key=lambda x: (-cur[x], x))
    pos0 = {x: q for q, x in enumerate(base)}
    out: list[tuple[int, ...]] = []

    def extend(prefix: list[int]) -> None:
        p = len(prefix)
        if p == n:
            out.append(tuple(prefix))
            return
        for x in range(n):
            if x not in prefix and abs(pos0[x] - p) <= window:
                prefix.append(x)
                # no state may be left behind beyond its last allowed place
                if all(y in prefix or pos0[y] + window > p for y in range(n)):
                    extend(prefix)
                prefix.pop()

    extend([])
    return out


def _is_eq(space: StateSpace, s: int, concept: str, assign: dict[int, tuple[int, ...]]) -> bool:
    pay = space.payoffs.copy()
    for d, perm in assign.items():
        pay[d] = _pay(perm)
    sp2 = dataclasses.replace(space, payoffs=pay)
    # SIM: the pairwise reading, the one the inverse analysis models (see its docstring)
    return bool(stability_matrix(sp2, [concept], sim_mode="pairwise")[concept][:, s].all())


def _brute_count(space: StateSpace, s: int, concept: str, dms: tuple[int, ...], window: int | None) -> int:
    per = [_rankings(space, d, window) for d in dms]
    return sum(
        _is_eq(space, s, concept, dict(zip(dms, combo, strict=True))) for combo in itertools.product(*per)
    )


def _kendall(cur: list[int], perm: tuple[int, ...]) -> int:
    place = {x: q for q, x in enumerate(perm)}
    return sum(1 for a in perm for b in perm if place[a] < place[b] and cur[a] < cur[b])


def _within(cur: list[int], maxd: int) -> dict[int, list[tuple[int, ...]]]:
    """Strict rankings at Kendall distance ≤ maxd from the weak order ``cur``
    (breaking a tie is free), by distance: 0-1 breadth-first search over
    adjacent swaps."""
    n = len(cur)
    base = tuple(sorted(range(n), key=lambda x: (-cur[x], x)))
    dist = {base: 0}
    dq = deque([base])
    while dq:
        perm = dq.popleft()
        d0 = dist[perm]
        for i in range(n - 1):
            a, b = perm[i], perm[i + 1]
            nd = d0 + (1 if cur[a] > cur[b] else -1 if cur[a] < cur[b] else 0)
            if nd > maxd or nd < 0:
                continue
            q = (*perm[:i], b, a, *perm[i + 2 :])
            if q not in dist or dist[q] > nd:
                dist[q] = nd
                if nd == d0:
                    dq.appendleft(q)
                else:
                    dq.append(q)
    out: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    for q, k in dist.items():
        out[k].append(q)
    return out


def _check_smallest_change(
    space: StateSpace, s: int, concept: str, r: InverseResult, limit: int = 20_000
) -> None:
    """Each reported change makes ``s`` an equilibrium at the reported
    distance, and no profile closer to the current preferences does (checked
    when that takes at most ``limit`` profiles: breaking ties is free, so wide
    ties make many profiles)."""
    dms = r.dms
    big_d = r.distance
    assert big_d is not None
    zero = {d: _within(space.payoffs[d].tolist(), 0)[0] for d in dms}
    for option in r.changes:
        changed = {c.dm: c.ranking for c in option}
        assert sum(_kendall(space.payoffs[c.dm].tolist(), c.ranking) for c in option) == big_d
        assert all(c.distance == _kendall(space.payoffs[c.dm].tolist(), c.ranking) for c in option)
        rest = [d for d in dms if d not in changed]
        # unchanged decision makers keep their ranking up to free tie breaks;
        # with wide ties there are too many to try (a truncated search would
        # miss tie breaks found late in the enumeration)
        if math.prod(len(zero[d]) for d in rest) > limit:
            continue
        combos = itertools.product(*(zero[d] for d in rest))
        assert any(_is_eq(space, s, concept, {**changed, **dict(zip(rest, c, strict=True))}) for c in combos)
    if big_d == 0:
        return
    per = [_within(space.payoffs[d].tolist(), big_d - 1) for d in dms]
    splits = [
        split
        for total in range(big_d)
        for split in itertools.product(range(total + 1), repeat=len(dms))
        if sum(split) == total
    ]
    if sum(math.prod(len(per[t][split[t]]) for t in range(len(dms))) for split in splits) > limit:
        return
    for split in splits:
        for combo in itertools.product(*(per[t][split[t]] for t in range(len(dms)))):
            assert not _is_eq(space, s, concept, dict(zip(dms, combo, strict=True))), (split, combo)


def _brute_min(space: StateSpace, s: int, concept: str, dms: tuple[int, ...]) -> int | None:
    """Least total Kendall distance over all strict profiles making ``s`` an equilibrium."""
    per = [list(itertools.permutations(range(space.n_states))) for _ in dms]
    combos = sorted(
        itertools.product(*per),
        key=lambda combo: sum(
            _kendall(space.payoffs[d].tolist(), p) for d, p in zip(dms, combo, strict=True)
        ),
    )
    for combo in combos:
        if _is_eq(space, s, concept, dict(zip(dms, combo, strict=True))):
            return sum(_kendall(space.payoffs[d].tolist(), p) for d, p in zip(dms, combo, strict=True))
    return None


# ---------------------------------------------------------------------------
# published regressions


def test_prisoners_dilemma_mutual_cooperation_published() -> None:
    """Mutual cooperation (state 4, YY) is Nash stable iff each prisoner prefers
    it to defecting alone; published rankings P1 3>4>1>2, P2 2>4>1>3 (Fang,
    Hipel & Kilgour 1993) violate both conditions."""
    r = inverse("prisoners-dilemma", 4, "nash")
    assert not r.equilibrium_now and r.stable_now == (False, False)
    open_ = [c for c in r.clauses if c.status == "open"]
    assert [(c.focal, c.move) for c in open_] == [(0, 2), (1, 1)]
    assert [a.comparisons for c in open_ for a in c.alternatives] == [
        (Comparison(0, 3, 2, False),),
        (Comparison(1, 3, 1, False),),
    ]
    assert (r.count, r.profiles) == (144, 576)  # (4!/2)^2 of (4!)^2 strict profiles
    assert r.rankings == {0: 24, 1: 24} and r.own == {0: 12, 1: 12}
    assert r.distance == 2
    (option,) = r.changes
    assert [(c.dm, c.ranking, c.reversals) for c in option] == [
        (0, (3, 2, 0, 1), ((3, 2),)),
        (1, (3, 1, 0, 2), ((3, 1),)),
    ]
    assert r.change_text(option[0]) == (
        "if P1 came to prefer state 4 (p1_cooperates, p2_cooperates) to state 3 (p2_cooperates)"
    )
    # one prisoner's preferences alone cannot do it: the other still defects
    only_p1 = inverse("prisoners-dilemma", 4, "nash", ["P1"])
    assert only_p1.count == 0 and only_p1.distance is None
    assert any("P2's current preferences" in n for n in only_p1.notes)


# the published equilibria of tests/test_published.py, except Elmira under SEQ:
# with its three decision makers and no window the exact count is refused
INVERTIBLE = [row for row in PUBLISHED if row[:2] != ("elmira", "seq")]


@pytest.mark.parametrize(("case", "concept", "equilibria"), INVERTIBLE)
def test_published_equilibria_need_no_change(case: str, concept: str, equilibria: list[int]) -> None:
    space = bc.compile_case(case)
    for s in range(1, space.n_states + 1):
        r = inverse(space, s, concept)
        assert r.equilibrium_now == (s in equilibria)
        if s in equilibria:
            assert r.distance == 0 and r.count > 0
        else:
            assert r.distance is None or r.distance > 0
            assert r.count < r.profiles


def test_gmr_conditions_are_kinsaras_definition_with_legal_sequences() -> None:
    """Kinsara (2015), Def. 5.2.6: for each improvement q of i, some k in
    R_{N-i}(q) with P_i(k) ≤ P_i(s_E).  Each clause lists the move and then
    exactly the sanction states of that set."""
    for case in ("syria-iraq", "elmira"):
        space = bc.compile_case(case)
        game = build_game(space.conflict)
        for s in range(space.n_states):
            r = inverse(space, s + 1, "gmr")
            for cl in r.clauses:
                assert cl.alternatives[0].comparisons == (Comparison(cl.focal, s, cl.move, False),)
                opponents = [j for j in range(space.n_dms) if j != cl.focal]
                region = reachable(game, cl.move, opponents, game.moves)
                assert sorted(a.sanction for a in cl.alternatives[1:]) == sorted(region)
                for a in cl.alternatives[1:]:
                    assert a.comparisons == (Comparison(cl.focal, s, a.sanction, False),)


def test_syria_iraq_release_of_water() -> None:
    """1975: Saudi mediation ended the crisis with Syria releasing water (state
    2, YNN); with the published rankings (Hipel, Kilgour & Kinsara 2014:
    Syria 1>3>6>2>4>5, Iraq 2>4>6>1>5>3) it is no equilibrium.  Under Nash,
    only Syria must change: it must prefer 2 to 1 and to 3 (its moves), and the
    closest such ranking also lifts 2 above 6."""
    r = inverse("syria-iraq", 2, "nash")
    assert r.stable_now == (False, True)
    assert [(c.focal, c.move + 1) for c in r.open_clauses()] == [(0, 1), (0, 3), (1, 5)]
    assert r.own[0] == 720 // 3  # 2 above both 1 and 3: a third of the rankings
    assert r.own[1] == 720 // 2
    assert r.count == 240 * 360 and r.distance == 3
    (option,) = r.changes
    (syria,) = option
    assert syria.ranking == (1, 0, 2, 5, 3, 4)  # 2 > 1 > 3 > 6 > 4 > 5
    assert syria.reversals == ((1, 0), (1, 2), (1, 5))
    assert r.change_text(syria) == (
        "if Syria came to prefer state 2 (release) to state 1 (nothing taken), state 3 (escalate) "
        "and state 6 (escalate, attack)"
    )
    gmr = inverse("syria-iraq", 2, "gmr")  # Iraq's attack deters a return to 1
    assert gmr.distance == 1 and gmr.change_text(gmr.changes[0][0]) == (
        "if Syria came to prefer state 2 (release) to state 6 (escalate, attack)"
    )


# ---------------------------------------------------------------------------
# brute force


@pytest.mark.parametrize("case", ["prisoners-dilemma", "chicken"])
def test_two_by_two_against_brute_force(case: str) -> None:
    space = bc.compile_case(case)
    for s in range(space.n_states):
        for concept in CONCEPTS:
            for dms in [(0,), (1,), (0, 1)]:
                r = inverse(space, s + 1, concept, dms)
                assert r.count == _brute_count(space, s, concept, dms, None), (s + 1, concept, dms)
                assert r.distance == _brute_min(space, s, concept, dms), (s + 1, concept, dms)
                w = inverse(space, s + 1, concept, dms, 1)
                assert w.count == _brute_count(space, s, concept, dms, 1), (s + 1, concept, dms, 1)


def test_syria_iraq_against_brute_force() -> None:
    space = bc.compile_case("syria-iraq")
    for s in range(space.n_states):
        for concept in CONCEPTS:
            r = inverse(space, s + 1, concept, (0, 1), 1)
            assert r.count == _brute_count(space, s, concept, (0, 1), 1), (s + 1, concept)
            if r.distance is not None and r.distance <= 3:
                _check_smallest_change(space, s, concept, r)
    for concept in ("seq", "sim"):  # the concepts coupling the two decision makers
        r = inverse(space, 2, concept, (0,))
        assert r.count == _brute_count(space, 1, concept, (0,), None)


@settings(
    deadline=None,
    max_examples=80,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(conflicts(max_dms=3, max_options=5), st.data())
def test_random_conflicts_against_brute_force(conflict: Conflict, data: st.DataObject) -> None:
    space = compile_conflict(conflict)
    n = space.n_states
    assume(2 <= n <= 7)
    s = data.draw(st.integers(0, n - 1), label="state")
    concept = data.draw(st.sampled_from(CONCEPTS), label="concept")
    k = data.draw(st.integers(1, min(3, space.n_dms)), label="how many")
    dms = tuple(sorted(data.draw(st.permutations(range(space.n_dms)), label="dms")[:k]))
    if k == 1 and n <= 6:
        window = data.draw(st.sampled_from([None, 0, 1, 2]), label="window")
    else:
        window = data.draw(st.integers(0, 2 if k == 1 else 1 if k == 2 or n <= 5 else 0), label="window")
    r = inverse(space, s + 1, concept, dms, window)
    assert r.count == _brute_count(space, s, concept, dms, window)
    now = stability_matrix(space, [concept], sim_mode="pairwise")[concept][:, s]
    assert r.stable_now == tuple(bool(v) for v in now)
    if r.distance is None:  # only when someone left out already rules the state out
        assert any(c.status == "fails" for c in r.clauses) and r.count == 0
    elif r.distance <= (4 if k == 1 else 2):
        _check_smallest_change(space, s, concept, r, limit=5_000)


def test_star_and_general_classes_agree() -> None:
    """The closed forms used when only "above or below the state" matters agree
    with the general dynamic programmes (counts per class and costs)."""
    space = bc.compile_case("syria-iraq")
    for s in range(space.n_states):
        for concept in ("gmr", "smr", "sim"):
            prob = _Problem(space, s, concept, (0, 1))
            for d in prob.chosen:
                if not prob.pair_list[d]:
                    continue
                assert prob.star[d]
                assert prob._star_all(d) == prob._subsets_all(d)
                for sig in prob._star_all(d):
                    star = prob._sig_cost(d, sig)
                    general = prob.pair_cost(d, sig)
                    assert star[0] == general[0] == _kendall(prob.pay[d], star[1])
                    assert _kendall(prob.pay[d], general[1]) == general[0]


def test_windows() -> None:
    space = bc.compile_case("syria-iraq")
    all_ = inverse(space, 2, "gmr")
    assert inverse(space, 2, "gmr", window=5).count == all_.count  # m - 1 places: every ranking
    assert inverse(space, 2, "gmr", window=99).profiles == all_.profiles == 720**2
    zero = inverse(space, 2, "gmr", window=0)  # only the current rankings
    assert zero.profiles == 1 and zero.count == int(zero.equilibrium_now) == 0
    one = inverse(space, 2, "gmr", window=1)
    assert one.rankings == {0: 13, 1: 13}  # Fibonacci: rankings of 6 within one place


# ---------------------------------------------------------------------------
# three decision makers: legal sequences against one move each

# From tests/test_properties.py: at state 1 (NNNN) A improves to YNNN (state 2);
# its worst states YNYY (8) and YYYY (10) are reached only by B, C, B.


def test_legal_sequences_change_the_inverse_answer() -> None:
    space = compile_conflict(Conflict.model_validate(TWICE))
    game = build_game(space.conflict)
    once = reachable(game, 1, [1, 2], game.moves, one_move_each=True)
    legal = reachable(game, 1, [1, 2], game.moves)
    assert sorted(x + 1 for x in once) == [4, 6] and sorted(x + 1 for x in legal) == [4, 6, 8, 10]

    r = inverse(space, 1, "gmr", ["A"])
    (clause,) = [c for c in r.clauses if c.focal == 0]
    assert clause.move + 1 == 2
    assert [(a.sanction, a.needs_repeat) for a in clause.alternatives] == [
        (None, False),
        (3, False),
        (5, False),
        (7, True),
        (9, True),
    ]
    assert any("GMCR+" in note for note in r.notes)
    # A stable at 1 unless 1 is A's lowest of {1, 2} and the sanctions: 1 - 1/(r + 2)
    n_fact = math.factorial(space.n_states)
    assert r.count == n_fact * 5 // 6
    one_move_each = n_fact * 3 // 4  # the count with only states 4 and 6 as sanctions
    assert r.count != one_move_each

    # within two places of A's current ranking: the engine agrees; one move each loses profiles
    w = inverse(space, 1, "gmr", ["A"], 2)
    ranks = _rankings(space, 0, 2)
    assert w.count == w.profiles == len(ranks) == _brute_count(space, 0, "gmr", (0,), 2)

    def stable_once(perm: tuple[int, ...]) -> bool:
        p = _pay(perm)
        return p[1] <= p[0] or any(p[x] <= p[0] for x in once)

    assert sum(stable_once(perm) for perm in ranks) < w.count


# ---------------------------------------------------------------------------
# results, command line, bad input


def test_result_conversions() -> None:
    r = inverse("elmira", 1, "sim", ["UR", "LG"], 1)
    data = json.loads(r.to_json())
    assert data["state"] == {"number": 1, "pattern": "NYNNN", "description": "delay"}
    assert data["decision_makers"] == ["UR", "LG"] and data["window"] == 1
    assert data["count"]["profiles"] == 233**2
    assert data["meta"]["analysis"] == "inverse" and len(data["meta"]["model_hash"]) == 64
    assert {c["status"] for c in data["conditions"]} <= {"holds", "open", "fails"}
    assert data["summary"] == r.summary()
    df = r.to_dataframe()
    assert list(df.columns) == [
        "decision_maker",
        "move_to",
        "status",
        "alternative",
        "sanction",
        "requires",
        "needs_repeat",
    ]
    assert len(df) >= len(r.clauses)


def test_cli_table_and_json(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["inverse", "syria-iraq", "--state", "2", "--concept", "gmr"])
    assert code == 0
    assert "Conditions" in out and "Smallest change (1 reversed pair)" in out
    assert "if Syria came to prefer state 2 (release) to state 6 (escalate, attack)" in out
    code, out, _ = run_cli(
        ["inverse", "syria-iraq", "-s", "YNN", "-c", "nash", "--dm", "Syria", "--window", "2", "-f", "json"]
    )
    assert code == 0
    data = json.loads(out)
    assert data["state"]["number"] == 2 and data["decision_makers"] == ["Syria"]
    assert data["smallest_change"]["reversed_pairs"] == 3
    assert data["smallest_change"]["options"][0][0]["ranking"] == [2, 1, 3, 6, 4, 5]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--state", "7"], "state 7 does not exist"),
        (["--state", "0"], "state 0 does not exist"),
        (["--state", "YYN"], "infeasible"),
        (["--state", "YNNY"], "not a state"),
        (["--state", "2", "--dm", "Turkey"], "no decision maker 'Turkey'"),
        (["--state", "2", "--concept", "nsh"], "unknown concept"),
        (["--state", "2", "--window", "-1"], "the window"),
    ],
)
def test_cli_bad_input(run_cli: RunCli, argv: list[str], message: str) -> None:
    code, out, err = run_cli(["inverse", "syria-iraq", *argv])
    assert code == 2 and message in err and out == ""


def test_cli_missing_state(run_cli: RunCli) -> None:
    code, _, err = run_cli(["inverse", "syria-iraq"])
    assert code == 2 and "--state" in err


def test_refused_when_too_large(run_cli: RunCli) -> None:
    with pytest.raises(AnalysisRefused, match="window"):
        inverse("ukraine-backchannel", 1, "smr")
    code, _, err = run_cli(["inverse", "ukraine-backchannel", "--state", "1", "--concept", "sim"])
    assert code == 1 and "--window" in err


def test_api_errors() -> None:
    with pytest.raises(BackchannelError, match="numbered 1 to 4"):
        inverse("chicken", 5)
    with pytest.raises(BackchannelError, match="no decision maker"):
        inverse("chicken", 1, "nash", ["D3"])
    with pytest.raises(BackchannelError, match="at least one decision maker"):
        inverse("chicken", 1, "nash", [])
    with pytest.raises(BackchannelError, match="unknown concept"):
        inverse("chicken", 1, "gmrr")
    assert np.isclose(inverse("chicken", 2, "nash").fraction, 1 / 4)


def test_wide_ties_need_no_change() -> None:
    """Regression (found by the random test): every state tied for both
    decision makers. A tie break that puts NNYN first is free (Kendall
    distance 0) and makes it a Nash equilibrium, so the answer is 'no change'."""
    conflict = Conflict.model_validate(
        {
            "decision_makers": [
                {
                    "name": "DM1",
                    "options": [
                        {"name": "o1", "reversible": "adopt-only"},
                        {"name": "o2", "reversible": "adopt-only"},
                        {"name": "o3", "reversible": "withdraw-only"},
                    ],
                    "preferences": ["o1"],
                },
                {
                    "name": "DM2",
                    "options": [{"name": "o4", "reversible": "adopt-only"}],
                    "preferences": ["o1"],
                },
            ],
            "infeasible": [{"pattern": "Y---"}, {"pattern": "-YY-"}],
        }
    )
    space = compile_conflict(conflict)
    s = space.patterns().index("NNYN")
    r = inverse(space, s + 1, "nash", [0, 1], window=0)
    assert r.distance == 0
    first = tuple([s, *(x for x in range(space.n_states) if x != s)])
    assert _kendall(space.payoffs[0].tolist(), first) == 0
    assert _is_eq(space, s, "nash", {0: first, 1: first})
