"""The uncertain inputs of a case, and how a sample of them is drawn.

A case may leave four kinds of input uncertain (see :class:`~backchannel.case.model.Estimate`
and :class:`~backchannel.case.model.Preferences`):

- ``numeric``: a capability, position, salience or reference point with a
  distribution (uniform, triangular, truncated normal, beta);
- ``statement``: a preference statement that holds with a probability;
- ``alternative``: a decision maker's preferences, one of several orderings
  with weights (the ordering as written has the remaining weight);
- ``pair``: two states whose order is unknown (Li, Hipel, Kilgour & Fang
  2004) or holds with a probability (Rêgo & dos Santos 2015).

Every input is drawn by inversion from one uniform number per sample, so a
sample is a row of a uniform matrix ``u`` of shape (samples, inputs): the same
seed gives the same samples whatever else changes in how they are computed.

>>> from backchannel.case.model import Conflict
>>> c = Conflict.model_validate({
...     "issues": {"x": {}},
...     "actors": [{"name": "a", "capability": {"triangular": [1, 2, 4]},
...                 "positions": {"x": {"uniform": [10, 30]}}, "salience": {"x": 1}}]})
>>> [i.key for i in uncertain_inputs(c)]
['actors.a.capability', 'actors.a.positions.x']
>>> draw(uncertain_inputs(c), np.array([[0.5, 0.5]])).round(3).tolist()
[[2.268, 20.0]]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .model import Conflict, Estimate, Preferences

__all__ = ["UncertainInput", "draw", "uncertain_inputs"]

Kind = Literal["numeric", "statement", "alternative", "pair", "awareness"]
_TINY = 1e-12


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain input of a case.

    ``target`` says what the drawn value replaces: ``("capability", a)``,
    ``("position", a, i)``, ``("salience", a, i)``, ``("reference", i)`` for
    numbers (actor and issue indices); ``("statement", d, alt, j)`` (statement
    ``j`` of alternative ``alt`` of decision maker ``d``, ``alt = -1`` for the
    ordering as written), ``("alternative", d)``, ``("pair", d, k)`` for
    preferences.
    """

    key: str
    label: str
    kind: Kind
    loc: tuple[str | int, ...]
    target: tuple[str | int, ...]
    value: float  # the point value (numeric), probability (statement/pair), base weight (alternative)
    distribution: str | None = None
    params: tuple[float, ...] = ()
    bounds: tuple[float, float] = (-np.inf, np.inf)
    weights: tuple[float, ...] = field(default=())  # alternative: base first

    def describe(self) -> str:
        """The input and its uncertainty in words."""
        if self.kind == "numeric":
            p = ", ".join(f"{x:g}" for x in self.params)
            return f"{self.label} ({self.distribution} {p})"
        if self.kind == "alternative":
            return f"{self.label} (weights {' / '.join(f'{w:g}' for w in self.weights)})"
        return f"{self.label} (p = {self.value:g})"


def _numeric(
    est: Estimate | None,
    key: str,
    label: str,
    loc: tuple[str | int, ...],
    target: tuple[str | int, ...],
    natural: tuple[float, float],
) -> list[UncertainInput]:
    if est is None or est.distribution is None:
        return []
    kind = est.distribution
    params = tuple(float(x) for x in getattr(est, kind))
    if kind == "beta":
        bounds = est.bounds or (natural if np.isfinite(natural[1]) else (0.0, 1.0))
    else:
        bounds = est.bounds or natural
    return [UncertainInput(key, label, "numeric", loc, target, est.value, kind, params, bounds)]


def _preference_inputs(d: int, dm_name: str, dm_label: str, prefs: Preferences) -> list[UncertainInput]:
    out: list[UncertainInput] = []
    base: tuple[str | int, ...] = ("decision_makers", d, "preferences")
    forms = [(-1, prefs.prioritization, base)] + [
        (a, alt.prioritization, (*base, "alternatives", a)) for a, alt in enumerate(prefs.alternatives)
    ]
    for alt, statements, loc in forms:
        for j, st in enumerate(statements or []):
            if st.probability < 1.0:
                where = "" if alt < 0 else f" (alternative {alt + 1})"
                out.append(
                    UncertainInput(
                        key=f"{dm_name}.preferences{'' if alt < 0 else f'.alternatives.{alt}'}.{j}",
                        label=f"{dm_label} prefers '{st.condition}'{where}",
                        kind="statement",
                        loc=(*loc, "prioritization", j),
                        target=("statement", d, alt, j),
                        value=st.probability,
                    )
                )
    if prefs.alternatives:
        weights = (prefs.base_weight, *(a.weight for a in prefs.alternatives))
        out.append(
            UncertainInput(
                key=f"{dm_name}.preferences.alternatives",
                label=f"{dm_label}: which ordering of preferences",
                kind="alternative",
                loc=(*base, "alternatives"),
                target=("alternative", d),
                value=prefs.base_weight,
                weights=weights,
            )
        )
    for k, pair in enumerate(prefs.uncertain):
        a, b = pair.states
        out.append(
            UncertainInput(
                key=f"{dm_name}.preferences.uncertain.{k}",
                label=f"{dm_label} prefers state {a} to {b}",
                kind="pair",
                loc=(*base, "uncertain", k),
                target=("pair", d, k),
                value=pair.p,
            )
        )
    return out


