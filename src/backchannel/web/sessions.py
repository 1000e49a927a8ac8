"""Workbench sessions that end at logout: a revocation list kept in the run store.

A session cookie is signed with the access token and names a random session
id (see :mod:`backchannel.web.security`). Logging out puts the id's SHA-256
in the run store's ``revoked_sessions`` table until the session would have
expired, and in this process's memory at once; each server process reloads
the list from the store at most every :data:`REFRESH_SECONDS`, so a logout
holds for every process sharing the store within that time (and at once in
the process that served it). Without a run store the list lives in memory
only: a logout then holds until that server restarts, while the session
would otherwise run its 12 hours.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store import RunStore

__all__ = ["REFRESH_SECONDS", "Revocations"]

REFRESH_SECONDS = 5.0


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class Revocations:
    """Session ids ended by logging out."""

    def __init__(self, store: Callable[[], RunStore] | None) -> None:
        self._store = store
        self._memory: set[str] = set()  # revoked here, whatever the store says
        self._stored: set[str] = set()
        self._loaded = float("-inf")
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._store is None or now - self._loaded < REFRESH_SECONDS:
            return
        self._loaded = now
        try:
            stored = self._store().revoked_sessions()
        except Exception:  # the store is not there: memory only
            return
        with self._lock:
            self._stored = stored

    def revoked(self, session_id: str) -> bool:
        """Whether the session was ended (blocking: may read the store)."""
        self._refresh()
        d = _digest(session_id)
        with self._lock:
            return d in self._memory or d in self._stored

    def revoke(self, session_id: str, expires: float) -> None:
        """End a session (blocking: writes the store)."""
        d = _digest(session_id)
        with self._lock:
            self._memory.add(d)
            if len(self._memory) > 100_000:  # bounded: the store keeps the rest
                self._memory.pop()
        if self._store is not None:
            from ..errors import BackchannelError
            from .problems import ApiError, log

            when: Any = datetime.fromtimestamp(expires, UTC)
            try:
                self._store().revoke_session(d, when)
            except (BackchannelError, ApiError) as e:
                log.warning("the logout is kept in memory only: %s", e)
