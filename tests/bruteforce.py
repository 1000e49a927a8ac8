"""A brute-force stability checker written straight from the definitions.

Fang, Hipel & Kilgour (1993), *Interactive Decision Making: The Graph Model
for Conflict Resolution*, ch. 3.  Everything is recomputed here from the
:class:`~backchannel.case.model.Conflict` — feasible states, preferences,
unilateral moves — with plain Python sets and loops; nothing of
``backchannel.gmcr.engine`` or ``backchannel.gmcr.statespace`` is used.  Slow, and only
meant for conflicts of a few options.

Conditions (infeasibility rules, preference statements) are read by a tiny
evaluator that understands Y/N/- patterns and expressions over option names
with ``not``, ``and``, ``or``, parentheses, ``true``/``false``; anything else
raises :class:`NotImplementedError`.

SIM comes in two readings (``brute_stability(..., sim=...)``), as in the
engine: joint (any non-empty set of opponents replies at once, each with one
of its UIs from the same state: GMCR+'s definition, the default) and pairwise
(one opponent replies).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations, product

import numpy as np

from backchannel.case.model import Conflict

__all__ = ["CONCEPTS", "Game", "brute_stability", "build_game"]

CONCEPTS = ("nash", "gmr", "smr", "seq", "sim")

_PATTERN = re.compile(r"^[YN\-]+$")
_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z_][A-Za-z0-9_]*)")


def _condition(text: str, names: list[str]) -> Callable[[int], bool]:
    """A predicate over state codes for a pattern or a not/and/or expression."""
    t = text.strip()
    if _PATTERN.match(t) and t not in names:
        if len(t) != len(names):
            raise ValueError(f"pattern {t!r} has the wrong length")
        care = [(i, c == "Y") for i, c in enumerate(t) if c != "-"]
        return lambda code: all(bool(code >> i & 1) == want for i, want in care)
    pos = 0
    out: list[str] = []
    while pos < len(t):
        m = _TOKEN.match(t, pos)
        if not m:
            raise NotImplementedError(f"brute force cannot read {text!r}")
        tok = m.group(1)
        pos = m.end()
        if tok in ("(", ")", "not", "and", "or"):
            out.append(tok)
        elif tok in ("true", "false"):
            out.append(tok.capitalize())
        elif tok in names:
            out.append(f"b[{names.index(tok)}]")
        else:
            raise NotImplementedError(f"brute force cannot read {tok!r} in {text!r}")
    src = " ".join(out)
    # the text is only option references, not/and/or, brackets and constants
    fn = eval(f"lambda b: bool({src})", {"__builtins__": {}, "bool": bool})
    return lambda code: fn([bool(code >> i & 1) for i in range(len(names))])


@dataclass
class Game:
    """A conflict recomputed by brute force."""

    names: list[str]
    owner: list[int]  # option index -> decision maker
    reversible: list[str]
    codes: list[int]  # feasible codes, ascending (state s is codes[s], numbered s + 1)
    pay: list[list[int]]  # pay[d][s]: higher is better
    moves: list[list[list[int]]] = field(default_factory=list)  # moves[d][s]: targets
    ui: list[list[list[int]]] = field(default_factory=list)  # unilateral improvements
    index: dict[int, int] = field(default_factory=dict)  # code -> state

    @property
    def n_dms(self) -> int:
        return len(self.pay)

    @property
    def n_states(self) -> int:
        return len(self.codes)


def build_game(conflict: Conflict) -> Game:
    names = [o.name for dm in conflict.decision_makers for o in dm.options]
    owner = [d for d, dm in enumerate(conflict.decision_makers) for _ in dm.options]
    rev = [o.reversible for dm in conflict.decision_makers for o in dm.options]
    n = len(names)

    rules: list[Callable[[int], bool]] = []
    for r in conflict.infeasible:
        if r.pattern is not None:
            rules.append(_condition(r.pattern, names))
        elif r.expr is not None:
            rules.append(_condition(r.expr, names))
        else:
            for form in ("at_most_one", "at_least_one", "exactly_one"):
                group = getattr(r, form)
                if group is not None:
                    idx = [names.index(g) for g in group]
                    test = {
                        "at_most_one": lambda c: c > 1,
                        "at_least_one": lambda c: c < 1,
                        "exactly_one": lambda c: c != 1,
                    }[form]
                    rules.append(lambda code, idx=idx, test=test: test(sum(code >> i & 1 for i in idx)))
    codes = [c for c in range(2**n) if not any(rule(c) for rule in rules)]
    index = {c: s for s, c in enumerate(codes)}

    def state_of(ref: int | str) -> int:
        if isinstance(ref, int):
            return ref - 1
        code = sum(1 << i for i, ch in enumerate(ref.strip()) if ch == "Y")
        return index[code]

    pay: list[list[int]] = []
    for dm in conflict.decision_makers:
        prefs = dm.preferences
        if prefs.ranking is not None:
            p = [0] * len(codes)
            for level, entry in enumerate(prefs.ranking):
                for ref in entry if isinstance(entry, list) else [entry]:
                    p[state_of(ref)] = -level
        else:
            assert prefs.prioritization is not None
            k = len(prefs.prioritization)
            conds = [_condition(stmt.condition, names) for stmt in prefs.prioritization]
            p = [sum(2 ** (k - 1 - j) for j, cond in enumerate(conds) if cond(c)) for c in codes]
        pay.append(p)

    game = Game(names, owner, rev, codes, pay, index=index)
    for d in range(len(conflict.decision_makers)):
        mine = [i for i in range(n) if owner[i] == d]
        per_state: list[list[int]] = []
        for code in codes:
            targets = []
            for bits in product((0, 1), repeat=len(mine)):
                new = code
                legal = True
                for i, b in zip(mine, bits, strict=True):
                    was = code >> i & 1
                    if was == 1 and b == 0 and rev[i] == "adopt-only":
                        legal = False
                    if was == 0 and b == 1 and rev[i] == "withdraw-only":
                        legal = False
                    new = new | (1 << i) if b else new & ~(1 << i)
                if legal and new != code and new in index:
                    targets.append(index[new])
            per_state.append(sorted(targets))
        game.moves.append(per_state)
        game.ui.append([[t for t in per_state[s] if pay[d][t] > pay[d][s]] for s in range(len(codes))])
    return game


def reachable(
    game: Game,
    start: int,
    movers: Sequence[int],
    graph: list[list[list[int]]],
    one_move_each: bool = False,
) -> set[int]:
    """States the ``movers`` reach from ``start`` by legal sequences of length ≥ 1.

    A legal sequence: each step a move in ``graph[j]`` of some mover ``j``, no
    mover twice in a row (it may move again later).  Explicit breadth-first
    search over (state, last mover).  With ``one_move_each`` every mover moves
    at most once in the sequence (GMCR+'s restriction; for comparison only):
    the search is then over (state, movers used).
    """
    out: set[int] = set()
    if one_move_each:
        seen_sets: set[tuple[int, frozenset[int]]] = set()
        queue_sets: deque[tuple[int, frozenset[int]]] = deque([(start, frozenset())])
        while queue_sets:
            t, used = queue_sets.popleft()
            for j in movers:
                if j in used:
                    continue
                for u in graph[j][t]:
                    key = (u, used | {j})
                    if key not in seen_sets:
                        seen_sets.add(key)
                        out.add(u)
                        queue_sets.append(key)
        return out
    seen: set[tuple[int, int]] = set()
    queue: deque[tuple[int, int]] = deque([(start, -1)])
    while queue:
        t, last = queue.popleft()
        for j in movers:
            if j == last:
                continue
            for u in graph[j][t]:
                if (u, j) not in seen:
                    seen.add((u, j))
                    out.add(u)
                    queue.append((u, j))
    return out


def _combine(game: Game, s: int, settings: dict[int, int]) -> int:
    """The code of the state in which each decision maker ``d`` in
    ``settings`` sets its own options as in state ``settings[d]`` and every
    other decision maker keeps its options as in ``s``."""
    code = 0
    for i, d in enumerate(game.owner):
        source = settings.get(d, s)
        code |= game.codes[source] & (1 << i)
    return code


def _sim_answered(game: Game, i: int, s: int, s1: int, joint: bool) -> bool:
    """Whether opponents moving at the same moment as ``i``, each with one of
    its UIs from ``s``, turn ``i``'s move to ``s1`` into a feasible state not
    preferred to ``s``.  With ``joint`` any non-empty set of opponents
    replies; otherwise one opponent (pairwise SIM)."""
    p = game.pay[i]
    opponents = [j for j in range(game.n_dms) if j != i]
    for size in range(1, len(opponents) + 1 if joint else 2):
        for group in combinations(opponents, size):
            for replies in product(*(game.ui[j][s] for j in group)):
                settings = {i: s1, **dict(zip(group, replies, strict=True))}
                c = game.index.get(_combine(game, s, settings))
                if c is not None and p[c] <= p[s]:
                    return True
    return False


def brute_stability(
    conflict: Conflict | Game,
    concepts: Iterable[str] = CONCEPTS,
    *,
    sim: str = "joint",
    one_move_each: bool = False,
) -> dict[str, np.ndarray]:
    """``{concept: bool array (n_dms, n_states)}``, states in ascending code order.

    ``sim``: ``"joint"`` — a UI of ``i`` is sanctioned by any non-empty set
    of opponents each taking one UI from the same state at the same moment
    (GMCR+'s definition; Fang, Hipel & Kilgour 1989 with two decision makers),
    or ``"pairwise"`` — by one opponent's simultaneous UI.

    ``one_move_each`` restricts the opponents' sequences as GMCR+ does (for
    comparison only; the definitions have no such restriction).
    """
    if sim not in ("joint", "pairwise"):
        raise ValueError(sim)
    game = conflict if isinstance(conflict, Game) else build_game(conflict)
    concepts = tuple(concepts)
    n, h = game.n_states, game.n_dms
    out = {c: np.ones((h, n), dtype=bool) for c in concepts}
    for i in range(h):
        p = game.pay[i]
        opponents = [j for j in range(h) if j != i]
        reach_all: dict[int, set[int]] = {}  # R_{N-i}(s1), memoised per s1
        reach_ui: dict[int, set[int]] = {}  # R^+_{N-i}(s1)

        def r_all(s1: int, memo: dict[int, set[int]] = reach_all, movers: list[int] = opponents) -> set[int]:
            if s1 not in memo:
                memo[s1] = reachable(game, s1, movers, game.moves, one_move_each)
            return memo[s1]

        def r_ui(s1: int, memo: dict[int, set[int]] = reach_ui, movers: list[int] = opponents) -> set[int]:
            if s1 not in memo:
                memo[s1] = reachable(game, s1, movers, game.ui, one_move_each)
            return memo[s1]

        for s in range(n):
            uis = game.ui[i][s]
            if "nash" in concepts:
                out["nash"][i, s] = not uis
            if "gmr" in concepts:
                out["gmr"][i, s] = all(any(p[s2] <= p[s] for s2 in r_all(s1)) for s1 in uis)
            if "smr" in concepts:
                out["smr"][i, s] = all(
                    any(p[s2] <= p[s] and all(p[s3] <= p[s] for s3 in game.moves[i][s2]) for s2 in r_all(s1))
                    for s1 in uis
                )
            if "seq" in concepts:
                out["seq"][i, s] = all(any(p[s2] <= p[s] for s2 in r_ui(s1)) for s1 in uis)
            if "sim" in concepts:
                out["sim"][i, s] = all(_sim_answered(game, i, s, s1, sim == "joint") for s1 in uis)
    return out
