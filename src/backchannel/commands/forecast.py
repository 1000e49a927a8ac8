"""``backchannel forecast`` and ``backchannel backtest``: where bargaining lands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import CaseArg, Format, FormatOpt, console, emit_json, located

if TYPE_CHECKING:
    from ..bargaining.backtest import BacktestResult
    from ..bargaining.forecast import ForecastResult

ModelOpt = Annotated[
    list[str] | None,
    typer.Option("--model", "-m", help="Models to run (compromise, median, nash, bdm); default all."),
]
RoundsOpt = Annotated[int, typer.Option("--rounds", help="Rounds of the dynamic (BDM) model.")]
AutoRoundsOpt = Annotated[
    str,
    typer.Option(
        "--rounds",
        help="Rounds of the dynamic (BDM) model, or 'auto': until every issue converges or repeats "
        "a cycle, at most --max-rounds.",
    ),
]
MaxRoundsOpt = Annotated[int, typer.Option("--max-rounds", help="The cap of --rounds auto.")]


def _rounds(text: str) -> int | str:
    from ..errors import BackchannelError

    if text.strip().lower() == "auto":
        return "auto"
    try:
        value = int(text)
    except ValueError:
        raise BackchannelError(f"--rounds {text!r}: give a whole number of rounds, or 'auto'") from None
    if value < 1:
        raise BackchannelError(f"--rounds {value}: give at least one round, or 'auto'")
    return value


def _models(given: list[str] | None) -> list[str]:
    from ..bargaining.forecast import MODELS
    from ..errors import BackchannelError

    if not given:
        return list(MODELS)
    wanted = [p.strip().lower() for g in given for p in g.split(",") if p.strip()]
    for w in wanted:
        if w not in MODELS:
            raise BackchannelError(f"unknown model {w!r}: choose from {', '.join(MODELS)}")
    return wanted


def forecast_command(
    case: CaseArg,
    model: ModelOpt = None,
    rounds: AutoRoundsOpt = "10",
    max_rounds: MaxRoundsOpt = 100,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Draw positions and forecasts to this .svg or .png file.")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Forecast, issue by issue, where bargaining lands: compromise (Achen 2006),
    weighted median, Nash bargaining, and Bueno de Mesquita's expected-utility
    model (Scholz, Calbert & Smith 2011) round by round."""
    from ..bargaining.forecast import forecast
    from ..case.casefile import read_case

    conflict, _, _ = read_case(case)
    with located(case):
        result = forecast(conflict, _models(model), rounds=_rounds(rounds), max_rounds=max_rounds)  # type: ignore[arg-type]
    if plot is not None:
        from ..bargaining.plot import plot_forecast

        plot_forecast(result, plot)
    if fmt is Format.json:
        emit_json(result)
        return
    print_forecast(result)
    if plot is not None:
        console().print(f"wrote {plot}")


def print_forecast(result: ForecastResult) -> None:
    from rich.table import Table
    from rich.text import Text

    from ..bargaining.forecast import MODEL_LABELS

    out = console()
    d = result.data
    out.print(Text(result.title or "Forecast", style="bold"))
    low, high = result.spread()
    verdicts = result.verdicts()
    t = Table(title="Forecast per issue", title_justify="left", header_style="bold")
    t.add_column("Issue")
    t.add_column("Scale", overflow="fold")
    t.add_column("Reference", justify="right")
    for m in result.models:
        t.add_column(MODEL_LABELS[m], justify="right")
    t.add_column("Spread", justify="right")
    for i, _name in enumerate(d.issues):
        lo, hi = d.scales[i]
        t.add_row(
            d.issue_labels[i],
            f"{lo:g}–{hi:g}",
            _fmt(d.reference[i]),
            *(_cell(result, verdicts[i], m, i) for m in result.models),
            f"{_fmt(low[i])}–{_fmt(high[i])}",
        )
    out.print(t)
    out.print("Spread: the range across models — how much the models disagree, not a confidence interval.")
    if any("bdm_range" in v for v in verdicts):
        out.print(
            "A BDM range (low–high, marked ↻) is where the expected-utility model keeps swinging: "
            "it has not converged, and the last round alone is no forecast."
        )
    for i, v in enumerate(verdicts):
        for note in v.get("notes", []):
            out.print(f"{d.issue_labels[i]} — {note}")
    if result.bdm_run is None:
        return
    r = Table(
        title="Expected-utility model: median position by round", title_justify="left", header_style="bold"
    )
    r.add_column("Issue")
    n_rounds = result.bdm_run.rounds
    # a long run (--rounds auto) shows its first rounds and its last ten
    shown = list(range(n_rounds + 1)) if n_rounds <= 14 else [0, 1, 2, -1, *range(n_rounds - 9, n_rounds + 1)]
    for k in shown:
        r.add_column("…" if k < 0 else str(k), justify="right")
    for i in range(d.n_issues):
        values = result.bdm_rounds(i)
        r.add_row(d.issue_labels[i], *("…" if k < 0 else _fmt(values[k]) for k in shown))
    out.print(r)
    par = result.parameters
    if par.get("rounds") == "auto":
        cap = par.get("max_rounds")
        open_ = [
            v for v in verdicts if v.get("bdm_convergence", {}).get("status") in ("settled", "unsettled")
        ]
        verdict = (
            f"the cap was reached with {len(open_)} issue(s) not repeating"
            if open_
            else "every issue repeated a state"
        )
        out.print(f"--rounds auto: {n_rounds} rounds, cap {cap}; {verdict}.")
    labels = dict(zip(d.actors, d.actor_labels, strict=True))
    for i in range(d.n_issues):
        moves = result.bdm_moves(i)
        if not moves:
            continue
        first = moves[:6]
        text = "; ".join(
            f"round {m['round']}: {labels[m['actor']]} moves toward {labels[m['towards']]} "
            f"({m['kind']}, {m['from']:.4g} → {m['to']:.4g})"
            for m in first
        )
        more = f"; … {len(moves) - len(first)} more" if len(moves) > len(first) else ""
        out.print(f"{d.issue_labels[i]}: {text}{more}.")


