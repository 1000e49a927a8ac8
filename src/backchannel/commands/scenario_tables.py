"""Tables for what a scenario run adds beyond the probabilities: the issue
forecasts within each named future, Sobol indices, and the stopping rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import console

if TYPE_CHECKING:
    from ..scenarios.run import ScenarioResult

__all__ = ["print_extras"]


def print_extras(result: ScenarioResult) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    labels = dict(zip(result.names, result.labels, strict=True))
    cond = {k: v for k, v in result.conditional.items() if v.get("issues")}
    if cond:
        issues = list(next(iter(cond.values()))["issues"])
        t = Table(
            title="Issue forecasts within each future (median, 90% range)",
            title_justify="left",
            header_style="bold",
        )
        t.add_column("Issue")
        for name in cond:
            t.add_column(f"{escape(labels.get(name, name))} ({cond[name]['samples']:,.0f})", justify="right")
        for key in issues:
            row = [escape(next(v["issues"][key]["label"] for v in cond.values() if key in v["issues"]))]
            for v in cond.values():
                e = v["issues"].get(key)
                row.append("—" if e is None else f"{e['median']:.1f} ({e['low']:.1f}–{e['high']:.1f})")
            t.add_row(*row)
        out.print(t)
        empty = [labels.get(k, k) for k, v in result.conditional.items() if not v.get("issues")]
        if empty:
            out.print(f"[dim]No sample ends in: {escape(', '.join(empty))}.[/dim]")
    if result.sobol is not None:
        rows = [r for r in result.sobol["inputs"] if r["total"] > 0 or r["first"] > 0]
        t = Table(
            title=f"Sobol indices ({result.sobol['base_samples']:,} base samples, "
            f"{result.sobol['evaluations']:,} evaluations)",
            title_justify="left",
            header_style="bold",
        )
        t.add_column("Input", overflow="fold")
        t.add_column("Scenario")
        t.add_column("First order", justify="right")
        t.add_column("Total", justify="right")
        for r in rows[:12]:
            by = r["by_scenario"][r["scenario"]]
            t.add_row(
                escape(r["description"]),
                r["scenario"],
                f"{r['first']:.3f} ±{by['first_se']:.3f}",
                f"{r['total']:.3f} ±{by['total_se']:.3f}",
            )
        out.print(t)
        out.print(
            "[dim]First order: the share of a scenario's variance the input explains alone; total: "
            "alone or with others (the scenario whose total index is largest is shown).[/dim]"
        )
    if result.stopping is not None:
        s = result.stopping
        verdict = "reached" if s["reached"] else "not reached; stopped at the cap"
        out.print(
            f"Stopping rule: every named future within ±{s['until_halfwidth']:g} — {verdict} after "
            f"{s['samples']:,} samples (largest half-width {s['largest_half_width']:.4f}, cap {s['cap']:,})."
        )
