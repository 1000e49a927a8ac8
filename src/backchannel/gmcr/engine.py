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
* **SIM** — for every ``s1 ∈ R_i^+(s)`` the opponents, moving at the same
  moment from ``s``, can make the combined state feasible and ``≤_i s``: any
  non-empty set of them, each with one of its UIs from ``s``, each changing
  only its own options (``sim_mode="joint"``, the default; the definition
  GMCR+ implements, and with two decision makers that of Fang, Hipel &
  Kilgour 1989).  ``sim_mode="pairwise"`` lets one opponent reply at a time
  (attributed to Fraser & Hipel 1984; unverified).  See :mod:`backchannel.sim`.

``R_{N-i}(s1)`` is the set of states the opponents reach from ``s1`` by any
*legal sequence* of unilateral moves: any length ≥ 1, no decision maker moving
twice in a row, but any of them may move again later.  ``R^+_{N-i}`` is the
same with every move a unilateral improvement for its mover.  (GMCR+ lets each
opponent move once and misses stable states with three or more decision
makers; checked in its source, see ``docs/bibliography.md``.)

Implementation: the minimum, over every state a coalition can reach from each
state, of a value (the focal decision maker's payoff) is computed for all
states at once over (state, last mover): the states are taken in ascending
value and each (state, last mover) is labelled once, by a search backwards
over the CSR move arrays (:func:`backchannel.gmcr.kernels.reach_kernel`; for
small spaces the NumPy fixed point :func:`reachable_min_arrays`).  A state is
GMR-stable when the largest such minimum over its UIs does not exceed its own
payoff.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np

from .kernels import (
    ByTarget,
    best_move_kernel,
    clique_min_kernel,
    done_flags,
    fwd_min_kernel,
    improvements_kernel,
    order_kernel,
    reach_kernel,
    use_kernels,
)
from .sim import SimSearch, check_sim_mode
from .statespace import Moves, StateSpace

__all__ = [
    "CONCEPTS",
    "best_move",
    "improvements",
    "least_reachable",
    "legal_sequence",
    "reachable_min",
    "reachable_min_arrays",
    "reachable_min_batch",
    "reduce_rows",
    "stability_matrix",
    "worst_over",
]

CONCEPTS: tuple[str, ...] = ("nash", "gmr", "smr", "seq", "sim")
_INF = np.iinfo(np.int32).max
_NEG = np.iinfo(np.int32).min


def improvements(space: StateSpace, d: int) -> Moves:
    """Unilateral improvements of decision maker ``d``: moves to a strictly preferred state."""
    mv = space.moves[d]
    p = np.ascontiguousarray(space.payoffs[d])
    if use_kernels(space.n_states):
        return Moves(*improvements_kernel(mv.indptr, mv.targets, p))
    return mv.subset(p[mv.targets] > p[mv.sources])


def reachable_min(moves: Sequence[Moves], value: np.ndarray) -> np.ndarray:
    """For every state, the minimum of ``value`` over the states that the
    movers reach from it by a legal sequence (length ≥ 1, no mover twice in a
    row); ``int32`` max where no move is possible.

    ``moves[j]`` are the moves of the ``j``-th member of the moving coalition.
    """
    return reachable_min_batch(moves, np.asarray(value)[None, :], None)[0]


def reduce_rows(values: np.ndarray, indptr: np.ndarray, ufunc: np.ufunc, empty: int) -> np.ndarray:
    """``ufunc``-reduce ``values`` (samples × moves) over each CSR row of states."""
    b = values.shape[0]
    n = len(indptr) - 1
    out = np.full((b, n), empty, dtype=np.int32)
    nonempty = indptr[1:] > indptr[:-1]
    if values.shape[1] and nonempty.any():
        out[:, nonempty] = ufunc.reduceat(values, indptr[:-1][nonempty], axis=1)
    return out


_NO_FLAGS = np.zeros(0, dtype=bool)
_NO_PAY = np.zeros((0, 0), dtype=np.int32)


def least_reachable(
    moves: Sequence[Moves],
    rows: np.ndarray,
    by_target: ByTarget,
    value: np.ndarray,
    order: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
    offsets: Sequence[int] = (),
    pay: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`reachable_min` for one value array, compiled: ``moves`` are the
    movers' moves, ``rows`` their rows in ``by_target``; ``order`` the states
    by ascending ``value`` (computed if not given); ``allowed`` one flag per
    move of the movers' concatenated moves (``offsets[j]``: where mover ``j``'s
    start), or None; ``pay`` (payoffs by row of ``by_target``): only moves
    improving their mover's payoff count backwards (``moves`` must then be
    those improvements already)."""
    value = np.ascontiguousarray(value, dtype=np.int32)
    if order is None:
        order = order_kernel(value)
    flags = _NO_FLAGS if allowed is None else allowed
    payoff = _NO_PAY if pay is None else pay
    done = done_flags(value.size, len(moves))
    low = reach_kernel(
        value,
        order,
        rows,
        by_target.ptr,
        by_target.src,
        by_target.move,
        by_target.clique,
        flags,
        payoff,
        done,
    )
    out = np.full(value.size, _INF, dtype=np.int32)
    for j, m in enumerate(moves):
        if m.clique and allowed is None:  # the least over the block, but the state itself
            clique_min_kernel(m.indptr, m.targets, low, j, out)
            continue
        own = _NO_FLAGS if allowed is None else allowed[offsets[j] : offsets[j] + m.n_moves]
        fwd_min_kernel(m.indptr, m.targets, low[:, j], own, out)
    return out


def reachable_min_batch(
    moves: Sequence[Moves], value: np.ndarray, allowed: Sequence[np.ndarray] | None
) -> np.ndarray:
    """Batched :func:`backchannel.gmcr.engine.reachable_min`: per sample and state,
    the minimum of ``value`` over the states reached by a legal sequence of the
    movers; ``allowed[j]`` (samples × moves of mover ``j``) restricts the
    moves each may make (SEQ: its improvements).

    Compiled (:func:`backchannel.gmcr.kernels.reach_kernel`): the states are
    taken in ascending value and each (state, last mover) is labelled once,
    by a search backwards over the moves.  Past 62 movers, and for small
    spaces (:func:`~backchannel.gmcr.kernels.use_kernels`), it runs
    :func:`reachable_min_arrays`.
    """
    b, n = value.shape
    h = len(moves)
    if h == 0:
        return np.full((b, n), _INF, dtype=np.int32)
    if h > 62 or not use_kernels(n):
        return reachable_min_arrays(moves, value, allowed)
    by_target = ByTarget([(m.indptr, m.targets, m.clique) for m in moves], index=allowed is not None)
    rows = np.arange(h, dtype=np.int64)
    offsets = np.cumsum([0] + [m.n_moves for m in moves]).tolist()
    flat = None if allowed is None else np.ascontiguousarray(np.concatenate(list(allowed), axis=1))
    out = np.empty((b, n), dtype=np.int32)
    for i in range(b):
        out[i] = least_reachable(
            moves, rows, by_target, value[i], None, None if flat is None else flat[i], offsets
        )
    return out


def reachable_min_arrays(
    moves: Sequence[Moves], value: np.ndarray, allowed: Sequence[np.ndarray] | None
) -> np.ndarray:
    """:func:`reachable_min_batch` with NumPy arrays only (the reference the
    compiled form is tested against; used for small spaces and past 62 movers).

    ``first[j][s]`` is the minimum over the sequences whose first move is
    ``j``'s, ``after[j][t]`` the minimum over those starting at ``t`` with
    another mover's move.  Both only decrease.  Each pass recomputes
    ``first[j]`` only at the states with a move of ``j`` into a state whose
    ``after[j]`` changed (found through the moves by target; every state when
    that frontier is large), and ``after`` only where some ``first`` changed.
    (Fang, Hipel & Kilgour 1993 define the reachable sets; the fixed point is
    a Bellman–Ford relaxation over (state, last mover).)
    """
    b, n = value.shape
    h = len(moves)
    if h == 0:
        return np.full((b, n), _INF, dtype=np.int32)
    value = value.astype(np.int32)
    tv = []
    for j, m in enumerate(moves):
        t = value[:, m.targets]
        if allowed is not None:
            t = np.where(allowed[j], t, _INF)
        tv.append(t)
    first = np.stack([reduce_rows(tv[j], m.indptr, np.minimum, _INF) for j, m in enumerate(moves)])
    if h == 1:
        return first[0]
    after = np.full((h, b, n), _INF, dtype=np.int32)
    cols: np.ndarray | None = None  # None: every state
    movers = np.arange(h)[:, None, None]
    while True:
        f = first.copy() if cols is None else first[:, :, cols]
        arg = np.argmin(f, axis=0)
        best = np.take_along_axis(f, arg[None], axis=0)
        np.put_along_axis(f, arg[None], _INF, axis=0)
        second = f.min(axis=0)
        new = np.where(movers == arg[None], second[None], best)
        if cols is None:
            lower = np.asarray((new < after).any(axis=1))  # movers × states
            after = new
        else:
            lower = np.asarray((new < after[:, :, cols]).any(axis=1))
            after[:, :, cols] = new
        touched = np.zeros(n, dtype=bool)
        for j, m in enumerate(moves):
            frontier = np.flatnonzero(lower[j]) if cols is None else cols[lower[j]]
            if frontier.size == 0:
                continue
            if frontier.size > n // 4:
                vals = np.minimum(tv[j], after[j][:, m.targets])
                if allowed is not None:
                    vals = np.where(allowed[j], vals, _INF)
                red = reduce_rows(vals, m.indptr, np.minimum, _INF)
                changed = (red < first[j]).any(axis=0)
                first[j] = red
                touched |= changed
                continue
            mark = np.zeros(n, dtype=bool)
            mark[frontier] = True
            hit = mark[m.targets]
            mark[:] = False
            mark[m.sources[hit]] = True
            rows = np.flatnonzero(mark)
            owner, edge = _csr_entries(m.indptr, rows)
            if edge.size == 0:
                continue
            vals = np.minimum(tv[j][:, edge], after[j][:, m.targets[edge]])
            if allowed is not None:
                vals = np.where(allowed[j][:, edge], vals, _INF)
            starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            at = rows[owner[starts]]
            red = np.minimum.reduceat(vals, starts, axis=1)
            better = (red < first[j][:, at]).any(axis=0)
            first[j][:, at[better]] = red[:, better]
            touched[at[better]] = True
        if not touched.any():
            return first.min(axis=0)
        cols = np.flatnonzero(touched)


def _csr_entries(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position in ``rows``, entry index) of every entry of the CSR ``rows``."""
    lo = indptr[rows]
    cnt = indptr[rows + 1] - lo
    owner = np.repeat(np.arange(rows.size), cnt)
    offs = np.arange(owner.size, dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return owner, np.repeat(lo, cnt) + offs


def legal_sequence(
    movers: Sequence[int], moves: Sequence[Moves], start: int, good: np.ndarray
) -> list[tuple[int, int, int]] | None:
    """A shortest legal sequence (length ≥ 1, no mover twice in a row) of the
    movers' ``moves`` from state ``start`` to a state where ``good`` holds:
    ``[(mover, from, to), …]``; None if there is none. The witness of what
    :func:`reachable_min` computes for all states at once."""
    root = (start, -1)
    parent: dict[tuple[int, int], tuple[int, int]] = {root: root}
    queue: deque[tuple[int, int]] = deque([root])
    while queue:
        node = queue.popleft()
        s, last = node
        for j in range(len(movers)):
            if j == last:
                continue
            for t in moves[j].of(s).tolist():
                key = (t, j)
                if key in parent:
                    continue
                parent[key] = node
                if good[t]:
                    path = []
                    cur = key
                    while cur != root:
                        prev = parent[cur]
                        path.append((movers[cur[1]], prev[0], cur[0]))
                        cur = prev
                    return path[::-1]
                queue.append(key)
    return None


def worst_over(ui: Moves, v: np.ndarray) -> np.ndarray:
    """For each state, the largest ``v`` over the targets of its UIs (NEG if none)."""
    return reduce_rows(v[None, ui.targets], ui.indptr, np.maximum, _NEG)[0]


def stability_matrix(
    space: StateSpace, concepts: Sequence[str] = CONCEPTS, *, sim_mode: str = "joint"
) -> dict[str, np.ndarray]:
    """Stability of every state for every decision maker under each concept.

    Returns ``{concept: bool array of shape (n_dms, n_states)}``.  ``sim_mode``
    is ``"joint"`` (any set of opponents replies at once) or ``"pairwise"``
    (one opponent replies); see :mod:`backchannel.sim`.
    """
    check_sim_mode(sim_mode)
    unknown = [c for c in concepts if c not in CONCEPTS]
    if unknown:
        raise ValueError(f"unknown concept(s) {unknown}; choose from {', '.join(CONCEPTS)}")
    n, n_dm = space.n_states, space.n_dms
    out = {c: np.ones((n_dm, n), dtype=bool) for c in concepts}
    pay = np.ascontiguousarray(space.payoffs, dtype=np.int32)
    threads = _threads(n * n_dm)
    pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None

    def run(jobs: list[Callable[[], Any]]) -> list[Any]:
        if pool is None:
            return [job() for job in jobs]
        return [f.result() for f in [pool.submit(job) for job in jobs]]

    reach = {"gmr", "smr", "seq"} & set(concepts) and n_dm <= 63 and use_kernels(n)
    try:
        ui: list[Moves] = run([partial(improvements, space, d) for d in range(n_dm)])
        sim, by_target, orders = run(
            [
                lambda: SimSearch(space, ui, sim_mode) if "sim" in concepts else None,
                lambda: space.by_target if reach else None,
                lambda: [order_kernel(pay[k]) for k in range(n_dm)] if reach else None,
            ]
        )

        def least(k: int, concept: str, v: np.ndarray) -> np.ndarray:
            rows = np.array([j for j in range(n_dm) if j != k], dtype=np.int64)
            moves = [ui[j] if concept == "seq" else space.moves[j] for j in rows]
            if by_target is None:
                return reachable_min(moves, v)
            order = orders[k] if concept != "smr" else None
            return least_reachable(moves, rows, by_target, v, order, pay=pay if concept == "seq" else None)

        def task(k: int, concept: str) -> None:
            p = pay[k]
            if concept == "nash":
                out["nash"][k] = np.diff(ui[k].indptr) == 0
            elif concept == "sim":
                out["sim"][k] = sim.row(k)
            else:
                # SMR: g(s2), the best k can reach from s2 in one move, or s2 itself
                v = best_move(space.moves[k], p) if concept == "smr" else p
                out[concept][k] = worst_over(ui[k], least(k, concept, v)) <= p

        # the heaviest first, so that threads finish together
        order_of_work = ("sim", "seq", "gmr", "smr", "nash")
        run([partial(task, k, c) for c in order_of_work if c in concepts for k in range(n_dm)])
    finally:
        if pool is not None:
            pool.shutdown()
    return out


def best_move(mk: Moves, p: np.ndarray) -> np.ndarray:
    """Per state, the larger of ``p`` and the best ``p`` one move reaches."""
    if use_kernels(p.size):
        return best_move_kernel(mk.indptr, mk.targets, p)
    return np.maximum(p, reduce_rows(p[None, mk.targets], mk.indptr, np.maximum, _NEG)[0])


def _threads(work: int) -> int:
    """Threads for a stability analysis of ``work`` (states × decision makers):
    one below 2**17, else the cores this process may use
    (``BACKCHANNEL_THREADS`` overrides).  The compiled kernels release the GIL."""
    env = os.environ.get("BACKCHANNEL_THREADS", "").strip()
    if env.isdigit() and int(env) >= 1:
        return int(env)
    if work < 1 << 17:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
