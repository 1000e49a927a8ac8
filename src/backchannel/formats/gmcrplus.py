"""Read and write GMCR+ (``gmcr-py``) ``.gmcr`` files.

GMCR+ saves a conflict as JSON: a master list of ``options`` (each with a
``permittedDirection`` of ``both``, ``fwd`` or ``back``), ``decisionMakers``
holding 0-based option indices and prioritised ``preferences``, a list of
``infeasibles`` and, when ``useManualPreferenceRanking`` is true, each
decision maker's ``preferenceRanking`` (ordered state numbers, best first; a
nested list is a tie).  Old files say ``useManualPreferenceVectors`` and
``preferenceVector``.

A *condition* is a list of ``[option index, "Y"|"N"]`` pairs, all of which must
hold; a *compound* condition ``{"compound": true, "members": [...]}`` holds
when any member does.  Preferences weigh statement ``j`` of ``K`` by
``2**(K-1-j)``, exactly as Backchannel's option prioritisation does.

On load GMCR+ groups the options by decision maker, in decision-maker order
(``reorderOptionsByDM``), *before* it numbers the states and reads the manual
rankings; the importer does the same, so Backchannel's option order, state
numbers and rankings are those GMCR+ shows for the same file.

What Backchannel does not model is kept and reported rather than dropped:
misperceptions, the preference statements of a hand-ranked decision maker and
coalitions go into descriptions (which :func:`conflict_to_gmcr` reads back),
and :func:`gmcr_warnings` lists them so that the command line can warn.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..case.expr import ExprError, parse_condition
from ..case.model import Conflict
from ..errors import CaseError, ModelError

__all__ = [
    "GMCR_PROGRAM",
    "GMCR_VERSION",
    "conflict_from_gmcr",
    "conflict_to_gmcr",
    "conflict_to_gmcr_text",
    "gmcr_warnings",
    "prime_implicants",
]

GMCR_PROGRAM = "gmcr-py"
GMCR_VERSION = "0.3.13"

_DIRECTIONS = {"both": "both", "fwd": "adopt-only", "back": "withdraw-only"}
_TO_DIRECTION = {v: k for k, v in _DIRECTIONS.items()}
_RESERVED = {"not", "and", "or", "implies", "iff", "if", "then", "true", "false"}

# Headers of the blocks that keep GMCR+ data Backchannel does not analyse.
PREF_HEADER = (
    "GMCR+ preference statements, most important first (kept for reference: "
    "the file ranks the states by hand, and the ranking is what is analysed):"
)
MISP_HEADER = (
    "GMCR+ misperceptions (kept for reference, not used in the analysis): "
    "this decision maker does not perceive the states where any of these holds:"
)
COALITION_PREFIX = "GMCR+ coalitions (kept for reference, not used in the analysis):"

_FEASIBLE_CHECK_MAX_OPTIONS = 20  # enumerate 2**n states at import up to this size
_DNF_MAX_SUPPORT = 14  # truth tables of at most 2**14 rows when writing


# ---------------------------------------------------------------------------
# reading


Cond = tuple[tuple[int, bool], ...]  # AND of (option index in file order, taken)
CondSpec = tuple[bool, tuple[Cond, ...]]  # (compound?, members); simple → one member


class _Reader:
    def __init__(self, data: object, path: str) -> None:
        self.data = data
        self.path = path
        self.warnings: list[str] = []

    def fail(self, message: str, loc: Sequence[str | int] = (), hint: str = "") -> CaseError:
        return CaseError(self.path, message, loc=loc, hint=hint)

    # -- small shape checks --------------------------------------------------
    def need_list(self, v: object, loc: Sequence[str | int], what: str, hint: str = "") -> list[Any]:
        if not isinstance(v, list):
            raise self.fail(f"{what} must be a list, not {_kind(v)}", loc, hint)
        return v

    def need_index(self, v: object, n: int, loc: Sequence[str | int], what: str) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(
                f"{what} must be a whole number, not {_kind(v)}",
                loc,
                f"Give a 0-based index into 'options' (0 to {n - 1}).",
            )
        if not 0 <= v < n:
            raise self.fail(
                f"{what} {v} is out of range: the file has {n} option{'s' if n != 1 else ''}",
                loc,
                f"Use a 0-based index into 'options', from 0 to {n - 1}.",
            )
        return v

    def text(self, v: object, loc: Sequence[str | int], what: str) -> str:
        if isinstance(v, str):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(v)
        raise self.fail(f"{what} must be text, not {_kind(v)}", loc, f"Write the {what} as a string.")

    # -- conditions -------------------------------------------------------------
    def simple(self, v: object, n: int, loc: tuple[str | int, ...]) -> Cond:
        hint = 'A condition is a list of [option index, "Y" or "N"] pairs, e.g. [[0, "Y"], [2, "N"]].'
        pairs = self.need_list(v, loc, "a condition", hint)
        out: list[tuple[int, bool]] = []
        seen: dict[int, bool] = {}
        for k, pair in enumerate(pairs):
            ploc = (*loc, k)
            if not isinstance(pair, list) or len(pair) != 2:
                raise self.fail(
                    f'each entry of a condition must be a pair [option index, "Y"|"N"], not {_short(pair)}',
                    ploc,
                    hint,
                )
            idx = self.need_index(pair[0], n, (*ploc, 0), "the option index")
            taken = pair[1]
            if taken not in ("Y", "N"):
                raise self.fail(
                    f'the second element of a condition pair must be "Y" or "N", not {_short(taken)}',
                    (*ploc, 1),
                    'Write "Y" (option taken) or "N" (not taken).',
                )
            t = taken == "Y"
            if idx in seen:
                if seen[idx] != t:
                    raise self.fail(
                        f"option {idx} is required both taken and not taken, so the condition never holds",
                        ploc,
                        "Name each option at most once in a condition.",
                    )
                continue  # a repeated pair: harmless
            seen[idx] = t
            out.append((idx, t))
        return tuple(out)

    def condition(
        self, v: object, n: int, loc: tuple[str | int, ...], *, allow_compound: bool = True
    ) -> CondSpec:
        if isinstance(v, dict):
            if not allow_compound:
                raise self.fail(
                    "a compound condition cannot be used here: GMCR+ takes plain AND conditions only",
                    loc,
                    'Split it into one condition per member, e.g. [[0, "Y"], [1, "Y"]].',
                )
            if v.get("compound") is not True or "members" not in v:
                raise self.fail(
                    "a condition given as a mapping must be a compound condition "
                    '{"compound": true, "members": [...]}',
                    loc,
                    'Write {"compound": true, "members": [condition, ...]}, or a plain list of pairs.',
                )
            members = self.need_list(
                v["members"], (*loc, "members"), "'members'", "List the alternative conditions."
            )
            return True, tuple(self.simple(m, n, (*loc, "members", i)) for i, m in enumerate(members))
        if isinstance(v, list):
            return False, (self.simple(v, n, loc),)
        raise self.fail(
            f"a condition must be a list of pairs or a compound condition, not {_kind(v)}",
            loc,
            'Write [[option index, "Y"|"N"], ...] or {"compound": true, "members": [...]}.',
        )

    def conditions(
        self, v: object, n: int, loc: tuple[str | int, ...], what: str, *, allow_compound: bool = True
    ) -> list[CondSpec]:
        items = self.need_list(v, loc, what, "Give a list of conditions (possibly empty).")
        out: list[CondSpec] = []
        names: set[object] = set()
        for i, c in enumerate(items):
            spec = self.condition(c, n, (*loc, i), allow_compound=allow_compound)
            key = _spec_key(spec, n)
            if key in names:  # GMCR+ drops a condition equal to an earlier one
                continue
            names.add(key)
            out.append(spec)
        return out


def _kind(v: object) -> str:
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(v), type(v).__name__)


def _short(v: object) -> str:
    try:
        s = json.dumps(v, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        s = repr(v)
    return s if len(s) <= 40 else s[:37] + "…"


def _ynd(cond: Cond, n: int) -> str:
    chars = ["-"] * n
    for i, t in cond:
        chars[i] = "Y" if t else "N"
    return "".join(chars)


def _spec_key(spec: CondSpec, n: int) -> object:
    compound, members = spec
    if compound:
        return ("compound", tuple(sorted(_ynd(m, n) for m in members)))
    return _ynd(members[0], n)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _slug(text: str, *, lower: bool, prefix: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "_", _ascii(text)).strip("_")
    if lower:
        s = s.lower()
    s = s[:48].rstrip("_")
    if not s:
        return ""
    if s[0].isdigit():
        s = f"{prefix}_{s}"
    if s.lower() in _RESERVED or re.fullmatch(r"[YN]+", s):
        s += "_"
    return s


def _unique(base: str, fallback: str, taken: set[str]) -> str:
    name = base or fallback
    k = 2
    cand = name
    while cand in taken:
        cand = f"{name}_{k}"
        k += 1
    taken.add(cand)
    return cand


def _expr_and(cond: Cond, names: Sequence[str]) -> str:
    if not cond:
        return "true"
    return " and ".join(names[i] if t else f"not {names[i]}" for i, t in cond)


def _expr(spec: CondSpec, names: Sequence[str]) -> str:
    compound, members = spec
    if not compound:
        return _expr_and(members[0], names)
    if not members:
        return "false"
    if any(not m for m in members):
        return "true"
    parts = [_expr_and(m, names) for m in members]
    if len(parts) == 1:
        return parts[0]
    return " or ".join(f"({p})" if len(m) > 1 else p for p, m in zip(parts, members, strict=True))


def _matches(codes: np.ndarray, cond: Cond, perm: Sequence[int]) -> np.ndarray:
    care = value = 0
    for i, t in cond:
        care |= 1 << perm[i]
        if t:
            value |= 1 << perm[i]
    return (codes & np.uint64(care)) == np.uint64(value)


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
    from ..case.casefile import _load_json

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


# ---------------------------------------------------------------------------
# writing


Implicant = tuple[int, int]  # (care mask, value) over the support bits


def prime_implicants(minterms: Iterable[int], n_vars: int) -> list[Implicant]:
    """A small cover of ``minterms`` by prime implicants (Quine–McCluskey).

    Implicants are ``(care, value)`` bit masks over ``n_vars`` variables.  The
    cover takes the essential prime implicants, then greedily the one covering
    most of what is left.

    >>> prime_implicants([1, 3], 2)   # x0
    [(1, 1)]
    >>> sorted(prime_implicants([0, 3], 2))
    [(3, 0), (3, 3)]
    """
    full = (1 << n_vars) - 1
    ms = sorted(set(minterms))
    if not ms:
        return []
    if len(ms) == 1 << n_vars:
        return [(0, 0)]
    level: set[Implicant] = {(full, m) for m in ms}
    primes: set[Implicant] = set()
    while level:
        merged: set[Implicant] = set()
        used: set[Implicant] = set()
        for care, value in level:
            bits = care
            while bits:
                b = bits & -bits
                bits ^= b
                if value & b:
                    continue
                other = (care, value | b)
                if other in level:
                    merged.add((care & ~b, value))
                    used.add((care, value))
                    used.add(other)
        primes |= level - used
        level = merged

    def covers(p: Implicant) -> set[int]:
        care, value = p
        free = full & ~care
        out = set()
        sub = free
        while True:
            out.add(value | sub)
            if sub == 0:
                break
            sub = (sub - 1) & free
        return out

    cov = {p: covers(p) for p in primes}
    left = set(ms)
    chosen: list[Implicant] = []
    by_m: dict[int, list[Implicant]] = {}
    for p, c in cov.items():
        for m in c:
            by_m.setdefault(m, []).append(p)
    for m in ms:
        ps = by_m[m]
        if len(ps) == 1 and ps[0] not in chosen:
            chosen.append(ps[0])
    for p in chosen:
        left -= cov[p]
    while left:
        best = max(sorted(primes), key=lambda p: (len(cov[p] & left), -p[0].bit_count()))
        chosen.append(best)
        left -= cov[best]
    return sorted(chosen, key=lambda p: (p[0].bit_count(), _lits(p)))


def _lits(p: Implicant) -> list[tuple[int, int]]:
    care, value = p
    return [(i, value >> i & 1) for i in range(care.bit_length()) if care >> i & 1]


def _dnf(evaluate: Any, support: Sequence[int], loc: Sequence[str | int]) -> list[list[list[Any]]]:
    """Prime-implicant DNF of a condition over its options, as GMCR+ AND conditions."""
    k = len(support)
    if k > _DNF_MAX_SUPPORT:
        raise ModelError(
            f"the condition mentions {k} options; at most {_DNF_MAX_SUPPORT} can be written "
            "as GMCR+ conditions",
            loc,
            "Split it into simpler statements or rules.",
        )
    local = np.arange(2**k, dtype=np.uint64)
    codes = np.zeros(local.shape, dtype=np.uint64)
    for j, i in enumerate(support):
        codes |= ((local >> np.uint64(j)) & np.uint64(1)) << np.uint64(i)
    truth = np.asarray(evaluate(codes), dtype=bool)
    minterms = [int(m) for m in np.flatnonzero(truth)]
    out = []
    for care, value in prime_implicants(minterms, k):
        out.append([[support[j], "Y" if value >> j & 1 else "N"] for j in range(k) if care >> j & 1])
    return out


def _condition_json(dnf: list[list[list[Any]]]) -> Any:
    if len(dnf) == 1:
        return dnf[0]
    return {"compound": True, "members": dnf}


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
    from ..gmcr.statespace import compile_conflict

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
