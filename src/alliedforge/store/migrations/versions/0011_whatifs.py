"""What-ifs and analysis runs: the what-ifs staff keep to run against the live record, and
each run of a what-if, a risk analysis or an interoperability ranking with its progress
and result.

Both tables are the agency's alone: on PostgreSQL the row-level wall (0006) lets the
service role see and write them only in a staff scope — a nation or supplier scope sees
no row at all, whatever the application asks.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from alliedforge.store.base import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column-level in the models (one mixin serves every table), which autogenerate skips.
CLASSIFICATION_CHECK = (
    "classification IN ('NATO UNCLASSIFIED', 'NATO RESTRICTED', 'NATO CONFIDENTIAL', "
    "'NATO SECRET', 'COSMIC TOP SECRET')"
)

APP_ROLE = "alliedforge_app"
STAFF = "current_setting('alliedforge.staff', true) = 'on'"
STAFF_ONLY = ("whatifs", "analysis_runs")


def _record_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "whatifs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        *_record_columns(),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatifs")),
        sa.UniqueConstraint("code", name=op.f("uq_whatifs_code")),
    )
    op.create_table(
        "analysis_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("whatif_id", sa.Integer(), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("scenario_hash", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", UTCDateTime(timezone=True), nullable=True),
        *_record_columns(),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint(
            "kind IN ('whatif', 'risk', 'interop')", name=op.f("ck_analysis_runs_kind")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')",
            name=op.f("ck_analysis_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["whatif_id"],
            ["whatifs.id"],
            name=op.f("fk_analysis_runs_whatif_id_whatifs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_runs")),
    )
    with op.batch_alter_table("analysis_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analysis_runs_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_analysis_runs_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_analysis_runs_whatif_id"), ["whatif_id"], unique=False)

    _wall()


def _wall() -> None:
    """The policies of 0006 on the tables above, for staff alone."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in STAFF_ONLY:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY owner_all ON {table} TO CURRENT_USER USING (true)")
        op.execute(
            f"CREATE POLICY app_scope ON {table} TO {APP_ROLE} USING ({STAFF}) WITH CHECK ({STAFF})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in STAFF_ONLY:
            op.execute(f"DROP POLICY app_scope ON {table}")
            op.execute(f"DROP POLICY owner_all ON {table}")
    with op.batch_alter_table("analysis_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analysis_runs_whatif_id"))
        batch_op.drop_index(batch_op.f("ix_analysis_runs_status"))
        batch_op.drop_index(batch_op.f("ix_analysis_runs_kind"))

    op.drop_table("analysis_runs")
    op.drop_table("whatifs")
