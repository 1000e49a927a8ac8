"""Conditions as GMCR+ writes them: a condition's truth table reduced to a
disjunction of conjunctions (prime implicants, Quine–McCluskey)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ...errors import ModelError
from .conventions import _DNF_MAX_SUPPORT

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
