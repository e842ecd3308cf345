"""The shared record: master data and every table of the scenario format.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 11:34:10.776888
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column-level in the models (one mixin serves every table), which autogenerate skips.
CLASSIFICATION_CHECK = (
    "classification IN ('NATO UNCLASSIFIED', 'NATO RESTRICTED', 'NATO CONFIDENTIAL', "
    "'NATO SECRET', 'COSMIC TOP SECRET')"
)


def upgrade() -> None:
    op.create_table(
        "components",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_components")),
        sa.UniqueConstraint("code", name=op.f("uq_components_code")),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nsn", sa.String(length=13), nullable=True),
        sa.Column("other_code", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("family", sa.String(), nullable=False),
        sa.Column("stanag", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("(nsn IS NULL) <> (other_code IS NULL)", name=op.f("ck_items_one_code")),
        sa.CheckConstraint("length(nsn) = 13", name=op.f("ck_items_nsn_digits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("nsn", name=op.f("uq_items_nsn")),
        sa.UniqueConstraint("other_code", name=op.f("uq_items_other_code")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_items_family"), ["family"], unique=False)

    op.create_table(
        "nations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("iso2", sa.String(length=2), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nations")),
        sa.UniqueConstraint("code", name=op.f("uq_nations_code")),
        sa.UniqueConstraint("iso2", name=op.f("uq_nations_iso2")),
    )
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("country", sa.String(), nullable=False),
        sa.Column("year_founded", sa.Integer(), nullable=True),
        sa.Column("ownership", sa.Text(), nullable=True),
        sa.Column("rd_investment", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("products", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("fax", sa.String(), nullable=True),
        sa.Column("mobile", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("website", sa.String(), nullable=True),
        sa.Column("products_delivered", sa.Float(), nullable=True),
        sa.Column("contracts", sa.Integer(), nullable=True),
        sa.Column("track_record_since", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint("code", name=op.f("uq_suppliers_code")),
    )
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_suppliers_country"), ["country"], unique=False)

    op.create_table(
        "weapon_systems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("calibre", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weapon_systems")),
        sa.UniqueConstraint("code", name=op.f("uq_weapon_systems_code")),
    )
    op.create_table(
        "bom",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("quantity_per_unit", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint(
            "quantity_per_unit >= 0", name=op.f("ck_bom_quantity_per_unit_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["component_id"], ["components.id"], name=op.f("fk_bom_component_id_components")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_bom_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bom")),
        sa.UniqueConstraint("item_id", "component_id", name=op.f("uq_bom_item_id_component_id")),
    )
    with op.batch_alter_table("bom", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bom_component_id"), ["component_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bom_item_id"), ["item_id"], unique=False)

    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nation_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_budgets_amount_non_negative")),
        sa.ForeignKeyConstraint(
            ["nation_id"], ["nations.id"], name=op.f("fk_budgets_nation_id_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint("nation_id", "year", name=op.f("uq_budgets_nation_id_year")),
    )
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budgets_nation_id"), ["nation_id"], unique=False)

    op.create_table(
        "component_supply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("capacity", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("month LIKE '____-__'", name=op.f("ck_component_supply_month_format")),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_component_supply_capacity_non_negative")),
        sa.ForeignKeyConstraint(
            ["component_id"],
            ["components.id"],
            name=op.f("fk_component_supply_component_id_components"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_component_supply")),
        sa.UniqueConstraint(
            "component_id", "month", name=op.f("uq_component_supply_component_id_month")
        ),
    )
    with op.batch_alter_table("component_supply", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_component_supply_component_id"), ["component_id"], unique=False
        )

    op.create_table(
        "fleets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nation_id", sa.Integer(), nullable=False),
        sa.Column("weapon_system_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_fleets_quantity_non_negative")),
        sa.ForeignKeyConstraint(
            ["nation_id"], ["nations.id"], name=op.f("fk_fleets_nation_id_nations")
        ),
        sa.ForeignKeyConstraint(
            ["weapon_system_id"],
            ["weapon_systems.id"],
            name=op.f("fk_fleets_weapon_system_id_weapon_systems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fleets")),
        sa.UniqueConstraint(
            "nation_id", "weapon_system_id", name=op.f("uq_fleets_nation_id_weapon_system_id")
        ),
    )
    with op.batch_alter_table("fleets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fleets_nation_id"), ["nation_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_fleets_weapon_system_id"), ["weapon_system_id"], unique=False
        )

    op.create_table(
        "lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("capacity_per_month", sa.Float(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("lead_months", sa.Integer(), nullable=True),
        sa.Column("opening_cost", sa.Float(), nullable=True),
        sa.Column("ramp_months", sa.Integer(), nullable=True),
        sa.Column("earliest_decision", sa.String(length=7), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint(
            "earliest_decision LIKE '____-__'", name=op.f("ck_lines_earliest_decision_format")
        ),
        sa.CheckConstraint("state IN ('active', 'dormant', 'new')", name=op.f("ck_lines_state")),
        sa.CheckConstraint(
            "capacity_per_month >= 0", name=op.f("ck_lines_capacity_per_month_non_negative")
        ),
        sa.CheckConstraint("opening_cost >= 0", name=op.f("ck_lines_opening_cost_non_negative")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_lines_item_id_items")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_lines_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lines")),
        sa.UniqueConstraint("code", name=op.f("uq_lines_code")),
    )
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lines_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lines_supplier_id"), ["supplier_id"], unique=False)

    op.create_table(
        "ncb_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nation_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.ForeignKeyConstraint(
            ["nation_id"], ["nations.id"], name=op.f("fk_ncb_codes_nation_id_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ncb_codes")),
        sa.UniqueConstraint("nation_id", "code", name=op.f("uq_ncb_codes_nation_id_code")),
    )
    with op.batch_alter_table("ncb_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ncb_codes_nation_id"), ["nation_id"], unique=False)

    op.create_table(
        "prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("min_quantity", sa.Float(), nullable=False),
        sa.Column("unit_price", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("min_quantity >= 0", name=op.f("ck_prices_min_quantity_non_negative")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_prices_unit_price_non_negative")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_prices_item_id_items")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_prices_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prices")),
        sa.UniqueConstraint(
            "supplier_id",
            "item_id",
            "min_quantity",
            name=op.f("uq_prices_supplier_id_item_id_min_quantity"),
        ),
    )
    with op.batch_alter_table("prices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prices_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_prices_supplier_id"), ["supplier_id"], unique=False)

    op.create_table(
        "qualifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("weapon_system_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), server_default="qualified", nullable=False),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("month LIKE '____-__'", name=op.f("ck_qualifications_month_format")),
        sa.CheckConstraint(
            "status IN ('qualified', 'in_progress', 'planned')",
            name=op.f("ck_qualifications_status"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_qualifications_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["weapon_system_id"],
            ["weapon_systems.id"],
            name=op.f("fk_qualifications_weapon_system_id_weapon_systems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualifications")),
        sa.UniqueConstraint(
            "item_id", "weapon_system_id", name=op.f("uq_qualifications_item_id_weapon_system_id")
        ),
    )
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qualifications_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_qualifications_weapon_system_id"), ["weapon_system_id"], unique=False
        )

    op.create_table(
        "requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("nation_id", sa.Integer(), nullable=False),
        sa.Column("weapon_system_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("due", sa.String(length=7), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), server_default="draft", nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("due LIKE '____-__'", name=op.f("ck_requirements_due_format")),
        sa.CheckConstraint(
            "status <> 'rejected' OR reason IS NOT NULL",
            name=op.f("ck_requirements_rejected_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'rejected')",
            name=op.f("ck_requirements_status"),
        ),
        sa.CheckConstraint("priority BETWEEN 1 AND 5", name=op.f("ck_requirements_priority_range")),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_requirements_quantity_non_negative")),
        sa.ForeignKeyConstraint(
            ["nation_id"], ["nations.id"], name=op.f("fk_requirements_nation_id_nations")
        ),
        sa.ForeignKeyConstraint(
            ["weapon_system_id"],
            ["weapon_systems.id"],
            name=op.f("fk_requirements_weapon_system_id_weapon_systems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirements")),
        sa.UniqueConstraint("code", name=op.f("uq_requirements_code")),
    )
    with op.batch_alter_table("requirements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requirements_nation_id"), ["nation_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_requirements_weapon_system_id"), ["weapon_system_id"], unique=False
        )

    op.create_table(
        "stockpiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nation_id", sa.Integer(), nullable=False),
        sa.Column("weapon_system_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Float(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("due", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("due LIKE '____-__'", name=op.f("ck_stockpiles_due_format")),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stockpiles_on_hand_non_negative")),
        sa.CheckConstraint("target >= 0", name=op.f("ck_stockpiles_target_non_negative")),
        sa.ForeignKeyConstraint(
            ["nation_id"], ["nations.id"], name=op.f("fk_stockpiles_nation_id_nations")
        ),
        sa.ForeignKeyConstraint(
            ["weapon_system_id"],
            ["weapon_systems.id"],
            name=op.f("fk_stockpiles_weapon_system_id_weapon_systems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stockpiles")),
        sa.UniqueConstraint(
            "nation_id",
            "weapon_system_id",
            "due",
            name=op.f("uq_stockpiles_nation_id_weapon_system_id_due"),
        ),
    )
    with op.batch_alter_table("stockpiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stockpiles_nation_id"), ["nation_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_stockpiles_weapon_system_id"), ["weapon_system_id"], unique=False
        )

    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit_price", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.CheckConstraint("month LIKE '____-__'", name=op.f("ck_commitments_month_format")),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_commitments_quantity_non_negative")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_commitments_unit_price_non_negative")),
        sa.ForeignKeyConstraint(
            ["line_id"], ["lines.id"], name=op.f("fk_commitments_line_id_lines")
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirements.id"],
            name=op.f("fk_commitments_requirement_id_requirements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
        sa.UniqueConstraint("code", name=op.f("uq_commitments_code")),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitments_line_id"), ["line_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_commitments_requirement_id"), ["requirement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitments_requirement_id"))
        batch_op.drop_index(batch_op.f("ix_commitments_line_id"))

    op.drop_table("commitments")
    with op.batch_alter_table("stockpiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stockpiles_weapon_system_id"))
        batch_op.drop_index(batch_op.f("ix_stockpiles_nation_id"))

    op.drop_table("stockpiles")
    with op.batch_alter_table("requirements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requirements_weapon_system_id"))
        batch_op.drop_index(batch_op.f("ix_requirements_nation_id"))

    op.drop_table("requirements")
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qualifications_weapon_system_id"))
        batch_op.drop_index(batch_op.f("ix_qualifications_item_id"))

    op.drop_table("qualifications")
    with op.batch_alter_table("prices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prices_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_prices_item_id"))

    op.drop_table("prices")
    with op.batch_alter_table("ncb_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ncb_codes_nation_id"))

    op.drop_table("ncb_codes")
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lines_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_lines_item_id"))

    op.drop_table("lines")
    with op.batch_alter_table("fleets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fleets_weapon_system_id"))
        batch_op.drop_index(batch_op.f("ix_fleets_nation_id"))

    op.drop_table("fleets")
    with op.batch_alter_table("component_supply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_component_supply_component_id"))

    op.drop_table("component_supply")
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budgets_nation_id"))

    op.drop_table("budgets")
    with op.batch_alter_table("bom", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bom_item_id"))
        batch_op.drop_index(batch_op.f("ix_bom_component_id"))

    op.drop_table("bom")
    op.drop_table("weapon_systems")
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suppliers_country"))

    op.drop_table("suppliers")
    op.drop_table("nations")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_family"))

    op.drop_table("items")
    op.drop_table("components")
