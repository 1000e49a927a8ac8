"""Status quo analysis: how a conflict can evolve from a state.

From a starting state (by default the status quo), the conflict moves by
*unilateral improvements* (UIs): any decision maker, in any order, moves to a
state it strictly prefers (Li, Hipel & Kilgour 2005, "Status quo analysis in
the graph model for conflict resolution", *Journal of the Operational Research
Society* 56(6), 699–707; Xu, Kilgour, Hipel & Kemkes 2010, "Using matrices to
link conflict evolution and resolution in a graph model", *European Journal of
Operational Research* 207(1)).  The analysis answers: which states can be
reached, which of them are equilibria (under the chosen solution concepts),
and how — a shortest sequence of moves to each reachable equilibrium, each
step naming who moves and which options are taken or withdrawn.

With ``coalitions=True`` the conflict may also move by *coalition
improvements*: two or more decision makers change their options at the same
moment, to a feasible state that every one of them strictly prefers (after
Kilgour, Hipel, Fang & Peng 2001, "Coalition analysis in group decision
support", *Group Decision and Negotiation* 10(2), 159–175).  A joint move's
movers are exactly the decision makers whose options change; each member's
change must respect the reversibility of its options, but the intermediate
states (one member having moved, the others not yet) need not be feasible —
the joint move is simultaneous, not a sequence of unilateral moves.

Implementation: a breadth-first search over the state graph, frontier by
frontier, vectorised over the CSR move arrays of :mod:`backchannel.gmcr.statespace`
(no Python loop over states), so that state spaces of 10⁵–10⁶ states are
searched in well under a second for unilateral improvements.  Coalition moves
are found by grouping states on the options of the decision makers outside
the coalition; their number grows with the size of the groups, and the
search refuses (:class:`~backchannel.errors.AnalysisRefused`) rather than run
out of memory.

Exports: GraphML (:meth:`EvolutionResult.to_graphml`), Graphviz DOT
(:meth:`EvolutionResult.to_dot`) and a JSON graph
(:meth:`EvolutionResult.graph`), written without third-party libraries.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..case.model import Conflict
from ..case.results import Result, meta
from ..errors import AnalysisRefused, BackchannelError
from ..words import join_names
from .engine import CONCEPTS, improvements, stability_matrix
from .statespace import Moves, StateSpace

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Change", "EvolutionResult", "Step", "describe_step", "evolution", "resolve_state"]

#: Candidate joint moves examined at most (over the whole search) before the
#: coalition search is refused.
MAX_COALITION_CANDIDATES = 200_000_000
_CHUNK = 1 << 22  # candidate pairs handled at once

_DEFINITIONS = (
    "Status quo analysis by unilateral improvements (Li, Hipel & Kilgour 2005; "
    "Xu, Kilgour, Hipel & Kemkes 2010); coalition improvements: simultaneous changes by two "
    "or more decision makers, each strictly better off (after Kilgour, Hipel, Fang & Peng 2001)"
)


# ---------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class Change:
    """What one decision maker changes in a step: options adopted and withdrawn (names)."""

    decision_maker: str
    adopted: tuple[str, ...]
    withdrawn: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One move of an evolution path: ``source`` → ``target`` (state numbers)."""

    movers: tuple[str, ...]  # decision maker names
    source: int
    target: int
    changes: tuple[Change, ...]
    text: str  # in words, with labels

    @property
    def coalition(self) -> bool:
        return len(self.movers) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "movers": list(self.movers),
            "coalition": self.coalition,
            "changes": [
                {
                    "decision_maker": c.decision_maker,
                    "adopted": list(c.adopted),
                    "withdrawn": list(c.withdrawn),
                }
                for c in self.changes
            ],
            "text": self.text,
        }


