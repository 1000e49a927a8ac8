"""Phase dynamics: the status-quo evolution when each party acts on its own picture.

A case's ``timeline`` (:class:`~backchannel.case.model.Phase`) divides time
into phases, each with its perceptions (who does not know which options, who
knows an option exists but cannot see whether it is taken, who believes what
of others' preferences) and the event that ends it.  Within a phase the
conflict moves as in the status-quo analysis of
:mod:`backchannel.gmcr.evolution` (Li, Hipel & Kilgour 2005), except that
every decision maker moves on its own picture (the perceived games of
:mod:`backchannel.gmcr.hypergame`; Bennett 1980; Wang, Hipel & Fraser 1988):

* a decision maker ``k`` judges a state by how it looks to it: options it
  does not know of, or cannot see, read as not taken; its *perceived
  improvement* is one of its moves to a state that looks better to it by its
  own (true) preferences;
* a state is *at rest* when no decision maker wants to move in its own
  picture: under Nash, none has a perceived improvement; under GMR, SMR, SEQ
  and SIM, the state as ``k`` sees it is stable for ``k`` in ``k``'s perceived
  game, so ``k`` anticipates the others' replies as it perceives them (their
  moves in its game, and for SEQ its beliefs about their preferences).

A phase ends by its event: ``when`` an expression holds (e.g. an option
taken: the walk stops there and the next phase starts from that state; where
the conflict comes to rest before the event, it stays: the phase never ends);
after ``moves`` moves (a state at rest stays put while the moves elapse); or
by a ``leak``, a probability per move (the point analysis lets it end after
any number of moves, ``scenarios`` samples the number).  The perceptions then
change to those of the next phase and the walk continues from where it
stands.  The last phase runs to the states at rest that are reachable: the
outcomes.  A decision maker is *surprised* at a phase end when it learns of
an option that is taken in the state where the phase ended.

With no timeline the case's ``perceptions`` make one phase; with none either,
the dynamics are exactly the status-quo evolution (every state looks as it
is), which the tests check.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..case.expr import parse_condition
from ..case.model import Conflict, Phase
from ..case.results import Result, meta
from ..errors import BackchannelError, ModelError
from ..words import CONCEPT_LABELS, join_names
from .batch import batch_stability
from .engine import CONCEPTS
from .hypergame import PerceivedGame, _anticipation, _classify, _mask_of, perceived_game
from .statespace import StateSpace, check_perceptions

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CompiledPhase",
    "DynamicsResult",
    "compile_phases",
    "perceived_payoffs",
    "phase_dynamics",
    "rest_states",
    "walk_edges",
]

_DEFINITIONS = (
    "Status-quo evolution (Li, Hipel & Kilgour 2005) in perceived games (Bennett 1980; Wang, Hipel & "
    "Fraser 1988), phase by phase: each decision maker moves on its own picture of the phase it is in"
)


@dataclass(frozen=True, eq=False)
class CompiledPhase:
    """One phase compiled against the true game's state space."""

    index: int
    phase: Phase
    space: StateSpace  # the true space with this phase's perceptions
    view: np.ndarray  # (n_dms, n_states): universal index of each state as each DM sees it
    unaware: tuple[int, ...]  # per DM: mask of options it does not know of
    hidden: tuple[int, ...]  # per DM: mask of options it does not see (unaware or unsure)
    games: tuple[PerceivedGame, ...]  # per DM: its own perceived game
    beliefs: tuple[tuple[int, ...], ...]  # per DM: the others whose preferences it holds beliefs about
    end_mask: np.ndarray | None  # `when` phases: the states where the event has happened

    @property
    def end_kind(self) -> str | None:
        return None if self.phase.ends is None else self.phase.ends.kind

    @property
    def seen_as_is(self) -> bool:
        """Every decision maker sees every state as it is, with no beliefs: the true game."""
        return not any(self.hidden) and not any(self.beliefs)


