"""The bargaining part of a case (issues and actors) as checked arrays.

:func:`bargaining_data` turns ``conflict.issues`` and ``conflict.actors`` into
the arrays the models take, and reports every inconsistency as a
:class:`~backchannel.errors.ModelError` located in the case (the command line
adds the file and line).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..case.model import Conflict
from ..errors import ModelError

__all__ = ["BargainingData", "bargaining_data"]


@dataclass(frozen=True, eq=False)
class BargainingData:
    """Actors × issues arrays.  An actor that takes no position on an issue has
    salience 0 there (its position is set to the issue's reference point, or
    the middle of the scale, and carries no weight)."""

    actors: tuple[str, ...]
    actor_labels: tuple[str, ...]
    issues: tuple[str, ...]
    issue_labels: tuple[str, ...]
    scales: np.ndarray  # (n_issues, 2)
    capability: np.ndarray  # (n_actors,)
    position: np.ndarray  # (n_actors, n_issues)
    salience: np.ndarray  # (n_actors, n_issues)
    involved: np.ndarray  # bool (n_actors, n_issues)
    reference: np.ndarray  # (n_issues,), NaN where none is given
    outcome: np.ndarray  # (n_issues,), NaN where none is recorded

    @property
    def n_actors(self) -> int:
        return len(self.actors)

    @property
    def n_issues(self) -> int:
        return len(self.issues)


def bargaining_data(conflict: Conflict) -> BargainingData:
    """Check and collect the issues and actors of ``conflict``."""
    if not conflict.issues:
        raise ModelError(
            "the case has no issues",
            ("issues",),
            "Add negotiable issues (a 0–100 scale each) and actors with positions and saliences.",
        )
    if not conflict.actors:
        raise ModelError(
            "the case has no bargaining actors",
            ("actors",),
            "Add actors with a capability and, per issue, a position and a salience.",
        )
    issues = list(conflict.issues)
    index = {name: i for i, name in enumerate(issues)}
    n_a, n_i = len(conflict.actors), len(issues)
    scales = np.array([conflict.issues[k].scale for k in issues], dtype=float)
    reference = np.full(n_i, np.nan)
    outcome = np.full(n_i, np.nan)
    for i, name in enumerate(issues):
        spec = conflict.issues[name]
        for field in ("reference", "outcome"):
            est = getattr(spec, field)
            if est is None:
                continue
            _in_scale(est.value, scales[i], ("issues", name, field), f"the {field} of {name!r}")
            (reference if field == "reference" else outcome)[i] = est.value
    capability = np.zeros(n_a)
    position = np.zeros((n_a, n_i))
    salience = np.zeros((n_a, n_i))
    involved = np.zeros((n_a, n_i), dtype=bool)
    dm_names = {dm.name for dm in conflict.decision_makers}
    seen: set[str] = set()
    for a, actor in enumerate(conflict.actors):
        base: tuple[str | int, ...] = ("actors", a)
        if actor.name in seen:
            raise ModelError(
                f"actor {actor.name!r} is defined twice", (*base, "name"), "Give each actor a distinct name."
            )
        seen.add(actor.name)
        if actor.decision_maker is not None and actor.decision_maker not in dm_names:
            raise ModelError(
                f"actor {actor.name!r} names an unknown decision maker {actor.decision_maker!r}",
                (*base, "decision_maker"),
                "Name a decision maker of the case, or leave decision_maker out.",
            )
        cap = actor.capability.value
        if not np.isfinite(cap) or cap < 0:
            raise ModelError(
                f"the capability of {actor.name!r} is {cap:g}",
                (*base, "capability"),
                "A capability is a number ≥ 0.",
            )
        capability[a] = cap
        for field, mapping in (("positions", actor.positions), ("salience", actor.salience)):
            for key in mapping:
                if key not in index:
                    raise ModelError(
                        f"actor {actor.name!r} gives a {field.rstrip('s')} on issue {key!r}, "
                        "which is not defined",
                        (*base, field, key),
                        f"Define it under issues, or use one of: {', '.join(issues)}.",
                    )
        for key in sorted(set(actor.positions) ^ set(actor.salience)):
            has = "position" if key in actor.positions else "salience"
            lacks = "salience" if has == "position" else "position"
            raise ModelError(
                f"actor {actor.name!r} has a {has} on {key!r} but no {lacks}",
                (*base, "salience" if has == "position" else "positions"),
                f"Give both a position and a salience for {key!r}, or neither.",
            )
        for key, est in actor.positions.items():
            i = index[key]
            _in_scale(est.value, scales[i], (*base, "positions", key), f"the position of {actor.name!r}")
            sal = actor.salience[key].value
            if not np.isfinite(sal) or sal < 0:
                raise ModelError(
                    f"the salience of {actor.name!r} on {key!r} is {sal:g}",
                    (*base, "salience", key),
                    "A salience is a number ≥ 0 (usually between 0 and 1).",
                )
            position[a, i] = est.value
            salience[a, i] = sal
            involved[a, i] = True
    if not capability.any():
        raise ModelError(
            "every actor has capability 0", ("actors",), "Give at least one actor a positive capability."
        )
    for i, name in enumerate(issues):
        if not involved[:, i].any():
            raise ModelError(
                f"no actor takes a position on issue {name!r}",
                ("issues", name),
                "Give actors positions and saliences on it, or remove it.",
            )
        if not (salience[:, i] * capability).any():
            raise ModelError(
                f"all saliences on issue {name!r} are zero (or belong to actors without capability)",
                ("issues", name),
                "At least one actor with capability must care about the issue (salience > 0).",
            )
        filler = reference[i] if np.isfinite(reference[i]) else scales[i].mean()
        position[~involved[:, i], i] = filler
    return BargainingData(
        actors=tuple(a.name for a in conflict.actors),
        actor_labels=tuple(a.text for a in conflict.actors),
        issues=tuple(issues),
        issue_labels=tuple(conflict.issues[k].label or k.replace("_", " ") for k in issues),
        scales=scales,
        capability=capability,
        position=position,
        salience=salience,
        involved=involved,
        reference=reference,
        outcome=outcome,
    )


def _in_scale(value: float, scale: np.ndarray, loc: tuple[str | int, ...], what: str) -> None:
    lo, hi = float(scale[0]), float(scale[1])
    if not np.isfinite(value) or not lo <= value <= hi:
        raise ModelError(
            f"{what} is {value:g}, outside the issue's scale {lo:g}–{hi:g}",
            loc,
            f"Give a number from {lo:g} to {hi:g} (or change the issue's scale).",
        )
