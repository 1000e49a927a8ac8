"""Coalition analysis, bit sets: sets of states packed in 64-bit words, and
reachability by legal sequences propagated over them (see :mod:`backchannel.gmcr.coalitions`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..statespace import Moves

# ---------------------------------------------------------------------------
# bit sets


def _pack(mask: np.ndarray) -> np.ndarray:
    """Bool ``(n, m)`` → uint64 ``(n, ceil(m/64))``; bit ``b`` of word ``k`` is column ``64k + b``."""
    n, m = mask.shape
    w = max(1, -(-m // 64))
    padded = np.zeros((n, w * 64), dtype=bool)
    padded[:, :m] = mask
    packed = np.packbits(padded, axis=1, bitorder="little")
    return np.ascontiguousarray(packed).view("<u8").astype(np.uint64)


def _unpack(words: np.ndarray, m: int) -> np.ndarray:
    """Inverse of :func:`_pack`: uint64 ``(n, w)`` → bool ``(n, m)``."""
    raw = np.ascontiguousarray(words.astype("<u8")).view(np.uint8)
    return np.unpackbits(raw, axis=1, bitorder="little", count=m).astype(bool)


def _popcount(x: np.ndarray) -> np.ndarray:
    """Set bits of each uint64."""
    raw = np.ascontiguousarray(x.astype("<u8")).view(np.uint8).reshape(*x.shape, 8)
    return np.unpackbits(raw, axis=-1).sum(axis=-1)


def _bit(words: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Whether bit ``cols[k]`` of row ``rows[k]`` is set."""
    w = words[rows, cols // 64]
    return ((w >> (cols % 64).astype(np.uint64)) & np.uint64(1)).astype(bool)


def _one_bit(n: int, rows: np.ndarray, cols: np.ndarray, m: int) -> np.ndarray:
    """Bit sets ``(n, ceil(m/64))`` with bit ``cols[k]`` set in row ``rows[k]`` (rows distinct)."""
    out = np.zeros((n, max(1, -(-m // 64))), dtype=np.uint64)
    out[rows, cols // 64] = np.left_shift(np.uint64(1), (cols % 64).astype(np.uint64))
    return out


Graph = tuple[np.ndarray, np.ndarray, np.ndarray]  # CSR indptr over rows, neighbour and row of each edge


def _forward(m: Moves) -> Graph:
    return m.indptr, m.targets, m.sources


def _backward(m: Moves) -> Graph:
    """The moves as CSR over their targets (neighbours: the sources)."""
    n = len(m.indptr) - 1
    order = np.argsort(m.targets, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(m.targets, minlength=n), out=indptr[1:])
    return indptr, m.sources[order], m.targets[order]


def _reach_or(graphs: Sequence[Graph], seed: np.ndarray) -> np.ndarray:
    """For every row ``x``: the OR of ``seed[y]`` over every ``y`` joined to
    ``x`` by a legal sequence (length ≥ 1, no mover twice in a row) of edges
    of the graphs (``graphs[j]`` are mover ``j``'s edges, CSR over ``x``).

    With the moves as given this ORs over the states reachable from ``x``;
    with the moves reversed (:func:`_backward`), over the states from which
    ``x`` is reachable.  Bit columns are independent: they are processed in
    chunks that bound the memory.
    """
    n, w = seed.shape
    out = np.zeros((n, w), dtype=np.uint64)
    if not graphs or w == 0:
        return out
    widest = max([n, *(g[1].size for g in graphs)])
    step = max(1, (1 << 23) // widest)
    for c in range(0, w, step):
        out[:, c : c + step] = _reach_or_block(graphs, np.ascontiguousarray(seed[:, c : c + step]))
    return out


def _or_into(target: np.ndarray, rows: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """``target[r] |= OR of vals`` over each run of equal (sorted) ``rows``;
    returns the rows that changed."""
    if rows.size == 0:
        return rows
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    red = np.bitwise_or.reduceat(vals, starts, axis=0)
    r = rows[starts]
    new = target[r] | red
    changed = (new != target[r]).any(axis=1)
    target[r[changed]] = new[changed]
    return r[changed]


def _reach_or_block(graphs: Sequence[Graph], seed: np.ndarray) -> np.ndarray:
    """The fixed point of :func:`_reach_or`, propagated incrementally: after
    the first step only the edges whose far end changed are visited again."""
    h = len(graphs)
    n, w = seed.shape
    # first[j][x]: OR over legal sequences from x whose first move is by j
    first = [np.zeros((n, w), dtype=np.uint64) for _ in range(h)]
    for j, (_, nbr, rows) in enumerate(graphs):
        _or_into(first[j], rows, seed[nbr])
    if h == 1:
        return first[0]
    # after[j][y]: OR over legal sequences from y whose first mover is not j
    after = [np.zeros((n, w), dtype=np.uint64) for _ in range(h)]
    dirty = np.arange(n)
    while dirty.size:
        flags = [np.zeros(n, dtype=bool) for _ in range(h)]
        for j in range(h):
            new = np.zeros((dirty.size, w), dtype=np.uint64)
            for k in range(h):
                if k != j:
                    new |= first[k][dirty]
            grew = (new != after[j][dirty]).any(axis=1)
            after[j][dirty[grew]] = new[grew]
            flags[j][dirty[grew]] = True
        changed = []
        for j, (_, nbr, rows) in enumerate(graphs):
            e = np.flatnonzero(flags[j][nbr])
            changed.append(_or_into(first[j], rows[e], after[j][nbr[e]]))
        mark = np.zeros(n, dtype=bool)
        for rows_changed in changed:
            mark[rows_changed] = True
        dirty = np.flatnonzero(mark)
    out = first[0].copy()
    for j in range(1, h):
        out |= first[j]
    return out
