"""What the run store hands out: frozen records that convert to plain JSON-able data."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

__all__ = ["RunRecord", "UserCase"]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


class _Record:
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data; times as ISO 8601 strings in UTC."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


@dataclass(frozen=True)
class RunRecord(_Record):
    """One stored run.

    ``batches_done`` counts the stored batches; ``n_batches`` is how many the run
    has in all (None if not known).  ``result`` is the stored JSON result (None
    until the run is done, and in :meth:`RunStore.runs` unless asked for).
    Times are timezone-aware UTC.
    """

    id: int
    command: str
    parameters: dict[str, Any]
    seed: int | None
    version: str
    status: str
    created: datetime
    started: datetime | None
    finished: datetime | None
    seconds: float | None
    case_hash: str
    case_name: str | None
    n_batches: int | None
    batches_done: int
    error: str | None
    result: dict[str, Any] | None = None


@dataclass(frozen=True)
class UserCase(_Record):
    """One version of a case saved from the web workbench.

    ``title`` is the case's ``title:`` if the text parses (YAML or JSON), else None."""

    name: str
    version: int
    fmt: str
    text: str
    created: datetime
    title: str | None
