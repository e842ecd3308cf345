"""Located problems of a what-if: which change, which field, what value, what is wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WhatIfProblem:
    """One problem: `where` is the change (`change[3]`, counted from 1, or `file:change[3]`),
    `field` the field of it (empty for the change or file as a whole)."""

    where: str
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        place = f"{self.where}.{self.field}" if self.field else self.where
        shown = f" = {self.value}" if self.value else ""
        return f"{place}{shown}: {self.message}"


class WhatIfError(ValueError):
    """Every problem found in a what-if, raised once after all were collected."""

    def __init__(self, problems: Iterable[WhatIfProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def shown(value: object) -> str:
    """A value as a problem quotes it: strings in double quotes, everything else as written."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)
