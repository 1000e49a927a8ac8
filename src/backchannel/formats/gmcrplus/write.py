"""Writing GMCR+ files: a conflict as GMCR+ JSON (``conflict_to_gmcr``,
``conflict_to_gmcr_text``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...case.expr import ExprError, parse_condition
from ...case.model import Conflict
from ...errors import ModelError
from .conventions import (
    _TO_DIRECTION,
    COALITION_PREFIX,
    GMCR_PROGRAM,
    GMCR_VERSION,
    MISP_HEADER,
    PREF_HEADER,
)
from .dnf import _condition_json, _dnf


def _parse(text: str, names: dict[str, int], n: int, loc: Sequence[str | int]) -> Any:
    try:
        return parse_condition(text, names, n)
    except ExprError as e:
        raise ModelError(
            str(e), loc, "Write it with option names and not/and/or/implies/iff, or as a Y/N/- pattern."
        ) from None


def _infeasible_conditions(rule: Any, names: dict[str, int], n: int, loc: tuple[str | int, ...]) -> list[Any]:
    form = rule.form
    if form in ("expr", "pattern"):
        cond = _parse(getattr(rule, form), names, n, (*loc, form))
        support = sorted(cond.options())
        return _dnf(cond.evaluate, support, (*loc, form))
    group: list[str] = getattr(rule, form)
    idx = []
    for name in group:
        if name not in names:
            raise ModelError(
                f"unknown option {name!r}",
                (*loc, form),
                "Use the option names defined under decision_makers.",
            )
        if names[name] not in idx:
            idx.append(names[name])
    out: list[Any] = []
    if form in ("at_most_one", "exactly_one"):
        out += [[[a, "Y"], [b, "Y"]] for j, a in enumerate(idx) for b in idx[j + 1 :]]
    if form in ("exactly_one", "at_least_one"):
        out.append([[a, "N"] for a in idx])
    return out


def _ranking_of(payoffs: np.ndarray) -> list[Any]:
    out: list[Any] = []
    for v in sorted(set(payoffs.tolist()), reverse=True):
        group = [int(s) + 1 for s in np.flatnonzero(payoffs == v)]
        out.append(group if len(group) > 1 else group[0])
    return out


def _blocks(description: str | None, header: str) -> list[str]:
    """The ``- item`` lines that follow ``header`` in a description."""
    if not description:
        return []
    lines = description.splitlines()
    out: list[str] = []
    for k, line in enumerate(lines):
        if line.strip() == header:
            for item in lines[k + 1 :]:
                if not item.startswith("- "):
                    break
                out.append(item[2:].strip())
    return out


def conflict_to_gmcr(conflict: Conflict) -> dict[str, Any]:
    """A GMCR+ (``gmcr-py`` 0.3.13) save-file representation of ``conflict``.

    Statements and infeasibility rules become GMCR+ conditions (a prime-implicant
    DNF of each: a plain AND condition, or a compound one).  When any decision
    maker ranks states explicitly, every decision maker gets a
    ``preferenceRanking`` computed from the compiled payoffs and
    ``useManualPreferenceRanking`` is true.  Status quo, scenarios, sources and
    provenance have no place in the format and are not written.

    Raises :class:`~backchannel.errors.ModelError` (located in the case) for a
    statement or rule that cannot be read or written.
    """
    from ...gmcr.statespace import compile_conflict

    names = {name: i for i, name in enumerate(conflict.option_names)}
    n = len(names)
    if n != conflict.n_options:
        compile_conflict(conflict)  # reports the duplicate option name, located
    manual = any(dm.preferences.ranking is not None for dm in conflict.decision_makers)
    payoffs = compile_conflict(conflict).payoffs if manual else None

    options = [
        {"name": opt.text, "permittedDirection": _TO_DIRECTION[opt.reversible]} for _, opt in conflict.options
    ]
    dms: list[dict[str, Any]] = []
    start = 0
    for d, dm in enumerate(conflict.decision_makers):
        base: tuple[str | int, ...] = ("decision_makers", d)
        own = list(range(start, start + len(dm.options)))
        start += len(dm.options)
        prefs: list[Any] = []
        if dm.preferences.prioritization is not None:
            for j, st in enumerate(dm.preferences.prioritization):
                loc = (*base, "preferences", "prioritization", j)
                cond = _parse(st.condition, names, n, loc)
                dnf = _dnf(cond.evaluate, sorted(cond.options()), loc)
                if not dnf or dnf == [[]]:
                    continue  # always false / always true: no effect on the ranking
                prefs.append(_condition_json(dnf))
        else:
            for k, text in enumerate(_blocks(dm.description, PREF_HEADER)):
                try:
                    cond = parse_condition(text, names, n)
                except ExprError:
                    continue
                dnf = _dnf(cond.evaluate, sorted(cond.options()), (*base, "description", k))
                if dnf and dnf != [[]]:
                    prefs.append(_condition_json(dnf))
        misp: list[Any] = []
        for k, text in enumerate(_blocks(dm.description, MISP_HEADER)):
            try:
                cond = parse_condition(text, names, n)
            except ExprError:
                continue
            for c in _dnf(cond.evaluate, sorted(cond.options()), (*base, "description", k)):
                if c not in misp:
                    misp.append(c)
        entry: dict[str, Any] = {
            "name": dm.text,
            "options": own,
            "preferences": prefs,
            "misperceptions": misp,
        }
        if payoffs is not None:
            entry["preferenceRanking"] = _ranking_of(payoffs[d])
        dms.append(entry)

    infeasibles: list[Any] = []
    for r, rule in enumerate(conflict.infeasible):
        for c in _infeasible_conditions(rule, names, n, ("infeasible", r)):
            if c not in infeasibles:
                infeasibles.append(c)
    if [] in infeasibles:
        raise ModelError(
            "an infeasibility rule is always true, so no state is feasible",
            ("infeasible",),
            "Relax or remove it.",
        )

    parts: list[list[int]] = [[d] for d in range(len(dms))]
    dm_index = {dm.name: d for d, dm in enumerate(conflict.decision_makers)}
    for line in (conflict.description or "").splitlines():
        if line.startswith(COALITION_PREFIX):
            groups = [
                [dm_index.get(x.strip(), -1) for x in g.split("+")]
                for g in line[len(COALITION_PREFIX) :].split(";")
            ]
            if sorted(m for g in groups for m in g) == list(range(len(dms))):
                parts = groups
    coalitions: list[Any] = [g if len(g) > 1 else g[0] for g in parts]
    coalitions_full = [
        {
            "name": ", ".join(dms[m]["name"] for m in g),
            "options": [i for m in g for i in dms[m]["options"]],
        }
        for g in parts
    ]
    return {
        "decisionMakers": dms,
        "coalitions": coalitions,
        "coalitionsFull": coalitions_full,
        "options": options,
        "infeasibles": infeasibles,
        "useManualPreferenceRanking": manual,
        "program": GMCR_PROGRAM,
        "version": GMCR_VERSION,
    }


def conflict_to_gmcr_text(conflict: Conflict) -> str:
    """:func:`conflict_to_gmcr` as JSON text, ready to save as a ``.gmcr`` file."""
    return json.dumps(conflict_to_gmcr(conflict), ensure_ascii=False) + "\n"