@dataclass(frozen=True, eq=False)
class EvolutionResult(Result):
    """The states reachable from ``start`` and the shortest paths to them.

    Arrays are over state indices (state number − 1): ``distance`` is the
    number of steps from the start (−1 where unreachable); ``parent`` and
    ``parent_movers`` give, for each reached state, the previous state of one
    shortest path and the movers of that last step (a bit mask over decision
    makers).  ``edges`` are the improvements found from the expanded states:
    source, target and movers-mask arrays.
    """

    space: StateSpace
    start: int  # state index
    concepts: tuple[str, ...]
    coalitions: bool
    max_steps: int | None
    distance: np.ndarray  # int32 (n_states,)
    parent: np.ndarray  # int32 (n_states,)
    parent_movers: np.ndarray  # int64 (n_states,)
    edge_source: np.ndarray  # int32
    edge_target: np.ndarray  # int32
    edge_movers: np.ndarray  # int64
    stable: dict[str, np.ndarray]  # concept → bool (n_dms, n_states)
    parameters: dict[str, Any] = field(default_factory=dict)

    # -- queries ----------------------------------------------------------
    @property
    def start_number(self) -> int:
        return self.start + 1

    def reachable(self) -> list[int]:
        """State numbers reachable from the start (the start included), ascending."""
        return [int(s) + 1 for s in np.flatnonzero(self.distance >= 0)]

    def steps_to(self, state: int) -> int | None:
        """The length of a shortest path to ``state`` (a number), or None if unreachable."""
        d = int(self.distance[self._index(state)])
        return None if d < 0 else d

    def is_equilibrium(self, state: int, concept: str) -> bool:
        return bool(self.stable[concept][:, self._index(state)].all())

    def equilibria(self, concept: str | None = None) -> list[int]:
        """Reachable equilibria (state numbers) under ``concept`` (default: the first one asked)."""
        c = concept or self.concepts[0]
        if c not in self.stable:
            raise KeyError(f"concept {c!r} was not computed; computed: {', '.join(self.concepts)}")
        mask = (self.distance >= 0) & self.stable[c].all(axis=0)
        return [int(s) + 1 for s in np.flatnonzero(mask)]

    def all_equilibria(self) -> list[int]:
        """Reachable states that are equilibria under at least one of the concepts."""
        mask = np.zeros(self.space.n_states, dtype=bool)
        for c in self.concepts:
            mask |= self.stable[c].all(axis=0)
        return [int(s) + 1 for s in np.flatnonzero(mask & (self.distance >= 0))]

    def path(self, state: int) -> list[Step]:
        """A shortest path from the start to ``state`` (a number), as steps; [] for the start.

        Raises ``ValueError`` if ``state`` is not reachable.
        """
        t = self._index(state)
        if self.distance[t] < 0:
            raise ValueError(f"state {state} is not reachable from state {self.start_number}")
        chain: list[tuple[int, int, int]] = []
        while t != self.start:
            p = int(self.parent[t])
            chain.append((p, t, int(self.parent_movers[t])))
            t = p
        return [describe_step(self.space, s, t, m) for s, t, m in reversed(chain)]

    def _index(self, state: int) -> int:
        if not 1 <= state <= self.space.n_states:
            raise ValueError(f"no state {state}: states are numbered 1 to {self.space.n_states}")
        return state - 1

    def on_path_edges(self) -> set[tuple[int, int]]:
        """(source, target) index pairs on the shortest paths to the reachable equilibria."""
        out: set[tuple[int, int]] = set()
        for e in self.all_equilibria():
            t = e - 1
            while t != self.start and self.parent[t] >= 0:
                p = int(self.parent[t])
                out.add((p, t))
                t = p
        return out

    # -- graph ------------------------------------------------------------
    def graph(self, *, all_moves: bool = False) -> dict[str, Any]:
        """The evolution graph as plain data: nodes (reachable states) and edges.

        Edges are the improvements from the searched states (``ui`` for a
        unilateral improvement, ``coalition`` for a joint one); with
        ``all_moves`` also every other unilateral move between reachable
        states (``ui`` false).  ``on_path`` marks the edges of the shortest
        paths to the reachable equilibria.
        """
        sp = self.space
        reach = np.flatnonzero(self.distance >= 0)
        eq: dict[str, np.ndarray] = {c: np.asarray(self.stable[c].all(axis=0)) for c in self.concepts}
        nodes = [
            {
                "id": f"s{s + 1}",
                "number": int(s) + 1,
                "pattern": sp.pattern(int(s)),
                "description": sp.describe(int(s)),
                "distance": int(self.distance[s]),
                "start": bool(s == self.start),
                "status_quo": bool(s == sp.status_quo),
                "equilibrium": {c: bool(eq[c][s]) for c in self.concepts},
            }
            for s in reach
        ]
        on_path = self.on_path_edges()
        edges = []
        for s, t, m in self._edge_list(all_moves):
            movers = _mover_names(sp, m)
            edges.append(
                {
                    "source": f"s{s + 1}",
                    "target": f"s{t + 1}",
                    "from": s + 1,
                    "to": t + 1,
                    "movers": movers,
                    "ui": m > 0 and len(movers) == 1 and _improves(sp, s, t, m),
                    "coalition": len(movers) > 1,
                    "on_path": (s, t) in on_path,
                }
            )
        return {"directed": True, "nodes": nodes, "edges": edges}

    def _edge_list(self, all_moves: bool) -> list[tuple[int, int, int]]:
        """(source, target, movers mask) triples, sorted; all moves when asked."""
        triples = {
            (int(s), int(t), int(m))
            for s, t, m in zip(self.edge_source, self.edge_target, self.edge_movers, strict=True)
        }
        if all_moves:
            inside = self.distance >= 0
            for d, mv in enumerate(self.space.moves):
                src, tgt = mv.sources, mv.targets
                keep = inside[src] & inside[tgt]
                for s, t in zip(src[keep].tolist(), tgt[keep].tolist(), strict=True):
                    triples.add((s, t, 1 << d))
        return sorted(triples)

    def to_graphml(self, path: str | Path | None = None, *, all_moves: bool = False) -> str:
        """The evolution graph as GraphML (written to ``path`` if given); returns the text."""
        g = self.graph(all_moves=all_moves)
        ns = "http://graphml.graphdrawing.org/xmlns"
        root = ET.Element("graphml", {"xmlns": ns})
        keys: list[tuple[str, str, str, str]] = [
            ("d_label", "node", "label", "string"),
            ("d_pattern", "node", "pattern", "string"),
            ("d_description", "node", "description", "string"),
            ("d_distance", "node", "distance", "int"),
            ("d_start", "node", "start", "boolean"),
            ("d_status_quo", "node", "status_quo", "boolean"),
            *[(f"d_eq_{c}", "node", f"equilibrium_{c}", "boolean") for c in self.concepts],
            ("e_movers", "edge", "movers", "string"),
            ("e_ui", "edge", "ui", "boolean"),
            ("e_coalition", "edge", "coalition", "boolean"),
            ("e_on_path", "edge", "on_path", "boolean"),
        ]
        for kid, kfor, name, typ in keys:
            ET.SubElement(root, "key", {"id": kid, "for": kfor, "attr.name": name, "attr.type": typ})
        graph = ET.SubElement(root, "graph", {"id": "evolution", "edgedefault": "directed"})

        def data(parent: ET.Element, key: str, value: Any) -> None:
            el = ET.SubElement(parent, "data", {"key": key})
            el.text = ("true" if value else "false") if isinstance(value, bool) else str(value)

        for nd in g["nodes"]:
            el = ET.SubElement(graph, "node", {"id": nd["id"]})
            data(el, "d_label", str(nd["number"]))
            data(el, "d_pattern", nd["pattern"])
            data(el, "d_description", nd["description"])
            data(el, "d_distance", nd["distance"])
            data(el, "d_start", nd["start"])
            data(el, "d_status_quo", nd["status_quo"])
            for c in self.concepts:
                data(el, f"d_eq_{c}", nd["equilibrium"][c])
        for k, e in enumerate(g["edges"]):
            el = ET.SubElement(graph, "edge", {"id": f"e{k}", "source": e["source"], "target": e["target"]})
            data(el, "e_movers", " + ".join(e["movers"]))
            data(el, "e_ui", e["ui"])
            data(el, "e_coalition", e["coalition"])
            data(el, "e_on_path", e["on_path"])
        ET.indent(root)
        text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
        if path is not None:
            _write_text(Path(path), text)
        return text

    def to_dot(self, path: str | Path | None = None, *, all_moves: bool = False) -> str:
        """The evolution graph in Graphviz DOT (written to ``path`` if given); returns the text.

        The start is drawn bold, equilibria (under any of the concepts) with a
        double border, coalition moves dashed, shortest paths to equilibria
        thick; with ``all_moves`` the moves that are not improvements are grey.
        """
        g = self.graph(all_moves=all_moves)
        lines = [
            "digraph evolution {",
            "  rankdir=LR;",
            '  node [shape=box, fontname="Helvetica", fontsize=10];',
            '  edge [fontname="Helvetica", fontsize=9];',
        ]
        for nd in g["nodes"]:
            eqs = [c for c in self.concepts if nd["equilibrium"][c]]
            label = f"{nd['number']}: {nd['pattern']}\\n{_dot_escape(nd['description'])}"
            if eqs:
                label += "\\nequilibrium: " + ", ".join(eqs)
            attrs = [f'label="{label}"']
            if eqs:
                attrs += ["peripheries=2", "style=filled", 'fillcolor="#e8f0fe"']
            if nd["start"]:
                attrs.append('penwidth=2.5, color="#1a73e8"')
            lines.append(f"  {nd['id']} [{', '.join(attrs)}];")
        for e in g["edges"]:
            attrs = [f'label="{_dot_escape(" + ".join(e["movers"]))}"']
            if e["coalition"]:
                attrs.append("style=dashed")
            if not (e["ui"] or e["coalition"]):
                attrs.append('color="#9aa0a6", fontcolor="#9aa0a6"')
            if e["on_path"]:
                attrs.append("penwidth=2.5")
            lines.append(f"  {e['source']} -> {e['target']} [{', '.join(attrs)}];")
        lines.append("}")
        text = "\n".join(lines) + "\n"
        if path is not None:
            _write_text(Path(path), text)
        return text

    # -- conversions --------------------------------------------------------
    def to_dict(self, *, graph: bool = True) -> dict[str, Any]:
        sp = self.space
        eq_mask: dict[str, np.ndarray] = {c: np.asarray(self.stable[c].all(axis=0)) for c in self.concepts}
        reach = np.flatnonzero(self.distance >= 0)
        out: dict[str, Any] = {
            "case": sp.conflict.title,
            "decision_makers": list(sp.dm_names),
            "start": _state_dict(sp, self.start),
            "status_quo": None if sp.status_quo is None else sp.status_quo + 1,
            "concepts": list(self.concepts),
            "coalitions": self.coalitions,
            "max_steps": self.max_steps,
            "n_states": sp.n_states,
            "reachable": [
                {
                    **_state_dict(sp, int(s)),
                    "steps": int(self.distance[s]),
                    "equilibrium": {c: bool(eq_mask[c][s]) for c in self.concepts},
                }
                for s in reach
            ],
            "equilibria": {c: self.equilibria(c) for c in self.concepts},
            "paths": {str(e): [st.to_dict() for st in self.path(e)] for e in self.all_equilibria()},
        }
        if graph:
            out["graph"] = self.graph()
        out["meta"] = meta(sp, "evolution", _DEFINITIONS, self.parameters)
        return out

    def to_dataframe(self) -> pd.DataFrame:
        """One row per reachable state: steps from the start, the last step of a
        shortest path, and an ``eq_<concept>`` column per concept."""
        import pandas as pd

        sp = self.space
        reach = np.flatnonzero(self.distance >= 0)
        data: dict[str, Any] = {
            "number": reach + 1,
            "pattern": [sp.pattern(int(s)) for s in reach],
            "description": [sp.describe(int(s)) for s in reach],
            "steps": self.distance[reach],
            "previous": [int(self.parent[s]) + 1 if self.parent[s] >= 0 else None for s in reach],
            "movers": [" + ".join(_mover_names(sp, int(self.parent_movers[s]))) for s in reach],
        }
        for c in self.concepts:
            data[f"eq_{c}"] = np.asarray(self.stable[c].all(axis=0))[reach]
        return pd.DataFrame(data).set_index("number")


