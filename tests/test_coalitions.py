"""Coalition analysis: joint moves, coalitional stability, the search over coalitions.

* Elmira (12-state option form; Kilgour & Hipel 2005, GDN 14, 441–460): the
  Ministry of the Environment and Uniroyal Chemical, moving together, leave
  the Nash equilibrium 7 for state 10, which both prefer — neither would go
  there alone (each intermediate state is worse for the one who moves to it).
  Kilgour, Hipel, Fang & Peng (2001, GDN 10) and Inohara & Hipel (2008,
  Systems Engineering 11) use this coalition as their example.
* A coalition of one is the ordinary decision maker: with every decision
  maker alone, coalitional stability is the engine's stability.
* Random small conflicts: the vectorised analysis agrees with a brute force
  written from the definitions (explicit searches over legal sequences).
* The command line, and partitions that are not partitions.
"""

from __future__ import annotations

import json
import sys
from itertools import combinations, pairwise
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))

import backchannel as bc
from backchannel.case.model import Conflict
from backchannel.errors import BackchannelError
from backchannel.gmcr.coalitions import (
    COALITION_CONCEPTS,
    coalition_search,
    coalition_stability,
    joint_improvements,
    joint_path,
)
from backchannel.gmcr.coalitions import joint as co
from backchannel.gmcr.engine import stability_matrix
from backchannel.gmcr.statespace import compile_conflict
from bruteforce import Game, build_game, reachable
from conftest import RunCli
from strategies import conflicts

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------
# brute force, from the definitions


class BruteCoalitions:
    """Coalitional stability by explicit search (``bruteforce.reachable``: BFS
    over (state, last mover)), memoised; nothing of the package's analysis."""

    def __init__(self, game: Game) -> None:
        self.g = game
        self._reach: dict[tuple[tuple[int, ...], int], set[int]] = {}
        self._imp: dict[tuple[tuple[int, ...], int], set[int]] = {}
        self._class: dict[tuple[tuple[tuple[int, ...], ...], int, int], set[int]] = {}

    def reach(self, members: tuple[int, ...], s: int) -> set[int]:
        """R_H(s): legal sequences of the members' unilateral moves."""
        key = (members, s)
        if key not in self._reach:
            self._reach[key] = reachable(self.g, s, list(members), self.g.moves)
        return self._reach[key]

    def better(self, members: tuple[int, ...], t: int, s: int) -> bool:
        return all(self.g.pay[i][t] > self.g.pay[i][s] for i in members)

    def imp(self, members: tuple[int, ...], s: int) -> set[int]:
        """R_H^{++}(s): every member strictly prefers the state reached."""
        key = (members, s)
        if key not in self._imp:
            self._imp[key] = {t for t in self.reach(members, s) if self.better(members, t, s)}
        return self._imp[key]

    def class_reach(self, partition: list[tuple[int, ...]], k: int, s1: int) -> set[int]:
        """R^{++}_{P-H}(s1): legal sequences of the other coalitions' coalitional improvements."""
        key = (tuple(partition), k, s1)
        if key not in self._class:
            n = self.g.n_states
            graph = [
                [sorted(self.imp(partition[j], x)) for x in range(n)] if j != k else []
                for j in range(len(partition))
            ]
            movers = [j for j in range(len(partition)) if j != k]
            self._class[key] = reachable(self.g, s1, movers, graph)
        return self._class[key]

    def undeterred(self, partition: list[tuple[int, ...]], k: int, concept: str, s: int) -> set[int]:
        """The coalitional improvements of ``partition[k]`` from ``s`` that no
        sanction deters under ``concept``."""
        h = partition[k]
        others = tuple(j for j in range(self.g.n_dms) if j not in h)
        out = set()
        for s1 in self.imp(h, s):
            if concept == "nash":
                out.add(s1)
                continue
            if concept == "seq":
                sanctions = self.class_reach(partition, k, s1)
            else:
                sanctions = self.reach(others, s1) if others else set()
            if concept == "smr":
                deterred = any(
                    not self.better(h, s2, s) and all(not self.better(h, s3, s) for s3 in self.reach(h, s2))
                    for s2 in sanctions
                )
            else:
                deterred = any(not self.better(h, s2, s) for s2 in sanctions)
            if not deterred:
                out.add(s1)
        return out

    def stability(self, partition: list[tuple[int, ...]], concepts: tuple[str, ...]) -> dict[str, np.ndarray]:
        n = self.g.n_states
        out = {c: np.ones((len(partition), n), dtype=bool) for c in concepts}
        for c in concepts:
            for k in range(len(partition)):
                for s in range(n):
                    out[c][k, s] = not self.undeterred(partition, k, c, s)
        return out


