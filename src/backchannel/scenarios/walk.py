"""Compiled kernels of the phase dynamics over a batch of samples (see :mod:`.phases`).

Each kernel walks every sample over the moves, given as CSR by source state
(``ptr``, ``tgt``), and reads a move's *perceived improvement* as it goes:
move ``e`` improves for its mover in sample ``s`` when
``flat[s, idx_t[e]] > flat[s, idx_s[e]]``, where ``flat`` is the sample's
payoffs flattened to (decision makers × states) and ``idx_t``, ``idx_s`` say
where the mover's payoff of the target and of the source, as the mover sees
them, sit (:meth:`.phases.PhaseRun.edge_index`).  Only the moves out of states
a walk stands on are read, with no temporaries over samples × moves.

A state is *at rest* in a sample when no move out of it improves for its
mover, or (for concepts other than Nash) where ``rest_all`` says so.  The
search from the starting states is
:func:`backchannel.gmcr.kernels.improving_reach_kernel`, shared with the
status-quo distances of :func:`backchannel.gmcr.batch.batch_distance`.
"""

from __future__ import annotations

import numpy as np

from .._jit import jit

__all__ = ["rest_kernel", "steps_kernel"]


@jit
def rest_kernel(
    flat: np.ndarray,
    idx_t: np.ndarray,
    idx_s: np.ndarray,
    ptr: np.ndarray,
    among: np.ndarray,
    rest_all: np.ndarray,
    use_all: bool,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Per sample, which of the states in ``among`` (samples × states) are at rest; into ``out``."""
    b, n = among.shape
    for s in range(b):
        for v in range(n):
            if not among[s, v]:
                out[s, v] = False
                continue
            if use_all and rest_all[s, v]:
                out[s, v] = True
                continue
            moving = False
            for e in range(ptr[v], ptr[v + 1]):
                if flat[s, idx_t[e]] > flat[s, idx_s[e]]:
                    moving = True
                    break
            out[s, v] = not moving


@jit
def steps_kernel(
    flat: np.ndarray,
    idx_t: np.ndarray,
    idx_s: np.ndarray,
    ptr: np.ndarray,
    tgt: np.ndarray,
    start: np.ndarray,
    moves: np.ndarray,
    rest_all: np.ndarray,
    use_all: bool,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Per sample, the states where the walk from the ``start`` states (samples × states) can
    stand after ``moves[sample]`` moves (a state at rest stays put); into ``out``."""
    b, n = start.shape
    cur = np.empty(n, dtype=np.bool_)
    nxt = np.empty(n, dtype=np.bool_)
    for s in range(b):
        for v in range(n):
            cur[v] = start[s, v]
        for _ in range(moves[s]):
            for v in range(n):
                nxt[v] = False
            for v in range(n):
                if not cur[v]:
                    continue
                moving = False
                for e in range(ptr[v], ptr[v + 1]):
                    if flat[s, idx_t[e]] > flat[s, idx_s[e]]:
                        nxt[tgt[e]] = True
                        moving = True
                if not moving or (use_all and rest_all[s, v]):
                    nxt[v] = True
            same = True
            for v in range(n):
                if nxt[v] != cur[v]:
                    same = False
                cur[v] = nxt[v]
            if same:
                break
        for v in range(n):
            out[s, v] = cur[v]
