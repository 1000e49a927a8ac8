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
counts 1, moving one counts the places it moves.  When no single edit works,
pairs of drops and negations (of one decision maker or two) are tried.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..gmcr.batch import dense_rank
from ..gmcr.explain import ordinal, statement_truth
from ..gmcr.statespace import StateSpace
from ..words import state_list
from .diagnostics import future_masks
from .montecarlo import Prepared, outcomes

__all__ = ["RARE", "Edit", "edits", "what_would_it_take"]

#: A possible future with less probability than this is *rare*: worth asking what would raise it.
RARE = 0.05
_MAX_REPORTED = 3
#: Most (edits × decision makers × states) re-analysed; larger searches are left out, and said so.
BUDGET = 20_000_000
_CHUNK = 256


@dataclass(frozen=True)
class Edit:
    """One edit of one decision maker's statements as written."""

    dm: int
    kind: str  # drop, negate, move
    statement: int  # index (0-based)
    to: int = -1  # move: new index
    size: int = 1


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


Change = tuple[Edit, ...]


def _payoffs(space: StateSpace, changes: Sequence[Change]) -> np.ndarray:
    """The payoffs (changes × decision makers × states) with each change's edits applied."""
    base = space.payoffs.astype(np.int32)
    pay = np.repeat(base[None], len(changes), axis=0)
    truths: dict[int, np.ndarray] = {}
    scores: dict[int, list[tuple[int, np.ndarray]]] = {}  # per decision maker: (change, its scores)
    for i, change in enumerate(changes):
        for d in sorted({e.dm for e in change}):
            if d not in truths:
                got = statement_truth(space, d)
                assert got is not None
                truths[d] = got
            truth = truths[d]
            order, negated = list(range(truth.shape[1])), set()
            for e in (e for e in change if e.dm == d):
                if e.kind == "drop":
                    order.remove(e.statement)
                elif e.kind == "negate":
                    negated.add(e.statement)
                else:
                    order.remove(e.statement)
                    order.insert(e.to, e.statement)
            cols = np.stack([~truth[:, j] if j in negated else truth[:, j] for j in order], axis=1)
            w = np.left_shift(np.int64(1), np.arange(len(order) - 1, -1, -1, dtype=np.int64))
            scores.setdefault(d, []).append((i, cols.astype(np.int64) @ w))
    for d, rows in scores.items():  # one dense ranking per decision maker (row by row)
        idx = np.array([i for i, _ in rows])
        pay[idx, d] = dense_rank(np.stack([x for _, x in rows]))
    return pay


def _shares(prep: Prepared, changes: Sequence[Change]) -> np.ndarray:
    """Outcome weight of every state under each change (changes × states), with the rest as written."""
    assert prep.space is not None
    parts = [
        outcomes(prep, _payoffs(prep.space, changes[i : i + _CHUNK]))[1]
        for i in range(0, len(changes), _CHUNK)
    ]
    return np.concatenate(parts) if parts else np.zeros((0, prep.space.n_states))


def describe(prep: Prepared, e: Edit) -> str:
    dm = prep.conflict.decision_makers[e.dm]
    st = dm.preferences.prioritization[e.statement].condition  # type: ignore[index]
    where = f"its {ordinal(e.statement + 1)} statement"
    if e.kind == "drop":
        return f"{dm.text} did not hold '{st}' ({where})"
    if e.kind == "negate":
        return f"{dm.text} held 'not ({st})' instead of '{st}' ({where})"
    return f"{dm.text} put '{st}' {ordinal(e.to + 1)} instead of {ordinal(e.statement + 1)}"


def _edit_row(prep: Prepared, e: Edit) -> dict[str, Any]:
    dm = prep.conflict.decision_makers[e.dm]
    return {
        "decision_maker": dm.name,
        "edit": e.kind,
        "statement": dm.preferences.prioritization[e.statement].condition,  # type: ignore[index]
        "position": e.statement + 1,
        "to_position": e.to + 1 if e.kind == "move" else None,
    }


def _found(
    prep: Prepared, changes: Sequence[Change], shares: np.ndarray, mask: np.ndarray, before: float, label: str
) -> list[dict[str, Any]]:
    gain = shares[:, mask].sum(axis=1)
    ok = [int(i) for i in np.flatnonzero(gain > before + 1e-12)]
    if not ok:
        return []
    size = lambda i: sum(e.size for e in changes[i])  # noqa: E731
    smallest = min(size(i) for i in ok)
    best = sorted((i for i in ok if size(i) == smallest), key=lambda i: -gain[i])
    rows = []
    for i in best[:_MAX_REPORTED]:
        change = changes[i]
        states = [int(s) + 1 for s in np.flatnonzero(shares[i] * mask > 0)]
        first = _edit_row(prep, change[0])
        rows.append(
            {
                **first,
                "edits": [_edit_row(prep, e) for e in change],
                "size": smallest,
                "outcome_share": round(float(gain[i]), 6),
                "states": states,
                "text": (
                    f"If {' and '.join(describe(prep, e) for e in change)}, {label} would be the outcome "
                    f"(state{'s' if len(states) > 1 else ''} {state_list(states)}; "
                    f"share {float(gain[i]):.2g} with the other preferences as written)."
                ),
            }
        )
    return rows


def _empties(space: StateSpace, a: Edit, b: Edit) -> bool:
    """Whether two drops leave a decision maker without any statement."""
    truth = statement_truth(space, a.dm)
    return a.dm == b.dm and a.kind == b.kind == "drop" and truth is not None and truth.shape[1] == 2


def what_would_it_take(prep: Prepared, diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each impossible, unreachable or rare future, the smallest statement edits that make it
    (more) likely, in words; with the other preferences as written.  One edit is tried first,
    then two (drops and negations, possibly of two decision makers)."""
    space = prep.space
    assert space is not None
    masks = future_masks(prep)
    wanted = []
    for k, row in enumerate(diagnostics):
        m = masks[k]
        if (
            m is not None
            and m.any()
            and (row["kind"] in ("impossible", "unreachable") or 0 < row["p"] < RARE)
        ):
            wanted.append((k, row, m))
    if not wanted:
        return []
    singles: list[Change] = [(e,) for e in edits(prep)]
    cost = space.n_states * space.n_dms
    base_w = outcomes(prep, space.payoffs.astype(np.int32)[None])[1][0]
    simple = [c for c in singles if c[0].kind != "move"]
    pairs: list[Change] = [
        (a[0], b[0])
        for x, a in enumerate(simple)
        for b in simple[x + 1 :]
        if (a[0].dm, a[0].statement) != (b[0].dm, b[0].statement) and not _empties(space, a[0], b[0])
    ]
    if cost * len(singles) > BUDGET:
        pairs = []
        singles = []
    elif cost * len(pairs) > BUDGET:
        pairs = []
    one = _shares(prep, singles)
    two: np.ndarray | None = None
    out: list[dict[str, Any]] = []
    for _, row, mask in wanted:
        before = float(base_w[mask].sum())
        found = _found(prep, singles, one, mask, before, row["label"])
        if not found and pairs:
            if two is None:
                two = _shares(prep, pairs)
            found = _found(prep, pairs, two, mask, before, row["label"])
        if found:
            text = found[0]["text"]
        elif not singles:
            text = "Not searched: the conflict is too large to re-analyse every edit of the statements."
        else:
            tried = "one or two statements" if pairs else "one statement"
            text = f"No edit of {tried} makes {row['label']} an outcome."
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
