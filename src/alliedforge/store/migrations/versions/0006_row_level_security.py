"""PostgreSQL row-level security: a second wall behind the application's own scoping.

The API connects as a member of the role `alliedforge_app`, which owns no table. On
nation- and supplier-scoped tables a FORCEd policy lets that role see and write only
the rows of the nation or supplier named in the transaction's settings
(`alliedforge.nation_id`, `alliedforge.supplier_id`, … set with `set_config(…, true)`;
staff: `alliedforge.staff = on`). Unset settings match nothing: the wall fails closed.
The owner (migrations, the `forge` CLI) keeps a policy of its own. SQLite: nothing.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 12:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "alliedforge_app"

STAFF = "current_setting('alliedforge.staff', true) = 'on'"
NATION_ID = "NULLIF(current_setting('alliedforge.nation_id', true), '')::integer"
SUPPLIER_ID = "NULLIF(current_setting('alliedforge.supplier_id', true), '')::integer"
NATION = "NULLIF(current_setting('alliedforge.nation', true), '')"
SUPPLIER = "NULLIF(current_setting('alliedforge.supplier', true), '')"

# Table → who besides staff may see a row (a SQL predicate on the row).
SCOPES = {
    "requirements": f"nation_id = {NATION_ID}",
    "budgets": f"nation_id = {NATION_ID}",
    "stockpiles": f"nation_id = {NATION_ID}",
    "fleets": f"nation_id = {NATION_ID}",
    "lines": f"supplier_id = {SUPPLIER_ID}",
    "prices": f"supplier_id = {SUPPLIER_ID}",
    "commitments": (
        f"line_id IN (SELECT id FROM lines WHERE supplier_id = {SUPPLIER_ID})"
        f" OR requirement_id IN (SELECT id FROM requirements WHERE nation_id = {NATION_ID})"
        f" OR stockpile_id IN (SELECT id FROM stockpiles WHERE nation_id = {NATION_ID})"
    ),
    "plan_deliveries": f"nation = {NATION} OR supplier = {SUPPLIER}",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} NOLOGIN;
            END IF;
        END $$
        """
    )
    op.execute(
        f"""
        DO $$ BEGIN
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO {APP_ROLE}', current_schema());
            EXECUTE format(
                'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO {APP_ROLE}',
                current_schema());
            EXECUTE format(
                'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {APP_ROLE}',
                current_schema());
            EXECUTE format(
                'ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
                'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}', current_schema());
            EXECUTE format(
                'ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
                'GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}', current_schema());
        END $$
        """
    )
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP_ROLE}")
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
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SCOPES:
        op.execute(f"DROP POLICY app_scope ON {table}")
        op.execute(f"DROP POLICY owner_all ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
