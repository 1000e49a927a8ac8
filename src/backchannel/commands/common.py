"""Options and helpers shared by the commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..words import CONCEPT_LABELS, state_list

if TYPE_CHECKING:
    from rich.console import Console

    from ..case.results import Result


__all__ = [
    "CONCEPT_LABELS",
    "BackendOpt",
    "CaseArg",
    "DbOpt",
    "Format",
    "FormatOpt",
    "MaxStatesOpt",
    "SchedulerOpt",
    "WorkersOpt",
    "console",
    "emit_json",
    "located",
    "parse_concepts",
    "parse_sim",
    "state_list",
]


class Format(StrEnum):
    table = "table"
    json = "json"


CaseArg = Annotated[
    str, typer.Argument(help="A case file (.yaml, .json, .gmcr) or the name of a bundled case.")
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output: table or json.")]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="The run store: a SQLite file, sqlite:///PATH or postgresql://USER@HOST/DB "
        "(default: $BACKCHANNEL_DB, else runs.sqlite in the user data directory).",
    ),
]
BackendOpt = Annotated[
    str,
    typer.Option("--backend", help="Where batches run: inprocess, processes, or dask (a local cluster)."),
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", min=1, help="Worker processes (default: one per CPU).")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", metavar="ADDR", help="An existing Dask scheduler, e.g. tcp://host:8786."),
]
SimOpt = Annotated[
    str,
    typer.Option(
        "--sim",
        help="SIM replies: joint (any set of opponents at once, as GMCR+) or pairwise (one opponent).",
    ),
]
MaxStatesOpt = Annotated[
    int | None,
    typer.Option("--max-states", help="Refuse state spaces larger than this (default: what memory allows)."),
]


#: Text longer than this is printed without rich's word wrapping, whose cost grows
#: with the square of the length (a 10 MB title took 25 s); the terminal wraps it.
LONG_TEXT = 4096


def console(stderr: bool = False) -> Console:
    """A rich console; 120 columns when not writing to a terminal.

    Its output costs time linear in what it prints: a long text (a case's
    title of megabytes) is written as one soft-wrapped line.
    """
    from rich.console import Console

    class _Console(Console):
        def print(self, *objects: Any, **kw: Any) -> None:
            if "soft_wrap" not in kw and any(
                isinstance(o, str | Text) and len(o) > LONG_TEXT for o in objects
            ):
                kw["soft_wrap"] = True
            super().print(*objects, **kw)

    from rich.text import Text

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or "COLUMNS" in os.environ else 120
    return _Console(stderr=stderr, highlight=False, width=width)


@contextmanager
def located(case: str) -> Iterator[None]:
    """Report a :class:`~backchannel.errors.ModelError` raised inside the block
    with the case file's name and line, like errors found while loading."""
    from ..errors import ModelError

    try:
        yield
    except ModelError as e:
        from ..case.casefile import case_error, read_case

        _, name, lines = read_case(case)
        raise case_error(name, lines, e) from None


def emit_json(result: Result) -> None:
    """Print a result as one JSON object on standard output."""
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # a text-only stream
        sys.stdout.write(result.to_json() + "\n")
        return
    sys.stdout.flush()
    result.write_json(out)
    out.write(b"\n")
    out.flush()


def parse_sim(given: str) -> str:
    """``--sim``: joint or pairwise; a clear error (exit 2) for anything else."""
    from ..errors import BackchannelError
    from ..gmcr.sim import SIM_MODES

    mode = given.strip().lower()
    if mode not in SIM_MODES:
        raise BackchannelError(f"unknown --sim {given!r}: choose from {', '.join(SIM_MODES)}")
    return mode


def parse_concepts(given: list[str] | None, known: tuple[str, ...]) -> tuple[str, ...]:
    """Concepts named on the command line (repeated or comma-separated), in ``known``'s order."""
    from ..errors import BackchannelError

    if not given:
        return known
    out = []
    for c in given:
        for part in c.split(","):
            p = part.strip().lower()
            p = {"r": "nash", "seq": "seq", "sequential": "seq", "simultaneous": "sim"}.get(p, p)
            if p not in known:
                err = BackchannelError(f"unknown concept {part!r}: choose from {', '.join(known)}")
                raise err
            if p not in out:
                out.append(p)
    return tuple(c for c in known if c in out)
