"""GMCR+ ``.gmcr`` import/export and the YAML/JSON case writer.

The fixtures in ``tests/data`` are written for these tests in the GMCR+ save
format (``gmcr-py``: options with ``permittedDirection``, decision makers with
0-based option indices, prioritised preference conditions, infeasibles,
``useManualPreferenceRanking`` / ``preferenceRanking``; the old format's
``useManualPreferenceVectors`` / ``preferenceVector``).  The conflicts and
their published results come from the literature cited in each test.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.case.casefile import bundled_cases, load_case, parse_case_text, read_case
from backchannel.case.model import Conflict
from backchannel.errors import BackchannelError, CaseError, ModelError
from backchannel.formats.gmcrplus import (
    MISP_HEADER,
    conflict_from_gmcr,
    conflict_to_gmcr,
    conflict_to_gmcr_text,
    gmcr_warnings,
    prime_implicants,
)
from backchannel.formats.writer import conflict_to_json, conflict_to_yaml
from backchannel.gmcr.analysis import stability
from backchannel.gmcr.statespace import compile_conflict

DATA = Path(__file__).parent / "data"
CONCEPTS = ("nash", "gmr", "smr", "seq")


def _load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text())


def _equilibria(source: Any) -> dict[str, list[int]]:
    r = stability(source)
    return {c: r.equilibria(c) for c in CONCEPTS}


def _rankings(conflict: Conflict) -> list[list[list[int]]]:
    """Each decision maker's ranking: groups of state numbers, best first."""
    sp = compile_conflict(conflict)
    out = []
    for d in range(sp.n_dms):
        pay = sp.payoffs[d]
        out.append(
            [[int(s) + 1 for s in np.flatnonzero(pay == v)] for v in sorted(set(pay.tolist()), reverse=True)]
        )
    return out


# ---------------------------------------------------------------------------
# published results through the importer


def test_prisoners_dilemma() -> None:
    """Prisoner's dilemma with prioritised preferences.

    Published equilibria (Fang, Hipel & Kilgour 1993, *Interactive Decision
    Making: The Graph Model for Conflict Resolution*, Wiley): Nash {1};
    GMR, SMR, SEQ {1, 4}.
    """
    path = DATA / "prisoners.gmcr"
    assert _equilibria(str(path)) == {"nash": [1], "gmr": [1, 4], "smr": [1, 4], "seq": [1, 4]}
    conflict = read_case(path)[0]
    assert [dm.text for dm in conflict.decision_makers] == ["Prisoner One", "prisoner 2"]
    assert [o.label for _, o in conflict.options] == ["Cooperate with 2", "Cooperate with One"]
    # GMCR+'s own payoffs for this file (states 1..4 = NN, YN, NY, YY)
    assert _rankings(conflict) == [[[3], [4], [1], [2]], [[2], [4], [1], [3]]]
    assert gmcr_warnings(_load("prisoners.gmcr")) == []


def test_syria_iraq() -> None:
    """Syria–Iraq conflict over the Euphrates, AND-condition preferences.

    Published equilibria (Hipel, Kilgour & Kinsara 2014, Strategic
    investigations of water conflicts in the Middle East, Group Decision and
    Negotiation 23(3), 355–376): Nash {6}; GMR {1, 6}; SMR {6}; SEQ {6}.
    Rankings: Syria 1 > 3 > 6 > 2 > 4 > 5, Iraq 2 > 4 > 6 > 1 > 5 > 3.
    """
    path = str(DATA / "syria_iraq.gmcr")
    assert _equilibria(path) == {"nash": [6], "gmr": [1, 6], "smr": [6], "seq": [6]}
    conflict = load_case(path)
    syria = conflict.decision_makers[0].preferences.prioritization
    assert syria is not None
    assert [s.condition for s in syria] == [
        "not release_water and not escalate and not attack",
        "escalate",
        "not attack",
        "not release_water",
    ]
    assert conflict.infeasible[0].expr == "release_water and escalate"
    assert _rankings(conflict) == [[[1], [3], [6], [2], [4], [5]], [[2], [4], [6], [1], [5], [3]]]
    # the bundled YAML version of the case gives the same rankings
    assert _rankings(load_case("syria-iraq")) == _rankings(conflict)


