"""Checked input arrays shared by the bargaining models (:mod:`.models`, :mod:`.bdm`).

Every model takes capability, position and salience with actors on the first
axis; :func:`_checked` validates them and turns them issue-major, ``(n_issues,
n_actors)``.  The weighted median and mean of each row live here too, because
both the static models and the dynamic one use them (keeping them here lets
:mod:`.models` import :mod:`.bdm` without a circle).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["ArrayLike", "FloatArray", "Forecast"]

FloatArray = npt.NDArray[np.float64]
Forecast = float | FloatArray
ArrayLike = npt.ArrayLike

# Relative tolerance for "exactly half the weight" in the weighted median.
_HALF_RTOL = 1e-12


@dataclass(frozen=True)
class _Inputs:
    """Checked inputs, issue-major: every array has shape ``(n_issues, n_actors)``."""

    capability: FloatArray
    position: FloatArray
    salience: FloatArray
    multi: bool  # the caller gave several issues (results keep an issue axis)

    @property
    def weight(self) -> FloatArray:
        return self.capability * self.salience

    @property
    def n_issues(self) -> int:
        return int(self.position.shape[0])

    @property
    def n_actors(self) -> int:
        return int(self.position.shape[1])

    def out(self, values: FloatArray) -> Forecast:
        """One value per issue → ``float`` for a one-issue input, else the array."""
        return values if self.multi else float(values[0])


def _checked(
    capability: ArrayLike,
    position: ArrayLike,
    salience: ArrayLike,
    *,
    salience_max: float | None = None,
) -> _Inputs:
    """Validate and broadcast the inputs; raise ``ValueError`` saying what is wrong."""
    x = np.asarray(position, dtype=float)
    if x.ndim not in (1, 2) or x.shape[0] == 0 or (x.ndim == 2 and x.shape[1] == 0):
        raise ValueError(
            f"position must have shape (n_actors,) or (n_actors, n_issues) with at least one actor "
            f"and issue, not {x.shape}"
        )
    multi = x.ndim == 2
    x2 = x if multi else x[:, None]

    def broadcast(name: str, value: ArrayLike) -> FloatArray:
        a = np.asarray(value, dtype=float)
        if a.ndim == 1 and a.shape[0] == x2.shape[0]:
            a = np.broadcast_to(a[:, None], x2.shape)
        elif a.shape == x.shape:
            a = a if multi else a[:, None]
        else:
            raise ValueError(
                f"{name} has shape {a.shape}; give one value per actor ({x2.shape[0]},) "
                f"or the shape of position {x.shape}"
            )
        return np.array(a.T, dtype=float)  # issue-major copy

    c = broadcast("capability", capability)
    s = broadcast("salience", salience)
    xt = np.array(x2.T, dtype=float)
    for name, a in (("position", xt), ("capability", c), ("salience", s)):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} has a value that is not a finite number")
    if (c < 0).any():
        raise ValueError("capability must be ≥ 0")
    if (s < 0).any():
        raise ValueError("salience must be ≥ 0")
    if salience_max is not None and (s > salience_max).any():
        raise ValueError(
            f"salience must lie between 0 and {salience_max:g} here (it is a probability of resisting); "
            "divide percentages by 100"
        )
    w = c * s
    if not (w.sum(axis=1) > 0).all():
        bad = int(np.flatnonzero(~(w.sum(axis=1) > 0))[0])
        raise ValueError(
            f"issue {bad} has no weight: every actor has capability 0 or salience 0 there"
            if multi
            else "no actor has weight: every actor has capability 0 or salience 0"
        )
    return _Inputs(capability=c, position=xt, salience=s, multi=multi)


def _weighted_median_rows(x: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted median of each row of ``x`` (shape ``(m, n)``), weights ``w`` ≥ 0.

    The lower median is the smallest position with at least half the weight at
    or below it, the upper median the largest with at least half at or above
    it; they differ only when some position splits the weight exactly in half,
    and the result is then their midpoint (the usual convention).
    """
    m, n = x.shape
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    ws = np.take_along_axis(w, order, axis=1)
    half = 0.5 * ws.sum(axis=1, keepdims=True) * (1.0 - _HALF_RTOL)
    rows = np.arange(m)
    lo = np.argmax(np.cumsum(ws, axis=1) >= half, axis=1)
    hi = n - 1 - np.argmax(np.cumsum(ws[:, ::-1], axis=1) >= half, axis=1)
    return 0.5 * (xs[rows, lo] + xs[rows, hi])


def _weighted_mean_rows(x: FloatArray, w: FloatArray) -> FloatArray:
    return np.asarray((w * x).sum(axis=1) / w.sum(axis=1), dtype=float)
