"""What goes in and out of the requirement service: create, update, read, filter."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from alliedforge.domain.requirements.models import RequirementStatus
from alliedforge.scenario.months import is_month
from alliedforge.store.base import CLASSIFICATIONS, DEFAULT_CLASSIFICATION


def _month(text: str) -> str:
    if not is_month(text):
        raise ValueError("expected a month YYYY-MM")
    return text


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


def _classification(text: str) -> str:
    if text not in CLASSIFICATIONS:
        raise ValueError("expected one of " + ", ".join(CLASSIFICATIONS))
    return text


Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Month = Annotated[str, AfterValidator(_month)]
Quantity = Annotated[float, Field(ge=0), AfterValidator(_finite)]
Priority = Annotated[int, Field(ge=1, le=5)]
Classification = Annotated[str, AfterValidator(_classification)]
NationCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=8)
]


class LabelIn(BaseModel):
    """A security label to put on a record: classification and releasability
    (`None`: releasable to all nations)."""

    model_config = ConfigDict(extra="forbid")

    classification: Classification = DEFAULT_CLASSIFICATION
    releasable_to: list[NationCode] | None = None


class RequirementCreate(BaseModel):
    """A new requirement; a nation user may leave out `nation` (their own)."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    nation: NationCode | None = None
    weapon_system: Code
    quantity: Quantity
    due: Month
    priority: Priority = 1
    label: LabelIn = LabelIn()


class RequirementUpdate(BaseModel):
    """Fields to change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    weapon_system: Code | None = None
    quantity: Quantity | None = None
    due: Month | None = None
    priority: Priority | None = None
    label: LabelIn | None = None


class RequirementRead(BaseModel):
    """A requirement as a caller sees it, with its workflow state and label."""

    id: int
    code: str
    nation: str
    weapon_system: str
    quantity: float
    due: str
    priority: int
    status: RequirementStatus
    reason: str | None
    created_by: str | None
    created_at: datetime
    updated_by: str | None
    updated_at: datetime
    version: int
    label: dict[str, Any]


class RequirementFilter(BaseModel):
    """List filters; every given one must match."""

    nation: NationCode | None = None
    weapon_system: Code | None = None
    status: RequirementStatus | None = None
    priority: Priority | None = None
    due_from: Month | None = None
    due_to: Month | None = None
