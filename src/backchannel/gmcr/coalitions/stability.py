"""Coalition analysis, coalitional stability: every state for every coalition
of a partition (see :mod:`backchannel.gmcr.coalitions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...case.model import Conflict
from ..engine import stability_matrix
from ..statespace import StateSpace
from .joint import _improvements
from .partitions import COALITION_CONCEPTS, _check_concepts, check_partition
from .results import CoalitionBreak, CoalitionResult, _breaks
from .sanctions import _undeterred

# ---------------------------------------------------------------------------
# entry points


def coalition_stability(
    model: StateSpace | Conflict | str | Path,
    partition: Sequence[Sequence[str]] | str | None = None,
    concepts: Sequence[str] = COALITION_CONCEPTS,
    *,
    max_states: int | None = None,
) -> CoalitionResult:
    """Coalitional stability of every state for every coalition of a partition.

    ``partition``: coalitions as lists of decision maker names (or the text
    ``"MoE+UR,LG"``); decision makers not named act alone; ``None``: everyone
    alone, which gives the ordinary analysis.

    >>> r = coalition_stability("elmira", [["MoE", "UR"], ["LG"]], ["nash"])
    >>> r.individual_equilibria("nash"), r.equilibria("nash")
    ([5, 6, 7, 10, 11, 12], [5, 6, 9, 10, 11, 12])
    >>> r.lost("nash"), r.gained("nash")
    ([7], [9])

    State 9 is gained because a coalition acts only when all of its members
    gain: Uniroyal alone would leave it, the Ministry would not go along.
    """
    from ..analysis import as_space

    space = as_space(model, max_states=max_states)
    concepts = _check_concepts(concepts)
    groups = check_partition(space, partition)
    n = space.n_states
    individual = stability_matrix(space, concepts)
    imp = [_improvements(space, g) for g in groups]
    stable = {c: np.ones((len(groups), n), dtype=bool) for c in concepts}
    undeterred: dict[tuple[str, int], np.ndarray] = {}
    for k, g in enumerate(groups):
        src, tgt = imp[k].sources, imp[k].targets
        class_moves = [imp[j] for j in range(len(groups)) if j != k]
        gmr: np.ndarray | None = None
        for c in concepts:
            if c == "smr" and gmr is None:
                gmr = _undeterred(space, g, "gmr", src, tgt, class_moves)
            u = _undeterred(space, g, c, src, tgt, class_moves, gmr if c == "smr" else None)
            if c == "gmr":
                gmr = u
            undeterred[c, k] = u
            stable[c][k] = np.bincount(src[u], minlength=n) == 0
    breaks: list[CoalitionBreak] = []
    for c in concepts:
        lost = np.flatnonzero(individual[c].all(axis=0) & ~stable[c].all(axis=0))
        for k, g in enumerate(groups):
            breaks += _breaks(space, g, c, imp[k], undeterred[c, k], lost)
    breaks.sort(key=lambda b: (COALITION_CONCEPTS.index(b.concept), b.state, b.coalition))
    partition_names = tuple(tuple(space.dm_names[d] for d in g) for g in groups)
    return CoalitionResult(
        space,
        partition_names,
        concepts,
        stable,
        individual,
        tuple(breaks),
        {"concepts": list(concepts), "partition": [list(p) for p in partition_names]},
    )