# ---------------------------------------------------------------------------
# Elmira


def test_elmira_joint_move_from_7_to_10() -> None:
    """Kilgour & Hipel (2005); Inohara & Hipel (2008): MoE and UR jointly
    move from state 7 to state 10, so 7 is no longer an equilibrium."""
    space = bc.compile_case("elmira")
    assert joint_improvements(space, ["MoE", "UR"], 7) == [10]
    # neither gets there alone: each first step is worse for whoever takes it
    p = {d: space.payoffs[space.dm_index(d)] for d in ("MoE", "UR")}
    assert p["MoE"][8 - 1] < p["MoE"][7 - 1] and p["UR"][9 - 1] < p["UR"][7 - 1]
    assert joint_path(space, ["MoE", "UR"], 7, 10) == [("MoE", 8), ("UR", 10)]

    search = coalition_search(space)
    assert search.equilibria["nash"] == [5, 6, 7, 10, 11, 12]
    for c in COALITION_CONCEPTS:
        assert search.broken_by(7, c) == [("MoE", "UR")], c
        assert 7 in search.equilibria[c] and 7 not in search.unbroken(c)
        (brk,) = search.breaks_of(c, 7)
        assert (brk.target, brk.targets, brk.movers) == (10, (10,), ("MoE", "UR"))
        assert set(brk.changes) == {("MoE", "modify", True), ("UR", "delay", False), ("UR", "accept", True)}
    assert {b.state for b in search.breaks} == {7}  # nothing else is broken
    assert search.unbroken("nash") == [5, 6, 10, 11, 12]

    part = coalition_stability(space, [["MoE", "UR"], ["LG"]])
    for c in COALITION_CONCEPTS:
        assert not part.is_stable(7, ["MoE", "UR"], c)
        assert 7 in part.lost(c) and 7 not in part.equilibria(c)
        assert 10 in part.equilibria(c)
    assert part.equilibria("nash") == [5, 6, 9, 10, 11, 12]
    assert part.gained("nash") == [9]  # Uniroyal alone would leave 9; the coalition does not
    text = next(b.text for b in part.breaks if b.state == 7 and b.concept == "nash")
    assert text.startswith(
        "Ministry of the Environment and Uniroyal Chemical can jointly move from state 7 (delay, insist) "
        "to state 10 (modify, accept, insist): both prefer it"
    )
    assert "state 7 is not a coalitional equilibrium" in text


def test_prisoners_dilemma_grand_coalition() -> None:
    """Together the prisoners leave mutual defection (1) for mutual cooperation (4)."""
    r = coalition_stability("prisoners-dilemma", "P1+P2")
    assert r.partition == (("P1", "P2"),)
    assert r.equilibria("nash") == [2, 3, 4]  # no joint improvement from 2, 3, 4
    assert r.lost("nash") == [1] and r.breaks[0].target == 4
    assert coalition_search("prisoners-dilemma").unbroken("gmr") == [4]


def test_member_moves_again_after_the_other() -> None:
    """A joint move that needs A, then B, then A again (y needs z, z needs x):
    legal, since A does not move twice in a row. Tools that let each member
    move only once miss it."""
    conflict = Conflict.model_validate(
        {
            "decision_makers": [
                {
                    "name": "A",
                    "options": [{"name": "x"}, {"name": "y"}],
                    "preferences": {"ranking": ["YYY", "NNN", "YNY", "YNN"]},
                },
                {
                    "name": "B",
                    "options": [{"name": "z"}],
                    "preferences": {"ranking": ["YYY", "NNN", "YNY", "YNN"]},
                },
            ],
            "infeasible": ["y and not z", "z and not x"],
        }
    )
    space = compile_conflict(conflict)
    assert space.patterns() == ["NNN", "YNN", "YNY", "YYY"]
    assert stability_matrix(space, ["nash"])["nash"][:, 0].all()  # NNN: an ordinary equilibrium
    assert joint_improvements(space, ["A", "B"], 1) == [4]
    assert joint_path(space, ["A", "B"], 1, 4) == [("A", 2), ("B", 3), ("A", 4)]
    assert coalition_search(space, ["nash"]).broken_by(1, "nash") == [("A", "B")]


