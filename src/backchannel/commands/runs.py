"""``backchannel runs``: the run store — list, show, export, re-run and resume stored runs.

``runs rerun`` compares the new result with the original's after removing the
keys that describe how and when a run went rather than what it found — at any
depth: :data:`IGNORED_KEYS` (``meta``: versions, timings, parameters echoed;
``backchannel_version``, ``seconds``, ``elapsed``, ``timing``, ``timings``,
``started``, ``finished``, ``created``, ``run_id``, ``backend``, ``workers``,
``scheduler``).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import BackendOpt, DbOpt, Format, FormatOpt, SchedulerOpt, WorkersOpt, console

if TYPE_CHECKING:
    from datetime import datetime

    from ..store import RunRecord, RunStore

__all__ = ["IGNORED_KEYS", "comparable", "differences", "register"]

#: Keys left out (at any depth) when ``runs rerun`` compares two results.
IGNORED_KEYS = frozenset(
    {
        "meta",
        "backchannel_version",
        "seconds",
        "elapsed",
        "timing",
        "timings",
        "started",
        "finished",
        "created",
        "run_id",
        "backend",
        "workers",
        "scheduler",
    }
)

#: Statuses a run is resumed from without ``--force``.
RESUMABLE = ("created", "interrupted", "failed")

runs_app = typer.Typer(
    name="runs",
    help="The run store: list, show, export, re-run and resume stored runs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


class What(StrEnum):
    result = "result"
    batches = "batches"
    case = "case"


RunIdArg = Annotated[int, typer.Argument(metavar="ID", help="The run's id (see backchannel runs list).")]


def _open(db: str | None) -> RunStore:
    from ..store import open_store

    return open_store(db)


def _when(t: datetime | None) -> str:
    return "—" if t is None else t.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _secs(s: float | None) -> str:
    if s is None:
        return "—"
    return f"{s:.2f}" if s < 10 else f"{s:.1f}"


def _batches(r: RunRecord) -> str:
    return f"{r.batches_done}/{r.n_batches}" if r.n_batches is not None else str(r.batches_done)


_STATUS_STYLE = {
    "done": "green",
    "running": "cyan",
    "failed": "red",
    "interrupted": "yellow",
    "cancelled": "dim",
}


def _status(status: str) -> str:
    style = _STATUS_STYLE.get(status)
    return f"[{style}]{status}[/{style}]" if style else status


def _write_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------------------
# list, show


@runs_app.command("list")
def list_runs(
    db: DbOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most this many runs.")] = 50,
    status: Annotated[
        str | None, typer.Option("--status", help="Only runs with this status (created, running, done, …).")
    ] = None,
    command: Annotated[str | None, typer.Option("--command", help="Only runs of this command.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The stored runs, newest first."""
    from rich.markup import escape
    from rich.table import Table

    with _open(db) as store:
        records = store.runs(limit=limit, status=status, command=command)
        url = store.url
    if fmt is Format.json:
        _write_json([{k: v for k, v in r.to_dict().items() if k != "result"} for r in records])
        return
    out = console()
    if not records:
        what = " ".join(x for x in (status, command) if x)
        out.print(f"no {what + ' ' if what else ''}runs in {escape(url)}")
        return
    t = Table(header_style="bold", title=f"Runs in {escape(url)}", title_justify="left")
    for col, justify in (
        ("ID", "right"),
        ("Command", "left"),
        ("Case", "left"),
        ("Seed", "right"),
        ("Status", "left"),
        ("Batches", "right"),
        ("Created", "left"),
        ("Seconds", "right"),
    ):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in records:
        t.add_row(
            str(r.id),
            escape(r.command),
            escape(r.case_name or r.case_hash[:12]),
            "—" if r.seed is None else str(r.seed),
            _status(r.status),
            _batches(r),
            _when(r.created),
            _secs(r.seconds),
        )
    out.print(t)


