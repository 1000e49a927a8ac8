"""Inverse analysis, the result: :class:`InverseResult`, its sentences and
its conversions (see :mod:`backchannel.gmcr.inverse`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...case.results import Result, meta
from ..statespace import StateSpace
from .change import Change
from .conditions import Alternative, Clause, Comparison

if TYPE_CHECKING:
    import pandas as pd


_DEFINITIONS = (
    "Inverse graph model (Kinsara 2015; Kinsara, Kilgour & Hipel 2015): conditions on the chosen "
    "decision makers' preferences for the state to be stable for every decision maker, under Nash, GMR, "
    "SMR, SEQ or SIM as in Fang, Hipel & Kilgour (1993), opponents moving by legal sequences; counts over "
    "strict rankings (within a window of the current ones); smallest change in Kendall distance"
)


# ---------------------------------------------------------------------------
# the result


@dataclass(frozen=True, eq=False)
class InverseResult(Result):
    """What preferences make ``state`` an equilibrium under ``concept``.

    States are indices here (number - 1); :meth:`to_dict` numbers them from 1.
    ``count`` of ``profiles`` preference profiles of the chosen decision makers
    (strict rankings, within the window) make the state an equilibrium;
    ``rankings[dm]`` is the number of rankings counted for each, and
    ``own[dm]`` — for a decision maker whose conditions involve no other chosen
    one — how many of its rankings satisfy them (the others as they are).
    ``distance`` is the smallest total change (None: impossible, or not
    determined, see ``notes``) and ``changes`` the optimal ways to make it.
    """

    space: StateSpace
    state: int
    concept: str
    dms: tuple[int, ...]
    window: int | None
    stable_now: tuple[bool, ...]
    clauses: tuple[Clause, ...]
    count: int
    profiles: int
    rankings: dict[int, int]
    own: dict[int, int]
    distance: int | None
    changes: tuple[tuple[Change, ...], ...]
    notes: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)

    # -- queries ------------------------------------------------------------
    @property
    def equilibrium_now(self) -> bool:
        return all(self.stable_now)

    @property
    def fraction(self) -> float:
        return self.count / self.profiles if self.profiles else 0.0

    def open_clauses(self, dm: str | None = None) -> list[Clause]:
        d = None if dm is None else self.space.dm_index(dm)
        return [c for c in self.clauses if c.status != "holds" and (d is None or c.focal == d)]

    # -- words ----------------------------------------------------------------
    def label(self, s: int) -> str:
        desc = self.space.describe(s)
        return f"state {s + 1} {desc if desc.startswith('(') else f'({desc})'}"

    def _name(self, d: int) -> str:
        return self.space.dm_names[d]

    def comparison_text(self, c: Comparison) -> str:
        if c.strict:
            return f"{self._name(c.dm)} prefers {self.label(c.better)} to {self.label(c.worse)}"
        return f"{self._name(c.dm)} likes {self.label(c.better)} at least as much as {self.label(c.worse)}"

    def alternative_text(self, cl: Clause, alt: Alternative) -> str:
        """One alternative of a clause in words."""
        focal = self._name(cl.focal)
        here = self.label(self.state)
        rest = list(alt.comparisons)

        def take(c: Comparison) -> bool:
            if c in rest:
                rest.remove(c)
                return True
            return False

        if alt.sanction is None:
            return " and ".join(self.comparison_text(c) for c in rest) or "always"
        s2 = alt.sanction
        if alt.reply is not None:
            j, t = alt.reply
            text = (
                f"{self._name(j)} can reply at once by moving to {self.label(t)}, ending in {self.label(s2)}"
            )
            if take(Comparison(j, t, self.state, True)):
                text += f" (if {self._name(j)} prefers {self.label(t)} to {here})"
        else:
            movers = list(dict.fromkeys(j for j, _, _ in alt.path))
            who = self._name(movers[0]) if len(movers) == 1 else "the others"
            if len(alt.path) == 1:
                text = f"{who} can then move to {self.label(s2)}"
            else:
                steps = ", ".join(f"{self._name(j)} {a + 1}→{b + 1}" for j, a, b in alt.path)
                text = f"{who} can then take it to {self.label(s2)} ({steps})"
                if alt.needs_repeat:
                    text += ", one of them moving twice"
            if self.concept == "seq":
                if alt.reach_from is None:
                    text += (
                        f" (a move {who} prefers)"
                        if len(alt.path) == 1
                        else ", each move preferred by its mover"
                    )
                elif len(alt.path) == 1:
                    j, a, b = alt.path[0]
                    text += f" (if {self._name(j)} prefers {self.label(b)} to {self.label(a)})"
                else:
                    text += " (if each move is preferred by its mover, or another such sequence exists)"
        if take(Comparison(cl.focal, self.state, s2, False)):
            text += f", which {focal} likes no more than {here}"
        escapes = [c.worse for c in rest if c.dm == cl.focal and c.better == self.state and not c.strict]
        if escapes and self.concept == "smr":
            rest = [c for c in rest if not (c.dm == cl.focal and c.better == self.state and not c.strict)]
            listed = ", ".join(self.label(x) for x in escapes)
            text += (
                f", and from which {focal} can only move on to states it likes no more than {here}: {listed}"
            )
        if rest:
            text += ", and " + " and ".join(self.comparison_text(c) for c in rest)
        return text

    def clause_text(self, cl: Clause) -> str:
        who = self._name(cl.focal)
        move = f"{who}'s move from {self.label(self.state)} to {self.label(cl.move)}"
        if cl.status == "holds":
            return f"{move} is no threat, whatever the chosen decision makers prefer."
        if cl.status == "fails":
            return f"{move} makes the state unstable, whatever the chosen decision makers prefer."
        alts = [self.alternative_text(cl, a) for a in cl.alternatives]
        if len(alts) > 8:
            alts = [*alts[:8], f"… ({len(alts) - 8} more ways)"]
        return f"{move} is no threat if " + "; or if ".join(alts) + "."

    def change_text(self, ch: Change) -> str:
        if not ch.reversals:
            return f"{self._name(ch.dm)} keeps its ranking"
        winners: dict[int, list[int]] = defaultdict(list)
        for a, b in ch.reversals:
            winners[a].append(b)
        parts = []
        for a, bs in winners.items():
            names = [self.label(b) for b in bs]
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            parts.append(f"{self.label(a)} to {listed}")
        return f"if {self._name(ch.dm)} came to prefer " + "; and ".join(parts)

    def summary(self) -> list[str]:
        """The result in sentences."""
        sp = self.space
        lines: list[str] = []
        names = ", ".join(self._name(d) for d in self.dms)
        now = "is" if self.equilibrium_now else "is not"
        unstable = [self._name(d) for d in range(sp.n_dms) if not self.stable_now[d]]
        lines.append(
            f"{self.label(self.state).capitalize()} {now} a {self.concept.upper()} equilibrium now"
            + (f" (unstable for {', '.join(unstable)})." if unstable else ".")
        )
        scope = (
            "all strict rankings"
            if self.window is None
            else (
                f"the strict rankings with every state at most {self.window} "
                f"place{'s' if self.window != 1 else ''} from its current place"
            )
        )
        lines.append(
            f"Of {self.profiles:,} preference profiles of {names} ({scope}), {self.count:,} make it "
            f"an equilibrium ({100 * self.fraction:.3g}%)."
        )
        if self.distance is None:
            lines.append(
                "No change to the preferences of the chosen decision makers makes it an equilibrium."
            )
        elif self.distance == 0:
            lines.append("No change is needed.")
        else:
            for k, option in enumerate(self.changes):
                text = "; ".join(self.change_text(c) for c in option)
                head = (
                    f"Smallest change ({self.distance} reversed pair{'s' if self.distance != 1 else ''}): "
                    if k == 0
                    else "Or, as small: "
                )
                lines.append(head + text + ".")
        lines.extend(self.notes)
        return lines

    # -- conversions ------------------------------------------------------------
    def _state(self, s: int) -> dict[str, Any]:
        return {"number": s + 1, "pattern": self.space.pattern(s), "description": self.space.describe(s)}

    def to_dict(self) -> dict[str, Any]:
        sp = self.space

        def comp(c: Comparison) -> dict[str, Any]:
            return {
                "decision_maker": self._name(c.dm),
                "prefers": c.better + 1,
                "to": c.worse + 1,
                "strict": c.strict,
            }

        conditions = []
        for cl in self.clauses:
            conditions.append(
                {
                    "decision_maker": self._name(cl.focal),
                    "move_to": cl.move + 1,
                    "status": cl.status,
                    "alternatives": [
                        {
                            "requires": [comp(c) for c in a.comparisons],
                            "sanction": None if a.sanction is None else a.sanction + 1,
                            "reply": None
                            if a.reply is None
                            else {"decision_maker": self._name(a.reply[0]), "to": a.reply[1] + 1},
                            "reach_from": None if a.reach_from is None else a.reach_from + 1,
                            "path": [
                                {"decision_maker": self._name(j), "from": x + 1, "to": y + 1}
                                for j, x, y in a.path
                            ],
                            "needs_repeat": a.needs_repeat,
                            "text": self.alternative_text(cl, a),
                        }
                        for a in cl.alternatives
                    ],
                    "text": self.clause_text(cl),
                }
            )
        return {
            "case": sp.conflict.title,
            "state": self._state(self.state),
            "concept": self.concept,
            "decision_makers": [self._name(d) for d in self.dms],
            "window": self.window,
            "stable_now": {self._name(d): bool(v) for d, v in enumerate(self.stable_now)},
            "equilibrium_now": self.equilibrium_now,
            "conditions": conditions,
            "count": {
                "equilibrium_profiles": self.count,
                "profiles": self.profiles,
                "fraction": self.fraction,
                "rankings": {self._name(d): v for d, v in self.rankings.items()},
                "own": {self._name(d): v for d, v in self.own.items()},
            },
            "smallest_change": None
            if self.distance is None
            else {
                "reversed_pairs": self.distance,
                "options": [
                    [
                        {
                            "decision_maker": self._name(c.dm),
                            "distance": c.distance,
                            "ranking": [x + 1 for x in c.ranking],
                            "reversals": [{"prefers": a + 1, "to": b + 1} for a, b in c.reversals],
                            "text": self.change_text(c),
                        }
                        for c in option
                    ]
                    for option in self.changes
                ],
            },
            "summary": self.summary(),
            "notes": list(self.notes),
            "meta": meta(sp, "inverse", _DEFINITIONS, self.parameters),
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per alternative of every clause that is not settled."""
        import pandas as pd

        rows = []
        for cl in self.clauses:
            for k, a in enumerate(cl.alternatives or (None,)):
                rows.append(
                    {
                        "decision_maker": self._name(cl.focal),
                        "move_to": cl.move + 1,
                        "status": cl.status,
                        "alternative": k + 1 if a is not None else 0,
                        "sanction": None if a is None or a.sanction is None else a.sanction + 1,
                        "requires": ""
                        if a is None
                        else " and ".join(self.comparison_text(c) for c in a.comparisons),
                        "needs_repeat": False if a is None else a.needs_repeat,
                    }
                )
        return pd.DataFrame(rows)
