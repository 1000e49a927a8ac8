"""Coalition analysis, the results: the break records, their words, and
:class:`CoalitionResult` and :class:`CoalitionSearchResult` (see :mod:`backchannel.gmcr.coalitions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ...case.results import Result, meta
from ..statespace import Moves, StateSpace
from .bitsets import _popcount
from .partitions import COALITION_CONCEPTS

if TYPE_CHECKING:
    import pandas as pd

CONCEPT_LABELS = {"nash": "Nash", "gmr": "GMR", "smr": "SMR", "seq": "SEQ"}
DEFINITIONS = (
    "Kilgour, Hipel, Fang & Peng (2001); Inohara & Hipel (2008): coalitional improvements by legal "
    "sequences of the members' unilateral moves; coalition Nash, GMR, SMR, SEQ"
)
_NUMBERS = {2: "both", 3: "all three", 4: "all four", 5: "all five", 6: "all six"}


# ---------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class CoalitionBreak:
    """A coalition's joint move away from a state that no sanction deters
    under ``concept``: the state is not coalitionally stable for it.

    ``target`` is the simplest such move (fewest options changed, then the
    lowest state number); ``targets`` lists every undeterred one.
    ``changes``: ``(decision maker, option, taken at the target)`` for every
    option that differs.  :func:`joint_path` gives a legal sequence of the
    members' unilateral moves that realises the joint move.
    """

    concept: str
    state: int
    coalition: tuple[str, ...]
    target: int
    targets: tuple[int, ...]
    changes: tuple[tuple[str, str, bool], ...]
    text: str

    @property
    def movers(self) -> tuple[str, ...]:
        """The members whose options differ between the state and the target."""
        seen = {dm for dm, _, _ in self.changes}
        return tuple(m for m in self.coalition if m in seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "concept": self.concept,
            "state": self.state,
            "coalition": list(self.coalition),
            "target": self.target,
            "targets": list(self.targets),
            "movers": list(self.movers),
            "changes": [{"decision_maker": d, "option": o, "taken": t} for d, o, t in self.changes],
            "text": self.text,
        }


def _join(items: Sequence[str], word: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _state_text(space: StateSpace, s: int) -> str:
    what = space.describe(s)
    return f"state {s + 1} {what}" if what.startswith("(") else f"state {s + 1} ({what})"


def _changes(space: StateSpace, s: int, t: int) -> tuple[tuple[str, str, bool], ...]:
    diff = int(space.codes[s]) ^ int(space.codes[t])
    code_t = int(space.codes[t])
    return tuple(
        (dm.name, opt.name, bool(code_t >> i & 1))
        for i, (dm, opt) in enumerate(space.conflict.options)
        if diff >> i & 1
    )


def _changes_text(space: StateSpace, changes: Sequence[tuple[str, str, bool]]) -> str:
    conflict = space.conflict
    per: dict[str, list[str]] = {}
    opts = {o.name: o for _, o in conflict.options}
    for dm, opt, taken in changes:
        per.setdefault(dm, []).append(f"{'takes' if taken else 'withdraws'} “{opts[opt].text}”")
    return "; ".join(f"{conflict.dm(dm).text} {_join(acts)}" for dm, acts in per.items())


def joint_move_text(
    space: StateSpace,
    coalition: Sequence[str],
    state: int,
    target: int,
    concepts: Sequence[str] = ("nash",),
) -> str:
    """A coalition's undeterred joint move from state number ``state`` to
    ``target`` in words, for the concepts under which it breaks ``state``.

    >>> from backchannel.gmcr.analysis import compile_case
    >>> print(joint_move_text(compile_case("elmira"), ["MoE", "UR"], 7, 10))  # doctest: +NORMALIZE_WHITESPACE
    Ministry of the Environment and Uniroyal Chemical can jointly move from state 7 (delay, insist)
    to state 10 (modify, accept, insist): both prefer it; state 7 is not a coalitional equilibrium
    (Nash). The move: Ministry of the Environment takes “Modify the control order”; Uniroyal
    Chemical withdraws “Delay (appeal)” and takes “Accept the control order”.
    """
    conflict = space.conflict
    members = sorted(space.dm_index(m) for m in coalition)
    s, t = state - 1, target - 1
    who = _join([conflict.dm(space.dm_names[d]).text for d in members])
    others = [conflict.dm(space.dm_names[j]).text for j in range(space.n_dms) if j not in members]
    if len(members) == 1:
        head = f"{who} can move from {_state_text(space, s)} to {_state_text(space, t)}: it prefers it"
    else:
        both = _NUMBERS.get(len(members), f"all {len(members)}")
        head = f"{who} can jointly move from {_state_text(space, s)} to {_state_text(space, t)}"
        head += f": {both} prefer it"
    if others and any(c != "nash" for c in concepts):
        them = _join(others)
        make = "makes" if len(others) == 1 else "make"
        do = "does" if len(others) == 1 else "do"
        if len(members) == 1:
            they, remain, all_prefer = "it", "remains", "it prefers"
        else:
            they = _NUMBERS.get(len(members), f"all {len(members)}")
            remain = "remain"
            all_prefer = "they both prefer" if len(members) == 2 else "they all prefer"
        better = f"{they} {remain} better off than at state {state}"
        jointly = "" if len(members) == 1 else " jointly"
        clauses = []
        if "gmr" in concepts:  # GMR sanctions include the SMR and SEQ ones
            clauses.append(f"whatever sequence of moves {them} {make}, {better}")
        else:
            if "smr" in concepts:
                clauses.append(
                    f"whatever {them} {do}, {better} or can move on{jointly} to a state {all_prefer} to it"
                )
            if "seq" in concepts:
                clauses.append(
                    f"whatever sequence of moves {them} {make} that each improve the position of whoever "
                    f"makes them, {better}"
                )
        head += ", and " + "; and ".join(clauses)
    labels = ", ".join(CONCEPT_LABELS[c] for c in COALITION_CONCEPTS if c in concepts)
    changes = _changes_text(space, _changes(space, s, t))
    return f"{head}; state {state} is not a coalitional equilibrium ({labels}). The move: {changes}."


def _breaks(
    space: StateSpace,
    members: tuple[int, ...],
    concept: str,
    imp: Moves,
    undeterred: np.ndarray,
    states: np.ndarray,
) -> list[CoalitionBreak]:
    """The break records of the given states (indices): their undeterred
    coalitional improvements among the pairs of ``imp``."""
    out: list[CoalitionBreak] = []
    names = tuple(space.dm_names[d] for d in members)
    for s in np.unique(states).tolist():
        lo, hi = int(imp.indptr[s]), int(imp.indptr[s + 1])
        tg = imp.targets[lo:hi][undeterred[lo:hi]].astype(np.int64)
        if tg.size == 0:
            continue
        flips = _popcount(space.codes[tg] ^ space.codes[s])
        t = int(tg[int(np.argmin(flips))])  # fewest changes; lowest number among equals (ascending)
        out.append(
            CoalitionBreak(
                concept=concept,
                state=s + 1,
                coalition=names,
                target=t + 1,
                targets=tuple(int(x) + 1 for x in tg),
                changes=_changes(space, s, t),
                text=joint_move_text(space, names, s + 1, t + 1, [concept]),
            )
        )
    return out


def _states_dict(space: StateSpace, states: Sequence[int]) -> dict[str, dict[str, str]]:
    return {
        str(n): {"pattern": space.pattern(n - 1), "description": space.describe(n - 1)}
        for n in sorted(set(states))
    }


def _numbers(mask: Any) -> list[int]:
    return [int(s) + 1 for s in np.flatnonzero(np.asarray(mask))]


@dataclass(frozen=True, eq=False)
class CoalitionResult(Result):
    """Coalitional stability of every state for every coalition of a partition.

    ``stable[concept]`` is a bool array ``(n_coalitions, n_states)``, rows in
    the order of ``partition``; ``individual[concept]`` is the ordinary
    stability ``(n_dms, n_states)`` for comparison.  ``breaks`` explain every
    ordinary equilibrium that is not a coalitional one: a coalition's
    undeterred joint move away from it.
    """

    space: StateSpace
    partition: tuple[tuple[str, ...], ...]
    concepts: tuple[str, ...]
    stable: dict[str, np.ndarray]
    individual: dict[str, np.ndarray]
    breaks: tuple[CoalitionBreak, ...]
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def coalition_names(self) -> list[str]:
        return ["+".join(c) for c in self.partition]

    def coalition_of(self, dm: str) -> tuple[str, ...]:
        """The coalition of the partition that ``dm`` belongs to."""
        self.space.dm_index(dm)
        return next(c for c in self.partition if dm in c)

    def _row(self, who: str | Sequence[str]) -> int:
        key = tuple(sorted([who] if isinstance(who, str) else who, key=self.space.dm_names.index))
        if len(key) == 1:
            key = self.coalition_of(key[0])
        try:
            return self.partition.index(key)
        except ValueError:
            raise KeyError(f"{'+'.join(key)} is not a coalition of the partition") from None

    def stable_states(self, who: str | Sequence[str], concept: str) -> list[int]:
        """State numbers coalitionally stable for a coalition of the partition
        (its members' names, or any one member's name)."""
        return _numbers(self.stable[concept][self._row(who)])

    def is_stable(self, state: int, who: str | Sequence[str], concept: str) -> bool:
        return bool(self.stable[concept][self._row(who), state - 1])

    def equilibria(self, concept: str) -> list[int]:
        """Coalitional equilibria: states stable for every coalition of the partition."""
        return _numbers(self.stable[concept].all(axis=0))

    def individual_equilibria(self, concept: str) -> list[int]:
        """The ordinary equilibria (every decision maker acting alone)."""
        return _numbers(self.individual[concept].all(axis=0))

    def lost(self, concept: str) -> list[int]:
        """Ordinary equilibria that are not coalitional equilibria."""
        return sorted(set(self.individual_equilibria(concept)) - set(self.equilibria(concept)))

    def gained(self, concept: str) -> list[int]:
        """Coalitional equilibria that are not ordinary equilibria."""
        return sorted(set(self.equilibria(concept)) - set(self.individual_equilibria(concept)))

    def dm_stable(self, concept: str) -> np.ndarray:
        """``(n_dms, n_states)``: each decision maker's row is its coalition's."""
        rows = [self._row(dm) for dm in self.space.dm_names]
        return self.stable[concept][rows]

    def to_dict(self) -> dict[str, Any]:
        sp = self.space
        names = self.coalition_names
        mentioned = [b.state for b in self.breaks] + [b.target for b in self.breaks]
        for c in self.concepts:
            mentioned += self.equilibria(c) + self.individual_equilibria(c)
        return {
            "case": sp.conflict.title,
            "concepts": list(self.concepts),
            "partition": [list(c) for c in self.partition],
            "coalitions": [
                {"name": n, "members": list(c), "labels": [sp.conflict.dm(m).text for m in c]}
                for n, c in zip(names, self.partition, strict=True)
            ],
            "n_states": sp.n_states,
            "status_quo": None if sp.status_quo is None else sp.status_quo + 1,
            "stability": {
                n: {c: _numbers(self.stable[c][k]) for c in self.concepts} for k, n in enumerate(names)
            },
            "equilibria": {c: self.equilibria(c) for c in self.concepts},
            "individual_equilibria": {c: self.individual_equilibria(c) for c in self.concepts},
            "lost": {c: self.lost(c) for c in self.concepts},
            "gained": {c: self.gained(c) for c in self.concepts},
            "breaks": [b.to_dict() for b in self.breaks],
            "states": _states_dict(sp, mentioned),
            "meta": meta(sp, "coalition_stability", DEFINITIONS, self.parameters),
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per state: a column ``<coalition>.<concept>`` per coalition
        and concept, ``eq_<concept>`` (coalitional) and ``individual_eq_<concept>``."""
        import pandas as pd

        sp = self.space
        data: dict[str, Any] = {
            "number": np.arange(1, sp.n_states + 1),
            "pattern": sp.patterns(),
            "description": [sp.describe(s) for s in range(sp.n_states)],
        }
        for c in self.concepts:
            for k, n in enumerate(self.coalition_names):
                data[f"{n}.{c}"] = self.stable[c][k]
        for c in self.concepts:
            data[f"eq_{c}"] = self.stable[c].all(axis=0)
            data[f"individual_eq_{c}"] = self.individual[c].all(axis=0)
        return pd.DataFrame(data).set_index("number")


