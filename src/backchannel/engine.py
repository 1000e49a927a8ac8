"""Stability of states under the graph model's solution concepts.

Definitions (Fang, Hipel & Kilgour 1993, *Interactive Decision Making: The
Graph Model for Conflict Resolution*, Wiley, ch. 3; Fang, Hipel & Kilgour
1989, EJOR 41): for a focal decision maker ``i`` at state ``s``, with
``R_i(s)`` its unilateral moves, ``R_i^+(s)`` its unilateral improvements
(UIs), and ``≤_i`` "not preferred to" (equally preferred counts):

* **Nash (R)** — ``R_i^+(s)`` is empty.
* **GMR** — for every ``s1 ∈ R_i^+(s)`` there is ``s2 ∈ R_{N-i}(s1)`` with
  ``s2 ≤_i s``.
* **SMR** — for every ``s1 ∈ R_i^+(s)`` there is ``s2 ∈ R_{N-i}(s1)`` with
  ``s2 ≤_i s`` and ``s3 ≤_i s`` for every ``s3 ∈ R_i(s2)``.
* **SEQ** — for every ``s1 ∈ R_i^+(s)`` there is ``s2 ∈ R^+_{N-i}(s1)``
  with ``s2 ≤_i s``.
* **SIM** — for every ``s1 ∈ R_i^+(s)`` there is a simultaneous reply: some
  non-empty set of opponents, each taking one of its own UIs from ``s``,
  whose changes combined with ``i``'s give a feasible state ``≤_i s``.  With
  two decision makers this is the classical definition; with more it lets
  several opponents reply at once (GMCR+ lets only one).

``R_{N-i}(s1)`` is the set of states the opponents reach from ``s1`` by any
*legal sequence* of unilateral moves: any length ≥ 1, no decision maker moving
twice in a row, but any of them may move again later.  ``R^+_{N-i}`` is the
same with every move a unilateral improvement for its mover.  (GMCR+ lets each
opponent move once and misses stable states with three or more decision
makers.)

Implementation: the minimum, over every state a coalition can reach from each
state, of a value (the focal decision maker's payoff) is computed for all
states at once by a fixed-point iteration over (state, last mover), vectorised
over the CSR move arrays.  A state is GMR-stable when the largest such minimum
over its UIs does not exceed its own payoff.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .statespace import Moves, StateSpace

__all__ = ["CONCEPTS", "improvements", "reachable_min", "stability_matrix"]

CONCEPTS: tuple[str, ...] = ("nash", "gmr", "smr", "seq", "sim")
_INF = np.iinfo(np.int32).max
_NEG = np.iinfo(np.int32).min


def _segment_reduce(values: np.ndarray, indptr: np.ndarray, ufunc: np.ufunc, empty: int) -> np.ndarray:
    """``ufunc``-reduce ``values`` over each CSR row; ``empty`` for empty rows."""
    n = len(indptr) - 1
    out = np.full(n, empty, dtype=values.dtype if values.size else np.int32)
    nonempty = indptr[1:] > indptr[:-1]
    if values.size and nonempty.any():
        out[nonempty] = ufunc.reduceat(values, indptr[:-1][nonempty])
    return out


def improvements(space: StateSpace, d: int) -> Moves:
    """Unilateral improvements of decision maker ``d``: moves to a strictly preferred state."""
    mv = space.moves[d]
    p = space.payoffs[d]
    return mv.subset(p[mv.targets] > p[mv.sources])


def reachable_min(moves: Sequence[Moves], value: np.ndarray) -> np.ndarray:
    """For every state, the minimum of ``value`` over the states that the
    movers reach from it by a legal sequence (length ≥ 1, no mover twice in a
    row); ``int32`` max where no move is possible.

    ``moves[j]`` are the moves of the ``j``-th member of the moving coalition.
    """
    n = value.size
    h = len(moves)
    if h == 0:
        return np.full(n, _INF, dtype=np.int32)
    value = value.astype(np.int32)
    tv = [value[m.targets] for m in moves]  # value of each move's target
    after = [np.full(n, _INF, dtype=np.int32) for _ in range(h)]  # V(s, last = j)
    while True:
        w = np.empty((h, n), dtype=np.int32)
        for j, m in enumerate(moves):
            vals = np.minimum(tv[j], after[j][m.targets]) if h > 1 else tv[j]
            w[j] = _segment_reduce(vals, m.indptr, np.minimum, _INF)
        if h == 1:
            return w[0]
        # V(s, last = j) = min over j' != j of W_j'(s): best and second best
        order = np.argsort(w, axis=0, kind="stable")[:2]
        best = np.take_along_axis(w, order[:1], axis=0)[0]
        second = np.take_along_axis(w, order[1:2], axis=0)[0]
        changed = False
        for j in range(h):
            new = np.where(order[0] == j, second, best)
            if not changed and not np.array_equal(new, after[j]):
                changed = True
            after[j] = new
        if not changed:
            return best


def _worst_over(ui: Moves, v: np.ndarray) -> np.ndarray:
    """For each state, the largest ``v`` over the targets of its UIs (NEG if none)."""
    return _segment_reduce(v[ui.targets], ui.indptr, np.maximum, _NEG)


def _sim_stable(space: StateSpace, k: int, ui: list[Moves]) -> np.ndarray:
    """SIM stability for ``k``: every UI answered by simultaneous opponent UIs."""
    n = space.n_states
    p = space.payoffs[k]
    codes = space.codes
    src = ui[k].sources
    tgt = ui[k].targets
    stable = np.ones(n, dtype=bool)
    if src.size == 0:
        return stable
    opponents = [j for j in range(space.n_dms) if j != k]
    # pairs (s, s1) still unanswered; composite codes start from s1
    pair_src = src.astype(np.int64)
    pair_code = codes[tgt]
    answered = np.zeros(src.size, dtype=bool)
    deltas = []  # per opponent: CSR of code deltas of its UIs from each state
    for j in opponents:
        m = ui[j]
        deltas.append((m.indptr, codes[m.targets] ^ codes[m.sources]))
    # subsets of opponents, smallest first; each member replies with one UI
    from itertools import combinations

    for size in range(1, len(opponents) + 1):
        for subset in combinations(range(len(opponents)), size):
            live = np.flatnonzero(~answered)
            if live.size == 0:
                break
            _answer_subset(space, p, subset, deltas, pair_src, pair_code, live, answered)
    bad = src[~answered]
    stable[bad] = False
    return stable


def _answer_subset(
    space: StateSpace,
    p: np.ndarray,
    subset: tuple[int, ...],
    deltas: list[tuple[np.ndarray, np.ndarray]],
    pair_src: np.ndarray,
    pair_code: np.ndarray,
    live: np.ndarray,
    answered: np.ndarray,
) -> None:
    """Mark the live pairs that the opponents in ``subset`` answer together."""
    chunk = 1 << 16
    for start in range(0, live.size, chunk):
        rows = live[start : start + chunk]
        s = pair_src[rows]
        code = pair_code[rows]
        owner = np.arange(rows.size)
        for o in subset:
            indptr, dl = deltas[o]
            cnt = indptr[s + 1] - indptr[s]
            keep = cnt > 0
            s, code, owner, cnt = s[keep], code[keep], owner[keep], cnt[keep]
            if s.size == 0:
                break
            first = np.repeat(indptr[s], cnt)
            offs = np.arange(first.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            d = dl[first + offs]
            s = np.repeat(s, cnt)
            owner = np.repeat(owner, cnt)
            code = np.repeat(code, cnt) ^ d
        if s.size == 0:
            continue
        idx = space.index_of(code)
        ok = idx >= 0
        hit = np.zeros(ok.shape, dtype=bool)
        hit[ok] = p[idx[ok]] <= p[s[ok]]
        got = np.zeros(rows.size, dtype=bool)
        got[owner[hit]] = True
        answered[rows[got]] = True


def stability_matrix(space: StateSpace, concepts: Sequence[str] = CONCEPTS) -> dict[str, np.ndarray]:
    """Stability of every state for every decision maker under each concept.

    Returns ``{concept: bool array of shape (n_dms, n_states)}``.
    """
    unknown = [c for c in concepts if c not in CONCEPTS]
    if unknown:
        raise ValueError(f"unknown concept(s) {unknown}; choose from {', '.join(CONCEPTS)}")
    n, n_dm = space.n_states, space.n_dms
    out = {c: np.ones((n_dm, n), dtype=bool) for c in concepts}
    need_ui = any(c in ("seq", "sim") for c in concepts)
    ui = [improvements(space, d) for d in range(n_dm)]
    for k in range(n_dm):
        p = space.payoffs[k].astype(np.int32)
        ui_k = ui[k]
        has_ui = np.diff(ui_k.indptr) > 0
        others = [space.moves[j] for j in range(n_dm) if j != k]
        if "nash" in concepts:
            out["nash"][k] = ~has_ui
        if "gmr" in concepts:
            v = reachable_min(others, p)
            out["gmr"][k] = _worst_over(ui_k, v) <= p
        if "smr" in concepts:
            # g(s2): the best k can reach from s2 in one move, or s2 itself
            mk = space.moves[k]
            g = np.maximum(p, _segment_reduce(p[mk.targets], mk.indptr, np.maximum, _NEG))
            v = reachable_min(others, g)
            out["smr"][k] = _worst_over(ui_k, v) <= p
        if "seq" in concepts:
            v = reachable_min([ui[j] for j in range(n_dm) if j != k], p)
            out["seq"][k] = _worst_over(ui_k, v) <= p
        if "sim" in concepts:
            out["sim"][k] = _sim_stable(space, k, ui)
    del need_ui
    return out
