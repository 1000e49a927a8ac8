"""Simultaneous sanctioning (SIM), with joint or pairwise replies.

A unilateral improvement (UI) of the focal decision maker ``i`` from state
``s`` to ``s1`` is *simultaneously sanctioned* when its opponents, moving at
the same moment from the same state ``s``, can turn it into a feasible state
that ``i`` does not prefer to ``s``.  Each decision maker changes only its own
options, so moves made at once combine option by option: ``i``'s options as in
``s1``, every replying opponent ``j``'s options as in the state its UI reaches
from ``s``, everyone else's as in ``s``.  With codes (a bit per option) the
combined state is ``code(s1) XOR (code(s2_j) XOR code(s))`` over the replies.

* ``"joint"`` (the default): any non-empty set of opponents replies, each
  with one of its UIs from ``s``: every combination in the product over
  opponents.  This is the definition GMCR+ implements (Kinsara et al. 2015;
  see ``docs/bibliography.md`` for where this was checked in its source).
  With two decision makers it is the classical SIM of Fang, Hipel & Kilgour
  (1989).
* ``"pairwise"``: one opponent replies (attributed to Fraser & Hipel 1984
  for more than two players; unverified).  It answers fewer UIs, so
  pairwise-stable ⊆ joint-stable.

Cost and limit.  A state ``s`` has ``prod_j (1 + |UI_j(s)|) - 1`` joint
replies, exponential in the number of opponents.  A compiled depth-first
search (:func:`backchannel.gmcr.kernels.sim_kernel`) grows each reply
opponent by opponent and stops at the first that sanctions; a partial reply
is cut as soon as a lower bound on the focal decision maker's payoff over
every state agreeing with it (read from tables over the options of the focal
decision maker and the opponents fixed so far) is above its payoff at ``s``,
and a state is settled unstable at its first unsanctioned UI.  A state with
more than :data:`MAX_JOINT_REPLIES` joint replies where the focal decision
maker can improve is refused before the search, and the search stops, with
:class:`~backchannel.errors.AnalysisRefused`, once it has built
:data:`MAX_JOINT_WORK` complete replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations, product
from typing import Literal

import numpy as np

from ..errors import AnalysisRefused
from .kernels import parts_kernel, sim_kernel, sim_tables_kernel, use_kernels
from .sim_arrays import sim_row_arrays
from .statespace import Moves, StateSpace

__all__ = [
    "MAX_JOINT_REPLIES",
    "MAX_JOINT_WORK",
    "SIM_MODES",
    "SimMode",
    "SimSearch",
    "check_sim_mode",
    "sim_reply",
    "sim_stability",
]

SimMode = Literal["joint", "pairwise"]
SIM_MODES: tuple[str, ...] = ("joint", "pairwise")

#: Most joint replies (combinations of the opponents' UIs) at one state.
MAX_JOINT_REPLIES = 1 << 22
#: Most complete joint replies the search builds for one focal decision maker.
MAX_JOINT_WORK = 1 << 36


def check_sim_mode(mode: str) -> SimMode:
    """``mode`` if it is a SIM mode; ValueError naming the choices otherwise."""
    if mode not in SIM_MODES:
        raise ValueError(f"unknown SIM mode {mode!r}; choose from {', '.join(SIM_MODES)}")
    return mode  # type: ignore[return-value]


def sim_stability(space: StateSpace, ui: Sequence[Moves], mode: str = "joint") -> np.ndarray:
    """SIM stability of every state for every decision maker: bool array
    (decision makers × states).

    ``ui[j]`` are the unilateral improvements of decision maker ``j`` (as
    :func:`backchannel.gmcr.engine.improvements`); ``mode`` is ``"joint"`` or
    ``"pairwise"`` (see the module docstring).
    """
    search = SimSearch(space, ui, mode)
    out = np.ones((space.n_dms, space.n_states), dtype=bool)
    for k in range(space.n_dms):
        out[k] = search.row(k)
    return out


class SimSearch:
    """What the SIM search of every focal decision maker shares; :meth:`row`
    is one decision maker's stability (rows may run in parallel threads).
    Refuses at once (:class:`~backchannel.errors.AnalysisRefused`) when a
    state has too many joint replies."""

    def __init__(self, space: StateSpace, ui: Sequence[Moves], mode: str = "joint") -> None:
        self.space, self.mode, self.ui = space, check_sim_mode(mode), ui
        n, n_dm = space.n_states, space.n_dms
        if self.mode == "joint" and n_dm >= 3 and n:
            counts = np.stack([np.diff(m.indptr) for m in ui])  # UIs per decision maker and state
            for k in range(n_dm):
                _check_size(space, k, counts, np.array([j for j in range(n_dm) if j != k]))
        self.compiled = use_kernels(n)
        if not self.compiled:
            self.deltas = [space.codes[m.targets] ^ space.codes[m.sources] for m in ui]
            return
        self.codes = np.ascontiguousarray(space.codes, dtype=np.uint64)
        self.lookup = space._lookup if space._lookup is not None else np.zeros(0, dtype=np.int64)
        self.ui_ptr = np.empty((n_dm, n + 1), dtype=np.int64)
        at = 0
        for d, m in enumerate(ui):
            self.ui_ptr[d] = m.indptr + at
            at += m.n_moves
        self.ui_tgt = np.concatenate([m.targets for m in ui]) if ui else np.zeros(0, np.int32)  # int32
        self.parts = parts_kernel(self.codes, np.array(space.dm_masks, dtype=np.uint64))
        self.radix = np.array([1 << bin(mask).count("1") for mask in space.dm_masks], dtype=np.int64)

    def row(self, k: int) -> np.ndarray:
        space = self.space
        if space.n_states == 0:
            return np.ones(0, dtype=bool)
        if not self.compiled:
            return sim_row_arrays(
                space, k, self.ui, self.deltas, self.mode, (MAX_JOINT_REPLIES, MAX_JOINT_WORK)
            )
        radix = self.radix
        opponents = np.array([j for j in range(space.n_dms) if j != k], dtype=np.int64)
        group = [k]  # bound tables over k, then the opponents, while they stay small
        size = int(radix[k])
        for j in opponents[:-1]:
            if size * int(radix[j]) > _TABLE:
                break
            size *= int(radix[j])
            group.append(int(j))
        if int(radix[k]) > _TABLE:
            group = []
        p = np.ascontiguousarray(space.payoffs[k], dtype=np.int32)
        tab, offs = sim_tables_kernel(p, self.parts, np.array(group, dtype=np.int64), radix)
        stable, where = sim_kernel(
            k,
            opponents,
            p,
            self.codes,
            self.lookup,
            self.ui_ptr,
            self.ui_tgt,
            self.parts,
            radix,
            tab,
            offs,
            self.mode == "joint",
            MAX_JOINT_WORK,
        )
        if where >= 0:
            raise AnalysisRefused(
                f"SIM with joint replies is too large here: by state {where + 1} the search has built "
                f"{MAX_JOINT_WORK:,} joint replies of the opponents of {space.dm_names[k]}, the limit. "
                f"{_ADVICE}"
            )
        return np.asarray(stable, dtype=bool)


_TABLE = 1 << 22  # entries of one bound table
_ADVICE = (
    "Use the pairwise reading (--sim pairwise, sim_mode='pairwise'), leave SIM out (--concept), or reduce "
    "the options per decision maker."
)


def _check_size(space: StateSpace, k: int, counts: np.ndarray, opponents: np.ndarray) -> None:
    """Refuse when a state where ``k`` can improve has too many joint replies."""
    live = counts[k] > 0
    replies = np.prod(1.0 + counts[opponents][:, live], axis=0)
    if replies.size and float(replies.max()) > MAX_JOINT_REPLIES:
        s = int(np.flatnonzero(live)[int(np.argmax(replies))])
        raise AnalysisRefused(
            f"SIM with joint replies is too large here: at state {s + 1} the opponents of "
            f"{space.dm_names[k]} have {int(replies.max()) - 1:,} combinations of simultaneous improvements; "
            f"the limit is {MAX_JOINT_REPLIES:,} per state. {_ADVICE}"
        )


def sim_reply(
    space: StateSpace, k: int, s: int, s1: int, ui: Sequence[Moves], mode: str = "joint"
) -> tuple[list[tuple[int, int]], int] | None:
    """A simultaneous reply that sanctions ``k``'s move from ``s`` to ``s1``:
    ``([(opponent, its UI target), …], combined state)`` with the fewest
    opponents, or None.  The witness of :func:`sim_stable` for one move."""
    mode = check_sim_mode(mode)
    p = space.payoffs[k]
    codes = space.codes
    base = int(codes[s])
    options = [[(j, int(t)) for t in ui[j].of(s).tolist()] for j in range(space.n_dms) if j != k]
    options = [o for o in options if o]
    most = 1 if mode == "pairwise" else len(options)
    for size in range(1, most + 1):
        for group in combinations(range(len(options)), size):
            for replies in product(*(options[g] for g in group)):
                code = int(codes[s1])
                for _, t in replies:
                    code ^= base ^ int(codes[t])
                c = int(space.index_of(code))
                if c >= 0 and p[c] <= p[s]:
                    return list(replies), c
    return None