# ---------------------------------------------------------------------------
# helpers


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise BackchannelError(f"cannot write {path}: {e.strerror or e}") from None


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _state_dict(space: StateSpace, s: int) -> dict[str, Any]:
    return {"number": s + 1, "pattern": space.pattern(s), "description": space.describe(s)}


def _mover_names(space: StateSpace, mask: int) -> list[str]:
    return [name for d, name in enumerate(space.dm_names) if mask >> d & 1]


def _improves(space: StateSpace, s: int, t: int, mask: int) -> bool:
    return all(space.payoffs[d, t] > space.payoffs[d, s] for d in range(space.n_dms) if mask >> d & 1)


def describe_step(space: StateSpace, s: int, t: int, mask: int) -> Step:
    """The step ``s`` → ``t`` (indices) by the decision makers in ``mask``, in words."""
    conflict = space.conflict
    cs, ct = int(space.codes[s]), int(space.codes[t])
    diff = cs ^ ct
    options = conflict.options
    changes: list[Change] = []
    parts: list[str] = []
    for d, name in enumerate(space.dm_names):
        if not mask >> d & 1:
            continue
        own = diff & space.dm_masks[d]
        adopted = [i for i in range(len(options)) if own >> i & 1 and ct >> i & 1]
        withdrawn = [i for i in range(len(options)) if own >> i & 1 and cs >> i & 1]
        changes.append(
            Change(
                name,
                tuple(options[i][1].name for i in adopted),
                tuple(options[i][1].name for i in withdrawn),
            )
        )
        verbs = []
        if withdrawn:
            verbs.append("withdraws " + join_names([options[i][1].text for i in withdrawn]))
        if adopted:
            verbs.append("takes " + join_names([options[i][1].text for i in adopted]))
        parts.append(f"{conflict.dm(name).text} {' and '.join(verbs)}")
    if len(parts) > 1:
        text = "Jointly, " + "; ".join(parts)
    else:
        text = parts[0] if parts else "(no change)"
    text += f": state {s + 1} → {t + 1}"
    movers = tuple(c.decision_maker for c in changes)
    return Step(movers, s + 1, t + 1, tuple(changes), text)