def test_elmira_manual_ranking() -> None:
    """Elmira groundwater contamination: hand rankings, irreversible options.

    Published equilibria (Kilgour & Hipel 2005, The graph model for conflict
    resolution: past, present, and future, Group Decision and Negotiation 14,
    441–460): Nash, SEQ {5, 6, 7, 10, 11, 12}; GMR, SMR {1, 4, 5, 6, 7, 10,
    11, 12}.
    """
    path = str(DATA / "elmira.gmcr")
    expected = {
        "nash": [5, 6, 7, 10, 11, 12],
        "gmr": [1, 4, 5, 6, 7, 10, 11, 12],
        "smr": [1, 4, 5, 6, 7, 10, 11, 12],
        "seq": [5, 6, 7, 10, 11, 12],
    }
    assert _equilibria(path) == expected
    conflict = load_case(path)
    assert [o.reversible for _, o in conflict.options] == [
        "adopt-only",
        "withdraw-only",
        "both",
        "adopt-only",
        "both",
    ]
    # the four GMCR+ infeasibles are "exactly one of delay, accept, abandon"
    assert [r.exactly_one for r in conflict.infeasible] == [["delay", "accept", "abandon"]]
    assert compile_conflict(conflict).codes.tolist() == [2, 3, 4, 5, 8, 9, 18, 19, 20, 21, 24, 25]
    moe = conflict.decision_makers[0]
    assert moe.preferences.ranking == [9, 3, 4, 10, 7, 1, 2, 8, [11, 5, 6, 12]]
    # the preference statements of a hand-ranked decision maker are kept
    assert moe.description is not None and "- accept" in moe.description
    assert _rankings(conflict) == _rankings(load_case("elmira"))


def test_elmira_old_format() -> None:
    """The same Elmira model in the old layout (``useManualPreferenceVectors``,
    ``preferenceVector``, no ``version`` or ``coalitions``) gives the published
    equilibria of Kilgour & Hipel 2005 (GDN 14)."""
    path = str(DATA / "elmira_old.gmcr")
    assert _equilibria(path) == _equilibria(str(DATA / "elmira.gmcr"))
    conflict = load_case(path)
    assert conflict.decision_makers[1].name == "Uniroil"
    assert conflict.decision_makers[1].preferences.ranking == [1, 4, 10, 7, [5, 11, 6, 12], 2, 3, 9, 8]


def test_elmira_compound_preferences() -> None:
    """Elmira's compound (OR) preference statements, prioritised as GMCR+ does,
    give the strict rankings that GMCR+ computes from them; the published hand
    rankings (Kilgour & Hipel 2005, GDN 14) only merge the last states into ties.
    """
    conflict = load_case(str(DATA / "elmira_compound.gmcr"))
    uniroyal = conflict.decision_makers[1].preferences.prioritization
    assert uniroyal is not None
    assert uniroyal[0].condition == "(modify and accept) or (not modify and not accept)"
    flat = [[g[0] for g in ranking] for ranking in _rankings(conflict)]
    assert flat == [
        [9, 3, 4, 10, 7, 1, 2, 8, 11, 5, 6, 12],
        [1, 4, 10, 7, 5, 11, 2, 3, 9, 8, 6, 12],
        [9, 3, 7, 1, 10, 8, 4, 2, 11, 5, 12, 6],
    ]
    assert all(len(g) == 1 for ranking in _rankings(conflict) for g in ranking)


# ---------------------------------------------------------------------------
# format details


def test_options_regrouped_by_decision_maker() -> None:
    """GMCR+ groups options by decision maker (in DM order) before it numbers
    states and reads rankings; so does the importer."""
    data = _load("syria_iraq.gmcr")
    # same conflict with the option list in the order Attack, Release Water, Escalate
    order = [2, 0, 1]  # new index → old index
    new_of = {old: new for new, old in enumerate(order)}
    data["options"] = [data["options"][i] for i in order]

    def remap(cond: list[list[Any]]) -> list[list[Any]]:
        return [[new_of[i], t] for i, t in cond]

    for dm in data["decisionMakers"]:
        dm["options"] = [new_of[i] for i in dm["options"]]
        dm["preferences"] = [remap(c) for c in dm["preferences"]]
    data["infeasibles"] = [remap(c) for c in data["infeasibles"]]
    conflict = conflict_from_gmcr(data, "reordered.gmcr")
    assert conflict.option_names == ["release_water", "escalate", "attack"]
    assert _rankings(conflict) == _rankings(load_case(str(DATA / "syria_iraq.gmcr")))
    assert any("regrouped" in w for w in gmcr_warnings(data))


