"""``backchannel scenarios``: probabilities of the named futures under uncertainty."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..defaults import BATCH_SIZE
from .common import (
    BackendOpt,
    CaseArg,
    DbOpt,
    Format,
    FormatOpt,
    MaxStatesOpt,
    SchedulerOpt,
    WorkersOpt,
    console,
    emit_json,
    located,
)
from .reasons import print_scenario_reasons, print_scenario_summary

if TYPE_CHECKING:
    from ..progress import ProgressBar
    from ..scenarios.run import ScenarioResult


def scenarios_command(
    case: CaseArg,
    samples: Annotated[int, typer.Option("--samples", "-n", help="Number of samples.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same result.")] = 0,
    concept: Annotated[str, typer.Option("--concept", help="Solution concept of the equilibria.")] = "nash",
    rule: Annotated[
        str,
        typer.Option(
            "--rule",
            help="When several equilibria are reachable from the status quo: split (equal shares) "
            "or nearest (equal shares among the fewest steps away).",
        ),
    ] = "split",
    forecast_model: Annotated[
        str,
        typer.Option(
            "--forecast-model",
            help="Model whose issue forecasts scenarios test: bdm, compromise, median, nash.",
        ),
    ] = "bdm",
    rounds: Annotated[int, typer.Option("--rounds", help="Rounds of the dynamic (BDM) model.")] = 10,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Samples per batch (part of the result's identity).")
    ] = BATCH_SIZE,
    backend: BackendOpt = "inprocess",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    db: DbOpt = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not record the run.")] = False,
    tornado: Annotated[
        Path | None, typer.Option("--tornado", help="Write the sensitivity tornado chart to this .svg file.")
    ] = None,
    tornado_scenario: Annotated[
        str | None,
        typer.Option(
            "--tornado-scenario", help="Scenario of the tornado chart (default: the most sensitive)."
        ),
    ] = None,
    max_states: MaxStatesOpt = None,
    until_halfwidth: Annotated[
        float | None,
        typer.Option(
            "--until-halfwidth",
            "--precision",
            help="Instead of --samples: sample in batches until every named future's 95% interval "
            "has at most this half-width (e.g. 0.01), or --max-samples.",
        ),
    ] = None,
    max_samples: Annotated[
        int, typer.Option("--max-samples", help="The cap of --until-halfwidth.")
    ] = 200_000,
    sobol: Annotated[
        int | None,
        typer.Option(
            "--sobol",
            help="Also estimate Sobol first-order and total indices from this many base samples "
            "(N × (inputs + 2) more evaluations).",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Draw SAMPLES samples of the case's uncertain inputs; for each, find the
    equilibria reachable from the status quo and the issue forecasts, and
    classify the outcome into the case's scenarios. Reports each scenario's
    probability with a 95% interval, robust equilibria, the inputs that move
    the probabilities most, and convergence. Runs are recorded in the run
    store (see `backchannel runs`); Ctrl-C stops and says how to resume."""
    from ..progress import ProgressBar
    from ..scenarios.run import scenarios

    store = None
    if not no_store:
        from ..store import open_store

        store = open_store(db)
    bar = ProgressBar("scenarios")
    with located(case), _closing(bar), store if store is not None else nullcontext():
        result = scenarios(
            case,
            samples=samples,
            seed=seed,
            concept=concept.lower(),
            rule=rule.lower(),
            forecast_model=forecast_model.lower(),
            rounds=rounds,
            batch_size=batch_size,
            max_states=max_states,
            backend=backend.lower(),
            workers=workers,
            scheduler=scheduler,
            store=store,
            progress=bar.update,
            until_halfwidth=until_halfwidth,
            max_samples=max_samples,
            sobol=sobol,
        )
    if tornado is not None:
        write_tornado(result, tornado, tornado_scenario)
    if fmt is Format.json:
        emit_json(result)
        return
    print_scenarios(result)
    if tornado is not None:
        console().print(f"wrote {tornado}")


@contextmanager
def _closing(bar: ProgressBar) -> Iterator[None]:
    try:
        yield
    finally:
        bar.close()


def write_tornado(result: ScenarioResult, path: Path, scenario: str | None) -> None:
    """The sensitivity of one scenario's probability to each input, as SVG."""
    from ..errors import BackchannelError
    from ..report.svg import tornado

    if scenario is not None and scenario not in result.names:
        raise BackchannelError(f"unknown scenario {scenario!r}: choose from {', '.join(result.names)}")
    rows = result.sensitivity
    name = scenario or (rows[0]["scenario"] if rows else result.names[0])
    k = result.names.index(name)
    ranked = sorted(rows, key=lambda r: -abs(r["effects"][name]["high"] - r["effects"][name]["low"]))[:12]
    svg = tornado(
        [(r["label"], r["effects"][name]["low"], r["effects"][name]["high"]) for r in ranked],
        base=float(result.p[k]),
        title=f"Sensitivity of P({result.labels[k]})",
        xlabel="probability",
    )
    try:
        path.write_text(svg, encoding="utf-8")
    except OSError as e:
        raise BackchannelError(f"cannot write {path}: {e.strerror or e}") from None


