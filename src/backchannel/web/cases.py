"""Cases on the web: ids, texts, parsing and compiling with a cache.

A case is named by an id only — ``bundled:<name>`` for a case shipped with
Backchannel, ``user:<name>`` for one saved in the run store — or given as
text. No request names a path on disk.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..case.casefile import bundled_cases, case_error, parse_case_text
from ..errors import AnalysisRefused, CaseError, ModelError
from .problems import ApiError

if TYPE_CHECKING:
    from ..case.model import Conflict
    from ..gmcr.statespace import StateSpace

__all__ = [
    "BUNDLED",
    "USER",
    "CaseCache",
    "CaseText",
    "ResultCache",
    "bundled_text",
    "check_name",
    "parse_id",
]

BUNDLED = "bundled"
USER = "user"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


@dataclass(frozen=True)
class CaseText:
    """The text of a case and where it comes from (``source``: bundled, user or text)."""

    name: str
    source: str
    fmt: str  # yaml, json, gmcr, ktab
    text: str
    version: int | None = None
    label: str | None = None  # how errors name it, when not by id (a file on the command line)

    @property
    def id(self) -> str | None:
        return None if self.source == "text" else f"{self.source}:{self.name}"

    @property
    def display(self) -> str:
        if self.label is not None:
            return self.label
        if self.source == "text":
            return "<editor>"
        return self.id + (f" (version {self.version})" if self.version is not None else "")  # type: ignore[operator]


def check_name(name: str) -> str:
    """A user case's name: letters, digits, ``_ . -``; no path."""
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise ApiError(
            422,
            f"{name!r} is not a valid case name",
            loc=["name"],
            hint="Use 1–80 letters, digits, '_', '.' or '-', starting with a letter or digit.",
        )
    return name


@functools.lru_cache(maxsize=1)
def _bundled() -> dict[str, Any]:
    return bundled_cases()


def parse_id(case_id: str) -> tuple[str, str]:
    """``bundled:elmira`` → ``("bundled", "elmira")``; 404 for anything else."""
    source, sep, name = str(case_id).partition(":")
    if not sep or source not in (BUNDLED, USER):
        raise ApiError(
            404,
            f"no such case: {case_id!r}",
            hint="Case ids are bundled:<name> or user:<name> (GET /api/cases lists them).",
        )
    if source == BUNDLED and name not in bundled_cases():
        raise ApiError(404, f"no bundled case {name!r}", hint=f"Bundled cases: {', '.join(bundled_cases())}.")
    if source == USER:
        try:
            check_name(name)
        except ApiError:
            raise ApiError(
                404, f"no such case: {case_id!r}", hint="GET /api/cases lists the cases."
            ) from None
    return source, name


def bundled_text(name: str) -> CaseText:
    """The text of a bundled case (read each time: cheap, and current after an edit)."""
    from ..case.casefile import format_of

    entry = _bundled()[name]
    text = entry.read_bytes().decode("utf-8-sig")
    return CaseText(name, BUNDLED, format_of(entry.name) or "yaml", text)


class CaseCache:
    """Parsed conflicts and compiled state spaces by the hash of their text.

    Conflicts and state spaces are immutable, so requests share them. At most
    ``items`` entries and ``states`` states in all are kept, least recently
    used first out.
    """

    #: What stands for the cache in a job sent to a worker process (:mod:`.heavyproc`).
    in_worker_process = "<case cache>"

    def __init__(self, items: int = 32, states: int = 400_000) -> None:
        self._items = items
        self._states = states
        self._parsed: OrderedDict[str, tuple[Conflict, dict[tuple[Any, ...], int]]] = OrderedDict()
        self._spaces: OrderedDict[tuple[str, int], StateSpace] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(fmt: str, text: str) -> str:
        return hashlib.sha256(f"{fmt}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()

    def parse(self, case: CaseText) -> tuple[Conflict, dict[tuple[Any, ...], int]]:
        """The conflict of a case text; :class:`CaseError` (with the line) if it is not valid."""
        key = self.key(case.fmt, case.text)
        with self._lock:
            hit = self._parsed.get(key)
            if hit is not None:
                self._parsed.move_to_end(key)
                return hit
        parsed = parse_case_text(case.text, case.display, case.fmt)
        with self._lock:
            self._parsed[key] = parsed
            while len(self._parsed) > self._items:
                self._parsed.popitem(last=False)
        return parsed

    def conflict(self, case: CaseText) -> Conflict:
        return self.parse(case)[0]

    def space(self, case: CaseText, max_states: int) -> StateSpace:
        """The compiled state space; 422s for a case that does not compile or is too large."""
        key = (self.key(case.fmt, case.text), max_states)
        with self._lock:
            hit = self._spaces.get(key)
            if hit is not None:
                self._spaces.move_to_end(key)
                return hit
        conflict, lines = self.parse(case)
        space = compile_space(conflict, lines, case.display, max_states)
        with self._lock:
            self._spaces[key] = space
            while len(self._spaces) > self._items or (
                len(self._spaces) > 1 and sum(s.n_states for s in self._spaces.values()) > self._states
            ):
                self._spaces.popitem(last=False)
        return space


class ResultCache:
    """Serialised results (JSON bytes) by analysis, case text and parameters.

    Every analysis is a deterministic function of the case text and its
    parameters (the results carry no time stamps), so a repeated request is
    answered from here. At most ``max_bytes`` are kept, least recently used
    first out.
    """

    def __init__(self, max_bytes: int = 64 << 20) -> None:
        self.max_bytes = max_bytes
        self._data: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @staticmethod
    def key(kind: str, case: CaseText, params: Any) -> str:
        import json

        spec = json.dumps([kind, case.fmt, params], sort_keys=True, default=str)
        return hashlib.sha256(spec.encode() + b"\0" + case.text.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
            return hit

    def put(self, key: str, value: bytes) -> None:
        if len(value) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._data[key] = value
            self._size += len(value)
            while self._size > self.max_bytes and self._data:
                _, dropped = self._data.popitem(last=False)
                self._size -= len(dropped)


def compile_space(
    conflict: Conflict, lines: dict[tuple[Any, ...], int], display: str, max_states: int
) -> StateSpace:
    from ..gmcr.statespace import compile_conflict

    try:
        return compile_conflict(conflict, max_states=max_states)
    except ModelError as e:
        raise case_error(display, lines, e) from None
    except AnalysisRefused as e:
        raise too_large(e, max_states) from None


def too_large(e: AnalysisRefused, max_states: int) -> ApiError:
    what = str(e).split("; the limit is")[0].split("; ")[0]
    return ApiError(
        422,
        f"refused: {what}; the workbench analyses at most {max_states:,} states",
        hint="Reduce the options or add infeasibility rules, or analyse the case with the command "
        "line (`backchannel analyze CASE --max-states N`).",
    )


def case_api_error(e: CaseError) -> ApiError:
    return ApiError(422, e.message, loc=e.loc, line=e.line, hint=e.hint)