@runs_app.command("show")
def show(run_id: RunIdArg, db: DbOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Everything about a run: what it ran on, with which parameters, how it went, its result in brief."""
    with _open(db) as store:
        r = store.run(run_id)
    if fmt is Format.json:
        _write_json(r.to_dict())
        return
    print_run(r)


def print_run(r: RunRecord) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    out.print(f"[bold]Run {r.id}[/bold]: {escape(r.command)} on {escape(r.case_name or '?')}")
    info = Table.grid(padding=(0, 2))
    info.add_column(style="bold")
    info.add_column(overflow="fold")
    rows = [
        ("status", _status(r.status)),
        ("case version", r.case_hash),
        ("seed", "—" if r.seed is None else str(r.seed)),
        ("batches", _batches(r)),
        ("created", _when(r.created)),
        ("started", _when(r.started)),
        ("finished", _when(r.finished)),
        ("seconds", _secs(r.seconds)),
        ("backchannel", escape(r.version)),
    ]
    if r.error:
        rows.append(("error", f"[red]{escape(r.error)}[/red]"))
    for k, v in rows:
        info.add_row(k, v)
    out.print(info)
    if r.parameters:
        pt = Table(title="Parameters", title_justify="left", header_style="bold")
        pt.add_column("Name")
        pt.add_column("Value", overflow="fold")
        for k, v in r.parameters.items():
            pt.add_row(escape(k), escape(_brief(v, 200)))
        out.print(pt)
    if r.result is None:
        hint = f" (backchannel runs resume {r.id} continues it)" if r.status in RESUMABLE else ""
        out.print(f"No result yet{hint}.")
        return
    rt = Table(title="Result (in brief)", title_justify="left", header_style="bold")
    rt.add_column("Key")
    rt.add_column("Value", overflow="fold")
    for k, v in r.result.items():
        rt.add_row(escape(str(k)), escape(_summary(v)))
    out.print(rt)
    out.print(f"backchannel runs export {r.id} writes the whole result as JSON.")


def _brief(v: Any, width: int = 100) -> str:
    text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def _summary(v: Any) -> str:
    """A value in one line: scalars as they are; dicts and lists by size and a glimpse."""
    if isinstance(v, dict):
        keys = ", ".join(map(str, list(v)[:6])) + (", …" if len(v) > 6 else "")
        return f"{len(v)} {'entry' if len(v) == 1 else 'entries'}: {keys}" if v else "{}"
    if isinstance(v, list):
        if all(not isinstance(x, dict | list) for x in v):
            return _brief(v)
        return f"{len(v)} items"
    return _brief(v)


# ---------------------------------------------------------------------------
# export


@runs_app.command("export")
def export(
    run_id: RunIdArg,
    db: DbOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: standard output).")
    ] = None,
    what: Annotated[
        What,
        typer.Option(
            "--what",
            help="result: the JSON result; batches: the stored batches as JSON; case: the case text run on.",
        ),
    ] = What.result,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a run's result (JSON), its stored batches (JSON) or the exact case text it ran on."""
    from ..errors import BackchannelError

    if output is not None and output.exists() and not force:
        raise BackchannelError(f"{output} exists; use --force to overwrite it")
    with _open(db) as store:
        r = store.run(run_id)
        if what is What.result:
            if r.result is None:
                hint = f"; backchannel runs resume {run_id} continues it" if r.status in RESUMABLE else ""
                raise BackchannelError(f"run {run_id} has no result: it is {r.status}{hint}")
            text = json.dumps(r.result, indent=2, ensure_ascii=False) + "\n"
        elif what is What.batches:
            batches = store.batches(run_id)
            text = json.dumps(
                {
                    "run": run_id,
                    "n_batches": r.n_batches,
                    "batches": [_batch_json(i, p) for i, p in batches.items()],
                },
                indent=2,
                ensure_ascii=False,
            )
            text += "\n"
        else:
            text, _, _ = store.case_text(r.case_hash)
    if output is None:
        sys.stdout.write(text)
        return
    tmp = output.with_name(output.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)  # never leave a half-written file
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise BackchannelError(f"cannot write {output}: {e.strerror or e}") from None
    console(stderr=True).print(f"wrote {output} ({what.value} of run {run_id})")


def _batch_json(index: int, payload: bytes) -> dict[str, Any]:
    """A batch as JSON: its payload as JSON if it is JSON text, else base64."""
    try:
        return {"index": index, "encoding": "json", "payload": json.loads(payload.decode("utf-8"))}
    except (UnicodeDecodeError, ValueError):
        import base64

        return {"index": index, "encoding": "base64", "payload": base64.b64encode(payload).decode("ascii")}


# ---------------------------------------------------------------------------
# rerun, resume


def comparable(value: Any) -> Any:
    """``value`` without the keys of :data:`IGNORED_KEYS`, at any depth."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if k not in IGNORED_KEYS}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)  # NaN equals NaN here


def differences(a: Any, b: Any, *, path: str = "", depth: int = 2) -> list[str]:
    """Where two results differ (after :func:`comparable`): dotted key paths, two levels deep."""
    a, b = comparable(a), comparable(b)
    if _canon(a) == _canon(b):
        return []
    if depth == 0 or not (isinstance(a, dict) and isinstance(b, dict)):
        return [path or "(the whole result)"]
    out: list[str] = []
    for k in [*a, *(k for k in b if k not in a)]:
        sub = f"{path}.{k}" if path else str(k)
        if k not in a or k not in b:
            out.append(sub)
        else:
            out.extend(differences(a[k], b[k], path=sub, depth=depth - 1))
    return out


def _check_rerunnable(r: RunRecord) -> None:
    from ..errors import BackchannelError

    if r.command != "scenarios":
        raise BackchannelError(f"run {r.id} was made by {r.command!r}, which cannot be re-run")


def _execute(
    store: RunStore, run_id: int, backend: str, workers: int | None, scheduler: str | None
) -> dict[str, Any]:
    """Run (or resume) a stored run through :func:`backchannel.scenarios.run.execute_run`; its result."""
    from ..errors import BackchannelError

    try:
        from ..scenarios.run import execute_run
    except ImportError as e:
        raise BackchannelError(f"this installation of backchannel cannot execute stored runs: {e}") from None
    result = execute_run(
        store,
        run_id,
        backend=backend.lower(),
        workers=workers,
        scheduler=scheduler,
        progress=sys.stderr.isatty(),
    )
    stored = store.run(run_id).result
    return stored if stored is not None else dict(result.to_dict())


@runs_app.command("rerun")
def rerun(
    run_id: RunIdArg,
    db: DbOpt = None,
    backend: BackendOpt = "inprocess",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Run a stored run again and report whether the result is identical to the original's.

    The new run has the same command, parameters, seed and case version. Left out
    of the comparison (at any depth): meta, backchannel_version, seconds, elapsed,
    timing(s), started, finished, created, run_id, backend, workers, scheduler.
    """
    with _open(db) as store:
        orig = store.run(run_id)
        _check_rerunnable(orig)
        new_id = store.copy_run(run_id)
        console(stderr=True).print(
            f"run {new_id}: re-running run {run_id} ({orig.command} on {orig.case_name}, seed {orig.seed})"
        )
        new_result = _execute(store, new_id, backend, workers, scheduler)
        new = store.run(new_id)
    diffs = None if orig.result is None else differences(orig.result, new_result)
    if fmt is Format.json:
        _write_json(
            {
                "run": new_id,
                "original": run_id,
                "status": new.status,
                "seconds": new.seconds,
                "identical": None if diffs is None else not diffs,
                "differences": diffs,
                "ignored_keys": sorted(IGNORED_KEYS),
            }
        )
        return
    out = console()
    out.print(f"run {new_id}: {_status(new.status)} in {_secs(new.seconds)} s (re-run of run {run_id})")
    if diffs is None:
        out.print(f"run {run_id} has no result ({orig.status}) to compare with.")
    elif not diffs:
        out.print(f"[green]identical[/green]: the result is the same as run {run_id}'s.")
    else:
        shown = ", ".join(diffs[:10]) + (f" and {len(diffs) - 10} more" if len(diffs) > 10 else "")
        out.print(f"[yellow]different[/yellow]: the result differs from run {run_id}'s in {shown}.")
    out.print("(Compared without timings and metadata; backchannel runs show gives details.)")


@runs_app.command("resume")
def resume(
    run_id: RunIdArg,
    db: DbOpt = None,
    backend: BackendOpt = "inprocess",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Resume a run marked running or cancelled (e.g. its process died)."),
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Continue an interrupted, failed or never-started run from its stored batches."""
    from ..errors import BackchannelError

    with _open(db) as store:
        r = store.run(run_id)
        _check_rerunnable(r)
        if r.status == "done":
            raise BackchannelError(
                f"run {run_id} is done: nothing to resume (backchannel runs rerun {run_id} runs it again)"
            )
        if r.status not in RESUMABLE and not force:
            raise BackchannelError(
                f"run {run_id} is {r.status}; if no process is working on it any more, resume it with --force"
            )
        total = f" of {r.n_batches}" if r.n_batches is not None else ""
        console(stderr=True).print(f"run {run_id}: resuming with {r.batches_done}{total} batches stored")
        _execute(store, run_id, backend, workers, scheduler)
        new = store.run(run_id)
    if fmt is Format.json:
        _write_json(new.to_dict())
        return
    console().print(
        f"run {run_id}: {_status(new.status)}, {_batches(new)} batches, {_secs(new.seconds)} s "
        f"(resumed from {r.batches_done} stored batches); backchannel runs show {run_id} gives details."
    )


def register(app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")