def compile_phases(space: StateSpace, phases: list[Phase] | None = None) -> list[CompiledPhase]:
    """The phases of ``space.conflict`` (or ``phases``), checked and compiled."""
    conflict = space.conflict
    phases = conflict.phases() if phases is None else phases
    names = {n: i for i, n in enumerate(conflict.option_names)}
    out = []
    for i, ph in enumerate(phases):
        c = conflict.in_phase(ph)
        loc: tuple[str | int, ...] = ("timeline", i) if conflict.timeline else ()
        try:
            check_perceptions(c)
        except ModelError as e:
            raise ModelError(e.message, (*loc, *e.loc), e.hint) from None
        sp = replace(space, conflict=c)
        games = tuple(perceived_game(sp, name) for name in sp.dm_names)
        view = np.empty((sp.n_dms, sp.n_states), dtype=np.int64)
        for k, g in enumerate(games):
            idx = g.view(sp.codes)
            # a view that is no feasible state of its game (a hidden option was needed): judge it as it is
            view[k] = np.where(idx >= 0, g.universal[np.maximum(idx, 0)], np.arange(sp.n_states))
        unaware = tuple(
            _mask_of(c, c.perceptions[d].unaware_of) if d in c.perceptions else 0 for d in sp.dm_names
        )
        hidden = tuple(g.unknown_mask | g.unseen_mask for g in games)
        beliefs = tuple(
            tuple(sp.dm_index(j) for j in c.perceptions[d].preferences) if d in c.perceptions else ()
            for d in sp.dm_names
        )
        end_mask = None
        if ph.ends is not None and ph.ends.when is not None:
            try:
                end_mask = np.asarray(parse_condition(ph.ends.when, names, len(names)).evaluate(sp.codes))
            except (BackchannelError, ValueError) as e:
                raise ModelError(
                    str(e), (*loc, "ends", "when"), "Write an expression over option names."
                ) from None
        out.append(CompiledPhase(i, ph, sp, view, unaware, hidden, games, beliefs, end_mask))
    return out


# -- batched building blocks (samples × decision makers × states) -------------------------------


def perceived_payoffs(cp: CompiledPhase, payoffs: np.ndarray) -> np.ndarray:
    """Each decision maker's payoff of each state as it sees it: (samples, DMs, states)."""
    out = np.empty_like(payoffs)
    for k in range(payoffs.shape[1]):
        out[:, k] = payoffs[:, k, cp.view[k]]
    return out


def walk_edges(space: StateSpace, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every unilateral move (source, target, mover), ordered by target, mover and source, and per
    sample whether it is a perceived improvement of its mover under perceived payoffs ``q``."""
    src = np.concatenate([space.moves[d].sources for d in range(space.n_dms)])
    tgt = np.concatenate([space.moves[d].targets for d in range(space.n_dms)])
    mov = np.concatenate(
        [np.full(space.moves[d].targets.size, d, dtype=np.int64) for d in range(space.n_dms)]
    )
    order = np.lexsort((src, mov, tgt))
    src, tgt, mov = src[order], tgt[order], mov[order]
    ok = q[:, mov, tgt] > q[:, mov, src]
    return src, tgt, mov, ok


def rest_states(
    cp: CompiledPhase, payoffs: np.ndarray, concept: str, ok: np.ndarray, src: np.ndarray
) -> np.ndarray:
    """Per sample, the states at rest in this phase: no decision maker wants to move in its own picture."""
    b, _n_dm, n = payoffs.shape
    if concept == "nash":
        order = np.argsort(src, kind="stable")
        return ~_any_by(ok[:, order], _segments(src, n))
    rest = np.ones((b, n), dtype=bool)
    for k, g in enumerate(cp.games):
        pay = payoffs[:, :, g.universal].copy()
        for j in cp.beliefs[k]:
            pay[:, j] = g.space.payoffs[j]
        st = batch_stability(g.space, pay, [concept])[concept][:, k]
        idx = g.view(cp.space.codes)
        rest &= np.where(idx >= 0, st[:, np.maximum(idx, 0)], False)
    return rest


def _any_by(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Logical-or of ``values`` (samples × edges) over each CSR segment ``indptr``."""
    b, n = values.shape[0], len(indptr) - 1
    out = np.zeros((b, n), dtype=bool)
    nonempty = indptr[1:] > indptr[:-1]
    if values.shape[1] and nonempty.any():
        out[:, nonempty] = np.logical_or.reduceat(values, indptr[:-1][nonempty], axis=1)
    return out


def _successors(
    frontier: np.ndarray, src: np.ndarray, tgt: np.ndarray, ok: np.ndarray, stop: np.ndarray | None = None
) -> np.ndarray:
    """Per sample, the states one perceived improvement away from the ``frontier`` states
    (not from those where ``stop`` holds); only the edges out of some frontier state are read."""
    f = frontier if stop is None else frontier & ~stop
    out = np.zeros(frontier.shape, dtype=bool)
    cols = np.flatnonzero(np.asarray(f.any(axis=0))[src])
    if cols.size:
        bi, ei = np.nonzero(f[:, src[cols]] & ok[:, cols])
        out[bi, tgt[cols[ei]]] = True
    return out


def _segments(keys: np.ndarray, n: int) -> np.ndarray:
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=indptr[1:])
    return indptr


