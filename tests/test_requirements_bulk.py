"""Requirements from a spreadsheet, without a server: reading .csv and .xlsx uploads,
checking every row with located errors, the form fields, the template."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliedforge.domain.requirements import bulk
from alliedforge.domain.requirements.bulk import Checked, Sheet, SheetError

PROPERTY = settings(max_examples=60, deadline=None)
HEADER = ("code", "weapon_system", "quantity", "due", "priority")


def csv_bytes(rows: list[list[str]], delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows: dict[str, object], text: frozenset[str] = frozenset()) -> bytes:
    """A workbook with the given cells (`A1` → value); `text` cells are stored as text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for address, value in rows.items():
        sheet[address] = value
        if address in text:
            sheet[address].data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def located(checked: Checked) -> set[tuple[int | None, str | None]]:
    return {(error.row, error.column) for error in checked.errors}


# --- reading ------------------------------------------------------------------------------


def test_a_valid_csv_gives_one_requirement_per_row() -> None:
    content = csv_bytes(
        [list(HEADER), ["A-1", "WS0", "1200", "2027-09", "2"], ["A-2", "WS1", "5.5", "2028-01", ""]]
    )
    checked = bulk.check_upload("plan.csv", content, "N00")
    assert checked.errors == ()
    assert [row.row for row in checked.rows] == [2, 3]
    first, second = (row.requirement for row in checked.rows)
    assert (first.code, first.weapon_system, first.quantity, first.due, first.priority) == (
        "A-1",
        "WS0",
        1200.0,
        "2027-09",
        2,
    )
    assert (second.quantity, second.priority, second.nation) == (5.5, 1, None)
    assert second.label.classification == "NATO UNCLASSIFIED"


def test_semicolon_csv_with_bom_and_spreadsheet_style_headers() -> None:
    header = ["Code", "Weapon system", "Quantity", "Due", "Releasable to"]
    content = csv_bytes(
        [header, ["B-1", "WS0", "3", "2027-01", "N00, N01"]], delimiter=";", bom=True
    )
    checked = bulk.check_upload("plan.CSV", content, "N00")
    assert checked.errors == ()
    assert checked.rows[0].requirement.label.releasable_to == ["N00", "N01"]


def test_errors_are_located_at_the_row_numbers_the_spreadsheet_shows() -> None:
    content = csv_bytes(
        [
            [],
            list(HEADER),
            ["C-1", "WS0", "1", "2027-01", "1"],
            [],
            ["C-2", "WS0", "-4", "2027-13", "9"],
            ["", "WS0", "", "2027-01", ""],
        ]
    )
    checked = bulk.check_upload("plan.csv", content, "N00")
    assert checked.rows == ()  # one bad row: nothing to record
    assert located(checked) == {
        (5, "quantity"),
        (5, "due"),
        (5, "priority"),
        (6, "code"),
        (6, "quantity"),
    }
    by_place = {(error.row, error.column): error for error in checked.errors}
    assert by_place[5, "quantity"].value == "-4"
    assert by_place[5, "due"].message == "expected a month YYYY-MM"
    assert by_place[6, "code"].message == "required"
    # Within a row, errors follow the template's column order.
    assert [error.column for error in checked.errors if error.row == 5] == [
        "quantity",
        "due",
        "priority",
    ]


def test_cells_that_look_like_formulas_are_data() -> None:
    content = csv_bytes([list(HEADER), ["=HYPERLINK(1)", "WS0", "=2*3", "2027-01", "@SUM(A1)"]])
    checked = bulk.check_upload("plan.csv", content, "N00")
    assert located(checked) == {(2, "quantity"), (2, "priority")}
    values = {error.column: error.value for error in checked.errors}
    assert values == {"quantity": "=2*3", "priority": "@SUM(A1)"}
    fixed = csv_bytes([list(HEADER), ["=HYPERLINK(1)", "WS0", "+6", "2027-01", "1"]])
    (row,) = bulk.check_upload("plan.csv", fixed, "N00").rows
    assert row.requirement.code == "=HYPERLINK(1)"  # kept as typed, never evaluated


