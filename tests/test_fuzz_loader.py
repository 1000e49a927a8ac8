"""Fuzz the case loader: bad input raises CaseError, never anything else.

Arbitrary text and bytes written as ``.yaml``/``.yml``/``.json``/``.gmcr``
files, random JSON-like values under the real keys, and mutations of valid
conflicts (and of GMCR+ files) go through :func:`backchannel.case.casefile.load_case`;
whatever loads must compile through :func:`backchannel.gmcr.analysis.compile_case`
or be refused with CaseError / AnalysisRefused.
"""

import json
import pathlib
import sys
import tempfile
from collections.abc import Callable
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backchannel.bargaining.data import bargaining_data
from backchannel.bargaining.forecast import forecast
from backchannel.case.casefile import _Loader, bundled_cases, load_case, parse_case_text
from backchannel.case.model import Conflict
from backchannel.errors import AnalysisRefused, CaseError, ModelError
from backchannel.gmcr.analysis import compile_case
from backchannel.gmcr.hypergame import perceived_game
from strategies import conflict_dicts

FUZZ = settings(
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
DATA = pathlib.Path(__file__).parent / "data"
MAX_STATES = 4096  # keep compilation of whatever validates small


def _has_gmcr() -> bool:
    try:
        import backchannel.formats.gmcrplus  # noqa: F401
    except ImportError:
        return False
    return True


HAS_GMCR = _has_gmcr()
needs_gmcr = pytest.mark.skipif(
    not HAS_GMCR, reason="backchannel.formats.gmcrplus (.gmcr import) is not there yet"
)
SUFFIXES = [".yaml", ".yml", ".json"] + ([".gmcr"] if HAS_GMCR else [])


def check_file(raw: bytes, suffix: str) -> Conflict | None:
    """Load ``raw`` saved with ``suffix``: a Conflict or a CaseError, and a
    loaded conflict compiles or is refused with CaseError / AnalysisRefused."""
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / f"case{suffix}"
        path.write_bytes(raw)
        try:
            conflict = load_case(path)
        except CaseError as e:
            assert str(e)  # the message renders
            return None
        assert isinstance(conflict, Conflict)
        conflict.model_dump_json()  # whatever loads can be written back (no lone surrogate)
        try:
            space = compile_case(path, max_states=MAX_STATES)
        except (CaseError, AnalysisRefused) as e:
            assert str(e)
        else:
            # perceived games (hypergame) raise located model errors only
            for name, per in conflict.perceptions.items():
                for about in [None, *per.about]:
                    try:
                        perceived_game(space, name, about)
                    except ModelError as e:
                        assert str(e)
        if conflict.issues or conflict.actors:
            try:
                data = bargaining_data(conflict)
            except ModelError as e:
                assert str(e)
            else:
                forecast(data, rounds=2)
        return conflict


def check_text(text: str, fmt: str) -> None:
    try:
        conflict, lines = parse_case_text(text, f"<fuzz>.{fmt}", fmt)
    except CaseError as e:
        assert str(e)
        return
    assert isinstance(conflict, Conflict)
    assert isinstance(lines, dict)


# ---------------------------------------------------------------------------
# arbitrary text and bytes

_fmt = st.sampled_from(["yaml", "json"] + (["gmcr"] if HAS_GMCR else []))

# text built from the pieces of case files: keys, indentation, list dashes,
# brackets, quotes, anchors, tags, patterns, numbers
_TOKENS = [
    *("title", "decision_makers", "name", "options", "preferences", "ranking", "prioritization"),
    *("infeasible", "pattern", "expr", "reversible", "status_quo", "observed", "scenarios"),
    *("options", "decisionMakers", "infeasibles", "permittedDirection", "useManualPreferenceRanking"),
    *(": ", ":", "\n", "\n  ", "\n    ", "- ", "[", "]", "{", "}", ", ", '"', "'", "&a ", "*a", "!!str "),
    *("!!int ", "#", "|", ">", "?", "~", "null", "true", "1", "2", "-1", "1.5", "YN", "Y-N", "x", "not x"),
    *("x and y", "adopt-only", "fwd", '[[0, "Y"]]', "0", "99999999999999999999"),
]
yamlish = st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join)


