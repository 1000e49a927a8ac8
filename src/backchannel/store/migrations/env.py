"""Alembic environment of the run store.

At run time :func:`backchannel.store.open_store` runs the migrations itself,
passing an open connection (already inside the transaction that holds the
migration lock) as ``config.attributes["connection"]``.  From the command line
(for developers)::

    alembic -c src/backchannel/store/alembic.ini upgrade head
    alembic -c src/backchannel/store/alembic.ini revision --autogenerate -m "what changed"

uses ``$BACKCHANNEL_DB`` (a path or URL), else ``sqlalchemy.url`` of alembic.ini.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from backchannel.store.models import Base

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: future migrations copy tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    import os
    from logging.config import fileConfig

    from backchannel.store import open_engine

    if config.config_file_name:
        fileConfig(config.config_file_name, disable_existing_loggers=False)

    url = os.environ.get("BACKCHANNEL_DB") or config.get_main_option("sqlalchemy.url")
    engine, _ = open_engine(url)
    try:
        with engine.begin() as conn:
            _configure(conn)
    finally:
        engine.dispose()


# Alembic executes this file with ``context`` set up; merely importing it (e.g.
# for doctest collection) does nothing.
if hasattr(context, "config"):
    run()
