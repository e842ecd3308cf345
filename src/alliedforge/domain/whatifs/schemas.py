"""What goes in and out of the what-if service: a what-if file's text, the runs asked for,
and what-ifs and runs as read."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from alliedforge.domain.requirements.schemas import LabelIn
from alliedforge.planning.plan import Mode

# A what-if file is a page of text: far below this (characters).
MAX_TEXT = 200_000
# Samples of one risk run: the web default, and the most one run may ask for.
DEFAULT_SAMPLES = 20
MAX_SAMPLES = 200
# A risk run plans in this process (1) or in a local pool of up to one process per core.
MAX_WORKERS = os.cpu_count() or 1

Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    ),
]
Format = Literal["toml", "yaml"]
TimeLimit = Annotated[float, Field(ge=1, le=3600, description="Seconds each plan may take.")]


class WhatIfCreate(BaseModel):
    """A what-if file's text (TOML or YAML, docs/whatif.md); `code` names it in addresses
    (default: made from its name)."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]
    format: Format = "toml"
    code: Code | None = None
    label: LabelIn = LabelIn()


class WhatIfRead(BaseModel):
    """A stored what-if: its changes as the file gave them (each with its `kind`)."""

    id: int
    code: str
    name: str
    description: str
    changes: list[dict[str, Any]]
    created_by: str | None
    created_at: datetime
    version: int
    label: dict[str, Any]


class WhatIfRunCreate(BaseModel):
    """Plan the live record as it is and with the what-if's changes, and compare."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode = Mode.JOINT
    time_limit: TimeLimit = 60.0


class RiskRunCreate(BaseModel):
    """A Monte Carlo of random disruptions of the live record (the documented default
    disruption model): `samples` plans, drawn reproducibly from `seed`, solved in this
    server's process (`workers` 1) or in a local pool of `workers` processes."""

    model_config = ConfigDict(extra="forbid")

    samples: Annotated[int, Field(ge=1, le=MAX_SAMPLES)] = DEFAULT_SAMPLES
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    mode: Mode = Mode.JOINT
    time_limit: TimeLimit = 60.0
    workers: Annotated[int, Field(ge=1, le=MAX_WORKERS)] = 1


class ProgressRead(BaseModel):
    """Plans solved of those the run needs."""

    done: int
    total: int


class AnalysisRunRead(BaseModel):
    """An analysis run: what was asked, how far it is, and once it succeeded its result
    (the engine's `to_dict()`: a comparison of cases, or a risk result); `result` is left
    out of lists."""

    id: int
    kind: str
    whatif: str | None
    parameters: dict[str, Any]
    status: str
    progress: ProgressRead
    result: dict[str, Any] | None
    error: str | None
    scenario_hash: str | None
    created_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    label: dict[str, Any]
