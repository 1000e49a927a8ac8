"""Run heartbeats (a run whose process died is recognised) and revoked workbench sessions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("heartbeat", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "revoked_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_revoked_sessions"),
    )
    op.create_index("ix_revoked_sessions_expires", "revoked_sessions", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_revoked_sessions_expires", table_name="revoked_sessions")
    op.drop_table("revoked_sessions")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("heartbeat")
