"""Limited-move stability ``L_h`` and non-myopic stability (two decision makers).

Definitions (Kilgour 1985, "Anticipation and stability in two-person
non-cooperative games", in Luterbacher & Ward (eds), *Dynamic Models of
International Conflict*, Lynne Rienner; Kilgour, Hipel & Fang 1987, "The graph
model for conflicts", *Automatica* 23(1), 41–55; Fang, Hipel & Kilgour 1989,
"Conflict models in graph form: solution concepts and their
interrelationships", *EJOR* 41, 86–100; Fang, Hipel & Kilgour 1993,
*Interactive Decision Making*, Wiley; after Zagare 1984, "Limited-move
equilibria in 2×2 games", *Theory and Decision* 16).  With decision makers ``i`` and ``j``,
``R_i(s)`` the unilateral moves of ``i`` from ``s`` and ``>_i`` its strict
preference, the *anticipated state* ``G_h(i, s)`` — where play ends if ``i``
is to move at ``s`` and ``h`` moves remain, the decision makers alternating —
is defined recursively:

* ``G_0(i, s) = s``;
* ``M_h(i, s) = {s1 ∈ R_i(s) : G_{h-1}(j, s1) >_i s}``: the moves after which
  ``i`` anticipates ending in a state it prefers to ``s``;
* ``G_h(i, s) = s`` if ``M_h(i, s)`` is empty, and otherwise
  ``G_{h-1}(j, s*)`` for an ``s* ∈ M_h(i, s)`` whose anticipated state ``i``
  prefers most.

``s`` is **L_h stable** for ``i`` iff ``G_h(i, s) = s``: the focal decision
maker moves first, and foresees ``h`` moves in all (its own included).
``L_1`` is Nash stability (immediate from the definition).  ``G_h`` is a function of ``G_{h-1}`` on a finite
set, so the sequence ``(G_h)`` is eventually periodic in ``h``; ``s`` is
**non-myopically (NM) stable** for ``i`` iff ``G_h(i, s) = s`` for every
sufficiently large ``h`` — the limit of ``L_h`` stability as ``h → ∞``
(Kilgour 1985; Brams & Wittman 1981 defined nonmyopic equilibria for 2×2
games).  Where ``G_h(i, s)`` keeps cycling with ``h`` the state is not NM
stable; the result reports the cycle.

Ties.  The definition picks ``i``'s most preferred anticipated state; when
several different states tie for it, the choice can matter to ``j`` one level
up.  Backchannel then takes the one with the lowest state number and marks
every verdict that depends on such a choice (``tie_dependent``): a conservative
flag, set when a tie was broken anywhere below.  Strict preferences — as in
the 2×2 games of the literature — never raise it.

Implementation: all states and both decision makers at once, one vectorised
pass over the CSR move arrays per horizon (O(h · moves)).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..case.model import Conflict
from ..case.results import Result, meta
from ..errors import AnalysisRefused, BackchannelError
from .statespace import Moves, StateSpace

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LimitedMoveResult", "anticipation", "limited_move"]

_INF = np.iinfo(np.int32).max
_NEG = np.iinfo(np.int32).min

#: Horizons tried, at most, to find where ``G_h`` becomes periodic.
DEFAULT_NM_LIMIT = 10_000

_DEFINITIONS = (
    "Limited-move stability L_h and non-myopic stability (Kilgour 1985; Kilgour, Hipel & Fang 1987; "
    "Fang, Hipel & Kilgour 1993): anticipated state G_h(i,s) over alternating moves, focal DM first; "
    "ties between anticipated states broken by lowest state number and flagged"
)


def _segment(values: np.ndarray, indptr: np.ndarray, ufunc: np.ufunc, empty: int) -> np.ndarray:
    """``ufunc``-reduce ``values`` (int32) over CSR rows; ``empty`` for empty rows."""
    n = len(indptr) - 1
    out = np.full(n, empty, dtype=np.int32)
    nonempty = indptr[1:] > indptr[:-1]
    if values.size and nonempty.any():
        out[nonempty] = ufunc.reduceat(values, indptr[:-1][nonempty])
    return out


def _level(
    moves: Moves, pay: np.ndarray, prev: np.ndarray, prev_tie: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``G_h(i, ·)`` and its tie flags from ``G_{h-1}(j, ·)`` (``prev``) and ``j``'s flags.

    For every move ``s → s1`` of ``i``: the anticipated state ``G_{h-1}(j, s1)``
    and its value to ``i``; per source, the best value among the moves that
    beat staying, and the lowest (and highest) anticipated state achieving it.
    """
    n = pay.size
    src, tgt, indptr = moves.sources, moves.targets, moves.indptr
    out = prev[tgt]  # anticipated state after each move (int32)
    v = pay[out]
    ok = v > pay[src]
    best = _segment(np.where(ok, v, _NEG), indptr, np.maximum, _NEG)
    move = best > _NEG
    choose = ok & (v == best[src])
    lo = _segment(np.where(choose, out, _INF), indptr, np.minimum, _INF)
    hi = _segment(np.where(choose, out, -1), indptr, np.maximum, -1)
    g = np.where(move, lo, np.arange(n, dtype=np.int32))
    tie = move & (lo != hi)
    if prev_tie.any():
        tie |= _segment(prev_tie[tgt].astype(np.int32), indptr, np.maximum, 0) > 0
    return g, tie


