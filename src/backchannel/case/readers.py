"""Readers of other tools' case files, by format name.

The case layer reads YAML and JSON itself. Files of other tools (GMCR+
``.gmcr``, KTAB ``.csv``) are read by :mod:`backchannel.formats`, a layer
above this one; the package registers those readers here on import (see
``backchannel/__init__.py``), so the loader can open them without importing
upwards.  A reader takes the file's text and its path (for messages) and
returns a validated :class:`~backchannel.case.model.Conflict`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Conflict

__all__ = ["Reader", "foreign_reader", "register_reader"]

Reader = Callable[[str, str], "Conflict"]

_READERS: dict[str, Reader] = {}


def register_reader(fmt: str, reader: Reader) -> None:
    """Make files of format ``fmt`` (a value of ``casefile.FORMATS``) readable."""
    _READERS[fmt] = reader


def foreign_reader(fmt: str) -> Reader:
    """The reader registered for ``fmt``; a ``KeyError`` names the format if none is."""
    try:
        return _READERS[fmt]
    except KeyError:
        raise KeyError(f"no reader for {fmt!r} files is registered (import backchannel first)") from None
