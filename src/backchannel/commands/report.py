"""``backchannel report``: one self-contained HTML file with every analysis of a case."""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import CaseArg, DbOpt, MaxStatesOpt, console, located

__all__ = ["register"]


def report_command(
    case: CaseArg,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The HTML file to write (replaced if it exists).")
    ],
    samples: Annotated[
        int,
        typer.Option(
            "--samples", help="Run the scenario analysis with this many samples (0: no scenario run)."
        ),
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the scenario run.")] = 0,
    run: Annotated[
        int | None,
        typer.Option("--run", help="Include the scenario result of this stored run (see --db)."),
    ] = None,
    db: DbOpt = None,
    max_states: MaxStatesOpt = None,
    until_halfwidth: Annotated[
        float | None,
        typer.Option(
            "--until-halfwidth",
            "--precision",
            help="Sample until every named future's 95% interval has at most this half-width "
            "(--samples is then the cap).",
        ),
    ] = None,
) -> None:
    """Write a report of the case as one HTML file: the case and its sources, decision
    makers and options, the provenance of every judgement, the equilibria, the evolution
    from the status quo, the hypergame, the bargaining forecasts and, with --samples or
    --run, the scenario analysis. The file loads nothing from the network and prints well."""
    from ..errors import BackchannelError
    from ..report.build import build_report, write_report

    if samples < 0:
        raise BackchannelError(f"--samples {samples}: give 0 (no scenario run) or a positive number")
    if run is not None and samples:
        raise BackchannelError("--run and --samples exclude each other: take a stored run or run anew")
    if db is not None and run is None:
        raise BackchannelError("--db names the run store for --run; give --run ID as well")
    folder = output.parent
    if output.is_dir():
        raise BackchannelError(
            f"cannot write {output}: it is a folder; name a file, e.g. {output / 'report.html'}"
        )
    if not folder.is_dir():
        raise BackchannelError(f"cannot write {output}: the folder {folder} does not exist")
    scenarios = _stored_result(run, db) if run is not None else None
    with located(case):
        text = build_report(
            case,
            scenarios=scenarios,
            samples=samples,
            seed=seed,
            max_states=max_states,
            until_halfwidth=until_halfwidth,
        )
    size = write_report(output, text)
    console().print(f"wrote {output} ({size:,} bytes)", soft_wrap=True, markup=False)


def _stored_result(run: int, db: str | None) -> dict[str, Any]:
    """The scenario result of stored run ``run`` (the run store is imported only here)."""
    from ..errors import BackchannelError

    try:
        store_mod = importlib.import_module("backchannel.store")
    except ImportError:
        raise BackchannelError(
            "--run needs the run store (backchannel.store), which this installation lacks"
        ) from None
    store = store_mod.open_store(db) if db is not None else store_mod.open_store()
    try:
        stored = store.run(run)  # raises BackchannelError if there is no such run
        result = getattr(stored, "result", None)
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()
    if result is None:
        raise BackchannelError(f"--run {run}: the run has no result (yet)")
    if hasattr(result, "to_dict"):
        result = result.to_dict()
    if isinstance(result, str | bytes):
        try:
            result = json.loads(result)
        except ValueError:
            raise BackchannelError(f"--run {run}: the stored result is not JSON") from None
    if not isinstance(result, Mapping):
        raise BackchannelError(f"--run {run}: the stored result is not a scenario result")
    kind = result.get("analysis", "scenarios")
    if kind != "scenarios":
        raise BackchannelError(f"--run {run} is a {kind!r} analysis, not a scenario analysis")
    return dict(result)


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
