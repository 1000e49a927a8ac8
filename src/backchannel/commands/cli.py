"""The ``backchannel`` command line.

Exit codes: 0 ok, 1 analysis refused (e.g. too many states), 2 bad input.
Heavy libraries (numpy, pydantic, pandas) are imported inside the commands,
so ``backchannel --help`` stays instant.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import (
    CONCEPT_LABELS,
    CaseArg,
    Format,
    FormatOpt,
    MaxStatesOpt,
    SimOpt,
    console,
    emit_json,
    parse_concepts,
    parse_sim,
    state_list,
)
from .plaintable import RICH_ROWS, plain_table

if TYPE_CHECKING:
    from ..gmcr.results import StabilityResult

app = typer.Typer(
    name="backchannel",
    help="Multi-party conflicts made computable: which outcomes are stable, for whom, and why.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


CONCEPT_MARK = {"nash": "R", "gmr": "G", "smr": "M", "seq": "S", "sim": "I"}
SHOWN_ROWS = 1000  # most states listed by `analyze` without --all

_console = console


def _version_callback(value: bool) -> None:
    if value:
        from .._version import __version__

        typer.echo(f"backchannel {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Backchannel analyses conflicts with the Graph Model for Conflict Resolution."""


# ---------------------------------------------------------------------------
# analyze


@app.command()
def analyze(
    case: CaseArg,
    fmt: FormatOpt = Format.table,
    concept: Annotated[
        list[str] | None,
        typer.Option("--concept", "-c", help="Concepts to compute (nash, gmr, smr, seq, sim); default all."),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every state, however many there are.")
    ] = False,
    max_states: MaxStatesOpt = None,
    sim: SimOpt = "joint",
) -> None:
    """Stability of every feasible state for every decision maker, and the equilibria.

    Concepts: Nash (R), general metarationality (GMR), symmetric metarationality
    (SMR), sequential stability (SEQ) and simultaneous sanctioning (SIM), as
    defined by Fang, Hipel & Kilgour (1993). SIM lets any set of opponents reply
    at once (as GMCR+ does); --sim pairwise lets one opponent reply at a time.
    """
    from ..gmcr.analysis import stability
    from ..gmcr.engine import CONCEPTS

    concepts = parse_concepts(concept, CONCEPTS)
    result = stability(case, concepts, max_states=max_states, sim_mode=parse_sim(sim))
    _gmcr_notes(case)
    if fmt is Format.json:
        emit_json(result)
        return
    _print_stability(result, show_all)
    from .reasons import print_concept_notes

    print_concept_notes(result)


