"""Write a :class:`~backchannel.case.model.Conflict` as a case file (YAML or JSON).

The output reads back, through :func:`backchannel.case.casefile.parse_case_text`,
as an equal conflict.  Values left at their defaults are omitted, and the
one-field forms of statements, infeasibility rules and scenarios are written
in their short form (``- release and escalate``).

YAML 1.1 readers take ``y``, ``n``, ``yes``, ``no``, ``on`` and ``off`` for
booleans; Backchannel does not, but such strings are quoted anyway so that the
file means the same to every YAML reader.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ..case.model import Conflict

__all__ = ["conflict_data", "conflict_to_json", "conflict_to_yaml"]

_KEY_ORDER = (
    "title",
    "description",
    "references",
    "sources",
    "decision_makers",
    "infeasible",
    "status_quo",
    "observed",
    "scenarios",
)
_ODD_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_YAML11_BOOL = re.compile(r"^(?:y|yes|n|no|on|off|true|false)$", re.I)


def _short_form(d: Any, key: str) -> Any:
    """``{key: value}`` alone → ``value`` (the loader's shorthand)."""
    if isinstance(d, dict) and set(d) == {key} and isinstance(d[key], str):
        return d[key]
    return d


def conflict_data(conflict: Conflict) -> dict[str, Any]:
    """The case as plain data, in the case-file layout, ready to serialise."""
    raw = conflict.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    # required fields are never defaults, but keep every decision maker's preferences
    out: dict[str, Any] = {k: raw[k] for k in _KEY_ORDER if k in raw}
    out.update({k: v for k, v in raw.items() if k not in out})
    for dm in out.get("decision_makers", []):
        prio = dm.get("preferences", {}).get("prioritization")
        if prio is not None:
            dm["preferences"]["prioritization"] = [_short_form(s, "statement") for s in prio]
    for key in ("status_quo", "observed"):
        if key in out and set(out[key]) == {"state"}:
            out[key] = out[key]["state"]
    if "infeasible" in out:
        out["infeasible"] = [_short_form(r, "expr") for r in out["infeasible"]]
    if "scenarios" in out:
        out["scenarios"] = {k: _short_form(v, "when") for k, v in out["scenarios"].items()}
    return out


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(ch in value for ch in _ODD_BREAKS):
        # PyYAML folds these in plain, single-quoted and block scalars: escape them
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if _YAML11_BOOL.match(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    if "\n" in value.rstrip("\n"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if value.endswith("\n") and len(value) > 60:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _is_flat(value: list[Any]) -> bool:
    """Short lists of numbers, state references and names read best inline."""

    def leaf(x: Any) -> bool:
        return (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, str) and len(x) <= 40)

    items = [y for x in value for y in (x if isinstance(x, list) else [x])]
    if not items or not all(leaf(x) for x in items):
        return False
    if any(isinstance(x, list) and not all(leaf(y) for y in x) for x in value):
        return False
    return len(json.dumps(value, ensure_ascii=False)) <= 80


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=_is_flat(value))


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)


def conflict_to_yaml(conflict: Conflict) -> str:
    """The case as readable YAML in Backchannel's case-file format.

    >>> from backchannel.case.casefile import load_case, parse_case_text
    >>> c = load_case("chicken")
    >>> parse_case_text(conflict_to_yaml(c), "x.yaml")[0] == c
    True
    """
    return yaml.dump(
        conflict_data(conflict),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def conflict_to_json(conflict: Conflict) -> str:
    """The case as indented JSON in Backchannel's case-file format."""
    return json.dumps(conflict_data(conflict), indent=2, ensure_ascii=False) + "\n"
