"""Hypergames: each decision maker acts on its own picture of the conflict.

A decision maker ``k`` may be unaware of some options (in its view they read
as not taken) and may misjudge other decision makers' preferences; it may also
hold beliefs about what another decision maker perceives (second level).
Semantics (Bennett 1980; Wang, Hipel & Fraser 1988, 1989; Aljefri, Hipel &
Fang 2018):

* **Perceived game** ``G_k``: the universal feasible states in which the
  options ``k`` does not know are not taken; every decision maker's moves
  among them; ``k``'s true preferences for itself, its beliefs for the others
  (the truth where it states none).  ``G_kj`` is the game ``k`` believes ``j``
  perceives: ``k``'s view less the options ``k`` believes ``j`` is unaware of,
  with ``k``'s beliefs about ``j``'s preferences.
* **Anticipated equilibria** of ``k`` under a concept: the states of ``G_k``
  stable for ``k`` in ``G_k`` and, for every other ``j``, stable for ``j`` in
  ``G_kj`` (at ``j``'s view of the state).  Sanctions come from what ``k``
  thinks opponents can do; credible (SEQ) sanctions from what it thinks they
  want.
* **H1** (first-level outcome): each decision maker carries out its own part
  of an outcome it anticipates; the outcomes are the feasible combinations.
* **H2** (hypergame equilibrium): a universal state whose view is stable for
  every decision maker in its own game.
* **Surprise** of an outcome ``o`` for ``k``: *anticipated* (``o`` is one of
  ``k``'s anticipated equilibria); *preference surprise* (not anticipated,
  but it would be had ``k`` known the others' true preferences); *unexpected*
  (neither); *strategic surprise* (``o`` takes an option ``k`` did not know,
  and what ``k`` sees of it is not what it anticipated); *stealthy* (hidden
  options are taken, but ``k`` sees an outcome it anticipated — a back
  channel while it stays secret).

All states are reported by their universal numbers (as in the ordinary
analysis); a perceived state is the universal state in which the options the
perceiver does not know are not taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..case.model import Conflict, Preferences
from ..case.results import Result, meta
from ..errors import AnalysisRefused, ModelError
from ..words import CONCEPT_LABELS, join_names, state_list
from .engine import stability_matrix
from .statespace import StateSpace, _resolve_state, check_perceptions, preference_payoff

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "HYPERGAME_CONCEPTS",
    "SURPRISE_KINDS",
    "HypergameResult",
    "PerceivedGame",
    "hypergame",
    "perceived_game",
]

HYPERGAME_CONCEPTS: tuple[str, ...] = ("nash", "gmr", "smr", "seq")
SURPRISE_KINDS = ("anticipated", "preference surprise", "unexpected", "strategic surprise", "stealthy")
H1_LIMIT = 1 << 22


@dataclass(frozen=True, eq=False)
class PerceivedGame:
    """One decision maker's picture of the conflict (or of another's picture)."""

    perceiver: str
    about: str | None  # None: the perceiver's own game; j: what it believes j perceives
    unknown_mask: int  # options unknown in this view
    universal: np.ndarray  # universal state index of each perceived state
    space: StateSpace  # the perceived game (states, moves, preferences)
    unseen_mask: int = 0  # options known to exist whose state it cannot see (read as not taken)

    def view(self, codes: np.ndarray) -> np.ndarray:
        """Index, in this game, of how each universal code looks here (-1: not a state here)."""
        hidden = np.uint64(self.unknown_mask | self.unseen_mask)
        return self.space.index_of(np.asarray(codes, dtype=np.uint64) & ~hidden)


def _names(conflict: Conflict) -> dict[str, int]:
    return {name: i for i, name in enumerate(conflict.option_names)}


def _mask_of(conflict: Conflict, opts: list[str]) -> int:
    names = _names(conflict)
    out = 0
    for o in opts:
        out |= 1 << names[o]
    return out


def perceived_game(
    space: StateSpace, perceiver: str, about: str | None = None, *, true_beliefs: bool = False
) -> PerceivedGame:
    """The game ``perceiver`` perceives (``about=None``), or the game it believes
    ``about`` perceives.  ``true_beliefs``: replace its beliefs about others'
    preferences by the truth (used to tell preference surprises apart)."""
    conflict = space.conflict
    check_perceptions(space.conflict)
    k = space.dm_index(perceiver)
    per = conflict.perceptions.get(perceiver)
    unknown = _mask_of(conflict, per.unaware_of) if per else 0
    nested = per.about.get(about) if (per and about) else None
    if nested is not None:
        unknown |= _mask_of(conflict, nested.unaware_of)
    keep = (space.codes & np.uint64(unknown)) == 0
    if not keep.any():
        unaware = [*(per.unaware_of if per else []), *(nested.unaware_of if nested else [])]
        whose = (
            f"{perceiver}'s picture of the game"
            if about is None
            else f"the game {perceiver} believes {about} perceives"
        )
        loc: tuple[str | int, ...] = ("perceptions", perceiver)
        if nested is not None and about is not None:
            loc = (*loc, "about", about)
        raise ModelError(
            f"{whose} has no state: every feasible state takes an option it does not know of "
            f"({', '.join(repr(o) for o in unaware)})",
            (*loc, "unaware_of"),
            "Remove the option from unaware_of, or relax the infeasibility rules that force it to be taken.",
        )
    universal = np.flatnonzero(keep)
    codes = space.codes[keep]
    names = _names(conflict)
    unknown_names = {
        i: f"mentions option {name!r}, which is unknown in this view of {perceiver!r}"
        for name, i in names.items()
        if unknown >> i & 1
    }
    number_of = universal + 1
    index_of_universal = {int(u): i for i, u in enumerate(universal)}

    def resolve(ref: Any, loc: tuple[str | int, ...]) -> int:
        s = _resolve_state(ref, space.codes, space.index_of, space.n_options, loc)
        if s not in index_of_universal:
            raise ModelError(
                f"state {s + 1} ({space.pattern(s)}) is not a state {perceiver!r} can see in this view",
                loc,
                "Rank only the states in which the options it does not know are not taken.",
            )
        return index_of_universal[s]

    payoffs = space.payoffs[:, keep].copy()
    beliefs: dict[str, tuple[Preferences, tuple[str | int, ...]]] = {}
    if per is not None and not true_beliefs:
        for j, prefs in per.preferences.items():
            beliefs[j] = (prefs, ("perceptions", perceiver, "preferences", j))
        if nested is not None:
            for third, prefs in nested.preferences.items():
                beliefs[third] = (
                    prefs,
                    ("perceptions", perceiver, "about", about or "", "preferences", third),
                )
    for j, (prefs, loc) in beliefs.items():
        d = space.dm_index(j)
        if d == k and about is None:
            continue
        payoffs[d] = preference_payoff(
            prefs,
            codes,
            names,
            loc,
            f"{j!r} as {perceiver!r} believes",
            resolve,
            number=lambda i: int(number_of[i]),
            unknown=unknown_names,
        )
    sub = space.restrict(keep, payoffs)
    unseen = _mask_of(conflict, per.unsure_of) if per else 0
    return PerceivedGame(perceiver, about, unknown, universal, sub, unseen & ~unknown)


@dataclass(frozen=True, eq=False)
class HypergameResult(Result):
    """Per decision maker the equilibria it anticipates, H1 and H2 outcomes, surprises."""

    space: StateSpace
    concepts: tuple[str, ...]
    unaware: dict[str, list[str]]  # DM → options it does not know
    anticipated: dict[str, dict[str, np.ndarray]]  # DM → concept → bool over universal states
    own_stable: dict[str, dict[str, np.ndarray]]  # DM → concept → its view stable for it (universal)
    h1: dict[str, np.ndarray]  # concept → bool over universal states
    h2: dict[str, np.ndarray]
    surprise: list[dict[str, Any]]
    parameters: dict[str, Any] = field(default_factory=dict)

    def perceived_equilibria(self, dm: str, concept: str) -> list[int]:
        return [int(s) + 1 for s in np.flatnonzero(self.anticipated[dm][concept])]

    def h1_outcomes(self, concept: str) -> list[int]:
        return [int(s) + 1 for s in np.flatnonzero(self.h1[concept])]

    def h2_outcomes(self, concept: str) -> list[int]:
        return [int(s) + 1 for s in np.flatnonzero(self.h2[concept])]

    def to_dict(self) -> dict[str, Any]:
        sp = self.space
        return {
            "case": sp.conflict.title,
            "concepts": list(self.concepts),
            "n_states": sp.n_states,
            "status_quo": None if sp.status_quo is None else sp.status_quo + 1,
            "unaware_of": self.unaware,
            "perceived_equilibria": {
                dm: {c: self.perceived_equilibria(dm, c) for c in self.concepts} for dm in sp.dm_names
            },
            "h1": {c: self.h1_outcomes(c) for c in self.concepts},
            "h2": {c: self.h2_outcomes(c) for c in self.concepts},
            "surprise": self.surprise,
            "states": {
                str(s + 1): {"pattern": sp.pattern(s), "description": sp.describe(s)}
                for s in sorted(
                    {n - 1 for x in self.surprise for n in [x["state"]]}
                    | {e - 1 for c in self.concepts for e in self.h1_outcomes(c) + self.h2_outcomes(c)}
                )
            },
            "meta": meta(
                sp,
                "hypergame",
                "Bennett (1980); Wang, Hipel & Fraser (1988, 1989); Aljefri, Hipel & Fang (2018)",
                self.parameters,
            ),
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per universal state: H1/H2 flags and each decision maker's
        anticipation, per concept."""
        import pandas as pd

        sp = self.space
        data: dict[str, Any] = {
            "number": np.arange(1, sp.n_states + 1),
            "pattern": sp.patterns(),
            "description": [sp.describe(s) for s in range(sp.n_states)],
        }
        for c in self.concepts:
            data[f"h1_{c}"] = self.h1[c]
            data[f"h2_{c}"] = self.h2[c]
            for dm in sp.dm_names:
                data[f"{dm}.anticipates_{c}"] = self.anticipated[dm][c]
        return pd.DataFrame(data).set_index("number")


