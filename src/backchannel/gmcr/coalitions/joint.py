"""Coalition analysis, joint moves: the coalitional improvements ``R_H^{++}``
of a coalition, and a legal sequence that realises one (see :mod:`backchannel.gmcr.coalitions`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...errors import AnalysisRefused
from ..engine import improvements, legal_sequence
from ..statespace import Moves, StateSpace
from .bitsets import _backward, _one_bit, _reach_or, _unpack
from .partitions import _name

# Work (64-bit words moved while propagating reachability, plus pairs of
# states compared) one coalition's joint moves may take before it is refused;
# 10**9 is about 8 s on a 2020s laptop core.
WORK_LIMIT = 2_000_000_000


# ---------------------------------------------------------------------------
# coalitional improvements


def _csr(n: int, src: np.ndarray, tgt: np.ndarray) -> Moves:
    """Moves from (source, target) pairs sorted by source, then target."""
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return Moves(indptr, tgt.astype(np.int32))


def _better(space: StateSpace, members: Sequence[int], t: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Whether every member strictly prefers state ``t`` to state ``s`` (broadcasting)."""
    ok = np.ones(np.broadcast_shapes(t.shape, s.shape), dtype=bool)
    for i in members:
        p = space.payoffs[i]
        ok &= p[t] > p[s]
    return ok


def _blocks(space: StateSpace, members: Sequence[int], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``rows`` (sorted state indices) grouped by *block* — the states that
    agree on the options of the non-members, which is where ``R_H`` stays:
    (block of every state, table block × rank → row of that block or -1)."""
    mask = 0
    for d in members:
        mask |= space.dm_masks[d]
    ctx = space.codes & np.uint64(~mask & ((1 << 64) - 1))
    _, block = np.unique(ctx, return_inverse=True)
    block = block.ravel()
    counts = np.bincount(block[rows], minlength=int(block.max()) + 1)
    order = np.argsort(block[rows], kind="stable")
    first = np.cumsum(counts) - counts
    rank = np.empty(rows.size, dtype=np.int64)
    rank[order] = np.arange(rows.size) - first[block[rows][order]]
    table = np.full((counts.size, max(1, int(counts.max()))), -1, dtype=np.int64)
    table[block[rows], rank] = rows
    return block, table


def _improvements(space: StateSpace, members: tuple[int, ...], starts: np.ndarray | None = None) -> Moves:
    """``R_H^{++}(s)`` for every state ``s`` (or only the ``starts``; other rows empty).

    Reachability is propagated forward from the starts as bit sets; starts in
    different blocks never reach the same state, so they share bit positions:
    the bits per state are the most starts any one block holds.
    """
    n = space.n_states
    if len(members) == 1:
        ui = improvements(space, members[0])
        if starts is None:
            return ui
        return ui.subset(np.isin(ui.sources, starts))
    rows = np.arange(n) if starts is None else np.unique(starts)
    block, table = _blocks(space, members, rows)
    m = table.shape[1]
    moves = [space.moves[d] for d in members]
    work = 10 * sum(mv.n_moves for mv in moves) * (-(-m // 64)) + n * m
    if work > WORK_LIMIT:
        raise AnalysisRefused(
            f"the coalition {_name(space, members)} can reach up to {m:,} of the states examined from "
            "each state; that is beyond the limit of this analysis. Examine smaller coalitions "
            "(--max-size) or a smaller conflict."
        )
    col = np.full(n, -1, dtype=np.int64)
    col[table[table >= 0]] = np.nonzero(table >= 0)[1]
    reach = _reach_or([_backward(mv) for mv in moves], _one_bit(n, rows, col[rows], m))
    src_parts: list[np.ndarray] = []
    tgt_parts: list[np.ndarray] = []
    chunk = max(1, (1 << 22) // m)
    for c in range(0, n, chunk):
        t = np.arange(c, min(n, c + chunk))
        cand = table[block[t]]  # the starts of each state's block, by bit
        ok = _unpack(reach[t], m) & (cand >= 0)
        p = space.payoffs[members[0]]
        ok &= p[t][:, None] > p[np.maximum(cand, 0)]
        i, j = np.nonzero(ok)
        start, end = cand[i, j], t[i]
        for d in members[1:]:  # every member better off; fewer pairs left after each
            p = space.payoffs[d]
            keep = p[end] > p[start]
            start, end = start[keep], end[keep]
        src_parts.append(start)
        tgt_parts.append(end)
    src = np.concatenate(src_parts)
    tgt = np.concatenate(tgt_parts)
    order = np.lexsort((tgt, src))
    return _csr(n, src[order], tgt[order])


def joint_improvements(
    space: StateSpace, coalition: Sequence[str], state: int | None = None
) -> Moves | list[int]:
    """The coalitional improvements ``R_H^{++}`` of a coalition (decision
    maker names): as :class:`~backchannel.gmcr.statespace.Moves` over state
    indices for every state, or, given a state number, the state numbers the
    coalition can jointly reach from it that every member prefers.

    >>> from backchannel.gmcr.analysis import compile_case
    >>> joint_improvements(compile_case("elmira"), ["MoE", "UR"], 7)
    [10]
    """
    members = tuple(sorted(space.dm_index(n) for n in coalition))
    if state is None:
        return _improvements(space, members)
    s = state - 1
    return [int(t) + 1 for t in _improvements(space, members, np.array([s])).of(s)]


def joint_path(
    space: StateSpace, coalition: Sequence[str], source: int, target: int
) -> list[tuple[str, int]]:
    """A shortest legal sequence of the members' unilateral moves from state
    number ``source`` to ``target``: ``[(mover, state reached), …]``; empty if
    there is none."""
    members = [space.dm_index(n) for n in coalition]
    good = np.zeros(space.n_states, dtype=bool)
    good[target - 1] = True
    path = legal_sequence(members, [space.moves[d] for d in members], source - 1, good)
    return [(space.dm_names[d], b + 1) for d, _, b in path or []]
