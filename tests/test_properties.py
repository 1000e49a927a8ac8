"""Property tests of the stability engine.

* The engine agrees with a brute-force checker written from the definitions
  (``tests/bruteforce.py``) on random conflicts (``tests/strategies.py``).
  SIM is checked in both readings: joint replies (any set of opponents at
  once, the default and GMCR+'s definition) and pairwise (one opponent); a
  deterministic test pins down where the two differ.
* Inclusions between the solution concepts hold.
* Relabelling (reordering decision makers and their options, renaming
  everything) changes no stability result once states are matched by the
  options they take.
* A hand-built three-party conflict in which a stable state needs an opponent
  to move twice, with another in between.
"""

import pathlib
import re
import sys
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.case.model import Conflict
from backchannel.gmcr.engine import stability_matrix
from backchannel.gmcr.statespace import StateSpace, compile_conflict
from bruteforce import CONCEPTS, brute_stability, build_game
from strategies import conflicts

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _stable_states(mat: np.ndarray) -> list[int]:
    """State numbers (1-based) stable for every decision maker."""
    return [int(s) + 1 for s in np.flatnonzero(mat.all(axis=0))]


def _describe(space: StateSpace, concept: str, got: np.ndarray, want: np.ndarray) -> str:
    bad = np.argwhere(got != want)
    lines = [f"{concept}: engine and brute force disagree on {len(bad)} (dm, state) pairs"]
    for d, s in bad[:5]:
        lines.append(
            f"  {space.dm_names[d]} at state {s + 1} ({space.pattern(int(s))}): "
            f"engine {bool(got[d, s])}, brute force {bool(want[d, s])}"
        )
    lines.append("  case: " + space.conflict.model_dump_json(exclude_defaults=True))
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# agreement with the brute force


@pytest.mark.parametrize("kernels", ["never", "always"])  # NumPy forms, compiled kernels
@pytest.mark.parametrize("sim_mode", ["joint", "pairwise"])
@settings(FAST, max_examples=300)
@given(conflicts())
def test_engine_agrees_with_brute_force(kernels: str, sim_mode: str, conflict: Conflict) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BACKCHANNEL_KERNELS", kernels)
        space = compile_conflict(conflict)
        got = stability_matrix(space, sim_mode=sim_mode)
    game = build_game(conflict)

    # the same feasible states, moves and preference order
    assert space.codes.tolist() == game.codes
    for d in range(space.n_dms):
        for s in range(space.n_states):
            assert space.moves[d].of(s).tolist() == game.moves[d][s], (d, s)
        p = space.payoffs[d].astype(np.int64)
        q = np.asarray(game.pay[d], dtype=np.int64)
        assert (np.sign(p[:, None] - p[None, :]) == np.sign(q[:, None] - q[None, :])).all(), d

    want = brute_stability(game, sim=sim_mode)
    for concept in CONCEPTS:
        assert got[concept].shape == (space.n_dms, space.n_states)
        assert got[concept].dtype == bool
        assert np.array_equal(got[concept], want[concept]), _describe(
            space, concept, got[concept], want[concept]
        )


@settings(FAST, max_examples=100)
@given(conflicts(), st.lists(st.sampled_from(CONCEPTS), min_size=1, max_size=5, unique=True))
def test_concept_subsets_agree_with_full_run(conflict: Conflict, concepts: list[str]) -> None:
    space = compile_conflict(conflict)
    full = stability_matrix(space)
    part = stability_matrix(space, concepts)
    assert set(part) == set(concepts)
    for c in concepts:
        assert np.array_equal(part[c], full[c])


# ---------------------------------------------------------------------------
# inclusions between the concepts


@settings(FAST, max_examples=200)
@given(conflicts())
def test_concept_inclusions(conflict: Conflict) -> None:
    r = stability_matrix(compile_conflict(conflict))
    nash, gmr, smr, seq, sim = (r[c] for c in CONCEPTS)
    assert not (nash & ~seq).any(), "Nash ⊄ SEQ"
    assert not (seq & ~gmr).any(), "SEQ ⊄ GMR"
    assert not (nash & ~smr).any(), "Nash ⊄ SMR"
    assert not (smr & ~gmr).any(), "SMR ⊄ GMR"
    assert not (nash & ~sim).any(), "Nash ⊄ SIM"


