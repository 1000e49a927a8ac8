"""Status quo analysis (``backchannel.gmcr.evolution``): reachable states, shortest
paths, coalition moves, graph exports and the ``evolve`` command.

The Elmira expectations are derived by hand below from the published model
(``src/backchannel/cases/elmira.yaml``: Kilgour & Hipel 2005, GDN 14; Hipel,
Kilgour, Fang & Peng 1997).  Random conflicts are checked against a
breadth-first search written with Python sets over the brute-force game of
``tests/bruteforce.py`` (nothing of the engine or the state-space compiler).
"""

from __future__ import annotations

import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET
from collections import deque
from pathlib import Path

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.case.model import Conflict
from backchannel.errors import BackchannelError
from backchannel.gmcr.analysis import compile_case
from backchannel.gmcr.evolution import EvolutionResult, evolution
from backchannel.gmcr.statespace import compile_conflict
from bruteforce import Game, build_game
from conftest import RunCli
from strategies import conflicts

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------
# Elmira from the status quo


@pytest.fixture(scope="module")
def elmira() -> EvolutionResult:
    return evolution(compile_case("elmira"))


def test_elmira_status_quo_by_unilateral_improvements(elmira: EvolutionResult) -> None:
    """From the status quo, state 1 (NYNNN: Uniroyal delays), only state 7 can be reached.

    Options: 1 modify (MoE, adopt-only), 2 delay (UR, withdraw-only), 3 accept
    (UR), 4 abandon (UR, adopt-only), 5 insist (LG); exactly one of 2–4.
    Published rankings, best first: MoE 9 3 4 10 7 1 2 8 [11 5 6 12];
    UR 1 4 10 7 [5 11 6 12] 2 3 9 8; LG 9 3 7 1 10 8 4 2 [11 5 12 6].

    At state 1 the unilateral moves are
    * MoE: 1 → 2 (modifies): MoE ranks 2 below 1 — no improvement;
    * UR: 1 → 3 (accepts), 1 → 5 (abandons): state 1 is UR's best — none;
    * LG: 1 → 7 (insists): LG ranks 7 above 1 — a unilateral improvement.
    At state 7 (delay, insist)
    * MoE: 7 → 8: 8 is below 7 for MoE; UR: 7 → 9 and 7 → 11: both below 7
      for UR (9 is its second worst, 11 is in the tie below 7); LG: 7 → 1:
      1 is below 7 for LG.
    So 7 has no unilateral improvement (it is a published Nash equilibrium,
    Nash equilibria {5, 6, 7, 10, 11, 12}) and the search stops: the
    reachable states are {1, 7}, the reachable Nash equilibrium is 7, reached
    in one step by the local government insisting on the original order.
    """
    r = elmira
    assert r.start_number == 1
    assert r.reachable() == [1, 7]
    assert r.equilibria("nash") == [7]
    assert r.steps_to(7) == 1
    assert r.steps_to(10) is None
    (step,) = r.path(7)
    assert (step.movers, step.source, step.target) == (("LG",), 1, 7)
    assert step.changes[0].adopted == ("insist",) and step.changes[0].withdrawn == ()
    assert step.text == "Local government takes Insist on the original order: state 1 → 7"
    assert r.path(1) == []


