"""Inverse analysis: which preferences make a desired state an equilibrium.

Given a state ``s`` and a solution concept, a mediator asks three questions
about the preferences of some decision makers (the *chosen* ones; the others
keep their current preferences):

1. **Conditions** — what must hold of their preferences for ``s`` to be an
   equilibrium (stable for every decision maker)?
2. **Counts** — of all their strict rankings (or of those within a *window*
   around the current ones), how many make ``s`` an equilibrium?
3. **Smallest change** — which change to the current rankings, counted in
   pairs of states whose order is reversed, makes ``s`` an equilibrium?

This is the *inverse* approach to the graph model (Kinsara 2015, PhD thesis,
University of Waterloo, ch. 5, "inverse preference structures" Nash IPS, GMR
IPS, SMR IPS, SEQ IPS; Kinsara, Kilgour & Hipel 2015, "Inverse approach to the
graph model for conflict resolution", *IEEE Trans. Systems, Man, and
Cybernetics: Systems* 45(5), 734–742; implemented with preference "vary
ranges" in GMCR+, Kinsara, Petersons, Hipel & Kilgour 2015, *J. Decision
Systems* 24(2), 117–145, public code ``onp/gmcr-py``, ``InverseSolver``).

Conditions
----------
Stability of ``s`` for a focal decision maker ``i`` is a conjunction, over
every unilateral move ``s -> s1`` of ``i`` (whether or not it is an
improvement under the current preferences), of a *clause*: a disjunction of
*alternatives*, each a conjunction of preference comparisons.  With ``⪰_i``
"likes at least as much" and the definitions of :mod:`backchannel.gmcr.engine`:

* **Nash**: ``s ⪰_i s1``.
* **GMR**: ``s ⪰_i s1``, or ``s ⪰_i s2`` for some ``s2 ∈ R_{N-i}(s1)``.
* **SMR**: ``s ⪰_i s1``, or for some ``s2 ∈ R_{N-i}(s1)``: ``s ⪰_i s2`` and
  ``s ⪰_i s3`` for every ``s3 ∈ R_i(s2)``.
* **SEQ**: ``s ⪰_i s1``, or ``s ⪰_i s2`` for some ``s2`` that the opponents
  reach from ``s1`` by a legal sequence of unilateral *improvements* (each
  step preferred by its mover, strictly).
* **SIM**: ``s ⪰_i s1``, or some opponent ``j`` has an improvement ``s -> s2``
  (``s2 ≻_j s``) and the state combining both moves, ``c``, is feasible with
  ``s ⪰_i c``.

``R_{N-i}(s1)`` is the set of states the opponents reach by *legal
sequences*: any length, no decision maker twice in a row, any of them again
later (as in the engine).  GMCR+ lets each opponent move at most once, which
with three or more decision makers misses sanctions and gives different
conditions and counts; alternatives reachable only when an opponent moves
twice are flagged ``needs_repeat``.

Comparisons about decision makers who are not chosen are evaluated with their
current preferences: a clause then *holds* (whatever the chosen decision
makers prefer), *fails* (nothing they prefer can save it), or stays *open*.

Counts
------
Counts are over **strict** rankings (linear orders of the feasible states;
Kinsara 2015 counts ``(m!)^n`` profiles likewise), for each chosen decision
maker independently, the others fixed:

* ``window=None``: all ``m!`` rankings of the ``m`` feasible states;
* ``window=k``: the rankings in which every state is at most ``k`` places
  from its place in the current ranking (ties in the current ranking broken
  by state number).  GMCR+'s "vary range" — a contiguous block of the ranking
  permuted freely — is a different shape of window.

Nothing is enumerated ranking by ranking.  A ranking matters only through
the comparisons that the conditions mention (for Nash, GMR, SMR and SIM all
of the form "``x`` above or below ``s``"; for SEQ also the order of the
endpoints of opponents' moves), so rankings fall into *classes* by those
comparisons.  The number of rankings in each class is computed exactly: in
closed form for all rankings (the relative order of the relevant states is
uniform: a class of above-sets ``U`` of the relevant set ``R`` has
``m! |U|! (|R|-|U|)! / (|R|+1)!`` rankings), by inclusion–exclusion over the
moves when every alternative is a single comparison (Nash, GMR), and by a
dynamic programme over positions for windows.  Classes are then combined
only across decision makers whose conditions interact (SEQ and SIM), with
early rejection.  Past fixed limits the count is refused
(:class:`~backchannel.errors.AnalysisRefused`) rather than approximated.

Smallest change
---------------
The distance between the current and a new ranking of one decision maker is
the number of pairs of states it ranks strictly one way now and the other way
after (Kendall's distance; the number of adjacent swaps).  Breaking a current
tie costs nothing.  The smallest change is the least total distance, over the
chosen decision makers, to strict rankings that make ``s`` an equilibrium —
among *all* rankings, whatever the window.  For Nash, GMR, SMR and SIM it is
found by choosing one alternative per clause (branch and bound; the cost of a
set of "above/below ``s``" requirements is computed exactly by a dynamic
programme over the current ranking's levels); for SEQ by a search over the
classes with exact costs.  Each change is stated pair by pair: "if Syria came
to prefer state 2 (…) to state 1 (…)".
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..case.results import Result, meta
from ..errors import AnalysisRefused, BackchannelError
from .engine import CONCEPTS, stability_matrix
from .statespace import StateSpace

if TYPE_CHECKING:
    import pandas as pd

    from ..case.model import Conflict

__all__ = [
    "Alternative",
    "Change",
    "Clause",
    "Comparison",
    "InverseResult",
    "inverse",
]

#: Classes of rankings kept for one decision maker.
MAX_CLASSES = 1 << 18
#: States of one dynamic programme (counting in a window, or costs).
MAX_DP_STATES = 1 << 21
#: Combinations of classes examined (counts), or search nodes (smallest change).
MAX_EVALUATIONS = 1 << 18
#: Moves of one decision maker handled by inclusion–exclusion.
MAX_IE_CLAUSES = 16
#: Optimal changes reported.
MAX_ALTERNATIVES = 5

_DEFINITIONS = (
    "Inverse graph model (Kinsara 2015; Kinsara, Kilgour & Hipel 2015): conditions on the chosen "
    "decision makers' preferences for the state to be stable for every decision maker, under Nash, GMR, "
    "SMR, SEQ or SIM as in Fang, Hipel & Kilgour (1993), opponents moving by legal sequences; counts over "
    "strict rankings (within a window of the current ones); smallest change in Kendall distance"
)


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


@dataclass(frozen=True)
class Change:
    """A new strict ranking for decision maker ``dm`` (state indices, best
    first), ``distance`` pairs from its current one; ``reversals`` lists the
    pairs ``(now_preferred, now_less_preferred)`` whose order it reverses."""

    dm: int
    ranking: tuple[int, ...]
    distance: int
    reversals: tuple[tuple[int, int], ...]


# ---------------------------------------------------------------------------
# the problem


class _Problem:
    """The conditions for ``s`` under ``concept``, with the chosen decision
    makers' preferences free; counting and the smallest change."""

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

    # -- classes of rankings -------------------------------------------------
    def current_order(self, d: int) -> list[int]:
        p = self.pay[d]
        return sorted(range(self.n), key=lambda x: (-p[x], x))

    def total(self, d: int, window: int | None) -> int:
        if window is None or window >= self.n - 1:
            return math.factorial(self.n)
        return sum(self._band(d, window, []).values())

    def distribution(self, d: int, window: int | None) -> dict[int, int]:
        """Number of rankings of ``d`` (all, or within the window) in each class."""
        if window is not None and window >= self.n - 1:
            window = None
        key = (d, window)
        got = self._dist.get(key)
        if got is None:
            pairs = self.pair_list[d]
            if window is not None:
                got = self._band(d, window, pairs)
            elif self.star[d]:
                got = self._star_all(d)
            else:
                got = self._subsets_all(d)
            self._dist[key] = got
        return got

    def _refuse(self, d: int, what: str) -> AnalysisRefused:
        return AnalysisRefused(
            f"counting exactly would need more than {what} for {self.sp.dm_names[d]!r} "
            f"({len(self.pair_list[d])} comparisons matter); give a window (--window K), "
            "fewer decision makers (--dm) or another concept"
        )

    def _star_all(self, d: int) -> dict[int, int]:
        s = self.s
        rel = sorted({x for pr in self.pair_list[d] for x in pr if x != s})
        r = len(rel)
        if 1 << r > MAX_CLASSES:
            raise self._refuse(d, f"{MAX_CLASSES:,} classes")
        nf = math.factorial(self.n) // math.factorial(r + 1)
        fact = [math.factorial(k) for k in range(r + 1)]
        bits = self.bit[d]
        above_bit = [bits[(min(s, x), max(s, x))] for x in rel]
        lo_is_x = [x < s for x in rel]
        out: dict[int, int] = {}
        for mask in range(1 << r):
            sig = 0
            a = 0
            for t in range(r):
                up = mask >> t & 1
                a += up
                # bit set iff the smaller-numbered state is above the other
                if bool(up) == lo_is_x[t]:
                    sig |= 1 << above_bit[t]
            out[sig] = out.get(sig, 0) + nf * fact[a] * fact[r - a]
        return out

    def _subsets_all(self, d: int) -> dict[int, int]:
        pairs = self.pair_list[d]
        verts = sorted({x for pr in pairs for x in pr})
        if 1 << len(verts) > MAX_DP_STATES:  # every subset of them is a state of the programme
            raise self._refuse(d, f"{MAX_DP_STATES:,} partial orders")
        vi = {x: k for k, x in enumerate(verts)}
        lo_pairs: list[list[tuple[int, int]]] = [[] for _ in verts]
        for b, (lo, hi) in enumerate(pairs):
            lo_pairs[vi[lo]].append((vi[hi], b))
        dp: dict[tuple[int, int], int] = {(0, 0): 1}
        for _ in verts:
            new: dict[tuple[int, int], int] = defaultdict(int)
            for (placed, sig), cnt in dp.items():
                for x in range(len(verts)):
                    if placed >> x & 1:
                        continue
                    sig2 = sig
                    for y, b in lo_pairs[x]:
                        if not placed >> y & 1:
                            sig2 |= 1 << b
                    new[(placed | 1 << x, sig2)] += cnt
            if len(new) > MAX_DP_STATES:
                raise self._refuse(d, f"{MAX_DP_STATES:,} partial orders")
            dp = new
        scale = math.factorial(self.n) // math.factorial(len(verts))
        out: dict[int, int] = defaultdict(int)
        for (_, sig), cnt in dp.items():
            out[sig] += cnt * scale
        return dict(out)

    def _band(self, d: int, k: int, pairs: Sequence[tuple[int, int]]) -> dict[int, int]:
        """Rankings with every state at most ``k`` places from its current place,
        by class: a dynamic programme over positions, remembering which of the
        ``2k+1`` states around the position are placed."""
        n = self.n
        order = self.current_order(d)
        pos0 = {x: q for q, x in enumerate(order)}
        lo_pairs: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for b, (lo, hi) in enumerate(pairs):
            lo_pairs[lo].append((hi, b))
        w = 2 * k + 1
        mask0 = 0
        for t in range(w):
            q = t - k
            if q < 0 or q >= n:
                mask0 |= 1 << t
        dp: dict[tuple[int, int], int] = {(mask0, 0): 1}
        for p in range(n):
            base = p - k
            new: dict[tuple[int, int], int] = defaultdict(int)
            for (mask, sig), cnt in dp.items():
                for t in range(w):
                    if mask >> t & 1:
                        continue
                    nm = mask | 1 << t
                    if not nm & 1:
                        continue  # the state k places above would be left behind
                    x = order[base + t]
                    sig2 = sig
                    for y, b in lo_pairs.get(x, ()):
                        qy = pos0[y]
                        if qy > p + k:
                            placed = False
                        elif qy < base:
                            placed = True
                        else:
                            placed = bool(mask >> (qy - base) & 1)
                        if not placed:
                            sig2 |= 1 << b
                    nxt = nm >> 1
                    if p + 1 + k >= n:
                        nxt |= 1 << (w - 1)
                    new[(nxt, sig2)] += cnt
            if len(new) > MAX_DP_STATES:
                raise self._refuse(d, f"{MAX_DP_STATES:,} states of the window's dynamic programme")
            dp = new
        out: dict[int, int] = defaultdict(int)
        for (_, sig), cnt in dp.items():
            out[sig] += cnt
        return dict(out)

    # -- counting ----------------------------------------------------------
    def components(self) -> list[list[int]]:
        """Chosen DMs linked by open clauses, each with the clauses among them."""
        parent = {d: d for d in self.chosen}

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for deps in self.deps:
            ds = sorted(deps)
            for a in ds[1:]:
                parent[find(a)] = find(ds[0])
        groups: dict[int, list[int]] = defaultdict(list)
        used = {d for deps in self.deps for d in deps}
        for d in self.chosen:
            if d in used:
                groups[find(d)].append(d)
        return list(groups.values())

    def count(self, window: int | None) -> tuple[int, int, dict[int, int], dict[int, int]]:
        """(profiles making ``s`` an equilibrium, profiles in all, per chosen DM:
        rankings in the window, and — for a DM whose conditions involve no other
        chosen DM — how many of them satisfy its conditions)."""
        totals = {d: self.total(d, window) for d in self.chosen}
        profiles = math.prod(totals.values()) if totals else 1
        own: dict[int, int] = {}
        if any(cl.status == "fails" for cl in self.clauses):
            return 0, profiles, totals, {d: 0 for d in self.chosen}
        count = 1
        in_comp: set[int] = set()
        for comp in self.components():
            in_comp.update(comp)
            clauses = [k for k, deps in enumerate(self.deps) if deps and deps <= set(comp)]
            c = self._count_component(comp, clauses, window)
            count *= c
            if len(comp) == 1:
                own[comp[0]] = c
        for d in self.chosen:
            if d not in in_comp:
                count *= totals[d]
                own[d] = totals[d]
        return count, profiles, totals, own

    def _ie_sets(self, d: int, clauses: Sequence[int]) -> list[frozenset[int]] | None:
        """For conditions of the form "some state of each set is below ``s``"
        (Nash, GMR), the sets; else None."""
        sets: list[frozenset[int]] = []
        for k in clauses:
            xs: set[int] = set()
            for alt in self.clauses[k].alternatives:
                if alt.reach_from is not None or len(alt.comparisons) != 1:
                    return None
                c = alt.comparisons[0]
                if c.dm != d or c.better != self.s:
                    return None
                xs.add(c.worse)
            sets.append(frozenset(xs))
        minimal = [a for a in set(sets) if not any(b < a for b in sets)]
        return minimal if len(minimal) <= MAX_IE_CLAUSES else None

    def _count_ie(self, sets: list[frozenset[int]]) -> int:
        rel = sorted(set().union(*sets))
        r = len(rel)
        idx = {x: k for k, x in enumerate(rel)}
        masks = [sum(1 << idx[x] for x in st) for st in sets]
        fact = [math.factorial(k) for k in range(r + 1)]
        # g[u]: Σ_b C(r-u, b) b! (r-b)!  — orders of R ∪ {s} with u given states above s
        g = [sum(math.comb(r - u, b) * fact[b] * fact[r - b] for b in range(r - u + 1)) for u in range(r + 1)]
        unions = [0]
        signs = [1]
        for mk in masks:
            unions += [u | mk for u in unions]
            signs += [-sg for sg in signs]
        weighted = sum(sg * g[u.bit_count()] for u, sg in zip(unions, signs, strict=True))
        return math.factorial(self.n) * weighted // math.factorial(r + 1)

    def _count_component(self, comp: list[int], clauses: list[int], window: int | None) -> int:
        if len(comp) == 1 and (window is None or window >= self.n - 1):
            sets = self._ie_sets(comp[0], clauses)
            if sets is not None:
                return self._count_ie(sets)
        dists = {d: self.distribution(d, window) for d in comp}
        order = sorted(comp, key=lambda d: len(dists[d]))
        pos = {d: t for t, d in enumerate(order)}
        at: list[list[Clause]] = [[] for _ in order]
        for k in clauses:
            at[max(pos[d] for d in self.deps[k])].append(self.clauses[k])
        items = [list(dists[d].items()) for d in order]
        budget = [MAX_EVALUATIONS]

        def rec(t: int) -> int:
            if t == len(order):
                return 1
            d = order[t]
            total = 0
            for sig, cnt in items[t]:
                budget[0] -= 1
                if budget[0] < 0:
                    names = ", ".join(self.sp.dm_names[x] for x in order)
                    raise AnalysisRefused(
                        f"counting exactly would examine more than {MAX_EVALUATIONS:,} combinations of "
                        f"the preferences of {names}; give a window (--window K) or fewer decision "
                        "makers (--dm)"
                    )
                self.cur[d] = sig
                if all(self.holds(cl) for cl in at[t]):
                    total += cnt * rec(t + 1)
            return total

        return rec(0)

    # -- the smallest change ----------------------------------------------
    def star_cost(self, d: int, above: frozenset[int], below: frozenset[int]) -> tuple[int, tuple[int, ...]]:
        """Least Kendall distance from ``d``'s current ranking to a strict
        ranking with ``above`` above ``s`` and ``below`` below it; the ranking.

        Every state goes above (A) or below (B) ``s``; a pair costs 1 when it is
        ranked strictly one way now and ends the other way: a B state now
        above ``s``, an A state now below ``s``, a B state now above an A
        state.  A dynamic programme over the current levels (ties together)
        with the number of B states in higher levels; free states of a level
        all go the same way (the cost is concave in how many go below)."""
        key = ("star", d, above, below)
        got = self._cost.get(key)
        if got is not None:
            return got
        s = self.s
        p = self.pay[d]
        ps = p[s]
        levels: dict[int, list[int]] = defaultdict(list)
        for x in range(self.n):
            if x != s:
                levels[p[x]].append(x)
        dp: dict[int, tuple[int, list[tuple[int, bool]]]] = {0: (0, [])}
        # with nothing required above s, every state now no higher than s stays below it
        considered = sorted((v for v in levels if above or v > ps), reverse=True)
        for v in considered:
            group = sorted(levels[v])
            fa = [x for x in group if x in above]
            fb = [x for x in group if x in below]
            free = [x for x in group if x not in above and x not in below]
            new: dict[int, tuple[int, list[tuple[int, bool]]]] = {}
            for c, (cost, hist) in dp.items():
                for free_below in (False, True) if free else (False,):
                    na = len(fa) + (0 if free_below else len(free))
                    nb = len(fb) + (len(free) if free_below else 0)
                    add = na * (c + (1 if ps > v else 0)) + nb * (1 if v > ps else 0)
                    c2 = c + nb
                    cand = cost + add
                    if c2 not in new or cand < new[c2][0]:
                        new[c2] = (cand, [*hist, (v, free_below)])
            dp = new
        cost, hist = min(dp.values(), key=lambda t: t[0])
        goes_below = {v: True for v in levels}
        goes_below.update(hist)
        order = self.current_order(d)
        a_part = [x for x in order if x != s and (x in above or (x not in below and not goes_below[p[x]]))]
        b_part = [x for x in order if x != s and x not in a_part]
        result = (cost, (*a_part, s, *b_part))
        self._cost[key] = result
        return result

    def pair_cost(self, d: int, sig: int) -> tuple[int, tuple[int, ...]]:
        """Least Kendall distance from ``d``'s current ranking to a strict
        ranking in class ``sig``, and the ranking.  The states outside the
        relevant pairs keep their current order (an exchange argument), so a
        dynamic programme over (relevant states placed, others placed)."""
        key = ("pairs", d, sig)
        got = self._cost.get(key)
        if got is not None:
            return got
        p = self.pay[d]
        pairs = self.pair_list[d]
        verts = sorted({x for pr in pairs for x in pr}, key=lambda x: (-p[x], x))
        vi = {x: k for k, x in enumerate(verts)}
        others = [x for x in self.current_order(d) if x not in vi]
        nv, nw = len(verts), len(others)
        if (1 << nv) * (nw + 1) > MAX_DP_STATES:
            raise AnalysisRefused(
                f"finding the smallest change exactly would need more than {MAX_DP_STATES:,} states for "
                f"{self.sp.dm_names[d]!r}; choose fewer decision makers (--dm) or another concept"
            )
        pred = [0] * nv  # relevant states that must come before each
        for b, (lo, hi) in enumerate(pairs):
            first, then = (lo, hi) if sig >> b & 1 else (hi, lo)
            pred[vi[then]] |= 1 << vi[first]
        lower = [sum(1 << vi[y] for y in verts if p[y] < p[x]) for x in verts]
        lower_w = [sum(1 << vi[y] for y in verts if p[y] < p[w]) for w in others]
        # others placed with payoff >= p[x]: W is in current order
        ge = [sum(1 for w in others if p[w] >= p[x]) for x in verts]
        inf = 1 << 60
        best: dict[tuple[int, int], tuple[int, tuple[int, int] | None, int]] = {(0, 0): (0, None, -1)}
        layer = [(0, 0)]
        for _ in range(nv + nw):
            nxt: dict[tuple[int, int], tuple[int, tuple[int, int] | None, int]] = {}
            for st in layer:
                placed, j = st
                cost = best[st][0]
                for x in range(nv):
                    if placed >> x & 1 or pred[x] & ~placed:
                        continue
                    add = (placed & lower[x]).bit_count() + max(0, j - ge[x])
                    ns = (placed | 1 << x, j)
                    if cost + add < nxt.get(ns, (inf,))[0]:
                        nxt[ns] = (cost + add, st, x)
                if j < nw:
                    add = (placed & lower_w[j]).bit_count()
                    ns = (placed, j + 1)
                    if cost + add < nxt.get(ns, (inf,))[0]:
                        nxt[ns] = (cost + add, st, -1)
            best.update(nxt)
            layer = list(nxt)
        end = ((1 << nv) - 1, nw)
        cost = best[end][0]
        seq: list[int] = []
        st2: tuple[int, int] | None = end
        while st2 is not None and st2 != (0, 0):
            _, prev, x = best[st2]
            assert prev is not None
            seq.append(verts[x] if x >= 0 else others[st2[1] - 1])
            st2 = prev
        result = (cost, tuple(reversed(seq)))
        self._cost[key] = result
        return result

    def minimal_change(self) -> tuple[int | None, list[dict[int, tuple[int, tuple[int, ...]]]], str]:
        """(least total distance or None, optimal options {dm: (distance, ranking)}, note)."""
        if any(cl.status == "fails" for cl in self.clauses):
            return None, [], "fails"
        total = 0
        options: list[dict[int, tuple[int, tuple[int, ...]]]] = [{}]
        for comp in self.components():
            clauses = [self.clauses[k] for k, deps in enumerate(self.deps) if deps and deps <= set(comp)]
            star = all(self.star[d] for d in comp) and not any(
                a.reach_from is not None for cl in clauses for a in cl.alternatives
            )
            try:
                res = self._search_star(comp, clauses) if star else self._search_classes(comp, clauses)
            except AnalysisRefused as e:
                return None, [], str(e)
            if res is None:
                return None, [], "search"
            cost, opts = res
            total += cost
            options = [{**a, **b} for a in options for b in opts][:MAX_ALTERNATIVES]
        return total, options, ""

    def _requirement(self, alt: Alternative) -> dict[int, tuple[frozenset[int], frozenset[int]]]:
        above: dict[int, set[int]] = defaultdict(set)
        below: dict[int, set[int]] = defaultdict(set)
        for c in alt.comparisons:
            if c.better == self.s:
                below[c.dm].add(c.worse)
            else:
                above[c.dm].add(c.better)
        return {d: (frozenset(above[d]), frozenset(below[d])) for d in set(above) | set(below)}

    def _search_star(
        self, comp: list[int], clauses: list[Clause]
    ) -> tuple[int, list[dict[int, tuple[int, tuple[int, ...]]]]] | None:
        """Branch and bound over one alternative per clause; the cost of a set
        of above/below requirements is monotone in the set."""
        Req = dict[int, tuple[frozenset[int], frozenset[int]]]
        reqs: list[list[Req]] = [[self._requirement(a) for a in cl.alternatives] for cl in clauses]
        if not any(a for rs in reqs for r in rs for a, _ in r.values()):
            # Only "below s" requirements: states the DM now ranks no higher than s
            # go below it at no cost in an optimal ranking, so only the states now
            # above s matter, and a clause met by the others is met for free.
            reduced: list[list[Req]] = []
            for rs in reqs:
                cut = []
                for r in rs:
                    r2 = {
                        d: (a, frozenset(x for x in b if self.pay[d][x] > self.pay[d][self.s]))
                        for d, (a, b) in r.items()
                    }
                    cut.append({d: ab for d, ab in r2.items() if ab[1]})
                if any(not r for r in cut):
                    continue
                uniq = {tuple(sorted((d, tuple(sorted(b))) for d, (_, b) in r.items())): r for r in cut}
                items = list(uniq.values())
                keep = [
                    r
                    for r in items
                    if not any(
                        o is not r and all(d in r and o[d][1] <= r[d][1] for d in o) and o != r for o in items
                    )
                ]
                reduced.append(keep)
            reqs = reduced
        reqs.sort(key=len)

        def covered(r: Req, have: Req) -> bool:
            for d, (a, b) in r.items():
                ha, hb = have.get(d, (frozenset(), frozenset()))
                if not (a <= ha and b <= hb):
                    return False
            return True

        def merge(r: Req, have: Req) -> Req | None:
            out = dict(have)
            for d, (a, b) in r.items():
                ha, hb = out.get(d, (frozenset(), frozenset()))
                na, nb = ha | a, hb | b
                if na & nb:
                    return None
                out[d] = (na, nb)
            return out

        def cost_of(have: Req) -> int:
            return sum(self.star_cost(d, a, b)[0] for d, (a, b) in have.items())

        best = [math.inf]
        found: dict[tuple[Any, ...], dict[int, tuple[int, tuple[int, ...]]]] = {}
        budget = [MAX_EVALUATIONS]

        def rec(k: int, have: Req, cost: int) -> bool:
            budget[0] -= 1
            if budget[0] < 0:
                return False
            while k < len(reqs) and any(covered(r, have) for r in reqs[k]):
                k += 1
            if k == len(reqs):
                if cost < best[0]:
                    best[0] = cost
                    found.clear()
                if cost == best[0] and len(found) < MAX_ALTERNATIVES:
                    opt = {d: self.star_cost(d, a, b) for d, (a, b) in have.items()}
                    opt = {d: v for d, v in opt.items() if v[0] > 0}
                    found.setdefault(self._option_key(opt), opt)
                return True
            full = len(found) >= MAX_ALTERNATIVES
            cands = []
            for r in reqs[k]:
                merged = merge(r, have)
                if merged is None:
                    continue
                c = cost_of(merged)
                if c < best[0] or (c == best[0] and not full):
                    cands.append((c, merged))
            cands.sort(key=lambda t: t[0])
            for c, merged in cands:
                if c > best[0] or (c == best[0] and len(found) >= MAX_ALTERNATIVES):
                    break
                if not rec(k + 1, merged, c):
                    return False
            return True

        if not rec(0, {}, 0):
            return None
        if best[0] == math.inf:
            return None
        return int(best[0]), list(found.values())

    def _option_key(self, opt: dict[int, tuple[int, tuple[int, ...]]]) -> tuple[Any, ...]:
        """Options that reverse the same pairs differ only in how ties are broken."""
        return tuple(sorted((d, _reversals(self.pay[d], v[1])) for d, v in opt.items()))

    def _lower_bound(self, d: int, sig: int) -> int:
        p = self.pay[d]
        lb = 0
        for b, (lo, hi) in enumerate(self.pair_list[d]):
            lo_first = sig >> b & 1
            if (p[lo] < p[hi] and lo_first) or (p[lo] > p[hi] and not lo_first):
                lb += 1
        return lb

    def _sig_cost(self, d: int, sig: int) -> tuple[int, tuple[int, ...]]:
        if self.star[d]:
            s = self.s
            above: set[int] = set()
            below: set[int] = set()
            for b, (lo, hi) in enumerate(self.pair_list[d]):
                x = hi if lo == s else lo
                x_first = bool(sig >> b & 1) == (x == lo)
                (above if x_first else below).add(x)
            return self.star_cost(d, frozenset(above), frozenset(below))
        return self.pair_cost(d, sig)

    def _search_classes(
        self, comp: list[int], clauses: list[Clause]
    ) -> tuple[int, list[dict[int, tuple[int, tuple[int, ...]]]]] | None:
        """Search over the classes of all rankings, cheapest first, with exact costs."""
        dists = {d: self.distribution(d, None) for d in comp}
        order = sorted(comp, key=lambda d: len(dists[d]))
        pos = {d: t for t, d in enumerate(order)}
        at: list[list[Clause]] = [[] for _ in order]
        for cl in clauses:
            k = self.clauses.index(cl)
            at[max(pos[d] for d in self.deps[k])].append(cl)
        items = [sorted(dists[d], key=functools.partial(self._lower_bound, d)) for d in order]
        min_lb = [self._lower_bound(order[t], items[t][0]) if items[t] else 0 for t in range(len(order))]
        rest = [sum(min_lb[t + 1 :]) for t in range(len(order))]
        best = [math.inf]
        found: dict[tuple[Any, ...], dict[int, tuple[int, tuple[int, ...]]]] = {}
        budget = [MAX_EVALUATIONS]
        chosen_sigs: dict[int, int] = {}

        def rec(t: int, acc: int) -> bool:
            if t == len(order):
                if acc < best[0]:
                    best[0] = acc
                    found.clear()
                if acc == best[0] and len(found) < MAX_ALTERNATIVES:
                    opt = {d: self._sig_cost(d, chosen_sigs[d]) for d in order}
                    opt = {d: v for d, v in opt.items() if v[0] > 0}
                    found.setdefault(self._option_key(opt), opt)
                return True
            d = order[t]
            for sig in items[t]:
                budget[0] -= 1
                if budget[0] < 0:
                    return False
                if acc + self._lower_bound(d, sig) + rest[t] > best[0]:
                    break
                self.cur[d] = sig
                if not all(self.holds(cl) for cl in at[t]):
                    continue
                c = self._sig_cost(d, sig)[0]
                if acc + c + rest[t] > best[0]:
                    continue
                chosen_sigs[d] = sig
                if not rec(t + 1, acc + c):
                    return False
            return True

        if not rec(0, 0):
            return None
        if best[0] == math.inf:
            return None
        return int(best[0]), list(found.values())


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