class _Horizons:
    """Iterates ``(G_h, ties)`` for ``h = 0, 1, 2, …`` for both decision makers."""

    def __init__(self, space: StateSpace) -> None:
        n = space.n_states
        self.moves = space.moves
        self.pay = space.payoffs.astype(np.int32)
        self.h = 0
        self.g = [np.arange(n, dtype=np.int32), np.arange(n, dtype=np.int32)]
        self.tie = [np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)]

    def step(self) -> None:
        nxt = [_level(self.moves[i], self.pay[i], self.g[1 - i], self.tie[1 - i]) for i in (0, 1)]
        self.g = [x[0] for x in nxt]
        self.tie = [x[1] for x in nxt]
        self.h += 1

    def digest(self) -> bytes:
        hsh = hashlib.blake2b(digest_size=20)
        for a in (*self.g, *self.tie):
            hsh.update(np.ascontiguousarray(a).tobytes())
        return hsh.digest()


def anticipation(space: StateSpace, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """``G_h(i, s)`` for ``h = 1..horizon``: an int32 array ``(horizon, 2, n_states)``
    of state indices, and the tie flags of the same shape."""
    _check(space)
    if horizon < 1:
        raise BackchannelError("the horizon is at least 1")
    n = space.n_states
    g = np.empty((horizon, 2, n), dtype=np.int32)
    tie = np.zeros((horizon, 2, n), dtype=bool)
    it = _Horizons(space)
    for h in range(horizon):
        it.step()
        g[h] = it.g
        tie[h] = it.tie
    return g, tie


def _check(space: StateSpace) -> None:
    if space.n_dms != 2:
        raise AnalysisRefused(
            f"limited-move and non-myopic stability are defined for two decision makers; "
            f"this conflict has {space.n_dms} ({', '.join(space.dm_names)})"
        )


@dataclass(frozen=True, eq=False)
class LimitedMoveResult(Result):
    """``L_h`` stability for ``h = 1..horizon`` and non-myopic stability.

    ``anticipated[h-1, i, s]`` is ``G_h(i, s)`` (a state index) and
    ``stable[h-1, i, s]`` whether ``s`` is ``L_h`` stable for decision maker
    ``i``; ``tie_dependent`` flags verdicts that depend on how ties between
    anticipated states were broken.  ``nm_stable`` is ``(2, n_states)``, or
    None when no period was found within ``nm_limit`` horizons; ``G_h`` is
    periodic in ``h`` from ``cycle_start`` with period ``cycle_length``.
    """

    space: StateSpace
    horizon: int
    anticipated: np.ndarray  # int32 (H, 2, n)
    stable: np.ndarray  # bool (H, 2, n)
    tie_dependent: np.ndarray  # bool (H, 2, n)
    nm_stable: np.ndarray | None  # bool (2, n)
    nm_tie_dependent: np.ndarray | None
    nm_anticipated: np.ndarray | None  # int32 (2, n): lim G_h where it exists, else -1
    cycle_start: int | None
    cycle_length: int | None
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def dm_names(self) -> tuple[str, ...]:
        return self.space.dm_names

    def _h(self, h: int | None) -> int:
        h = self.horizon if h is None else h
        if not 1 <= h <= self.horizon:
            raise ValueError(f"horizon {h} not computed: 1 to {self.horizon}")
        return h - 1

    def equilibria(self, h: int | None = None) -> list[int]:
        """``L_h`` equilibria (state numbers; default ``h``: the horizon asked)."""
        return [int(s) + 1 for s in np.flatnonzero(self.stable[self._h(h)].all(axis=0))]

    def stable_states(self, dm: str, h: int | None = None) -> list[int]:
        d = self.space.dm_index(dm)
        return [int(s) + 1 for s in np.flatnonzero(self.stable[self._h(h), d])]

    def anticipated_state(self, dm: str, state: int, h: int | None = None) -> int:
        """``G_h(dm, state)`` as a state number."""
        return int(self.anticipated[self._h(h), self.space.dm_index(dm), state - 1]) + 1

    def nm_equilibria(self) -> list[int] | None:
        if self.nm_stable is None:
            return None
        return [int(s) + 1 for s in np.flatnonzero(self.nm_stable.all(axis=0))]

    def nm_stable_states(self, dm: str) -> list[int] | None:
        if self.nm_stable is None:
            return None
        return [int(s) + 1 for s in np.flatnonzero(self.nm_stable[self.space.dm_index(dm)])]

    def to_dict(self) -> dict[str, Any]:
        sp = self.space
        n = sp.n_states
        states = []
        for s in range(n):
            row: dict[str, Any] = {
                "number": s + 1,
                "pattern": sp.pattern(s),
                "description": sp.describe(s),
                "limited_move": {
                    dm: {
                        str(h + 1): {
                            "stable": bool(self.stable[h, d, s]),
                            "anticipated": int(self.anticipated[h, d, s]) + 1,
                            "tie_dependent": bool(self.tie_dependent[h, d, s]),
                        }
                        for h in range(self.horizon)
                    }
                    for d, dm in enumerate(sp.dm_names)
                },
            }
            if self.nm_stable is not None:
                assert self.nm_anticipated is not None and self.nm_tie_dependent is not None
                row["nonmyopic"] = {
                    dm: {
                        "stable": bool(self.nm_stable[d, s]),
                        "anticipated": (
                            int(self.nm_anticipated[d, s]) + 1 if self.nm_anticipated[d, s] >= 0 else None
                        ),
                        "tie_dependent": bool(self.nm_tie_dependent[d, s]),
                    }
                    for d, dm in enumerate(sp.dm_names)
                }
            states.append(row)
        return {
            "case": sp.conflict.title,
            "decision_makers": list(sp.dm_names),
            "horizon": self.horizon,
            "n_states": n,
            "states": states,
            "equilibria": {
                "limited_move": {str(h): self.equilibria(h) for h in range(1, self.horizon + 1)},
                "nonmyopic": self.nm_equilibria(),
            },
            "stability": {
                dm: {
                    "limited_move": {str(h): self.stable_states(dm, h) for h in range(1, self.horizon + 1)},
                    "nonmyopic": self.nm_stable_states(dm),
                }
                for dm in sp.dm_names
            },
            "cycle": (
                None if self.cycle_start is None else {"start": self.cycle_start, "length": self.cycle_length}
            ),
            "meta": meta(sp, "limited-move", _DEFINITIONS, self.parameters),
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per state: ``<dm>.L<h>`` stability columns, ``<dm>.NM``,
        ``eq_L<h>`` and ``eq_NM``."""
        import pandas as pd

        sp = self.space
        data: dict[str, Any] = {
            "number": np.arange(1, sp.n_states + 1),
            "pattern": sp.patterns(),
            "description": [sp.describe(s) for s in range(sp.n_states)],
        }
        for d, dm in enumerate(sp.dm_names):
            for h in range(self.horizon):
                data[f"{dm}.L{h + 1}"] = self.stable[h, d]
            if self.nm_stable is not None:
                data[f"{dm}.NM"] = self.nm_stable[d]
        for h in range(self.horizon):
            data[f"eq_L{h + 1}"] = self.stable[h].all(axis=0)
        if self.nm_stable is not None:
            data["eq_NM"] = self.nm_stable.all(axis=0)
        return pd.DataFrame(data).set_index("number")


def limited_move(
    model: StateSpace | Conflict | str | Path,
    horizon: int = 2,
    *,
    nonmyopic: bool = True,
    nm_limit: int = DEFAULT_NM_LIMIT,
) -> LimitedMoveResult:
    """``L_h`` stability for ``h = 1..horizon`` and (with ``nonmyopic``) NM stability.

    ``model`` is a compiled :class:`StateSpace`, a :class:`Conflict`, or a
    case file path / bundled case name.  Only for conflicts with exactly two
    decision makers (:class:`~backchannel.errors.AnalysisRefused` otherwise).
    NM stability needs the horizon from which ``G_h`` repeats; if none is
    found within ``nm_limit`` horizons, ``nm_stable`` is None.

    >>> r = limited_move("prisoners-dilemma", horizon=3)
    >>> r.equilibria(1), r.equilibria(2), r.nm_equilibria()
    ([1], [1, 4], [1, 4])
    """
    from .analysis import as_space

    space = as_space(model)
    _check(space)
    if horizon < 1:
        raise BackchannelError("the horizon is at least 1")
    n = space.n_states
    idx = np.arange(n)
    g = np.empty((horizon, 2, n), dtype=np.int32)
    tie = np.zeros((horizon, 2, n), dtype=bool)
    it = _Horizons(space)
    seen: dict[bytes, int] = {}
    first_seen: int | None = None  # a horizon whose (G, ties) recurs
    cycle_length = None
    while True:
        if nonmyopic and cycle_length is None and it.h <= nm_limit:
            key = it.digest()
            if key in seen:
                first_seen = seen[key]
                cycle_length = it.h - first_seen
            else:
                seen[key] = it.h
        searching = nonmyopic and cycle_length is None and it.h < nm_limit
        if it.h >= horizon and not searching:
            break
        it.step()
        if it.h <= horizon:
            g[it.h - 1] = it.g
            tie[it.h - 1] = it.tie
    stable = g == idx[None, None, :]

    nm_stable = nm_tie = nm_g = None
    cycle_start = None
    if cycle_length is not None:
        assert first_seen is not None
        cycle_start = max(first_seen, 1)
        # it.h ≥ first_seen: one period from here visits every horizon of the
        # cycle (all ≥ 1, since G_0 recurring means G_p = G_0 at h = p ≥ 1)
        nm_stable = np.ones((2, n), dtype=bool)
        nm_tie = np.zeros((2, n), dtype=bool)
        first = np.stack(it.g)
        constant = np.ones((2, n), dtype=bool)
        for _ in range(cycle_length):
            for i in (0, 1):
                nm_stable[i] &= it.g[i] == idx
                nm_tie[i] |= it.tie[i]
                constant[i] &= it.g[i] == first[i]
            it.step()
        nm_g = np.where(constant, first, -1)
    return LimitedMoveResult(
        space=space,
        horizon=horizon,
        anticipated=g,
        stable=stable,
        tie_dependent=tie,
        nm_stable=nm_stable,
        nm_tie_dependent=nm_tie,
        nm_anticipated=nm_g,
        cycle_start=cycle_start,
        cycle_length=cycle_length,
        parameters={"horizon": horizon, "nonmyopic": nonmyopic, "nm_limit": nm_limit},
    )
