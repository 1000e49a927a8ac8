"""``backchannel evolve``: how the conflict can evolve from the status quo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import CaseArg, Format, FormatOpt, MaxStatesOpt, SimOpt, console, emit_json, parse_sim

if TYPE_CHECKING:
    from ..gmcr.dynamics import DynamicsResult
    from ..gmcr.evolution import EvolutionResult

__all__ = ["register"]

_CONCEPTS = ("nash", "gmr", "smr", "seq", "sim")
_LABELS = {"nash": "Nash", "gmr": "GMR", "smr": "SMR", "seq": "SEQ", "sim": "SIM"}


def evolve(
    case: CaseArg,
    start: Annotated[
        str | None,
        typer.Option("--from", help="Starting state: a number or a Y/N pattern (default: the status quo)."),
    ] = None,
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept",
            "-c",
            help="Equilibria under these concepts (nash, gmr, smr, seq, sim); default nash.",
        ),
    ] = None,
    coalitions: Annotated[
        bool,
        typer.Option(
            "--coalitions",
            help="Also let two or more decision makers move together, each strictly better off.",
        ),
    ] = False,
    max_coalition: Annotated[
        int | None, typer.Option("--max-coalition", help="With --coalitions: at most this many members.")
    ] = None,
    max_steps: Annotated[
        int | None, typer.Option("--max-steps", help="Search paths of at most N steps.")
    ] = None,
    graphml: Annotated[
        Path | None, typer.Option("--graphml", help="Write the evolution graph as GraphML to this file.")
    ] = None,
    dot: Annotated[
        Path | None, typer.Option("--dot", help="Write the evolution graph in Graphviz DOT to this file.")
    ] = None,
    all_moves: Annotated[
        bool,
        typer.Option(
            "--all-moves", help="In the exported graph, also draw the moves that are not improvements."
        ),
    ] = False,
    fmt: FormatOpt = Format.table,
    max_states: MaxStatesOpt = None,
    sim: SimOpt = "joint",
) -> None:
    """Which equilibria the conflict can reach from the status quo, and how.

    Status quo analysis (Xu, Kilgour, Hipel & Kemkes 2010): from the starting
    state the decision makers move by unilateral improvements, any of them, in
    any order. With --coalitions, two or more may also move at once when each
    of them is strictly better off. Prints every reachable equilibrium with a
    shortest path to it, step by step.
    """
    from ..errors import BackchannelError
    from ..gmcr.analysis import compile_case
    from ..gmcr.evolution import evolution

    concepts: list[str] = []
    for c in concept or ["nash"]:
        for part in c.split(","):
            p = part.strip().lower()
            p = {"r": "nash", "sequential": "seq", "simultaneous": "sim"}.get(p, p)
            if p not in _CONCEPTS:
                raise BackchannelError(f"unknown concept {part!r}: choose from {', '.join(_CONCEPTS)}")
            if p not in concepts:
                concepts.append(p)
    space = compile_case(case, max_states=max_states)
    result = evolution(
        space,
        start,
        concepts,
        coalitions=coalitions,
        max_steps=max_steps,
        max_coalition_size=max_coalition,
        sim_mode=parse_sim(sim),
    )
    err = console(stderr=True)
    if graphml is not None:
        result.to_graphml(graphml, all_moves=all_moves)
        err.print(f"wrote {graphml}")
    if dot is not None:
        result.to_dot(dot, all_moves=all_moves)
        err.print(f"wrote {dot}")
    phased = None
    if (space.conflict.timeline or space.conflict.perceptions) and start is None and not coalitions:
        from ..gmcr.dynamics import phase_dynamics

        phased = phase_dynamics(space, concepts[0])  # each party on its own picture, phase by phase
    if fmt is Format.json:
        if phased is None:
            emit_json(result)
        else:
            import json

            data = result.to_dict()
            data["phases"] = phased.to_dict()
            print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    _print(result)
    if phased is not None:
        _print_phases(phased)


def _print_phases(result: DynamicsResult) -> None:
    from rich.markup import escape
    from rich.text import Text

    out = console()
    out.print(
        Text(
            "\nPhase by phase (each party moves on its own picture; above: with full information)",
            style="bold",
        )
    )
    for line in result.summary():
        out.print(escape(line), soft_wrap=True)
    for o, path in result.paths.items():
        out.print(f"Path to state {o}:")
        for part in path:
            steps = part["steps"]
            out.print(f"  {escape(part['label'])}:" + (" no move" if not steps else ""))
            for st in steps:
                out.print(f"    {escape(st['text'])}", soft_wrap=True)


def _print(result: EvolutionResult) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    out = console()
    sp = result.space
    s0 = result.start
    out.print(Text(sp.conflict.title, style="bold"))
    how = "unilateral improvements" + (" and coalition improvements" if result.coalitions else "")
    where = "the status quo, " if s0 == sp.status_quo else ""
    out.print(
        f"From {where}state {s0 + 1} ({sp.pattern(s0)}: {escape(sp.describe(s0))}), by {how}"
        + (f", at most {result.max_steps} steps" if result.max_steps is not None else "")
        + "."
    )
    reach = result.reachable()
    out.print(f"Reachable: {len(reach)} of {sp.n_states} states.")
    concepts = result.concepts
    eqs = result.all_equilibria()
    if not eqs:
        labels = "/".join(_LABELS[c] for c in concepts)
        out.print(f"No {labels} equilibrium is reachable.")
        return
    table = Table(header_style="bold", title="Reachable equilibria", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("State", no_wrap=True)
    table.add_column("Taken", overflow="fold")
    table.add_column("Equilibrium under")
    table.add_column("Steps", justify="right")
    for e in eqs:
        under = " ".join(_LABELS[c] for c in concepts if result.is_equilibrium(e, c))
        table.add_row(str(e), sp.pattern(e - 1), escape(sp.describe(e - 1)), under, str(result.steps_to(e)))
    out.print(table)
    for e in eqs:
        steps = result.path(e)
        head = f"State {e} ({sp.pattern(e - 1)})"
        if not steps:
            out.print(f"{head}: the starting state itself.")
            continue
        n = len(steps)
        out.print(f"{head}, {n} step{'s' if n > 1 else ''}:")
        for k, st in enumerate(steps, 1):
            out.print(f"  {k}. {escape(st.text)}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("evolve")(evolve)