def test_elmira_coalition_move_reaches_state_10() -> None:
    """With coalition improvements, Elmira moves 1 → 7 → 10: the Ministry and
    Uniroyal jointly leave the Nash equilibrium 7 for 10 (modified order,
    accepted) — the joint move that coalition analyses of Elmira discuss
    (Kilgour, Hipel, Fang & Peng 2001, GDN 10; not quoted here: we could not
    read the paper, so the states below are derived by hand).

    From 1 no coalition can improve: every coalition move that involves UR
    makes UR worse off (1 is its best state), and {MoE, LG} jointly reach 8
    (modify, delay, insist), which MoE ranks below 1.  So the first step is
    still LG's unilateral 1 → 7.  From 7 (MoE 4th·UR 4th·LG 3rd best):
    * {MoE, UR}: MoE modifies and UR switches from delay to accept → 10
      (modify, accept, insist): MoE ranks 10 above 7 and UR ranks 10 above 7
      — a coalition improvement; to abandon instead → 12, worst for MoE;
    * {MoE, LG} → 2 (modify, delay): MoE ranks 2 below 7;
    * {UR, LG} → 3 or 5: both below 7 for UR;
    * {MoE, UR, LG} → 4 (modify, accept): LG ranks 4 below 7; → 6: MoE worst.
    From 10 MoE cannot move (modify is adopt-only), delay cannot be re-adopted
    (withdraw-only), and no move or joint move improves every mover.  Reachable:
    {1, 7, 10}; Nash equilibria among them: 7 and 10.
    """
    r = evolution(compile_case("elmira"), coalitions=True)
    assert r.reachable() == [1, 7, 10]
    assert r.equilibria("nash") == [7, 10]
    first, second = r.path(10)
    assert (first.movers, first.source, first.target) == (("LG",), 1, 7)
    assert (second.movers, second.source, second.target) == (("MoE", "UR"), 7, 10)
    assert second.coalition
    assert [(c.decision_maker, c.adopted, c.withdrawn) for c in second.changes] == [
        ("MoE", ("modify",), ()),
        ("UR", ("accept",), ("delay",)),
    ]
    assert second.text.startswith("Jointly, Ministry of the Environment takes Modify the control order; ")
    assert second.text.endswith(
        "Uniroyal Chemical withdraws Delay (appeal) and takes Accept the control order: state 7 → 10"
    )


def test_elmira_several_concepts() -> None:
    """Under GMR the status quo is itself an equilibrium (published GMR
    equilibria {1, 4, 5, 6, 7, 10, 11, 12}); reachable: 1 (0 steps) and 7."""
    r = evolution(compile_case("elmira"), concept=["gmr", "nash"])
    assert r.concepts == ("nash", "gmr")
    assert r.equilibria("gmr") == [1, 7]
    assert r.equilibria("nash") == [7]
    assert r.all_equilibria() == [1, 7]
    assert r.equilibria() == [7]  # the first concept


def test_start_by_number_or_pattern() -> None:
    space = compile_case("elmira")
    assert evolution("elmira", start=4).reachable() == [4, 10]  # a bundled case name works too
    by_number = evolution(space, start=4)
    by_pattern = evolution(space, start="YNYNN")
    assert by_number.start == by_pattern.start == 3
    # from 4 (modify, accept): LG insists (→ 10, which LG ranks above 4)
    assert by_number.reachable() == [4, 10]
    assert evolution(space, start="nnnyy").reachable() == [11]  # abandon, insist: nobody improves


def test_max_steps_bounds_the_search() -> None:
    space = compile_case("elmira")
    assert evolution(space, max_steps=0).reachable() == [1]
    assert evolution(space, coalitions=True, max_steps=1).reachable() == [1, 7]
    assert evolution(space, coalitions=True, max_steps=2).reachable() == [1, 7, 10]


def test_bad_requests_are_clear() -> None:
    space = compile_case("elmira")
    with pytest.raises(BackchannelError, match="numbered 1 to 12"):
        evolution(space, start=13)
    with pytest.raises(BackchannelError, match="Y/N pattern of 5 letters"):
        evolution(space, start="YYN")
    with pytest.raises(BackchannelError, match="not feasible"):
        evolution(space, start="NNNNN")  # Uniroyal must delay, accept or abandon
    with pytest.raises(BackchannelError, match="unknown concept"):
        evolution(space, concept="nah")
    with pytest.raises(BackchannelError, match="at least 2 members"):
        evolution(space, coalitions=True, max_coalition_size=1)
    no_sq = compile_conflict(space.conflict.model_copy(update={"status_quo": None}))
    with pytest.raises(BackchannelError, match="no status quo"):
        evolution(no_sq)


def test_unreachable_path_raises(elmira: EvolutionResult) -> None:
    with pytest.raises(ValueError, match="not reachable"):
        elmira.path(10)


# ---------------------------------------------------------------------------
# exports


@pytest.fixture(scope="module")
def elmira_coalitions() -> EvolutionResult:
    return evolution(compile_case("elmira"), concept=["nash", "gmr"], coalitions=True)


