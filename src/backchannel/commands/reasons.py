"""The reasons added to ``analyze`` and ``scenarios`` tables: the computed
summary, how the probabilities were obtained (exact, with their decomposition,
or sampled), the diagnosis of each named future, cycles, what would it take,
and solution-concept guidance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .common import console

if TYPE_CHECKING:
    from ..gmcr.results import StabilityResult
    from ..scenarios.run import ScenarioResult

__all__ = [
    "print_concept_notes",
    "print_scenario_reasons",
    "print_scenario_summary",
    "print_stability_summary",
]

_DECOMPOSITION_ROWS = 15


def print_stability_summary(result: StabilityResult) -> None:
    """The computed summary of a stability analysis."""
    from rich.markup import escape

    from ..gmcr.summary import stability_summary

    text = " ".join(stability_summary(result, guidance=False))
    console().print("[bold]Summary[/bold] (computed): " + escape(text))


def print_concept_notes(result: StabilityResult) -> None:
    """Solution-concept guidance: unselective concepts, the threat behind most sanctions."""
    from rich.markup import escape

    from ..gmcr.guidance import concept_guidance

    wanted = tuple(c for c in ("gmr", "smr", "seq") if c in result.concepts)
    for row in concept_guidance(result.space, {c: result.stable[c] for c in wanted}, wanted):
        for note in row["notes"]:
            console().print(f"[yellow]note[/yellow]: {escape(note)}")


def print_scenario_summary(result: ScenarioResult) -> None:
    from rich.markup import escape

    summary = result.extra.get("summary")
    if summary:
        console().print("[bold]Summary[/bold] (computed): " + escape(" ".join(summary)))


def _futures(d: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:.3g}" if v < 1 else k for k, v in d.items())


def print_scenario_reasons(result: ScenarioResult) -> None:
    """Method and decomposition, the diagnosis of each future, cycles, what would it take."""
    from rich.markup import escape
    from rich.table import Table

    out = console()
    x = result.extra
    if x.get("method") == "exact":
        out.print(
            f"[bold]Exact[/bold]: the probabilities are sums over the {x['combinations']:,} combinations of "
            "the uncertain preferences, each weighted by its probability (no sampling error)."
        )
        t = Table(title="Which combination leads to which future", title_justify="left", header_style="bold")
        t.add_column("Combination (what differs from the preferences as written)", overflow="fold")
        t.add_column("Weight", justify="right")
        t.add_column("Future", overflow="fold")
        t.add_column("Outcome states", overflow="fold")
        rows = x.get("decomposition", [])
        for r in rows[:_DECOMPOSITION_ROWS]:
            t.add_row(
                escape(r["combination"]),
                f"{r['weight']:.4f}",
                escape(_futures(r["futures"])) or "(no equilibrium reached)",
                ", ".join(map(str, r["outcomes"])),
            )
        out.print(t)
        if len(rows) > _DECOMPOSITION_ROWS:
            more = len(rows) - _DECOMPOSITION_ROWS
            out.print(f"[dim]… and {more} lighter combinations (--format json lists all).[/dim]")
    elif x.get("why_not_exact"):
        out.print(f"[dim]Monte Carlo estimate (not exact: {escape(x['why_not_exact'])}).[/dim]")
    diag = x.get("diagnostics") or []
    if diag:
        t = Table(title="Why each future is likely, rare or never", title_justify="left", header_style="bold")
        t.add_column("Future")
        t.add_column("Kind")
        t.add_column("Reason", overflow="fold")
        style = {"impossible": "red", "unreachable": "yellow", "possible": "green"}
        for r in diag:
            t.add_row(escape(r["label"]), f"[{style[r['kind']]}]{r['kind']}[/]", escape(r["reason"]))
        out.print(t)
    for c in x.get("cycles") or []:
        states = c["states"]
        shown = ", ".join(map(str, states[:20])) + (f" … ({len(states)} states)" if len(states) > 20 else "")
        out.print(
            f"Cycle (probability {c['p']:.3g}): no equilibrium is reached; the conflict keeps moving through "
            f"states {shown}."
        )
    for g in x.get("guidance") or []:
        for note in g["notes"]:
            out.print(f"[yellow]note[/yellow]: {escape(note)}")
    for w in x.get("what_would_it_take") or []:
        out.print(f"[bold]What would it take[/bold] ({escape(w['label'])}): {escape(w['text'])}")
