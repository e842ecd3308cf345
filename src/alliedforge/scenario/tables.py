"""Table schemas of the scenario format: columns, value kinds, keys, references and cell text."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from alliedforge.scenario.model import (
    BomEntry,
    Budget,
    Commitment,
    Component,
    ComponentSupply,
    Fleet,
    Item,
    Line,
    LineState,
    Nation,
    Price,
    Qualification,
    Requirement,
    Scenario,
    Stockpile,
    Supplier,
    WeaponSystem,
)
from alliedforge.scenario.nsn import canonical_item_code
from alliedforge.scenario.problems import Problem

MANIFEST_TABLE = "scenario"


class Kind(StrEnum):
    """The domain of a column's values: how a cell is parsed and what validation demands."""

    TEXT = "text"
    ITEM = "item"  # an item code; NSNs take their dashed form
    MONTH = "month"  # YYYY-MM, within the horizon
    QUANTITY = "quantity"  # finite number >= 0
    POSITIVE = "positive"  # finite number > 0
    COUNT = "count"  # whole number >= 0
    YEAR = "year"  # whole number, a calendar year overlapping the horizon
    PRIORITY = "priority"  # whole number 1..5
    STATE = "state"  # a LineState


NUMBER_KINDS = frozenset({Kind.QUANTITY, Kind.POSITIVE})
INTEGER_KINDS = frozenset({Kind.COUNT, Kind.YEAR, Kind.PRIORITY})


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table; `field` is the row attribute when it differs from `name`."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    field: str = ""

    @property
    def attr(self) -> str:
        return self.field or self.name