def _cell(result: ForecastResult, verdict: dict[str, object], model: str, i: int) -> str:
    """A model's forecast for the table: a range for an unconverged BDM run,
    and a mark for Nash bargaining without agreement."""
    rng = verdict.get("bdm_range")
    if model == "bdm" and isinstance(rng, list):
        return f"↻ {_fmt(rng[0])}–{_fmt(rng[1])}"
    if model == "nash" and verdict.get("nash_agreement") is False:
        return f"{_fmt(result.forecasts[model][i])} (no agreement)"
    return _fmt(result.forecasts[model][i])


def _fmt(v: float) -> str:
    import math

    return "—" if not math.isfinite(v) else f"{v:.1f}"


def backtest_command(
    data: Annotated[
        Path,
        typer.Argument(
            help="Long-format CSV: issue, actor, position, salience, capability, reference, outcome."
        ),
    ],
    model: ModelOpt = None,
    rounds: RoundsOpt = 10,
    samples: Annotated[int, typer.Option("--samples", help="Bootstrap samples.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    scale: Annotated[str, typer.Option("--scale", help="The issues' scale, LOW,HIGH.")] = "0,100",
    fmt: FormatOpt = Format.table,
) -> None:
    """Score every model against recorded outcomes (DEU-style long format): mean
    absolute error per model with a 95% bootstrap interval, and per issue."""
    from ..bargaining.backtest import backtest, read_long_format
    from ..errors import BackchannelError, CaseError

    try:
        lo, hi = (float(x) for x in scale.split(","))
    except ValueError:
        raise BackchannelError(f"--scale {scale!r}: write LOW,HIGH, e.g. 0,100") from None
    if not data.is_file():
        raise CaseError(str(data), "no such file", hint="Give the path of a long-format CSV file.")
    from ..case.textguard import read_bounded

    try:  # a regular file of at most 64 MB, like a case file
        text = read_bounded(data, str(data)).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CaseError(str(data), f"cannot be read as text: {e}") from None
    result = backtest(
        read_long_format(text, str(data), (lo, hi)), _models(model), rounds=rounds, samples=samples, seed=seed
    )
    if fmt is Format.json:
        emit_json(result)
        return
    print_backtest(result)


def print_backtest(result: BacktestResult) -> None:
    from rich.table import Table

    from ..bargaining.forecast import MODEL_LABELS

    out = console()
    t = Table(
        title=f"Mean absolute error over {len(result.issues)} issues (95% bootstrap interval, "
        f"{result.samples} samples, seed {result.seed})",
        title_justify="left",
        header_style="bold",
    )
    t.add_column("Model")
    t.add_column("MAE", justify="right")
    t.add_column("Interval", justify="right")
    for m in sorted(result.mae, key=lambda k: result.mae[k]):
        t.add_row(MODEL_LABELS[m], _fmt(result.mae[m]), f"{_fmt(result.low[m])}–{_fmt(result.high[m])}")
    out.print(t)
    per = Table(title="Absolute error per issue", title_justify="left", header_style="bold")
    per.add_column("Issue")
    per.add_column("Outcome", justify="right")
    for m in result.forecasts:
        per.add_column(m, justify="right")
    rows = list(range(len(result.issues)))
    for i in rows[:50]:
        per.add_row(
            result.issues[i], _fmt(result.outcome[i]), *(_fmt(result.errors(m)[i]) for m in result.forecasts)
        )
    out.print(per)
    if len(rows) > 50:
        out.print(f"({len(rows) - 50} more issues: --format json gives all)")


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast_command)
    app.command("backtest")(backtest_command)
