"""Commitments against stockpile targets: a commitment serves a requirement or a stockpile.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 12:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.alter_column("requirement_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("stockpile_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_commitments_stockpile_id_stockpiles"),
            "stockpiles",
            ["stockpile_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_commitments_stockpile_id"), ["stockpile_id"], unique=False
        )
        batch_op.create_check_constraint(
            "one_requirement", "(requirement_id IS NULL) <> (stockpile_id IS NULL)"
        )


def downgrade() -> None:
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_commitments_one_requirement"), type_="check")
        batch_op.drop_index(batch_op.f("ix_commitments_stockpile_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_commitments_stockpile_id_stockpiles"), type_="foreignkey"
        )
        batch_op.drop_column("stockpile_id")
        batch_op.alter_column("requirement_id", existing_type=sa.Integer(), nullable=False)
