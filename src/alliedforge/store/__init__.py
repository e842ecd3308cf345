"""The persistence layer: declarative base, engine and sessions, Alembic migrations."""
