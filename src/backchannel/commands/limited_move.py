"""``backchannel limited-move``: limited-move (L_h) and non-myopic stability."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .common import CaseArg, Format, FormatOpt, MaxStatesOpt, console, emit_json

if TYPE_CHECKING:
    from ..gmcr.limited_move import LimitedMoveResult

__all__ = ["register"]


def limited_move_command(
    case: CaseArg,
    horizon: Annotated[
        int, typer.Option("--horizon", "-H", help="The largest horizon h: L_1 … L_h are computed.")
    ] = 2,
    nonmyopic: Annotated[
        bool, typer.Option("--nonmyopic/--no-nonmyopic", help="Also non-myopic stability (h → ∞).")
    ] = True,
    fmt: FormatOpt = Format.table,
    max_states: MaxStatesOpt = None,
) -> None:
    """Limited-move stability L_h and non-myopic stability, for two decision makers.

    A state is L_h stable for a decision maker when, foreseeing h alternating
    moves (its own first), it anticipates no move that ends in a state it
    prefers (Kilgour 1985; Kilgour, Hipel & Fang 1987; Zagare 1984). It is
    non-myopically stable when it is L_h stable for every large enough h.
    """
    from ..errors import BackchannelError
    from ..gmcr.analysis import compile_case
    from ..gmcr.limited_move import limited_move

    if horizon < 1:
        raise BackchannelError(f"the horizon is at least 1 (got {horizon})")
    space = compile_case(case, max_states=max_states)
    result = limited_move(space, horizon, nonmyopic=nonmyopic)
    if fmt is Format.json:
        emit_json(result)
        return
    _print(result)


def _states(states: list[int] | None) -> str:
    if states is None:
        return "undetermined"
    return ", ".join(map(str, states)) if states else "none"


def _print(result: LimitedMoveResult) -> None:
    import numpy as np
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    out = console()
    sp = result.space
    n = sp.n_states
    H = result.horizon
    nm = result.nm_stable
    out.print(Text(sp.conflict.title, style="bold"))
    out.print(
        f"{n} feasible states · decision makers: {', '.join(dm.text for dm in sp.conflict.decision_makers)}"
    )
    table = Table(header_style="bold", pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("State", no_wrap=True)
    table.add_column("Taken", overflow="fold")
    for dm in sp.dm_names:
        table.add_column(f"{dm} L1…L{H}" + (" NM" if nm is not None else ""), no_wrap=True)
    table.add_column(f"L{H} eq", justify="center")
    if nm is not None:
        table.add_column("NM eq", justify="center")
    eq_h: np.ndarray = np.asarray(result.stable[H - 1].all(axis=0))
    eq_nm: np.ndarray = np.asarray(nm.all(axis=0)) if nm is not None else np.zeros(n, dtype=bool)
    for s in range(n):
        cells = [str(s + 1) + (" SQ" if s == sp.status_quo else ""), sp.pattern(s), escape(sp.describe(s))]
        for d in range(2):
            marks = "".join("S" if result.stable[h, d, s] else "·" for h in range(H))
            if result.tie_dependent[:, d, s].any():
                marks += "*"
            if nm is not None:
                marks += "  " + ("S" if nm[d, s] else "·")
            cells.append(marks)
        cells.append("✓" if eq_h[s] else "")
        if nm is not None:
            cells.append("✓" if eq_nm[s] else "")
        table.add_row(*cells, style="bold" if eq_h[s] or eq_nm[s] else None)
    out.print(table)
    out.print(
        "Per decision maker: S stable, · unstable, for h = 1 … "
        f"{H}" + (", then NM" if nm is not None else "") + "; * a tie between anticipated states was broken."
    )
    eqt = Table(title="Equilibria", header_style="bold", title_justify="left")
    eqt.add_column("Horizon")
    eqt.add_column("States")
    for h in range(1, H + 1):
        eqt.add_row(f"L{h}", _states(result.equilibria(h)))
    if nonmyopic_requested(result):
        eqt.add_row("NM", _states(result.nm_equilibria()))
    out.print(eqt)
    if result.cycle_start is not None:
        if result.cycle_length == 1:
            out.print(f"The anticipated states no longer change from h = {result.cycle_start}.")
        else:
            out.print(
                f"From h = {result.cycle_start} the anticipated states repeat with period "
                f"{result.cycle_length}; NM stable means stable at every horizon of the cycle."
            )
    elif nonmyopic_requested(result):
        out.print("No period was found for the anticipated states: NM stability is undetermined.")


def nonmyopic_requested(result: LimitedMoveResult) -> bool:
    return bool(result.parameters.get("nonmyopic", True))


def register(app: typer.Typer) -> None:
    app.command("limited-move")(limited_move_command)
