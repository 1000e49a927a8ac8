"""Coalition analysis, the search: which coalitions break which ordinary
equilibria, and by which joint move (see :mod:`backchannel.gmcr.coalitions`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import combinations
from pathlib import Path

import numpy as np

from ...case.model import Conflict
from ...errors import AnalysisRefused
from ..engine import improvements, stability_matrix
from ..statespace import StateSpace
from .joint import _improvements
from .partitions import COALITION_CONCEPTS, _check_concepts, check_partition
from .results import CoalitionBreak, CoalitionSearchResult, _breaks
from .sanctions import _undeterred


def _all_coalitions(n_dms: int, min_size: int, max_size: int | None) -> Iterator[tuple[int, ...]]:
    top = n_dms if max_size is None else min(max_size, n_dms)
    for size in range(max(min_size, 1), top + 1):
        yield from combinations(range(n_dms), size)


def coalition_search(
    model: StateSpace | Conflict | str | Path,
    concepts: Sequence[str] = COALITION_CONCEPTS,
    *,
    coalitions: Sequence[Sequence[str]] | None = None,
    max_size: int | None = None,
    max_states: int | None = None,
) -> CoalitionSearchResult:
    """Every coalition of two or more decision makers (up to ``max_size``, or
    the given ``coalitions``), each with the others acting alone: which
    ordinary equilibria it breaks under each concept, and by which joint move.

    >>> r = coalition_search("elmira", ["nash"])
    >>> r.broken_by(7, "nash"), r.unbroken("nash")
    ([('MoE', 'UR')], [5, 6, 10, 11, 12])
    """
    from ..analysis import as_space

    space = as_space(model, max_states=max_states)
    concepts = _check_concepts(concepts)
    if coalitions is None:
        groups = list(_all_coalitions(space.n_dms, 2, max_size))
    else:
        groups = []
        for co in coalitions:
            if isinstance(co, str):
                co = [co]
            part = check_partition(space, [list(co)])
            g = next(p for p in part if space.dm_index(co[0]) in p)
            if g not in groups:
                groups.append(g)
    base = stability_matrix(space, concepts)
    eq = {c: np.flatnonzero(base[c].all(axis=0)) for c in concepts}
    starts = np.unique(np.concatenate([eq[c] for c in concepts])) if concepts else np.zeros(0, np.int64)
    breaks: list[CoalitionBreak] = []
    ui = [improvements(space, d) for d in range(space.n_dms)]
    skipped: list[tuple[int, ...]] = []
    for g in groups if starts.size else []:
        try:
            imp = _improvements(space, g, starts)
        except AnalysisRefused:
            skipped.append(g)
            continue
        if imp.n_moves == 0:
            continue
        src, tgt = imp.sources, imp.targets
        class_moves = [ui[j] for j in range(space.n_dms) if j not in g]
        gmr: np.ndarray | None = None  # over every pair (the scalar test costs the same)
        for c in concepts:
            sel = np.flatnonzero(np.isin(src, eq[c]))  # the joint moves away from c's equilibria
            if not sel.size:
                continue
            if c in ("gmr", "smr") and gmr is None:
                gmr = _undeterred(space, g, "gmr", src, tgt, class_moves)
            u = np.zeros(src.size, dtype=bool)
            if c == "gmr":
                assert gmr is not None
                u[sel] = gmr[sel]
            else:
                done = gmr[sel] if c == "smr" and gmr is not None else None
                u[sel] = _undeterred(space, g, c, src[sel], tgt[sel], class_moves, done)
            breaks += _breaks(space, g, c, imp, u, eq[c])
    breaks.sort(key=lambda b: (COALITION_CONCEPTS.index(b.concept), b.state, len(b.coalition), b.coalition))
    names = tuple(tuple(space.dm_names[d] for d in g) for g in groups if g not in skipped)
    return CoalitionSearchResult(
        space,
        concepts,
        names,
        {c: [int(s) + 1 for s in eq[c]] for c in concepts},
        tuple(breaks),
        tuple(tuple(space.dm_names[d] for d in g) for g in skipped),
        {"concepts": list(concepts), "max_size": max_size},
    )