@dataclass(frozen=True, eq=False)
class CoalitionSearchResult(Result):
    """Which coalitions break which ordinary equilibria, and by which joint move.

    ``coalitions`` are those examined (each with every other decision maker
    acting alone); ``equilibria[concept]`` the ordinary equilibria (state
    numbers); ``breaks`` one record per (concept, equilibrium, coalition)
    that breaks it.  ``skipped``: coalitions too large to examine (their
    joint moves reach too many states); an equilibrium reported unbroken may
    still be broken by one of them.
    """

    space: StateSpace
    concepts: tuple[str, ...]
    coalitions: tuple[tuple[str, ...], ...]
    equilibria: dict[str, list[int]]
    breaks: tuple[CoalitionBreak, ...]
    skipped: tuple[tuple[str, ...], ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)

    def breaks_of(self, concept: str, state: int | None = None) -> list[CoalitionBreak]:
        return [b for b in self.breaks if b.concept == concept and (state is None or b.state == state)]

    def broken_by(self, state: int, concept: str) -> list[tuple[str, ...]]:
        """The coalitions that break equilibrium ``state`` under ``concept``."""
        return [b.coalition for b in self.breaks_of(concept, state)]

    def unbroken(self, concept: str) -> list[int]:
        """The equilibria that no coalition breaks (coalitionally stable)."""
        broken = {b.state for b in self.breaks_of(concept)}
        return [e for e in self.equilibria[concept] if e not in broken]

    def to_dict(self) -> dict[str, Any]:
        sp = self.space
        mentioned = [b.state for b in self.breaks] + [b.target for b in self.breaks]
        return {
            "case": sp.conflict.title,
            "concepts": list(self.concepts),
            "coalitions": [list(c) for c in self.coalitions],
            "skipped": [list(c) for c in self.skipped],
            "n_states": sp.n_states,
            "status_quo": None if sp.status_quo is None else sp.status_quo + 1,
            "equilibria": {c: self.equilibria[c] for c in self.concepts},
            "unbroken": {c: self.unbroken(c) for c in self.concepts},
            "broken_by": {
                c: {str(e): ["+".join(h) for h in self.broken_by(e, c)] for e in self.equilibria[c]}
                for c in self.concepts
            },
            "breaks": [b.to_dict() for b in self.breaks],
            "states": _states_dict(sp, mentioned),
            "meta": meta(sp, "coalition_search", DEFINITIONS, self.parameters),
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per break: concept, state, coalition, target, movers, changes, text."""
        import pandas as pd

        rows = [
            {
                "concept": b.concept,
                "state": b.state,
                "coalition": "+".join(b.coalition),
                "target": b.target,
                "targets": ", ".join(map(str, b.targets)),
                "movers": "+".join(b.movers),
                "changes": _changes_text(self.space, b.changes),
                "text": b.text,
            }
            for b in self.breaks
        ]
        cols = ["concept", "state", "coalition", "target", "targets", "movers", "changes", "text"]
        return pd.DataFrame(rows, columns=cols)
