"""A progress bar for long work on the terminal: rate and time remaining."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["ProgressBar"]


class ProgressBar:
    """``update(done, total)`` moves it; shown on standard error, and only on a terminal."""

    def __init__(self, description: str, *, unit: str = "samples") -> None:
        console = Console(stderr=True)
        self.enabled = console.is_terminal and sys.stderr.isatty()
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(unit),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("elapsed,"),
            TimeRemainingColumn(),
            TextColumn("left"),
            console=console,
            transient=False,
            disable=not self.enabled,
        )
        self._task: TaskID | None = None
        self._description = description
        self._started = False

    def update(self, done: int, total: int) -> None:
        if not self._started:
            self._progress.start()
            self._started = True
            self._task = self._progress.add_task(self._description, total=total, completed=done, rate="")
            return
        assert self._task is not None
        self._progress.update(self._task, completed=done, total=total)
        speed = self._progress.tasks[0].speed
        if speed:
            self._progress.update(self._task, rate=f"{speed:,.0f}/s")

    def close(self) -> None:
        if self._started:
            self._progress.stop()