def test_xlsx_reads_the_first_sheet_with_its_row_numbers_and_never_evaluates() -> None:
    cells: dict[str, object] = {
        "A3": "code",
        "B3": "weapon_system",
        "C3": "quantity",
        "D3": "due",
        "A4": "=1+1",
        "B4": "WS0",
        "C4": 7,
        "D4": datetime.datetime(2027, 9, 1),  # Excel's reading of a typed 2027-09
        "A6": "D-2",
        "B6": "WS0",
        "C6": "=2*3",  # a formula without a saved value: no value, never 6
        "D6": "2027-10",
    }
    checked = bulk.check_upload("plan.xlsx", xlsx_bytes(cells, frozenset({"A4"})), "N00")
    assert [(error.row, error.column, error.message) for error in checked.errors] == [
        (6, "quantity", "required")
    ]
    cells["C6"] = 6
    (first, second) = bulk.check_upload(
        "plan.xlsx", xlsx_bytes(cells, frozenset({"A4"})), "N00"
    ).rows
    assert (first.row, first.requirement.code, first.requirement.due) == (4, "=1+1", "2027-09")
    assert (second.row, second.requirement.quantity) == (6, 6.0)


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("plan.txt", b"code\n", "expected a spreadsheet: an .xlsx or .csv file"),
        ("plan", b"code\n", "expected a spreadsheet: an .xlsx or .csv file"),
        ("plan.xls", b"code\n", "expected a spreadsheet: an .xlsx or .csv file"),
        ("", b"", "choose a spreadsheet file to upload"),
        ("plan.csv", b"  \n", "the file is empty"),
        ("plan.csv", "code\nÄ\n".encode("latin-1"), "expected UTF-8 text"),
        ("plan.csv", b"\n\n,,\n", "the sheet is empty"),
        ("plan.xlsx", b"PK\x03\x04 not really", "not an .xlsx workbook"),
        ("plan.xlsx", csv_bytes([list(HEADER)]), "not an .xlsx workbook"),
        ("plan.csv", None, "the file is larger than 5 MB"),
        ("plan.csv", b"x" * (bulk.MAX_BYTES + 1), "the file is larger than 5 MB"),
    ],
)
def test_unreadable_uploads_say_why(filename: str, content: bytes | None, message: str) -> None:
    checked = bulk.check_upload(filename, content, "N00")
    assert checked.rows == ()
    (error,) = checked.errors
    assert (error.row, error.column) == (None, None)
    assert error.message.startswith(message)


def test_a_workbook_that_unpacks_too_far_is_refused_before_reading() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (bulk.MAX_UNPACKED + 1))
    assert len(buffer.getvalue()) < bulk.MAX_BYTES  # small upload, huge content
    (error,) = bulk.check_upload("bomb.xlsx", buffer.getvalue(), "N00").errors
    assert "unpacks" in error.message


def test_a_sheet_reaching_far_down_is_refused_without_reading_every_row() -> None:
    cells: dict[str, object] = {"A1": "code", "B1": "weapon_system", "C1": "quantity"}
    near = xlsx_bytes(cells | {"D1": "due", f"A{bulk.LAST_ROW}": "L-1", f"B{bulk.LAST_ROW}": "WS0"})
    assert located(bulk.check_upload("x.xlsx", near, "N00")) == {
        (bulk.LAST_ROW, "quantity"),
        (bulk.LAST_ROW, "due"),
    }
    far = xlsx_bytes(cells | {"D1": "due", "A1048576": "L-2"})
    (error,) = bulk.check_upload("x.xlsx", far, "N00").errors
    assert error.message == f"the sheet reaches row 1048576; use its first {bulk.LAST_ROW}"


def test_more_rows_than_the_limit_are_refused() -> None:
    row = ["E", "WS0", "1", "2027-01", "1"]
    at_limit = [list(HEADER)] + [[f"E-{i}", *row[1:]] for i in range(bulk.MAX_ROWS)]
    assert len(bulk.check_upload("plan.csv", csv_bytes(at_limit), "N00").rows) == bulk.MAX_ROWS
    over = [*at_limit, ["E-last", *row[1:]]]
    (error,) = bulk.check_upload("plan.csv", csv_bytes(over), "N00").errors
    assert error.message == f"more than {bulk.MAX_ROWS} requirement rows; split the file"


