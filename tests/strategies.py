"""Hypothesis strategies for random small conflicts in option form.

:func:`conflicts` draws a :class:`~backchannel.case.model.Conflict` with 2–4
decision makers, 1–3 options each (at most 8 in all), random reversibility,
random infeasibility rules (Y/N/- patterns mostly, some ``at_most_one`` /
``at_least_one`` / ``exactly_one`` and expressions over ``not``/``and``/``or``)
and, per decision maker, either a ranking of the feasible states (state
numbers or Y/N patterns, with tie groups) or an option prioritisation
(patterns and expressions).

Feasibility is computed here, from the rules as drawn, so that the rankings
can name every feasible state; rules are dropped until at least one state is
feasible.  Nothing here uses the engine or the state-space compiler.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from backchannel.case.model import Conflict

__all__ = ["conflict_dicts", "conflicts", "expr_text"]

REVERSIBILITY = ("both", "adopt-only", "withdraw-only")


# ---------------------------------------------------------------------------
# small evaluators, to know the feasible states while drawing


def pattern_matches(pattern: str, code: int) -> bool:
    """Whether the Y/N/- ``pattern`` (option 1 first) matches state ``code``."""
    for i, c in enumerate(pattern.strip()):
        if c == "Y" and not code >> i & 1:
            return False
        if c == "N" and code >> i & 1:
            return False
    return True


def expr_value(tree: Any, taken: dict[str, bool]) -> bool:
    """Value of an expression tree ``("var", name) | ("not", t) | ("and"|"or", a, b)``."""
    op = tree[0]
    if op == "var":
        return taken[tree[1]]
    if op == "not":
        return not expr_value(tree[1], taken)
    if op == "and":
        return expr_value(tree[1], taken) and expr_value(tree[2], taken)
    if op == "or":
        return expr_value(tree[1], taken) or expr_value(tree[2], taken)
    raise AssertionError(op)


def rule_matches(rule: dict[str, Any], names: list[str], code: int) -> bool:
    """Whether an infeasibility rule (as a dict) excludes state ``code``.

    Expressions are evaluated from the tree kept under ``_tree`` (internal).
    """
    taken = {n: bool(code >> i & 1) for i, n in enumerate(names)}
    if "pattern" in rule:
        return pattern_matches(rule["pattern"], code)
    if "_tree" in rule:
        return expr_value(rule["_tree"], taken)
    for form in ("at_most_one", "at_least_one", "exactly_one"):
        if form in rule:
            count = sum(taken[n] for n in rule[form])
            return {"at_most_one": count > 1, "at_least_one": count < 1, "exactly_one": count != 1}[form]
    raise AssertionError(rule)


def feasible_codes(rules: list[dict[str, Any]], names: list[str]) -> list[int]:
    return [c for c in range(2 ** len(names)) if not any(rule_matches(r, names, c) for r in rules)]


# ---------------------------------------------------------------------------
# expressions


def _render(tree: Any, parens: bool) -> str:
    op = tree[0]
    if op == "var":
        return tree[1]
    if op == "not":
        inner = _render(tree[1], parens)
        return f"not {inner}" if tree[1][0] in ("var", "not") else f"not ({inner})"
    a, b = _render(tree[1], parens), _render(tree[2], parens)
    # precedence: not > and > or; bracket an 'or' under an 'and' always,
    # and anything else when ``parens`` asks for it
    if (tree[1][0] == "or" and op == "and") or (parens and tree[1][0] in ("and", "or")):
        a = f"({a})"
    if (tree[2][0] == "or" and op == "and") or (parens and tree[2][0] in ("and", "or")):
        b = f"({b})"
    return f"{a} {op} {b}"


def expr_text(tree: Any, parens: bool = False) -> str:
    """Expression text in Backchannel's (and Python's) ``not``/``and``/``or`` syntax."""
    return _render(tree, parens)


def _trees(names: list[str]) -> st.SearchStrategy[Any]:
    leaf = st.sampled_from(names).map(lambda n: ("var", n))
    return st.recursive(
        leaf,
        lambda kids: st.one_of(
            kids.map(lambda t: ("not", t)),
            st.tuples(st.sampled_from(["and", "or"]), kids, kids),
        ),
        max_leaves=4,
    )


def _pattern(n: int, care_max: int) -> st.SearchStrategy[str]:
    """A Y/N/- pattern with 1..care_max specified positions."""

    @st.composite
    def draw_pattern(draw: st.DrawFn) -> str:
        k = draw(st.integers(1, min(care_max, n)))
        pos = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True))
        chars = ["-"] * n
        for p in pos:
            chars[p] = draw(st.sampled_from("YN"))
        return "".join(chars)

    return draw_pattern()


# ---------------------------------------------------------------------------
# conflicts


@st.composite
def conflict_dicts(
    draw: st.DrawFn,
    min_dms: int = 2,
    max_dms: int = 4,
    max_options: int = 8,
) -> dict[str, Any]:
    """A conflict as a plain dict, in case-file form."""
    n_dms = draw(st.integers(min_dms, max_dms))
    counts: list[int] = []
    for d in range(n_dms):
        room = max_options - sum(counts) - (n_dms - d - 1)
        counts.append(draw(st.integers(1, max(1, min(3, room)))))
    names = [f"o{k + 1}" for k in range(sum(counts))]
    n = len(names)
    dms: list[dict[str, Any]] = []
    k = 0
    for d, c in enumerate(counts):
        opts = []
        for _ in range(c):
            rev = draw(st.sampled_from(REVERSIBILITY))
            opt: dict[str, Any] = {"name": names[k]}
            if rev != "both" or draw(st.booleans()):
                opt["reversible"] = rev
            opts.append(opt)
            k += 1
        dms.append({"name": f"DM{d + 1}", "options": opts})

    # infeasibility rules
    rules: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 3))):
        form = draw(st.sampled_from(["pattern", "pattern", "pattern", "group", "expr"]))
        if form == "pattern":
            rules.append({"pattern": draw(_pattern(n, 3))})
        elif form == "group":
            group = draw(st.lists(st.sampled_from(names), min_size=2, max_size=3, unique=True))
            kind = draw(st.sampled_from(["at_most_one", "at_least_one", "exactly_one"]))
            rules.append({kind: group})
        else:
            tree = draw(_trees(names))
            rules.append({"expr": expr_text(tree, draw(st.booleans())), "_tree": tree})
    feasible = feasible_codes(rules, names)
    while not feasible:
        rules.pop(draw(st.integers(0, len(rules) - 1)))
        feasible = feasible_codes(rules, names)
    rules = [{k: v for k, v in r.items() if k != "_tree"} for r in rules]

    # preferences
    def pattern_of(code: int) -> str:
        return "".join("Y" if code >> i & 1 else "N" for i in range(n))

    for dm in dms:
        if draw(st.booleans()):
            order = draw(st.permutations(range(1, len(feasible) + 1)))
            ranking: list[Any] = []
            i = 0
            while i < len(order):
                size = draw(st.sampled_from([1, 1, 1, 2, 3]))
                group: list[Any] = []
                for s in order[i : i + size]:
                    group.append(pattern_of(feasible[s - 1]) if draw(st.integers(0, 4)) == 0 else s)
                i += size
                ranking.append(group[0] if len(group) == 1 and draw(st.booleans()) else group)
            dm["preferences"] = {"ranking": ranking}
        else:
            statements: list[Any] = []
            for _ in range(draw(st.integers(1, 4))):
                if draw(st.booleans()):
                    statements.append(draw(_pattern(n, 2)))
                else:
                    tree = draw(_trees(names))
                    text = expr_text(tree, draw(st.booleans()))
                    statements.append({"statement": text} if draw(st.booleans()) else text)
            dm["preferences"] = {"prioritization": statements}
    data: dict[str, Any] = {"title": "random", "decision_makers": dms}
    if rules:
        data["infeasible"] = rules
    return data


def conflicts(**kwargs: Any) -> st.SearchStrategy[Conflict]:
    """Random valid conflicts (see :func:`conflict_dicts`)."""
    return conflict_dicts(**kwargs).map(Conflict.model_validate)
