"""Score the bargaining models against recorded outcomes.

Data in the long format of the EU decision-making (DEU) data sets: one row
per actor and issue, with columns ``issue, actor, position, salience,
capability, reference, outcome`` (names case-insensitive, any order; further
columns are ignored). ``reference`` and ``outcome`` belong to the issue and
must be the same on all its rows.  Saliences are read from 0 to 1, or, when
any exceeds 1, from 0 to 100 (the DEU convention).  The layout, and how to
derive it from DEU III, is documented in ``docs/deu-format.md``. Every model forecasts every issue; the
score is the mean absolute error over issues, with a percentile bootstrap
interval (issues resampled with replacement, seeded).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..case.results import Result, _version
from ..errors import BackchannelError, CaseError
from .data import BargainingData
from .forecast import MODELS, forecast

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BacktestResult", "backtest", "read_long_format"]

COLUMNS = ("issue", "actor", "position", "salience", "capability", "reference", "outcome")


def read_long_format(text: str, path: str, scale: tuple[float, float] = (0.0, 100.0)) -> BargainingData:
    """Read DEU-style long-format CSV into arrays; errors name the file and row."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise CaseError(
            path, "the file is empty", hint=f"The first row names the columns: {', '.join(COLUMNS)}."
        ) from None
    cols = {h.strip().lower(): k for k, h in enumerate(header)}
    missing = [c for c in COLUMNS if c not in cols]
    if missing:
        raise CaseError(
            path,
            f"column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing from the header",
            line=1,
            hint=f"The header must name: {', '.join(COLUMNS)}.",
        )
    issues: dict[str, dict[str, Any]] = {}
    actors: dict[str, int] = {}
    rows: list[tuple[str, str, float, float, float]] = []
    lo, hi = scale
    for line, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) < len(header):
            raise CaseError(path, f"the row has {len(row)} fields; the header has {len(header)}", line=line)

        def num(col: str, row: list[str] = row, line: int = line) -> float:
            cell = row[cols[col]].strip()
            try:
                v = float(cell)
            except ValueError:
                raise CaseError(path, f"{col} is {cell!r}, not a number", line=line) from None
            if not np.isfinite(v):
                raise CaseError(path, f"{col} is {cell!r}", line=line, hint="Write a finite number.")
            return v

        issue, actor = row[cols["issue"]].strip(), row[cols["actor"]].strip()
        if not issue or not actor:
            raise CaseError(path, "the issue or the actor is empty", line=line)
        pos, sal, cap = num("position"), num("salience"), num("capability")
        ref, out = num("reference"), num("outcome")
        for what, v in (("position", pos), ("reference", ref), ("outcome", out)):
            if not lo <= v <= hi:
                raise CaseError(
                    path,
                    f"{what} {v:g} is outside the scale {lo:g}–{hi:g}",
                    line=line,
                    hint="Use --scale LOW,HIGH.",
                )
        if sal < 0 or cap < 0:
            raise CaseError(path, "saliences and capabilities must be ≥ 0", line=line)
        known = issues.setdefault(issue, {"reference": ref, "outcome": out, "line": line})
        if (known["reference"], known["outcome"]) != (ref, out):
            raise CaseError(
                path,
                f"issue {issue!r} has reference/outcome {ref:g}/{out:g} here but "
                f"{known['reference']:g}/{known['outcome']:g} on line {known['line']}",
                line=line,
                hint="An issue has one reference point and one outcome.",
            )
        actors.setdefault(actor, len(actors))
        rows.append((issue, actor, pos, sal, cap))
    if not rows:
        raise CaseError(path, "there are no data rows", hint="Add one row per actor and issue.")
    names = list(issues)
    index = {n: i for i, n in enumerate(names)}
    n_a, n_i = len(actors), len(names)
    position = np.zeros((n_a, n_i))
    salience = np.zeros((n_a, n_i))
    capability = np.zeros((n_a, n_i))
    involved = np.zeros((n_a, n_i), dtype=bool)
    for issue, actor, pos, sal, cap in rows:
        a, i = actors[actor], index[issue]
        if involved[a, i]:
            raise CaseError(path, f"actor {actor!r} appears twice on issue {issue!r}")
        position[a, i], salience[a, i], capability[a, i], involved[a, i] = pos, sal, cap, True
    reference = np.array([issues[n]["reference"] for n in names])
    for i, n in enumerate(names):
        if not (salience[:, i] * capability[:, i]).any():
            raise CaseError(path, f"on issue {n!r} every actor has salience or capability 0")
        position[~involved[:, i], i] = reference[i]
    # DEU data give saliences from 0 to 100; the expected-utility model reads a
    # salience as a probability (0–1): a file whose saliences exceed 1 is read in percent
    top = float(salience.max())
    if top > 1.0:
        if top > 100.0:
            raise CaseError(
                path,
                f"a salience is {top:g}",
                hint="Give saliences from 0 to 1, or from 0 to 100 as in the DEU data, in the whole file.",
            )
        salience = salience / 100.0
    # capabilities may differ by issue in DEU data: fold them into the salience
    # weights (models use capability × salience) and keep a unit capability
    weight_cap = capability.max(axis=1)
    weight_cap[weight_cap == 0] = 1.0
    return BargainingData(
        actors=tuple(actors),
        actor_labels=tuple(actors),
        issues=tuple(names),
        issue_labels=tuple(names),
        scales=np.tile(np.array(scale, dtype=float), (n_i, 1)),
        capability=weight_cap,
        position=position,
        salience=salience * capability / weight_cap[:, None],
        involved=involved,
        reference=reference,
        outcome=np.array([issues[n]["outcome"] for n in names]),
    )