@settings(FUZZ, max_examples=300)
@given(st.one_of(st.text(), yamlish), st.sampled_from(SUFFIXES))
@example("", ".yaml")
@example("[" * 5000 + "]" * 5000, ".json")
@example("[" * 5000 + "]" * 5000, ".yaml")
@example("{" * 5000, ".yaml")
@example("- " * 3000 + "x", ".yaml")
@example("a: &a [*a]", ".yaml")
@example("!!python/object:os.system {}", ".yaml")
@example("decision_makers: !!binary aGVsbG8=", ".yaml")
@example("? [1, 2]\n: x", ".yaml")
@example("decision_makers: [{name: A, options: [{name: x}], preferences: [x]}]\nstatus_quo: 1e400", ".yaml")
@example("NaN", ".json")
@example('{"decision_makers": NaN}', ".json")
@example(
    '{"decision_makers": [{"name": "A", "options": [{"name": "x"}], "preferences": ["x"]}], '
    '"status_quo": 99999999999999999999999999}',
    ".json",
)
@example("\ufeff\x00\x85", ".yaml")
@example("[[[[", ".gmcr")
def test_arbitrary_text_files(text: str, suffix: str) -> None:
    if suffix == ".gmcr" and not HAS_GMCR:
        return
    check_file(text.encode("utf-8", "surrogatepass"), suffix)


@settings(FUZZ, max_examples=300)
@given(st.binary(max_size=400), st.sampled_from(SUFFIXES))
@example(b"\xff\xfe\x00", ".yaml")
@example(b"\xef\xbb\xbf", ".json")
@example(b"\xef\xbb\xbf{}", ".gmcr")
def test_arbitrary_bytes_files(raw: bytes, suffix: str) -> None:
    if suffix == ".gmcr" and not HAS_GMCR:
        return
    check_file(raw, suffix)


@settings(FUZZ, max_examples=200)
@given(st.one_of(st.text(), yamlish), _fmt)
def test_arbitrary_text_parsed(text: str, fmt: str) -> None:
    check_text(text, fmt)


# ---------------------------------------------------------------------------
# structured but wrong

#: Stands for an integer of 4,400 digits (more than Python converts), put into the
#: text after dumping (json.dumps cannot write it).
HUGE = "HUGE_INT_4400"
_HUGE_DIGITS = "9" * 4400

# hostile values: lone surrogates, integers too long to read, extreme floats
_hostile = st.one_of(
    st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=2),
    st.builds(lambda a, b: a + b, st.text(max_size=3), st.text(st.characters(categories=["Cs"]), max_size=1)),
    st.just(HUGE),
    st.integers(-(2**1100), 2**1100),
    st.sampled_from(
        [1e308, -1e308, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324, 1e13, -1e13, 1e12]
    ),
    st.floats(allow_nan=True, allow_infinity=True, width=64).filter(lambda x: abs(x) > 1e100 or x != x),
)

_scalars = st.one_of(
    _hostile,
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.integers(-3, 12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        ["", "Y", "N", "YN", "Y-N", "--", "x", "a and", "not", "true", "both", "fwd", "adopt-only"]
    ),
)
json_values: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.dictionaries(st.text(max_size=8), kids, max_size=4),
    ),
    max_leaves=12,
)

_KEYS: dict[str, list[str]] = {
    "conflict": [
        "title",
        "description",
        "references",
        "sources",
        "decision_makers",
        "infeasible",
        "status_quo",
        "observed",
        "scenarios",
        "issues",
        "actors",
        "perceptions",
    ],
    "issue": ["label", "low", "high", "scale", "reference", "outcome"],
    "actor": ["name", "label", "decision_maker", "capability", "positions", "salience"],
    "perception": ["unaware_of", "preferences", "about", "note"],
    "dm": ["name", "label", "description", "options", "preferences", "provenance"],
    "option": ["name", "label", "description", "reversible", "provenance"],
    "preferences": ["prioritization", "ranking", "provenance"],
    "infeasible": ["expr", "pattern", "at_most_one", "exactly_one", "at_least_one", "note", "provenance"],
    "provenance": ["source", "quote", "estimate", "note"],
    "source": ["id", "title", "publisher", "date", "url", "file"],
}


