"""``backchannel coalitions``: which equilibria a coalition would break, and how."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .common import CaseArg, Format, FormatOpt, MaxStatesOpt, console, emit_json, located, state_list

if TYPE_CHECKING:
    from rich.console import Console

    from ..gmcr.coalitions import CoalitionBreak, CoalitionResult, CoalitionSearchResult
    from ..gmcr.statespace import StateSpace

LABELS = {"nash": "Nash", "gmr": "GMR", "smr": "SMR", "seq": "SEQ"}
MARKS = {"nash": "R", "gmr": "G", "smr": "M", "seq": "S"}
MAX_SENTENCES = 20


def coalitions_command(
    case: CaseArg,
    fmt: FormatOpt = Format.table,
    partition: Annotated[
        str | None,
        typer.Option(
            "--partition",
            "-p",
            help='Coalitions separated by commas, members by "+", e.g. "MoE+UR,LG" (decision makers '
            "not named act alone). Without it, every coalition of two or more is examined.",
        ),
    ] = None,
    concept: Annotated[
        list[str] | None,
        typer.Option("--concept", "-c", help="Concepts (nash, gmr, smr, seq); default all four."),
    ] = None,
    max_size: Annotated[
        int | None,
        typer.Option("--max-size", help="Without --partition: examine coalitions of at most this many."),
    ] = None,
    max_states: MaxStatesOpt = None,
) -> None:
    """Coalition analysis (Kilgour, Hipel, Fang & Peng 2001; Inohara & Hipel 2008).

    A coalition moves jointly by a sequence of its members' unilateral moves;
    a joint move is an improvement when every member prefers where it ends.
    Without --partition: for every coalition of two or more decision makers
    (the others acting alone), which equilibria it breaks and by which joint
    move. With --partition: coalitional Nash, GMR, SMR and SEQ stability of
    every state for each coalition, and the coalitional equilibria.
    """
    from ..errors import BackchannelError
    from ..gmcr.analysis import compile_case
    from ..gmcr.coalitions import COALITION_CONCEPTS, coalition_search, coalition_stability, parse_partition

    concepts = list(COALITION_CONCEPTS)
    if concept:
        wanted = [p.strip().lower() for c in concept for p in c.split(",") if p.strip()]
        wanted = ["nash" if w == "r" else w for w in wanted]
        bad = [c for c in wanted if c not in COALITION_CONCEPTS]
        if bad:
            raise BackchannelError(f"unknown concept {bad[0]!r}: choose from {', '.join(COALITION_CONCEPTS)}")
        concepts = [c for c in COALITION_CONCEPTS if c in wanted]
    if max_size is not None and max_size < 2:
        raise BackchannelError("--max-size must be at least 2: a coalition has two or more members")
    groups = parse_partition(partition) if partition is not None else None
    space = compile_case(case, max_states=max_states)
    with located(case):
        if groups is not None:
            result: CoalitionResult | CoalitionSearchResult = coalition_stability(space, groups, concepts)
        else:
            result = coalition_search(space, concepts, max_size=max_size)
    if fmt is Format.json:
        emit_json(result)
        return
    from ..gmcr.coalitions import CoalitionResult

    if isinstance(result, CoalitionResult):
        print_partition(result)
    else:
        print_search(result)


def _who(space: StateSpace, names: tuple[str, ...] | list[str]) -> str:
    return " + ".join(names)


def _sentences(
    out: Console, space: StateSpace, breaks: tuple[CoalitionBreak, ...] | list[CoalitionBreak]
) -> None:
    """One sentence per (state, coalition, joint move), naming every concept it
    breaks; those that break under the most concepts first."""
    from rich.markup import escape

    from ..gmcr.coalitions import COALITION_CONCEPTS, joint_move_text, joint_path

    grouped: dict[tuple[int, tuple[str, ...], int], list[CoalitionBreak]] = {}
    for b in breaks:
        grouped.setdefault((b.state, b.coalition, b.target), []).append(b)
    if not grouped:
        return
    out.print("[bold]In words[/bold]")
    order = sorted(grouped.items(), key=lambda x: (-len(x[1]), x[0][0], len(x[0][1]), x[0]))
    for k, ((state, coalition, target), group) in enumerate(order):
        if k == MAX_SENTENCES:
            out.print(f"… and {len(grouped) - k} more (--format json lists every joint move).")
            break
        concepts = [c for c in COALITION_CONCEPTS if any(b.concept == c for b in group)]
        text = joint_move_text(space, coalition, state, target, concepts)
        path = joint_path(space, coalition, state, target)
        if len(path) > 1:
            steps = ", then ".join(f"{space.conflict.dm(m).text} (to state {s})" for m, s in path)
            text += f" For instance: {steps}."
        out.print(f"• {escape(text)}")


def print_search(result: CoalitionSearchResult) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    out = console()
    sp = result.space
    out.print(Text(sp.conflict.title, style="bold"))
    sizes = sorted({len(c) for c in result.coalitions})
    size_text = f"{sizes[0]}–{sizes[-1]}" if len(sizes) > 1 else (str(sizes[0]) if sizes else "none")
    out.print(
        f"{sp.n_states} feasible states · {len(result.coalitions)} "
        f"{'coalition' if len(result.coalitions) == 1 else 'coalitions'} examined "
        f"(members: {size_text}), each with the other decision makers acting alone."
    )
    eqt = Table(title="Equilibria", title_justify="left", header_style="bold")
    eqt.add_column("Concept")
    eqt.add_column("Equilibria", overflow="fold")
    eqt.add_column("Broken by a coalition", overflow="fold")
    eqt.add_column("Coalitionally stable", overflow="fold")
    for c in result.concepts:
        broken = sorted({b.state for b in result.breaks_of(c)})
        eqt.add_row(
            LABELS[c], state_list(result.equilibria[c]), state_list(broken), state_list(result.unbroken(c))
        )
    out.print(eqt)
    breakers = [h for h in result.coalitions if any(b.coalition == h for b in result.breaks)]
    if breakers:
        who = Table(title="The equilibria each coalition breaks", title_justify="left", header_style="bold")
        who.add_column("Coalition")
        for c in result.concepts:
            who.add_column(LABELS[c], overflow="fold")
        for h in breakers:
            cells = [_who(sp, h)]
            for c in result.concepts:
                cells.append(state_list(sorted({b.state for b in result.breaks_of(c) if b.coalition == h})))
            who.add_row(*cells)
        out.print(who)
    if result.skipped:
        skipped = ", ".join(_who(sp, c) for c in result.skipped)
        out.print(
            f"[yellow]Not examined[/yellow] (their joint moves reach too many states): {escape(skipped)}. "
            "They might break equilibria listed as coalitionally stable; --max-size limits the search."
        )
    if not result.breaks:
        out.print("No coalition can break these equilibria by a joint move that all its members prefer.")
        return
    moves = Table(title="Joint moves that break an equilibrium", title_justify="left", header_style="bold")
    moves.add_column("State", justify="right")
    moves.add_column("Coalition")
    moves.add_column("To", justify="right")
    moves.add_column("Changes", overflow="fold")
    moves.add_column("Concepts")
    grouped: dict[tuple[int, tuple[str, ...], int], list[str]] = {}
    firsts: dict[tuple[int, tuple[str, ...], int], CoalitionBreak] = {}
    for b in result.breaks:
        key = (b.state, b.coalition, b.target)
        grouped.setdefault(key, []).append(LABELS[b.concept])
        firsts.setdefault(key, b)
    for k, key in enumerate(sorted(grouped)):
        if k == 40:
            moves.add_row("…", f"{len(grouped) - k} more", "", "", "")
            break
        b = firsts[key]
        changes = ", ".join(f"{'+' if taken else '−'}{opt}" for _, opt, taken in b.changes)
        moves.add_row(str(b.state), _who(sp, b.coalition), str(b.target), changes, " ".join(grouped[key]))
    out.print(moves)
    out.print("Changes: + option taken, − option withdrawn. Other undeterred targets: --format json.")
    _sentences(out, sp, result.breaks)


def print_partition(result: CoalitionResult) -> None:
    import numpy as np
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    out = console()
    sp = result.space
    conflict = sp.conflict
    concepts = result.concepts
    out.print(Text(conflict.title, style="bold"))
    coalitions = " | ".join(" + ".join(conflict.dm(m).text for m in c) for c in result.partition)
    out.print(f"{sp.n_states} feasible states · coalitions: {escape(coalitions)}")
    eq = {c: np.asarray(result.stable[c].all(axis=0)) for c in concepts}
    ind = {c: np.asarray(result.individual[c].all(axis=0)) for c in concepts}
    rows = list(range(sp.n_states))
    note = ""
    if sp.n_states > 64:
        keep = np.logical_or.reduce([eq[c] | ind[c] for c in concepts])
        rows = [s for s in rows if keep[s] or s == sp.status_quo]
        note = (
            f"Shown: the status quo and the states that are an equilibrium, coalitional or ordinary; "
            f"{sp.n_states - len(rows)} other states are not (--format json gives everything)."
        )
    table = Table(header_style="bold", pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("State", no_wrap=True)
    table.add_column("Taken", overflow="fold")
    for name in result.coalition_names:
        table.add_column(name, no_wrap=True)
    table.add_column("Coalitional eq.", overflow="fold")
    table.add_column("Ordinary eq.", overflow="fold")
    for s in rows:
        cells = [str(s + 1) + (" SQ" if s == sp.status_quo else ""), sp.pattern(s), sp.describe(s)]
        for k in range(len(result.partition)):
            cells.append("".join(MARKS[c] if result.stable[c][k, s] else "·" for c in concepts))
        cells.append(" ".join(LABELS[c] for c in concepts if eq[c][s]))
        cells.append(" ".join(LABELS[c] for c in concepts if ind[c][s]))
        table.add_row(*cells, style="bold" if any(eq[c][s] for c in concepts) else None)
    out.print(table)
    legend = ", ".join(f"{MARKS[c]} {LABELS[c]}" for c in concepts)
    out.print(f"Per coalition, coalitionally stable under: {legend}; · unstable. SQ: status quo.")
    if note:
        out.print(note)
    eqt = Table(title="Equilibria", title_justify="left", header_style="bold")
    for col in ("Concept", "Ordinary", "Coalitional", "Lost", "Gained"):
        eqt.add_column(col, overflow="fold")
    for c in concepts:
        eqt.add_row(
            LABELS[c],
            state_list(result.individual_equilibria(c)),
            state_list(result.equilibria(c)),
            state_list(result.lost(c)),
            state_list(result.gained(c)),
        )
    out.print(eqt)
    _sentences(out, sp, result.breaks)
    gained = sorted({s for c in concepts for s in result.gained(c)})
    for k, s in enumerate(gained):
        if k == MAX_SENTENCES:
            out.print(f"… and {len(gained) - k} more gained states.")
            break
        which = [c for c in concepts if s in result.gained(c)]
        alone = [
            conflict.dm(dm).text
            for d, dm in enumerate(sp.dm_names)
            if any(not result.individual[c][d, s - 1] for c in which)
        ]
        text = (
            f"State {s} ({sp.describe(s - 1)}) is a coalitional equilibrium but not an ordinary one "
            f"({', '.join(LABELS[c] for c in which)})"
        )
        if alone:
            text += f": when every decision maker acts alone, {' and '.join(alone)} would leave it"
        text += "."
        out.print(f"• {escape(text)}")


def register(app: typer.Typer) -> None:
    app.command("coalitions")(coalitions_command)
