"""Load and write scenario packages (CSV folder or .xlsx): parse, validate, never half-load."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alliedforge.scenario.csvio import read_folder, write_folder
from alliedforge.scenario.manifest import parse_manifest
from alliedforge.scenario.model import Scenario
from alliedforge.scenario.problems import Problem, ScenarioError
from alliedforge.scenario.tables import (
    MANIFEST_TABLE,
    TABLES,
    CellError,
    RawPackage,
    RawTable,
    Table,
    parse_cell,
)
from alliedforge.scenario.validate import Provenance, check_with_provenance, sort_problems

WORKBOOK_SUFFIX = ".xlsx"


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario package: a folder of CSV files, or a .xlsx workbook.

    Raises ScenarioError listing every problem found (file, cell and semantic) at once.
    """
    path = Path(path)
    if path.suffix.lower() == WORKBOOK_SUFFIX and path.is_file():
        # Imported here: openpyxl costs a third of a second, and only workbooks need it.
        from alliedforge.scenario.xlsxio import read_workbook

        raw = read_workbook(path)
    elif path.is_dir():
        raw = read_folder(path)
    else:
        expected = "a folder of CSV files with scenario.toml, or an .xlsx workbook"
        raise ScenarioError([Problem(MANIFEST_TABLE, None, None, str(path), expected)])
    return parse_package(raw)


def write_scenario(scenario: Scenario, path: Path) -> None:
    """Write a scenario as a .xlsx workbook (path ending .xlsx) or else as a CSV folder.

    Required tables are always written, optional ones when they have rows; the same
    scenario always gives the same bytes, and loading them gives the scenario back.
    """
    path = Path(path)
    if path.suffix.lower() == WORKBOOK_SUFFIX:
        from alliedforge.scenario.xlsxio import write_workbook

        write_workbook(scenario, path)
    else:
        write_folder(scenario, path)


def parse_package(raw: RawPackage) -> Scenario:
    """Type the cells of a package read from files, then validate the whole scenario."""
    problems = list(raw.problems)
    parsed = parse_manifest(raw.manifest or {}, raw.manifest_rows)
    if raw.manifest is not None:
        problems.extend(parsed.problems)
    tables: dict[str, tuple[Any, ...]] = {}
    rows: dict[str, list[int]] = {}
    unread: set[str] = set()
    dropped: dict[str, list[dict[str, object]]] = {}
    for table in TABLES.values():
        raw_table = raw.tables.get(table.name)
        if raw_table is None:
            if table.name in raw.unreadable:
                unread.add(table.name)
            elif table.required:
                problems.append(Problem(table.name, None, None, None, "a required table"))
                unread.add(table.name)
            tables[table.name] = ()
            continue
        result = _parse_table(table, raw_table)
        problems.extend(result.problems)
        tables[table.name] = tuple(result.rows)
        rows[table.name] = result.numbers
        dropped[table.name] = result.dropped
        if not result.readable:
            unread.add(table.name)
    scenario = Scenario(manifest=parsed.manifest, **tables)
    provenance = Provenance(
        rows=rows,
        manifest_rows=parsed.rows,
        horizon_known=raw.manifest is not None and parsed.horizon_known,
        unread=frozenset(unread),
        dropped=dropped,
    )
    problems.extend(check_with_provenance(scenario, provenance))
    if problems:
        raise ScenarioError(sort_problems(problems))
    return scenario


@dataclass
class _ParsedTable:
    rows: list[Any] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    dropped: list[dict[str, object]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True


def _parse_table(table: Table, raw: RawTable) -> _ParsedTable:
    """Rows whose every cell parses; the others are dropped with a problem per bad cell."""
    result = _ParsedTable()
    names = {c.name for c in table.columns}
    positions: dict[str, int] = {}
    for position, name in enumerate(raw.header):
        if name not in names:
            expected = "a column of the table: " + ", ".join(c.name for c in table.columns)
            result.problems.append(Problem(table.name, raw.header_row, name, name, expected))
        elif name in positions:
            result.problems.append(
                Problem(table.name, raw.header_row, name, name, "each column once")
            )
            result.readable = False
        else:
            positions[name] = position
    for column in table.columns:
        if column.required and column.name not in positions:
            result.problems.append(
                Problem(table.name, raw.header_row, column.name, None, "a required column")
            )
            result.readable = False

    for number, cells in raw.rows:
        fields: dict[str, object] = {}
        complete = result.readable
        for column in table.columns:
            at = positions.get(column.name)
            text = "" if at is None else cells[at]
            if not text:
                if column.required and at is not None:
                    result.problems.append(
                        Problem(table.name, number, column.name, None, "a value")
                    )
                    complete = False
                fields[column.attr] = None
                continue
            try:
                fields[column.attr] = parse_cell(column.kind, text)
            except CellError as error:
                result.problems.append(Problem(table.name, number, column.name, text, str(error)))
                complete = False
        if complete:
            result.rows.append(table.row_type(**fields))
            result.numbers.append(number)
        else:
            result.dropped.append({k: v for k, v in fields.items() if v is not None})
    return result
