"""The contracting record read once, whole: what the OCDS export and the acquisition
timelines are built from.

Read in the agency's database scope, past PostgreSQL's row-level wall: the readers that
use it (`ocds_export`, `timeline_read`) decide per caller, by scope and by label, what
of it exists for them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain.audit.models import AuditEntry
from alliedforge.domain.catalogue.models import Item
from alliedforge.domain.industry.models import Supplier
from alliedforge.domain.nations.models import Nation
from alliedforge.domain.procurement import models as rows
from alliedforge.domain.procurement.models import BidStatus
from alliedforge.domain.requirements.models import Requirement
from alliedforge.domain.requirements.service import ENTITY as REQUIREMENT
from alliedforge.domain.settings.models import SETTINGS_ID, ScenarioSettings
from alliedforge.store.scope import staff_scope

DEFAULT_CURRENCY = "EUR"
STORED_PREFIX = re.compile(r"^ocds-[a-z0-9]{6}-")
# A bid in these states took part in its tender; a withdrawn one did not.
TAKING_PART = (BidStatus.SUBMITTED, BidStatus.AWARDED, BidStatus.NOT_AWARDED)


@dataclass(frozen=True, slots=True)
class LotLine:
    """A nation's units of an item in a lot, and the requirement they serve (if any)."""

    lot_id: int
    nation: str
    item_id: int
    quantity: float
    unit_price: float
    requirement_id: int | None


@dataclass(frozen=True, slots=True)
class ContractingRecord:
    """Every lot, tender, bid taking part, framework, call-off and standing delivery, with
    the nations, suppliers, items and requirement codes they refer to (rows by id)."""

    currency: str
    nations: dict[int, Nation]
    suppliers: dict[int, Supplier]
    items: dict[int, Item]
    requirements: dict[int, str]
    lots: dict[int, rows.Lot]
    lines: dict[int, list[LotLine]]
    tenders: list[rows.Tender]
    bids: dict[int, list[rows.Bid]]
    frameworks: list[rows.Framework]
    parties: dict[int, list[int]]
    framework_items: dict[int, list[int]]
    call_offs: list[rows.CallOff]
    deliveries: dict[int, list[rows.Delivery]]

    def nation_name(self, code: str) -> str:
        return next(n.name for n in self.nations.values() if n.code == code)


def read_contracting(session: Session) -> ContractingRecord:
    """The whole contracting record, in id order (bids in submission order, deliveries by
    date)."""
    with staff_scope(session):
        settings = session.get(ScenarioSettings, SETTINGS_ID)
        nations = {n.id: n for n in session.scalars(select(Nation))}
        lines: dict[int, list[LotLine]] = defaultdict(list)
        for line in session.scalars(select(rows.LotLine).order_by(rows.LotLine.id)):
            lines[line.lot_id].append(
                LotLine(
                    line.lot_id,
                    nations[line.nation_id].code,
                    line.item_id,
                    line.quantity,
                    line.unit_price,
                    line.requirement_id,
                )
            )
        bids: dict[int, list[rows.Bid]] = defaultdict(list)
        taking_part = select(rows.Bid).where(rows.Bid.status.in_(TAKING_PART))
        for bid in session.scalars(taking_part.order_by(rows.Bid.submitted_at, rows.Bid.id)):
            bids[bid.tender_id].append(bid)
        parties: dict[int, list[int]] = defaultdict(list)
        for party in session.scalars(select(rows.FrameworkParty).order_by(rows.FrameworkParty.id)):
            parties[party.framework_id].append(party.nation_id)
        framework_items: dict[int, list[int]] = defaultdict(list)
        for entry in session.scalars(select(rows.FrameworkItem).order_by(rows.FrameworkItem.id)):
            framework_items[entry.framework_id].append(entry.item_id)
        # Voided deliveries are history, not deliveries.
        standing = select(rows.Delivery).where(rows.Delivery.voided_at.is_(None))
        deliveries: dict[int, list[rows.Delivery]] = defaultdict(list)
        for delivery in session.scalars(
            standing.order_by(rows.Delivery.delivered_on, rows.Delivery.id)
        ):
            deliveries[delivery.call_off_id].append(delivery)
        return ContractingRecord(
            currency=settings.currency if settings is not None else DEFAULT_CURRENCY,
            nations=nations,
            suppliers={s.id: s for s in session.scalars(select(Supplier))},
            items={i.id: i for i in session.scalars(select(Item))},
            requirements=dict(session.execute(select(Requirement.id, Requirement.code)).all()),
            lots={lot.id: lot for lot in session.scalars(select(rows.Lot))},
            lines=lines,
            tenders=list(session.scalars(select(rows.Tender).order_by(rows.Tender.id))),
            bids=bids,
            frameworks=list(session.scalars(select(rows.Framework).order_by(rows.Framework.id))),
            parties=parties,
            framework_items=framework_items,
            call_offs=list(session.scalars(select(rows.CallOff).order_by(rows.CallOff.id))),
            deliveries=deliveries,
        )


def process_id(stored_ocid: str) -> str:
    """A stored ocid without its publisher prefix (`ocds-` and six characters): the
    process's own id, e.g. `LOT-0002-T1`."""
    return STORED_PREFIX.sub("", stored_ocid, count=1)


def approvals(session: Session) -> dict[int, date]:
    """Per requirement, the day (UTC) of its earliest approval in the audit log."""
    query = (
        select(AuditEntry.entity_id, AuditEntry.at)
        .where(AuditEntry.entity == REQUIREMENT, AuditEntry.action == "approve")
        .order_by(AuditEntry.id)
    )
    earliest: dict[int, date] = {}
    with staff_scope(session):
        for requirement_id, at in session.execute(query):
            if requirement_id is not None and requirement_id not in earliest:
                earliest[requirement_id] = at.date()
    return earliest