def test_hand_rankings_follow_the_grouped_order() -> None:
    """GMCR+'s ``json_import`` regroups the options (``reorderOptionsByDM``)
    before it computes the feasible states and maps ``preferenceRanking``, so
    the state numbers of a hand ranking refer to the grouped order, whatever
    the order of the file's option list.  (GMCR+ itself always saves in grouped
    order, so the two readings only differ for files written by other tools.)
    """
    data = _load("elmira.gmcr")
    order = [4, 2, 0, 3, 1]  # Insist, Accept, Modify, Abandon, Delay
    new_of = {old: new for new, old in enumerate(order)}
    data["options"] = [data["options"][i] for i in order]
    for dm in data["decisionMakers"]:
        dm["options"] = [new_of[i] for i in dm["options"]]
        dm["preferences"] = []
    data["infeasibles"] = [[[new_of[i], t] for i, t in c] for c in data["infeasibles"]]
    conflict = conflict_from_gmcr(data, "permuted.gmcr")
    assert conflict.option_names == ["modify", "delay", "accept", "abandon", "insist"]
    assert _rankings(conflict) == _rankings(load_case(str(DATA / "elmira.gmcr")))
    assert _equilibria(conflict) == _equilibria(str(DATA / "elmira.gmcr"))


def test_misperceptions_kept_and_reported() -> None:
    """SI_misp-style file: misperceptions are not analysed, but kept and warned about."""
    data = _load("syria_iraq_misp.gmcr")
    conflict = conflict_from_gmcr(data, "si_misp.gmcr")
    syria = conflict.decision_makers[0]
    assert syria.description == f"{MISP_HEADER}\n- release_water and not escalate"
    warnings = gmcr_warnings(data, "si_misp.gmcr")
    assert any("misperceptions" in w and "Syria" in w and "Iraq" in w for w in warnings)
    # written back to GMCR+ unchanged
    out = conflict_to_gmcr(conflict)
    assert [dm["misperceptions"] for dm in out["decisionMakers"]] == [
        dm["misperceptions"] for dm in data["decisionMakers"]
    ]
    # the published results (misperceptions not applied) are unchanged
    assert _equilibria(conflict) == _equilibria(str(DATA / "syria_iraq.gmcr"))


def test_coalitions_and_other_warnings() -> None:
    data = _load("elmira.gmcr")
    data["coalitions"] = [[0, 2], 1]
    conflict = conflict_from_gmcr(data, "e.gmcr")
    warnings = gmcr_warnings(data)
    assert any("coalitions (MoE + Local_Government; Uniroyal)" in w for w in warnings)
    assert any("single move" in w for w in warnings)  # three decision makers
    assert conflict_to_gmcr(conflict)["coalitions"] == [[0, 2], 1]
    data["coalitions"] = [0, 0, 1]  # not a partition: GMCR+ resets it
    assert any("do not partition" in w for w in gmcr_warnings(data))
    assert gmcr_warnings("not a conflict") == []
    p = _load("prisoners.gmcr")
    p["decisionMakers"][0]["preferences"] = []
    assert any("no preference statements" in w for w in gmcr_warnings(p))
    assert _rankings(conflict_from_gmcr(p, "p.gmcr"))[0] == [[1, 2, 3, 4]]


def test_duplicate_conditions_dropped_as_gmcr_does() -> None:
    data = _load("prisoners.gmcr")
    prefs = data["decisionMakers"][0]["preferences"]
    data["decisionMakers"][0]["preferences"] = [*prefs, prefs[0], [[1, "Y"], [1, "Y"]]]
    conflict = conflict_from_gmcr(data, "p.gmcr")
    assert [s.condition for s in conflict.decision_makers[0].preferences.prioritization or []] == [
        "cooperate_with_one",
        "not cooperate_with_2",
    ]


