"""Requirements as rows of text — a form's fields or an uploaded spreadsheet's rows: read
a .csv or .xlsx upload, check every row, and locate each problem where the user sees it
(the spreadsheet's row number and column). Nothing here reads the database: the service's
own create does the writes, so scope, labels, audit and uniqueness apply as everywhere."""

from __future__ import annotations

import csv
import datetime
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, TypeVar

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel, ValidationError

from alliedforge.domain.errors import ForbiddenError, InvalidError
from alliedforge.domain.requirements.schemas import RequirementCreate, RequirementUpdate
from alliedforge.scenario.tables import format_number

FIELDS = (
    "code",
    "nation",
    "weapon_system",
    "quantity",
    "due",
    "priority",
    "classification",
    "releasable_to",
)
REQUIRED = ("code", "weapon_system", "quantity", "due")
UNCHANGEABLE = ("code", "nation")  # a requirement keeps its code and nation for life
SUFFIXES = (".xlsx", ".csv")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 1000
# A 5 MB .xlsx can unpack to gigabytes; a sheet of MAX_ROWS requirements needs far less.
MAX_UNPACKED = 50 * 1024 * 1024
# The part of a workbook read: a wild cell far to the right or a million rows down must
# not make every row wide or the sheet long (blank rows cost time to skip too).
MAX_COLUMNS = 32
LAST_ROW = 20 * MAX_ROWS
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What openpyxl raises for a file that is no workbook or a damaged one (SyntaxError: bad XML).
_BROKEN_WORKBOOK = (
    OSError,
    KeyError,
    ValueError,
    TypeError,
    SyntaxError,
    zipfile.BadZipFile,
    InvalidFileException,
)
_SEPARATORS = re.compile(r"[,;\s]+")
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class SheetError:
    """A problem where the user sees it: the spreadsheet's row number (1 is usually the
    header; None: the whole file), the column (None: the whole row), the value found."""

    row: int | None
    column: str | None
    value: str
    message: str


@dataclass(frozen=True)
class Sheet:
    """The text of a sheet: its header row and the rows below it that are not blank,
    each with its row number as the spreadsheet shows it."""

    header_row: int
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass(frozen=True)
class SheetRow:
    """A valid row: its row number and the requirement it asks for."""

    row: int
    requirement: RequirementCreate


@dataclass(frozen=True)
class Checked:
    """The rows of an upload if every one is valid, else every problem found."""

    rows: tuple[SheetRow, ...]
    errors: tuple[SheetError, ...]


# --- one requirement from text fields (a form, a row) ----------------------------------


def field_of(location: Sequence[str | int]) -> str:
    """The field a validation error location names (`label.releasable_to.0` →
    `releasable_to`); `form` for none of them."""
    parts = [str(part) for part in location if not isinstance(part, int)]
    if parts and parts[0] == "label":
        parts = parts[1:] or ["classification"]
    return parts[0] if parts and parts[0] in FIELDS else "form"


def payload_of(values: Mapping[str, str]) -> dict[str, Any]:
    """The create payload of text fields; a blank optional field takes its default."""
    releasable = [code for code in _SEPARATORS.split(values.get("releasable_to", "")) if code]
    label: dict[str, Any] = {"releasable_to": releasable or None}
    if values.get("classification", "").strip():
        label["classification"] = values["classification"].strip()
    payload: dict[str, Any] = {
        "code": values.get("code", ""),
        "weapon_system": values.get("weapon_system", ""),
        "quantity": values.get("quantity", "").strip(),
        "due": values.get("due", "").strip(),
        "priority": values.get("priority", "").strip() or "1",
        "label": label,
    }
    if values.get("nation", "").strip():
        payload["nation"] = values["nation"]
    return payload


def read_requirement(values: Mapping[str, str]) -> tuple[RequirementCreate | None, dict[str, str]]:
    """A new requirement from text fields, or the first problem of each field."""
    return _validated(RequirementCreate, payload_of(values), values)


def read_changes(values: Mapping[str, str]) -> tuple[RequirementUpdate | None, dict[str, str]]:
    """The changes to a requirement from text fields (all but its code and nation), or the
    first problem of each field."""
    payload = {k: v for k, v in payload_of(values).items() if k not in UNCHANGEABLE}
    return _validated(RequirementUpdate, payload, values)


def _validated(
    model: type[M], payload: dict[str, Any], values: Mapping[str, str]
) -> tuple[M | None, dict[str, str]]:
    try:
        return model.model_validate(payload), {}
    except ValidationError as invalid:
        errors: dict[str, str] = {}
        for problem in invalid.errors():
            field = field_of(problem["loc"])
            blank = field in REQUIRED and not values.get(field, "").strip()
            errors.setdefault(field, "required" if blank else _message(problem["msg"]))
        return None, errors


