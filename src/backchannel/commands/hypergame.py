"""``backchannel hypergame``: what each party sees, anticipates, and will not see coming."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    CONCEPT_LABELS,
    CaseArg,
    Format,
    FormatOpt,
    MaxStatesOpt,
    console,
    emit_json,
    located,
    parse_concepts,
    state_list,
)

if TYPE_CHECKING:
    from ..gmcr.hypergame import HypergameResult
    from ..gmcr.timeline import TimelineHypergame


LABELS = CONCEPT_LABELS


def hypergame_command(
    case: CaseArg,
    fmt: FormatOpt = Format.table,
    concept: Annotated[
        list[str] | None,
        typer.Option("--concept", "-c", help="Concepts (nash, gmr, smr, seq); default all four."),
    ] = None,
    outcome: Annotated[
        list[int] | None,
        typer.Option("--outcome", "-o", help="Also classify this state (number) for surprise."),
    ] = None,
    max_states: MaxStatesOpt = None,
) -> None:
    """Hypergame analysis: each decision maker's picture of the conflict (options it
    does not know, beliefs about others' preferences), the equilibria it
    anticipates, the H1 and H2 outcomes, and who is surprised by them."""
    from ..errors import BackchannelError
    from ..gmcr.analysis import compile_case
    from ..gmcr.hypergame import HYPERGAME_CONCEPTS, hypergame

    concepts = parse_concepts(concept, HYPERGAME_CONCEPTS)
    space = compile_case(case, max_states=max_states)
    n = space.n_states
    bad_outcomes = [o for o in outcome or [] if not 1 <= o <= n]
    if bad_outcomes:
        raise BackchannelError(
            f"--outcome {bad_outcomes[0]}: the conflict has {n} feasible states, numbered 1 to {n}"
        )
    if space.conflict.timeline:  # phase by phase, and the path through the phases
        from ..gmcr.timeline import timeline_hypergame

        if not concept and fmt is not Format.json:  # a table per phase: the selective concepts
            concepts = ("nash", "seq")

        with located(case):
            phased = timeline_hypergame(space, tuple(concepts), outcomes=list(outcome or []))
        if fmt is Format.json:
            emit_json(phased)
            return
        print_timeline(phased)
        return
    with located(case):
        result = hypergame(space, tuple(concepts), outcomes=list(outcome or []))
    if fmt is Format.json:
        emit_json(result)
        return
    print_hypergame(result)


def print_timeline(result: TimelineHypergame) -> None:
    """Each phase's pictures and anticipations, then the story through the phases."""
    from rich.markup import escape
    from rich.text import Text

    out = console()
    out.print(Text(result.dynamics.space.conflict.title, style="bold"))
    for i, (ph, hg) in enumerate(result.phases, 1):
        ends = result.dynamics.phases[i - 1]["ends"]
        out.print(
            Text(
                f"\nPhase {i}: {ph.text}" + (f" (ends {ends['text']})" if ends else " (the last phase)"),
                style="bold",
            )
        )
        print_hypergame(hg, title=False, surprises=False)
    out.print(Text("\nThrough the phases", style="bold"))
    for line in result.to_dict()["story"]:
        out.print(escape(line), soft_wrap=True)


def print_hypergame(result: HypergameResult, *, title: bool = True, surprises: bool = True) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    out = console()
    sp = result.space
    conflict = sp.conflict
    if title:
        out.print(Text(conflict.title, style="bold"))

    views = Table(title="What each decision maker sees", title_justify="left", header_style="bold")
    views.add_column("Decision maker")
    views.add_column("Unaware of")
    views.add_column("Knows of, cannot see")
    views.add_column("Beliefs about the preferences of")
    views.add_column("Believes others unaware of")
    for dm in conflict.decision_makers:
        per = conflict.perceptions.get(dm.name)
        unaware = ", ".join(per.unaware_of) if per and per.unaware_of else "—"
        beliefs = ", ".join(conflict.dm(j).text for j in per.preferences) if per and per.preferences else "—"
        nested = (
            "; ".join(
                f"{conflict.dm(j).text}: {', '.join(n.unaware_of) or '—'}" for j, n in per.about.items()
            )
            if per and per.about
            else "—"
        )
        unsure = ", ".join(per.unsure_of) if per and per.unsure_of else "—"
        views.add_row(dm.text, unaware, unsure, beliefs, nested)
    out.print(views)

    ant = Table(title="Equilibria each anticipates", title_justify="left", header_style="bold")
    ant.add_column("Decision maker")
    for c in result.concepts:
        ant.add_column(LABELS[c])
    for dm in conflict.decision_makers:
        ant.add_row(
            dm.text, *(state_list(result.perceived_equilibria(dm.name, c), 8) for c in result.concepts)
        )
    out.print(ant)

    hyp = Table(title="Hypergame outcomes", title_justify="left", header_style="bold")
    hyp.add_column("Concept")
    hyp.add_column("H1: each carries out its part of what it anticipates")
    hyp.add_column("H2: stable for each in its own game")
    for c in result.concepts:
        hyp.add_row(LABELS[c], state_list(result.h1_outcomes(c), 8), state_list(result.h2_outcomes(c), 8))
    out.print(hyp)

    if result.surprise and surprises:
        sur = Table(title="Who is surprised", title_justify="left", header_style="bold")
        sur.add_column("State")
        sur.add_column("Pattern")
        sur.add_column("Taken", overflow="fold")
        sur.add_column("Concept")
        sur.add_column("From")
        for dm in conflict.decision_makers:
            sur.add_column(dm.name)
        rows = result.surprise
        if len(rows) > 40:
            rows = [r for r in rows if any(k != "anticipated" for k in r["kinds"].values())][:40]
        for r in rows:
            sur.add_row(
                str(r["state"]),
                r["pattern"],
                sp.describe(r["state"] - 1),
                LABELS[r["concept"]],
                "+".join(r["source"]).upper(),
                *(_kind(r["kinds"][dm.name]) for dm in conflict.decision_makers),
            )
        out.print(sur)
        if len(rows) < len(result.surprise):
            out.print(f"({len(result.surprise) - len(rows)} more rows: --format json gives all)")
    if not surprises:
        return
    from ..gmcr.hypergame import summary

    for line in summary(result):
        out.print(escape(line))


def _kind(kind: str) -> str:
    style = {
        "anticipated": "green",
        "stealthy": "magenta",
        "strategic surprise": "bold red",
        "preference surprise": "yellow",
        "unexpected": "yellow",
    }[kind]
    return f"[{style}]{kind}[/{style}]"


def register(app: typer.Typer) -> None:
    app.command("hypergame")(hypergame_command)
