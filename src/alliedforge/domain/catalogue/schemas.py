"""What the catalogue service returns: weapon systems, items, qualifications, components."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints

from alliedforge.domain.catalogue.models import QualificationStatus

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


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