def _message(text: str) -> str:
    """pydantic's message without its `Value error, ` prefix (the user needs the rule)."""
    return text.removeprefix("Value error, ")


# --- reading an upload ------------------------------------------------------------------


def read_upload(filename: str, content: bytes | None) -> Sheet | list[SheetError]:
    """The first sheet of an uploaded .xlsx or .csv file, or why it cannot be read.
    `content` None: the file was larger than `MAX_BYTES` (the reader stopped there)."""
    megabytes = MAX_BYTES // (1024 * 1024)
    if content is None or len(content) > MAX_BYTES:
        return [_file_error(filename, f"the file is larger than {megabytes} MB; split it")]
    if not filename and not content:
        return [_file_error("", "choose a spreadsheet file to upload")]
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        return [_file_error(filename, "expected a spreadsheet: an .xlsx or .csv file")]
    if not content.strip():
        return [_file_error(filename, "the file is empty")]
    return read_xlsx(content) if suffix == ".xlsx" else read_csv(content)


def read_csv(content: bytes) -> Sheet | list[SheetError]:
    """A CSV file's rows: UTF-8 (with or without BOM), separated by commas, or by
    semicolons or tabs as spreadsheets save it in many locales."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [_file_error("", "expected UTF-8 text: save the sheet as 'CSV UTF-8'")]
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first_line.count)
    # One record per line unless a quoted cell spans lines, so counting records from 1
    # gives the row numbers a spreadsheet shows.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _sheet(enumerate(reader, start=1))
    except csv.Error as error:
        return [_file_error("", f"not a readable CSV file ({error})")]


def read_xlsx(content: bytes) -> Sheet | list[SheetError]:
    """The first worksheet of a workbook (its first `LAST_ROW` rows, as its dimension
    says). Cells are data: a formula is never evaluated (only the value the spreadsheet
    saved is read), and text such as `=1+1` stays text."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return [_file_error("", "not an .xlsx workbook (save it as 'Excel Workbook (.xlsx)')")]
    if unpacked > MAX_UNPACKED:
        return [_file_error("", "the workbook unpacks to more than a requirements sheet can")]
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it drops (data validation, conditional
        # formatting, ...); they carry no requirement data.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    return [_file_error("", "the workbook has no worksheet")]
                sheet = workbook.worksheets[0]
                if (sheet.max_row or 0) > LAST_ROW:
                    message = f"the sheet reaches row {sheet.max_row}; use its first {LAST_ROW}"
                    return [_file_error("", message)]
                cells = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=LAST_ROW)
                return _sheet((number, map(_cell_text, row)) for number, row in enumerate(cells, 1))
            finally:
                workbook.close()
        except _BROKEN_WORKBOOK as error:
            return [_file_error("", f"not a readable .xlsx workbook ({error})")]


def _sheet(numbered: Iterable[tuple[int, Iterable[str]]]) -> Sheet | list[SheetError]:
    """The header and the non-blank rows under it, trailing blank cells dropped; reading
    stops one row past `MAX_ROWS`."""
    header: tuple[int, tuple[str, ...]] | None = None
    rows: list[tuple[int, tuple[str, ...]]] = []
    for number, raw in numbered:
        cells = [cell.strip() for cell in raw]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if header is None:
            header = (number, tuple(cells))
            continue
        rows.append((number, tuple(cells)))
        if len(rows) > MAX_ROWS:
            message = f"more than {MAX_ROWS} requirement rows; split the file"
            return [_file_error("", message)]
    if header is None:
        return [_file_error("", "the sheet is empty: expected a header row and requirements")]
    return Sheet(header[0], header[1], tuple(rows))


def _cell_text(value: object) -> str:
    """A workbook cell as the text a user typed; a date (a due month Excel took for a
    date) as its month."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


def _file_error(filename: str, message: str) -> SheetError:
    return SheetError(None, None, filename, message)


# --- checking every row -----------------------------------------------------------------


def check_upload(filename: str, content: bytes | None, own_nation: str | None) -> Checked:
    """Every requirement of an uploaded file if all are valid, else every problem found.
    `own_nation`: the nation of a nation desk (their rows may leave `nation` blank and
    name no other); None for the agency, who names each row's nation."""
    sheet = read_upload(filename, content)
    if isinstance(sheet, list):
        return Checked((), tuple(sheet))
    return check_sheet(sheet, own_nation)


