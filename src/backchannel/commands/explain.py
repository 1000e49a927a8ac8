"""``backchannel explain``: why a state is stable or not, in the case's own words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .common import CONCEPT_LABELS, CaseArg, Format, FormatOpt, MaxStatesOpt, console, emit_json

if TYPE_CHECKING:
    from ..gmcr.explain import Explanation

__all__ = ["register"]


def explain_command(
    case: CaseArg,
    state: Annotated[str, typer.Option("--state", "-s", help="The state: its number or its Y/N pattern.")],
    concept: Annotated[
        str, typer.Option("--concept", "-c", help="Solution concept: nash, gmr, smr, seq or sim.")
    ] = "nash",
    fmt: FormatOpt = Format.table,
    max_states: MaxStatesOpt = None,
) -> None:
    """Why STATE is stable or not, for each decision maker: its moves, whether
    each improves, the preference statements each gains and loses (as written in
    the case, with their sources), and for an improvement the sanction that
    deters it (the replying sequence, who moves, where it ends)."""
    from ..gmcr.analysis import compile_case
    from ..gmcr.explain import explain

    space = compile_case(case, max_states=max_states)
    result = explain(space, state, concept.lower())
    if fmt is Format.json:
        emit_json(result)
        return
    print_explanation(result)


def print_explanation(result: Explanation) -> None:
    from rich.markup import escape
    from rich.text import Text

    out = console()
    sp, s = result.space, result.state
    out.print(Text(sp.conflict.title, style="bold"))
    where = " (the status quo)" if s == sp.status_quo else ""
    futures = sp.scenario_labels(s)
    if futures:
        labels = [sp.conflict.scenarios[k].label or k for k in futures]
        where += f"; future: {', '.join(labels)}"
    out.print(f"State {s + 1} [{sp.pattern(s)}]{escape(where)}: {escape(sp.describe(s))}")
    out.print(Text(result.summary(), style="bold"))
    label = CONCEPT_LABELS[result.concept]
    quotes: dict[str, str] = {}
    for d in result.decision_makers:
        verdict = "[green]stable[/green]" if d["stable"] else "[red]not stable[/red]"
        out.print(f"\n[bold]{escape(d['label'])}[/bold] — {verdict} ({label}). {escape(d['reason'])}")
        for m in d["moves"]:
            mark = {"better": "[green]▲[/green]", "same": "=", "worse": "[dim]▼[/dim]"}[m["preference"]]
            out.print(f"  {mark} {escape(m['reason'])}")
            if m.get("deterrence"):
                tag = "[green]deterred[/green]" if m["deterred"] else "[red]not deterred[/red]"
                out.print(f"      {tag}: {escape(m['deterrence'])}")
            for st in m["statements"]:
                if st["quote"] or st["provenance"]:
                    quotes.setdefault(st["statement"], st["quote"] or st["provenance"])
            prefs = sp.conflict.dm(d["name"]).preferences.prioritization or []
            for stmt in (m["sanction"] or {}).get("lost", []):
                prov = next((x.provenance for x in prefs if x.condition == stmt and x.provenance), None)
                if prov is not None:
                    quotes.setdefault(stmt, prov.quote or prov.describe())
    if quotes:
        out.print("\n[bold]Where the statements come from[/bold]")
        for stmt, q in quotes.items():
            out.print(f"  '{escape(stmt)}': [italic]{escape(' '.join(q.split()))}[/italic]")


def register(app: typer.Typer) -> None:
    app.command("explain")(explain_command)
