"""Contracting: lots from a plan and their lines, tenders, bids, framework contracts with
their parties and items, call-offs (each call-off makes a commitment).

PostgreSQL's row-level wall (0006) extends to the rows a nation or a supplier owns: bids
(their supplier), call-offs (their buyer nation, and the framework's supplier), frameworks
(their supplier and the nations party to them), lot lines (their nation, and suppliers
once the lot is put to tender). Lots, tenders, framework parties and framework items are
owned by no single nation or supplier: the application scopes them, as for the catalogue.
No policy refers back to a table whose own policy refers to it, so none recurses.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 15:36:02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from alliedforge.store.base import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
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
    "bids": f"supplier_id = {SUPPLIER_ID}",
    "frameworks": (
        f"supplier_id = {SUPPLIER_ID}"
        f" OR id IN (SELECT framework_id FROM framework_parties WHERE nation_id = {NATION_ID})"
    ),
    "call_offs": (
        f"nation_id = {NATION_ID}"
        f" OR framework_id IN (SELECT id FROM frameworks WHERE supplier_id = {SUPPLIER_ID})"
    ),
    "lot_lines": (
        f"nation_id = {NATION_ID}"
        f" OR ({SUPPLIER_ID} IS NOT NULL AND lot_id IN (SELECT lot_id FROM tenders))"
    ),
}


def upgrade() -> None:
    op.create_table(
        "lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("family", sa.String(), nullable=False),
        sa.Column("grouping", sa.String(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("plan_run_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint(
            "grouping IN ('supplier-family', 'family')", name=op.f("ck_lots_grouping")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'tendered', 'awarded', 'cancelled')", name=op.f("ck_lots_status")
        ),
        sa.ForeignKeyConstraint(
            ["plan_run_id"],
            ["plan_runs.id"],
            name=op.f("fk_lots_plan_run_id_plan_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_lots_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lots")),
        sa.UniqueConstraint("code", name=op.f("uq_lots_code")),
    )
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lots_plan_run_id"), ["plan_run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lots_supplier_id"), ["supplier_id"], unique=False)

    op.create_table(
        "lot_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("nation_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=True),
        sa.Column("stockpile_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit_price", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("month LIKE '____-__'", name=op.f("ck_lot_lines_month_format")),
        sa.CheckConstraint(
            "(requirement_id IS NULL) <> (stockpile_id IS NULL)",
            name=op.f("ck_lot_lines_one_requirement"),
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_lot_lines_quantity_non_negative")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_lot_lines_unit_price_non_negative")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_lot_lines_item_id_items")),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lots.id"], name=op.f("fk_lot_lines_lot_id_lots"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["nation_id"], ["nations.id"], name=op.f("fk_lot_lines_nation_id_nations")
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirements.id"],
            name=op.f("fk_lot_lines_requirement_id_requirements"),
        ),
        sa.ForeignKeyConstraint(
            ["stockpile_id"], ["stockpiles.id"], name=op.f("fk_lot_lines_stockpile_id_stockpiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot_lines")),
    )
    with op.batch_alter_table("lot_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lot_lines_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lot_lines_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lot_lines_nation_id"), ["nation_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_lot_lines_requirement_id"), ["requirement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lot_lines_stockpile_id"), ["stockpile_id"], unique=False
        )

    op.create_table(
        "tenders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ocid", sa.String(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("weight_price", sa.Float(), nullable=False),
        sa.Column("weight_delivery", sa.Float(), nullable=False),
        sa.Column("weight_past_performance", sa.Float(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("published_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("evaluated_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("awarded_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint(
            "method IN ('lowest_price', 'best_value')", name=op.f("ck_tenders_method")
        ),
        sa.CheckConstraint(
            "status IN ('published', 'closed', 'awarded', 'cancelled')",
            name=op.f("ck_tenders_status"),
        ),
        sa.CheckConstraint("closes_on >= opens_on", name=op.f("ck_tenders_period")),
        sa.CheckConstraint(
            "weight_delivery >= 0", name=op.f("ck_tenders_weight_delivery_non_negative")
        ),
        sa.CheckConstraint(
            "weight_past_performance >= 0",
            name=op.f("ck_tenders_weight_past_performance_non_negative"),
        ),
        sa.CheckConstraint(
            "weight_price + weight_delivery + weight_past_performance"
            " BETWEEN 0.999999 AND 1.000001",
            name=op.f("ck_tenders_weights_sum"),
        ),
        sa.CheckConstraint("weight_price >= 0", name=op.f("ck_tenders_weight_price_non_negative")),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_tenders_lot_id_lots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenders")),
        sa.UniqueConstraint("ocid", name=op.f("uq_tenders_ocid")),
    )
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenders_lot_id"), ["lot_id"], unique=False)

    op.create_table(
        "bids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("capacity_per_month", sa.Float(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("delivery", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint(
            "status IN ('submitted', 'withdrawn', 'awarded', 'not_awarded')",
            name=op.f("ck_bids_status"),
        ),
        sa.CheckConstraint(
            "capacity_per_month >= 0", name=op.f("ck_bids_capacity_per_month_non_negative")
        ),
        sa.CheckConstraint("cost >= 0", name=op.f("ck_bids_cost_non_negative")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_bids_supplier_id_suppliers")
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_bids_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bids")),
    )
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bids_supplier_id"), ["supplier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bids_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "frameworks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("ocid", sa.String(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("ceiling_quantity", sa.Float(), nullable=False),
        sa.Column("ceiling_value", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("signed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint(
            "status IN ('draft', 'signed', 'closed')", name=op.f("ck_frameworks_status")
        ),
        sa.CheckConstraint(
            "ceiling_quantity >= 0", name=op.f("ck_frameworks_ceiling_quantity_non_negative")
        ),
        sa.CheckConstraint(
            "ceiling_value >= 0", name=op.f("ck_frameworks_ceiling_value_non_negative")
        ),
        sa.CheckConstraint("valid_to >= valid_from", name=op.f("ck_frameworks_validity")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_frameworks_supplier_id_suppliers")
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_frameworks_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frameworks")),
        sa.UniqueConstraint("code", name=op.f("uq_frameworks_code")),
        sa.UniqueConstraint("ocid", name=op.f("uq_frameworks_ocid")),
        sa.UniqueConstraint("tender_id", name=op.f("uq_frameworks_tender_id")),
    )
    with op.batch_alter_table("frameworks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_frameworks_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "call_offs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("ocid", sa.String(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("nation_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=True),
        sa.Column("stockpile_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit_price", sa.Float(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=True),
        sa.Column("placed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("month LIKE '____-__'", name=op.f("ck_call_offs_month_format")),
        sa.CheckConstraint("status IN ('placed', 'cancelled')", name=op.f("ck_call_offs_status")),
        sa.CheckConstraint(
            "(requirement_id IS NULL) <> (stockpile_id IS NULL)",
            name=op.f("ck_call_offs_one_requirement"),
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_call_offs_quantity_non_negative")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_call_offs_unit_price_non_negative")),
        sa.CheckConstraint("value >= 0", name=op.f("ck_call_offs_value_non_negative")),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_call_offs_commitment_id_commitments"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["frameworks.id"], name=op.f("fk_call_offs_framework_id_frameworks")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_call_offs_item_id_items")),
        sa.ForeignKeyConstraint(["line_id"], ["lines.id"], name=op.f("fk_call_offs_line_id_lines")),
        sa.ForeignKeyConstraint(
            ["nation_id"], ["nations.id"], name=op.f("fk_call_offs_nation_id_nations")
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirements.id"],
            name=op.f("fk_call_offs_requirement_id_requirements"),
        ),
        sa.ForeignKeyConstraint(
            ["stockpile_id"], ["stockpiles.id"], name=op.f("fk_call_offs_stockpile_id_stockpiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_offs")),
        sa.UniqueConstraint("code", name=op.f("uq_call_offs_code")),
        sa.UniqueConstraint("commitment_id", name=op.f("uq_call_offs_commitment_id")),
        sa.UniqueConstraint("ocid", name=op.f("uq_call_offs_ocid")),
    )
    with op.batch_alter_table("call_offs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_offs_framework_id"), ["framework_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_call_offs_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_offs_line_id"), ["line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_offs_nation_id"), ["nation_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_call_offs_requirement_id"), ["requirement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_call_offs_stockpile_id"), ["stockpile_id"], unique=False
        )

    op.create_table(
        "framework_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_framework_items_framework_id_frameworks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_framework_items_item_id_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_items")),
        sa.UniqueConstraint(
            "framework_id", "item_id", name=op.f("uq_framework_items_framework_id_item_id")
        ),
    )
    with op.batch_alter_table("framework_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_framework_items_framework_id"), ["framework_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_framework_items_item_id"), ["item_id"], unique=False)

    op.create_table(
        "framework_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("nation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_framework_parties_framework_id_frameworks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nation_id"], ["nations.id"], name=op.f("fk_framework_parties_nation_id_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_parties")),
        sa.UniqueConstraint(
            "framework_id", "nation_id", name=op.f("uq_framework_parties_framework_id_nation_id")
        ),
    )
    with op.batch_alter_table("framework_parties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_framework_parties_framework_id"), ["framework_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_framework_parties_nation_id"), ["nation_id"], unique=False
        )

    _wall()


def _wall() -> None:
    """The policies of 0006, on the tables above that a nation or supplier owns."""
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
        # The policies refer to other tables of this revision: they go first.
        for table in SCOPES:
            op.execute(f"DROP POLICY app_scope ON {table}")
            op.execute(f"DROP POLICY owner_all ON {table}")
    with op.batch_alter_table("framework_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_parties_nation_id"))
        batch_op.drop_index(batch_op.f("ix_framework_parties_framework_id"))

    op.drop_table("framework_parties")
    with op.batch_alter_table("framework_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_items_item_id"))
        batch_op.drop_index(batch_op.f("ix_framework_items_framework_id"))

    op.drop_table("framework_items")
    with op.batch_alter_table("call_offs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_offs_stockpile_id"))
        batch_op.drop_index(batch_op.f("ix_call_offs_requirement_id"))
        batch_op.drop_index(batch_op.f("ix_call_offs_nation_id"))
        batch_op.drop_index(batch_op.f("ix_call_offs_line_id"))
        batch_op.drop_index(batch_op.f("ix_call_offs_item_id"))
        batch_op.drop_index(batch_op.f("ix_call_offs_framework_id"))

    op.drop_table("call_offs")
    with op.batch_alter_table("frameworks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frameworks_supplier_id"))

    op.drop_table("frameworks")
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bids_tender_id"))
        batch_op.drop_index(batch_op.f("ix_bids_supplier_id"))

    op.drop_table("bids")
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenders_lot_id"))

    op.drop_table("tenders")
    with op.batch_alter_table("lot_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lot_lines_stockpile_id"))
        batch_op.drop_index(batch_op.f("ix_lot_lines_requirement_id"))
        batch_op.drop_index(batch_op.f("ix_lot_lines_nation_id"))
        batch_op.drop_index(batch_op.f("ix_lot_lines_lot_id"))
        batch_op.drop_index(batch_op.f("ix_lot_lines_item_id"))

    op.drop_table("lot_lines")
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lots_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_lots_plan_run_id"))

    op.drop_table("lots")
