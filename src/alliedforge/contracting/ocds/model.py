"""A contracting process as the OCDS export needs it: frozen rows, independent of storage.

Organisations are referred to by party id (`Party.id`) everywhere; a party's OCDS
roles are not stored but follow from where it is referred to. Datetimes must carry
a timezone; money is `Money` (amount in `currency`); quantities are units.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TenderStatus(StrEnum):
    """OCDS `tenderStatus` (closed codelist)."""

    PLANNING = "planning"
    PLANNED = "planned"
    ACTIVE = "active"
    CANCELLED = "cancelled"
    UNSUCCESSFUL = "unsuccessful"
    COMPLETE = "complete"
    WITHDRAWN = "withdrawn"


class ProcurementMethod(StrEnum):
    """OCDS `method` (closed codelist)."""

    OPEN = "open"
    SELECTIVE = "selective"
    LIMITED = "limited"
    DIRECT = "direct"


class AwardCriteria(StrEnum):
    """How bids are evaluated: lowest price, or weighted best value (price, delivery, record)."""

    PRICE_ONLY = "priceOnly"
    RATED_CRITERIA = "ratedCriteria"


class AwardStatus(StrEnum):
    """OCDS `awardStatus` (closed codelist)."""

    PENDING = "pending"
    ACTIVE = "active"
    CANCELLED = "cancelled"
    UNSUCCESSFUL = "unsuccessful"


class ContractStatus(StrEnum):
    """OCDS `contractStatus` (closed codelist)."""

    PENDING = "pending"
    ACTIVE = "active"
    CANCELLED = "cancelled"
    TERMINATED = "terminated"


class DeliveryStatus(StrEnum):
    """A delivery as an OCDS milestone status: partial is `partiallyMet`, rejected `notMet`."""

    SCHEDULED = "scheduled"
    MET = "met"
    PARTIALLY_MET = "partiallyMet"
    NOT_MET = "notMet"


@dataclass(frozen=True, slots=True)
class Money:
    amount: float
    currency: str


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class Party:
    """An organisation: a nation, the agency or a supplier; `scheme`/`code` its legal identifier."""

    id: str
    name: str
    scheme: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Classification:
    """What an item is in a published scheme, e.g. scheme "NSN" and the 13-digit stock number."""

    scheme: str
    id: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """A line of goods, counted in units."""

    id: str
    description: str
    quantity: float
    classification: Classification | None = None
    unit_price: Money | None = None


@dataclass(frozen=True, slots=True)
class Requirement:
    """A nation's requirement that the process serves; `nation` is a party id."""

    code: str
    nation: str


@dataclass(frozen=True, slots=True)
class Planning:
    """Why the process exists: the requirements it serves, approved at `approved`."""

    approved: datetime
    requirements: tuple[Requirement, ...] = ()
    budget: Money | None = None


@dataclass(frozen=True, slots=True)
class Bid:
    id: str
    tenderer: str


@dataclass(frozen=True, slots=True)
class Tender:
    """The call for bids; `published` None while it has not been published."""

    id: str
    status: TenderStatus
    method: ProcurementMethod
    criteria: AwardCriteria
    items: tuple[Item, ...] = ()
    published: datetime | None = None
    period: Period | None = None
    value: Money | None = None
    bids: tuple[Bid, ...] = ()
    framework_agreement: bool = False


@dataclass(frozen=True, slots=True)
class Award:
    """An award; in a framework (first stage) the award is the framework agreement itself."""

    id: str
    status: AwardStatus
    suppliers: tuple[str, ...]
    date: datetime | None = None
    value: Money | None = None
    items: tuple[Item, ...] = ()
    period: Period | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """Units of one item delivered (or due) under a contract, and the payment they earn."""

    id: str
    item: str
    quantity: float
    status: DeliveryStatus
    due: datetime | None = None
    delivered: datetime | None = None
    value: Money | None = None
    payer: str | None = None
    payee: str | None = None


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    award: str
    status: ContractStatus
    signed: datetime | None = None
    period: Period | None = None
    value: Money | None = None
    deliveries: tuple[Delivery, ...] = ()


@dataclass(frozen=True, slots=True)
class ContractingProcess:
    """One OCDS contracting process: a joint procurement, a framework, or a call-off.

    `buyers` and `procuring_entity` are party ids; `parties` must hold every party
    referred to. A call-off names the ocid of its framework in `framework`.
    """

    ocid: str
    title: str
    buyers: tuple[str, ...]
    parties: tuple[Party, ...]
    tender: Tender
    procuring_entity: str | None = None
    planning: Planning | None = None
    awards: tuple[Award, ...] = ()
    contracts: tuple[Contract, ...] = ()
    framework: str | None = None
