"""Inverse analysis, the conditions: what must hold of the chosen decision
makers' preferences for a state to be stable for every decision maker, as
clauses of alternatives of comparisons (see :mod:`backchannel.gmcr.inverse`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..statespace import StateSpace

# ---------------------------------------------------------------------------
# conditions as data


@dataclass(frozen=True)
class Comparison:
    """Decision maker ``dm`` prefers state ``better`` to ``worse`` (``strict``)
    or likes it at least as much (not strict).  States are indices (number - 1)."""

    dm: int
    better: int
    worse: int
    strict: bool


@dataclass(frozen=True)
class Alternative:
    """One way for a move of the focal decision maker to leave the state stable.

    All ``comparisons`` hold, and (SEQ) the opponents can get from
    ``reach_from`` to ``sanction`` by a legal sequence of improvements.
    ``sanction`` is where the focal decision maker ends up (None: it does not
    want the move at all); ``reply`` is the opponent's simultaneous move (SIM);
    ``path`` an example legal sequence ``(mover, from, to)`` to the sanction;
    ``needs_repeat``: the sanction is reachable only if an opponent moves more
    than once (GMCR+'s rule, one move each, misses it).
    """

    comparisons: tuple[Comparison, ...]
    sanction: int | None = None
    reach_from: int | None = None
    reply: tuple[int, int] | None = None
    path: tuple[tuple[int, int, int], ...] = ()
    needs_repeat: bool = False


@dataclass(frozen=True)
class Clause:
    """The condition that the move ``state -> move`` of ``focal`` leaves the
    state stable: one of the ``alternatives`` holds.  ``status``: ``holds``
    whatever the chosen decision makers prefer, ``fails`` whatever they
    prefer, or ``open``."""

    focal: int
    move: int
    alternatives: tuple[Alternative, ...]
    status: str


# ---------------------------------------------------------------------------
# the problem: its conditions


class _Conditions:
    """The conditions for ``s`` under ``concept``, with the chosen decision
    makers' preferences free, and their evaluation for one class of rankings
    of each chosen decision maker (``cur``)."""

    def __init__(self, space: StateSpace, s: int, concept: str, chosen: Sequence[int]) -> None:
        self.sp = space
        self.s = s
        self.concept = concept
        self.n = space.n_states
        self.m = space.n_dms
        self.chosen = tuple(sorted(set(chosen)))
        self.is_chosen = [d in self.chosen for d in range(self.m)]
        self.pay: list[list[int]] = [space.payoffs[d].tolist() for d in range(self.m)]
        self.codes: list[int] = [int(c) for c in space.codes.tolist()]
        self._moves: dict[tuple[int, int], tuple[int, ...]] = {}
        self._regions: dict[tuple[int, int, bool], dict[int, tuple[tuple[int, int, int], ...]]] = {}
        self.clauses = self._build()
        self.deps: list[frozenset[int]] = []
        self.pairs: dict[int, set[tuple[int, int]]] = {d: set() for d in self.chosen}
        for cl in self.clauses:
            self.deps.append(self._collect(cl) if cl.status == "open" else frozenset())
        self.pair_list = {d: sorted(self.pairs[d]) for d in self.chosen}
        self.bit = {d: {pr: k for k, pr in enumerate(self.pair_list[d])} for d in self.chosen}
        self.star = {d: all(self.s in pr for pr in self.pair_list[d]) for d in self.chosen}
        self.cur: dict[int, int] = {}  # the class (signature) assigned to each chosen DM
        # caches of the counts (counting.py) and of the costs (change.py)
        self._dist: dict[tuple[int, int | None], dict[int, int]] = {}
        self._cost: dict[Any, tuple[int, tuple[int, ...]]] = {}

    # -- moves and reachability -------------------------------------------
    def mv(self, d: int, x: int) -> tuple[int, ...]:
        key = (d, x)
        got = self._moves.get(key)
        if got is None:
            got = tuple(int(t) for t in self.sp.moves[d].of(x).tolist())
            self._moves[key] = got
        return got

    def region(self, i: int, s1: int, once: bool = False) -> dict[int, tuple[tuple[int, int, int], ...]]:
        """States the opponents of ``i`` reach from ``s1`` by legal sequences of
        length ≥ 1 (``once``: each opponent moving at most once), each with a
        shortest sequence ``(mover, from, to)``."""
        key = (i, s1, once)
        got = self._regions.get(key)
        if got is not None:
            return got
        opp = [j for j in range(self.m) if j != i]
        out: dict[int, tuple[tuple[int, int, int], ...]] = {}
        start: tuple[int, Any] = (s1, frozenset() if once else -1)
        paths: dict[tuple[int, Any], tuple[tuple[int, int, int], ...]] = {start: ()}
        queue: deque[tuple[int, Any]] = deque([start])
        while queue:
            node = queue.popleft()
            t, tag = node
            for j in opp:
                if (j in tag) if once else (j == tag):
                    continue
                for u in self.mv(j, t):
                    nxt = (u, tag | {j}) if once else (u, j)
                    if nxt in paths:
                        continue
                    paths[nxt] = (*paths[node], (j, t, u))
                    out.setdefault(u, paths[nxt])
                    queue.append(nxt)
        self._regions[key] = out
        return out

    def reach(
        self, i: int, s1: int, allowed: Callable[[int, int, int], bool]
    ) -> dict[int, tuple[tuple[int, int, int], ...]]:
        """States the opponents of ``i`` reach from ``s1`` by legal sequences of
        moves that ``allowed(mover, from, to)`` accepts, with an example path."""
        opp = [j for j in range(self.m) if j != i]
        out: dict[int, tuple[tuple[int, int, int], ...]] = {}
        paths: dict[tuple[int, int], tuple[tuple[int, int, int], ...]] = {(s1, -1): ()}
        queue: deque[tuple[int, int]] = deque([(s1, -1)])
        while queue:
            node = queue.popleft()
            t, last = node
            for j in opp:
                if j == last:
                    continue
                for u in self.mv(j, t):
                    if (u, j) in paths or not allowed(j, t, u):
                        continue
                    paths[(u, j)] = (*paths[node], (j, t, u))
                    out.setdefault(u, paths[(u, j)])
                    queue.append((u, j))
        return out

    # -- building the conditions ------------------------------------------
    def _fixed(self, c: Comparison) -> bool | None:
        """Truth of a comparison that does not depend on the chosen DMs (else None)."""
        if c.better == c.worse:
            return not c.strict
        if self.is_chosen[c.dm]:
            return None
        p = self.pay[c.dm]
        return p[c.better] > p[c.worse] if c.strict else p[c.better] >= p[c.worse]

    def _build(self) -> tuple[Clause, ...]:
        s, concept = self.s, self.concept
        out: list[Clause] = []
        for i in range(self.m):
            for s1 in self.mv(i, s):
                alts = [Alternative((Comparison(i, s, s1, False),))]
                if concept in ("gmr", "smr", "seq"):
                    reg = self.region(i, s1)
                    once = set(self.region(i, s1, once=True)) if self.m >= 3 else set(reg)
                    reach_from: int | None = None
                    if concept == "seq":
                        opp_chosen = any(self.is_chosen[j] for j in range(self.m) if j != i)
                        if opp_chosen:  # the chosen may move any way, the others only to improve
                            reg = self.reach(i, s1, self._optimistic)
                            reach_from = s1
                        else:
                            reg = self.reach(i, s1, self._improves)
                    for s2 in sorted(reg):
                        comps = [Comparison(i, s, s2, False)]
                        if concept == "smr":
                            comps += [Comparison(i, s, s3, False) for s3 in self.mv(i, s2)]
                        alts.append(
                            Alternative(
                                tuple(comps),
                                sanction=s2,
                                reach_from=reach_from,
                                path=reg[s2],
                                needs_repeat=s2 not in once,
                            )
                        )
                elif concept == "sim":
                    for j in range(self.m):
                        if j == i:
                            continue
                        for s2 in self.mv(j, s):
                            code = self.codes[s1] ^ self.codes[s2] ^ self.codes[s]
                            c = int(self.sp.index_of(code))
                            if c < 0:
                                continue
                            alts.append(
                                Alternative(
                                    (Comparison(j, s2, s, True), Comparison(i, s, c, False)),
                                    sanction=c,
                                    reply=(j, s2),
                                )
                            )
                out.append(self._simplify(Clause(i, s1, tuple(alts), "open")))
        return tuple(out)

    def _improves(self, j: int, a: int, b: int) -> bool:
        return self.pay[j][b] > self.pay[j][a]

    def _optimistic(self, j: int, a: int, b: int) -> bool:
        return self.is_chosen[j] or self.pay[j][b] > self.pay[j][a]

    def _simplify(self, clause: Clause) -> Clause:
        alts: list[Alternative] = []
        for alt in clause.alternatives:
            keep: list[Comparison] = []
            ok = True
            for c in alt.comparisons:
                v = self._fixed(c)
                if v is None:
                    keep.append(c)
                elif not v:
                    ok = False
                    break
            if ok:
                alts.append(replace(alt, comparisons=tuple(dict.fromkeys(keep))))
        # an alternative asking for more than another (same reach) is redundant
        sets = [set(a.comparisons) for a in alts]
        kept: list[Alternative] = []
        for a, sa in zip(alts, sets, strict=True):
            dominated = any(
                b is not a
                and (b.reach_from is None or (b.reach_from, b.sanction) == (a.reach_from, a.sanction))
                and sb < sa
                for b, sb in zip(alts, sets, strict=True)
            )
            if not dominated:
                kept.append(a)
        if any(not a.comparisons and a.reach_from is None for a in kept):
            status = "holds"
        elif not kept:
            status = "fails"
        else:
            status = "open"
        return replace(clause, alternatives=tuple(kept), status=status)

    def _collect(self, cl: Clause) -> frozenset[int]:
        """The chosen DMs an open clause depends on; records their relevant pairs."""
        deps: set[int] = set()
        for alt in cl.alternatives:
            for c in alt.comparisons:
                deps.add(c.dm)
                self.pairs[c.dm].add((min(c.better, c.worse), max(c.better, c.worse)))
            if alt.reach_from is not None:
                area = {alt.reach_from, *self.region(cl.focal, alt.reach_from)}
                for j in range(self.m):
                    if j == cl.focal or not self.is_chosen[j]:
                        continue
                    for u in area:
                        for v in self.mv(j, u):
                            deps.add(j)
                            self.pairs[j].add((min(u, v), max(u, v)))
        return frozenset(deps)

    # -- evaluation --------------------------------------------------------
    def cmp(self, d: int, a: int, b: int) -> int:
        """+1 if ``d`` prefers ``a`` to ``b``, -1 the reverse, 0 equal."""
        if a == b:
            return 0
        if self.is_chosen[d]:
            lo, hi = (a, b) if a < b else (b, a)
            lo_first = self.cur[d] >> self.bit[d][(lo, hi)] & 1
            return 1 if (a == lo) == bool(lo_first) else -1
        p = self.pay[d]
        return (p[a] > p[b]) - (p[a] < p[b])

    def holds(self, cl: Clause) -> bool:
        reached: set[int] | None = None
        for alt in cl.alternatives:
            if all(
                (self.cmp(c.dm, c.better, c.worse) > 0)
                if c.strict
                else (self.cmp(c.dm, c.better, c.worse) >= 0)
                for c in alt.comparisons
            ):
                if alt.reach_from is None:
                    return True
                if reached is None:
                    reached = set(self.reach(cl.focal, alt.reach_from, lambda j, a, b: self.cmp(j, b, a) > 0))
                if alt.sanction in reached:
                    return True
        return False