# ---------------------------------------------------------------------------
# relabelling


_RESERVED = {"not", "and", "or", "implies", "iff", "if", "then", "true", "false"}
_names = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True).filter(lambda s: s not in _RESERVED)


def relabel(
    conflict: Conflict,
    dm_order: list[int],
    option_orders: list[list[int]],
    dm_names: list[str],
    option_names: dict[str, str],
) -> Conflict:
    """The same conflict with decision makers reordered (``dm_order[k]`` is the
    old index of the new ``k``-th), each one's options reordered
    (``option_orders[d]`` for old decision maker ``d``) and everything renamed.
    Patterns are rewritten for the new option order and rankings by state
    number are renumbered."""
    old_names = conflict.option_names
    new_names = [
        option_names[o.name]
        for d in dm_order
        for o in (conflict.decision_makers[d].options[k] for k in option_orders[d])
    ]
    new_pos = {n: i for i, n in enumerate(new_names)}

    def map_code(code: int) -> int:
        return sum(1 << new_pos[option_names[n]] for i, n in enumerate(old_names) if code >> i & 1)

    old_codes = build_game(conflict).codes
    new_codes = sorted(map_code(c) for c in old_codes)
    new_number = {c: k + 1 for k, c in enumerate(new_codes)}

    def map_pattern(text: str) -> str:
        t = text.strip()
        chars = ["-"] * len(new_names)
        for i, ch in enumerate(t):
            chars[new_pos[option_names[old_names[i]]]] = ch
        return "".join(chars)

    def map_condition(text: str) -> str:
        if re.fullmatch(r"[YN\-]+", text.strip()):
            return map_pattern(text)
        return re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: option_names.get(m.group(0), m.group(0)), text)

    def map_ref(ref: int | str) -> int | str:
        if isinstance(ref, int):
            return new_number[map_code(old_codes[ref - 1])]
        return map_pattern(ref)

    dms: list[dict[str, Any]] = []
    for k, d in enumerate(dm_order):
        dm = conflict.decision_makers[d]
        opts = []
        for j in option_orders[d]:
            o = dm.options[j]
            opts.append({"name": option_names[o.name], "reversible": o.reversible})
        prefs = dm.preferences
        if prefs.ranking is not None:
            pref: dict[str, Any] = {
                "ranking": [
                    [map_ref(r) for r in entry] if isinstance(entry, list) else map_ref(entry)
                    for entry in prefs.ranking
                ]
            }
        else:
            assert prefs.prioritization is not None
            pref = {"prioritization": [map_condition(s.condition) for s in prefs.prioritization]}
        dms.append({"name": dm_names[k], "options": opts, "preferences": pref})
    rules: list[dict[str, Any]] = []
    for r in conflict.infeasible:
        if r.pattern is not None:
            rules.append({"pattern": map_pattern(r.pattern)})
        elif r.expr is not None:
            rules.append({"expr": map_condition(r.expr)})
        else:
            rules.append({r.form: [option_names[n] for n in getattr(r, r.form)]})
    return Conflict.model_validate({"title": conflict.title, "decision_makers": dms, "infeasible": rules})


@st.composite
def relabelled(draw: st.DrawFn) -> tuple[Conflict, Conflict, list[int], dict[str, str]]:
    """(conflict, relabelled conflict, new → old decision maker index, old → new option name)."""
    conflict = draw(conflicts())
    n_dm = len(conflict.decision_makers)
    n = n_dm + conflict.n_options
    dm_order = list(draw(st.permutations(range(n_dm))))
    option_orders = [list(draw(st.permutations(range(len(dm.options))))) for dm in conflict.decision_makers]
    names = draw(st.lists(_names, min_size=n, max_size=n, unique=True))
    option_names = dict(zip(conflict.option_names, names[n_dm:], strict=True))
    new = relabel(conflict, dm_order, option_orders, names[:n_dm], option_names)
    return conflict, new, dm_order, option_names


