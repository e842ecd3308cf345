"""Alembic environment: migrate the database named in the config, online, batch mode on SQLite."""

from __future__ import annotations

from alembic import context

from alliedforge.domain.models import metadata
from alliedforge.store.engine import create_db_engine


def run_migrations_online() -> None:
    """Run the migrations on one connection, in one transaction where the database allows."""
    engine = create_db_engine(context.config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                # SQLite cannot ALTER most of a table: batch mode copies and renames it.
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("AlliedForge migrations run online only (forge db upgrade)")
run_migrations_online()
