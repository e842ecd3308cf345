"""What goes in and out of the catalogue service: weapon systems, items, qualifications,
components."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from alliedforge.domain.catalogue.models import QualificationStatus
from alliedforge.domain.requirements.schemas import Code, LabelIn, Month

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]


class WeaponSystemRead(BaseModel):
    """A platform that consumes items."""

    id: int
    code: str
    name: str
    calibre: str | None
    version: int
    label: dict[str, Any]


class ItemRead(BaseModel):
    """A procurable item; `code` is the NSN as `NNNN-NN-NNN-NNNN` (else the code as
    written) and `supply_class` its first four digits."""

    id: int
    code: str
    name: str
    supply_class: str | None
    family: str
    stanag: str | None
    version: int
    label: dict[str, Any]


class ItemFilter(BaseModel):
    """List filters; every given one must match."""

    family: Code | None = None


class QualificationRead(BaseModel):
    """Whether an item may be used by a weapon system, and from which month (YYYY-MM)."""

    id: int
    item: str
    weapon_system: str
    status: QualificationStatus
    month: str | None
    evidence: str | None
    version: int
    label: dict[str, Any]


class QualificationFilter(BaseModel):
    """List filters; every given one must match (`item`: NSN with or without dashes)."""

    item: Code | None = None
    weapon_system: Code | None = None
    status: QualificationStatus | None = None


class ComponentRead(BaseModel):
    """A shared input (energetics, fuzes, shell bodies …)."""

    id: int
    code: str
    name: str
    version: int
    label: dict[str, Any]


class WeaponSystemCreate(BaseModel):
    """A new weapon system; its code is its key and does not change."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    name: Name
    calibre: Code | None = None
    label: LabelIn = LabelIn()


class WeaponSystemUpdate(BaseModel):
    """Fields to change; absent fields stay as they are (`calibre: null` clears it)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    calibre: Code | None = None
    label: LabelIn | None = None


class ItemCreate(BaseModel):
    """A new item: `code` is its NSN (with or without dashes) or, failing one, another
    code as written; it is the item's key and does not change."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    name: Name
    family: Code
    stanag: Code | None = None
    label: LabelIn = LabelIn()


class ItemUpdate(BaseModel):
    """Fields to change; absent fields stay as they are (`stanag: null` clears it)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    family: Code | None = None
    stanag: Code | None = None
    label: LabelIn | None = None


class ComponentCreate(BaseModel):
    """A new shared component; its code is its key and does not change."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    name: Name
    label: LabelIn = LabelIn()


class ComponentUpdate(BaseModel):
    """Fields to change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    label: LabelIn | None = None


class QualificationCreate(BaseModel):
    """An item on a weapon system (`item`: NSN with or without dashes): `month` is when
    it is qualified (None: from the start) or expected to be; `evidence` the trials."""

    model_config = ConfigDict(extra="forbid")

    item: Code
    weapon_system: Code
    status: QualificationStatus = QualificationStatus.QUALIFIED
    month: Month | None = None
    evidence: Text | None = None
    label: LabelIn = LabelIn()


class QualificationUpdate(BaseModel):
    """Fields to change; absent fields stay as they are (`month`/`evidence: null` clear)."""

    model_config = ConfigDict(extra="forbid")

    status: QualificationStatus | None = None
    month: Month | None = None
    evidence: Text | None = None
    label: LabelIn | None = None
