"""Inverse analysis: which preferences make a desired state an equilibrium.

Given a state ``s`` and a solution concept, a mediator asks three questions
about the preferences of some decision makers (the *chosen* ones; the others
keep their current preferences):

1. **Conditions** — what must hold of their preferences for ``s`` to be an
   equilibrium (stable for every decision maker)?
2. **Counts** — of all their strict rankings (or of those within a *window*
   around the current ones), how many make ``s`` an equilibrium?
3. **Smallest change** — which change to the current rankings, counted in
   pairs of states whose order is reversed, makes ``s`` an equilibrium?

This is the *inverse* approach to the graph model (Kinsara 2015, PhD thesis,
University of Waterloo, ch. 5, "inverse preference structures" Nash IPS, GMR
IPS, SMR IPS, SEQ IPS; Kinsara, Kilgour & Hipel 2015, "Inverse approach to the
graph model for conflict resolution", *IEEE Trans. Systems, Man, and
Cybernetics: Systems* 45(5), 734–742; implemented with preference "vary
ranges" in GMCR+, Kinsara, Petersons, Hipel & Kilgour 2015, *J. Decision
Systems* 24(2), 117–145, public code ``onp/gmcr-py``, ``InverseSolver``).

Conditions
----------
Stability of ``s`` for a focal decision maker ``i`` is a conjunction, over
every unilateral move ``s -> s1`` of ``i`` (whether or not it is an
improvement under the current preferences), of a *clause*: a disjunction of
*alternatives*, each a conjunction of preference comparisons.  With ``⪰_i``
"likes at least as much" and the definitions of :mod:`backchannel.gmcr.engine`:

* **Nash**: ``s ⪰_i s1``.
* **GMR**: ``s ⪰_i s1``, or ``s ⪰_i s2`` for some ``s2 ∈ R_{N-i}(s1)``.
* **SMR**: ``s ⪰_i s1``, or for some ``s2 ∈ R_{N-i}(s1)``: ``s ⪰_i s2`` and
  ``s ⪰_i s3`` for every ``s3 ∈ R_i(s2)``.
* **SEQ**: ``s ⪰_i s1``, or ``s ⪰_i s2`` for some ``s2`` that the opponents
  reach from ``s1`` by a legal sequence of unilateral *improvements* (each
  step preferred by its mover, strictly).
* **SIM**: ``s ⪰_i s1``, or some opponent ``j`` has an improvement ``s -> s2``
  (``s2 ≻_j s``) and the state combining both moves, ``c``, is feasible with
  ``s ⪰_i c``. This is the *pairwise* reading of SIM (one opponent replies);
  the engine's default lets several opponents reply together (``sim_mode``
  of :func:`~backchannel.gmcr.engine.stability_matrix`), which the inverse
  analysis does not yet model, so it compares with the pairwise verdicts.
  With two decision makers the two readings agree.

``R_{N-i}(s1)`` is the set of states the opponents reach by *legal
sequences*: any length, no decision maker twice in a row, any of them again
later (as in the engine).  GMCR+ lets each opponent move at most once, which
with three or more decision makers misses sanctions and gives different
conditions and counts; alternatives reachable only when an opponent moves
twice are flagged ``needs_repeat``.

Comparisons about decision makers who are not chosen are evaluated with their
current preferences: a clause then *holds* (whatever the chosen decision
makers prefer), *fails* (nothing they prefer can save it), or stays *open*.

Counts
------
Counts are over **strict** rankings (linear orders of the feasible states;
Kinsara 2015 counts ``(m!)^n`` profiles likewise), for each chosen decision
maker independently, the others fixed:

* ``window=None``: all ``m!`` rankings of the ``m`` feasible states;
* ``window=k``: the rankings in which every state is at most ``k`` places
  from its place in the current ranking (ties in the current ranking broken
  by state number).  GMCR+'s "vary range" — a contiguous block of the ranking
  permuted freely — is a different shape of window.

Nothing is enumerated ranking by ranking.  A ranking matters only through
the comparisons that the conditions mention (for Nash, GMR, SMR and SIM all
of the form "``x`` above or below ``s``"; for SEQ also the order of the
endpoints of opponents' moves), so rankings fall into *classes* by those
comparisons.  The number of rankings in each class is computed exactly: in
closed form for all rankings (the relative order of the relevant states is
uniform: a class of above-sets ``U`` of the relevant set ``R`` has
``m! |U|! (|R|-|U|)! / (|R|+1)!`` rankings), by inclusion–exclusion over the
moves when every alternative is a single comparison (Nash, GMR), and by a
dynamic programme over positions for windows.  Classes are then combined
only across decision makers whose conditions interact (SEQ and SIM), with
early rejection.  Past fixed limits the count is refused
(:class:`~backchannel.errors.AnalysisRefused`) rather than approximated.

Smallest change
---------------
The distance between the current and a new ranking of one decision maker is
the number of pairs of states it ranks strictly one way now and the other way
after (Kendall's distance; the number of adjacent swaps).  Breaking a current
tie costs nothing.  The smallest change is the least total distance, over the
chosen decision makers, to strict rankings that make ``s`` an equilibrium —
among *all* rankings, whatever the window.  For Nash, GMR, SMR and SIM it is
found by choosing one alternative per clause (branch and bound; the cost of a
set of "above/below ``s``" requirements is computed exactly by a dynamic
programme over the current ranking's levels); for SEQ by a search over the
classes with exact costs.  Each change is stated pair by pair: "if Syria came
to prefer state 2 (…) to state 1 (…)".
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...errors import BackchannelError
from ..engine import CONCEPTS, stability_matrix
from ..statespace import StateSpace
from .change import MAX_ALTERNATIVES as MAX_ALTERNATIVES
from .change import Change, _Problem, _reversals
from .conditions import Alternative, Clause, Comparison
from .counting import MAX_CLASSES as MAX_CLASSES
from .counting import MAX_DP_STATES as MAX_DP_STATES
from .counting import MAX_EVALUATIONS
from .counting import MAX_IE_CLAUSES as MAX_IE_CLAUSES
from .result import InverseResult

if TYPE_CHECKING:
    from ...case.model import Conflict

__all__ = [
    "Alternative",
    "Change",
    "Clause",
    "Comparison",
    "InverseResult",
    "inverse",
]


# ---------------------------------------------------------------------------
# entry point


def _resolve_state(space: StateSpace, state: int | str) -> int:
    n = space.n_states
    if isinstance(state, bool):
        raise BackchannelError(f"{state!r} is not a state; give a state number or a Y/N pattern")
    text = str(state).strip()
    if isinstance(state, (int, np.integer)) or text.lstrip("-").isdigit():
        k = int(text)
        if not 1 <= k <= n:
            raise BackchannelError(
                f"state {k} does not exist: the conflict has {n} feasible states, numbered 1 to {n}"
            )
        return k - 1
    pats = space.patterns()
    up = text.upper()
    if len(up) != space.n_options or set(up) - {"Y", "N"}:
        raise BackchannelError(
            f"{text!r} is not a state: give its number (1 to {n}) or its Y/N pattern of "
            f"{space.n_options} letters, option 1 first"
        )
    if up not in pats:
        raise BackchannelError(f"state {up} is infeasible; name a feasible state (see `backchannel analyze`)")
    return pats.index(up)


def _resolve_dms(space: StateSpace, dms: Iterable[str | int] | None) -> tuple[int, ...]:
    if dms is None:
        return tuple(range(space.n_dms))
    if isinstance(dms, str):
        dms = [dms]
    out: list[int] = []
    for x in dms:
        if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
            if not 0 <= int(x) < space.n_dms:
                raise BackchannelError(f"no decision maker {x}; the conflict has {space.n_dms}")
            d = int(x)
        else:
            try:
                d = space.dm_index(str(x))
            except KeyError as e:
                raise BackchannelError(str(e.args[0])) from None
        if d not in out:
            out.append(d)
    if not out:
        raise BackchannelError("choose at least one decision maker whose preferences may change")
    return tuple(sorted(out))


def inverse(
    model: StateSpace | Conflict | str | Path,
    state: int | str,
    concept: str = "nash",
    dms: Iterable[str | int] | None = None,
    window: int | None = None,
    *,
    max_states: int | None = None,
) -> InverseResult:
    """Which preferences of the chosen decision makers make ``state`` an equilibrium.

    ``state`` is a state number (from 1) or a Y/N pattern; ``concept`` one of
    nash, gmr, smr, seq, sim; ``dms`` the decision makers whose preferences
    may change (names or indices; default all); ``window`` limits the counted
    rankings to those with every state at most ``window`` places from its
    current place (default: all rankings).

    >>> r = inverse("prisoners-dilemma", 4, "nash")
    >>> r.equilibrium_now, r.count, r.profiles, r.distance
    (False, 144, 576, 2)
    >>> [r.change_text(c) for c in r.changes[0]]  # doctest: +NORMALIZE_WHITESPACE
    ['if P1 came to prefer state 4 (p1_cooperates, p2_cooperates) to state 3 (p2_cooperates)',
     'if P2 came to prefer state 4 (p1_cooperates, p2_cooperates) to state 2 (p1_cooperates)']
    """
    from ..analysis import as_space

    space = as_space(model, max_states=max_states)
    c = str(concept).strip().lower()
    c = {"r": "nash", "sequential": "seq", "simultaneous": "sim"}.get(c, c)
    if c not in CONCEPTS:
        raise BackchannelError(f"unknown concept {concept!r}: choose from {', '.join(CONCEPTS)}")
    s = _resolve_state(space, state)
    chosen = _resolve_dms(space, dms)
    if window is not None:
        if isinstance(window, bool) or int(window) != window or window < 0:
            raise BackchannelError(f"the window is a number of places, 0 or more (got {window!r})")
        window = int(window)

    prob = _Problem(space, s, c, chosen)
    # SIM: the pairwise reading, the one the conditions above express
    stable_now = tuple(bool(v) for v in stability_matrix(space, [c], sim_mode="pairwise")[c][:, s])
    count, profiles, rankings, own = prob.count(window)
    distance, options, why = prob.minimal_change()

    notes: list[str] = []
    failing = sorted({cl.focal for cl in prob.clauses if cl.status == "fails"})
    for d in failing:
        notes.append(
            f"{space.dm_names[d]}'s current preferences make the state unstable for it whatever the chosen "
            f"decision makers prefer; include {space.dm_names[d]} among them (--dm) to explore changes."
        )
    if why == "search":
        notes.append(
            f"The smallest change was not determined: the exact search would examine more than "
            f"{MAX_EVALUATIONS:,} combinations."
        )
    repeats = sum(a.needs_repeat for cl in prob.clauses for a in cl.alternatives)
    if repeats:
        notes.append(
            f"{repeats} sanction{'s' if repeats != 1 else ''} counted here need an opponent to move twice "
            "in a legal sequence; tools that let each opponent move once (GMCR+) miss "
            f"{'them' if repeats != 1 else 'it'} and give other conditions and counts."
        )
    tied = [space.dm_names[d] for d in chosen if len(set(prob.pay[d])) < space.n_states]
    if tied:
        notes.append(
            f"The current ranking of {', '.join(tied)} has ties: counts are over strict rankings, and "
            "breaking a tie costs nothing in the smallest change."
        )

    changes: list[tuple[Change, ...]] = []
    for option in options:
        option_changes = []
        for d in sorted(option):
            dist, ranking = option[d]
            option_changes.append(Change(d, ranking, dist, _reversals(prob.pay[d], ranking)))
        changes.append(tuple(option_changes))
    return InverseResult(
        space=space,
        state=s,
        concept=c,
        dms=chosen,
        window=window,
        stable_now=stable_now,
        clauses=prob.clauses,
        count=count,
        profiles=profiles,
        rankings=rankings,
        own=own,
        distance=distance,
        changes=tuple(changes),
        notes=tuple(notes),
        parameters={
            "state": s + 1,
            "concept": c,
            "decision_makers": [space.dm_names[d] for d in chosen],
            "window": window,
        },
    )
