"""The record's contracting processes as OCDS publishes them, for one audience.

A read model over the whole contracting record (`contracting_read`): one
`ContractingProcess` per tender — the framework awarded from it continues it as its first
stage, under the same ocid — one per framework agreed directly, and one per call-off,
linked to its framework. The processes then pass the OCDS library's releasability filter
with a `may_read` predicate made from the caller exactly as the services scope:

- staff (admin, planner, auditor) read every process; a nation the processes it is a
  buyer in; a supplier those it bid in, won, or holds the framework or call-off of;
- a nation reads its own party, the agency and the suppliers, never another nation; a
  supplier reads the nations and the agency, never another supplier; a bid is read by
  staff and by its own supplier only;
- every record passes its security label too: one above the caller's clearance, or not
  releasable to their nationality, is left out with everything that hangs on it.

Quantities and values follow the lot lines the audience sees: staff all, a nation its own,
a supplier every line of a tendered lot but not the requirements they serve.
"""

from __future__ import annotations

import calendar
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from alliedforge.contracting.ocds import (
    JSON,
    Award,
    AwardCriteria,
    AwardStatus,
    Bid,
    Classification,
    Contract,
    ContractingProcess,
    ContractStatus,
    Delivery,
    DeliveryStatus,
    Item,
    Money,
    Party,
    Period,
    Planning,
    ProcurementMethod,
    Readable,
    Requirement,
    Tender,
    TenderStatus,
    ocid,
    record_package,
    releasable,
    release_package,
    releases,
)
from alliedforge.contracting.ocds.identifiers import PREFIX
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import Label
from alliedforge.domain.catalogue.models import Item as ItemRow
from alliedforge.domain.industry.models import Supplier
from alliedforge.domain.procurement import models as rows
from alliedforge.domain.procurement.contracting_read import (
    ContractingRecord,
    LotLine,
    process_id,
    read_contracting,
)
from alliedforge.domain.procurement.models import OCID_PREFIX
from alliedforge.scenario.nsn import format_nsn
from alliedforge.store.base import Record

PREFIX_SETTING = "ALLIEDFORGE_OCDS_PREFIX"
PUBLISHER = "Alliance procurement agency"
AGENCY = Party("agency", PUBLISHER)

TENDER_STATUS = {
    rows.TenderStatus.PUBLISHED: TenderStatus.ACTIVE,
    rows.TenderStatus.CLOSED: TenderStatus.ACTIVE,
    rows.TenderStatus.AWARDED: TenderStatus.COMPLETE,
    rows.TenderStatus.CANCELLED: TenderStatus.CANCELLED,
}
CRITERIA = {
    rows.Method.LOWEST_PRICE: AwardCriteria.PRICE_ONLY,
    rows.Method.BEST_VALUE: AwardCriteria.RATED_CRITERIA,
}
DELIVERY_STATUS = {
    rows.DeliveryStatus.ACCEPTED: DeliveryStatus.MET,
    rows.DeliveryStatus.PARTIAL: DeliveryStatus.PARTIALLY_MET,
    rows.DeliveryStatus.REJECTED: DeliveryStatus.NOT_MET,
}
# Units still due below this share of a call-off are rounding noise, not a delivery.
TOLERANCE = 1e-9


def ocds_prefix(environ: Mapping[str, str] = os.environ) -> str:
    """The ocid prefix this deployment publishes under: `ALLIEDFORGE_OCDS_PREFIX`, else the
    placeholder `ocds-afrg01` (a real publisher registers its own)."""
    prefix = environ.get(PREFIX_SETTING, OCID_PREFIX).strip()
    if PREFIX.fullmatch(prefix) is None:
        raise ValueError(
            f"{PREFIX_SETTING}={prefix!r} is not an ocid prefix: 'ocds-' and six of [a-z0-9]"
        )
    return prefix


def nation_party(code: str) -> str:
    return f"nation-{code}"


def supplier_party(code: str) -> str:
    return f"supplier-{code}"


def export_processes(
    session: Session, caller: Caller, prefix: str
) -> tuple[ContractingProcess, ...]:
    """The contracting processes `caller` may read, trimmed to what they may read of each."""
    builder = _Builder(read_contracting(session), Audience(caller), prefix)
    return releasable(builder.processes(), builder.may_read)