def test_names_made_identifiers() -> None:
    data = {
        "options": [
            {"name": "Not", "permittedDirection": "both"},
            {"name": "YN", "permittedDirection": "fwd"},
            {"name": "2nd strike!", "permittedDirection": "back"},
            {"name": "Café", "permittedDirection": "both"},
            {"name": "café", "permittedDirection": "both"},
            {"name": "???", "permittedDirection": "both"},
        ],
        "decisionMakers": [
            {"name": "N", "options": [0, 1, 2], "preferences": [[[3, "Y"]]]},
            {"name": "and", "options": [3, 4, 5], "preferences": [[[5, "N"], [0, "Y"]]]},
        ],
        "infeasibles": [],
    }
    c = conflict_from_gmcr(data, "names.gmcr")
    assert c.option_names == ["not_", "yn", "opt_2nd_strike", "cafe", "cafe_2", "option_6"]
    assert [dm.name for dm in c.decision_makers] == ["N_", "and_"]
    assert [o.label for _, o in c.options][:3] == ["Not", "YN", "2nd strike!"]
    assert c.decision_makers[1].preferences.prioritization[0].condition == "not option_6 and not_"  # type: ignore[index]
    compile_conflict(c)


# ---------------------------------------------------------------------------
# export


def _ranking_groups(conflict: Conflict) -> list[list[frozenset[int]]]:
    return [[frozenset(g) for g in r] for r in _rankings(conflict)]


GRAPH_CASES = sorted(n for n in bundled_cases() if load_case(n).decision_makers)


@pytest.mark.parametrize("name", GRAPH_CASES)
def test_bundled_cases_round_trip_through_gmcr(name: str) -> None:
    original = load_case(name)
    data = json.loads(conflict_to_gmcr_text(original))
    assert data["program"] == "gmcr-py" and data["version"] == "0.3.13"
    back = conflict_from_gmcr(data, f"{name}.gmcr")
    assert _ranking_groups(back) == _ranking_groups(original)
    a, b = compile_conflict(original), compile_conflict(back)
    assert a.codes.tolist() == b.codes.tolist()
    ra, rb = stability(a), stability(b)
    for c in ra.concepts:
        assert np.array_equal(ra.stable[c], rb.stable[c]), c
    # and once more: the GMCR+ data is stable under a second round trip
    again = conflict_to_gmcr(back)
    for key in ("options", "infeasibles", "useManualPreferenceRanking", "coalitions"):
        assert again[key] == data[key]
    assert [
        (d["options"], d["preferences"], d.get("preferenceRanking")) for d in again["decisionMakers"]
    ] == [(d["options"], d["preferences"], d.get("preferenceRanking")) for d in data["decisionMakers"]]


@pytest.mark.parametrize("fixture", sorted(p.name for p in DATA.glob("*.gmcr")))
def test_fixtures_round_trip(fixture: str) -> None:
    data = _load(fixture)
    first = conflict_from_gmcr(data, fixture)
    out = conflict_to_gmcr(first)
    second = conflict_from_gmcr(out, fixture)
    assert _ranking_groups(second) == _ranking_groups(first)
    assert out["infeasibles"] == data["infeasibles"]
    if fixture.startswith(("prisoners", "syria")):
        # plain AND conditions are written back as they were read
        assert [d["preferences"] for d in out["decisionMakers"]] == [
            d["preferences"] for d in data["decisionMakers"]
        ]
    assert second.infeasible == first.infeasible
    for a, b in zip(first.decision_makers, second.decision_makers, strict=True):
        assert (a.name, a.label, a.options) == (b.name, b.label, b.options)
        # kept statements come back as equivalent (possibly simplified) statements
        assert len((a.description or "").splitlines()) == len((b.description or "").splitlines())
    # the text written is read by the case loader
    text = conflict_to_gmcr_text(first)
    assert parse_case_text(text, fixture, "gmcr")[0] == second


def test_statements_become_prime_implicant_conditions() -> None:
    base = load_case("syria-iraq").model_dump(by_alias=True, exclude_none=True)
    base["decision_makers"][0]["preferences"] = {
        "prioritization": [
            "release iff attack",
            "if escalate then attack",
            "release or not release",  # always true: no effect, left out
            "(release and escalate) or (release and not escalate and attack)",
            "escalate and not escalate",  # always false: left out
        ]
    }
    base["infeasible"] = [
        {"expr": "not (release implies not escalate)"},
        {"at_most_one": ["release", "attack"]},
    ]
    conflict = Conflict.model_validate(base)
    out = conflict_to_gmcr(conflict)
    assert out["decisionMakers"][0]["preferences"] == [
        {"compound": True, "members": [[[0, "N"], [2, "N"]], [[0, "Y"], [2, "Y"]]]},
        {"compound": True, "members": [[[1, "N"]], [[2, "Y"]]]},
        {"compound": True, "members": [[[0, "Y"], [1, "Y"]], [[0, "Y"], [2, "Y"]]]},
    ]
    assert out["infeasibles"] == [[[0, "Y"], [1, "Y"]], [[0, "Y"], [2, "Y"]]]
    back = conflict_from_gmcr(out, "x.gmcr")
    assert _ranking_groups(back) == _ranking_groups(conflict)
    assert compile_conflict(back).codes.tolist() == compile_conflict(conflict).codes.tolist()


