"""Draw a forecast: actors' positions, each model's forecast, the BDM trajectory.

Needs matplotlib (``pip install 'backchannel[plot]'``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import BackchannelError

if TYPE_CHECKING:
    from .forecast import ForecastResult

__all__ = ["plot_forecast"]

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies
_COLOURS = {
    "reference": "#000000",
    "compromise": "#E69F00",
    "median": "#0072B2",
    "nash": "#009E73",
    "bdm": "#CC79A7",
}


def plot_forecast(result: ForecastResult, path: str | Path) -> Path:
    """Write the chart to ``path`` (.svg or .png) and return the path."""
    path = Path(path)
    if path.suffix.lower() not in (".svg", ".png"):
        raise BackchannelError(f"{path}: the plot is written as .svg or .png; name the file accordingly")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise BackchannelError(
            "--plot needs matplotlib: install it with  .venv/bin/pip install 'backchannel[plot]'"
        ) from None
    from .forecast import MODEL_LABELS

    d = result.data
    n = d.n_issues
    with_bdm = result.bdm_run is not None
    fig, axes = plt.subplots(
        n, 2 if with_bdm else 1, figsize=(11 if with_bdm else 7, 1.9 * n + 0.8), squeeze=False
    )
    weight = d.capability[:, None] * d.salience
    size = 30 + 400 * weight / max(float(weight.max()), 1e-12)
    verdicts = result.verdicts()
    for i in range(n):
        ax = axes[i][0]
        lo, hi = d.scales[i]
        who = np.flatnonzero(d.involved[:, i])
        ax.scatter(d.position[who, i], who, s=size[who, i], color="#999999", zorder=2)
        for a in who:
            ax.annotate(
                d.actor_labels[a][:18],
                (d.position[a, i], a),
                xytext=(6, -3),
                textcoords="offset points",
                fontsize=7,
            )
        if np.isfinite(d.reference[i]):
            ax.axvline(d.reference[i], color=_COLOURS["reference"], ls=":", lw=1, label="reference")
        for m in result.models:
            v = result.forecasts[m][i]
            rng = verdicts[i].get("bdm_range") if m == "bdm" else None
            if rng is not None:  # not converged: the range it swings over, not the last round
                ax.axvspan(rng[0], rng[1], color=_COLOURS[m], alpha=0.25, label=f"{MODEL_LABELS[m]} (range)")
            elif np.isfinite(v):
                ax.axvline(v, color=_COLOURS[m], lw=2, label=MODEL_LABELS[m])
        ax.set_xlim(lo, hi)
        ax.set_yticks([])
        ax.set_title(d.issue_labels[i], fontsize=9, loc="left")
        if with_bdm:
            tr = axes[i][1]
            rounds = result.bdm_rounds(i)
            tr.plot(range(len(rounds)), rounds, marker="o", color=_COLOURS["bdm"])
            rng = verdicts[i].get("bdm_range")
            conv = verdicts[i].get("bdm_convergence") or {}
            if rng is not None:
                first, last = conv.get("window", [0, len(rounds) - 1])
                tr.axvspan(first, last, color=_COLOURS["bdm"], alpha=0.12)
                tr.axhspan(rng[0], rng[1], color=_COLOURS["bdm"], alpha=0.12)
            tr.set_ylim(lo, hi)
            title = "BDM median by round" + ("" if rng is None else " — not converged (range shaded)")
            tr.set_title(title, fontsize=9, loc="left")
            tr.set_xlabel("round", fontsize=8)
    axes[0][0].legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, 1.6), ncol=3, frameon=False)
    fig.suptitle(result.title or "Forecast", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