def releases_of(
    session: Session, caller: Caller, prefix: str, published: datetime, uri: str
) -> JSON:
    """The release package of the caller's processes, to be served at `uri`;
    `EmptyExportError` when they may read none."""
    processes = export_processes(session, caller, prefix)
    every = [release for process in processes for release in releases(process, published)]
    return release_package(every, uri, published, PUBLISHER)


def records_of(
    session: Session, caller: Caller, prefix: str, published: datetime, uri: str
) -> JSON:
    """The record package of the caller's processes, releases embedded, to be served at
    `uri`; `EmptyExportError` when they may read none."""
    processes = export_processes(session, caller, prefix)
    return record_package(processes, uri, published, PUBLISHER)


@dataclass(frozen=True, slots=True)
class Audience:
    """Whom an export is for (see the module docstring)."""

    caller: Caller

    @property
    def staff(self) -> bool:
        return self.caller.is_staff or self.caller.unrestricted

    @property
    def nation(self) -> str | None:
        return nation_party(self.caller.nation or "") if self.caller.role is Role.NATION else None

    @property
    def supplier(self) -> str | None:
        role = self.caller.role
        return supplier_party(self.caller.supplier or "") if role is Role.SUPPLIER else None

    def reads(self, record: Record) -> bool:
        return self.caller.reads(Label.parse(record.classification, record.releasable_to))

    def counts(self, line: LotLine) -> bool:
        """Whether a lot line's units count in what this audience is shown."""
        return self.staff or self.supplier is not None or nation_party(line.nation) == self.nation

    def cites(self, line: LotLine) -> bool:
        """Whether the requirement a lot line serves may be named to this audience."""
        return self.staff or nation_party(line.nation) == self.nation

    def takes_part(self, process: ContractingProcess) -> bool:
        if self.staff:
            return True
        if self.nation is not None:
            return self.nation in process.buyers
        tenderers = {bid.tenderer for bid in process.tender.bids}
        winners = {supplier for award in process.awards for supplier in award.suppliers}
        return self.supplier in tenderers | winners

    def knows(self, party: Party) -> bool:
        if party.id.startswith("nation-"):
            return self.staff or self.supplier is not None or party.id == self.nation
        if party.id.startswith("supplier-"):
            return self.supplier is None or party.id == self.supplier
        return True


