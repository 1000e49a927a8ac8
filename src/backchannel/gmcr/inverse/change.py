"""Inverse analysis, the smallest change: the least number of reversed pairs
(Kendall distance) that makes the state an equilibrium, and the optimal
new rankings (see :mod:`backchannel.gmcr.inverse`).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import AnalysisRefused
from .conditions import Alternative, Clause
from .counting import MAX_DP_STATES, MAX_EVALUATIONS, _Counting

#: Optimal changes reported.
MAX_ALTERNATIVES = 5


@dataclass(frozen=True)
class Change:
    """A new strict ranking for decision maker ``dm`` (state indices, best
    first), ``distance`` pairs from its current one; ``reversals`` lists the
    pairs ``(now_preferred, now_less_preferred)`` whose order it reverses."""

    dm: int
    ranking: tuple[int, ...]
    distance: int
    reversals: tuple[tuple[int, int], ...]


def _reversals(p: Sequence[int], ranking: Sequence[int]) -> tuple[tuple[int, int], ...]:
    place = {x: k for k, x in enumerate(ranking)}
    out = []
    for a in ranking:
        for b in ranking:
            if place[a] < place[b] and p[a] < p[b]:
                out.append((a, b))
    out.sort(key=lambda ab: (place[ab[0]], place[ab[1]]))
    return tuple(out)


# ---------------------------------------------------------------------------
# the problem: conditions, counting and the smallest change


class _Problem(_Counting):
    """The conditions for ``s`` under ``concept``, with the chosen decision
    makers' preferences free; counting and the smallest change."""

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
