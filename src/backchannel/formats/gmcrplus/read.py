"""Reading GMCR+ files: a conflict from the JSON (``conflict_from_gmcr``,
``read_gmcr``) and the warnings about what Backchannel keeps but does not
analyse (``gmcr_warnings``)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...case.model import Conflict
from ...errors import CaseError
from .conditions import _expr, _expr_and, _kind, _matches, _Reader, _short, _slug, _unique
from .conventions import (
    _DIRECTIONS,
    _FEASIBLE_CHECK_MAX_OPTIONS,
    COALITION_PREFIX,
    MISP_HEADER,
    PREF_HEADER,
    Cond,
    CondSpec,
)


def _convert(data: object, path: str) -> tuple[Conflict, list[str]]:
    r = _Reader(data, path)
    if not isinstance(data, dict):
        raise r.fail(
            f"the top level is {_kind(data)}, not a mapping",
            hint="A .gmcr file is a JSON object with 'options' and 'decisionMakers', as GMCR+ saves it.",
        )
    for key in ("options", "decisionMakers"):
        if key not in data:
            raise r.fail(
                f"the required key '{key}' is missing",
                (key,),
                f"A GMCR+ file lists its '{key}'; save the conflict from GMCR+ again or add the key.",
            )

    # -- manual ranking flag (old files: useManualPreferenceVectors) ----------
    manual_key = (
        "useManualPreferenceRanking" if "useManualPreferenceRanking" in data else "useManualPreferenceVectors"
    )
    manual = data.get(manual_key, False)
    if not isinstance(manual, bool):
        raise r.fail(
            f"'{manual_key}' must be true or false, not {_short(manual)}",
            (manual_key,),
            "Write true or false.",
        )

    # -- options -------------------------------------------------------------------
    opts_raw = r.need_list(
        data["options"],
        ("options",),
        "'options'",
        'List the options as {"name": ..., "permittedDirection": ...}.',
    )
    if not opts_raw:
        raise r.fail("the file has no options", ("options",), "Define at least one option.")
    n = len(opts_raw)
    opt_label: list[str] = []
    opt_dir: list[str] = []
    for i, o in enumerate(opts_raw):
        loc: tuple[str | int, ...] = ("options", i)
        if not isinstance(o, dict):
            raise r.fail(
                f"an option must be a mapping, not {_kind(o)}",
                loc,
                'Write {"name": "...", "permittedDirection": "both"}.',
            )
        if "name" not in o:
            raise r.fail("the option has no 'name'", loc, "Add a 'name'.")
        opt_label.append(r.text(o["name"], (*loc, "name"), "option name"))
        d = o.get("permittedDirection", "both")
        if not isinstance(d, str) or d not in _DIRECTIONS:
            raise r.fail(
                f"unknown permittedDirection {_short(d)}",
                (*loc, "permittedDirection"),
                'Use "both" (reversible), "fwd" (can be taken but not withdrawn) '
                'or "back" (can be withdrawn but not taken).',
            )
        opt_dir.append(_DIRECTIONS[d])

    # -- decision makers -----------------------------------------------------------
    dms_raw = r.need_list(
        data["decisionMakers"], ("decisionMakers",), "'decisionMakers'", "List the decision makers."
    )
    if not dms_raw:
        raise r.fail(
            "the file has no decision makers", ("decisionMakers",), "Define at least one decision maker."
        )
    owner: dict[int, int] = {}
    dm_label: list[str] = []
    dm_opts: list[list[int]] = []
    for d, dm in enumerate(dms_raw):
        loc = ("decisionMakers", d)
        if not isinstance(dm, dict):
            raise r.fail(
                f"a decision maker must be a mapping, not {_kind(dm)}",
                loc,
                'Write {"name": ..., "options": [...], "preferences": [...]}.',
            )
        if "name" not in dm:
            raise r.fail("the decision maker has no 'name'", loc, "Add a 'name'.")
        dm_label.append(r.text(dm["name"], (*loc, "name"), "decision maker name"))
        if "options" not in dm:
            raise r.fail(
                "the decision maker has no 'options'",
                loc,
                "List the 0-based indices of the options it controls.",
            )
        idxs = r.need_list(dm["options"], (*loc, "options"), "'options'", "List 0-based option indices.")
        own: list[int] = []
        for k, v in enumerate(idxs):
            i = r.need_index(v, n, (*loc, "options", k), "the option index")
            if i in owner and owner[i] != d:
                raise r.fail(
                    f"option {i} ({opt_label[i]!r}) is controlled by both "
                    f"{dm_label[owner[i]]!r} and {dm_label[d]!r}",
                    (*loc, "options", k),
                    "Each option has exactly one controller: remove it from one of them.",
                )
            if i not in own:  # GMCR+ ignores a repeated index
                own.append(i)
                owner[i] = d
        if not own:
            raise r.fail(
                f"decision maker {dm_label[d]!r} controls no option",
                (*loc, "options"),
                "Give it at least one option, or remove it (GMCR+ cannot analyse it either).",
            )
        dm_opts.append(own)
    orphans = [i for i in range(n) if i not in owner]
    if orphans:
        i = orphans[0]
        raise r.fail(
            f"option {i} ({opt_label[i]!r}) is controlled by no decision maker",
            ("options", i),
            "Add its index to the 'options' of one decision maker, or delete the option.",
        )

    # GMCR+ regroups the options by decision maker before numbering states.
    order = [i for own in dm_opts for i in own]  # new position → file index
    perm = [0] * n  # file index → new position
    for pos, i in enumerate(order):
        perm[i] = pos
    if order != list(range(n)):
        r.warnings.append(
            "the options were regrouped by decision maker, as GMCR+ does when it loads a file; "
            "state numbers and hand-made rankings follow the grouped order"
        )

    # names
    taken: set[str] = set()
    opt_name = [""] * n
    for i in order:
        opt_name[i] = _unique(_slug(opt_label[i], lower=True, prefix="opt"), f"option_{perm[i] + 1}", taken)
    taken = set()
    dm_name = [
        _unique(_slug(lab, lower=False, prefix="DM"), f"DM_{d + 1}", taken) for d, lab in enumerate(dm_label)
    ]

    # -- infeasibles -----------------------------------------------------------------
    infeas = r.conditions(
        data.get("infeasibles", []), n, ("infeasibles",), "'infeasibles'", allow_compound=False
    )
    for k, (_, members) in enumerate(infeas):
        if not members[0]:
            raise r.fail(
                "an empty infeasible condition makes every state infeasible",
                ("infeasibles", k),
                "Remove it, or name the options whose combination is infeasible.",
            )

    feasible: np.ndarray | None = None
    if n <= _FEASIBLE_CHECK_MAX_OPTIONS:
        codes = np.arange(2**n, dtype=np.uint64)
        keep = np.ones(codes.shape, dtype=bool)
        for _, members in infeas:
            keep &= ~_matches(codes, members[0], perm)
        feasible = codes[keep]
        if feasible.size == 0:
            raise r.fail(
                "the infeasibles exclude every state", ("infeasibles",), "Remove or relax some of them."
            )

    # -- preferences, rankings, misperceptions ----------------------------------------------
    dms_out: list[dict[str, Any]] = []
    misperceiving: list[str] = []
    for d, dm in enumerate(dms_raw):
        loc = ("decisionMakers", d)
        prefs = r.conditions(dm.get("preferences", []), n, (*loc, "preferences"), "'preferences'")
        statements = [_expr(p, opt_name) for p in prefs]
        misp: list[CondSpec] = []
        if "misperceptions" in dm:
            misp = r.conditions(dm["misperceptions"], n, (*loc, "misperceptions"), "'misperceptions'")
        desc: list[str] = []
        entry: dict[str, Any] = {"name": dm_name[d]}
        if dm_name[d] != dm_label[d]:
            entry["label"] = dm_label[d]
        entry["options"] = [
            {
                "name": opt_name[i],
                **({"label": opt_label[i]} if opt_label[i] != opt_name[i] else {}),
                **({"reversible": opt_dir[i]} if opt_dir[i] != "both" else {}),
            }
            for i in dm_opts[d]
        ]
        if manual:
            key = "preferenceRanking" if "preferenceRanking" in dm else "preferenceVector"
            if key not in dm:
                raise r.fail(
                    f"decision maker {dm_label[d]!r} has no 'preferenceRanking' although "
                    f"'{manual_key}' is true",
                    loc,
                    f"Add its preferenceRanking (state numbers, best first), or set '{manual_key}' to false.",
                )
            entry["preferences"] = {"ranking": _ranking(r, dm[key], (*loc, key), feasible)}
            if statements:
                desc += [PREF_HEADER, *(f"- {s}" for s in statements)]
        else:
            if not statements:
                statements = ["true"]
                r.warnings.append(
                    f"decision maker {dm_label[d]!r} has no preference statements: "
                    "all states are equally preferred"
                )
            entry["preferences"] = {"prioritization": statements}
        if misp:
            misperceiving.append(dm_label[d])
            if desc:
                desc.append("")
            desc += [MISP_HEADER, *(f"- {_expr(m, opt_name)}" for m in misp)]
        if desc:
            entry["description"] = "\n".join(desc)
        dms_out.append(entry)
    if misperceiving:
        r.warnings.append(
            "misperceptions are not analysed (the stability results assume every decision maker sees "
            f"every state); those of {', '.join(misperceiving)} are kept in the decision makers' descriptions"
        )

    # -- coalitions ----------------------------------------------------------------
    notes: list[str] = []
    if "coalitions" in data:
        groups = _coalitions(r, data["coalitions"], len(dms_raw))
        if groups is not None and any(len(g) > 1 for g in groups):
            text = "; ".join(" + ".join(dm_name[i] for i in g) for g in groups)
            notes.append(f"{COALITION_PREFIX} {text}")
            r.warnings.append(
                f"GMCR+ coalitions ({text}) are not analysed: each decision maker moves on its own "
                "(they are kept in the description)"
            )

    if len(dms_raw) > 2:
        r.warnings.append(
            "GMCR+ lets each opponent reply with a single move; with three or more decision makers "
            "Backchannel's GMR, SMR and SEQ allow sequences of replies (Fang, Hipel & Kilgour 1993) and may "
            "find states stable that GMCR+ does not"
        )

    infeasible_out = _infeasible_rules([members[0] for _, members in infeas], opt_name, perm)

    base = os.path.basename(re.sub(r" \(bundled case\)$", "", path).replace("\\", "/")) or path
    title = re.sub(r"\.gmcr$", "", base, flags=re.I) or "GMCR+ conflict"
    version = data.get("version")
    vtext = f", GMCR+ version {version}" if isinstance(version, str) and version else ""
    description = "\n".join([f"Imported from the GMCR+ file {base}{vtext}.", *notes])
    out = {
        "title": title,
        "description": description,
        "decision_makers": dms_out,
        "infeasible": infeasible_out,
    }
    from pydantic import ValidationError

    try:
        conflict = Conflict.model_validate(out)
    except ValidationError as e:  # pragma: no cover - the converter builds valid models
        raise r.fail(f"cannot be converted: {e.errors()[0].get('msg', e)}") from None
    return conflict, r.warnings


def _infeasible_rules(conds: list[Cond], names: Sequence[str], perm: Sequence[int]) -> list[dict[str, Any]]:
    """Infeasibility rules for GMCR+ infeasibles (AND conditions), readably.

    GMCR+'s "mutually exclusive" button writes one condition per pair of
    options; a complete set of such pairs over three or more options becomes
    ``at_most_one`` (with the condition "none of them" too: ``exactly_one``).
    Every other condition becomes an expression.  The infeasible states are
    the same.
    """
    pair_at: dict[frozenset[int], int] = {}
    for k, c in enumerate(conds):
        if len(c) == 2 and c[0][1] and c[1][1]:
            pair_at.setdefault(frozenset((c[0][0], c[1][0])), k)
    # connected components of the pair graph
    adj: dict[int, set[int]] = {}
    for p in pair_at:
        a, b = tuple(p)
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    groups: dict[int, tuple[str, list[int]]] = {}  # first condition index → rule
    consumed: set[int] = set()
    seen: set[int] = set()
    for start in sorted(adj):
        if start in seen:
            continue
        comp, stack = set(), [start]
        while stack:
            x = stack.pop()
            if x not in comp:
                comp.add(x)
                stack.extend(adj[x] - comp)
        seen |= comp
        members = sorted(comp, key=lambda i: perm[i])
        pairs = [frozenset((a, b)) for j, a in enumerate(members) for b in members[j + 1 :]]
        if len(members) < 3 or not all(p in pair_at for p in pairs):
            continue
        ks = [pair_at[p] for p in pairs]
        form = "at_most_one"
        none = tuple(sorted((i, False) for i in comp))
        for k, c in enumerate(conds):
            if k not in consumed and len(c) == len(comp) and tuple(sorted(c)) == none:
                ks.append(k)
                form = "exactly_one"
                break
        consumed.update(ks)
        groups[min(ks)] = (form, members)
    out: list[dict[str, Any]] = []
    for k, c in enumerate(conds):
        if k in groups:
            form, members = groups[k]
            out.append({form: [names[i] for i in members]})
        elif k not in consumed:
            out.append({"expr": _expr_and(c, names)})
    return out


def _ranking(r: _Reader, v: object, loc: tuple[str | int, ...], feasible: np.ndarray | None) -> list[Any]:
    hint = "A ranking lists every feasible state number (1, 2, …) once, best first; a nested list is a tie."
    items = r.need_list(v, loc, "a preference ranking", hint)
    total = None if feasible is None else int(feasible.size)
    seen: dict[int, tuple[str | int, ...]] = {}
    out: list[Any] = []
    for k, entry in enumerate(items):
        group = entry if isinstance(entry, list) else [entry]
        if isinstance(entry, list) and not entry:
            raise r.fail("empty tie group in the ranking", (*loc, k), "Remove the empty list.")
        nums: list[int] = []
        for g, s in enumerate(group):
            sloc = (*loc, k, g) if isinstance(entry, list) else (*loc, k)
            if isinstance(s, bool) or not isinstance(s, int):
                raise r.fail(f"a ranking entry must be a state number, not {_short(s)}", sloc, hint)
            if s < 1 or (total is not None and s > total):
                rng = f"1 to {total}" if total is not None else "from 1"
                raise r.fail(f"state {s} does not exist (feasible states are numbered {rng})", sloc, hint)
            if s in seen:
                raise r.fail(f"state {s} appears twice in the ranking", sloc, hint)
            seen[s] = sloc
            nums.append(s)
        out.append(nums if isinstance(entry, list) else nums[0])
    if total is not None and len(seen) != total:
        missing = [s for s in range(1, total + 1) if s not in seen]
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        raise r.fail(f"the ranking omits {len(missing)} of the {total} feasible states: {shown}", loc, hint)
    return out


def _coalitions(r: _Reader, v: object, n_dm: int) -> list[list[int]] | None:
    hint = "List coalitions as 0-based decision maker indices, e.g. [0, [1, 2]]."
    items = r.need_list(v, ("coalitions",), "'coalitions'", hint)
    groups: list[list[int]] = []
    for k, c in enumerate(items):
        members = c if isinstance(c, list) else [c]
        g: list[int] = []
        for j, m in enumerate(members):
            loc: tuple[str | int, ...] = ("coalitions", k, j) if isinstance(c, list) else ("coalitions", k)
            if isinstance(m, bool) or not isinstance(m, int):
                raise r.fail(f"a coalition member must be a decision maker index, not {_short(m)}", loc, hint)
            if not 0 <= m < n_dm:
                raise r.fail(f"decision maker index {m} is out of range (0 to {n_dm - 1})", loc, hint)
            g.append(m)
        groups.append(g)
    flat = sorted(m for g in groups for m in g)
    if flat != list(range(n_dm)) or any(not g for g in groups):
        r.warnings.append(
            "the coalitions do not partition the decision makers; GMCR+ ignores them, and so does Backchannel"
        )
        return None
    return groups


def read_gmcr(text: str, path: str) -> Conflict:
    """Read the text of a ``.gmcr`` file (JSON as GMCR+ writes it) into a :class:`Conflict`."""
    from ...case.casefile import _load_json

    return conflict_from_gmcr(_load_json(text, path, "gmcr"), path)


def conflict_from_gmcr(data: object, path: str) -> Conflict:
    """Convert parsed GMCR+ JSON (``json.load`` of a ``.gmcr`` file) into a :class:`Conflict`.

    Raises :class:`~backchannel.errors.CaseError` naming ``path``, the place in
    the file and the fix for any input that is not a usable GMCR+ conflict.

    >>> c = conflict_from_gmcr({
    ...     "options": [{"name": "Cooperate with 2", "permittedDirection": "both"},
    ...                 {"name": "Cooperate with One", "permittedDirection": "both"}],
    ...     "decisionMakers": [
    ...         {"name": "Prisoner One", "options": [0], "preferences": [[[1, "Y"]], [[0, "N"]]]},
    ...         {"name": "prisoner 2", "options": [1], "preferences": [[[0, "Y"]], [[1, "N"]]]}],
    ...     "infeasibles": []}, "Prisoners.gmcr")
    >>> [s.condition for s in c.decision_makers[0].preferences.prioritization]
    ['cooperate_with_one', 'not cooperate_with_2']
    """
    return _convert(data, path)[0]


def gmcr_warnings(data: object, path: str = "<gmcr>") -> list[str]:
    """What the import of ``data`` leaves out or changes (for the command line to show).

    Empty for a file that cannot be read at all (:func:`conflict_from_gmcr`
    reports that).
    """
    try:
        return _convert(data, path)[1]
    except CaseError:
        return []
