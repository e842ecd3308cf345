"""The disruption model of a risk run: stated distributions, defaults, and the file reader.

The defaults live in `alliedforge/data/risk/default.toml`, which documents each one; a
model file overrides any of its keys. Months are whole months, factors multiply,
probabilities are between 0 and 1.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, fields
from importlib.resources import files
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class LineOutageRisk:
    """Per line: outages start with `probability_per_year`, last triangular months."""

    probability_per_year: float
    months_min: int
    months_mode: int
    months_max: int


@dataclass(frozen=True, slots=True)
class LeadTimeRisk:
    """Per dormant or new line: with `probability`, lead time + uniform whole months."""

    probability: float
    months_min: int
    months_max: int


@dataclass(frozen=True, slots=True)
class DemandSurgeRisk:
    """Per nation: with `probability`, requirements from a uniform month × uniform factor."""

    probability: float
    factor_min: float
    factor_max: float


@dataclass(frozen=True, slots=True)
class ComponentShockRisk:
    """Per limited component: shocks start with `probability_per_year`; supply × a uniform
    factor for uniform whole months."""

    probability_per_year: float
    factor_min: float
    factor_max: float
    months_min: int
    months_max: int


@dataclass(frozen=True, slots=True)
class RiskModel:
    """Every disruption a risk sample may draw, one section each."""

    line_outage: LineOutageRisk
    lead_time: LeadTimeRisk
    demand_surge: DemandSurgeRisk
    component_shock: ComponentShockRisk


@dataclass(frozen=True, slots=True)
class RiskModelProblem:
    """One thing wrong in a model file: where (file and section), field, value, why."""

    where: str
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field} = {self.value}: {self.message}"


class RiskModelError(ValueError):
    """A model file that cannot be used; `problems` lists every fault found."""

    def __init__(self, problems: tuple[RiskModelProblem, ...]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


_SECTIONS: dict[str, type[Any]] = {
    "line_outage": LineOutageRisk,
    "lead_time": LeadTimeRisk,
    "demand_surge": DemandSurgeRisk,
    "component_shock": ComponentShockRisk,
}

DEFAULT_MODEL_FILE = "risk/default.toml"


def default_model_text() -> str:
    """The documented default model file, as shipped."""
    return files("alliedforge.data").joinpath(DEFAULT_MODEL_FILE).read_text(encoding="utf-8")


def default_model() -> RiskModel:
    return parse_model(default_model_text(), source="default.toml", defaults=None)


def read_model(path: Path) -> RiskModel:
    """The default model with every key `path` sets replaced."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = RiskModelProblem(str(path), "file", str(path), f"cannot be read: {error}")
        raise RiskModelError((problem,)) from None
    return parse_model(text, source=str(path), defaults=model_to_dict(default_model()))


def parse_model(text: str, source: str, defaults: dict[str, dict[str, float]] | None) -> RiskModel:
    """Parse a model file; with `defaults`, keys it leaves out keep their default."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RiskModelError((RiskModelProblem(source, "toml", "", str(error)),)) from None
    problems: list[RiskModelProblem] = []
    for name in data:
        if name not in _SECTIONS:
            known = ", ".join(_SECTIONS)
            message = f"unknown section (known: {known})"
            problems.append(RiskModelProblem(source, f"[{name}]", "", message))
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        raw = data.get(name, {})
        where = f"{source} [{name}]"
        if not isinstance(raw, dict):
            problems.append(RiskModelProblem(where, name, repr(raw), "must be a table"))
            continue
        merged = {**(defaults or {}).get(name, {}), **raw}
        section = _section(cls, merged, where, problems)
        if section is not None:
            sections[name] = section
    if problems:
        raise RiskModelError(tuple(problems))
    return RiskModel(**sections)


def _section(
    cls: type[Any], raw: dict[str, Any], where: str, problems: list[RiskModelProblem]
) -> Any:
    names = [f.name for f in fields(cls)]
    before = len(problems)
    for key in raw:
        if key not in names:
            message = f"unknown key (known: {', '.join(names)})"
            problems.append(RiskModelProblem(where, key, repr(raw[key]), message))
    values: dict[str, Any] = {}
    for name in names:
        if name not in raw:
            problems.append(RiskModelProblem(where, name, "", "missing"))
            continue
        value = raw[name]
        if _is_whole(name) and not (isinstance(value, int) and not isinstance(value, bool)):
            problems.append(RiskModelProblem(where, name, repr(value), "must be whole months"))
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(RiskModelProblem(where, name, repr(value), "must be a number"))
        elif not math.isfinite(value):
            problems.append(RiskModelProblem(where, name, repr(value), "must be finite"))
        else:
            values[name] = value
    _check_ranges(values, where, problems)
    return None if len(problems) > before else cls(**values)


def _is_whole(name: str) -> bool:
    return name.startswith("months")


def _check_ranges(values: dict[str, Any], where: str, problems: list[RiskModelProblem]) -> None:
    def fault(name: str, message: str) -> None:
        problems.append(RiskModelProblem(where, name, repr(values[name]), message))

    for name, value in values.items():
        if name.startswith("probability") and not 0 <= value <= 1:
            fault(name, "must be between 0 and 1")
        elif _is_whole(name) and value < 1:
            fault(name, "must be at least 1 month")
        elif name.startswith("factor") and value < 0:
            fault(name, "must be 0 or more")
    for low, high in (("months_min", "months_max"), ("factor_min", "factor_max")):
        if low in values and high in values and values[low] > values[high]:
            fault(low, f"must not exceed {high} ({values[high]!r})")
    triangle = ("months_min", "months_mode", "months_max")
    if all(k in values for k in triangle) and not (
        values["months_min"] <= values["months_mode"] <= values["months_max"]
    ):
        fault("months_mode", "must lie between months_min and months_max")


def model_to_dict(model: RiskModel) -> dict[str, dict[str, float]]:
    """The model as plain data (the shape of the file), for JSON and for merging."""
    return {
        name: {f.name: getattr(getattr(model, name), f.name) for f in fields(cls)}
        for name, cls in _SECTIONS.items()
    }


def model_from_dict(data: dict[str, dict[str, float]], source: str) -> RiskModel:
    """The inverse of `model_to_dict`, with the same checks as a file."""
    problems: list[RiskModelProblem] = []
    sections = {
        name: _section(cls, dict(data.get(name, {})), f"{source} [{name}]", problems)
        for name, cls in _SECTIONS.items()
    }
    if problems:
        raise RiskModelError(tuple(problems))
    return RiskModel(**sections)
