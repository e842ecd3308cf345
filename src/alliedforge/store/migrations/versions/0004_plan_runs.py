"""Plan runs: every plan with its lineage and tables, and the scenarios planned.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 12:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column-level in the models (one mixin serves every table), which autogenerate skips.
CLASSIFICATION_CHECK = (
    "classification IN ('NATO UNCLASSIFIED', 'NATO RESTRICTED', 'NATO CONFIDENTIAL', "
    "'NATO SECRET', 'COSMIC TOP SECRET')"
)


def upgrade() -> None:
    op.create_table(
        "plan_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_scenarios")),
        sa.UniqueConstraint("hash", name=op.f("uq_plan_scenarios_hash")),
    )
    op.create_table(
        "plan_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("scenario_hash", sa.String(length=64), nullable=False),
        sa.Column("scenario_name", sa.String(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("plan_status", sa.String(), nullable=True),
        sa.Column("solver", sa.String(), nullable=True),
        sa.Column("solver_version", sa.String(), nullable=True),
        sa.Column("strategy", sa.String(), nullable=True),
        sa.Column("plan_options", sa.JSON(), nullable=True),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("cost_procurement", sa.Float(), nullable=True),
        sa.Column("cost_opening", sa.Float(), nullable=True),
        sa.Column("cost_commitment", sa.Float(), nullable=True),
        sa.Column("cost_shortfall", sa.Float(), nullable=True),
        sa.Column("cost_late", sa.Float(), nullable=True),
        sa.Column("timings", sa.JSON(), nullable=True),
        sa.Column("infeasibility", sa.JSON(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("mode IN ('joint', 'national')", name=op.f("ck_plan_runs_mode")),
        sa.CheckConstraint(
            "plan_status IN ('optimal', 'time_limit', 'infeasible')",
            name=op.f("ck_plan_runs_plan_status"),
        ),
        sa.CheckConstraint(
            "status IN ('running', 'done', 'failed')", name=op.f("ck_plan_runs_status")
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["plan_scenarios.id"],
            name=op.f("fk_plan_runs_scenario_id_plan_scenarios"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_runs")),
    )
    with op.batch_alter_table("plan_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_runs_scenario_hash"), ["scenario_hash"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_plan_runs_scenario_id"), ["scenario_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_runs_status"), ["status"], unique=False)

    op.create_table(
        "plan_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(), nullable=False),
        sa.Column("supplier", sa.String(), nullable=False),
        sa.Column("item", sa.String(), nullable=False),
        sa.Column("requirement", sa.String(), nullable=False),
        sa.Column("nation", sa.String(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit_price", sa.Float(), nullable=False),
        sa.Column("committed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.ForeignKeyConstraint(
            ["plan_run_id"],
            ["plan_runs.id"],
            name=op.f("fk_plan_deliveries_plan_run_id_plan_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_deliveries")),
    )
    with op.batch_alter_table("plan_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_deliveries_plan_run_id"), ["plan_run_id"], unique=False
        )

    op.create_table(
        "plan_openings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(), nullable=False),
        sa.Column("decision_month", sa.String(length=7), nullable=False),
        sa.Column("first_output_month", sa.String(length=7), nullable=False),
        sa.Column("opening_cost", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.ForeignKeyConstraint(
            ["plan_run_id"],
            ["plan_runs.id"],
            name=op.f("fk_plan_openings_plan_run_id_plan_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_openings")),
    )
    with op.batch_alter_table("plan_openings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_openings_plan_run_id"), ["plan_run_id"], unique=False
        )

    op.create_table(
        "plan_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column("requirement", sa.String(), nullable=False),
        sa.Column("nation", sa.String(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("delivered", sa.Float(), nullable=False),
        sa.Column("delivered_on_time", sa.Float(), nullable=False),
        sa.Column("late_unit_months", sa.Float(), nullable=False),
        sa.Column("shortfall", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.ForeignKeyConstraint(
            ["plan_run_id"],
            ["plan_runs.id"],
            name=op.f("fk_plan_requirements_plan_run_id_plan_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_requirements")),
    )
    with op.batch_alter_table("plan_requirements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_requirements_plan_run_id"), ["plan_run_id"], unique=False
        )

    op.create_table(
        "plan_tiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column("supplier", sa.String(), nullable=False),
        sa.Column("item", sa.String(), nullable=False),
        sa.Column("nation", sa.String(), nullable=True),
        sa.Column("min_quantity", sa.Float(), nullable=False),
        sa.Column("unit_price", sa.Float(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.ForeignKeyConstraint(
            ["plan_run_id"],
            ["plan_runs.id"],
            name=op.f("fk_plan_tiers_plan_run_id_plan_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_tiers")),
    )
    with op.batch_alter_table("plan_tiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_tiers_plan_run_id"), ["plan_run_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_tiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_tiers_plan_run_id"))

    op.drop_table("plan_tiers")
    with op.batch_alter_table("plan_requirements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_requirements_plan_run_id"))

    op.drop_table("plan_requirements")
    with op.batch_alter_table("plan_openings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_openings_plan_run_id"))

    op.drop_table("plan_openings")
    with op.batch_alter_table("plan_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_deliveries_plan_run_id"))

    op.drop_table("plan_deliveries")
    with op.batch_alter_table("plan_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_runs_status"))
        batch_op.drop_index(batch_op.f("ix_plan_runs_scenario_id"))
        batch_op.drop_index(batch_op.f("ix_plan_runs_scenario_hash"))

    op.drop_table("plan_runs")
    op.drop_table("plan_scenarios")
