"""Plan runs show they are alive: the process solving a run marks `heartbeat_at` every
`HEARTBEAT_SECONDS`, so that a run whose process died (killed, restarted, machine lost)
can be told from one still solving, and marked failed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 16:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from alliedforge.store.base import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan_runs") as batch:
        batch.add_column(sa.Column("heartbeat_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_runs") as batch:
        batch.drop_column("heartbeat_at")