# --- checking -----------------------------------------------------------------------------


def test_header_problems_are_reported_at_the_header_row() -> None:
    sheet = Sheet(2, ("code", "quantiy", "due", "Code", ""), ())
    errors = bulk.check_sheet(sheet, "N00").errors
    assert {(error.row, error.column, error.value) for error in errors} == {
        (2, "quantiy", "quantiy"),
        (2, None, ""),
        (2, "code", "code"),
        (2, "weapon_system", ""),
        (2, "quantity", ""),
    }
    assert {error.message for error in errors if error.column == "code"} == {
        "the column appears twice"
    }


def test_the_agency_must_name_each_rows_nation() -> None:
    sheet = Sheet(1, HEADER, ((2, ("F-1", "WS0", "1", "2027-01")),))
    (error,) = bulk.check_sheet(sheet, None).errors
    assert (error.row, error.column) == (1, "nation")
    with_nation = Sheet(1, ("nation", *HEADER), ((2, ("n01", "F-1", "WS0", "1", "2027-01")),))
    (row,) = bulk.check_sheet(with_nation, None).rows
    assert row.requirement.nation == "N01"


def test_a_nation_desk_names_only_its_own_nation() -> None:
    header = ("nation", *HEADER)
    rows = ((2, ("N00", "G-1", "WS0", "1", "2027-01")), (3, ("N01", "G-2", "WS0", "1", "2027-01")))
    (error,) = bulk.check_sheet(Sheet(1, header, rows), "N00").errors
    assert (error.row, error.column, error.value) == (3, "nation", "N01")
    assert error.message == "a N00 desk records N00 requirements only"


def test_a_code_twice_for_one_nation_is_an_error_at_the_second_row() -> None:
    header = ("nation", *HEADER)
    rows = (
        (2, ("N00", "H-1", "WS0", "1", "2027-01")),
        (3, ("N01", "H-1", "WS0", "1", "2027-01")),  # another nation: its own code space
        (4, ("n00", " H-1 ", "WS0", "1", "2027-02")),
    )
    (error,) = bulk.check_sheet(Sheet(1, header, rows), None).errors
    assert (error.row, error.column, error.value) == (4, "code", "H-1")
    assert "row 2" in error.message


def test_a_value_right_of_the_named_columns_is_an_error() -> None:
    rows = ((2, ("I-1", "WS0", "1", "2027-01", "1", "stray")),)
    (error,) = bulk.check_sheet(Sheet(1, HEADER, rows), "N00").errors
    assert (error.row, error.column, error.value) == (2, None, "stray")


def test_a_header_without_rows_is_an_error() -> None:
    (error,) = bulk.check_sheet(Sheet(1, HEADER, ()), "N00").errors
    assert error.message == "no requirements below the header"


# --- form fields ----------------------------------------------------------------------------


def test_form_fields_map_label_errors_to_their_fields() -> None:
    values = dict.fromkeys(bulk.FIELDS, "") | {
        "code": "J-1",
        "weapon_system": "WS0",
        "quantity": "1",
        "due": "2027-01",
        "classification": "TOP SECRET-ISH",
        "releasable_to": "N00, X",
    }
    data, errors = bulk.read_requirement(values)
    assert data is None
    assert set(errors) == {"classification", "releasable_to"}


def test_changes_leave_out_code_and_nation() -> None:
    values = dict.fromkeys(bulk.FIELDS, "") | {
        "code": "",
        "nation": "??",
        "weapon_system": "WS1",
        "quantity": "8",
        "due": "2029-12",
    }
    changes, errors = bulk.read_changes(values)
    assert errors == {}
    assert changes is not None
    assert (changes.weapon_system, changes.quantity, changes.due) == ("WS1", 8.0, "2029-12")
    blank, problems = bulk.read_changes(values | {"quantity": " "})
    assert blank is None
    assert problems == {"quantity": "required"}