# ---------------------------------------------------------------------------
# entry point


def _resolve_state(space: StateSpace, state: int | str) -> int:
    n = space.n_states
    if isinstance(state, bool):
        raise BackchannelError(f"{state!r} is not a state; give a state number or a Y/N pattern")
    text = str(state).strip()
    if isinstance(state, (int, np.integer)) or text.lstrip("-").isdigit():
        k = int(text)
        if not 1 <= k <= n:
            raise BackchannelError(
                f"state {k} does not exist: the conflict has {n} feasible states, numbered 1 to {n}"
            )
        return k - 1
    pats = space.patterns()
    up = text.upper()
    if len(up) != space.n_options or set(up) - {"Y", "N"}:
        raise BackchannelError(
            f"{text!r} is not a state: give its number (1 to {n}) or its Y/N pattern of "
            f"{space.n_options} letters, option 1 first"
        )
    if up not in pats:
        raise BackchannelError(f"state {up} is infeasible; name a feasible state (see `backchannel analyze`)")
    return pats.index(up)


def _resolve_dms(space: StateSpace, dms: Iterable[str | int] | None) -> tuple[int, ...]:
    if dms is None:
        return tuple(range(space.n_dms))
    if isinstance(dms, str):
        dms = [dms]
    out: list[int] = []
    for x in dms:
        if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
            if not 0 <= int(x) < space.n_dms:
                raise BackchannelError(f"no decision maker {x}; the conflict has {space.n_dms}")
            d = int(x)
        else:
            try:
                d = space.dm_index(str(x))
            except KeyError as e:
                raise BackchannelError(str(e.args[0])) from None
        if d not in out:
            out.append(d)
    if not out:
        raise BackchannelError("choose at least one decision maker whose preferences may change")
    return tuple(sorted(out))


