"""Published graph-model cases, reproduced exactly (STYLE 3: cited, table-driven).

Each case is a bundled data file encoded from its publication; each row below
asserts one published equilibrium set.

Sources:
- Prisoner's dilemma and Chicken: Fang, L., Hipel, K. W. & Kilgour, D. M. (1993),
  *Interactive Decision Making: The Graph Model for Conflict Resolution*, Wiley.
- Syria–Iraq (Euphrates, 1975): Hipel, K. W., Kilgour, D. M. & Kinsara, R. A. (2014),
  Strategic investigations of water conflicts in the Middle East, *Group Decision
  and Negotiation* 23(3), 355–376.
- Elmira groundwater contamination: Kilgour, D. M. & Hipel, K. W. (2005), The graph
  model for conflict resolution: past, present, and future, *Group Decision and
  Negotiation* 14, 441–460 (12-state option form; Hipel et al. 1997).
"""

from __future__ import annotations

import pytest

import backchannel as bc

PUBLISHED = [
    # case, concept, equilibria
    ("prisoners-dilemma", "nash", [1]),
    ("prisoners-dilemma", "gmr", [1, 4]),
    ("prisoners-dilemma", "smr", [1, 4]),
    ("prisoners-dilemma", "seq", [1, 4]),
    ("chicken", "nash", [2, 3]),
    ("chicken", "seq", [2, 3]),
    ("chicken", "gmr", [2, 3, 4]),
    ("chicken", "smr", [2, 3, 4]),
    ("syria-iraq", "nash", [6]),
    ("syria-iraq", "gmr", [1, 6]),
    ("syria-iraq", "smr", [6]),
    ("syria-iraq", "seq", [6]),
    ("elmira", "nash", [5, 6, 7, 10, 11, 12]),
    ("elmira", "seq", [5, 6, 7, 10, 11, 12]),
    ("elmira", "gmr", [1, 4, 5, 6, 7, 10, 11, 12]),
    ("elmira", "smr", [1, 4, 5, 6, 7, 10, 11, 12]),
]


@pytest.fixture(scope="module")
def results() -> dict[str, bc.StabilityResult]:
    return {case: bc.stability(case) for case in {row[0] for row in PUBLISHED}}


@pytest.mark.parametrize(("case", "concept", "expected"), PUBLISHED)
def test_published_equilibria(
    results: dict[str, bc.StabilityResult], case: str, concept: str, expected: list[int]
) -> None:
    assert results[case].equilibria(concept) == expected


def _ranking(space: bc.StateSpace, d: int) -> list[int | list[int]]:
    """A decision maker's ranking, best first, ties as lists (state numbers)."""
    p = space.payoffs[d]
    out: list[int | list[int]] = []
    for level in sorted(set(p.tolist()), reverse=True):
        group = [int(s) + 1 for s in range(space.n_states) if p[s] == level]
        out.append(group[0] if len(group) == 1 else group)
    return out


def test_prisoners_dilemma_prioritisation_gives_published_rankings() -> None:
    space = bc.compile_case("prisoners-dilemma")
    assert space.patterns() == ["NN", "YN", "NY", "YY"]
    assert _ranking(space, 0) == [3, 4, 1, 2]
    assert _ranking(space, 1) == [2, 4, 1, 3]


def test_syria_iraq_prioritisation_gives_published_rankings() -> None:
    """Hipel, Kilgour & Kinsara (2014): Syria 1>3>6>2>4>5, Iraq 2>4>6>1>5>3."""
    space = bc.compile_case("syria-iraq")
    assert space.patterns() == ["NNN", "YNN", "NYN", "NNY", "YNY", "NYY"]
    assert _ranking(space, 0) == [1, 3, 6, 2, 4, 5]
    assert _ranking(space, 1) == [2, 4, 6, 1, 5, 3]


def test_elmira_has_the_published_twelve_states() -> None:
    space = bc.compile_case("elmira")
    assert space.patterns() == [
        "NYNNN", "YYNNN", "NNYNN", "YNYNN", "NNNYN", "YNNYN",
        "NYNNY", "YYNNY", "NNYNY", "YNYNY", "NNNYY", "YNNYY",
    ]  # fmt: skip
    assert space.status_quo == 0
    assert _ranking(space, 0) == [9, 3, 4, 10, 7, 1, 2, 8, [5, 6, 11, 12]]


def test_elmira_irreversible_moves() -> None:
    """Modify is adopt-only, Delay withdraw-only, Abandon adopt-only (Kilgour & Hipel 2005)."""
    space = bc.compile_case("elmira")
    ur = space.dm_index("UR")
    # from state 5 (abandon) Uniroyal cannot go back to delay or accept
    assert space.moves[ur].of(4).tolist() == []
    # from state 1 (delay) it may accept (3) or abandon (5)
    assert sorted(space.moves[ur].of(0).tolist()) == [2, 4]
    # from state 3 (accept) it may abandon (5) but not resume delaying (1)
    assert space.moves[ur].of(2).tolist() == [4]
    moe = space.dm_index("MoE")
    assert space.moves[moe].of(1).tolist() == []  # modified: cannot un-modify