def _scatter(n: int, universal: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[universal] = values
    return out


def _anticipation(
    space: StateSpace,
    k: int,
    concepts: tuple[str, ...],
    true_beliefs: bool,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(anticipated equilibria of DM k, its own stability in its game), per concept,
    as bool arrays over universal states."""
    name = space.dm_names[k]
    own = perceived_game(space, name, true_beliefs=true_beliefs)
    st_own = stability_matrix(own.space, concepts)
    per = space.conflict.perceptions.get(name)
    n = space.n_states
    ok = {c: st_own[c][k].copy() for c in concepts}
    for j in range(space.n_dms):
        if j == k:
            continue
        jname = space.dm_names[j]
        if per is not None and jname in per.about and not true_beliefs:
            g = perceived_game(space, name, jname)
            st = stability_matrix(g.space, concepts)
            idx = g.view(own.space.codes)
            for c in concepts:
                ok[c] &= np.where(idx >= 0, st[c][j][np.maximum(idx, 0)], False)
        else:
            for c in concepts:
                ok[c] &= st_own[c][j]
    anticipated = {c: _scatter(n, own.universal, ok[c]) for c in concepts}
    # k's own stability, judged at k's view of every universal state
    view = own.view(space.codes)
    own_stable = {c: np.where(view >= 0, st_own[c][k][np.maximum(view, 0)], False) for c in concepts}
    return anticipated, own_stable


def _h1(space: StateSpace, anticipated: dict[str, np.ndarray]) -> np.ndarray:
    """Feasible combinations of each DM's own part of an outcome it anticipates."""
    combos = np.zeros(1, dtype=np.uint64)
    for d, dm in enumerate(space.dm_names):
        parts = np.unique(space.codes[anticipated[dm]] & np.uint64(space.dm_masks[d]))
        if parts.size == 0:
            return np.zeros(space.n_states, dtype=bool)
        if combos.size * parts.size > H1_LIMIT:
            raise AnalysisRefused(
                f"H1 would combine more than {H1_LIMIT:,} outcomes; ask for a more selective "
                "concept (e.g. --concept nash,seq)"
            )
        combos = (combos[:, None] | parts[None, :]).ravel()
    idx = space.index_of(combos)
    out = np.zeros(space.n_states, dtype=bool)
    out[idx[idx >= 0]] = True
    return out


def hypergame(
    space: StateSpace,
    concepts: tuple[str, ...] | list[str] = HYPERGAME_CONCEPTS,
    *,
    outcomes: list[int] | None = None,
    phase: str | None = None,
) -> HypergameResult:
    """Analyse the hypergame of ``space.conflict`` (its ``perceptions``).

    ``outcomes``: further states (numbers) to classify for surprise, besides
    the H1 and H2 outcomes and the conflict's observed outcome.  ``phase``:
    the perceptions of this phase of the case's timeline; by default the
    case's own perceptions, or, when it gives its perceptions only in a
    timeline, those of the first phase.
    """
    space = _in_phase(space, phase)
    concepts = tuple(concepts)
    check_perceptions(space.conflict)
    conflict = space.conflict
    n = space.n_states
    for o in outcomes or []:
        if not 1 <= o <= n:
            raise ModelError(
                f"state {o} does not exist: the conflict has {n} feasible states",
                ("outcome",),
                f"Give a state number from 1 to {n}.",
            )
    anticipated: dict[str, dict[str, np.ndarray]] = {}
    own_stable: dict[str, dict[str, np.ndarray]] = {}
    truthful: dict[str, dict[str, np.ndarray]] = {}
    unaware: dict[str, list[str]] = {}
    unknown_mask: dict[str, int] = {}
    for k, name in enumerate(space.dm_names):
        per = conflict.perceptions.get(name)
        unaware[name] = list(per.unaware_of) if per else []
        unknown_mask[name] = _mask_of(conflict, unaware[name])
        anticipated[name], own_stable[name] = _anticipation(space, k, concepts, False)
        if per is not None and (per.preferences or per.about):
            truthful[name] = _anticipation(space, k, concepts, True)[0]
        else:
            truthful[name] = anticipated[name]
    h2 = {c: np.logical_and.reduce([own_stable[dm][c] for dm in space.dm_names]) for c in concepts}
    h1 = {c: _h1(space, {dm: anticipated[dm][c] for dm in space.dm_names}) for c in concepts}

    # outcomes to classify, with where they come from
    sources: dict[tuple[int, str], list[str]] = {}
    for c in concepts:
        for label, mask in (("h1", h1[c]), ("h2", h2[c])):
            for u in np.flatnonzero(mask).tolist():
                sources.setdefault((u, c), []).append(label)
    extra: list[tuple[int, str]] = [(o - 1, "given") for o in outcomes or []]
    if space.observed is not None:
        extra.append((space.observed, "observed"))
    for u, why in extra:
        for c in concepts:
            sources.setdefault((u, c), []).append(why)

    surprise = []
    for (u, c), origin in sorted(sources.items(), key=lambda x: (HYPERGAME_CONCEPTS.index(x[0][1]), x[0][0])):
        kinds = {
            name: _classify(space, u, c, name, unknown_mask[name], anticipated, truthful)
            for name in space.dm_names
        }
        surprise.append(
            {
                "state": u + 1,
                "pattern": space.pattern(u),
                "concept": c,
                "source": origin,
                "kinds": kinds,
            }
        )
    return HypergameResult(
        space,
        concepts,
        unaware,
        anticipated,
        own_stable,
        h1,
        h2,
        surprise,
        {"concepts": list(concepts), "outcomes": list(outcomes or [])},
    )


def _in_phase(space: StateSpace, phase: str | None) -> StateSpace:
    conflict = space.conflict
    if phase is None:
        if conflict.perceptions or not conflict.timeline:
            return space
        phase = conflict.timeline[0].name
    for ph in conflict.timeline:
        if ph.name == phase:
            return replace(space, conflict=conflict.in_phase(ph))
    raise ModelError(
        f"no phase {phase!r} in the timeline",
        ("timeline",),
        f"Name one of {', '.join(p.name for p in conflict.timeline) or '(the case has no timeline)'}.",
    )


def _classify(
    space: StateSpace,
    s: int,
    concept: str,
    name: str,
    unknown: int,
    anticipated: dict[str, dict[str, np.ndarray]],
    truthful: dict[str, dict[str, np.ndarray]],
) -> str:
    code = space.codes[s]
    if int(code) & unknown == 0:
        if anticipated[name][concept][s]:
            return "anticipated"
        if truthful[name][concept][s]:
            return "preference surprise"
        return "unexpected"
    seen = int(space.index_of(code & ~np.uint64(unknown)))
    if seen >= 0 and anticipated[name][concept][seen]:
        return "stealthy"
    return "strategic surprise"


def summary(result: HypergameResult) -> list[str]:
    """A few plain sentences on what the hypergame shows."""
    sp = result.space
    conflict = sp.conflict
    names = conflict.option_names
    label = {o.name: o.text for _, o in conflict.options}
    text = {dm.name: dm.text for dm in conflict.decision_makers}
    lines: list[str] = []
    by_hidden: dict[tuple[str, ...], list[str]] = {}
    for dm in conflict.decision_makers:
        if result.unaware[dm.name]:
            by_hidden.setdefault(tuple(result.unaware[dm.name]), []).append(dm.text)
    for hidden, who in by_hidden.items():
        lines.append(
            f"{join_names(who)} {'does' if len(who) == 1 else 'do'} not know of: "
            f"{', '.join(label[h] for h in hidden)}; "
            f"{'it judges' if len(who) == 1 else 'each judges'} every state as if "
            f"{'it were' if len(hidden) == 1 else 'they were'} not taken."
        )

    def surprises(row: dict[str, object], lead: str) -> list[str]:
        state = int(row["state"])  # type: ignore[call-overload]
        code = int(sp.codes[state - 1])
        kinds: dict[str, str] = row["kinds"]  # type: ignore[assignment]
        out = []
        caught = [d for d, k in kinds.items() if k == "strategic surprise"]
        if caught:
            used = sorted(
                {
                    label[o]
                    for d in caught
                    for i, o in enumerate(names)
                    if code >> i & 1 and o in result.unaware[d]
                }
            )
            who = join_names([text[d] for d in caught])
            out.append(
                f"{lead}state {state} ({sp.describe(state - 1)}) would catch {who} "
                f"off guard: it rests on {join_names(used)}, which {'it' if len(caught) == 1 else 'they'} "
                "did not know of."
            )
        stealthy = [d for d, k in kinds.items() if k == "stealthy"]
        if stealthy:
            who = join_names([text[d] for d in stealthy])
            out.append(
                f"{lead}in state {state}, {who} see{'s' if len(stealthy) == 1 else ''} "
                "what they expected, while options they do not know of are taken."
            )
        misjudged = [d for d, k in kinds.items() if k == "preference surprise"]
        if misjudged:
            out.append(
                f"{lead}state {state} surprises {join_names([text[d] for d in misjudged])} only because of a "
                "misjudged preference."
            )
        return out

    for row in result.surprise:
        if "observed" in row["source"] and row["concept"] == result.concepts[0]:
            lines += surprises(row, "Observed outcome: ") or [
                f"Observed outcome: state {row['state']} surprises no decision maker through a misperception."
            ]
    focus = [c for c in result.concepts if c in ("nash", "seq")] or list(result.concepts)
    for c in result.concepts:
        h1, h2 = result.h1_outcomes(c), result.h2_outcomes(c)
        if c not in focus:
            lines.append(
                f"Under {CONCEPT_LABELS[c]}: {len(h1)} H1 and {len(h2)} H2 outcomes (see the tables)."
            )
            continue
        lines.append(
            f"Under {CONCEPT_LABELS[c]}: if each acts on its own picture, the outcome is "
            f"{_states_text(sp, h1)} (H1); states stable for each in its own game: "
            f"{_states_text(sp, h2)} (H2)."
        )
        for row in result.surprise:
            if row["concept"] == c and "h1" in row["source"]:
                lines += surprises(row, "  In H1, ")
    return lines


def _states_text(sp: object, states: list[int]) -> str:
    if not states:
        return "none"
    if len(states) > 6:
        return state_list(states, 6)
    return ", ".join(f"{s} ({sp.describe(s - 1)})" for s in states)  # type: ignore[attr-defined]
