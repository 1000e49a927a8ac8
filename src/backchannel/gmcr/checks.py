"""Every misnamed option in a case's expressions at once, each located.

:func:`~backchannel.gmcr.statespace.compile_conflict` stops at the first
error, as an analysis must; an editor wants all of them, so that an analyst
who renamed an option sees every statement that still uses the old name.
:func:`expression_problems` parses each expression of the case on its own
(infeasibility rules, preference statements and alternatives, perceived
preferences, scenarios) and returns one located :class:`ModelError` per
expression that does not parse.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..case.expr import ExprError, parse_condition
from ..case.model import Conflict, Preferences
from ..errors import ModelError

__all__ = ["expression_problems"]

Loc = tuple[str | int, ...]

_NAMES_HINT = "Use the option names defined under decision_makers."
_STATEMENT_HINT = "Write the statement with option names and not/and/or/implies/iff, or as a Y/N/- pattern."


def _statements(prefs: Preferences, base: Loc) -> Iterator[tuple[str, Loc]]:
    for j, st in enumerate(prefs.prioritization or ()):
        yield st.condition, (*base, "prioritization", j)
    for a, alt in enumerate(prefs.alternatives):
        for j, st in enumerate(alt.prioritization or ()):
            yield st.condition, (*base, "alternatives", a, "prioritization", j)


def _expressions(conflict: Conflict) -> Iterator[tuple[str, Loc, str]]:
    """(text, location, hint) of every expression over option names in the case."""
    for r, rule in enumerate(conflict.infeasible):
        if rule.form == "expr" and rule.expr is not None:
            yield rule.expr, ("infeasible", r, "expr"), _NAMES_HINT
    for d, dm in enumerate(conflict.decision_makers):
        for text, loc in _statements(dm.preferences, ("decision_makers", d, "preferences")):
            yield text, loc, _STATEMENT_HINT
    for k, per in conflict.perceptions.items():
        for j, prefs in per.preferences.items():
            for text, loc in _statements(prefs, ("perceptions", k, "preferences", j)):
                yield text, loc, _STATEMENT_HINT


def _group_problems(conflict: Conflict, names: Mapping[str, int]) -> Iterator[ModelError]:
    """Unknown names in the list forms of infeasibility rules (at_most_one and the like)."""
    for r, rule in enumerate(conflict.infeasible):
        if rule.form in ("expr", "pattern"):
            continue
        unknown = [name for name in getattr(rule, rule.form, None) or () if name not in names]
        if unknown:  # located at the rule, as compiling it does
            yield ModelError(f"unknown option {unknown[0]!r}", ("infeasible", r, rule.form), _NAMES_HINT)


def expression_problems(conflict: Conflict) -> list[ModelError]:
    """One located error for each expression of ``conflict`` that does not parse.

    Empty when every expression names known options (the case may still have
    other problems, which compiling it reports).
    """
    names = {name: i for i, name in enumerate(conflict.option_names)}
    n = len(names)
    out: list[ModelError] = list(_group_problems(conflict, names))
    for text, loc, hint in _expressions(conflict):
        try:
            parse_condition(text, names, n)
        except ExprError as e:
            out.append(ModelError(str(e), loc, hint))
    quantities = {k: i for i, k in enumerate(conflict.issues)}
    for name, sc in conflict.scenarios.items():
        try:
            parse_condition(sc.when, names, n, quantities)
        except ExprError as e:
            out.append(ModelError(str(e), ("scenarios", name, "when"), _NAMES_HINT))
    return out
