"""What would it take: the smallest change to the analyst's statements that
makes an impossible (or rare) future happen.

An inverse analysis over statements rather than over raw rankings (compare
:mod:`backchannel.gmcr.inverse`, after Kinsara, Kilgour & Hipel 2015): for one
decision maker with option prioritisation, one edit of its statements as
written — drop one, negate one, or move one to another place in the order —
and the conflict is re-analysed with the same engine (equilibria under the
concept, reached from the status quo by unilateral improvements, shared by
the rule).  An edit *works* when the future then takes more outcome weight
than with the statements as written (for an impossible future: any).  The
smallest edits are reported, smallest first: dropping or negating a statement
counts 1, moving one counts the places it moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..gmcr.batch import dense_rank
from ..gmcr.explain import ordinal, statement_truth
from .diagnostics import future_masks
from .montecarlo import Prepared, outcomes

__all__ = ["RARE", "Edit", "edits", "what_would_it_take"]

#: A possible future with less probability than this is *rare*: worth asking what would raise it.
RARE = 0.05
_MAX_REPORTED = 3


@dataclass(frozen=True)
class Edit:
    """One edit of one decision maker's statements as written."""

    dm: int
    kind: str  # drop, negate, move
    statement: int  # index (0-based)
    to: int = -1  # move: new index
    size: int = 1

    def order(self, k: int) -> tuple[list[int], set[int]]:
        """The statements after the edit (indices into the original), and those negated."""
        idx = list(range(k))
        if self.kind == "drop":
            idx.remove(self.statement)
            return idx, set()
        if self.kind == "negate":
            return idx, {self.statement}
        idx.remove(self.statement)
        idx.insert(self.to, self.statement)
        return idx, set()


def edits(prep: Prepared) -> list[Edit]:
    """Every single edit of every prioritisation, smallest first."""
    space = prep.space
    assert space is not None
    out: list[Edit] = []
    for d in range(space.n_dms):
        truth = statement_truth(space, d)
        if truth is None:
            continue
        k = truth.shape[1]
        for j in range(k):
            if k > 1:
                out.append(Edit(d, "drop", j))
            out.append(Edit(d, "negate", j))
            out += [Edit(d, "move", j, t, abs(t - j)) for t in range(k) if t != j]
    out.sort(key=lambda e: e.size)
    return out


def _payoff(truth: np.ndarray, e: Edit) -> np.ndarray:
    order, negated = e.order(truth.shape[1])
    cols = np.stack([~truth[:, j] if j in negated else truth[:, j] for j in order], axis=1)
    w = np.left_shift(np.int64(1), np.arange(len(order) - 1, -1, -1, dtype=np.int64))
    return dense_rank((cols.astype(np.int64) @ w)[None, :])[0]


def describe(prep: Prepared, e: Edit) -> str:
    dm = prep.conflict.decision_makers[e.dm]
    st = dm.preferences.prioritization[e.statement].condition  # type: ignore[index]
    where = f"its {ordinal(e.statement + 1)} statement"
    if e.kind == "drop":
        return f"{dm.text} did not hold '{st}' ({where})"
    if e.kind == "negate":
        return f"{dm.text} held 'not ({st})' instead of '{st}' ({where})"
    return f"{dm.text} put '{st}' {ordinal(e.to + 1)} instead of {ordinal(e.statement + 1)}"


def what_would_it_take(prep: Prepared, diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each impossible, unreachable or rare future, the smallest statement edits that make it
    (more) likely, in words; with the other preferences as written."""
    space = prep.space
    assert space is not None
    wanted = [
        (k, row)
        for k, row in enumerate(diagnostics)
        if row["kind"] in ("impossible", "unreachable") or 0 < row["p"] < RARE
    ]
    masks = future_masks(prep)
    wanted = [(k, row) for k, row in wanted if masks[k] is not None and masks[k].any()]  # type: ignore[union-attr]
    if not wanted:
        return []
    all_edits = edits(prep)
    base = space.payoffs.astype(np.int32)
    _, w0, _ = outcomes(prep, base[None])
    out: list[dict[str, Any]] = []
    results: tuple[np.ndarray, np.ndarray] | None = None
    if all_edits:
        pay = np.repeat(base[None], len(all_edits), axis=0)
        truths = {d: statement_truth(space, d) for d in {e.dm for e in all_edits}}
        for i, e in enumerate(all_edits):
            t = truths[e.dm]
            assert t is not None
            pay[i, e.dm] = _payoff(t, e)
        eq, w, _ = outcomes(prep, pay)
        results = (eq, w)
    for k, row in wanted:
        mask = masks[k]
        assert mask is not None
        before = float(w0[0, mask].sum())
        found: list[dict[str, Any]] = []
        if results is not None:
            eq, w = results
            gain = w[:, mask].sum(axis=1)
            ok = [int(i) for i in np.flatnonzero(gain > before + 1e-12)]
            if ok:
                smallest = min(all_edits[i].size for i in ok)
                best = sorted((i for i in ok if all_edits[i].size == smallest), key=lambda i: -gain[i])
                for i in best[:_MAX_REPORTED]:
                    e = all_edits[int(i)]
                    states = [int(s) + 1 for s in np.flatnonzero(w[i] * mask > 0)]
                    found.append(
                        {
                            "decision_maker": space.dm_names[e.dm],
                            "edit": e.kind,
                            "statement": prep.conflict.decision_makers[e.dm]
                            .preferences.prioritization[  # type: ignore[index]
                                e.statement
                            ]
                            .condition,
                            "position": e.statement + 1,
                            "to_position": e.to + 1 if e.kind == "move" else None,
                            "size": e.size,
                            "outcome_share": round(float(gain[i]), 6),
                            "states": states,
                            "text": (
                                f"If {describe(prep, e)}, {row['label']} would be the outcome "
                                f"(state {', '.join(map(str, states))}; share {float(gain[i]):.2g} with the "
                                "other preferences as written)."
                            ),
                        }
                    )
        text = (
            found[0]["text"]
            if found
            else f"No single edit of one decision maker's statements makes {row['label']} an outcome."
        )
        out.append(
            {
                "future": row["future"],
                "label": row["label"],
                "kind": row["kind"],
                "changes": found,
                "text": text,
            }
        )
    return out