@dataclass(frozen=True, slots=True)
class Table:
    """A table of the format: its columns, unique key and foreign keys (column, target table)."""

    name: str
    row_type: Callable[..., Any]
    columns: tuple[Column, ...]
    required: bool
    key: tuple[str, ...]
    references: tuple[tuple[str, str], ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _req(name: str, kind: Kind = Kind.TEXT) -> Column:
    return Column(name, kind, required=True)


_CODE_NAME = (_req("code"), _req("name"))

TABLES: Mapping[str, Table] = {
    t.name: t
    for t in (
        Table("nations", Nation, _CODE_NAME, True, ("code",)),
        Table("weapon_systems", WeaponSystem, (*_CODE_NAME, Column("calibre")), True, ("code",)),
        Table(
            "fleets",
            Fleet,
            (_req("nation"), _req("weapon_system"), Column("quantity", Kind.QUANTITY)),
            False,
            ("nation", "weapon_system"),
            (("nation", "nations"), ("weapon_system", "weapon_systems")),
        ),
        Table(
            "items",
            Item,
            (_req("code", Kind.ITEM), _req("name"), _req("family"), Column("stanag")),
            True,
            ("code",),
        ),
        Table(
            "qualifications",
            Qualification,
            (
                _req("item", Kind.ITEM),
                _req("weapon_system"),
                Column("from", Kind.MONTH, field="from_month"),
            ),
            True,
            ("item", "weapon_system"),
            (("item", "items"), ("weapon_system", "weapon_systems")),
        ),
        Table("suppliers", Supplier, (*_CODE_NAME, _req("country")), True, ("code",)),
        Table(
            "lines",
            Line,
            (
                _req("code"),
                _req("supplier"),
                _req("item", Kind.ITEM),
                _req("capacity_per_month", Kind.POSITIVE),
                _req("state", Kind.STATE),
                Column("lead_months", Kind.COUNT),
                Column("opening_cost", Kind.QUANTITY),
                Column("ramp_months", Kind.COUNT),
                Column("earliest_decision", Kind.MONTH),
            ),
            True,
            ("code",),
            (("supplier", "suppliers"), ("item", "items")),
        ),
        Table(
            "prices",
            Price,
            (
                _req("supplier"),
                _req("item", Kind.ITEM),
                _req("min_quantity", Kind.QUANTITY),
                _req("unit_price", Kind.QUANTITY),
            ),
            True,
            ("supplier", "item", "min_quantity"),
            (("supplier", "suppliers"), ("item", "items")),
        ),
        Table(
            "requirements",
            Requirement,
            (
                _req("code"),
                _req("nation"),
                _req("weapon_system"),
                _req("quantity", Kind.QUANTITY),
                _req("due", Kind.MONTH),
                _req("priority", Kind.PRIORITY),
            ),
            True,
            ("code",),
            (("nation", "nations"), ("weapon_system", "weapon_systems")),
        ),
        Table(
            "budgets",
            Budget,
            (_req("nation"), _req("year", Kind.YEAR), _req("amount", Kind.QUANTITY)),
            False,
            ("nation", "year"),
            (("nation", "nations"),),
        ),
        Table("components", Component, _CODE_NAME, False, ("code",)),
        Table(
            "bom",
            BomEntry,
            (_req("item", Kind.ITEM), _req("component"), _req("quantity_per_unit", Kind.QUANTITY)),
            False,
            ("item", "component"),
            (("item", "items"), ("component", "components")),
        ),
        Table(
            "component_supply",
            ComponentSupply,
            (_req("component"), Column("month", Kind.MONTH), _req("capacity", Kind.QUANTITY)),
            False,
            ("component", "month"),
            (("component", "components"),),
        ),
        Table(
            "commitments",
            Commitment,
            (
                _req("code"),
                _req("line"),
                _req("requirement"),
                _req("month", Kind.MONTH),
                _req("quantity", Kind.QUANTITY),
                _req("unit_price", Kind.QUANTITY),
            ),
            False,
            ("code",),
            (("line", "lines"), ("requirement", "requirements")),
        ),
        Table(
            "stockpiles",
            Stockpile,
            (
                _req("nation"),
                _req("weapon_system"),
                _req("on_hand", Kind.QUANTITY),
                _req("target", Kind.QUANTITY),
                _req("due", Kind.MONTH),
            ),
            False,
            ("nation", "weapon_system", "due"),
            (("nation", "nations"), ("weapon_system", "weapon_systems")),
        ),
    )
}


class CellError(ValueError):
    """A cell whose text is not of its column's kind; the message says what was expected."""


def format_number(value: float) -> str:
    """Whole numbers without `.0`, others by repr(), so that float(text) gives `value` back."""
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # past 4,300 digits (a hex number in TOML): exact in hex
            return f"{value:#x}"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def format_cell(value: object) -> str:
    """The text of a row field in a file: blank for None, months and codes as they are."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def parse_number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CellError("a number") from None


def parse_whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        raise CellError("a whole number") from None
    if not (math.isfinite(number) and number.is_integer()):
        raise CellError("a whole number")
    return int(number)


def parse_cell(kind: Kind, text: str) -> object:
    """The row field for a non-blank, trimmed cell; range checks are left to validation."""
    if kind in NUMBER_KINDS:
        return parse_number(text)
    if kind in INTEGER_KINDS:
        return parse_whole(text)
    if kind is Kind.ITEM:
        return canonical_item_code(text)
    if kind is Kind.STATE:
        try:
            return LineState(text)
        except ValueError:
            raise CellError("active, dormant or new") from None
    return text


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table as read: trimmed header and cells, each row with its source row number."""

    name: str
    header_row: int
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class RawPackage:
    """A scenario package as read, before any typing: manifest values, tables, file problems."""

    manifest: Mapping[str, object] | None
    manifest_rows: Mapping[str, int]
    tables: Mapping[str, RawTable]
    problems: list[Problem]
    unreadable: frozenset[str] = frozenset()  # tables present but without a usable header


def tables_to_write(scenario: Scenario) -> list[tuple[Table, list[tuple[object, ...]]]]:
    """Every required table and each non-empty optional one, as field values in column order."""
    written = []
    for table in TABLES.values():
        rows: tuple[object, ...] = getattr(scenario, table.name)
        if rows or table.required:
            values = [tuple(getattr(row, c.attr) for c in table.columns) for row in rows]
            written.append((table, values))
    return written