def resolve_state(space: StateSpace, ref: int | str) -> int:
    """The index of a state given by number (1-based, int or digits) or full Y/N pattern."""
    n = space.n_states
    if isinstance(ref, int | np.integer) or (isinstance(ref, str) and ref.strip().isdigit()):
        num = int(ref)
        if not 1 <= num <= n:
            raise BackchannelError(f"no state {num}: the conflict's states are numbered 1 to {n}")
        return num - 1
    text = str(ref).strip().upper()
    if not re.fullmatch(r"[YN]+", text) or len(text) != space.n_options:
        raise BackchannelError(
            f"cannot read state {ref!r}: give a state number (1 to {n}) or a Y/N pattern of "
            f"{space.n_options} letters, option 1 first"
        )
    code = sum(1 << i for i, ch in enumerate(text) if ch == "Y")
    idx = int(space.index_of(code))
    if idx < 0:
        raise BackchannelError(f"state {text} is not feasible in this conflict")
    return idx


def _expand(moves: Moves, frontier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (source, target) moves out of the ``frontier`` states."""
    indptr = moves.indptr
    start = indptr[frontier]
    counts = indptr[frontier + 1] - start
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    src = np.repeat(frontier, counts)
    offs = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    tgt = moves.targets[np.repeat(start, counts) + offs]
    return src.astype(np.int32), tgt.astype(np.int32)


def _reversibility_masks(space: StateSpace) -> tuple[int, int]:
    adopt_only = withdraw_only = 0
    for i, (_, opt) in enumerate(space.conflict.options):
        if opt.reversible == "adopt-only":
            adopt_only |= 1 << i
        elif opt.reversible == "withdraw-only":
            withdraw_only |= 1 << i
    return adopt_only, withdraw_only


class _CoalitionMoves:
    """Coalition improvements out of a set of states, for every coalition of
    two or more decision makers (up to ``max_size`` members).

    For a coalition C, states are grouped by the options of the decision
    makers outside C (sorted once); a joint move from s goes to a state of
    s's group in which every member's options differ from s, every member
    strictly prefers the new state, and no irreversible option is reversed.
    Each joint move is found once, under the coalition of exactly its movers.
    """

    def __init__(self, space: StateSpace, max_size: int | None, budget: int) -> None:
        self.space = space
        n_dm = space.n_dms
        top = n_dm if max_size is None else min(max_size, n_dm)
        self.coalitions = [c for k in range(2, top + 1) for c in itertools.combinations(range(n_dm), k)]
        self._sorted: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
        ao, wo = _reversibility_masks(space)
        self.adopt_only = np.uint64(ao)
        self.withdraw_only = np.uint64(wo)
        self.budget = budget
        self.examined = 0

    def _groups(self, c: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        if c not in self._sorted:
            union = 0
            for d in c:
                union |= self.space.dm_masks[d]
            key = self.space.codes & np.uint64(~union & ((1 << 64) - 1))
            order = np.argsort(key, kind="stable")
            self._sorted[c] = (key[order], order.astype(np.int64))
        return self._sorted[c]

    def out_of(self, frontier: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sp = self.space
        codes = sp.codes
        srcs: list[np.ndarray] = []
        tgts: list[np.ndarray] = []
        masks: list[np.ndarray] = []
        for c in self.coalitions:
            skey, order = self._groups(c)
            union = 0
            for d in c:
                union |= sp.dm_masks[d]
            fkey = codes[frontier] & np.uint64(~union & ((1 << 64) - 1))
            lo = np.searchsorted(skey, fkey, side="left")
            hi = np.searchsorted(skey, fkey, side="right")
            counts = (hi - lo).astype(np.int64)
            total = int(counts.sum())
            self.examined += total
            if self.examined > self.budget:
                raise AnalysisRefused(
                    f"the coalition search would examine more than {self.budget:,} candidate joint "
                    "moves; limit the coalition size (--max-coalition 2), the number of steps "
                    "(--max-steps N), or search unilateral improvements only"
                )
            if total == 0:
                continue
            mask = sum(1 << d for d in c)
            # chunk the frontier so that at most ~_CHUNK pairs exist at once
            cum = np.cumsum(counts)
            start = 0
            while start < frontier.size:
                base = int(cum[start - 1]) if start else 0
                stop = int(np.searchsorted(cum, base + _CHUNK, side="right"))
                stop = max(stop, start + 1)
                f = frontier[start:stop]
                cnt = counts[start:stop]
                m = int(cnt.sum())
                if m:
                    s = np.repeat(f, cnt)
                    offs = np.arange(m, dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
                    t = order[np.repeat(lo[start:stop], cnt) + offs]
                    cs, ct = codes[s], codes[t]
                    diff = cs ^ ct
                    ok = ((cs & ~ct) & self.adopt_only) == 0
                    ok &= ((ct & ~cs) & self.withdraw_only) == 0
                    for d in c:
                        ok &= (diff & np.uint64(sp.dm_masks[d])) != 0
                        p = sp.payoffs[d]
                        ok &= p[t] > p[s]
                    if ok.any():
                        srcs.append(s[ok].astype(np.int32))
                        tgts.append(t[ok].astype(np.int32))
                        masks.append(np.full(int(ok.sum()), mask, dtype=np.int64))
                start = stop
        if not srcs:
            return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64)
        return np.concatenate(srcs), np.concatenate(tgts), np.concatenate(masks)


# ---------------------------------------------------------------------------
# the analysis


def evolution(
    model: StateSpace | Conflict | str | Path,
    start: int | str | None = None,
    concept: str | Sequence[str] = "nash",
    *,
    coalitions: bool = False,
    max_steps: int | None = None,
    max_coalition_size: int | None = None,
    sim_mode: str = "joint",
) -> EvolutionResult:
    """How the conflict can evolve from ``start`` (default: the status quo).

    ``model`` is a compiled :class:`StateSpace`, a :class:`Conflict`, or a
    case file path / bundled case name.  ``start`` is a state number
    (1-based) or a full Y/N pattern.  ``concept`` is one solution concept or
    several (``nash``, ``gmr``, ``smr``, ``seq``,
    ``sim``): the reachable states stable for every decision maker under a
    concept are its reachable equilibria.  With ``coalitions`` the conflict
    may also move by joint improvements of two or more decision makers (of at
    most ``max_coalition_size`` members).  ``max_steps`` bounds the length of
    the paths searched.

    >>> r = evolution("elmira")
    >>> r.reachable(), r.equilibria("nash")
    ([1, 7], [7])
    >>> print(r.path(7)[0].text)
    Local government takes Insist on the original order: state 1 → 7
    """
    from .analysis import as_space

    space = as_space(model)
    concepts = (concept,) if isinstance(concept, str) else tuple(concept)
    if not concepts:
        raise BackchannelError("give at least one solution concept")
    unknown = [c for c in concepts if c not in CONCEPTS]
    if unknown:
        raise BackchannelError(f"unknown concept {unknown[0]!r}: choose from {', '.join(CONCEPTS)}")
    concepts = tuple(c for c in CONCEPTS if c in concepts)
    if start is None:
        if space.status_quo is None:
            raise BackchannelError(
                "the case gives no status quo: name the starting state (a number or a Y/N pattern)"
            )
        s0 = space.status_quo
    else:
        s0 = resolve_state(space, start)
    if max_steps is not None and max_steps < 0:
        raise BackchannelError("max_steps must be at least 0")
    if max_coalition_size is not None and max_coalition_size < 2:
        raise BackchannelError("a coalition has at least 2 members")

    n = space.n_states
    ui = [improvements(space, d) for d in range(space.n_dms)]
    joint = _CoalitionMoves(space, max_coalition_size, MAX_COALITION_CANDIDATES) if coalitions else None

    distance = np.full(n, -1, dtype=np.int32)
    parent = np.full(n, -1, dtype=np.int32)
    parent_movers = np.zeros(n, dtype=np.int64)
    distance[s0] = 0
    frontier = np.array([s0], dtype=np.int64)
    e_src: list[np.ndarray] = []
    e_tgt: list[np.ndarray] = []
    e_mov: list[np.ndarray] = []
    level = 0
    while frontier.size and (max_steps is None or level < max_steps):
        srcs, tgts, movs = [], [], []
        for d, m in enumerate(ui):
            s, t = _expand(m, frontier)
            srcs.append(s)
            tgts.append(t)
            movs.append(np.full(s.size, 1 << d, dtype=np.int64))
        if joint is not None:
            s, t, mv = joint.out_of(frontier)
            srcs.append(s)
            tgts.append(t)
            movs.append(mv)
        src = np.concatenate(srcs)
        tgt = np.concatenate(tgts)
        mov = np.concatenate(movs)
        e_src.append(src)
        e_tgt.append(tgt)
        e_mov.append(mov)
        new = distance[tgt] < 0
        if not new.any():
            break
        # first occurrence: lowest decision maker first, then lowest source
        fresh, first = np.unique(tgt[new], return_index=True)
        distance[fresh] = level + 1
        parent[fresh] = src[new][first]
        parent_movers[fresh] = mov[new][first]
        frontier = fresh.astype(np.int64)
        level += 1

    stable = stability_matrix(space, concepts, sim_mode=sim_mode)
    params: dict[str, Any] = {
        "start": s0 + 1,
        "concepts": list(concepts),
        "coalitions": coalitions,
        "max_steps": max_steps,
    }
    if coalitions:
        params["max_coalition_size"] = max_coalition_size
    return EvolutionResult(
        space=space,
        start=s0,
        concepts=concepts,
        coalitions=coalitions,
        max_steps=max_steps,
        distance=distance,
        parent=parent,
        parent_movers=parent_movers,
        edge_source=np.concatenate(e_src) if e_src else np.zeros(0, np.int32),
        edge_target=np.concatenate(e_tgt) if e_tgt else np.zeros(0, np.int32),
        edge_movers=np.concatenate(e_mov) if e_mov else np.zeros(0, np.int64),
        stable=stable,
        parameters=params,
    )