# --- the template ---------------------------------------------------------------------------


def test_the_template_has_the_header_and_reads_back_filled_in() -> None:
    template = bulk.template_xlsx()
    sheet = bulk.read_upload("template.xlsx", template)
    assert isinstance(sheet, Sheet)
    assert sheet.header == bulk.FIELDS
    assert sheet.rows == ()
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    workbook.worksheets[0].append(["K-1", "", "WS0", 4, "2027-05", 3, "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (row,) = bulk.check_upload("filled.xlsx", buffer.getvalue(), "N00").rows
    assert (row.row, row.requirement.code, row.requirement.priority) == (2, "K-1", 3)


# --- properties -----------------------------------------------------------------------------

cell_text = st.one_of(
    st.sampled_from(["", "WS0", "N00", "N01", "1", "-1", "2027-09", "2027-13", "=1+1", "@x"]),
    st.text(max_size=12),
)
column_names = st.one_of(st.sampled_from(bulk.FIELDS), st.text(max_size=8))


@st.composite
def sheets(draw: st.DrawFn) -> Sheet:
    header = tuple(draw(st.lists(column_names, min_size=1, max_size=9)))
    numbers = sorted(draw(st.sets(st.integers(2, 60), max_size=8)))
    width = st.integers(0, len(header) + 1)
    rows = tuple(
        (number, tuple(draw(st.lists(cell_text, min_size=1, max_size=draw(width) or 1))))
        for number in numbers
    )
    return Sheet(1, header, rows)


@PROPERTY
@given(sheets(), st.sampled_from([None, "N00"]))
def test_any_sheet_gives_valid_rows_or_located_errors(sheet: Sheet, own: str | None) -> None:
    checked = bulk.check_sheet(sheet, own)
    rows = {number for number, _cells in sheet.rows}
    if checked.errors:
        assert checked.rows == ()
        for error in checked.errors:
            assert isinstance(error, SheetError)
            assert error.row in rows | {sheet.header_row}
            assert error.column is None or error.column in bulk.FIELDS + sheet.header
            assert error.message
    else:
        assert [row.row for row in checked.rows] == [number for number, _cells in sheet.rows]
        assert rows  # a sheet without rows is an error


@PROPERTY
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xlsx"]))
def test_any_bytes_give_rows_or_errors_never_an_exception(content: bytes, name: str) -> None:
    checked = bulk.check_upload(name, content, "N00")
    assert bool(checked.rows) != bool(checked.errors)


requirement_rows = st.lists(
    st.tuples(
        st.from_regex(r"[A-Z][A-Z0-9-]{0,10}", fullmatch=True),
        st.sampled_from(["WS0", "WS1"]),
        st.integers(0, 10**6),
        st.integers(2025, 2040),
        st.integers(1, 12),
        st.integers(1, 5),
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda row: row[0],
)


@PROPERTY
@given(requirement_rows)
def test_csv_and_xlsx_of_the_same_rows_give_the_same_requirements(
    rows: list[tuple[str, str, int, int, int, int]],
) -> None:
    table = [[code, ws, str(qty), f"{y}-{m:02d}", str(p)] for code, ws, qty, y, m, p in rows]
    from_csv = bulk.check_upload("x.csv", csv_bytes([list(HEADER), *table]), "N00")
    workbook = openpyxl.Workbook()
    workbook.active.append(list(HEADER))
    for code, ws, qty, y, m, p in rows:
        workbook.active.append([code, ws, qty, datetime.date(y, m, 1), p])
    buffer = io.BytesIO()
    workbook.save(buffer)
    from_xlsx = bulk.check_upload("x.xlsx", buffer.getvalue(), "N00")
    assert from_csv.errors == from_xlsx.errors == ()
    assert from_csv.rows == from_xlsx.rows
    expected = [(code, ws, float(qty), f"{y}-{m:02d}", p) for code, ws, qty, y, m, p in rows]
    assert [
        (
            r.requirement.code,
            r.requirement.weapon_system,
            r.requirement.quantity,
            r.requirement.due,
            r.requirement.priority,
        )
        for r in from_csv.rows
    ] == expected
