"""The run store: case versions, runs, their batches and results, and user cases.

>>> from backchannel.store import open_store
>>> with open_store("sqlite://") as store:  # in memory; by default a file in the user data directory
...     case = store.add_case("title: t", name="t.yaml", fmt="yaml")
...     run_id = store.create_run(command="scenarios", parameters={"n": 3}, seed=1, case_hash=case)
...     store.run(run_id).status
'created'

SQLite by default (``$BACKCHANNEL_DB`` or ``runs.sqlite`` in the user data
directory), PostgreSQL by URL (``postgresql://USER@HOST/DB``, pg8000 driver).
The schema is migrated (Alembic) whenever a store is opened.
"""

from __future__ import annotations

from .records import RunRecord, UserCase
from .runstore import STATUSES, RunStore, default_path, open_engine, open_store

__all__ = ["STATUSES", "RunRecord", "RunStore", "UserCase", "default_path", "open_engine", "open_store"]