def _shaped(kind: str, depth: int = 0) -> st.SearchStrategy[Any]:
    """Dicts with the real keys of ``kind``, values random or shaped one level down."""
    sub: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
        "decision_makers": lambda: st.lists(_shaped("dm", depth + 1), max_size=3),
        "options": lambda: st.lists(_shaped("option", depth + 1), max_size=3),
        "preferences": lambda: st.one_of(
            _shaped("preferences", depth + 1), st.lists(json_values, max_size=3)
        ),
        "infeasible": lambda: st.lists(
            st.one_of(_shaped("infeasible", depth + 1), st.text(max_size=8)), max_size=3
        ),
        "provenance": lambda: st.one_of(_shaped("provenance", depth + 1), st.text(max_size=20)),
        "sources": lambda: st.lists(_shaped("source", depth + 1), max_size=2),
        "scenarios": lambda: st.dictionaries(st.text(max_size=6), json_values, max_size=2),
        "issues": lambda: st.dictionaries(
            st.sampled_from(["a", "b", "x1"]), _shaped("issue", depth + 1), max_size=2
        ),
        "actors": lambda: st.lists(_shaped("actor", depth + 1), max_size=3),
        "perceptions": lambda: st.dictionaries(
            st.sampled_from(["DM1", "DM2", "x"]), _shaped("perception", depth + 1), max_size=2
        ),
        "positions": lambda: st.dictionaries(st.sampled_from(["a", "b"]), json_values, max_size=2),
        "salience": lambda: st.dictionaries(st.sampled_from(["a", "b"]), json_values, max_size=2),
        "unaware_of": lambda: st.lists(st.sampled_from(["o1", "o2", "o3", "zz"]), max_size=2),
    }
    keys = _KEYS[kind]

    def value(key: str) -> st.SearchStrategy[Any]:
        if key in sub and depth < 3:
            return st.one_of(sub[key](), json_values)
        return json_values

    return st.fixed_dictionaries({}, optional={k: value(k) for k in keys})


def _containers(x: Any) -> list[Any]:
    """Every dict and list inside ``x`` (``x`` first)."""
    if not isinstance(x, dict | list):
        return []
    out = [x]
    for v in x.values() if isinstance(x, dict) else x:
        out += _containers(v)
    return out


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[Any], keys: list[str] | None = None) -> Any:
    """A valid document with a few random edits: a value replaced, a key
    dropped or added, a list element removed or duplicated."""
    data = json.loads(json.dumps(draw(base)))
    for _ in range(draw(st.integers(1, 3))):
        box = draw(st.sampled_from(_containers(data)))
        action = draw(st.sampled_from(["replace", "replace", "drop", "add", "dup"]))
        if isinstance(box, dict):
            keys = sorted(box)
            if action == "add" or not keys:
                new_keys = keys or sorted({k for ks in _KEYS.values() for k in ks})
                box[draw(st.sampled_from([*new_keys, "extra"]))] = draw(json_values)
            else:
                key = draw(st.sampled_from(keys))
                if action == "drop":
                    del box[key]
                else:
                    box[key] = draw(json_values)
        else:
            if action == "add" or not box:
                box.insert(draw(st.integers(0, len(box))), draw(json_values))
            else:
                i = draw(st.integers(0, len(box) - 1))
                if action == "drop":
                    del box[i]
                elif action == "dup":
                    box.insert(i, json.loads(json.dumps(box[i])))
                else:
                    box[i] = draw(json_values)
    return data


def _dump(data: Any, suffix: str) -> bytes:
    """``data`` as a file; surrogates are written as escapes (``\\ud800``), as
    a hostile file would, and :data:`HUGE` as an integer of 4,400 digits."""
    if suffix == ".json":
        return json.dumps(data).replace(f'"{HUGE}"', _HUGE_DIGITS).encode()
    try:
        text = yaml.safe_dump(data, allow_unicode=False, width=1_000_000)
    except yaml.YAMLError:  # pragma: no cover - a value YAML cannot represent
        text = json.dumps(data)
    return text.replace(HUGE, _HUGE_DIGITS).encode("utf-8", "surrogatepass")


_yaml_or_json = st.sampled_from([".yaml", ".json"])


@settings(FUZZ, max_examples=200)
@given(st.one_of(_shaped("conflict"), json_values), _yaml_or_json)
def test_random_values_under_real_keys(data: Any, suffix: str) -> None:
    check_file(_dump(data, suffix), suffix)


@settings(FUZZ, max_examples=300)
@given(mutated(conflict_dicts()), _yaml_or_json)
def test_mutated_valid_conflicts(data: Any, suffix: str) -> None:
    check_file(_dump(data, suffix), suffix)


def _flagship() -> Any:
    path = bundled_cases()["ukraine-backchannel"]
    return yaml.load(pathlib.Path(str(path)).read_text(encoding="utf-8"), Loader=_Loader)