def _first_parents(
    bi: np.ndarray, ei: np.ndarray, src: np.ndarray, tgt: np.ndarray, mov: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(sample, target, source, mover) of the first edge into each (sample, target)."""
    key = bi * n + tgt[ei]
    _, first = np.unique(key, return_index=True)
    e = ei[first]
    return bi[first], tgt[e], src[e], mov[e]


def bfs(
    n: int,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    start: np.ndarray,
    stop: np.ndarray | None = None,
    parents: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sample, the distance (−1: unreachable), parent and mover of every state reachable
    from the ``start`` states (samples × states) by perceived improvements, not expanding
    from states where ``stop`` holds.  Without ``parents`` only the distances are computed."""
    src, tgt, mov, ok = edges
    b = start.shape[0]
    dist = np.where(start, 0, -1).astype(np.int32)
    parent = np.full((b, n), -1, dtype=np.int32)
    pmov = np.full((b, n), -1, dtype=np.int32)
    frontier = start.copy()
    level = 0
    while frontier.any():
        if not parents:  # the distances only
            fresh = _successors(frontier, src, tgt, ok, stop) & (dist < 0)
            if not fresh.any():
                break
            level += 1
            dist[fresh] = level
            frontier = fresh
            continue
        f = frontier if stop is None else frontier & ~stop
        active = f[:, src] & ok
        bi, ei = np.nonzero(active)
        new = dist[bi, tgt[ei]] < 0
        bi, ei = bi[new], ei[new]
        if bi.size == 0:
            break
        sb, st, ss, sm = _first_parents(bi, ei, src, tgt, mov, n)
        level += 1
        dist[sb, st] = level
        parent[sb, st] = ss
        pmov[sb, st] = sm
        frontier = np.zeros((b, n), dtype=bool)
        frontier[sb, st] = True
    return dist, parent, pmov


def steps(
    n: int,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    start: np.ndarray,
    rest: np.ndarray,
    moves: np.ndarray,
    trace: bool = False,
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """Per sample, the states where the walk can stand after exactly ``moves[sample]`` moves
    (a state at rest stays put).  With ``trace`` (one sample), the parent and mover of each
    state at every move (mover −1: stayed at rest)."""
    src, tgt, mov, ok = edges
    cur = start.copy()
    order = np.argsort(src, kind="stable")
    rest = rest | ~_any_by(ok[:, order], _segments(src, n))  # a state no one improves on stays put
    levels: list[tuple[np.ndarray, np.ndarray]] = []
    for i in range(int(moves.max(initial=0))):
        live = i < moves
        nxt = (cur & rest) | _successors(cur, src, tgt, ok)
        if trace:
            bi, ei = np.nonzero(cur[:, src] & ok)
            par = np.where(cur[0] & rest[0], np.arange(n), -1).astype(np.int32)
            pm = np.full(n, -1, dtype=np.int32)
            _sb, st, ss, sm = _first_parents(bi, ei, src, tgt, mov, n)
            fresh = par[st] < 0
            par[st[fresh]] = ss[fresh]
            pm[st[fresh]] = sm[fresh]
            levels.append((par, pm))
        nxt = np.where(live[:, None], nxt, cur)
        if np.array_equal(nxt, cur) and not trace:
            break
        cur = nxt
    return cur, levels


# -- the point analysis -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DynamicsResult(Result):
    """The phase-by-phase evolution from the status quo, and how it differs from full information."""

    space: StateSpace
    concept: str
    start: int
    phases: list[dict[str, Any]]
    outcomes: list[int]  # state numbers
    paths: dict[int, list[dict[str, Any]]]  # outcome → phases with their steps
    full_information: list[int]
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def only_with_phases(self) -> list[int]:
        return sorted(set(self.outcomes) - set(self.full_information))

    @property
    def only_with_full_information(self) -> list[int]:
        return sorted(set(self.full_information) - set(self.outcomes))

    def to_dict(self) -> dict[str, Any]:
        sp = self.space
        states = sorted({*self.outcomes, *self.full_information})
        return {
            "analysis": "phase dynamics",
            "case": sp.conflict.title,
            "concept": self.concept,
            "start": self.start + 1,
            "phases": self.phases,
            "outcomes": self.outcomes,
            "paths": {str(k): v for k, v in self.paths.items()},
            "full_information": {"outcomes": self.full_information},
            "differs": self.outcomes != self.full_information,
            "only_with_phases": self.only_with_phases,
            "only_with_full_information": self.only_with_full_information,
            "states": {
                str(s): {"pattern": sp.pattern(s - 1), "description": sp.describe(s - 1)} for s in states
            },
            "meta": meta(sp, "phase dynamics", _DEFINITIONS, self.parameters),
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per phase: its start, reached and end states, and who is surprised at its end."""
        import pandas as pd

        rows = [
            {
                "phase": p["name"],
                "ends": p["ends"]["kind"] if p["ends"] else None,
                "start": p["start"],
                "reached": len(p["reached"]),
                "end": p["end"],
                "stays": p["stays"],
                "surprised": sorted({s["decision_maker"] for s in p["surprises"]}),
            }
            for p in self.phases
        ]
        return pd.DataFrame(rows).set_index("phase")

    def summary(self) -> list[str]:
        """The story in plain sentences, phase by phase."""
        sp = self.space
        text = {dm.name: dm.text for dm in sp.conflict.decision_makers}
        label = {o.name: o.text for _, o in sp.conflict.options}
        lines = []
        for p in self.phases:
            head = f"Phase {p['index'] + 1}, {p['label']}"
            blind = [
                f"{text[d]} does not know of {join_names([label[o] for o in v['unaware_of']])}"
                for d, v in p["perceptions"].items()
                if v["unaware_of"]
            ] + [
                f"{text[d]} knows of but cannot see {join_names([label[o] for o in v['unsure_of']])}"
                for d, v in p["perceptions"].items()
                if v["unsure_of"]
            ]
            lines.append(
                f"{head}: " + ("; ".join(blind) if blind else "every party sees the game as it is") + "."
            )
            lines.append(
                f"  From {_states(sp, p['start'])}, the parties can reach {len(p['reached'])} state(s)"
                + (f"; the phase ends ({p['ends']['text']}) at {_states(sp, p['end'])}" if p["ends"] else "")
                + (
                    f"; it would rest at {_states(sp, p['stays'])} if the event never came"
                    if p["stays"]
                    else ""
                )
                + "."
            )
            for s in p["surprises"]:
                verb = "is" if len(s["options"]) == 1 else "are"
                lines.append(
                    f"  At its end, in state {s['state']}, {text[s['decision_maker']]} learns that "
                    f"{join_names([label[o] for o in s['options']])} {verb} taken: {s['kind']} ({s['why']})."
                )
        concept = CONCEPT_LABELS[self.concept]
        lines.append(f"Outcomes ({concept}, each acting on its own picture): {_states(sp, self.outcomes)}.")
        lines.append(f"With full information from the start: {_states(sp, self.full_information)}.")
        if self.outcomes == self.full_information:
            lines.append("The phases do not change the outcomes.")
        else:
            if self.only_with_phases:
                lines.append(
                    f"Only because of what the parties did not know: {_states(sp, self.only_with_phases)}."
                )
            if self.only_with_full_information:
                lines.append(
                    f"Possible with full information but not on the phased path: "
                    f"{_states(sp, self.only_with_full_information)}."
                )
        return lines


def _states(sp: StateSpace, states: list[int]) -> str:
    if not states:
        return "none"
    shown = ", ".join(f"{s} ({sp.describe(s - 1)})" for s in states[:4])
    return shown + (f" and {len(states) - 4} more" if len(states) > 4 else "")


def _perceptions_dict(cp: CompiledPhase) -> dict[str, Any]:
    c = cp.space.conflict
    return {
        d: {
            "unaware_of": list(c.perceptions[d].unaware_of) if d in c.perceptions else [],
            "unsure_of": list(c.perceptions[d].unsure_of) if d in c.perceptions else [],
            "beliefs_about": sorted(c.perceptions[d].preferences) if d in c.perceptions else [],
        }
        for d in cp.space.dm_names
    }


def _ends_dict(ph: Phase) -> dict[str, Any] | None:
    e = ph.ends
    if e is None:
        return None
    if e.when is not None:
        words = f"when {e.when}"
    elif e.moves is not None:
        words = f"after {e.moves} move(s)"
    else:
        words = f"by a leak, probability {e.leak:g} per move"
    return {"kind": e.kind, "when": e.when, "moves": e.moves, "leak": e.leak, "text": words, "note": e.note}


def _option_names(space: StateSpace, mask: int) -> list[str]:
    return [o for i, o in enumerate(space.conflict.option_names) if mask >> i & 1]


def phase_dynamics(model: StateSpace | Conflict | str | Path, concept: str = "nash") -> DynamicsResult:
    """The status-quo evolution phase by phase, each decision maker moving on its own picture.

    >>> r = phase_dynamics("elmira")  # no perceptions: the status-quo evolution itself
    >>> r.outcomes, r.full_information
    ([7], [7])
    """
    from .analysis import as_space
    from .evolution import describe_step, evolution

    space = as_space(model)
    if concept not in CONCEPTS:
        raise BackchannelError(f"unknown concept {concept!r}: choose from {', '.join(CONCEPTS)}")
    if space.status_quo is None:
        raise BackchannelError("the case gives no status quo: the phase dynamics start from it")
    n = space.n_states
    compiled = compile_phases(space)
    payoffs = space.payoffs[None].astype(np.int32)
    start = np.zeros((1, n), dtype=bool)
    start[0, space.status_quo] = True
    # per phase: how each reached state was reached (parent, mover), for the paths
    trails: list[Any] = []
    phases: list[dict[str, Any]] = []
    outcome_mask = np.zeros(n, dtype=bool)
    for cp in compiled:
        q = perceived_payoffs(cp, payoffs)
        edges = walk_edges(space, q)
        rest = rest_states(cp, payoffs, concept, edges[3], edges[0])
        kind = cp.end_kind
        stays = np.zeros(n, dtype=bool)
        if kind == "moves":
            assert cp.phase.ends is not None and cp.phase.ends.moves is not None
            m = np.array([cp.phase.ends.moves])
            end, levels = steps(n, edges, start, rest, m, trace=True)
            dist, _, _ = bfs(n, edges, start)
            reached = dist[0] >= 0
            trails.append(("levels", levels, start[0].copy()))
            end_mask = end[0]
        else:
            stop = None
            if kind == "when":
                assert cp.end_mask is not None
                stop = np.broadcast_to(cp.end_mask, start.shape)
            dist, parent, pmov = bfs(n, edges, start, stop)
            reached = dist[0] >= 0
            trails.append(("bfs", parent[0], pmov[0]))
            if kind is None:
                end_mask = reached & rest[0]
            elif kind == "when":
                assert cp.end_mask is not None
                end_mask = reached & cp.end_mask
                stays = reached & rest[0] & ~cp.end_mask
            else:  # leak: it may come after any number of moves
                end_mask = reached
        outcome_mask |= stays
        phases.append(
            {
                "index": cp.index,
                "name": cp.phase.name,
                "label": cp.phase.text,
                "description": cp.phase.description,
                "ends": _ends_dict(cp.phase),
                "perceptions": _perceptions_dict(cp),
                "start": [int(s) + 1 for s in np.flatnonzero(start[0])],
                "reached": [int(s) + 1 for s in np.flatnonzero(reached)],
                "end": [int(s) + 1 for s in np.flatnonzero(end_mask)] if kind is not None else [],
                "stays": [int(s) + 1 for s in np.flatnonzero(stays)],
                "at_rest": [int(s) + 1 for s in np.flatnonzero(reached & rest[0])],
                "surprises": [],
            }
        )
        if kind is None:
            outcome_mask |= end_mask
        start = end_mask[None].copy()
    # surprises at each phase end: options learned that are taken where the phase ended
    for i, cp in enumerate(compiled[:-1]):
        nxt = compiled[i + 1]
        rows = phases[i]["surprises"]
        anticipated: dict[str, dict[str, np.ndarray]] = {}
        truthful: dict[str, dict[str, np.ndarray]] = {}
        for k, name in enumerate(space.dm_names):
            anticipated[name] = _anticipation(cp.space, k, (concept,), False)[0]
            truthful[name] = (
                _anticipation(cp.space, k, (concept,), True)[0]
                if cp.beliefs[k] or cp.hidden[k]
                else anticipated[name]
            )
        for s in phases[i]["end"]:
            code = int(space.codes[s - 1])
            for k, name in enumerate(space.dm_names):
                learned = cp.hidden[k] & ~nxt.hidden[k] & code
                if not learned:
                    continue
                kind = _classify(cp.space, s - 1, concept, name, cp.unaware[k], anticipated, truthful)
                why = {
                    "stealthy": "until then it saw what it expected",
                    "strategic surprise": "it did not know the option existed",
                    "anticipated": "it knew the option existed and anticipated this state",
                    "preference surprise": "it knew the option existed; it misjudged a preference",
                    "unexpected": "it knew the option existed but did not anticipate this state",
                }[kind]
                if kind == "stealthy":
                    kind = "strategic surprise (stealthy until then)"
                rows.append(
                    {
                        "state": s,
                        "decision_maker": name,
                        "options": _option_names(space, learned),
                        "kind": kind,
                        "why": why,
                    }
                )
    outcomes = [int(s) + 1 for s in np.flatnonzero(outcome_mask)]
    paths = {o: _path(space, compiled, trails, phases, o, describe_step) for o in outcomes}
    full = evolution(
        replace(space, conflict=space.conflict.model_copy(update={"perceptions": {}})), concept=concept
    )
    return DynamicsResult(
        space=space,
        concept=concept,
        start=space.status_quo,
        phases=phases,
        outcomes=outcomes,
        paths=paths,
        full_information=full.equilibria(concept),
        parameters={"concept": concept},
    )


def _path(
    space: StateSpace,
    compiled: list[CompiledPhase],
    trails: list[Any],
    phases: list[dict[str, Any]],
    outcome: int,
    describe: Any,
) -> list[dict[str, Any]]:
    """A path to ``outcome``, phase by phase (back from the phase where it is reached)."""
    # the phase in which the outcome is final: a `when` phase where it stays, else the last
    last = len(compiled) - 1
    for i, p in enumerate(phases):
        if outcome in p["stays"]:
            last = i
            break
    t = outcome - 1
    out: list[dict[str, Any]] = []
    for i in range(last, -1, -1):
        end = t + 1
        trail = trails[i]
        chain: list[tuple[int, int, int]] = []
        if trail[0] == "bfs":
            parent, pmov = trail[1], trail[2]
            while parent[t] >= 0:
                chain.append((int(parent[t]), t, int(pmov[t])))
                t = int(parent[t])
        else:
            for par, pm in reversed(trail[1]):
                prev = int(par[t])
                if int(pm[t]) >= 0:
                    chain.append((prev, t, int(pm[t])))
                t = prev
        chain.reverse()
        out.append(
            {
                "phase": phases[i]["name"],
                "label": phases[i]["label"],
                "from": t + 1,
                "steps": [describe(compiled[i].space, s, u, 1 << m).to_dict() for s, u, m in chain],
                "to": end,
                "surprises": [x for x in phases[i]["surprises"] if i != last and x["state"] == end],
            }
        )
    out.reverse()
    return out
