"""The manifest (`scenario.toml` or the `scenario` sheet): parse loose values, render TOML."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from alliedforge.scenario.model import (
    DEFAULT_CURRENCY,
    DEFAULT_LATE_FRACTION,
    DEFAULT_SHORTFALL_COST,
    Manifest,
)
from alliedforge.scenario.problems import Problem
from alliedforge.scenario.tables import MANIFEST_TABLE, CellError, format_number, parse_whole

REQUIRED_KEYS = ("name", "start", "months")
KEYS = (*REQUIRED_KEYS, "currency", "objective.shortfall_cost", "objective.late_fraction")

# Stand-ins for values that failed to parse: valid, so that validation does not report
# them a second time; a failed `start` or `months` also switches the horizon checks off.
_PLACEHOLDER_NAME = "?"
_PLACEHOLDER_START = "2000-01"
_PLACEHOLDER_MONTHS = 1


@dataclass(frozen=True, slots=True)
class ParsedManifest:
    """A manifest read from a file, the problems met, and where each key was written."""

    manifest: Manifest
    problems: list[Problem]
    horizon_known: bool
    rows: Mapping[str, int]


def parse_manifest(values: Mapping[str, object], rows: Mapping[str, int]) -> ParsedManifest:
    """Build a Manifest from flat `key -> value` (TOML values or spreadsheet cells)."""
    problems: list[Problem] = []

    def problem(key: str, value: object, expected: str) -> None:
        shown = None if value is None else _shown(value)
        problems.append(Problem(MANIFEST_TABLE, rows.get(key), key, shown, expected))

    for key, value in values.items():
        if key not in KEYS:
            problem(key, value, "a manifest key: " + ", ".join(KEYS))
    for key in REQUIRED_KEYS:
        if _is_blank(values.get(key)):
            problem(key, None, "a value")

    name = _text(values.get("name"))
    start = _month_text(values.get("start"))
    currency = _text(values.get("currency"))
    for key, parsed, expected in (
        ("name", name, "a text"),
        ("start", start, "a month YYYY-MM"),
        ("currency", currency, "a currency code"),
    ):
        if parsed is None and not _is_blank(values.get(key)):
            problem(key, values[key], expected)

    months: int | None = None
    if not _is_blank(values.get("months")):
        try:
            months = _whole(values["months"])
        except CellError as error:
            problem("months", values["months"], str(error))

    shortfall_cost: tuple[float, ...] | None = DEFAULT_SHORTFALL_COST
    if not _is_blank(values.get("objective.shortfall_cost")):
        shortfall_cost = _number_list(values["objective.shortfall_cost"])
        if shortfall_cost is None:
            problem(
                "objective.shortfall_cost",
                values["objective.shortfall_cost"],
                "5 numbers, comma-separated",
            )

    late_fraction: float | None = DEFAULT_LATE_FRACTION
    if not _is_blank(values.get("objective.late_fraction")):
        late_fraction = _number(values["objective.late_fraction"])
        if late_fraction is None:
            problem("objective.late_fraction", values["objective.late_fraction"], "a number")

    manifest = Manifest(
        name=name or _PLACEHOLDER_NAME,
        start=start or _PLACEHOLDER_START,
        months=_PLACEHOLDER_MONTHS if months is None else months,
        currency=DEFAULT_CURRENCY if currency is None else currency,
        shortfall_cost=DEFAULT_SHORTFALL_COST if shortfall_cost is None else shortfall_cost,
        late_fraction=DEFAULT_LATE_FRACTION if late_fraction is None else late_fraction,
    )
    horizon_known = start is not None and months is not None
    return ParsedManifest(manifest, problems, horizon_known, dict(rows))


def flatten_toml(document: Mapping[str, object]) -> dict[str, object]:
    """`{"objective": {"late_fraction": x}}` → `{"objective.late_fraction": x}`."""
    flat: dict[str, object] = {}
    for key, value in document.items():
        if isinstance(value, Mapping):
            for inner, inner_value in flatten_toml(value).items():
                flat[f"{key}.{inner}"] = inner_value
        else:
            flat[key] = value
    return flat


def manifest_entries(manifest: Manifest) -> list[tuple[str, str | int | float]]:
    """The manifest as `key, value` rows for the `scenario` sheet, in a fixed order."""
    return [
        ("name", manifest.name),
        ("start", manifest.start),
        ("months", manifest.months),
        ("currency", manifest.currency),
        ("objective.shortfall_cost", ", ".join(format_number(c) for c in manifest.shortfall_cost)),
        ("objective.late_fraction", manifest.late_fraction),
    ]


def render_toml(manifest: Manifest) -> str:
    """`scenario.toml` text; numbers are written so that tomllib reads back the same floats."""
    costs = ", ".join(format_number(c) for c in manifest.shortfall_cost)
    return (
        f"name = {_toml_string(manifest.name)}\n"
        f"start = {_toml_string(manifest.start)}\n"
        f"months = {manifest.months}\n"
        f"currency = {_toml_string(manifest.currency)}\n"
        "[objective]\n"
        f"shortfall_cost = [{costs}]\n"
        f"late_fraction = {format_number(manifest.late_fraction)}\n"
    )


def _toml_string(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:  # TOML forbids raw control characters
            escaped.append(f"\\u{ord(char):04X}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _shown(value: object) -> str:
    try:
        return str(value)
    except ValueError:  # a whole number past Python's 4,300 digits, maybe in a list
        return "a number too long to show"


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return None


def _month_text(value: object) -> str | None:
    if isinstance(value, datetime.date):
        return f"{value.year:04d}-{value.month:02d}"
    return _text(value)


def _whole(value: object) -> int:
    if isinstance(value, bool):
        raise CellError("a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float | str):
        return parse_whole(str(value).strip())
    raise CellError("a whole number")


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            return float(value.strip())
    except (ValueError, OverflowError):  # OverflowError: a whole number past the floats
        return None
    return None


def _number_list(value: object) -> tuple[float, ...] | None:
    """A TOML array, or text `a, b, c` with or without brackets (spreadsheet cells)."""
    if isinstance(value, list | tuple):
        parts: list[object] = list(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        texts = text.split(",")
        if texts and not texts[-1].strip():  # a trailing comma, as TOML allows
            texts.pop()
        parts = list(texts)
    else:
        parts = [value]
    numbers: list[float] = []
    for part in parts:
        number = _number(part)
        if number is None:
            return None
        numbers.append(number)
    return tuple(numbers)
