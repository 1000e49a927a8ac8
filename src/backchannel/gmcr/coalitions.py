"""Coalition analysis: joint moves and coalitional stability.

Definitions (Kilgour, Hipel, Fang & Peng 2001, "Coalition analysis in group
decision support", *Group Decision and Negotiation* 10(2), 159–175; Inohara &
Hipel 2008, "Coalition analysis in the graph model for conflict resolution",
*Systems Engineering* 11(4), 343–359).  ``N`` is the set of decision makers,
``H ⊆ N`` a coalition, ``≻_i`` strict preference of ``i``:

* ``R_H(s)`` — the states the members of ``H`` reach from ``s`` by a *legal
  sequence* of their unilateral moves: any length ≥ 1, no decision maker
  moving twice in a row, any member may move again after another has moved.
  For ``H = {i}`` it is ``R_i(s)``.  The intermediate states need not be
  improvements for anyone.
* ``R_H^{++}(s)`` — the *coalitional improvements* of ``H`` from ``s``: the
  states ``t ∈ R_H(s)`` with ``t ≻_i s`` for **every** member ``i ∈ H``.  For
  ``H = {i}`` it is ``R_i^+(s)``, the unilateral improvements.
* A state ``t`` *deters* ``H`` (relative to ``s``) when ``t ⊁_H s``: some
  member ``i ∈ H`` has ``s ⪰_i t`` — the coalition, which acts only when all
  of its members gain, is no longer united behind the move.
* Class improvements (Inohara & Hipel 2008): given a partition ``𝒫`` of ``N``
  into coalitions, ``R^{++}_{𝒫∖H}(s)`` is the set of states reached by legal
  sequences of coalitional improvements of the *other* coalitions of ``𝒫``
  (each step ``t → u`` has ``u ∈ R_G^{++}(t)`` for some ``G ∈ 𝒫``, ``G ≠ H``;
  no coalition moves twice in a row).

For a coalition ``H`` of a partition ``𝒫``, a state ``s`` is

* **coalition Nash (CNash)** stable iff ``R_H^{++}(s) = ∅``;
* **coalition GMR** stable iff for every ``s1 ∈ R_H^{++}(s)`` some
  ``s2 ∈ R_{N∖H}(s1)`` deters ``H``;
* **coalition SMR** stable iff for every ``s1 ∈ R_H^{++}(s)`` some
  ``s2 ∈ R_{N∖H}(s1)`` deters ``H`` and so does every ``s3 ∈ R_H(s2)`` (the
  coalition cannot escape the sanction by a further joint move);
* **coalition SEQ** stable iff for every ``s1 ∈ R_H^{++}(s)`` some
  ``s2 ∈ R^{++}_{𝒫∖H}(s1)`` deters ``H`` (credible sanctions: each
  sanctioning step is an improvement for the coalition that takes it).

With every coalition a single decision maker these are exactly Nash, GMR,
SMR and SEQ (Fang, Hipel & Kilgour 1993); :func:`coalition_stability` with
the all-singletons partition equals :func:`~backchannel.gmcr.engine.stability_matrix`.

Where a choice was needed:

* Sanctions in GMR/SMR are any legal sequence of unilateral moves by the
  decision makers outside ``H``.  This is the same set whether the outsiders
  are grouped into coalitions or not: a legal sequence of coalitional moves
  is a legal sequence of unilateral moves and conversely (group consecutive
  moves by coalition).  For SEQ the grouping matters; sanctions are class
  improvements of the other coalitions of the partition, so a coalition of
  outsiders sanctions only by joint moves that all of its members prefer.
* Legal sequences follow the ``n``-decision-maker rule of the stability
  engine (a member may move again after another has moved); tools that let
  each member move only once miss joint moves.  (In option form a member's
  two consecutive moves amount to one move or to none, so the rule decides
  only whether ``s`` itself is in ``R_H(s)``, which no definition here
  depends on; it is implemented as stated all the same.)
* A coalition's stability says nothing about a member acting alone; the
  members' individual stability is the ordinary analysis
  (:func:`~backchannel.gmcr.engine.stability_matrix`), kept in the results for
  comparison.
* :func:`coalition_search` examines one coalition at a time, every other
  decision maker acting alone (partition ``{H}`` plus singletons), and asks
  of every ordinary equilibrium whether ``H`` breaks it: whether the state
  is not coalitionally stable for ``H``.  An equilibrium that no coalition
  breaks is what Kilgour et al. (2001) call coalitionally stable.  Elmira is
  the example of Kilgour & Hipel (2005) and Inohara & Hipel (2008): the
  Ministry of the Environment and Uniroyal jointly leave the equilibrium 7
  for state 10, passing through a state that is worse for whoever moves
  first.

Implementation.  ``R_H(s)`` stays inside the *block* of states that agree
with ``s`` on the options of the decision makers outside ``H``.  It is
propagated from the start states as bit sets, by the fixed point over
(state, last mover) that the engine uses with bitwise OR in place of the
minimum, visiting again only the moves whose far end changed.  Starts in
different blocks share bit positions, so a state carries as many bits as
the largest number of starts in one block.  GMR and SEQ sanctions reduce,
member by member, to the engine's :func:`~backchannel.gmcr.engine.reachable_min`:
some ``s2`` deters ``H`` iff for some member ``i`` the least payoff of ``i``
over the sanctions is at most its payoff at ``s``.  For SMR a scalar test of
the same kind settles most joint moves (a sanction from which one member
cannot jointly reach anything it prefers to ``s``); the rest are decided
exactly with bit sets, one bit per distinct payoff vector of the members at
the start.  A coalition whose joint moves reach too many states is refused
(:class:`~backchannel.errors.AnalysisRefused`); the search skips it and says
so.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..case.model import Conflict
from ..case.results import Result, meta
from ..errors import AnalysisRefused, BackchannelError
from .engine import improvements, legal_sequence, reachable_min, stability_matrix
from .statespace import Moves, StateSpace

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COALITION_CONCEPTS",
    "CoalitionBreak",
    "CoalitionResult",
    "CoalitionSearchResult",
    "check_partition",
    "coalition_search",
    "coalition_stability",
    "joint_improvements",
    "joint_move_text",
    "joint_path",
    "parse_partition",
]

COALITION_CONCEPTS: tuple[str, ...] = ("nash", "gmr", "smr", "seq")
CONCEPT_LABELS = {"nash": "Nash", "gmr": "GMR", "smr": "SMR", "seq": "SEQ"}
DEFINITIONS = (
    "Kilgour, Hipel, Fang & Peng (2001); Inohara & Hipel (2008): coalitional improvements by legal "
    "sequences of the members' unilateral moves; coalition Nash, GMR, SMR, SEQ"
)

# Work (64-bit words moved while propagating reachability, plus pairs of
# states compared) one coalition's joint moves may take before it is refused;
# 10**9 is about 8 s on a 2020s laptop core.
WORK_LIMIT = 2_000_000_000
_INF = np.iinfo(np.int32).max
_NUMBERS = {2: "both", 3: "all three", 4: "all four", 5: "all five", 6: "all six"}


# ---------------------------------------------------------------------------
# partitions


def parse_partition(text: str) -> list[list[str]]:
    """``"MoE+UR,LG"`` → ``[["MoE", "UR"], ["LG"]]``: coalitions separated by
    commas, members by ``+``."""
    hint = 'Write coalitions separated by commas and members by "+", e.g. "MoE+UR,LG".'
    out: list[list[str]] = []
    for part in text.split(","):
        members = [m.strip() for m in part.split("+")]
        if not part.strip() or any(not m for m in members):
            raise BackchannelError(f"partition {text!r} has an empty coalition or member. {hint}")
        out.append(members)
    return out


def check_partition(
    space: StateSpace, partition: Sequence[Sequence[str]] | str | None
) -> tuple[tuple[int, ...], ...]:
    """The partition as tuples of decision maker indices (in the conflict's
    order), every decision maker not named forming a coalition of its own.

    Raises :class:`~backchannel.errors.BackchannelError` for an unknown
    decision maker, one named twice, or an empty coalition.
    """
    if partition is None:
        return tuple((d,) for d in range(space.n_dms))
    groups = parse_partition(partition) if isinstance(partition, str) else partition
    where: dict[int, int] = {}  # decision maker → coalition (position in the partition)
    out: list[tuple[int, ...]] = []
    names = ", ".join(space.dm_names)
    for k, group in enumerate(groups):
        if isinstance(group, str):
            raise BackchannelError(
                f"the partition must be a list of coalitions (lists of names), not {group!r} alone; "
                f'e.g. [["MoE", "UR"], ["LG"]]'
            )
        if not group:
            raise BackchannelError("the partition has an empty coalition")
        members: list[int] = []
        for name in group:
            if name not in space.dm_names:
                raise BackchannelError(
                    f"unknown decision maker {name!r} in the partition; the conflict has {names}"
                )
            d = space.dm_index(name)
            if d in where:
                first = "+".join(str(m) for m in groups[where[d]])
                raise BackchannelError(
                    f"decision maker {name!r} is listed twice in the coalition {first}"
                    if where[d] == k
                    else f"decision maker {name!r} is in two coalitions of the partition "
                    f"({first} and {'+'.join(str(m) for m in group)})"
                )
            where[d] = k
            members.append(d)
        out.append(tuple(sorted(members)))
    out += [(d,) for d in range(space.n_dms) if d not in where]
    return tuple(sorted(out))


def _space(model: StateSpace | Conflict | str | Path, max_states: int | None) -> StateSpace:
    if isinstance(model, StateSpace):
        return model
    if isinstance(model, Conflict):
        from .statespace import compile_conflict

        return compile_conflict(model, max_states=max_states)
    from .analysis import compile_case

    return compile_case(model, max_states=max_states)


def _check_concepts(concepts: Sequence[str]) -> tuple[str, ...]:
    unknown = [c for c in concepts if c not in COALITION_CONCEPTS]
    if unknown:
        raise ValueError(
            f"unknown coalition concept(s) {unknown}; choose from {', '.join(COALITION_CONCEPTS)}"
        )
    return tuple(c for c in COALITION_CONCEPTS if c in concepts)


def _name(space: StateSpace, members: Sequence[int]) -> str:
    return "+".join(space.dm_names[d] for d in members)


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


# ---------------------------------------------------------------------------
# sanctions


def _undeterred(
    space: StateSpace,
    members: tuple[int, ...],
    concept: str,
    src: np.ndarray,
    tgt: np.ndarray,
    class_moves: Sequence[Moves],
    gmr_done: np.ndarray | None = None,
) -> np.ndarray:
    """For each coalitional improvement ``src → tgt`` of ``members``: whether
    no sanction under ``concept`` deters it (bool per pair).

    ``class_moves``: the coalitional improvements of the other coalitions
    (SEQ sanctions).  ``gmr_done``: the pairs already known to be undeterred
    under GMR (hence under SMR).
    """
    if concept == "nash" or src.size == 0:
        return np.ones(src.size, dtype=bool)
    others = [j for j in range(space.n_dms) if j not in members]
    if concept in ("gmr", "seq"):
        sanction = [space.moves[j] for j in others] if concept == "gmr" else list(class_moves)
        deterred = np.zeros(src.size, dtype=bool)
        for i in members:
            p = space.payoffs[i]
            low = reachable_min(sanction, p)
            deterred |= low[tgt] <= p[src]
        return ~deterred
    assert concept == "smr"
    if len(members) == 1:
        (i,) = members
        p = space.payoffs[i].astype(np.int32)
        mi = space.moves[i]
        best = np.full(space.n_states, np.iinfo(np.int32).min, dtype=np.int32)
        nonempty = np.diff(mi.indptr) > 0
        if mi.n_moves:
            best[nonempty] = np.maximum.reduceat(p[mi.targets], mi.indptr[:-1][nonempty])
        low = reachable_min([space.moves[j] for j in others], np.maximum(p, best))
        return np.asarray(low[tgt] > p[src])
    # a move no GMR sanction deters, no SMR sanction does: check the others only
    undeterred = np.zeros(src.size, dtype=bool) if gmr_done is None else gmr_done.copy()
    # Sufficient for an SMR sanction: some s2 from which one member cannot
    # jointly reach (s2 included) anything it prefers to s — scalar, per member.
    surely = np.zeros(src.size, dtype=bool)
    mine_moves = [space.moves[d] for d in members]
    for i in members:
        p = space.payoffs[i].astype(np.int32)
        low = reachable_min(mine_moves, -p)
        best = np.where(low == _INF, p, np.maximum(p, -low))
        surely |= reachable_min([space.moves[j] for j in others], best)[tgt] <= p[src]
    check = np.flatnonzero(~undeterred & ~surely)
    if check.size == 0:
        return undeterred
    mine = [_forward(space.moves[d]) for d in members]
    theirs = [_forward(space.moves[j]) for j in others]
    # what deters depends on the start only through its payoffs: one bit per distinct payoff vector
    thresholds, col = np.unique(space.payoffs[list(members)][:, src[check]].T, axis=0, return_inverse=True)
    col = col.ravel()
    batch = 512
    for b0 in range(0, thresholds.shape[0], batch):
        thr = thresholds[b0 : b0 + batch]
        bad = np.ones((space.n_states, thr.shape[0]), dtype=bool)
        for k, i in enumerate(members):
            bad &= space.payoffs[i][:, None] > thr[None, :, k]
        escape = _reach_or(mine, _pack(bad))
        valid = _pack(~bad) & ~escape  # deters H, and H cannot escape (padding bits cleared by _pack)
        deters = _reach_or(theirs, valid)
        sel = (col >= b0) & (col < b0 + batch)
        pairs = check[sel]
        undeterred[pairs] = ~_bit(deters, tgt[pairs], col[sel] - b0)
    return undeterred


# ---------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class CoalitionBreak:
    """A coalition's joint move away from a state that no sanction deters
    under ``concept``: the state is not coalitionally stable for it.

    ``target`` is the simplest such move (fewest options changed, then the
    lowest state number); ``targets`` lists every undeterred one.
    ``changes``: ``(decision maker, option, taken at the target)`` for every
    option that differs.  :func:`joint_path` gives a legal sequence of the
    members' unilateral moves that realises the joint move.
    """

    concept: str
    state: int
    coalition: tuple[str, ...]
    target: int
    targets: tuple[int, ...]
    changes: tuple[tuple[str, str, bool], ...]
    text: str

    @property
    def movers(self) -> tuple[str, ...]:
        """The members whose options differ between the state and the target."""
        seen = {dm for dm, _, _ in self.changes}
        return tuple(m for m in self.coalition if m in seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "concept": self.concept,
            "state": self.state,
            "coalition": list(self.coalition),
            "target": self.target,
            "targets": list(self.targets),
            "movers": list(self.movers),
            "changes": [{"decision_maker": d, "option": o, "taken": t} for d, o, t in self.changes],
            "text": self.text,
        }


def _join(items: Sequence[str], word: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _state_text(space: StateSpace, s: int) -> str:
    what = space.describe(s)
    return f"state {s + 1} {what}" if what.startswith("(") else f"state {s + 1} ({what})"


def _changes(space: StateSpace, s: int, t: int) -> tuple[tuple[str, str, bool], ...]:
    diff = int(space.codes[s]) ^ int(space.codes[t])
    code_t = int(space.codes[t])
    return tuple(
        (dm.name, opt.name, bool(code_t >> i & 1))
        for i, (dm, opt) in enumerate(space.conflict.options)
        if diff >> i & 1
    )


def _changes_text(space: StateSpace, changes: Sequence[tuple[str, str, bool]]) -> str:
    conflict = space.conflict
    per: dict[str, list[str]] = {}
    opts = {o.name: o for _, o in conflict.options}
    for dm, opt, taken in changes:
        per.setdefault(dm, []).append(f"{'takes' if taken else 'withdraws'} “{opts[opt].text}”")
    return "; ".join(f"{conflict.dm(dm).text} {_join(acts)}" for dm, acts in per.items())


def joint_move_text(
    space: StateSpace,
    coalition: Sequence[str],
    state: int,
    target: int,
    concepts: Sequence[str] = ("nash",),
) -> str:
    """A coalition's undeterred joint move from state number ``state`` to
    ``target`` in words, for the concepts under which it breaks ``state``.

    >>> from backchannel.gmcr.analysis import compile_case
    >>> print(joint_move_text(compile_case("elmira"), ["MoE", "UR"], 7, 10))  # doctest: +NORMALIZE_WHITESPACE
    Ministry of the Environment and Uniroyal Chemical can jointly move from state 7 (delay, insist)
    to state 10 (modify, accept, insist): both prefer it; state 7 is not a coalitional equilibrium
    (Nash). The move: Ministry of the Environment takes “Modify the control order”; Uniroyal
    Chemical withdraws “Delay (appeal)” and takes “Accept the control order”.
    """
    conflict = space.conflict
    members = sorted(space.dm_index(m) for m in coalition)
    s, t = state - 1, target - 1
    who = _join([conflict.dm(space.dm_names[d]).text for d in members])
    others = [conflict.dm(space.dm_names[j]).text for j in range(space.n_dms) if j not in members]
    if len(members) == 1:
        head = f"{who} can move from {_state_text(space, s)} to {_state_text(space, t)}: it prefers it"
    else:
        both = _NUMBERS.get(len(members), f"all {len(members)}")
        head = f"{who} can jointly move from {_state_text(space, s)} to {_state_text(space, t)}"
        head += f": {both} prefer it"
    if others and any(c != "nash" for c in concepts):
        them = _join(others)
        make = "makes" if len(others) == 1 else "make"
        do = "does" if len(others) == 1 else "do"
        if len(members) == 1:
            they, remain, all_prefer = "it", "remains", "it prefers"
        else:
            they = _NUMBERS.get(len(members), f"all {len(members)}")
            remain = "remain"
            all_prefer = "they both prefer" if len(members) == 2 else "they all prefer"
        better = f"{they} {remain} better off than at state {state}"
        jointly = "" if len(members) == 1 else " jointly"
        clauses = []
        if "gmr" in concepts:  # GMR sanctions include the SMR and SEQ ones
            clauses.append(f"whatever sequence of moves {them} {make}, {better}")
        else:
            if "smr" in concepts:
                clauses.append(
                    f"whatever {them} {do}, {better} or can move on{jointly} to a state {all_prefer} to it"
                )
            if "seq" in concepts:
                clauses.append(
                    f"whatever sequence of moves {them} {make} that each improve the position of whoever "
                    f"makes them, {better}"
                )
        head += ", and " + "; and ".join(clauses)
    labels = ", ".join(CONCEPT_LABELS[c] for c in COALITION_CONCEPTS if c in concepts)
    changes = _changes_text(space, _changes(space, s, t))
    return f"{head}; state {state} is not a coalitional equilibrium ({labels}). The move: {changes}."


def _breaks(
    space: StateSpace,
    members: tuple[int, ...],
    concept: str,
    imp: Moves,
    undeterred: np.ndarray,
    states: np.ndarray,
) -> list[CoalitionBreak]:
    """The break records of the given states (indices): their undeterred
    coalitional improvements among the pairs of ``imp``."""
    out: list[CoalitionBreak] = []
    names = tuple(space.dm_names[d] for d in members)
    for s in np.unique(states).tolist():
        lo, hi = int(imp.indptr[s]), int(imp.indptr[s + 1])
        tg = imp.targets[lo:hi][undeterred[lo:hi]].astype(np.int64)
        if tg.size == 0:
            continue
        flips = _popcount(space.codes[tg] ^ space.codes[s])
        t = int(tg[int(np.argmin(flips))])  # fewest changes; lowest number among equals (ascending)
        out.append(
            CoalitionBreak(
                concept=concept,
                state=s + 1,
                coalition=names,
                target=t + 1,
                targets=tuple(int(x) + 1 for x in tg),
                changes=_changes(space, s, t),
                text=joint_move_text(space, names, s + 1, t + 1, [concept]),
            )
        )
    return out


def _states_dict(space: StateSpace, states: Sequence[int]) -> dict[str, dict[str, str]]:
    return {
        str(n): {"pattern": space.pattern(n - 1), "description": space.describe(n - 1)}
        for n in sorted(set(states))
    }


def _numbers(mask: Any) -> list[int]:
    return [int(s) + 1 for s in np.flatnonzero(np.asarray(mask))]


@dataclass(frozen=True, eq=False)
class CoalitionResult(Result):
    """Coalitional stability of every state for every coalition of a partition.

    ``stable[concept]`` is a bool array ``(n_coalitions, n_states)``, rows in
    the order of ``partition``; ``individual[concept]`` is the ordinary
    stability ``(n_dms, n_states)`` for comparison.  ``breaks`` explain every
    ordinary equilibrium that is not a coalitional one: a coalition's
    undeterred joint move away from it.
    """

    space: StateSpace
    partition: tuple[tuple[str, ...], ...]
    concepts: tuple[str, ...]
    stable: dict[str, np.ndarray]
    individual: dict[str, np.ndarray]
    breaks: tuple[CoalitionBreak, ...]
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def coalition_names(self) -> list[str]:
        return ["+".join(c) for c in self.partition]

    def coalition_of(self, dm: str) -> tuple[str, ...]:
        """The coalition of the partition that ``dm`` belongs to."""
        self.space.dm_index(dm)
        return next(c for c in self.partition if dm in c)

    def _row(self, who: str | Sequence[str]) -> int:
        key = tuple(sorted([who] if isinstance(who, str) else who, key=self.space.dm_names.index))
        if len(key) == 1:
            key = self.coalition_of(key[0])
        try:
            return self.partition.index(key)
        except ValueError:
            raise KeyError(f"{'+'.join(key)} is not a coalition of the partition") from None

    def stable_states(self, who: str | Sequence[str], concept: str) -> list[int]:
        """State numbers coalitionally stable for a coalition of the partition
        (its members' names, or any one member's name)."""
        return _numbers(self.stable[concept][self._row(who)])

    def is_stable(self, state: int, who: str | Sequence[str], concept: str) -> bool:
        return bool(self.stable[concept][self._row(who), state - 1])

    def equilibria(self, concept: str) -> list[int]:
        """Coalitional equilibria: states stable for every coalition of the partition."""
        return _numbers(self.stable[concept].all(axis=0))

    def individual_equilibria(self, concept: str) -> list[int]:
        """The ordinary equilibria (every decision maker acting alone)."""
        return _numbers(self.individual[concept].all(axis=0))

    def lost(self, concept: str) -> list[int]:
        """Ordinary equilibria that are not coalitional equilibria."""
        return sorted(set(self.individual_equilibria(concept)) - set(self.equilibria(concept)))

    def gained(self, concept: str) -> list[int]:
        """Coalitional equilibria that are not ordinary equilibria."""
        return sorted(set(self.equilibria(concept)) - set(self.individual_equilibria(concept)))

    def dm_stable(self, concept: str) -> np.ndarray:
        """``(n_dms, n_states)``: each decision maker's row is its coalition's."""
        rows = [self._row(dm) for dm in self.space.dm_names]
        return self.stable[concept][rows]

    def to_dict(self) -> dict[str, Any]:
        sp = self.space
        names = self.coalition_names
        mentioned = [b.state for b in self.breaks] + [b.target for b in self.breaks]
        for c in self.concepts:
            mentioned += self.equilibria(c) + self.individual_equilibria(c)
        return {
            "case": sp.conflict.title,
            "concepts": list(self.concepts),
            "partition": [list(c) for c in self.partition],
            "coalitions": [
                {"name": n, "members": list(c), "labels": [sp.conflict.dm(m).text for m in c]}
                for n, c in zip(names, self.partition, strict=True)
            ],
            "n_states": sp.n_states,
            "status_quo": None if sp.status_quo is None else sp.status_quo + 1,
            "stability": {
                n: {c: _numbers(self.stable[c][k]) for c in self.concepts} for k, n in enumerate(names)
            },
            "equilibria": {c: self.equilibria(c) for c in self.concepts},
            "individual_equilibria": {c: self.individual_equilibria(c) for c in self.concepts},
            "lost": {c: self.lost(c) for c in self.concepts},
            "gained": {c: self.gained(c) for c in self.concepts},
            "breaks": [b.to_dict() for b in self.breaks],
            "states": _states_dict(sp, mentioned),
            "meta": meta(sp, "coalition_stability", DEFINITIONS, self.parameters),
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per state: a column ``<coalition>.<concept>`` per coalition
        and concept, ``eq_<concept>`` (coalitional) and ``individual_eq_<concept>``."""
        import pandas as pd

        sp = self.space
        data: dict[str, Any] = {
            "number": np.arange(1, sp.n_states + 1),
            "pattern": sp.patterns(),
            "description": [sp.describe(s) for s in range(sp.n_states)],
        }
        for c in self.concepts:
            for k, n in enumerate(self.coalition_names):
                data[f"{n}.{c}"] = self.stable[c][k]
        for c in self.concepts:
            data[f"eq_{c}"] = self.stable[c].all(axis=0)
            data[f"individual_eq_{c}"] = self.individual[c].all(axis=0)
        return pd.DataFrame(data).set_index("number")