def test_too_large_coalitions_are_refused_or_skipped(
    monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    monkeypatch.setattr(co, "WORK_LIMIT", 0)
    with pytest.raises(bc.AnalysisRefused, match="MoE\\+UR"):
        coalition_stability("elmira", "MoE+UR")
    r = coalition_search("elmira", ["nash"])
    assert r.coalitions == () and len(r.skipped) == 4 and r.unbroken("nash") == r.equilibria["nash"]
    code, out, _ = run_cli(["coalitions", "elmira"])
    assert code == 0 and "Not examined" in out and "MoE + UR + LG" in out


# ---------------------------------------------------------------------------
# a coalition of one is the ordinary decision maker


@pytest.mark.parametrize(
    "case", ["elmira", "syria-iraq", "prisoners-dilemma", "chicken", "ukraine-backchannel"]
)
def test_singletons_are_the_ordinary_analysis(case: str) -> None:
    space = bc.compile_case(case)
    r = coalition_stability(space)
    want = stability_matrix(space, COALITION_CONCEPTS)
    assert r.partition == tuple((d,) for d in space.dm_names)
    for c in COALITION_CONCEPTS:
        assert np.array_equal(r.stable[c], want[c]), c
        assert r.equilibria(c) == r.individual_equilibria(c)
    assert r.breaks == ()


# ---------------------------------------------------------------------------
# agreement with the brute force


def _partition(data: st.DataObject, n_dms: int) -> list[tuple[int, ...]]:
    labels = data.draw(st.lists(st.integers(0, n_dms - 1), min_size=n_dms, max_size=n_dms), label="groups")
    groups: dict[int, list[int]] = {}
    for d, lab in enumerate(labels):
        groups.setdefault(lab, []).append(d)
    return sorted(tuple(g) for g in groups.values())


@settings(FAST, max_examples=60)
@given(conflicts(max_options=6), st.data())
def test_partition_agrees_with_brute_force(conflict: Conflict, data: st.DataObject) -> None:
    space = compile_conflict(conflict)
    game = build_game(conflict)
    partition = _partition(data, space.n_dms)
    names = [[space.dm_names[d] for d in g] for g in partition]
    got = coalition_stability(space, names)
    want = BruteCoalitions(game).stability(partition, COALITION_CONCEPTS)
    assert got.partition == tuple(tuple(n) for n in names)
    for c in COALITION_CONCEPTS:
        bad = np.argwhere(got.stable[c] != want[c])
        assert bad.size == 0, (
            f"{c}: partition {names}, (coalition, state) {bad[:5].tolist()}; case "
            + conflict.model_dump_json(exclude_defaults=True)
        )


@settings(FAST, max_examples=40)
@given(conflicts(max_options=6))
def test_search_agrees_with_brute_force(conflict: Conflict) -> None:
    space = compile_conflict(conflict)
    brute = BruteCoalitions(build_game(conflict))
    got = coalition_search(space)
    base = stability_matrix(space, COALITION_CONCEPTS)
    n_dms = space.n_dms
    expected = set()
    for size in range(2, n_dms + 1):
        for h in combinations(range(n_dms), size):
            partition = sorted([h, *((j,) for j in range(n_dms) if j not in h)])
            k = partition.index(h)
            for c in COALITION_CONCEPTS:
                for e in np.flatnonzero(base[c].all(axis=0)).tolist():
                    targets = brute.undeterred(partition, k, c, e)
                    if targets:
                        names = tuple(space.dm_names[d] for d in h)
                        expected.add((c, e + 1, names, tuple(sorted(t + 1 for t in targets))))
    assert {(b.concept, b.state, b.coalition, b.targets) for b in got.breaks} == expected
    for b in got.breaks:
        assert b.target in b.targets
        path = joint_path(space, b.coalition, b.state, b.target)
        assert path and path[-1][1] == b.target
        assert all(m1 != m2 for (m1, _), (m2, _) in pairwise(path))


@settings(FAST, max_examples=40)
@given(conflicts(max_options=7), st.data())
def test_improvements_from_some_states(conflict: Conflict, data: st.DataObject) -> None:
    """R_H^{++} computed from a few starts (bits shared across blocks) is
    R_H^{++} computed from every state, restricted to them."""
    space = compile_conflict(conflict)
    members = tuple(sorted(data.draw(st.sets(st.integers(0, space.n_dms - 1), min_size=2))))
    starts = np.array(sorted(data.draw(st.sets(st.integers(0, space.n_states - 1), min_size=1))))
    some = co._improvements(space, members, starts)
    full = co._improvements(space, members)
    for s in range(space.n_states):
        assert some.of(s).tolist() == (full.of(s).tolist() if s in starts else [])


# ---------------------------------------------------------------------------
# partitions and results


def test_bad_partitions() -> None:
    space = bc.compile_case("elmira")
    with pytest.raises(BackchannelError, match=r"unknown decision maker 'XX'.*MoE, UR, LG"):
        coalition_stability(space, [["MoE", "XX"]])
    with pytest.raises(BackchannelError, match="'UR' is in two coalitions"):
        coalition_stability(space, [["MoE", "UR"], ["UR", "LG"]])
    with pytest.raises(BackchannelError, match="listed twice"):
        coalition_stability(space, [["UR", "UR"]])
    with pytest.raises(BackchannelError, match="empty"):
        coalition_stability(space, "MoE+,LG")
    with pytest.raises(ValueError, match="unknown coalition concept"):
        coalition_stability(space, None, ["sim"])


def test_result_conversions() -> None:
    r = coalition_stability("elmira", "MoE+UR")  # LG, not named, acts alone
    assert r.partition == (("MoE", "UR"), ("LG",))
    assert r.coalition_of("UR") == ("MoE", "UR")
    assert r.stable_states("MoE", "nash") == r.stable_states(["UR", "MoE"], "nash")
    assert r.dm_stable("nash").shape == (3, 12)
    data = json.loads(r.to_json())
    assert data["equilibria"]["nash"] == [5, 6, 9, 10, 11, 12]
    assert data["lost"]["nash"] == [7] and data["gained"]["nash"] == [9]
    assert data["breaks"][0]["movers"] == ["MoE", "UR"]
    assert data["states"]["10"]["pattern"] == "YNYNY"
    assert len(data["meta"]["model_hash"]) == 64
    df = r.to_dataframe()
    assert list(df.index) == list(range(1, 13))
    assert not df.loc[7, "eq_nash"] and df.loc[7, "individual_eq_nash"]

    s = coalition_search("elmira", ["nash", "seq"])
    assert s.concepts == ("nash", "seq")
    sdf = s.to_dataframe()
    assert list(sdf["state"]) == [7, 7] and set(sdf["coalition"]) == {"MoE+UR"}
    sdata = json.loads(s.to_json())
    assert sdata["broken_by"]["nash"]["7"] == ["MoE+UR"] and sdata["unbroken"]["seq"] == [5, 6, 10, 11, 12]


def test_search_given_coalitions_and_sizes() -> None:
    assert coalition_search("elmira", ["nash"], coalitions=[["UR", "MoE"]]).coalitions == (("MoE", "UR"),)
    assert coalition_search("elmira", ["nash"], coalitions=[["UR", "LG"]]).breaks == ()
    assert len(coalition_search("elmira", ["nash"], max_size=2).coalitions) == 3
    with pytest.raises(BackchannelError, match="unknown decision maker"):
        coalition_search("elmira", coalitions=[["MoE", "Nobody"]])


# ---------------------------------------------------------------------------
# command line


def test_cli_search(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["coalitions", "elmira"])
    assert code == 0
    assert "Ministry of the Environment and Uniroyal Chemical can jointly move from state 7" in out
    assert "to state 10" in out and "both prefer it" in out
    assert "state 7 is not a coalitional equilibrium (Nash, GMR, SMR, SEQ)" in out
    assert "Ministry of the Environment (to state 8), then Uniroyal Chemical (to state 10)" in out

    code, out, _ = run_cli(["coalitions", "elmira", "--format", "json", "-c", "nash"])
    assert code == 0
    data = json.loads(out)
    assert data["equilibria"] == {"nash": [5, 6, 7, 10, 11, 12]}
    assert data["unbroken"] == {"nash": [5, 6, 10, 11, 12]}
    (brk,) = data["breaks"]
    assert (brk["state"], brk["coalition"], brk["target"]) == (7, ["MoE", "UR"], 10)


def test_cli_partition(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["coalitions", "elmira", "--partition", "MoE+UR,LG"])
    assert code == 0
    assert "MoE+UR" in out and "Lost" in out and "Gained" in out
    assert "can jointly move from state 7" in out
    code, out, _ = run_cli(["coalitions", "elmira", "-p", "MoE+UR,LG", "-f", "json"])
    assert code == 0
    data = json.loads(out)
    assert data["partition"] == [["MoE", "UR"], ["LG"]]
    assert data["lost"]["nash"] == [7]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-p", "MoE+XX,LG"], "unknown decision maker 'XX'"),
        (["-p", "MoE+UR,UR+LG"], "'UR' is in two coalitions"),
        (["-p", "MoE+,LG"], "empty"),
        (["-c", "sim"], "unknown concept 'sim'"),
        (["--max-size", "1"], "at least 2"),
    ],
)
def test_cli_bad_input(run_cli: RunCli, argv: list[str], message: str) -> None:
    code, out, err = run_cli(["coalitions", "elmira", *argv])
    assert code == 2 and message in err and out == ""
