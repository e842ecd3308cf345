"""The workbook form of a scenario package: one sheet per table plus a `scenario` sheet."""

from __future__ import annotations

import datetime
import io
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.writer.excel import ExcelWriter

from alliedforge.scenario.manifest import manifest_entries
from alliedforge.scenario.model import Scenario
from alliedforge.scenario.problems import Problem
from alliedforge.scenario.tables import (
    MANIFEST_TABLE,
    TABLES,
    Kind,
    RawPackage,
    RawTable,
    format_number,
    tables_to_write,
)

MANIFEST_HEADER = ("key", "value")
# Fixed timestamps (document properties and zip entries) make the file a function of the scenario.
_DOCUMENT_TIME = datetime.datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_TEXT_KINDS = frozenset({Kind.TEXT, Kind.ITEM, Kind.MONTH, Kind.STATE})
# What openpyxl raises for a file that is no workbook or a damaged one (SyntaxError: bad XML;
# IndexError: a cell naming a shared string that is not there; TypeError: an attribute of
# the wrong kind), and what zipfile raises for damaged entries (zlib.error: bad deflate data;
# EOFError: a cut one; NotImplementedError: an unknown compression; RuntimeError: encrypted).
_BROKEN_WORKBOOK = (
    OSError,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    SyntaxError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    zipfile.BadZipFile,
    InvalidFileException,
)


def read_workbook(path: Path) -> RawPackage:
    """Read every table sheet and the manifest sheet; cells become trimmed text."""
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    manifest: dict[str, object] | None = None
    manifest_rows: dict[str, int] = {}
    sheets: set[str] = set()
    unreadable: set[str] = set()
    with warnings.catch_warnings(), ExitStack() as stack:
        # openpyxl warns about workbook features it drops (data validation, conditional
        # formatting, ...); they carry no scenario data, so they are no concern of the reader.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
        try:
            # Opened here, not by openpyxl: on a damaged file it would leave the handle open.
            handle = stack.enter_context(path.open("rb"))
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            try:
                for sheet in workbook.worksheets:
                    sheets.add(sheet.title)
                    # The sheet's own claim of its size (`A1:XFD1048576`) would pad every
                    # row to 16,384 cells; the cells actually there decide instead.
                    sheet.reset_dimensions()
                    records = _records(sheet.iter_rows(values_only=True))
                    if sheet.title == MANIFEST_TABLE:
                        manifest = _read_manifest(records, manifest_rows, problems)
                    elif sheet.title in TABLES:
                        table = _read_table(sheet.title, records, problems)
                        if table is None:
                            unreadable.add(sheet.title)
                        else:
                            tables[table.name] = table
                    else:
                        expected = "a sheet named after a table"
                        problems.append(Problem(sheet.title, None, None, sheet.title, expected))
            finally:
                workbook.close()
        except _BROKEN_WORKBOOK as error:
            problem = Problem(path.name, None, None, str(error), "an .xlsx workbook")
            return RawPackage(None, {}, {}, [problem], frozenset(TABLES))
    if MANIFEST_TABLE not in sheets:
        expected = f"a sheet {MANIFEST_TABLE} with the manifest"
        problems.append(Problem(MANIFEST_TABLE, None, None, None, expected))
    return RawPackage(manifest, manifest_rows, tables, problems, frozenset(unreadable))


def write_workbook(scenario: Scenario, path: Path) -> None:
    """Write the manifest sheet and one sheet per table, byte for byte the same each time."""
    workbook = openpyxl.Workbook()
    manifest_sheet = workbook.active
    manifest_sheet.title = MANIFEST_TABLE
    entries = [
        (key, _cell_value(value, as_text=isinstance(value, str)))
        for key, value in manifest_entries(scenario.manifest)
    ]
    _write_rows(manifest_sheet, [MANIFEST_HEADER, *entries])
    for table, rows in tables_to_write(scenario):
        sheet = workbook.create_sheet(table.name)
        text_columns = [c.kind in _TEXT_KINDS for c in table.columns]
        cells = [
            tuple(
                _cell_value(value, as_text)
                for value, as_text in zip(row, text_columns, strict=True)
            )
            for row in rows
        ]
        _write_rows(sheet, [tuple(c.name for c in table.columns), *cells])
    workbook.properties.created = _DOCUMENT_TIME
    workbook.properties.modified = _DOCUMENT_TIME
    buffer = io.BytesIO()
    # ExcelWriter rather than Workbook.save, which stamps the current time into the file.
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info))


def _cell_value(value: object, as_text: bool) -> object:
    """Numbers as numeric cells where Excel keeps them exact, everything else as text."""
    if value is None:
        return None
    if as_text or not isinstance(value, int | float):
        return str(value)
    # openpyxl writes numbers with 16 significant digits; a number that needs more goes
    # as text, which the reader turns back into the very same number.
    if isinstance(value, int):
        return value if abs(value) < 10**15 else str(value)
    if value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value if float(f"{value:.16g}") == value else repr(value)


def _write_rows(sheet: Any, rows: Sequence[Sequence[object]]) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                # Text stays text: "=..." would otherwise become a formula, "#N/A" an error.
                cell.data_type = "s"


def _records(rows: Iterable[tuple[object, ...]]) -> list[tuple[int, tuple[object, ...]]]:
    """Non-blank rows with their row numbers, trailing empty cells dropped."""
    records = []
    for number, row in enumerate(rows, start=1):
        cells = list(row)
        while cells and _cell_text(cells[-1]) == "":
            cells.pop()
        if cells:
            records.append((number, tuple(cells)))
    return records


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return str(value).strip()


def _read_table(
    name: str, records: list[tuple[int, tuple[object, ...]]], problems: list[Problem]
) -> RawTable | None:
    if not records:
        problems.append(Problem(name, 1, None, None, "a header row"))
        return None
    (header_row, header_cells), *body = records
    header = tuple(_cell_text(cell) for cell in header_cells)
    rows = []
    for number, cells in body:
        texts = tuple(_cell_text(cell) for cell in cells)
        if len(texts) > len(header):
            problems.append(
                Problem(
                    name,
                    number,
                    None,
                    f"{len(texts)} cells",
                    f"{len(header)} cells, as in the header",
                )
            )
        else:
            rows.append((number, texts + ("",) * (len(header) - len(texts))))
    return RawTable(name, header_row, header, tuple(rows))


def _read_manifest(
    records: list[tuple[int, tuple[object, ...]]],
    rows: dict[str, int],
    problems: list[Problem],
) -> dict[str, object] | None:
    """The manifest as `key -> value`; None (with a problem) without a key/value header."""
    if not records:
        problems.append(Problem(MANIFEST_TABLE, 1, None, None, "a header row key, value"))
        return None
    (header_row, header_cells), *body = records
    header = tuple(_cell_text(cell) for cell in header_cells)
    if header != MANIFEST_HEADER:
        problems.append(
            Problem(MANIFEST_TABLE, header_row, None, ", ".join(header), "the header key, value")
        )
        return None
    values: dict[str, object] = {}
    for number, cells in body:
        key = _cell_text(cells[0])
        if len(cells) > len(MANIFEST_HEADER):
            problems.append(Problem(MANIFEST_TABLE, number, None, f"{len(cells)} cells", "2 cells"))
        elif key in values:
            problems.append(
                Problem(
                    MANIFEST_TABLE, number, "key", key, f"each key once (first at row {rows[key]})"
                )
            )
        else:
            value = cells[1] if len(cells) > 1 else None
            values[key] = value.strip() if isinstance(value, str) else value
            rows[key] = number
    return values