def test_export_errors_are_model_errors() -> None:
    base = load_case("prisoners-dilemma").model_dump(by_alias=True, exclude_none=True)
    base["infeasible"] = ["p1_cooperates or not p1_cooperates"]
    with pytest.raises(ModelError, match="always true"):
        conflict_to_gmcr(Conflict.model_validate(base))
    base["infeasible"] = ["p1_cooperates and nobody"]
    with pytest.raises(ModelError) as e:
        conflict_to_gmcr(Conflict.model_validate(base))
    assert e.value.loc == ("infeasible", 0, "expr")


@given(st.sets(st.integers(0, 31)))
@settings(max_examples=200, deadline=None)
def test_prime_implicants_cover_exactly(minterms: set[int]) -> None:
    cover = prime_implicants(minterms, 5)
    got = {m for m in range(32) if any(m & care == value for care, value in cover)}
    assert got == minterms
    assert len(set(cover)) == len(cover)


# ---------------------------------------------------------------------------
# the YAML and JSON writers


@pytest.mark.parametrize("name", sorted(bundled_cases()))
def test_writer_round_trip_bundled(name: str) -> None:
    conflict = load_case(name)
    text = conflict_to_yaml(conflict)
    assert parse_case_text(text, "x.yaml")[0] == conflict
    assert parse_case_text(conflict_to_json(conflict), "x.json")[0] == conflict
    assert text.startswith("title:")


@pytest.mark.parametrize("fixture", sorted(p.name for p in DATA.glob("*.gmcr")))
def test_writer_round_trip_imported(fixture: str) -> None:
    conflict = load_case(str(DATA / fixture))
    assert parse_case_text(conflict_to_yaml(conflict), "x.yaml")[0] == conflict


def test_writer_quotes_yaml11_booleans() -> None:
    data = load_case("chicken").model_dump(by_alias=True, exclude_none=True)
    data["title"] = "no"
    data["decision_makers"][0]["label"] = "Y"
    data["decision_makers"][1]["label"] = "off"
    data["status_quo"] = "NN"
    data["references"] = [
        "yes",
        "On",
        "N",
        "true",
        "null",
        "~",
        "12",
        "1e3",
        "- a",
        "a: b",
        "#x",
        "a\x85b",
        "\u2028",
        "x\ry",
        "two\n  lines\n",
        " lead",
        "trail ",
    ]
    data["scenarios"] = {"no": "d1_swerves", "y": {"when": "NN", "label": "ON"}}
    conflict = Conflict.model_validate(data)
    text = conflict_to_yaml(conflict)
    assert "title: 'no'" in text and "label: 'Y'" in text and "'no': d1_swerves" in text
    assert parse_case_text(text, "x.yaml")[0] == conflict
    import yaml

    plain = yaml.safe_load(text)  # a YAML 1.1 reader sees the same strings
    assert plain["title"] == "no" and plain["references"][:4] == ["yes", "On", "N", "true"]


_texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)


@given(title=_texts, description=_texts, label=_texts, note=_texts, refs=st.lists(_texts, max_size=3))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_writer_round_trip_any_text(
    title: str, description: str, label: str, note: str, refs: list[str]
) -> None:
    data = load_case("syria-iraq").model_dump(by_alias=True, exclude_none=True)
    data.update(title=title, description=description, references=refs)
    data["decision_makers"][1]["label"] = label
    data["decision_makers"][1]["preferences"]["prioritization"][0]["note"] = note
    data["infeasible"][0]["note"] = note
    conflict = Conflict.model_validate(data)
    assert parse_case_text(conflict_to_yaml(conflict), "x.yaml")[0] == conflict
    assert parse_case_text(conflict_to_json(conflict), "x.json")[0] == conflict


