"""The folder form of a scenario package: one CSV file per table plus `scenario.toml`."""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

from alliedforge.scenario.manifest import flatten_toml, render_toml
from alliedforge.scenario.model import Scenario
from alliedforge.scenario.problems import Problem
from alliedforge.scenario.tables import (
    MANIFEST_TABLE,
    TABLES,
    RawPackage,
    RawTable,
    format_cell,
    tables_to_write,
)

MANIFEST_FILE = "scenario.toml"


def read_folder(folder: Path) -> RawPackage:
    """Read every `<table>.csv` and the manifest; other kinds of file are none of our business."""
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    unreadable: set[str] = set()
    for path in sorted(folder.glob("*.csv")):
        if not path.is_file():
            continue
        if path.stem not in TABLES:
            problems.append(
                Problem(path.stem, None, None, path.name, "a CSV file named after a table")
            )
            continue
        table = _read_csv(path, problems)
        if table is None:
            unreadable.add(path.stem)
        else:
            tables[table.name] = table
    manifest = _read_manifest(folder / MANIFEST_FILE, problems)
    return RawPackage(manifest, {}, tables, problems, frozenset(unreadable))


def write_folder(scenario: Scenario, folder: Path) -> None:
    """Write the manifest and tables; a stale CSV of a table now empty is removed."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST_FILE).write_bytes(render_toml(scenario.manifest).encode("utf-8"))
    written = set()
    for table, rows in tables_to_write(scenario):
        buffer = io.StringIO()
        writer = csv.writer(buffer)  # RFC 4180 line ends, as the golden scenarios
        writer.writerow(c.name for c in table.columns)
        writer.writerows([format_cell(value) for value in row] for row in rows)
        (folder / f"{table.name}.csv").write_bytes(buffer.getvalue().encode("utf-8"))
        written.add(table.name)
    for name in TABLES.keys() - written:
        # A leftover file would otherwise be read back as part of this scenario.
        (folder / f"{name}.csv").unlink(missing_ok=True)


def _read_csv(path: Path, problems: list[Problem]) -> RawTable | None:
    name = path.stem
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(Problem(name, None, None, str(error), "UTF-8 text"))
        return None
    header: tuple[str, ...] | None = None
    header_row = 1
    rows: list[tuple[int, tuple[str, ...]]] = []
    try:
        # The csv module yields one record per line unless a quoted cell spans lines, so
        # counting records from 1 gives the row numbers a spreadsheet shows.
        for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            cells = tuple(cell.strip() for cell in record)
            if not any(cells):
                continue
            if header is None:
                header, header_row = cells, number
            elif len(cells) != len(header):
                problems.append(
                    Problem(
                        name,
                        number,
                        None,
                        f"{len(cells)} cells",
                        f"{len(header)} cells, as in the header",
                    )
                )
            else:
                rows.append((number, cells))
    except csv.Error as error:
        problems.append(Problem(name, None, None, str(error), "well-formed CSV"))
        return None
    if header is None:
        problems.append(Problem(name, 1, None, None, "a header row"))
        return None
    return RawTable(name, header_row, header, tuple(rows))


def _read_manifest(path: Path, problems: list[Problem]) -> dict[str, object] | None:
    if not path.is_file():
        problems.append(Problem(MANIFEST_TABLE, None, None, None, f"a manifest {MANIFEST_FILE}"))
        return None
    try:
        return flatten_toml(tomllib.loads(path.read_bytes().decode("utf-8-sig")))
    except RecursionError:
        # tomllib and flatten_toml recurse once per level of nesting.
        problems.append(Problem(MANIFEST_TABLE, None, None, None, "TOML nested less deeply"))
    except ValueError as error:
        # Not only TOMLDecodeError and UnicodeDecodeError: int() refuses over 4,300 digits.
        problems.append(Problem(MANIFEST_TABLE, None, None, str(error), "valid TOML in UTF-8"))
    return None
