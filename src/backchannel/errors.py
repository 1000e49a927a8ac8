"""Errors that users see: bad input (exit 2) and refused analyses (exit 1)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["AnalysisRefused", "BackchannelError", "CaseError", "ModelError", "format_loc"]

Loc = tuple[str | int, ...]


def format_loc(loc: Sequence[str | int]) -> str:
    """``("decision_makers", 0, "options", 2)`` → ``decision_makers[0].options[2]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


class BackchannelError(Exception):
    """Base class for errors that the command line reports without a traceback."""

    exit_code = 2


class ModelError(BackchannelError):
    """A conflict that is not well formed, located by its path in the case.

    ``loc`` is the path of the element at fault (as in the file's structure),
    ``hint`` says what to do about it.
    """

    def __init__(self, message: str, loc: Sequence[str | int] = (), hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.loc: Loc = tuple(loc)
        self.hint = hint

    def __str__(self) -> str:
        where = f"at {format_loc(self.loc)}: " if self.loc else ""
        hint = f" {self.hint}" if self.hint else ""
        msg = self.message.rstrip(".")
        end = "" if msg.endswith(("?", "!")) else "."
        return f"{where}{msg}{end}{hint}"


class CaseError(BackchannelError):
    """A case file that cannot be used: names the file, the place and the fix."""

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        loc: Sequence[str | int] = (),
        hint: str = "",
    ) -> None:
        self.path = path
        self.message = message
        self.line = line
        self.loc: Loc = tuple(loc)
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        place = self.path
        if self.line is not None:
            place += f", line {self.line}"
        if self.loc:
            place += f" ({format_loc(self.loc)})"
        msg = self.message.rstrip(".")
        end = "" if msg.endswith(("?", "!")) else "."
        hint = f" {self.hint}" if self.hint else ""
        return f"{place}: {msg}{end}{hint}"


class AnalysisRefused(BackchannelError):
    """An analysis that will not be run, e.g. a state space too large for memory."""

    exit_code = 1