# ---------------------------------------------------------------------------
# malformed files


def _mutated(fixture: str, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(_load(fixture))
    cur: Any = data
    for p in path[:-1]:
        cur = cur[p]
    if value is _DELETE:
        del cur[path[-1]]
    else:
        cur[path[-1]] = value
    return data


_DELETE = object()

ERRORS = [
    # (fixture, path, new value, place in the message, words in the message)
    (
        "prisoners.gmcr",
        ("decisionMakers",),
        _DELETE,
        "decisionMakers",
        "required key 'decisionMakers' is missing",
    ),
    ("prisoners.gmcr", ("options",), {}, "options", "must be a list"),
    ("prisoners.gmcr", ("options",), [], "options", "no options"),
    (
        "prisoners.gmcr",
        ("options", 1, "permittedDirection"),
        "sideways",
        "options[1].permittedDirection",
        "unknown",
    ),
    ("prisoners.gmcr", ("options", 0, "name"), None, "options[0].name", "must be text"),
    (
        "prisoners.gmcr",
        ("decisionMakers", 1, "options"),
        [0],
        "decisionMakers[1].options[0]",
        "controlled by both",
    ),
    (
        "prisoners.gmcr",
        ("decisionMakers", 1, "options"),
        [],
        "decisionMakers[1].options",
        "controls no option",
    ),
    ("prisoners.gmcr", ("decisionMakers", 1, "options"), [2], "decisionMakers[1].options[0]", "out of range"),
    (
        "prisoners.gmcr",
        ("decisionMakers", 1, "options"),
        [True],
        "decisionMakers[1].options[0]",
        "whole number",
    ),
    ("prisoners.gmcr", ("decisionMakers", 1), "prisoner 2", "decisionMakers[1]", "must be a mapping"),
    (
        "syria_iraq.gmcr",
        ("decisionMakers", 0, "options"),
        [0],
        "options[1]",
        "controlled by no decision maker",
    ),
    (
        "syria_iraq.gmcr",
        ("decisionMakers", 0, "preferences", 2),
        [[7, "N"]],
        "decisionMakers[0].preferences[2][0][0]",
        "out of range",
    ),
    (
        "syria_iraq.gmcr",
        ("decisionMakers", 0, "preferences", 2),
        [[2, "yes"]],
        "decisionMakers[0].preferences[2][0][1]",
        '"Y" or "N"',
    ),
    (
        "syria_iraq.gmcr",
        ("decisionMakers", 0, "preferences", 2),
        [2, "N"],
        "decisionMakers[0].preferences[2][0]",
        "pair",
    ),
    (
        "syria_iraq.gmcr",
        ("decisionMakers", 0, "preferences", 2),
        "--N",
        "decisionMakers[0].preferences[2]",
        "list of pairs",
    ),
    (
        "syria_iraq.gmcr",
        ("decisionMakers", 0, "preferences", 2),
        [[2, "N"], [2, "Y"]],
        "decisionMakers[0].preferences[2][1]",
        "both taken and not taken",
    ),
    (
        "syria_iraq.gmcr",
        ("decisionMakers", 0, "preferences"),
        {"a": 1},
        "decisionMakers[0].preferences",
        "must be a list",
    ),
    (
        "syria_iraq.gmcr",
        ("decisionMakers", 0, "misperceptions"),
        [[[9, "Y"]]],
        "decisionMakers[0].misperceptions[0][0][0]",
        "out of range",
    ),
    (
        "syria_iraq.gmcr",
        ("infeasibles",),
        [{"compound": True, "members": [[[0, "Y"]]]}],
        "infeasibles[0]",
        "compound",
    ),
    ("syria_iraq.gmcr", ("infeasibles",), [[]], "infeasibles[0]", "every state infeasible"),
    ("syria_iraq.gmcr", ("infeasibles",), [[[0, "Y"]], [[0, "N"]]], "infeasibles", "exclude every state"),
    ("syria_iraq.gmcr", ("useManualPreferenceRanking",), "no", "useManualPreferenceRanking", "true or false"),
    (
        "elmira.gmcr",
        ("decisionMakers", 0, "preferences", 3),
        {"members": []},
        "decisionMakers[0].preferences[3]",
        "compound",
    ),
    (
        "elmira.gmcr",
        ("decisionMakers", 0, "preferences", 3, "members"),
        5,
        "decisionMakers[0].preferences[3].members",
        "must be a list",
    ),
    (
        "elmira.gmcr",
        ("decisionMakers", 2, "preferenceRanking"),
        _DELETE,
        "decisionMakers[2]",
        "no 'preferenceRanking'",
    ),
    (
        "elmira.gmcr",
        ("decisionMakers", 2, "preferenceRanking"),
        "9,3",
        "decisionMakers[2].preferenceRanking",
        "must be a list",
    ),
    (
        "elmira.gmcr",
        ("decisionMakers", 2, "preferenceRanking", 0),
        13,
        "decisionMakers[2].preferenceRanking[0]",
        "state 13 does not exist",
    ),
    (
        "elmira.gmcr",
        ("decisionMakers", 2, "preferenceRanking", 1),
        9,
        "decisionMakers[2].preferenceRanking[1]",
        "twice",
    ),
    (
        "elmira.gmcr",
        ("decisionMakers", 2, "preferenceRanking", 8),
        [],
        "decisionMakers[2].preferenceRanking[8]",
        "empty tie group",
    ),
    (
        "elmira.gmcr",
        ("decisionMakers", 2, "preferenceRanking", 8),
        [11, "5"],
        "decisionMakers[2].preferenceRanking[8][1]",
        "state number",
    ),
    (
        "elmira.gmcr",
        ("decisionMakers", 2, "preferenceRanking", 8),
        [11, 5, 12],
        "decisionMakers[2].preferenceRanking",
        "omits 1 of the 12",
    ),
    (
        "elmira_old.gmcr",
        ("decisionMakers", 1, "preferenceVector", 0),
        0,
        "decisionMakers[1].preferenceVector[0]",
        "does not exist",
    ),
    ("elmira.gmcr", ("coalitions",), [0, "1", 2], "coalitions[1]", "decision maker index"),
]


@pytest.mark.parametrize(("fixture", "path", "value", "place", "words"), ERRORS)
def test_malformed_files(fixture: str, path: tuple[Any, ...], value: Any, place: str, words: str) -> None:
    data = _mutated(fixture, path, value)
    with pytest.raises(CaseError) as e:
        conflict_from_gmcr(data, "broken.gmcr")
    msg = str(e.value)
    assert msg.startswith(f"broken.gmcr ({place}): "), msg
    assert words in msg, msg
    assert e.value.hint, msg  # every error says what to do


def test_malformed_top_level_and_text() -> None:
    bad: list[object] = [None, [], "x", 3]
    for data in bad:
        with pytest.raises(CaseError, match="not a mapping"):
            conflict_from_gmcr(data, "x.gmcr")
    with pytest.raises(CaseError, match=r"x\.gmcr, line 1: not valid JSON"):
        parse_case_text("{options: []", "x.gmcr", "gmcr")


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-2, 14)
    | st.sampled_from(["Y", "N", "both", "fwd", "back", "x", ""]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "options",
                    "decisionMakers",
                    "infeasibles",
                    "name",
                    "permittedDirection",
                    "preferences",
                    "preferenceRanking",
                    "useManualPreferenceRanking",
                    "compound",
                    "members",
                    "misperceptions",
                    "coalitions",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


def _check_only_case_errors(data: Any) -> None:
    try:
        conflict = conflict_from_gmcr(data, "fuzz.gmcr")
    except CaseError:
        return
    gmcr_warnings(data)
    try:
        stability(conflict)
        conflict_to_gmcr(conflict)
        parse_case_text(conflict_to_yaml(conflict), "x.yaml")
    except BackchannelError:
        pass


@given(_json)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_random_json(data: Any) -> None:
    _check_only_case_errors(data)


def _paths(v: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(v, dict):
        for k, x in v.items():
            out += _paths(x, (*prefix, k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out += _paths(x, (*prefix, i))
    return out


_FIXTURES = {p.name: json.loads(p.read_text()) for p in sorted(DATA.glob("*.gmcr"))}


@given(st.data())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_mutated_fixtures(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(_FIXTURES)))
    doc = copy.deepcopy(_FIXTURES[name])
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(doc)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        cur = doc
        for p in path[:-1]:
            cur = cur[p]
        if data.draw(st.booleans()) and isinstance(cur, dict):
            del cur[path[-1]]
        else:
            cur[path[-1]] = data.draw(_json)
    _check_only_case_errors(doc)