def test_graph_json(elmira_coalitions: EvolutionResult) -> None:
    g = elmira_coalitions.graph()
    assert [n["number"] for n in g["nodes"]] == [1, 7, 10]
    first = g["nodes"][0]
    assert first["start"] and first["status_quo"] and first["pattern"] == "NYNNN"
    assert first["equilibrium"] == {"nash": False, "gmr": True}
    edges = {(e["from"], e["to"]): e for e in g["edges"]}
    assert set(edges) == {(1, 7), (7, 10)}
    assert edges[1, 7]["movers"] == ["LG"] and edges[1, 7]["ui"] and not edges[1, 7]["coalition"]
    assert edges[7, 10]["movers"] == ["MoE", "UR"] and edges[7, 10]["coalition"] and not edges[7, 10]["ui"]
    assert all(e["on_path"] for e in g["edges"])
    # with every move between reachable states: LG can move back 7 → 1 (not an improvement)
    full = {(e["from"], e["to"]): e for e in elmira_coalitions.graph(all_moves=True)["edges"]}
    assert not full[7, 1]["ui"] and not full[7, 1]["on_path"]
    assert full[1, 7]["ui"]


def test_to_json_and_dataframe(elmira_coalitions: EvolutionResult) -> None:
    data = json.loads(elmira_coalitions.to_json())
    assert data["start"] == {"number": 1, "pattern": "NYNNN", "description": "delay"}
    assert data["equilibria"] == {"nash": [7, 10], "gmr": [1, 7, 10]}
    assert [s["number"] for s in data["reachable"]] == [1, 7, 10]
    assert [len(data["paths"][k]) for k in ("1", "7", "10")] == [0, 1, 2]
    assert data["paths"]["10"][1]["movers"] == ["MoE", "UR"]
    assert data["meta"]["analysis"] == "evolution" and len(data["meta"]["model_hash"]) == 64
    df = elmira_coalitions.to_dataframe()
    assert list(df.index) == [1, 7, 10]
    assert df.loc[10, "previous"] == 7 and df.loc[10, "movers"] == "MoE + UR"
    assert df["eq_nash"].tolist() == [False, True, True]


def test_graphml_parses(elmira_coalitions: EvolutionResult, tmp_path: Path) -> None:
    path = tmp_path / "e.graphml"
    text = elmira_coalitions.to_graphml(path, all_moves=True)
    assert path.read_text(encoding="utf-8") == text
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.parse(path).getroot()
    assert root.tag == "{http://graphml.graphdrawing.org/xmlns}graphml"
    keys = {
        k.get("id"): (k.get("for"), k.get("attr.name"), k.get("attr.type")) for k in root.findall("g:key", ns)
    }
    graph = root.find("g:graph", ns)
    assert graph is not None and graph.get("edgedefault") == "directed"
    nodes = graph.findall("g:node", ns)
    assert [n.get("id") for n in nodes] == ["s1", "s7", "s10"]
    ids = {n.get("id") for n in nodes}
    for el in graph.iter():
        for d in el.findall("g:data", ns):
            assert d.get("key") in keys  # every datum is declared
    edges = graph.findall("g:edge", ns)
    assert all(e.get("source") in ids and e.get("target") in ids for e in edges)

    def datum(el: ET.Element, key: str) -> str | None:
        found = el.find(f"g:data[@key='{key}']", ns)
        return None if found is None else found.text

    s10 = nodes[2]
    assert datum(s10, "d_pattern") == "YNYNY" and datum(s10, "d_eq_nash") == "true"
    assert datum(s10, "d_distance") == "2"
    joint = [e for e in edges if (e.get("source"), e.get("target")) == ("s7", "s10")]
    assert len(joint) == 1 and datum(joint[0], "e_movers") == "MoE + UR"
    assert datum(joint[0], "e_coalition") == "true"


_DOT_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_DOT_STRING = r'"(?:[^"\\]|\\.)*"'
_DOT_VALUE = rf"(?:{_DOT_STRING}|[A-Za-z0-9_.#]+)"
_DOT_ATTRS = rf"\[\s*{_DOT_ID}={_DOT_VALUE}(?:\s*,\s*{_DOT_ID}={_DOT_VALUE})*\s*\]"


