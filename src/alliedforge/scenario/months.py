"""Month arithmetic: `YYYY-MM` strings, month indices from the manifest start."""

from __future__ import annotations

import re

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> tuple[int, int]:
    """`"2027-03"` → `(2027, 3)`; raises ValueError for anything else."""
    match = _MONTH.match(text.strip())
    if match is None:
        raise ValueError(f"not a month YYYY-MM: {text!r}")
    return int(match.group(1)), int(match.group(2))


def is_month(text: str) -> bool:
    return _MONTH.match(text.strip()) is not None


def month_index(start: str, month: str) -> int:
    """Months from `start` to `month` (0 for the start itself, negative before it)."""
    y0, m0 = parse_month(start)
    y1, m1 = parse_month(month)
    return (y1 - y0) * 12 + (m1 - m0)


def month_at(start: str, index: int) -> str:
    """The `YYYY-MM` that lies `index` months after `start`."""
    y0, m0 = parse_month(start)
    total = y0 * 12 + (m0 - 1) + index
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def year_of(start: str, index: int) -> int:
    """Calendar year of month `index`."""
    y0, m0 = parse_month(start)
    return (y0 * 12 + (m0 - 1) + index) // 12