@settings(FAST, max_examples=150)
@given(relabelled())
def test_relabelling_changes_nothing(case: tuple[Conflict, Conflict, list[int], dict[str, str]]) -> None:
    old, new, dm_order, option_names = case
    a, b = compile_conflict(old), compile_conflict(new)
    assert a.n_states == b.n_states

    def taken(space: StateSpace, s: int, names: list[str]) -> frozenset[str]:
        code = int(space.codes[s])
        return frozenset(n for i, n in enumerate(names) if code >> i & 1)

    # match states by the options they take (compared under the new names)
    old_as_new = [option_names[n] for n in old.option_names]
    key_b = {taken(b, s, new.option_names): s for s in range(b.n_states)}
    state_map = np.array([key_b[taken(a, s, old_as_new)] for s in range(a.n_states)])
    assert sorted(state_map.tolist()) == list(range(b.n_states))

    ra, rb = stability_matrix(a), stability_matrix(b)
    for k, d in enumerate(dm_order):
        # the payoffs order the matched states alike
        pa, pb = a.payoffs[d], b.payoffs[k][state_map]
        assert (np.sign(pa[:, None] - pa[None, :]) == np.sign(pb[:, None] - pb[None, :])).all()
        for c in CONCEPTS:
            assert np.array_equal(ra[c][d], rb[c][k][state_map]), (c, old.decision_makers[d].name)


# ---------------------------------------------------------------------------
# a sanction that needs an opponent to move twice


# A controls a; B controls b1, b2; C controls c (options in that order, so a
# state's pattern reads a b1 b2 c).  Infeasible: b2 without c ("--YN") and c
# without b1 or b2 ("-NNY").  A cares most that b2 is not taken, then for a;
# B wants b1 without c, or b2 with c; C wants c.
#
# From state 1 (NNNN) A improves to YNNN.  The only sanction is YNYY (A's
# worst kind of state), and the opponents reach it only by B, C, B:
#   YNNN -B-> YYNN -C-> YYNY -B-> YNYY
# (C cannot take c first, B cannot take b2 without c), each move a unilateral
# improvement for its mover.  So state 1 is GMR- and SEQ-stable for A and an
# equilibrium under both; letting each opponent move at most once (as GMCR+
# does) loses it.
TWICE = {
    "title": "An opponent moves twice",
    "decision_makers": [
        {"name": "A", "options": [{"name": "a"}], "preferences": {"prioritization": ["not b2", "a"]}},
        {
            "name": "B",
            "options": [{"name": "b1"}, {"name": "b2"}],
            "preferences": {"prioritization": ["(b1 and not c) or (b2 and c)"]},
        },
        {"name": "C", "options": [{"name": "c"}], "preferences": {"prioritization": ["c"]}},
    ],
    "infeasible": [{"pattern": "--YN"}, {"pattern": "-NNY"}],
}

TWICE_STABLE = {  # per decision maker (A, B, C), states 1..10
    "nash": [[0, 1, 0, 1, 0, 1, 0, 1, 0, 1], [0, 0, 1, 1, 0, 0, 1, 1, 1, 1], [1, 1, 0, 0, 1, 1, 1, 1, 1, 1]],
    "gmr": [[1, 1, 1, 1, 1, 1, 0, 1, 0, 1], [1, 1, 1, 1, 0, 0, 1, 1, 1, 1], [1, 1, 0, 0, 1, 1, 1, 1, 1, 1]],
    "smr": [[1, 1, 1, 1, 1, 1, 0, 1, 0, 1], [0, 0, 1, 1, 0, 0, 1, 1, 1, 1], [1, 1, 0, 0, 1, 1, 1, 1, 1, 1]],
    "seq": [[1, 1, 1, 1, 1, 1, 0, 1, 0, 1], [1, 1, 1, 1, 0, 0, 1, 1, 1, 1], [1, 1, 0, 0, 1, 1, 1, 1, 1, 1]],
    "sim": [[0, 1, 0, 1, 1, 1, 0, 1, 0, 1], [0, 0, 1, 1, 0, 0, 1, 1, 1, 1], [1, 1, 0, 0, 1, 1, 1, 1, 1, 1]],
}
TWICE_EQUILIBRIA = {
    "nash": [8, 10],
    "gmr": [1, 2, 8, 10],
    "smr": [8, 10],
    "seq": [1, 2, 8, 10],
    "sim": [8, 10],
}


