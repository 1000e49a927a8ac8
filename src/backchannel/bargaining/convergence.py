"""Has the expected-utility model settled?  Fixed points, cycles and drift.

A round of the dynamic model (:func:`~backchannel.bargaining.bdm.bdm`) is a
function of the actors' positions alone (capabilities and saliences do not
change), so when an issue's positions repeat those of an earlier round the
issue has entered a cycle it never leaves; a repeat one round back is a fixed
point.  :func:`~backchannel.bargaining.bdm.bdm` notes the first repeat of
each issue (``BdmResult.repeat``, ``BdmResult.period``).  From it, per issue:

* ``fixed_point`` — the positions stopped moving: the forecast is the median;
* ``cycle`` — the positions go round a cycle of ``period`` rounds.  When the
  median takes the same value all round the cycle the forecast has still
  converged (actors keep trading places without moving the median);
  otherwise the forecast is the *range* of the median over the cycle;
* without a repeat within the rounds run: ``settled`` when the median has not
  moved over the second half of the rounds (positions still move), else
  ``unsettled``: the forecast is the range of the median over that second
  half, and more rounds (``rounds="auto"``) may find the cycle.

The actors who *drive the swing* of an unconverged issue are those whose
moves over the cycle (or the second half), weighted by capability ×
salience, are largest: at least a quarter of the largest, at most three.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

__all__ = ["Convergence", "bdm_convergence"]

Status = Literal["fixed_point", "cycle", "settled", "unsettled"]

# Median values closer than this fraction of the scale count as the same.
_RTOL = 1e-9


@dataclass(frozen=True)
class Convergence:
    """How the expected-utility model ended on one issue."""

    issue: int
    status: Status
    converged: bool
    low: float  # lowest median over the cycle (or the second half of the rounds)
    high: float  # highest
    rounds: int  # rounds run
    first: int  # the window looked at: rounds first … last
    last: int
    period: int | None  # length of the cycle in rounds (1: fixed point); None without a repeat
    drivers: tuple[str, ...]  # the actors who drive the swing (empty when converged)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "converged": self.converged,
            "range": [round(self.low, 6), round(self.high, 6)],
            "rounds": self.rounds,
            "window": [self.first, self.last],
            "period": self.period,
            "drivers": list(self.drivers),
        }

    def sentence(self, label: str | None = None) -> str:
        """The verdict in words (``label`` names the issue)."""
        what = f"{label}: the" if label else "The"
        if self.rounds == 0:
            return f"{what} expected-utility model ran no rounds."
        if self.converged:
            if self.status == "fixed_point":
                return f"{what} expected-utility model converged: no actor moves after round {self.first}."
            if self.status == "cycle":
                return (
                    f"{what} expected-utility model converged: the median stays at {self.low:.4g} from round "
                    f"{self.first} (positions cycle every {self.period} rounds without moving it)."
                )
            return (
                f"{what} expected-utility median has stayed at {self.low:.4g} since round {self.first}, "
                f"though positions still move (no repeat within {self.rounds} rounds)."
            )
        who = _names(self.drivers)
        driven = f", driven by the moves of {who}" if who else ""
        if self.status == "cycle":
            return (
                f"{what} expected-utility model does not converge: from round {self.first} the median cycles "
                f"every {self.period} rounds between {self.low:.4g} and {self.high:.4g}{driven}. "
                "The forecast is that range, not the last round."
            )
        return (
            f"{what} expected-utility model has not converged after {self.rounds} rounds: the median swings "
            f"between {self.low:.4g} and {self.high:.4g} over rounds {self.first}–{self.last}{driven}. "
            "The forecast is that range, not the last round (--rounds auto runs on until it repeats)."
        )


def _names(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class _Run(Protocol):
    """What is read of a :class:`~backchannel.bargaining.bdm.BdmResult` (a protocol,
    so that this module does not import the one that imports it)."""

    @property
    def rounds(self) -> int: ...
    @property
    def multi(self) -> bool: ...
    @property
    def medians(self) -> np.ndarray: ...
    @property
    def positions(self) -> np.ndarray: ...
    @property
    def scale(self) -> np.ndarray: ...
    @property
    def capability(self) -> np.ndarray: ...
    @property
    def salience(self) -> np.ndarray: ...
    @property
    def repeat(self) -> np.ndarray | None: ...
    @property
    def period(self) -> np.ndarray | None: ...


def bdm_convergence(run: _Run, actors: Sequence[str] | None = None) -> list[Convergence]:
    """Per issue of ``run`` (one entry for a one-issue run), how it ended;
    ``actors`` names the actors (default: their indices)."""
    med = np.asarray(run.medians, dtype=float)
    pos = np.asarray(run.positions, dtype=float)
    if not run.multi:
        med, pos = med[:, None], pos[:, :, None]
    n_rounds, n, m = run.rounds, pos.shape[1], pos.shape[2]
    scale = np.asarray(run.scale, dtype=float).reshape(-1, 2)
    scale = np.broadcast_to(scale, (m, 2))
    weight = np.asarray(run.capability, dtype=float) * np.asarray(run.salience, dtype=float)
    weight = weight.reshape(n, -1)
    weight = np.broadcast_to(weight, (n, m))
    repeat = np.full(m, -1) if run.repeat is None else np.asarray(run.repeat).reshape(m)
    period = np.zeros(m, dtype=int) if run.period is None else np.asarray(run.period).reshape(m)
    names = list(actors) if actors is not None else [str(k) for k in range(n)]
    out = []
    for q in range(m):
        tol = _RTOL * max(1.0, float(scale[q, 1] - scale[q, 0]))
        status: Status
        if repeat[q] >= 0:
            t, p = int(repeat[q]), int(period[q])
            first, last = t - p, t
            window = med[first:last, q] if p > 1 else med[t : t + 1, q]
            status = "fixed_point" if p == 1 else "cycle"
            per: int | None = p
        else:
            first, last = n_rounds // 2, n_rounds
            window = med[first : last + 1, q]
            status = "settled"
            per = None
        low, high = float(window.min()), float(window.max())
        converged = high - low <= tol
        if status == "settled" and not converged:
            status = "unsettled"
        if status == "settled":  # the first round of the settled stretch
            same = np.abs(med[: last + 1, q] - med[last, q]) <= tol
            first = int(last - np.argmin(same[::-1])) + 1 if not same.all() else 0
        drivers: tuple[str, ...] = ()
        if not converged:
            moved = np.abs(np.diff(pos[first : last + 1, :, q], axis=0)).sum(axis=0) * weight[:, q]
            if moved.max() > 0:
                top = [int(k) for k in np.argsort(-moved, kind="stable") if moved[k] >= 0.25 * moved.max()]
                drivers = tuple(names[k] for k in top[:3])
        out.append(
            Convergence(
                issue=q,
                status=status,
                converged=bool(converged),
                low=low,
                high=high,
                rounds=n_rounds,
                first=first,
                last=last,
                period=per,
                drivers=drivers,
            )
        )
    return out
