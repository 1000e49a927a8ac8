"""What every result is: typed, convertible to JSON and to pandas, and saying what produced it."""

from __future__ import annotations

import hashlib
import json
from typing import IO, TYPE_CHECKING, Any, Protocol

from .model import Conflict

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Compiled", "Result", "conflict_hash", "meta", "model_hash"]


class Compiled(Protocol):
    """Anything compiled from a conflict (a state space, a bargaining data set)."""

    @property
    def conflict(self) -> Conflict: ...


def _version() -> str:
    from .._version import __version__

    return __version__


class Result:
    """What every result type offers: ``to_dict`` (plain JSON-able data),
    ``to_json`` and ``to_dataframe``.  Subclasses (frozen dataclasses)
    implement ``to_dict`` and ``to_dataframe``."""

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_dataframe(self) -> pd.DataFrame:
        raise NotImplementedError

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def write_json(self, fp: IO[bytes], *, indent: int | None = 2) -> None:
        """Write :meth:`to_json` to a binary file (the same text, UTF-8)."""
        fp.write(self.to_json(indent=indent).encode())


def meta(space: Compiled, analysis: str, definitions: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The provenance of a result: what analysis, on which model, by which version."""
    return {
        "analysis": analysis,
        "definitions": definitions,
        "parameters": parameters,
        "model_hash": model_hash(space),
        "backchannel_version": _version(),
    }


def model_hash(space: Compiled) -> str:
    """SHA-256 of the conflict's canonical JSON: identifies the input of a result."""
    return conflict_hash(space.conflict)


def conflict_hash(conflict: Conflict) -> str:
    """SHA-256 of a conflict's canonical JSON."""
    text = conflict.model_dump_json(by_alias=True, exclude_none=True)
    return hashlib.sha256(text.encode()).hexdigest()
