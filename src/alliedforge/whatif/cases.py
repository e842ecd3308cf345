"""Case folders on disk: a plan package with its scenario, and the folders `whatif run` writes.

A case folder is a plan package (planning/package.py) holding its scenario package in
`scenario/` (or `scenario.xlsx`) and, for a what-if that changed line availability,
`line_availability.csv` — outside the scenario package, since availability is no table of
the file format. A run folder holds `base/` and `whatif/` case folders and `whatif.toml`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import replace
from pathlib import Path

from alliedforge.planning.package import read_plan_package, write_plan_package
from alliedforge.planning.plan import Plan
from alliedforge.scenario.load import load_scenario, write_scenario
from alliedforge.scenario.model import LineAvailability, Scenario
from alliedforge.scenario.problems import ScenarioError
from alliedforge.whatif.compare import Case
from alliedforge.whatif.files import read_whatif, whatif_to_toml
from alliedforge.whatif.run import BASE, WHATIF, WhatIfRun

AVAILABILITY_FILE = "line_availability.csv"
AVAILABILITY_COLUMNS = ("line", "month", "factor")
WHATIF_FILE = "whatif.toml"
COMPARISON_FILE = "comparison.json"
REPORT_FILE = "report.html"


class CaseError(ValueError):
    """A folder that is no readable case or run; the message names the path and the cause."""


def write_case(folder: Path, scenario: Scenario, plan: Plan) -> Path:
    """Write the plan package, its scenario and its availability rows into `folder`."""
    write_plan_package(plan, folder)
    write_scenario(scenario, folder / "scenario")
    if scenario.availability:
        with (folder / AVAILABILITY_FILE).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(AVAILABILITY_COLUMNS)
            writer.writerows((a.line, a.month, repr(a.factor)) for a in scenario.availability)
    return folder


def write_run(folder: Path, run: WhatIfRun) -> None:
    """The run folder: `base/`, `whatif/` and `whatif.toml` (comparison and report apart)."""
    write_case(folder / BASE, run.base, run.base_plan)
    write_case(folder / WHATIF, run.scenario, run.plan)
    (folder / WHATIF_FILE).write_text(whatif_to_toml(run.whatif), encoding="utf-8")


def _availability(path: Path) -> tuple[LineAvailability, ...]:
    if not path.exists():
        return ()
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                factor = float(row["factor"])
                line, month = row["line"], row["month"]
            except (KeyError, TypeError, ValueError):
                raise CaseError(f"{path}:{number}: expected line, month and a factor") from None
            if not math.isfinite(factor) or factor < 0:
                raise CaseError(f"{path}:{number}: factor {factor} is not 0 or more")
            rows.append(LineAvailability(line, month, factor))
    return tuple(rows)


def _scenario_of(folder: Path) -> Scenario:
    for path in (folder / "scenario", folder / "scenario.xlsx"):
        if path.exists():
            try:
                scenario = load_scenario(path)
            except ScenarioError as error:
                raise CaseError(f"{path} is not a valid scenario ({error.problems[0]})") from None
            availability = _availability(folder / AVAILABILITY_FILE)
            lines = {line.code for line in scenario.lines}
            unknown = sorted({a.line for a in availability} - lines)
            if unknown:
                raise CaseError(f"{folder / AVAILABILITY_FILE} names unknown lines {unknown}")
            return replace(scenario, availability=availability)
    raise CaseError(f"{folder} has no scenario/ folder or scenario.xlsx beside its plan")


def read_case(folder: Path, name: str | None = None) -> Case:
    """The case in a plan package folder with its scenario; the plan must be of it."""
    if not (folder / "summary.json").is_file():
        raise CaseError(f"{folder} is no plan package (no summary.json)")
    try:
        plan = read_plan_package(folder)
    except (OSError, KeyError, ValueError) as error:
        raise CaseError(f"{folder} is no readable plan package ({error})") from None
    scenario = _scenario_of(folder)
    if plan.scenario_hash and plan.scenario_hash != scenario.content_hash():
        raise CaseError(f"{folder}: the plan was made for another scenario than the one beside it")
    return Case(name or folder.name, scenario, plan)


def read_cases(folder: Path, *, with_base: bool) -> list[Case]:
    """The cases of a `whatif run` folder (its base first, when `with_base`), or the one
    case of a plan package folder."""
    if not (folder / WHATIF_FILE).is_file():
        return [read_case(folder)]
    try:
        whatif = read_whatif(folder / WHATIF_FILE)
    except ValueError as error:
        raise CaseError(f"{folder / WHATIF_FILE}: {error}") from None
    changed = read_case(folder / WHATIF, whatif.name)
    cases = [Case(changed.name, changed.scenario, changed.plan, whatif)]
    if with_base:
        cases.insert(0, read_case(folder / BASE, BASE))
    return cases
