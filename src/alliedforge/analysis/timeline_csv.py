"""The CSV form of historical procurement timelines (docs/timelines.md), read with located errors.

One row per procurement: `procurement`, `nation`, `family`, then one `YYYY-MM-DD` column per
milestone, empty where the date is not (yet) known. Columns may come in any order.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from alliedforge.analysis.timelines import MILESTONES, Procurement
from alliedforge.scenario.problems import Problem

KEY_COLUMNS = ("procurement", "nation", "family")
COLUMNS: tuple[str, ...] = KEY_COLUMNS + tuple(m.value for m in MILESTONES)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class TimelineError(Exception):
    """A timelines file that cannot be read; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        head = "; ".join(str(p) for p in problems[:3])
        more = f" (and {count - 3} more)" if count > 3 else ""
        super().__init__(f"{count} problem(s) in timelines: {head}{more}")


def read_timelines(path: Path) -> tuple[Procurement, ...]:
    """Read a timelines CSV file; raise `TimelineError` with every problem, located."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TimelineError([Problem(path.name, None, None, str(error), "UTF-8 text")]) from None
    return parse_timelines(text, path.name)


def parse_timelines(text: str, source: str) -> tuple[Procurement, ...]:
    """Parse timelines CSV `text`; problems name `source` as their file."""
    problems: list[Problem] = []
    records: list[tuple[int, tuple[str, ...]]] = []
    try:
        # One record per line unless a quoted cell spans lines: numbers are spreadsheet rows.
        for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            cells = tuple(cell.strip() for cell in record)
            if any(cells):
                records.append((number, cells))
    except csv.Error as error:
        raise TimelineError([Problem(source, None, None, str(error), "well-formed CSV")]) from None
    if not records:
        raise TimelineError([Problem(source, 1, None, None, "a header row")])
    (header_row, header), rows = records[0], records[1:]
    position = _check_header(source, header_row, header, problems)
    if problems:
        raise TimelineError(problems)
    procurements = []
    first_row: dict[str, int] = {}
    for number, cells in rows:
        if len(cells) != len(header):
            expected = f"{len(header)} cells, as in the header"
            problems.append(Problem(source, number, None, f"{len(cells)} cells", expected))
            continue
        row = {column: cells[position[column]] for column in COLUMNS}
        found = _procurement(source, number, row, first_row, problems)
        if found is not None:
            procurements.append(found)
    if problems:
        raise TimelineError(problems)
    return tuple(procurements)


def render_timelines(procurements: Iterable[Procurement]) -> str:
    """The CSV text of `procurements` (RFC 4180 line ends), readable by `parse_timelines`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for p in procurements:
        dates = ["" if d is None else d.isoformat() for d in p.dates]
        writer.writerow([p.code, p.nation, p.family, *dates])
    return buffer.getvalue()


def _check_header(
    source: str, row: int, header: tuple[str, ...], problems: list[Problem]
) -> dict[str, int]:
    position: dict[str, int] = {}
    for k, name in enumerate(header):
        if name not in COLUMNS:
            problems.append(Problem(source, row, name, name, f"one of {', '.join(COLUMNS)}"))
        elif name in position:
            problems.append(Problem(source, row, name, name, "each column once"))
        else:
            position[name] = k
    for name in COLUMNS:
        if name not in position and not any(p.column == name for p in problems):
            problems.append(Problem(source, row, name, None, f"a column {name}"))
    return position


def _procurement(
    source: str,
    number: int,
    row: dict[str, str],
    first_row: dict[str, int],
    problems: list[Problem],
) -> Procurement | None:
    before = len(problems)
    for column in KEY_COLUMNS:
        if not row[column]:
            problems.append(Problem(source, number, column, None, f"a {column} code"))
    code = row["procurement"]
    if code in first_row:
        problems.append(
            Problem(
                source,
                number,
                "procurement",
                code,
                f"a code not used before (row {first_row[code]})",
            )
        )
    elif code:
        first_row[code] = number
    dates: list[date | None] = []
    latest: tuple[str, date] | None = None
    for milestone in MILESTONES:
        text = row[milestone.value]
        day = _date(text)
        if text and day is None:
            problems.append(Problem(source, number, milestone.value, text, "a date YYYY-MM-DD"))
        if day is not None and latest is not None and day < latest[1]:
            expected = f"a date on or after {latest[0]} ({latest[1].isoformat()})"
            problems.append(Problem(source, number, milestone.value, text, expected))
        if day is not None:
            latest = (milestone.value, day)
        dates.append(day)
    if len(problems) > before:
        return None
    return Procurement(code, row["nation"], row["family"], tuple(dates))


def _date(text: str) -> date | None:
    """The date `text` names, or None if it is empty or not a real `YYYY-MM-DD` date."""
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
