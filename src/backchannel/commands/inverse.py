"""``backchannel inverse``: which preferences make a desired state an equilibrium."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .common import CaseArg, Format, FormatOpt, MaxStatesOpt, console, emit_json

if TYPE_CHECKING:
    from ..gmcr.inverse import InverseResult

__all__ = ["register"]


def inverse_command(
    case: CaseArg,
    state: Annotated[
        str, typer.Option("--state", "-s", help="The desired state: its number or its Y/N pattern.")
    ],
    concept: Annotated[
        str, typer.Option("--concept", "-c", help="Solution concept: nash, gmr, smr, seq or sim.")
    ] = "nash",
    dm: Annotated[
        list[str] | None,
        typer.Option(
            "--dm", "-d", help="A decision maker whose preferences may change (repeat it; default: all)."
        ),
    ] = None,
    window: Annotated[
        int | None,
        typer.Option(
            "--window",
            "-w",
            help="Count only rankings with every state at most K places from its current place "
            "(default: all rankings).",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    max_states: MaxStatesOpt = None,
) -> None:
    """Which preferences of the chosen decision makers make STATE an equilibrium.

    Prints the conditions on their preferences (for each move of each decision
    maker away from the state, the ways it can be harmless), how many of their
    strict rankings (all, or within --window K places of the current ones) make
    the state an equilibrium, and the smallest change to the current rankings,
    in reversed pairs, that does it (Kinsara, Kilgour & Hipel 2015, inverse
    graph model; opponents move by legal sequences).
    """
    from ..gmcr.analysis import compile_case
    from ..gmcr.inverse import inverse

    dms: list[str] | None = None
    if dm:
        dms = [part.strip() for item in dm for part in item.split(",") if part.strip()]
    space = compile_case(case, max_states=max_states)
    result = inverse(space, state, concept, dms, window)
    if fmt is Format.json:
        emit_json(result)
        return
    _print(result)


def _print(result: InverseResult) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    out = console()
    sp = result.space
    names = ", ".join(sp.dm_names[d] for d in result.dms)
    out.print(Text(sp.conflict.title, style="bold"))
    out.print(
        f"Inverse analysis of {escape(result.label(result.state))} [{sp.pattern(result.state)}] "
        f"under {result.concept.upper()}; preferences that may change: {escape(names)}"
    )
    summary = result.summary()
    out.print(escape(summary[0]))

    open_clauses = [c for c in result.clauses if c.status != "holds"]
    table = Table(title="Conditions", header_style="bold", title_justify="left", show_lines=True)
    table.add_column("Decision maker", no_wrap=True)
    table.add_column("Move to", justify="right")
    table.add_column("Stable only if one of these holds", overflow="fold")
    shown = 0
    for cl in open_clauses:
        if shown >= 40:
            break
        shown += 1
        if cl.status == "fails":
            cell = "[red]impossible[/red]: nothing the chosen decision makers prefer deters this move"
        else:
            alts = [escape(result.alternative_text(cl, a)) for a in cl.alternatives]
            if len(alts) > 10:
                alts = [*alts[:10], f"… and {len(alts) - 10} more"]
            cell = "\n".join(f"• {a}" for a in alts)
        table.add_row(sp.dm_names[cl.focal], str(cl.move + 1), cell)
    if open_clauses:
        out.print(table)
        if len(open_clauses) > shown:
            out.print(f"… and {len(open_clauses) - shown} more moves (--format json lists them all).")
    settled = len(result.clauses) - len(open_clauses)
    if settled:
        out.print(
            f"{settled} other move{'s' if settled != 1 else ''} away from the state "
            f"{'are' if settled != 1 else 'is'} deterred whatever the chosen decision makers prefer."
        )

    counts = Table(title="Rankings counted", header_style="bold", title_justify="left")
    counts.add_column("Decision maker")
    counts.add_column("Rankings", justify="right")
    counts.add_column("Meeting its conditions", justify="right")
    for d in result.dms:
        own = result.own.get(d)
        counts.add_row(sp.dm_names[d], f"{result.rankings[d]:,}", "—" if own is None else f"{own:,}")
    out.print(counts)
    for line in summary[1:]:
        out.print(escape(line))
    for option in result.changes[:1]:
        if not option:
            continue
        rk = Table(title="New rankings (best first)", header_style="bold", title_justify="left")
        rk.add_column("Decision maker")
        rk.add_column("Now")
        rk.add_column("After")
        for ch in option:
            p = sp.payoffs[ch.dm].tolist()
            levels = sorted(set(p), reverse=True)
            now = " ".join(
                "[" + " ".join(str(x + 1) for x in range(sp.n_states) if p[x] == v) + "]"
                if p.count(v) > 1
                else str(p.index(v) + 1)
                for v in levels
            )
            rk.add_row(sp.dm_names[ch.dm], escape(now), " ".join(str(x + 1) for x in ch.ranking))
        out.print(rk)


def register(app: typer.Typer) -> None:
    app.command("inverse")(inverse_command)