@dataclass(frozen=True, eq=False)
class CoalitionSearchResult(Result):
    """Which coalitions break which ordinary equilibria, and by which joint move.

    ``coalitions`` are those examined (each with every other decision maker
    acting alone); ``equilibria[concept]`` the ordinary equilibria (state
    numbers); ``breaks`` one record per (concept, equilibrium, coalition)
    that breaks it.  ``skipped``: coalitions too large to examine (their
    joint moves reach too many states); an equilibrium reported unbroken may
    still be broken by one of them.
    """

    space: StateSpace
    concepts: tuple[str, ...]
    coalitions: tuple[tuple[str, ...], ...]
    equilibria: dict[str, list[int]]
    breaks: tuple[CoalitionBreak, ...]
    skipped: tuple[tuple[str, ...], ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)

    def breaks_of(self, concept: str, state: int | None = None) -> list[CoalitionBreak]:
        return [b for b in self.breaks if b.concept == concept and (state is None or b.state == state)]

    def broken_by(self, state: int, concept: str) -> list[tuple[str, ...]]:
        """The coalitions that break equilibrium ``state`` under ``concept``."""
        return [b.coalition for b in self.breaks_of(concept, state)]

    def unbroken(self, concept: str) -> list[int]:
        """The equilibria that no coalition breaks (coalitionally stable)."""
        broken = {b.state for b in self.breaks_of(concept)}
        return [e for e in self.equilibria[concept] if e not in broken]

    def to_dict(self) -> dict[str, Any]:
        sp = self.space
        mentioned = [b.state for b in self.breaks] + [b.target for b in self.breaks]
        return {
            "case": sp.conflict.title,
            "concepts": list(self.concepts),
            "coalitions": [list(c) for c in self.coalitions],
            "skipped": [list(c) for c in self.skipped],
            "n_states": sp.n_states,
            "status_quo": None if sp.status_quo is None else sp.status_quo + 1,
            "equilibria": {c: self.equilibria[c] for c in self.concepts},
            "unbroken": {c: self.unbroken(c) for c in self.concepts},
            "broken_by": {
                c: {str(e): ["+".join(h) for h in self.broken_by(e, c)] for e in self.equilibria[c]}
                for c in self.concepts
            },
            "breaks": [b.to_dict() for b in self.breaks],
            "states": _states_dict(sp, mentioned),
            "meta": meta(sp, "coalition_search", DEFINITIONS, self.parameters),
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per break: concept, state, coalition, target, movers, changes, text."""
        import pandas as pd

        rows = [
            {
                "concept": b.concept,
                "state": b.state,
                "coalition": "+".join(b.coalition),
                "target": b.target,
                "targets": ", ".join(map(str, b.targets)),
                "movers": "+".join(b.movers),
                "changes": _changes_text(self.space, b.changes),
                "text": b.text,
            }
            for b in self.breaks
        ]
        cols = ["concept", "state", "coalition", "target", "targets", "movers", "changes", "text"]
        return pd.DataFrame(rows, columns=cols)


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
    space = _space(model, max_states)
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
    space = _space(model, max_states)
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