def _gmcr_notes(source: str) -> None:
    """Tell the user what the import of a GMCR+ file leaves out or changes."""
    if not str(source).lower().endswith(".gmcr") or not Path(source).is_file():
        return
    import json

    from rich.markup import escape

    from ..formats.gmcrplus import gmcr_warnings

    try:
        raw: Any = json.loads(Path(source).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return
    console = _console(stderr=True)
    for w in gmcr_warnings(raw, str(source)):
        console.print(f"[yellow]note[/yellow]: {escape(w)}")


def _print_stability(result: StabilityResult, show_all: bool) -> None:
    import numpy as np
    from rich.table import Table
    from rich.text import Text

    console = _console()
    sp = result.space
    conflict = sp.conflict
    n = sp.n_states
    concepts = result.concepts
    eq_mask: dict[str, np.ndarray] = {c: np.asarray(result.stable[c].all(axis=0)) for c in concepts}
    console.print(Text(conflict.title, style="bold"))
    dms = ", ".join(f"{dm.text} ({len(dm.options)})" for dm in conflict.decision_makers)
    console.print(f"{conflict.n_options} options · {n} feasible states · decision makers (options): {dms}")
    from .reasons import print_stability_summary

    print_stability_summary(result)
    rows: list[int] = list(range(n))
    note = ""
    if n > 64 and not show_all:
        # Long tables hide what matters: keep the status quo and the equilibria
        # of the selective concepts (Nash, SEQ, SIM); GMR/SMR sets, often large
        # with many decision makers, are summarised in the equilibria table.
        selective = [c for c in concepts if c in ("nash", "seq", "sim")] or list(concepts)
        keep = np.logical_or.reduce([eq_mask[c] for c in selective]).copy()
        if sp.status_quo is not None:
            keep[sp.status_quo] = True
        rows = np.flatnonzero(keep).tolist()
        shown = "/".join(CONCEPT_LABELS[c] for c in selective)
        note = (
            f"Shown: the status quo and the {shown} equilibria; {n - len(rows)} other states "
            "are not (--all shows every state, --format json gives everything)."
        )
        if len(rows) > SHOWN_ROWS:
            note += (
                f" Of those {len(rows)} states the first {SHOWN_ROWS} are listed"
                " (the equilibria table below names them all)."
            )
            rows = rows[:SHOWN_ROWS]
    headers = ["#", "State", "Taken", *(dm.name for dm in conflict.decision_makers), "Equilibrium"]
    if sp.scenarios:
        headers.append("Scenario")
    pats = _patterns(sp, rows)
    body: list[list[str]] = []
    for s, pat in zip(rows, pats, strict=True):
        num = str(s + 1) + (" SQ" if s == sp.status_quo else "")
        cells = [num, pat, sp.describe(s)]
        for d in range(sp.n_dms):
            cells.append("".join(CONCEPT_MARK[c] if result.stable[c][d, s] else "·" for c in concepts))
        eq = " ".join(CONCEPT_LABELS[c] for c in concepts if eq_mask[c][s])
        cells.append(eq)
        if sp.scenarios:
            cells.append(", ".join(_scenario_text(conflict, name) for name in sp.scenario_labels(s)))
        body.append(cells)
    if len(body) > RICH_ROWS:
        # plain aligned lines: linear in the rows printed, unlike a rich table
        console.file.write(plain_table(headers, body, right=[0]) + "\n")
    else:
        table = Table(show_lines=False, header_style="bold", pad_edge=False)
        table.add_column("#", justify="right")
        table.add_column("State", no_wrap=True)
        table.add_column("Taken", overflow="fold")
        for dm in conflict.decision_makers:
            table.add_column(dm.name, no_wrap=True)
        table.add_column("Equilibrium", overflow="fold")
        if sp.scenarios:
            table.add_column("Scenario", overflow="fold")
        for cells in body:
            table.add_row(*cells, style="bold" if cells[len(headers) - 1 - bool(sp.scenarios)] else None)
        console.print(table)
    legend = ", ".join(f"{CONCEPT_MARK[c]} {CONCEPT_LABELS[c]}" for c in concepts)
    console.print(
        f"Per decision maker, stable under: {legend}; · unstable. SQ: status quo. "
        "Options in a state are listed option 1 first."
    )
    if note:
        console.print(note)
    eqt = Table(title="Equilibria", header_style="bold", title_justify="left")
    eqt.add_column("Concept")
    eqt.add_column("States")
    if sp.scenarios:
        eqt.add_column("Scenarios")
    for c in concepts:
        eqs = result.equilibria(c)
        row = [CONCEPT_LABELS[c], state_list(eqs, max_runs=None if show_all else 60)]
        if sp.scenarios:
            counts: dict[str, int] = {}
            for e in eqs:
                names = sp.scenario_labels(e - 1)
                for lab in [_scenario_text(conflict, x) for x in names] or ["(none)"]:
                    counts[lab] = counts.get(lab, 0) + 1
            if len(eqs) > 3:
                row.append(", ".join(f"{lab} ({k})" for lab, k in counts.items()))
            else:
                row.append(", ".join(lab for lab in counts if lab != "(none)"))
        eqt.add_row(*row)
    console.print(eqt)


def _patterns(sp: Any, rows: list[int]) -> list[str]:
    """Y/N patterns of the states ``rows``, computed together."""
    import numpy as np

    n = sp.n_options
    if not rows or not n:
        return [""] * len(rows)
    codes = sp.codes[np.asarray(rows)]
    bits = (codes[:, None] >> np.arange(n, dtype=np.uint64)[None, :]) & np.uint64(1)
    table = np.where(bits.astype(bool), ord("Y"), ord("N")).astype(np.uint8)
    return list(table.view(f"S{n}").ravel().astype(str).tolist())


def _scenario_text(conflict: Any, name: str) -> str:
    sc = conflict.scenarios[name]
    return str(sc.label or name)


# ---------------------------------------------------------------------------
# validate, schema, cases, convert


@app.command()
def validate(case: CaseArg, max_states: MaxStatesOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Check a case file: structure, names, rankings, feasibility, issues and actors, provenance,
    and every quote against its source's text (sources with `file:` or `text:`)."""
    from ..bargaining.data import bargaining_data
    from ..case.casefile import read_case
    from ..case.provenance import provenance_report
    from ..case.quotes import case_base, check_quotes, mismatch_error, source_texts
    from ..gmcr.analysis import compile_case
    from .common import located
    from .validate_json import validate_json

    if fmt is Format.json:
        validate_json(case, max_states)
        return
    conflict, display, _ = read_case(case)
    quotes = check_quotes(conflict, source_texts(conflict, case_base(case), display))
    if not conflict.decision_makers and not (conflict.issues or conflict.actors):
        from ..errors import CaseError

        raise CaseError(
            case,
            "the case has neither decision makers nor issues and actors",
            hint="Give decision makers with options (graph model) and/or issues and actors (bargaining).",
        )
    console = _console()
    lines = []
    if conflict.decision_makers:
        space = compile_case(case, max_states=max_states)
        lines.append(
            f"  {len(conflict.decision_makers)} decision makers, {conflict.n_options} options, "
            f"{space.n_states} feasible states"
            + (
                f"; status quo: state {space.status_quo + 1} ({space.pattern(space.status_quo)})"
                if space.status_quo is not None
                else "; no status quo given"
            )
        )
        if conflict.perceptions:
            from ..gmcr.hypergame import perceived_game

            with located(case):
                for name, per in conflict.perceptions.items():
                    perceived_game(space, name)
                    for other in per.about:
                        perceived_game(space, name, other)
            lines.append(f"  perceptions of {', '.join(conflict.perceptions)} (hypergame)")
    if conflict.issues or conflict.actors:
        with located(case):
            data = bargaining_data(conflict)
        lines.append(f"  {data.n_issues} issues, {data.n_actors} bargaining actors")
    from ..scenarios.checks import check_for_sampling

    with located(case):
        check_for_sampling(conflict, space if conflict.decision_makers else None)
    _gmcr_notes(case)
    if quotes.mismatched:
        raise mismatch_error(display, quotes)
    from rich.markup import escape

    console.print(f"[green]ok[/green]: {escape(case)} — {escape(conflict.title)}")
    for line in lines:
        console.print(line)
    rep = provenance_report(conflict)
    console.print(
        f"  provenance: {rep.cited} judgements cite a source, {rep.estimates} are analyst "
        f"estimates, {len(rep.missing)} have none"
    )
    for where in rep.missing[:10]:
        console.print(f"    [yellow]no provenance[/yellow]: {where}")
    if len(rep.missing) > 10:
        console.print(f"    … and {len(rep.missing) - 10} more")
    for problem in rep.problems:
        console.print(f"    [yellow]warning[/yellow]: {problem}")
    if quotes.checked or quotes.unchecked:
        console.print(
            f"  quotes: {quotes.checked} checked against their sources, {quotes.verbatim} verbatim"
            + (f"; not checked (no text): {', '.join(quotes.unchecked)}" if quotes.unchecked else "")
        )


@app.command()
def schema() -> None:
    """Print the JSON Schema of the case-file format."""
    import json

    from ..case.model import Conflict

    sch = Conflict.model_json_schema(by_alias=True)
    sch["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    sch["title"] = "Backchannel case file"
    sys.stdout.write(json.dumps(sch, indent=2) + "\n")


@app.command()
def cases(fmt: FormatOpt = Format.table) -> None:
    """List the bundled cases; any of them can be named instead of a path."""
    from ..case.casefile import bundled_cases, load_case

    rows: list[dict[str, str]] = []
    for name in bundled_cases():
        c = load_case(name)
        rows.append(
            {
                "name": name,
                "title": c.title,
                "decision_makers": str(len(c.decision_makers)),
                "options": str(c.n_options),
                "issues": str(len(c.issues)),
                "actors": str(len(c.actors)),
            }
        )
    if fmt is Format.json:
        import json

        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    t = Table(header_style="bold")
    for col in ("name", "title", "DMs", "options", "issues", "actors"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["name"], r["title"], r["decision_makers"], r["options"], r["issues"], r["actors"])
    _console().print(t)


@app.command()
def convert(
    source: CaseArg,
    output: Annotated[
        Path, typer.Argument(help="Where to write: .yaml, .json, .gmcr (GMCR+) or .csv (KTAB SMP).")
    ],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Convert between our case format (YAML/JSON), GMCR+ save files (.gmcr) and
    KTAB spatial-model files (.csv). What the target format cannot hold is named."""
    from ..case.casefile import read_case
    from ..errors import BackchannelError, CaseError
    from ..formats.writer import conflict_to_json, conflict_to_yaml
    from .common import located

    conflict, name, _ = read_case(source)
    suffix = output.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json", ".gmcr", ".csv"):
        raise CaseError(
            str(output), "unknown output format", hint="End the name with .yaml, .json, .gmcr or .csv."
        )
    if output.exists() and not force:
        raise BackchannelError(f"{output} exists; use --force to overwrite it")
    left_out: list[str] = []
    if suffix == ".gmcr":
        from ..formats.gmcrplus import conflict_to_gmcr_text

        if not conflict.decision_makers:
            raise BackchannelError(
                f"{name} has no decision makers: a GMCR+ file holds only the graph model "
                "(write .yaml, .json, or .csv for KTAB)"
            )
        with located(source):
            text = conflict_to_gmcr_text(conflict)
        left_out = [
            what
            for what, present in (
                ("issues and actors", conflict.issues or conflict.actors),
                ("perceptions", conflict.perceptions),
                ("scenarios", conflict.scenarios),
                ("provenance", True),
            )
            if present
        ]
    elif suffix == ".csv":
        from ..formats.ktab import conflict_to_ktab

        with located(source):
            text = conflict_to_ktab(conflict)
        left_out = [
            what
            for what, present in (
                ("the graph model (decision makers, options, preferences)", conflict.decision_makers),
                ("issue labels, scales and reference points", conflict.issues),
                ("provenance", True),
            )
            if present
        ]
    elif suffix == ".json":
        text = conflict_to_json(conflict)
    else:
        text = conflict_to_yaml(conflict)
    tmp = output.with_name(output.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)  # never leave a half-written file
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise BackchannelError(f"cannot write {output}: {e.strerror or e}") from None
    _gmcr_notes(source)
    err = _console(stderr=True)
    if left_out:
        err.print(f"[yellow]note[/yellow]: the {suffix} format cannot hold: {', '.join(left_out)}")
    err.print(f"wrote {output} from {name}")


def _register_commands() -> None:
    """Add the commands of every module in :mod:`backchannel.commands` that has ``register``."""
    import importlib
    import pkgutil

    from .. import commands

    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if mod.name == "cli":
            continue
        module = importlib.import_module(f"{commands.__name__}.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_commands()


# ---------------------------------------------------------------------------


def main() -> None:
    """Entry point: run the app; report known errors in one paragraph, no traceback.

    Usage errors (an unknown option, a missing argument) are reported by typer
    itself with exit code 2; ``--help`` exits 0.
    """
    from ..errors import BackchannelError

    try:
        app()
    except BackchannelError as e:
        from rich.markup import escape

        _console(stderr=True).print(f"[bold red]error[/bold red]: {escape(str(e))}", soft_wrap=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        _console(stderr=True).print("interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