def check_dot(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    """A strict check of the DOT subset we write: every statement on its own
    line, attribute lists well formed, strings properly escaped, edges between
    declared nodes.  Returns the node ids and the edges."""
    lines = text.strip().splitlines()
    assert lines[0] == "digraph evolution {" and lines[-1] == "}"
    nodes: set[str] = set()
    edges: list[tuple[str, str]] = []
    for line in lines[1:-1]:
        body = line.strip()
        if m := re.fullmatch(rf"({_DOT_ID})\s*=\s*{_DOT_VALUE};", body):
            continue
        if m := re.fullmatch(rf"(node|edge)\s*{_DOT_ATTRS};", body):
            continue
        if m := re.fullmatch(rf"({_DOT_ID})\s*->\s*({_DOT_ID})\s*{_DOT_ATTRS};", body):
            edges.append((m.group(1), m.group(2)))
            continue
        m = re.fullmatch(rf"({_DOT_ID})\s*{_DOT_ATTRS};", body)
        assert m, f"not a DOT statement: {body!r}"
        nodes.add(m.group(1))
    assert all(a in nodes and b in nodes for a, b in edges)
    return nodes, edges


def test_dot_is_well_formed(elmira_coalitions: EvolutionResult, tmp_path: Path) -> None:
    path = tmp_path / "e.dot"
    text = elmira_coalitions.to_dot(path)
    assert path.read_text(encoding="utf-8") == text
    nodes, edges = check_dot(text)
    assert nodes == {"s1", "s7", "s10"}
    assert sorted(edges) == [("s1", "s7"), ("s7", "s10")]
    assert "style=dashed" in next(line for line in text.splitlines() if "s7 -> s10" in line)


def test_dot_escapes_labels() -> None:
    """Quotes and backslashes in option names cannot break the DOT text."""
    conflict = Conflict.model_validate(
        {
            "title": 'A "quoted" case',
            "decision_makers": [
                {
                    "name": "A",
                    "label": 'A "the first"',
                    "options": [{"name": "x", "label": 'say "no" \\ yes'}],
                    "preferences": {"ranking": [[2, 4], [1, 3]]},
                },
                {"name": "B", "options": [{"name": "y"}], "preferences": {"ranking": [1, 2, 3, 4]}},
            ],
            "status_quo": "NN",
        }
    )
    r = evolution(conflict)
    assert r.reachable() == [1, 2]  # A takes x
    nodes, _ = check_dot(r.to_dot(all_moves=True))
    assert "s1" in nodes
    ET.fromstring(r.to_graphml(all_moves=True))  # parses


# ---------------------------------------------------------------------------
# the command


def test_cli_evolve_table(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["evolve", "elmira"])
    assert code == 0
    assert "From the status quo, state 1 (NYNNN: delay)" in out
    assert "1. Local government takes Insist on the original order: state 1 → 7" in out
    assert "Reachable: 2 of 12 states." in out


def test_cli_evolve_coalitions_json_and_exports(run_cli: RunCli, tmp_path: Path) -> None:
    gml, dot = tmp_path / "out.graphml", tmp_path / "out.dot"
    code, out, err = run_cli(
        [
            "evolve",
            "elmira",
            "--coalitions",
            "-c",
            "nash,gmr",
            "--graphml",
            str(gml),
            "--dot",
            str(dot),
            "-f",
            "json",
        ]
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["equilibria"] == {"nash": [7, 10], "gmr": [1, 7, 10]}
    assert data["paths"]["10"][1]["text"].startswith("Jointly, ")
    ET.parse(gml)
    check_dot(dot.read_text(encoding="utf-8"))
    assert "wrote" in err


def test_cli_evolve_from_and_errors(run_cli: RunCli) -> None:
    code, out, _ = run_cli(["evolve", "chicken", "--from", "YY"])
    assert code == 0
    # from mutual swerving, either driver stops swerving: the two Nash equilibria
    assert "1. Driver 2 withdraws Driver 2 swerves: state 4 → 2" in out
    assert "1. Driver 1 withdraws Driver 1 swerves: state 4 → 3" in out
    code, _, err = run_cli(["evolve", "chicken", "--from", "9"])
    assert code == 2 and "numbered 1 to 4" in err
    code, _, err = run_cli(["evolve", "chicken", "-c", "nsh"])
    assert code == 2 and "unknown concept" in err


# ---------------------------------------------------------------------------
# agreement with a brute-force search


def _legal(game: Game, s: int, t: int) -> bool:
    """Whether going from s to t reverses no irreversible option."""
    cs, ct = game.codes[s], game.codes[t]
    for i, rev in enumerate(game.reversible):
        was, now = cs >> i & 1, ct >> i & 1
        if was and not now and rev == "adopt-only":
            return False
        if now and not was and rev == "withdraw-only":
            return False
    return True


def brute_improvements(game: Game, coalitions: bool) -> list[list[tuple[int, frozenset[int]]]]:
    """For each state, its improvements as (target, movers): every decision
    maker's unilateral improvements and, with ``coalitions``, every change of
    two or more decision makers' options to a feasible state that each of them
    strictly prefers, respecting reversibility."""
    n = game.n_states
    out: list[list[tuple[int, frozenset[int]]]] = [[] for _ in range(n)]
    for s in range(n):
        for d in range(game.n_dms):
            out[s] += [(t, frozenset([d])) for t in game.ui[d][s]]
        if not coalitions:
            continue
        for t in range(n):
            diff = game.codes[s] ^ game.codes[t]
            movers = frozenset(game.owner[i] for i in range(len(game.names)) if diff >> i & 1)
            if len(movers) < 2 or not _legal(game, s, t):
                continue
            if all(game.pay[d][t] > game.pay[d][s] for d in movers):
                out[s].append((t, movers))
    return out


def brute_distances(game: Game, start: int, coalitions: bool) -> dict[int, int]:
    graph = brute_improvements(game, coalitions)
    dist = {start: 0}
    queue = deque([start])
    while queue:
        s = queue.popleft()
        for t, _ in graph[s]:
            if t not in dist:
                dist[t] = dist[s] + 1
                queue.append(t)
    return dist


@settings(FAST, max_examples=150)
@given(conflicts(), st.booleans(), st.data())
def test_search_agrees_with_brute_force(conflict: Conflict, coalitions: bool, data: st.DataObject) -> None:
    """Distances from a random start, paths and reachable equilibria agree with
    a plain breadth-first search over the brute-force game."""
    space = compile_conflict(conflict)
    game = build_game(conflict)
    start = data.draw(st.integers(0, space.n_states - 1), label="start")
    r = evolution(space, start + 1, ["nash", "seq"], coalitions=coalitions)
    want = brute_distances(game, start, coalitions)
    got = {int(s): int(r.distance[s]) for s in np.flatnonzero(r.distance >= 0)}
    assert got == want

    # every path is a shortest chain of improvements, each by the movers it names
    improvements = brute_improvements(game, coalitions)
    for e in r.all_equilibria():
        steps = r.path(e)
        assert len(steps) == want[e - 1]
        at = start
        for step in steps:
            assert step.source == at + 1
            movers = frozenset(space.dm_names.index(m) for m in step.movers)
            assert (step.target - 1, movers) in improvements[at]
            at = step.target - 1
        assert at == e - 1
    # the equilibria are the reachable states stable for everyone
    from bruteforce import brute_stability

    stab = brute_stability(game, ["nash", "seq"])
    for c in ("nash", "seq"):
        assert r.equilibria(c) == sorted(s + 1 for s in want if stab[c][:, s].all())


def test_coalition_moves_need_every_member_to_change_and_improve() -> None:
    """Three decision makers, one option each, nothing infeasible.  From NNN:
    A and B are better off only if both act (YYN), C is indifferent between
    everything; the joint move of {A, B} is the only improvement.  A
    three-member move to YYY is not one, since C does not strictly improve."""
    conflict = Conflict.model_validate(
        {
            "title": "pair",
            "decision_makers": [
                {"name": "A", "options": [{"name": "a"}], "preferences": {"prioritization": ["a and b"]}},
                {"name": "B", "options": [{"name": "b"}], "preferences": {"prioritization": ["a and b"]}},
                {
                    "name": "C",
                    "options": [{"name": "c"}],
                    "preferences": {"ranking": [[1, 2, 3, 4, 5, 6, 7, 8]]},
                },
            ],
            "status_quo": "NNN",
        }
    )
    space = compile_conflict(conflict)
    assert evolution(space).reachable() == [1]
    r = evolution(space, coalitions=True)
    assert r.reachable() == [1, 4]  # 4 = YYN
    (step,) = r.path(4)
    assert step.movers == ("A", "B")
    assert evolution(space, coalitions=True, max_coalition_size=2).reachable() == [1, 4]
