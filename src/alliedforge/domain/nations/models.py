"""ORM models of nations and their NATO Codification Bureau (NCB) codes."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from alliedforge.store.base import Record


class Nation(Record):
    """A buying nation; `code` is the scenario code, normally ISO 3166 alpha-3."""

    __tablename__ = "nations"

    code: Mapped[str] = mapped_column(String, unique=True)
    iso2: Mapped[str | None] = mapped_column(
        String(2), CheckConstraint("length(iso2) = 2", name="iso2_length"), unique=True
    )
    name: Mapped[str] = mapped_column(String)


class NcbCode(Record):
    """A two-digit NCB code a nation's bureau assigns in NSNs (digits 5–6).

    A nation may have several (USA 00 and 01) and a code may serve two nations
    (13: Belgium and Luxembourg), hence a table and not a column.
    """

    __tablename__ = "ncb_codes"
    __table_args__ = (UniqueConstraint("nation_id", "code"),)

    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    code: Mapped[str] = mapped_column(
        String(2), CheckConstraint("length(code) = 2", name="code_length")
    )