@settings(FUZZ, max_examples=60)
@given(mutated(st.builds(_flagship)), _yaml_or_json)
def test_mutated_flagship(data: Any, suffix: str) -> None:
    """Mutations of the flagship (perceptions, issues, actors included) load,
    compile, build perceived games and forecast, or fail with a clear error."""
    check_file(_dump(data, suffix), suffix)


@settings(FUZZ, max_examples=50)
@given(conflict_dicts(), _yaml_or_json)
def test_valid_conflicts_load_and_compile(data: Any, suffix: str) -> None:
    conflict = check_file(_dump(data, suffix), suffix)
    assert conflict == Conflict.model_validate(data)


# ---------------------------------------------------------------------------
# .gmcr (GMCR+) files


def _gmcr_samples() -> list[Any]:
    return [json.loads(p.read_text()) for p in sorted(DATA.glob("*.gmcr"))] if DATA.is_dir() else []


_GMCR_KEYS = [
    "options",
    "decisionMakers",
    "infeasibles",
    "useManualPreferenceRanking",
    "useManualPreferenceVectors",
    "preferenceRanking",
    "preferenceVector",
    "preferences",
    "permittedDirection",
    "reversibility",
    "name",
    "misperceptions",
    "compound",
    "members",
    "coalitions",
    "program",
    "version",
]


@needs_gmcr
@settings(FUZZ, max_examples=200)
@given(
    st.one_of(
        st.fixed_dictionaries({}, optional={k: json_values for k in _GMCR_KEYS}),
        json_values,
    )
)
def test_gmcr_random_values_under_real_keys(data: Any) -> None:
    check_file(json.dumps(data).encode(), ".gmcr")


@needs_gmcr
@settings(FUZZ, max_examples=300)
@given(st.data())
def test_gmcr_mutated_files(data: st.DataObject) -> None:
    samples = _gmcr_samples()
    if not samples:
        pytest.skip("no sample .gmcr files in tests/data")
    doc = data.draw(mutated(st.sampled_from(samples), _GMCR_KEYS))
    check_file(json.dumps(doc).encode(), ".gmcr")


# ---------------------------------------------------------------------------
# regressions found by the fuzzers


@pytest.mark.parametrize("value", ["[]", "{}", "[both]", "{a: 1}"])
def test_unhashable_reversible_is_a_case_error(value: str) -> None:
    """``reversible`` given a list or a mapping: the alias lookup in
    ``Option._rev`` raised TypeError (unhashable) instead of a CaseError."""
    text = f"decision_makers: [{{name: A, options: [{{name: x, reversible: {value}}}], preferences: [x]}}]"
    with pytest.raises(CaseError):
        parse_case_text(text, "case.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "!!int",
        "!!int x",
        "title: !!int z",
        "a: !!int 0x",
        "!!float x",
        "!!float",
        "!!bool x",
        "!!timestamp 2001-02-30",
    ],
)
def test_bad_explicit_yaml_tag_is_a_case_error(text: str) -> None:
    """PyYAML's constructors for explicit tags raise ValueError, IndexError or
    KeyError (not YAMLError) on a malformed value; the loader let them through."""
    with pytest.raises(CaseError):
        parse_case_text(text, "case.yaml")


# ---------------------------------------------------------------------------
# hostile values where the models take numbers, and text that is not characters


@settings(FUZZ, max_examples=150)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "name": st.sampled_from(["a", "b", "c"]),
                "capability": _scalars,
                "positions": st.fixed_dictionaries({"t": _scalars}),
                "salience": st.fixed_dictionaries({"t": _scalars}),
            }
        ),
        min_size=1,
        max_size=3,
    ),
    st.tuples(_scalars, _scalars),
    _yaml_or_json,
)
def test_hostile_numbers_in_bargaining(actors: list[Any], scale: Any, suffix: str) -> None:
    """Whatever loads forecasts without overflow (warnings are errors in the tests)."""
    data = {"issues": {"t": {"scale": list(scale)}}, "actors": actors}
    check_file(_dump(data, suffix), suffix)


@settings(FUZZ, max_examples=150)
@given(
    st.text(st.characters(categories=["Cs", "L", "P", "Zs", "Nd"]), max_size=30).map(
        lambda t: "title: " + t + "\ndecision_makers: []\n"
    ),
    _fmt,
)
def test_text_with_lone_surrogates(text: str, fmt: str) -> None:
    """Text handed over as a string (the web API) may hold surrogates itself."""
    check_text(text, fmt)