def _reversals(p: Sequence[int], ranking: Sequence[int]) -> tuple[tuple[int, int], ...]:
    place = {x: k for k, x in enumerate(ranking)}
    out = []
    for a in ranking:
        for b in ranking:
            if place[a] < place[b] and p[a] < p[b]:
                out.append((a, b))
    out.sort(key=lambda ab: (place[ab[0]], place[ab[1]]))
    return tuple(out)


def inverse(
    model: StateSpace | Conflict | str | Path,
    state: int | str,
    concept: str = "nash",
    dms: Iterable[str | int] | None = None,
    window: int | None = None,
    *,
    max_states: int | None = None,
) -> InverseResult:
    """Which preferences of the chosen decision makers make ``state`` an equilibrium.

    ``state`` is a state number (from 1) or a Y/N pattern; ``concept`` one of
    nash, gmr, smr, seq, sim; ``dms`` the decision makers whose preferences
    may change (names or indices; default all); ``window`` limits the counted
    rankings to those with every state at most ``window`` places from its
    current place (default: all rankings).

    >>> r = inverse("prisoners-dilemma", 4, "nash")
    >>> r.equilibrium_now, r.count, r.profiles, r.distance
    (False, 144, 576, 2)
    >>> [r.change_text(c) for c in r.changes[0]]  # doctest: +NORMALIZE_WHITESPACE
    ['if P1 came to prefer state 4 (p1_cooperates, p2_cooperates) to state 3 (p2_cooperates)',
     'if P2 came to prefer state 4 (p1_cooperates, p2_cooperates) to state 2 (p1_cooperates)']
    """
    from .statespace import compile_conflict

    if isinstance(model, StateSpace):
        space = model
    elif isinstance(model, (str, Path)):
        from .analysis import compile_case

        space = compile_case(model, max_states=max_states)
    else:
        space = compile_conflict(model, max_states=max_states)
    c = str(concept).strip().lower()
    c = {"r": "nash", "sequential": "seq", "simultaneous": "sim"}.get(c, c)
    if c not in CONCEPTS:
        raise BackchannelError(f"unknown concept {concept!r}: choose from {', '.join(CONCEPTS)}")
    s = _resolve_state(space, state)
    chosen = _resolve_dms(space, dms)
    if window is not None:
        if isinstance(window, bool) or int(window) != window or window < 0:
            raise BackchannelError(f"the window is a number of places, 0 or more (got {window!r})")
        window = int(window)

    prob = _Problem(space, s, c, chosen)
    stable_now = tuple(bool(v) for v in stability_matrix(space, [c])[c][:, s])
    count, profiles, rankings, own = prob.count(window)
    distance, options, why = prob.minimal_change()

    notes: list[str] = []
    failing = sorted({cl.focal for cl in prob.clauses if cl.status == "fails"})
    for d in failing:
        notes.append(
            f"{space.dm_names[d]}'s current preferences make the state unstable for it whatever the chosen "
            f"decision makers prefer; include {space.dm_names[d]} among them (--dm) to explore changes."
        )
    if why == "search":
        notes.append(
            f"The smallest change was not determined: the exact search would examine more than "
            f"{MAX_EVALUATIONS:,} combinations."
        )
    repeats = sum(a.needs_repeat for cl in prob.clauses for a in cl.alternatives)
    if repeats:
        notes.append(
            f"{repeats} sanction{'s' if repeats != 1 else ''} counted here need an opponent to move twice "
            "in a legal sequence; tools that let each opponent move once (GMCR+) miss "
            f"{'them' if repeats != 1 else 'it'} and give other conditions and counts."
        )
    tied = [space.dm_names[d] for d in chosen if len(set(prob.pay[d])) < space.n_states]
    if tied:
        notes.append(
            f"The current ranking of {', '.join(tied)} has ties: counts are over strict rankings, and "
            "breaking a tie costs nothing in the smallest change."
        )

    changes: list[tuple[Change, ...]] = []
    for option in options:
        option_changes = []
        for d in sorted(option):
            dist, ranking = option[d]
            option_changes.append(Change(d, ranking, dist, _reversals(prob.pay[d], ranking)))
        changes.append(tuple(option_changes))
    return InverseResult(
        space=space,
        state=s,
        concept=c,
        dms=chosen,
        window=window,
        stable_now=stable_now,
        clauses=prob.clauses,
        count=count,
        profiles=profiles,
        rankings=rankings,
        own=own,
        distance=distance,
        changes=tuple(changes),
        notes=tuple(notes),
        parameters={
            "state": s + 1,
            "concept": c,
            "decision_makers": [space.dm_names[d] for d in chosen],
            "window": window,
        },
    )