@dataclass
class _Builder:
    """Builds the processes for one audience and remembers the row each process, bid,
    award and party comes from, whose label `may_read` checks."""

    record: ContractingRecord
    audience: Audience
    prefix: str
    sources: dict[str, Record] = field(default_factory=dict)

    def may_read(self, thing: Readable) -> bool:
        audience = self.audience
        match thing:
            case ContractingProcess():
                return audience.reads(self.sources[thing.ocid]) and audience.takes_part(thing)
            case Party():
                row = self.sources.get(thing.id)
                return audience.knows(thing) and (row is None or audience.reads(row))
            case Bid():
                mine = audience.staff or thing.tenderer == audience.supplier
                return mine and audience.reads(self.sources[thing.id])
            case Award():
                return audience.reads(self.sources[thing.id])

    def processes(self) -> list[ContractingProcess]:
        record = self.record
        for nation in record.nations.values():
            self.sources[nation_party(nation.code)] = nation
        for supplier in record.suppliers.values():
            self.sources[supplier_party(supplier.code)] = supplier
        by_tender = {f.tender_id: f for f in record.frameworks if f.tender_id is not None}
        frameworks = {f.id: f for f in record.frameworks}
        return [
            *(self.tender(tender, by_tender.get(tender.id)) for tender in record.tenders),
            *(self.direct(f) for f in record.frameworks if f.tender_id is None),
            *(self.call_off(c, frameworks[c.framework_id]) for c in record.call_offs),
        ]

    def tender(self, tender: rows.Tender, framework: rows.Framework | None) -> ContractingProcess:
        record, audience = self.record, self.audience
        lot = record.lots[tender.lot_id]
        every = record.lines[lot.id]
        lines = [line for line in every if audience.counts(line)]
        value = Money(sum(line.quantity * line.unit_price for line in lines), record.currency)
        cited = tuple(
            dict.fromkeys(
                Requirement(record.requirements[line.requirement_id], nation_party(line.nation))
                for line in lines
                if line.requirement_id is not None and audience.cites(line)
            )
        )
        bids = record.bids[tender.id]
        self.sources |= {f"bid-{bid.id}": bid for bid in bids}
        items = self.lot_items(lines)
        identifier = self.rebased(tender.ocid)
        self.sources[identifier] = tender
        suppliers = [record.suppliers[bid.supplier_id] for bid in bids]
        awards: tuple[Award, ...] = ()
        if framework is not None:
            suppliers.append(record.suppliers[framework.supplier_id])
            awards = (self.agreement(framework, items, tender.awarded_at),)
        elif tender.status == rows.TenderStatus.AWARDED:
            winner = next(bid for bid in bids if bid.status == rows.BidStatus.AWARDED)
            award_id = f"award-{process_id(tender.ocid)}"
            self.sources[award_id] = tender
            awards = (
                Award(
                    award_id,
                    AwardStatus.ACTIVE,
                    (supplier_party(record.suppliers[winner.supplier_id].code),),
                    date=tender.awarded_at,
                    value=Money(winner.cost, record.currency),
                    items=items,
                ),
            )
        nations = dict.fromkeys(line.nation for line in every)
        return ContractingProcess(
            ocid=identifier,
            title=f"{lot.code}: {lot.family}",
            buyers=tuple(nation_party(code) for code in nations),
            parties=(
                AGENCY,
                *(Party(nation_party(code), record.nation_name(code)) for code in nations),
                *_suppliers(suppliers),
            ),
            procuring_entity=AGENCY.id,
            planning=Planning(lot.created_at, cited, value),
            tender=Tender(
                id=process_id(tender.ocid),
                status=TENDER_STATUS[rows.TenderStatus(tender.status)],
                method=ProcurementMethod.OPEN,
                criteria=CRITERIA[rows.Method(tender.method)],
                items=items,
                published=tender.published_at,
                period=Period(_start_of(tender.opens_on), _end_of(tender.closes_on)),
                value=value,
                bids=tuple(
                    Bid(f"bid-{bid.id}", supplier_party(record.suppliers[bid.supplier_id].code))
                    for bid in bids
                ),
                framework_agreement=framework is not None,
            ),
            awards=awards,
        )

    def direct(self, framework: rows.Framework) -> ContractingProcess:
        """A framework agreed directly: the first stage of its own process, no tender."""
        record = self.record
        identifier = self.rebased(framework.ocid)
        self.sources[identifier] = framework
        nations = [record.nations[n] for n in record.parties[framework.id]]
        covered = record.framework_items[framework.id]
        # The ceiling in units is one for all items: it is an item's quantity only if alone.
        items = (
            (_item(record.items[covered[0]], framework.ceiling_quantity),)
            if len(covered) == 1
            else ()
        )
        return ContractingProcess(
            ocid=identifier,
            title=f"Framework {framework.code}",
            buyers=tuple(nation_party(n.code) for n in nations),
            parties=(
                AGENCY,
                *(Party(nation_party(n.code), n.name) for n in nations),
                *_suppliers([record.suppliers[framework.supplier_id]]),
            ),
            procuring_entity=AGENCY.id,
            tender=Tender(
                id=framework.code,
                status=TenderStatus.COMPLETE,
                method=ProcurementMethod.DIRECT,
                criteria=AwardCriteria.PRICE_ONLY,
                framework_agreement=True,
            ),
            awards=(self.agreement(framework, items, framework.signed_at),),
        )

    def agreement(
        self, framework: rows.Framework, items: tuple[Item, ...], awarded: datetime | None
    ) -> Award:
        """The framework agreement as its first stage's award: the ceiling, the validity."""
        award_id = f"framework-{framework.code}"
        self.sources[award_id] = framework
        draft = framework.status == rows.FrameworkStatus.DRAFT
        return Award(
            award_id,
            AwardStatus.PENDING if draft else AwardStatus.ACTIVE,
            (supplier_party(self.record.suppliers[framework.supplier_id].code),),
            date=awarded,
            value=Money(framework.ceiling_value, framework.currency),
            items=items,
            period=Period(_start_of(framework.valid_from), _end_of(framework.valid_to)),
        )

    def call_off(self, call_off: rows.CallOff, framework: rows.Framework) -> ContractingProcess:
        record = self.record
        identifier = self.rebased(call_off.ocid)
        award_id = f"call-off-{call_off.code}"
        self.sources[identifier] = self.sources[award_id] = call_off
        nation = record.nations[call_off.nation_id]
        supplier = record.suppliers[framework.supplier_id]
        buyer = nation_party(nation.code)
        placed = call_off.status == rows.CallOffStatus.PLACED
        value = Money(call_off.value, framework.currency)
        ordered = _item(
            record.items[call_off.item_id],
            call_off.quantity,
            Money(call_off.unit_price, framework.currency),
        )
        requirement = record.requirements.get(call_off.requirement_id or 0)
        cited = () if requirement is None else (Requirement(requirement, buyer),)
        return ContractingProcess(
            ocid=identifier,
            title=f"Call-off {call_off.code} under framework {framework.code}",
            buyers=(buyer,),
            parties=(AGENCY, Party(buyer, nation.name), *_suppliers([supplier])),
            procuring_entity=AGENCY.id,
            planning=Planning(call_off.placed_at, cited, value),
            tender=Tender(
                id=call_off.code,
                status=TenderStatus.COMPLETE if placed else TenderStatus.CANCELLED,
                method=ProcurementMethod.LIMITED,
                criteria=AwardCriteria.PRICE_ONLY,
                items=(ordered,),
                published=call_off.placed_at,
                value=value,
            ),
            awards=(
                Award(
                    award_id,
                    AwardStatus.ACTIVE if placed else AwardStatus.CANCELLED,
                    (supplier_party(supplier.code),),
                    date=call_off.placed_at,
                    value=value,
                    items=(ordered,),
                ),
            ),
            contracts=(
                Contract(
                    call_off.code,
                    award_id,
                    ContractStatus.ACTIVE if placed else ContractStatus.CANCELLED,
                    signed=call_off.placed_at,
                    period=Period(_start_of(_month_start(call_off.month)), _due(call_off.month)),
                    value=value,
                    deliveries=self.deliveries(
                        call_off, ordered, buyer, supplier_party(supplier.code)
                    ),
                ),
            ),
            framework=self.rebased(framework.ocid),
        )

    def deliveries(
        self, call_off: rows.CallOff, ordered: Item, buyer: str, seller: str
    ) -> tuple[Delivery, ...]:
        """The call-off's deliveries the audience may read, each paid for its accepted units
        at the call-off's price, and what remains due as a scheduled delivery."""
        made = self.record.deliveries[call_off.id]
        price = ordered.unit_price
        delivered = [
            Delivery(
                f"delivery-{d.id}",
                ordered.id,
                d.quantity,
                DELIVERY_STATUS[rows.DeliveryStatus(d.status)],
                due=_due(call_off.month),
                delivered=_start_of(d.delivered_on),
                value=None if price is None else Money(d.accepted * price.amount, price.currency),
                payer=buyer,
                payee=seller,
            )
            for d in made
            if self.audience.reads(d)
        ]
        # What is still due counts every accepted unit, readable or not: it is the
        # call-off's own state, as its remaining quantity is.
        remaining = call_off.quantity - sum(d.accepted for d in made)
        if (
            call_off.status == rows.CallOffStatus.PLACED
            and remaining > TOLERANCE * call_off.quantity
        ):
            due = Delivery(
                f"{call_off.code}-due",
                ordered.id,
                remaining,
                DeliveryStatus.SCHEDULED,
                due=_due(call_off.month),
            )
            delivered.append(due)
        return tuple(delivered)

    def lot_items(self, lines: Iterable[LotLine]) -> tuple[Item, ...]:
        units: dict[int, float] = defaultdict(float)
        for line in lines:
            units[line.item_id] += line.quantity
        return tuple(_item(self.record.items[item], quantity) for item, quantity in units.items())

    def rebased(self, stored: str) -> str:
        """A stored ocid under this deployment's prefix."""
        return ocid(self.prefix, process_id(stored))


def _item(row: ItemRow, quantity: float, price: Money | None = None) -> Item:
    classification = None if row.nsn is None else Classification("NSN", format_nsn(row.nsn))
    return Item(row.code, row.name, quantity, classification, price)


def _suppliers(found: Iterable[Supplier]) -> tuple[Party, ...]:
    unique = {supplier.code: supplier for supplier in found}
    return tuple(
        Party(supplier_party(code), supplier.name, scheme="NCAGE", code=code)
        for code, supplier in unique.items()
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), UTC)


def _month_start(month: str) -> date:
    return date.fromisoformat(f"{month}-01")


def _due(month: str) -> datetime:
    """The end of the month a call-off is due in."""
    year, number = int(month[:4]), int(month[5:7])
    return _end_of(date(year, number, calendar.monthrange(year, number)[1]))
