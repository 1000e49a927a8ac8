"""Inverse analysis, the counts: how many strict rankings of the chosen
decision makers (all, or within a window) make the state an equilibrium,
computed exactly by classes of rankings (see :mod:`backchannel.gmcr.inverse`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from ...errors import AnalysisRefused
from .conditions import Clause, _Conditions

#: Classes of rankings kept for one decision maker.
MAX_CLASSES = 1 << 18
#: States of one dynamic programme (counting in a window, or costs).
MAX_DP_STATES = 1 << 21
#: Combinations of classes examined (counts), or search nodes (smallest change).
MAX_EVALUATIONS = 1 << 18
#: Moves of one decision maker handled by inclusion–exclusion.
MAX_IE_CLAUSES = 16


class _Counting(_Conditions):
    """The conditions, with the classes of rankings of each chosen decision
    maker and the exact count of the profiles that meet them."""

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
