"""ORM model of the scenario settings: the manifest (name, horizon, currency, objective)."""

from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from alliedforge.store.base import Record, month_check, non_negative

SETTINGS_ID = 1


class ScenarioSettings(Record):
    """The one row holding the manifest; `shortfall_cost` is the list of five per-priority
    costs (JSON, so floats round-trip exactly)."""

    __tablename__ = "scenario_settings"
    __table_args__ = (
        CheckConstraint(f"id = {SETTINGS_ID}", name="single_row"),
        CheckConstraint("months >= 1", name="months_positive"),
        month_check("start"),
        non_negative("late_fraction"),
    )

    name: Mapped[str] = mapped_column(String)
    start: Mapped[str] = mapped_column(String(7))
    months: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String)
    shortfall_cost: Mapped[list[float]] = mapped_column(JSON)
    late_fraction: Mapped[float] = mapped_column(Float)