def print_scenarios(result: ScenarioResult) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    out = console()
    out.print(Text(result.title, style="bold"))
    print_scenario_summary(result)
    par = result.parameters
    forecasts = f"; issue forecasts by {par['forecast_model']}" if result.issues else ""
    if result.extra.get("method") == "exact":
        out.print(f"Exact over {result.extra['combinations']:,} combinations; the samples only check it.")
    if result.graph_model:
        out.print(
            f"{result.samples:,} samples, seed {result.seed}; outcome = equilibria ({par['concept']}) "
            f"reachable from the status quo, rule {par['rule']!r}{forecasts}."
        )
    else:
        out.print(
            f"{result.samples:,} samples, seed {result.seed}; bargaining only: the scenarios test the "
            f"issue forecasts of {par['forecast_model']}."
        )

    t = Table(title="Scenarios", title_justify="left", header_style="bold")
    t.add_column("Scenario")
    t.add_column("P", justify="right")
    t.add_column("95% interval", justify="right")
    t.add_column("")
    for name, label, p, lo, hi in zip(
        result.names, result.labels, result.p, result.low, result.high, strict=True
    ):
        bar = "█" * round(p * 30)
        t.add_row(f"{escape(label)} [dim]({name})[/dim]", f"{p:.3f}", f"{lo:.3f}–{hi:.3f}", bar)
    out.print(t)
    if result.unresolved:
        split = result.extra.get("unclassified") or {}
        out.print(
            f"[dim]Unclassified: {split.get('cycles', result.unresolved):.1%} cycle without reaching an "
            f"equilibrium (the cycles are below), {split.get('no_named_future', 0.0):.1%} end in a state "
            "no named future takes.[/dim]"
        )
    if "p_differs_from_full_information" in result.extra:
        out.print(
            f"Acting on their own pictures, the parties reach other outcomes than with full information "
            f"in {result.extra['p_differs_from_full_information']:.1%} of samples."
        )
    for ph in result.extra.get("phases", []):  # the timeline: how often each phase ended, who was surprised
        if ph.get("ends") is None:
            continue
        who = ", ".join(f"{dm} {p:.1%}" for dm, p in ph.get("p_surprised", {}).items()) or "nobody"
        out.print(
            f"Phase {escape(ph['label'])}: ended in {ph['p_ended']:.1%} of samples; "
            f"learned of a taken option at its end: {who}."
        )
    print_scenario_reasons(result)

    if result.graph_model:
        eq = Table(title="Robust equilibria", title_justify="left", header_style="bold")
        for col, just in (
            ("#", "right"),
            ("State", "left"),
            ("Taken", "left"),
            ("P(equilibrium)", "right"),
            ("P(outcome)", "right"),
        ):
            eq.add_column(col, justify=just)  # type: ignore[arg-type]
        for s in result.states[:10]:
            eq.add_row(
                str(s["state"]),
                s["pattern"],
                escape(s["description"]),
                f"{s['p_equilibrium']:.3f}",
                f"{s['p_outcome']:.3f}",
            )
        out.print(eq)
        if len(result.states) > 10:
            out.print(f"[dim]… and {len(result.states) - 10} more states (--format json lists all).[/dim]")

    if result.sensitivity:
        sens = Table(title="What moves the probabilities most", title_justify="left", header_style="bold")
        sens.add_column("Input", overflow="fold")
        sens.add_column("Scenario")
        sens.add_column("low → high", justify="right")
        sens.add_column("Swing", justify="right")
        sens.add_column("±se", justify="right")
        for r in result.sensitivity[:10]:
            style = None if r["significant"] else "dim"
            sens.add_row(
                escape(r["description"]),
                r["scenario"],
                f"{r['low']:.3f} → {r['high']:.3f}",
                f"{r['swing']:.3f}" + ("" if r["significant"] else " ~"),
                f"{r['se']:.3f}",
                style=style,
            )
        out.print(sens)
        if any(not r["significant"] for r in result.sensitivity[:10]):
            out.print(
                "[dim]~ not told apart from sampling noise "
                "(5% test, corrected for the number of inputs and scenarios).[/dim]"
            )
    else:
        out.print("[dim]The case has no uncertain inputs: every sample is the same.[/dim]")

    if result.issues:
        it = Table(title="Issue forecasts", title_justify="left", header_style="bold")
        it.add_column("Issue")
        it.add_column("Mean", justify="right")
        it.add_column("95% range", justify="right")
        for v in result.issues.values():
            it.add_row(escape(v["label"]), f"{v['mean']:.1f}", f"{v['low']:.1f}–{v['high']:.1f}")
        out.print(it)
    from .scenario_tables import print_extras

    print_extras(result)
    conv = result.convergence
    if conv:
        steps = [
            c for c in conv if c["samples"] in {conv[len(conv) * k // 4 - 1]["samples"] for k in (1, 2, 3, 4)}
        ]
        line = "; ".join(f"{c['samples']:,}: ±{c['half_width']:.3f}" for c in steps)
        out.print(f"Convergence (largest 95% half-width after n samples): {line}")
    tail = f"{result.seconds:.1f} s on {result.backend}"
    if result.run_id is not None:
        tail += f"; recorded as run {result.run_id} (backchannel runs show {result.run_id})"
    out.print(f"[dim]{tail}[/dim]")


def register(app: typer.Typer) -> None:
    app.command("scenarios")(scenarios_command)