def test_sanction_needing_an_opponent_to_move_twice() -> None:
    space = compile_conflict(Conflict.model_validate(TWICE))
    assert space.patterns() == [
        "NNNN",
        "YNNN",
        "NYNN",
        "YYNN",
        "NYNY",
        "YYNY",
        "NNYY",
        "YNYY",
        "NYYY",
        "YYYY",
    ]
    got = stability_matrix(space)
    for c in CONCEPTS:
        assert got[c].astype(int).tolist() == TWICE_STABLE[c], c
        assert _stable_states(got[c]) == TWICE_EQUILIBRIA[c], c
    # the brute force agrees, and restricting opponents to one move each loses state 1
    want = brute_stability(space.conflict, sim="pairwise")
    assert all(np.array_equal(want[c], got[c]) for c in CONCEPTS)
    once = brute_stability(space.conflict, ("gmr", "seq"), one_move_each=True)
    assert not once["gmr"][0, 0] and not once["seq"][0, 0]
    assert _stable_states(once["gmr"]) == [2, 8, 10]
    assert _stable_states(once["seq"]) == [2, 8, 10]


# ---------------------------------------------------------------------------
# SIM: joint replies (the default) and pairwise


# A, B, C control a, b, c.  A prefers most that b and c are not both taken,
# then a; B wants b, C wants c.  At NNN A's improvement to YNN meets B's
# simultaneous improvement (YYN) or C's (YNY), neither of which A minds; only
# B and C replying together (YYY) would hurt A.
TOGETHER = {
    "title": "Only a joint reply sanctions",
    "decision_makers": [
        {"name": "A", "options": [{"name": "a"}], "preferences": {"prioritization": ["not (b and c)", "a"]}},
        {"name": "B", "options": [{"name": "b"}], "preferences": {"prioritization": ["b"]}},
        {"name": "C", "options": [{"name": "c"}], "preferences": {"prioritization": ["c"]}},
    ],
}


def test_sim_joint_and_pairwise() -> None:
    """At NNN only B and C replying together sanction A's move to YNN: the
    joint reading (the default, GMCR+'s) makes NNN SIM-stable for A, the
    pairwise reading does not; everywhere else the two agree."""
    conflict = Conflict.model_validate(TOGETHER)
    space = compile_conflict(conflict)
    assert space.patterns() == ["NNN", "YNN", "NYN", "YYN", "NNY", "YNY", "NYY", "YYY"]
    pairwise = stability_matrix(space, ["sim"], sim_mode="pairwise")["sim"]
    assert pairwise.astype(int).tolist() == [
        [0, 1, 1, 1, 1, 1, 0, 1],
        [0, 0, 1, 1, 0, 0, 1, 1],
        [0, 0, 0, 0, 1, 1, 1, 1],
    ]
    joint = stability_matrix(space, ["sim"])["sim"]
    assert joint.astype(int).tolist() == [
        [1, 1, 1, 1, 1, 1, 0, 1],
        [0, 0, 1, 1, 0, 0, 1, 1],
        [0, 0, 0, 0, 1, 1, 1, 1],
    ]
    assert np.array_equal(pairwise, brute_stability(conflict, ["sim"], sim="pairwise")["sim"])
    assert np.array_equal(joint, brute_stability(conflict, ["sim"], sim="joint")["sim"])


def test_sim_mode_is_checked() -> None:
    space = compile_conflict(Conflict.model_validate(TOGETHER))
    with pytest.raises(ValueError, match="unknown SIM mode 'both'; choose from joint, pairwise"):
        stability_matrix(space, ["sim"], sim_mode="both")