def check_sheet(sheet: Sheet, own_nation: str | None) -> Checked:
    """Every requirement of a sheet if all rows are valid, else every problem found."""
    columns, errors = _columns(sheet, own_nation)
    if errors:
        return Checked((), tuple(errors))
    if not sheet.rows:
        message = "no requirements below the header"
        return Checked((), (SheetError(sheet.header_row, None, "", message),))
    rows: list[SheetRow] = []
    first_row: dict[tuple[str, str], int] = {}
    for number, cells in sheet.rows:
        row_errors = _row_errors(number, columns, cells, own_nation)
        values = dict(zip(columns, cells, strict=False))
        requirement, problems = read_requirement(values)
        row_errors += [
            SheetError(number, None if field == "form" else field, values.get(field, ""), message)
            for field, message in problems.items()
        ]
        if requirement is not None:
            nation = requirement.nation or own_nation or ""
            seen = first_row.setdefault((nation, requirement.code), number)
            if seen != number:
                message = f"the code is already on row {seen}: codes are unique per nation"
                row_errors.append(SheetError(number, "code", requirement.code, message))
        errors += sorted(row_errors, key=lambda error: _column_order(error.column))
        if requirement is not None and not row_errors:
            rows.append(SheetRow(number, requirement))
    return Checked((), tuple(errors)) if errors else Checked(tuple(rows), ())


def _columns(sheet: Sheet, own_nation: str | None) -> tuple[tuple[str, ...], list[SheetError]]:
    """The field of each header cell (`Weapon system` names `weapon_system`), and every
    unknown, repeated or missing column."""
    columns = tuple(re.sub(r"[\s_-]+", "_", cell.strip().lower()) for cell in sheet.header)
    errors: list[SheetError] = []
    for cell, column in zip(sheet.header, columns, strict=True):
        if not column:
            errors.append(SheetError(sheet.header_row, None, "", "a column without a name"))
        elif column not in FIELDS:
            expected = "unknown column; the template's columns are " + ", ".join(FIELDS)
            errors.append(SheetError(sheet.header_row, cell, cell, expected))
    repeated = sorted({column for column in columns if columns.count(column) > 1} & set(FIELDS))
    for column in repeated:
        errors.append(SheetError(sheet.header_row, column, column, "the column appears twice"))
    required = REQUIRED if own_nation else ("code", "nation", *REQUIRED[1:])
    for column in required:
        if column not in columns:
            message = "missing column" + (
                ": the agency names each row's nation" if column == "nation" else ""
            )
            errors.append(SheetError(sheet.header_row, column, "", message))
    return columns, errors


def _row_errors(
    number: int, columns: tuple[str, ...], cells: tuple[str, ...], own_nation: str | None
) -> list[SheetError]:
    """What the fields of one row cannot say: cells without a column, another nation."""
    errors = [
        SheetError(number, None, cell, "a value right of the last named column")
        for cell in cells[len(columns) :]
        if cell
    ]
    if own_nation is not None and "nation" in columns:
        nation = cells[columns.index("nation")] if columns.index("nation") < len(cells) else ""
        if nation and nation.upper() != own_nation:
            message = f"a {own_nation} desk records {own_nation} requirements only"
            errors.append(SheetError(number, "nation", nation, message))
    return errors


def _column_order(column: str | None) -> int:
    return FIELDS.index(column) if column in FIELDS else -1


# --- writing ----------------------------------------------------------------------------


def record_rows(
    rows: Sequence[SheetRow], create: Callable[[RequirementCreate], T]
) -> tuple[list[T], list[SheetError]]:
    """Create every row with `create` (the service's create: scope, labels, audit and
    uniqueness apply), each refusal a located error. With any error the caller rolls
    back the rows created, so that a file goes in whole or not at all."""
    created: list[T] = []
    errors: list[SheetError] = []
    for row in rows:
        try:
            created.append(create(row.requirement))
        except InvalidError as error:
            column = field_of(error.field.split("."))
            value = _shown(error.value)
            errors.append(
                SheetError(row.row, None if column == "form" else column, value, error.reason)
            )
        except ForbiddenError as error:
            errors.append(SheetError(row.row, None, "", str(error)))
    return created, errors


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def template_xlsx() -> bytes:
    """An empty requirements workbook: the header row, and a sheet that explains it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "requirements"
    sheet.append(list(FIELDS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 18
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("notes")
    for line in _NOTES:
        notes.append(line)
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_NOTES = (
    ("column", "what to write (only the first sheet is read)"),
    ("code", "your reference, unique for the nation, e.g. DEU-155-2027 (required)"),
    ("nation", "nation code, e.g. DEU; a nation desk may leave it blank (its own)"),
    ("weapon_system", "weapon system code from the catalogue, e.g. PZH2000 (required)"),
    ("quantity", "units required, a number of 0 or more (required)"),
    ("due", "due month as YYYY-MM (required)"),
    ("priority", "1 (highest) to 5; blank: 1"),
    ("classification", "NATO UNCLASSIFIED (blank), NATO RESTRICTED, NATO CONFIDENTIAL, ..."),
    ("releasable_to", "nation codes separated by commas; blank: releasable to all nations"),
    ("limits", f"at most {MAX_ROWS} rows and {MAX_BYTES // (1024 * 1024)} MB per file"),
)
