"""The state graph for drawing: nodes with a deterministic layout, and moves.

Layout: states in layers by the number of moves needed to reach them from
the status quo (breadth-first over every decision maker's unilateral moves;
without a status quo, by the number of options taken), layers left to right;
within a layer, states ordered by the mean height of their neighbours in the
layers before (the barycentre heuristic), ties by state number. Coordinates
are in [0, 1].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..gmcr.engine import CONCEPTS, stability_matrix
from ..gmcr.evolution import evolution
from ..gmcr.statespace import StateSpace

__all__ = ["LAYOUT", "state_graph"]

LAYOUT = "layers by moves from the status quo (by options taken without one); barycentre order within a layer"
#: Never more nodes than this, whatever is kept.
HARD_NODE_LIMIT = 2000


def _all_moves(space: StateSpace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    src = np.concatenate([m.sources for m in space.moves]).astype(np.int64)
    tgt = np.concatenate([m.targets for m in space.moves]).astype(np.int64)
    dm = np.concatenate([np.full(m.n_moves, d, dtype=np.int64) for d, m in enumerate(space.moves)])
    return src, tgt, dm


def _layers(space: StateSpace, src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    n = space.n_states
    if space.status_quo is None:
        codes = space.codes
        return np.array([bin(int(c)).count("1") for c in codes], dtype=np.int64)
    dist = np.full(n, -1, dtype=np.int64)
    dist[space.status_quo] = 0
    frontier = np.zeros(n, dtype=bool)
    frontier[space.status_quo] = True
    level = 0
    while frontier.any():
        nxt = np.zeros(n, dtype=bool)
        nxt[tgt[frontier[src]]] = True
        nxt &= dist < 0
        level += 1
        dist[nxt] = level
        frontier = nxt
    dist[dist < 0] = level  # unreachable by any move: one layer past the last
    return dist


def _layout(
    space: StateSpace, keep: np.ndarray, src: np.ndarray, tgt: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """x, y (over the kept state indices, in order) in [0, 1]."""
    layer = _layers(space, src, tgt)[keep]
    values = np.unique(layer)
    rank = np.searchsorted(values, layer)
    x = rank / (values.size - 1) if values.size > 1 else np.full(keep.size, 0.5)
    y = np.full(keep.size, 0.5)
    pos = np.full(space.n_states, -1, dtype=np.int64)
    pos[keep] = np.arange(keep.size)
    both = (pos[src] >= 0) & (pos[tgt] >= 0)
    a, b = pos[src[both]], pos[tgt[both]]
    for r in range(values.size):
        members = np.flatnonzero(rank == r)
        if r == 0:
            order = members
        else:
            # neighbours (either direction) in earlier layers
            ea = np.concatenate([a, b])
            eb = np.concatenate([b, a])
            m = (rank[ea] == r) & (rank[eb] < r)
            total = np.bincount(ea[m], weights=y[eb[m]], minlength=keep.size)
            count = np.bincount(ea[m], minlength=keep.size)
            bary = np.where(count > 0, total / np.maximum(count, 1), 2.0)[members]
            order = members[np.lexsort((members, bary))]
        y[order] = (np.arange(order.size) + 0.5) / order.size
    return np.round(x, 6), np.round(y, 6)


def state_graph(space: StateSpace, concept: str = "nash", *, max_nodes: int = 300) -> dict[str, Any]:
    """Nodes (states) and edges (unilateral moves) for drawing, with stability.

    With more than ``max_nodes`` states only the equilibria under ``concept``,
    the status quo and the states reachable from it by unilateral
    improvements are kept (``truncated``: true), at most
    :data:`HARD_NODE_LIMIT` of them.
    """
    if concept not in CONCEPTS:
        from ..errors import BackchannelError

        raise BackchannelError(f"unknown concept {concept!r}: choose from {', '.join(CONCEPTS)}")
    n = space.n_states
    stable = stability_matrix(space, CONCEPTS)
    eq: dict[str, np.ndarray] = {c: np.asarray(stable[c].all(axis=0)) for c in CONCEPTS}
    sq = space.status_quo
    reachable = np.zeros(n, dtype=bool)
    on_path: set[tuple[int, int]] = set()
    if sq is not None:
        evo = evolution(space, None, concept)
        reachable = evo.distance >= 0
        on_path = evo.on_path_edges()
    truncated = n > max_nodes
    if truncated:
        # priority: the status quo, reachable equilibria, equilibria, reachable states (nearest first)
        score = np.full(n, np.inf)
        if sq is not None:
            dist = evo.distance
            score[reachable] = 3 + dist[reachable] / (n + 1.0)
            score[sq] = 0
        score[eq[concept]] = np.minimum(score[eq[concept]], 2)
        score[eq[concept] & reachable] = 1
        cand = np.flatnonzero(np.isfinite(score))
        cand = cand[np.lexsort((cand, score[cand]))][:HARD_NODE_LIMIT]
        keep = np.sort(cand)
    else:
        keep = np.arange(n)
    src, tgt, dm = _all_moves(space)
    x, y = _layout(space, keep, src, tgt)
    kept = np.zeros(n, dtype=bool)
    kept[keep] = True
    both = kept[src] & kept[tgt]
    es, et, ed = src[both], tgt[both], dm[both]
    improving = space.payoffs[ed, et] > space.payoffs[ed, es]
    pats = space.patterns()
    nodes = [
        {
            "id": int(s) + 1,
            "pattern": pats[s],
            "description": space.describe(int(s)),
            "scenarios": space.scenario_labels(int(s)),
            "stable": {c: bool(eq[c][s]) for c in CONCEPTS},
            "stable_for": {c: [d for k, d in enumerate(space.dm_names) if stable[c][k, s]] for c in CONCEPTS},
            "equilibrium": {c: bool(eq[c][s]) for c in CONCEPTS},
            "status_quo": bool(s == sq),
            "reachable": bool(reachable[s]),
            "x": float(x[i]),
            "y": float(y[i]),
        }
        for i, s in enumerate(keep.tolist())
    ]
    edges = [
        {
            "source": s + 1,
            "target": t + 1,
            "dm": space.dm_names[d],
            "improving": bool(imp),
            "on_path": (s, t) in on_path,
        }
        for s, t, d, imp in zip(es.tolist(), et.tolist(), ed.tolist(), improving.tolist(), strict=True)
    ]
    return {
        "concept": concept,
        "n_states": n,
        "status_quo": None if sq is None else sq + 1,
        "nodes": nodes,
        "edges": edges,
        "dms": list(space.dm_names),
        "options": [{"name": o.name, "label": o.text, "dm": d.name} for d, o in space.conflict.options],
        "layout": LAYOUT,
        "truncated": truncated,
    }
