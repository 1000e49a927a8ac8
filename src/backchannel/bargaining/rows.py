"""Per-issue bookkeeping of the expected-utility model on compiled kernels:
the weighted median and mean of each round's positions, and whether an issue's
positions repeat an earlier round.

:func:`median_mean` gives the numbers of :func:`.arrays._weighted_median_rows`
and :func:`.arrays._weighted_mean_rows` bit for bit: the same stable order, the
same running sums and NumPy's own summation order for a row sum (pairwise: up
to seven numbers added in turn, up to 128 in eight interleaved partial sums,
the total added to +0).  Rows longer than :data:`SMALL` go to those NumPy
functions, which are fast there.
"""

from __future__ import annotations

import numpy as np

from .._jit import jit
from .arrays import _HALF_RTOL, FloatArray, _weighted_mean_rows, _weighted_median_rows
from .bdm_params import IntArray

__all__ = ["SMALL", "latest_repeat", "median_mean"]

#: Up to this many actors the compiled kernel computes the medians and means.
SMALL = 32


@jit
def _median_mean(x: np.ndarray, w: np.ndarray, factor: float, med: np.ndarray, mean: np.ndarray) -> None:
    m, n = x.shape
    order = np.empty(n, dtype=np.int64)
    rows = np.empty((3, n))  # weights in position order, weights, weight × position
    sums = np.empty(3)
    for q in range(m):
        for a in range(n):  # stable insertion sort
            v = x[q, a]
            b = a
            while b > 0 and x[q, order[b - 1]] > v:
                order[b] = order[b - 1]
                b -= 1
            order[b] = a
        for a in range(n):
            rows[0, a] = w[q, order[a]]
            rows[1, a] = w[q, a]
            rows[2, a] = w[q, a] * x[q, a]
        for k in range(3):  # NumPy's pairwise row sum, for n ≤ 128
            if n < 8:
                res = -0.0
                for a in range(n):
                    res += rows[k, a]
            else:
                r0, r1, r2, r3 = rows[k, 0], rows[k, 1], rows[k, 2], rows[k, 3]
                r4, r5, r6, r7 = rows[k, 4], rows[k, 5], rows[k, 6], rows[k, 7]
                a = 8
                while a < n - (n % 8):
                    r0 += rows[k, a]
                    r1 += rows[k, a + 1]
                    r2 += rows[k, a + 2]
                    r3 += rows[k, a + 3]
                    r4 += rows[k, a + 4]
                    r5 += rows[k, a + 5]
                    r6 += rows[k, a + 6]
                    r7 += rows[k, a + 7]
                    a += 8
                res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
                while a < n:
                    res += rows[k, a]
                    a += 1
            sums[k] = 0.0 + res  # NumPy adds the row to its identity, +0
        half = 0.5 * sums[0] * factor
        lo = 0
        acc = 0.0
        for a in range(n):  # the first running sum from below that reaches half
            acc = rows[0, a] if a == 0 else acc + rows[0, a]
            if acc >= half:
                lo = a
                break
        hi = n - 1
        for a in range(n):  # likewise from above
            acc = rows[0, n - 1] if a == 0 else acc + rows[0, n - 1 - a]
            if acc >= half:
                hi = n - 1 - a
                break
        med[q] = 0.5 * (x[q, order[lo]] + x[q, order[hi]])
        den = sums[1]
        if den != 0.0:
            mean[q] = sums[2] / den
        elif sums[2] == 0.0 or np.isnan(sums[2]):
            mean[q] = np.nan
        else:
            mean[q] = np.inf if sums[2] > 0 else -np.inf


def median_mean(x: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``(_weighted_median_rows(x, w), _weighted_mean_rows(x, w))``."""
    m, n = x.shape
    if n > SMALL:
        return _weighted_median_rows(x, w), _weighted_mean_rows(x, w)
    med, mean = np.empty(m), np.empty(m)
    _median_mean(np.ascontiguousarray(x), np.ascontiguousarray(w), 1.0 - _HALF_RTOL, med, mean)
    return med, mean


@jit
def _latest_repeat(hist: np.ndarray, rows: np.ndarray, k: int, x: np.ndarray, out: np.ndarray) -> None:
    mq, n = x.shape
    for q in range(mq):
        out[q] = -1
        row = rows[q]
        for t in range(k, -1, -1):
            same = True
            for i in range(n):
                if hist[t, row, i] != x[q, i]:
                    same = False
                    break
            if same:
                out[q] = t
                break


def latest_repeat(hist: FloatArray, rows: IntArray, k: int, x: FloatArray) -> IntArray:
    """For each issue ``rows[q]``: the latest round ``t ≤ k`` whose positions
    ``hist[t, rows[q]]`` equal ``x[q]``, or −1."""
    out = np.empty(x.shape[0], dtype=np.int64)
    _latest_repeat(hist, np.ascontiguousarray(rows, dtype=np.int64), int(k), np.ascontiguousarray(x), out)
    return out
