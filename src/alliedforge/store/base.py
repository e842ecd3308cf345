"""Typed declarative base: naming convention, UTC timestamps, versioned and labelled rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, DateTime, Dialect, MetaData, String, Table, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# NATO classifications, lowest to highest (domain-notes.md, "Security markings").
CLASSIFICATIONS = (
    "NATO UNCLASSIFIED",
    "NATO RESTRICTED",
    "NATO CONFIDENTIAL",
    "NATO SECRET",
    "COSMIC TOP SECRET",
)
DEFAULT_CLASSIFICATION = CLASSIFICATIONS[0]
RELEASABLE_TO_ALL = "ALL"


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def utctoday() -> date:
    """Today in UTC: the day the services date contracting work by (tenders open and
    close, deliveries arrive), the same for every user wherever they sit."""
    return utcnow().date()


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored in UTC; SQLite's naive values come back tagged as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware UTC times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    """A portable CHECK that `column` holds one of `values` (enums are plain strings)."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


def month_check(column: str) -> CheckConstraint:
    """A portable CHECK that `column` looks like `YYYY-MM` (full validation is the scenario's)."""
    return CheckConstraint(f"{column} LIKE '____-__'", name=f"{column}_format")


def non_negative(column: str) -> CheckConstraint:
    """A CHECK that a quantity or amount `column` is not below zero."""
    return CheckConstraint(f"{column} >= 0", name=f"{column}_non_negative")


class Base(DeclarativeBase):
    """Declarative base of every table; constraint names follow `NAMING_CONVENTION`."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


class NeverReusedIds:
    """Mixin of the tables whose `id` the database hands out: never the id of a deleted row.

    A plain SQLite INTEGER PRIMARY KEY is max(id) + 1, so deleting the newest row frees its
    id for the next insert, and a client still holding the deleted row's URL and ETag would
    read or change the new one. AUTOINCREMENT keeps the highest id ever used (in
    `sqlite_sequence`, migration 0012); PostgreSQL's sequences never go back anyway.
    """

    @classmethod
    def __table_cls__(cls, name: str, metadata: MetaData, *items: Any, **options: Any) -> Table:
        return Table(name, metadata, *items, sqlite_autoincrement=True, **options)


class Record(NeverReusedIds, Base):
    """A row of the shared record: surrogate id, optimistic-concurrency version, security label.

    SQLAlchemy bumps `version` on every update and refuses one based on a stale version
    (`StaleDataError`), so no one silently overwrites someone else's change.
    """

    __abstract__ = True

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    version: Mapped[int] = mapped_column(nullable=False)
    classification: Mapped[str] = mapped_column(
        String,
        CheckConstraint(
            "classification IN ({})".format(", ".join(f"'{c}'" for c in CLASSIFICATIONS)),
            name="classification",
        ),
        default=DEFAULT_CLASSIFICATION,
        server_default=DEFAULT_CLASSIFICATION,
    )
    releasable_to: Mapped[str] = mapped_column(
        String, default=RELEASABLE_TO_ALL, server_default=RELEASABLE_TO_ALL
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}