@dataclass(frozen=True, eq=False)
class BacktestResult(Result):
    """Mean absolute error of each model, with bootstrap intervals, and per-issue errors."""

    issues: tuple[str, ...]
    outcome: np.ndarray
    forecasts: dict[str, np.ndarray]
    mae: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    samples: int
    seed: int
    parameters: dict[str, Any] = field(default_factory=dict)

    def errors(self, model: str) -> np.ndarray:
        return np.abs(self.forecasts[model] - self.outcome)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_issues": len(self.issues),
            "bootstrap": {"samples": self.samples, "seed": self.seed, "interval": 0.95},
            "models": {
                m: {
                    "mae": round(self.mae[m], 6),
                    "low": round(self.low[m], 6),
                    "high": round(self.high[m], 6),
                }
                for m in self.forecasts
            },
            "issues": {
                name: {
                    "outcome": float(self.outcome[i]),
                    **{
                        m: {
                            "forecast": round(float(f[i]), 6),
                            "error": round(float(abs(f[i] - self.outcome[i])), 6),
                        }
                        for m, f in self.forecasts.items()
                    },
                }
                for i, name in enumerate(self.issues)
            },
            "meta": {
                "analysis": "backtest",
                "parameters": self.parameters,
                "backchannel_version": _version(),
            },
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per issue: the outcome, each model's forecast and absolute error."""
        import pandas as pd

        data: dict[str, Any] = {"issue": list(self.issues), "outcome": self.outcome}
        for m, f in self.forecasts.items():
            data[m] = f
            data[f"{m}_error"] = np.abs(f - self.outcome)
        return pd.DataFrame(data).set_index("issue")


def backtest(
    data: BargainingData,
    models: tuple[str, ...] | list[str] = MODELS,
    *,
    rounds: int = 10,
    samples: int = 1000,
    seed: int = 0,
) -> BacktestResult:
    """Score every model against the recorded outcomes of ``data``."""
    if not np.isfinite(data.outcome).all():
        raise BackchannelError("every issue needs a recorded outcome to be scored")
    if samples < 1:
        raise BackchannelError("the bootstrap needs at least one sample")
    result = forecast(data, models, rounds=rounds)
    errors = {m: np.abs(result.forecasts[m] - data.outcome) for m in result.models}
    rng = np.random.default_rng(seed)
    n = data.n_issues
    picks = rng.integers(0, n, size=(samples, n))
    mae, low, high = {}, {}, {}
    for m, e in errors.items():
        ok = np.isfinite(e)
        if not ok.any():
            mae[m] = low[m] = high[m] = float("nan")
            continue
        with np.errstate(all="ignore"):
            boot = np.nanmean(np.where(ok[picks], e[picks], np.nan), axis=1)
        mae[m] = float(np.mean(e[ok]))
        low[m], high[m] = (float(x) for x in np.nanpercentile(boot, [2.5, 97.5]))
    return BacktestResult(
        tuple(data.issues),
        data.outcome.copy(),
        {m: result.forecasts[m] for m in result.models},
        mae,
        low,
        high,
        samples,
        seed,
        {"models": list(result.models), "rounds": rounds, "samples": samples, "seed": seed},
    )