def uncertain_inputs(conflict: Conflict) -> list[UncertainInput]:
    """Every uncertain input of ``conflict``, in the order of the case."""
    out: list[UncertainInput] = []
    for d, dm in enumerate(conflict.decision_makers):
        out += _preference_inputs(d, dm.name, dm.text, dm.preferences)
    issues = list(conflict.issues)
    for i, name in enumerate(issues):
        spec = conflict.issues[name]
        out += _numeric(
            spec.reference,
            f"issues.{name}.reference",
            f"reference point of {spec.label or name}",
            ("issues", name, "reference"),
            ("reference", i),
            spec.scale,
        )
    for a, actor in enumerate(conflict.actors):
        base: tuple[str | int, ...] = ("actors", a)
        out += _numeric(
            actor.capability,
            f"actors.{actor.name}.capability",
            f"{actor.text}: capability",
            (*base, "capability"),
            ("capability", a),
            (0.0, np.inf),
        )
        for field_name, what in (("positions", "position"), ("salience", "salience")):
            for key, est in getattr(actor, field_name).items():
                if key not in conflict.issues:
                    continue  # reported by the bargaining data checks
                spec = conflict.issues[key]
                natural = spec.scale if what == "position" else (0.0, np.inf)
                out += _numeric(
                    est,
                    f"actors.{actor.name}.{field_name}.{key}",
                    f"{actor.text}: {what} on {spec.label or key}",
                    (*base, field_name, key),
                    (what, a, issues.index(key)),
                    natural,
                )
    return out


def _inverse_cdf(inp: UncertainInput, u: np.ndarray) -> np.ndarray:
    lo, hi = inp.bounds
    p = inp.params
    if inp.distribution == "uniform":
        return p[0] + u * (p[1] - p[0])
    if inp.distribution == "triangular":
        a, c, b = p
        if b == a:
            return np.full(u.shape, a)
        f = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < f, left, right)
    if inp.distribution in ("normal", "beta"):
        from scipy import special  # imported here: 0.2 s that most commands never need
    if inp.distribution == "normal":
        mean, sd = p
        if sd == 0:
            return np.full(u.shape, float(np.clip(mean, lo, hi)))
        fa = special.ndtr((lo - mean) / sd)
        fb = special.ndtr((hi - mean) / sd)
        if fb - fa < _TINY:  # the window lies far in a tail: its nearer end
            return np.full(u.shape, lo if mean < lo else hi)
        q = np.clip(fa + u * (fb - fa), _TINY, 1 - _TINY)
        return np.clip(mean + sd * special.ndtri(q), lo, hi)
    if inp.distribution == "beta":
        a, b = p
        return lo + (hi - lo) * special.betaincinv(a, b, u)
    if inp.distribution == "geometric":  # moves before an event of probability p per move
        if p[0] >= 1:
            return np.zeros(u.shape)
        return np.floor(np.log1p(-np.minimum(u, 1 - _TINY)) / np.log1p(-p[0]))
    raise AssertionError(inp.distribution)  # pragma: no cover


def draw(inputs: list[UncertainInput], u: np.ndarray) -> np.ndarray:
    """Values of the inputs for uniform numbers ``u`` (samples × inputs).

    Numbers for ``numeric`` inputs; 1 or 0 for a ``statement`` (holds or not)
    and a ``pair`` (the first state preferred or not); the index of the
    ordering for an ``alternative`` (0: as written).
    """
    u = np.asarray(u, dtype=float)
    out = np.empty_like(u)
    for j, inp in enumerate(inputs):
        col = u[:, j]
        if inp.kind == "numeric":
            out[:, j] = _inverse_cdf(inp, col)
        elif inp.kind in ("statement", "pair", "awareness"):
            out[:, j] = col < inp.value
        else:
            cum = np.cumsum(inp.weights)
            out[:, j] = np.minimum(np.searchsorted(cum / cum[-1], col, side="right"), len(cum) - 1)
    return out
