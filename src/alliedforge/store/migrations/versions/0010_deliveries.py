"""Deliveries against call-offs and the stockpile ledger they move.

PostgreSQL's row-level wall (0006) extends to both: a delivery is its buyer nation's and
its supplier's (both columns are on the row, so no policy needs another table); a ledger
entry is its nation's alone — suppliers see none. The services write a supplier's
delivery into the buyer's ledger in the agency's scope, after their own checks.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 16:10:46
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from alliedforge.store.base import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column-level in the models (one mixin serves every table), which autogenerate skips.
CLASSIFICATION_CHECK = (
    "classification IN ('NATO UNCLASSIFIED', 'NATO RESTRICTED', 'NATO CONFIDENTIAL', "
    "'NATO SECRET', 'COSMIC TOP SECRET')"
)

APP_ROLE = "alliedforge_app"
STAFF = "current_setting('alliedforge.staff', true) = 'on'"
NATION_ID = "NULLIF(current_setting('alliedforge.nation_id', true), '')::integer"
SUPPLIER_ID = "NULLIF(current_setting('alliedforge.supplier_id', true), '')::integer"

# Table → who besides staff may see and write a row (a SQL predicate on the row).
SCOPES = {
    "deliveries": f"nation_id = {NATION_ID} OR supplier_id = {SUPPLIER_ID}",
    "stockpile_ledger": f"nation_id = {NATION_ID}",
}


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
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_off_id", sa.Integer(), nullable=False),
        sa.Column("nation_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("accepted", sa.Float(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("months_late", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("voided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(), nullable=True),
        *_record_columns(),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("month LIKE '____-__'", name=op.f("ck_deliveries_month_format")),
        sa.CheckConstraint(
            "status IN ('accepted', 'partial', 'rejected')", name=op.f("ck_deliveries_status")
        ),
        sa.CheckConstraint("accepted <= quantity", name=op.f("ck_deliveries_accepted_delivered")),
        sa.CheckConstraint("accepted >= 0", name=op.f("ck_deliveries_accepted_non_negative")),
        sa.CheckConstraint("months_late >= 0", name=op.f("ck_deliveries_months_late_non_negative")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_deliveries_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["call_off_id"], ["call_offs.id"], name=op.f("fk_deliveries_call_off_id_call_offs")
        ),
        sa.ForeignKeyConstraint(
            ["nation_id"], ["nations.id"], name=op.f("fk_deliveries_nation_id_nations")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_deliveries_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deliveries_call_off_id"), ["call_off_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_deliveries_nation_id"), ["nation_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_deliveries_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "stockpile_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nation_id", sa.Integer(), nullable=False),
        sa.Column("weapon_system_id", sa.Integer(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("units", sa.Float(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(), nullable=True),
        *_record_columns(),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint(
            "(delivery_id IS NULL) = (source = 'opening')",
            name=op.f("ck_stockpile_ledger_source_delivery"),
        ),
        sa.CheckConstraint(
            "source IN ('opening', 'delivery', 'void')", name=op.f("ck_stockpile_ledger_source")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_stockpile_ledger_delivery_id_deliveries"),
        ),
        sa.ForeignKeyConstraint(
            ["nation_id"], ["nations.id"], name=op.f("fk_stockpile_ledger_nation_id_nations")
        ),
        sa.ForeignKeyConstraint(
            ["weapon_system_id"],
            ["weapon_systems.id"],
            name=op.f("fk_stockpile_ledger_weapon_system_id_weapon_systems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stockpile_ledger")),
        sa.UniqueConstraint(
            "delivery_id", "source", name=op.f("uq_stockpile_ledger_delivery_id_source")
        ),
    )
    with op.batch_alter_table("stockpile_ledger", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stockpile_ledger_nation_weapon_system",
            ["nation_id", "weapon_system_id"],
            unique=False,
        )

    _wall()


def _wall() -> None:
    """The policies of 0006, on the tables above."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, scope in SCOPES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY owner_all ON {table} TO CURRENT_USER USING (true)")
        predicate = f"{STAFF} OR {scope}"
        op.execute(
            f"CREATE POLICY app_scope ON {table} TO {APP_ROLE} "
            f"USING ({predicate}) WITH CHECK ({predicate})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in SCOPES:
            op.execute(f"DROP POLICY app_scope ON {table}")
            op.execute(f"DROP POLICY owner_all ON {table}")
    with op.batch_alter_table("stockpile_ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_stockpile_ledger_nation_weapon_system")

    op.drop_table("stockpile_ledger")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_nation_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_call_off_id"))

    op.drop_table("deliveries")
