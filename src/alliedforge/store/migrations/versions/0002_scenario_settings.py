"""Scenario settings: the one-row manifest of the scenario the record holds.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 11:45:22.395945
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column-level in the models (one mixin serves every table), which autogenerate skips.
CLASSIFICATION_CHECK = (
    "classification IN ('NATO UNCLASSIFIED', 'NATO RESTRICTED', 'NATO CONFIDENTIAL', "
    "'NATO SECRET', 'COSMIC TOP SECRET')"
)


def upgrade() -> None:
    op.create_table(
        "scenario_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("start", sa.String(length=7), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("shortfall_cost", sa.JSON(), nullable=False),
        sa.Column("late_fraction", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("id = 1", name=op.f("ck_scenario_settings_single_row")),
        sa.CheckConstraint("months >= 1", name=op.f("ck_scenario_settings_months_positive")),
        sa.CheckConstraint("start LIKE '____-__'", name=op.f("ck_scenario_settings_start_format")),
        sa.CheckConstraint(
            "late_fraction >= 0", name=op.f("ck_scenario_settings_late_fraction_non_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_settings")),
    )


def downgrade() -> None:
    op.drop_table("scenario_settings")
