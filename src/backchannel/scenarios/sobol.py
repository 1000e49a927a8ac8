"""Variance-based sensitivity: Sobol first-order and total indices.

For a model ``Y = f(X₁, …, X_k)`` of independent inputs, the first-order index
``Sᵢ = V(E[Y | Xᵢ]) / V(Y)`` is the share of the output's variance that
``Xᵢ`` explains alone, and the total index ``S_Tᵢ = E(V[Y | X₋ᵢ]) / V(Y)``
the share it has a hand in, alone or with others (Sobol 1993/2001).  Both
are estimated by the pick-and-freeze design of Saltelli (2002): two
independent sample matrices ``A`` and ``B`` (``N × k``) and, for each input,
``A_B⁽ⁱ⁾`` — ``A`` with column ``i`` taken from ``B`` — ``N(k + 2)`` model
evaluations in all; with the estimators recommended by Saltelli et al.
(2010, "Variance based sensitivity analysis of model output. Design and
estimator for the total sensitivity index", *Computer Physics
Communications* 181, 259–270, Table 2 (b) and (f)):

    Sᵢ   ≈ (1/N) Σⱼ f(B)ⱼ (f(A_B⁽ⁱ⁾)ⱼ − f(A)ⱼ) / V
    S_Tᵢ ≈ (1/2N) Σⱼ (f(A)ⱼ − f(A_B⁽ⁱ⁾)ⱼ)² / V          (Jansen 1999)

with ``V`` the variance of ``f(A)`` and ``f(B)`` together.  The inputs are
uniform on [0, 1) here: a model of other inputs maps them through inverse
distribution functions (as :func:`backchannel.case.uncertainty.draw` does).

SALib implements the same design and is MIT-licensed, but SALib 1.6.0
declares matplotlib, multiprocess, pandas and scipy as install requirements
(checked in the wheel's METADATA, December 2026), and this project keeps
matplotlib an optional extra; the estimator is a dozen lines and is checked
against the analytic indices of the Ishigami function
(``tests/test_sobol.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["SobolIndices", "ishigami", "ishigami_indices", "sobol_indices"]


@dataclass(frozen=True)
class SobolIndices:
    """First-order and total indices, shape ``(k, outputs)``, with bootstrap
    standard errors; ``variance`` per output; ``n`` base samples."""

    first: np.ndarray
    total: np.ndarray
    first_se: np.ndarray
    total_se: np.ndarray
    variance: np.ndarray
    n: int


def _estimate(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``fa``, ``fb``: (N, outputs); ``fab``: (k, N, outputs)."""
    var = np.concatenate([fa, fb]).var(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        first = (fb[None] * (fab - fa[None])).mean(axis=1) / var
        total = 0.5 * ((fa[None] - fab) ** 2).mean(axis=1) / var
    first = np.where(var > 0, first, 0.0)
    total = np.where(var > 0, total, 0.0)
    return first, total, var


def sobol_indices(
    model: Callable[[np.ndarray], np.ndarray],
    k: int,
    n: int,
    rng: np.random.Generator,
    *,
    bootstrap: int = 200,
) -> SobolIndices:
    """Sobol indices of ``model`` (uniform inputs ``(rows, k)`` → outputs
    ``(rows,)`` or ``(rows, outputs)``) from ``n`` base samples: ``n(k + 2)``
    evaluations, in one call of ``model``.  Standard errors by resampling the
    ``n`` rows (``bootstrap`` times, from ``rng``)."""
    if k < 1 or n < 2:
        raise ValueError("need at least one input and two base samples")
    a = rng.random((n, k))
    b = rng.random((n, k))
    ab = np.repeat(a[None], k, axis=0)
    for i in range(k):
        ab[i, :, i] = b[:, i]
    y = np.asarray(model(np.concatenate([a, b, ab.reshape(k * n, k)])), dtype=float)
    y = y.reshape(y.shape[0], -1)
    fa, fb, fab = y[:n], y[n : 2 * n], y[2 * n :].reshape(k, n, -1)
    first, total, var = _estimate(fa, fb, fab)
    boots_f, boots_t = [], []
    for _ in range(bootstrap):
        rows = rng.integers(0, n, n)
        f, t, _v = _estimate(fa[rows], fb[rows], fab[:, rows])
        boots_f.append(f)
        boots_t.append(t)
    return SobolIndices(
        first=first,
        total=total,
        first_se=np.std(boots_f, axis=0) if bootstrap else np.zeros_like(first),
        total_se=np.std(boots_t, axis=0) if bootstrap else np.zeros_like(total),
        variance=var,
        n=n,
    )


def ishigami(u: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami function of three inputs uniform on [−π, π] (given as
    uniforms on [0, 1)): ``sin x₁ + a sin² x₂ + b x₃⁴ sin x₁`` (Ishigami &
    Homma 1990), a standard test of sensitivity estimators."""
    x = -np.pi + 2 * np.pi * np.asarray(u)
    return np.asarray(np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0]))


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The analytic first-order and total indices of :func:`ishigami`
    (e.g. Saltelli et al. 2010, or Sobol & Levitan 1999)."""
    pi4 = np.pi**4
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi4**2 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    first = np.array([v1, v2, 0.0]) / v
    total = np.array([v1 + v13, v2, v13]) / v
    return first, total
