"""Solution-concept guidance: when a concept accepts most states, or one
threat underpins most of its sanctions, say so and name the threat.

A *sanctioned stability* is a pair (decision maker, state) that is stable
under the concept although the decision maker has an improvement there (it is
deterred).  A *threat* is one opponent's move on one option in one direction
(e.g. Russia adopting "renewed offensive").  A threat *underpins* a
sanctioned stability when every improvement of the decision maker there is
deterred by a sanction that ends with the threat carried out.  GMR and SMR
ignore whether a sanction is credible (it may hurt the sanctioner too),
which is why one sweeping threat can make them unselective (Fang, Hipel & Kilgour 1993, ch. 3).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..words import CONCEPT_LABELS, join_names
from .engine import best_move, improvements, reachable_min, stability_matrix, worst_over
from .statespace import StateSpace

__all__ = ["MOST", "THREAT_BUDGET", "concept_guidance"]

#: "Most": a concept accepting more than this share of the states, or a threat underpinning more
#: than this share of the sanctioned stabilities, is named.
MOST = 0.5
#: Most (threats × decision makers × states) searched for the threat behind the sanctions (about
#: two seconds); above it the guidance gives the acceptance figures only, and says so.
THREAT_BUDGET = 500_000
_INF = np.iinfo(np.int32).max
_SANCTIONING = ("gmr", "smr", "seq")


def _threats(space: StateSpace) -> list[tuple[int, int, bool]]:
    """(owner, option index, adopt?) of every option move some decision maker has."""
    out = []
    for d in range(space.n_dms):
        mv = space.moves[d]
        if not mv.n_moves:
            continue
        diff = space.codes[mv.targets] ^ space.codes[mv.sources]
        adopted = space.codes[mv.targets] & diff
        for i in range(space.n_options):
            bit = np.uint64(1 << i)
            if not int(space.dm_masks[d]) >> i & 1:
                continue
            touches = (diff & bit) != 0
            if (touches & ((adopted & bit) != 0)).any():
                out.append((d, i, True))
            if (touches & ((adopted & bit) == 0)).any():
                out.append((d, i, False))
    return out


def _covered(space: StateSpace, c: str, sanctioned: np.ndarray, d: int, i: int, adopt: bool) -> int:
    """How many sanctioned stabilities of the other decision makers a sanction
    ending with the threat carried out (option ``i`` changed by ``d``) explains."""
    bit = np.uint64(1 << i)
    has = (space.codes & bit) != 0
    done = has if adopt else ~has  # states where the threat has been carried out
    before = ~done  # focal states where it is still to come
    ui = [improvements(space, j) for j in range(space.n_dms)]
    total = 0
    for k in range(space.n_dms):
        if k == d or not sanctioned[k].any():
            continue
        p = space.payoffs[k].astype(np.int32)
        value = best_move(space.moves[k], p) if c == "smr" else p
        others = [j for j in range(space.n_dms) if j != k]
        moves = [ui[j] if c == "seq" else space.moves[j] for j in others]
        v = reachable_min(moves, np.where(done, value, _INF).astype(np.int32))
        worst = worst_over(ui[k], v)
        total += int((sanctioned[k] & before & (worst <= p)).sum())
    return total


def threat_text(space: StateSpace, d: int, i: int, adopt: bool) -> str:
    dm, opt = space.conflict.options[i]
    return f"{dm.text} {'takes' if adopt else 'withdraws'} '{opt.text}'"


def concept_guidance(
    space: StateSpace, stable: dict[str, np.ndarray] | None = None, concepts: tuple[str, ...] = _SANCTIONING
) -> list[dict[str, Any]]:
    """Per concept that needs saying: how many states it accepts and the threat
    underpinning most of its sanctioned stabilities, in words."""
    if stable is None:
        stable = stability_matrix(space, concepts)
    n = space.n_states
    has_ui = np.array([np.diff(improvements(space, d).indptr) > 0 for d in range(space.n_dms)])
    # the threats are listed only where they can be searched: listing them reads every move
    threats = _threats(space) if space.n_dms * n <= THREAT_BUDGET else None
    out = []
    for c in concepts:
        if c not in stable:
            continue
        eq = stable[c].all(axis=0)
        sanctioned = stable[c] & has_ui  # (dms, states)
        total = int(sanctioned.sum())
        best: tuple[int, tuple[int, int, bool]] | None = None
        searched = threats is not None and len(threats) * space.n_dms * n <= THREAT_BUDGET
        if c in _SANCTIONING and total and searched and threats is not None:
            for d, i, adopt in threats:
                lost = _covered(space, c, sanctioned, d, i, adopt)
                if best is None or lost > best[0]:
                    best = (lost, (d, i, adopt))
        row: dict[str, Any] = {
            "concept": c,
            "equilibria": int(eq.sum()),
            "states": n,
            "share": round(float(eq.sum()) / n, 6) if n else 0.0,
            "sanctioned": total,
            "threat": None,
            "threats_searched": searched,
            "notes": [],
        }
        label = CONCEPT_LABELS[c]
        if n and eq.sum() / n > MOST:
            row["notes"].append(
                f"{label} accepts {int(eq.sum())} of the {n} states as equilibria: it is not selective here."
            )
        if c != "nash" and row["notes"]:
            many = [
                f"{space.conflict.decision_makers[d].text} in {int(stable[c][d].sum())}"
                for d in np.flatnonzero(stable[c].mean(axis=1) > MOST).tolist()
            ]
            if many:
                row["notes"].append(f"{label}-stable for {join_names(many)} of the {n} states.")
        if not searched and row["notes"]:
            row["notes"].append(
                "Which threat underpins the sanctions was not searched: the conflict is too large "
                + (f"({len(threats)} possible threats over {n:,} states)." if threats else f"({n:,} states).")
            )
        if best is not None and best[0] > 0:
            lost, (d, i, adopt) = best
            text = threat_text(space, d, i, adopt)
            row["threat"] = {
                "decision_maker": space.dm_names[d],
                "option": space.conflict.option_names[i],
                "adopt": adopt,
                "text": text,
                "underpins": lost,
                "share": round(lost / total, 6),
            }
            if lost / total > MOST or (row["notes"] and lost / total > 0.25):
                most = "most" if lost / total > MOST else f"{lost} of the {total}"
                row["notes"].append(
                    f"One threat underpins {most} of {label}'s sanctions: {text}. It deters every "
                    f"improvement in {lost} of the {total} cases where a decision maker is stable only "
                    "because it is deterred"
                    + (
                        f" ({label} does not ask whether carrying out the threat is credible)."
                        if c in ("gmr", "smr")
                        else "."
                    )
                )
        out.append(row)
    return out
