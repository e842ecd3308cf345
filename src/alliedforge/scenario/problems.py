"""Located problems: what validation reports, one per offending cell or row."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a scenario package, located as precisely as possible.

    `row` is the 1-based row in the file or sheet (header = row 1); None when the
    problem concerns a whole table or the manifest.
    """

    table: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.table
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f" column {self.column}"
        shown = "" if self.value is None else f" {self.value!r}:"
        return f"{where}:{shown} expected {self.expected}"


class ScenarioError(Exception):
    """A scenario package that cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        head = "; ".join(str(p) for p in problems[:3])
        more = f" (and {count - 3} more)" if count > 3 else ""
        super().__init__(f"{count} problem(s) in scenario: {head}{more}")
