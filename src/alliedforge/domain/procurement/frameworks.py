"""Framework contracts: made by the agency from an awarded tender or agreed directly, then
signed; call-offs draw on a signed framework until it is closed.

From a tender: the winning bid's supplier, the lot's nations as parties, the lot's items at
the winning tiers, a ceiling of the lot's units and the winning cost unless given; the
framework continues the tender's contracting process (same ocid). Workflow: draft →
signed → closed. Every read shows what the call-offs placed so far add up to and what
remains of the ceiling.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller
from alliedforge.domain.catalogue.service import (
    AGENCY,
    found,
    item_for,
    label_for,
    label_of,
    require_role,
)
from alliedforge.domain.demand.repository import nation_by_code
from alliedforge.domain.errors import ConflictError, InvalidError
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.domain.procurement import repository
from alliedforge.domain.procurement.models import (
    OCID_PREFIX,
    BidStatus,
    Framework,
    FrameworkItem,
    FrameworkParty,
    FrameworkStatus,
    TenderStatus,
)
from alliedforge.domain.procurement.schemas import (
    FrameworkCreate,
    FrameworkFilter,
    FrameworkFromTender,
    FrameworkItemRead,
    FrameworkRead,
    TierIn,
)
from alliedforge.domain.procurement.writes import add, apply, labelled, require_status
from alliedforge.domain.requirements.schemas import LabelIn
from alliedforge.domain.settings.models import SETTINGS_ID, ScenarioSettings
from alliedforge.store.base import utcnow

ENTITY = "framework"
DEFAULT_CURRENCY = "EUR"


def create_framework(session: Session, caller: Caller, data: FrameworkCreate) -> FrameworkRead:
    """A draft framework agreed directly with a supplier, by the agency."""
    require_role(caller, AGENCY, "frameworks")
    supplier_id = repository.supplier_id(session, caller, data.supplier)
    if supplier_id is None:
        raise InvalidError("supplier", data.supplier, "no such supplier")
    nation_ids = []
    for code in dict.fromkeys(data.parties):
        nation = nation_by_code(session, caller, code)
        if nation is None:
            raise InvalidError("parties", code, "no such nation")
        nation_ids.append(nation.id)
    items: dict[int, list[TierIn]] = {}
    for entry in data.items:
        item = item_for(session, caller, entry.item, "items")
        if item.id in items:
            raise InvalidError("items", entry.item, "the item is listed twice")
        items[item.id] = entry.tiers
    framework = Framework(
        code=data.code,
        ocid=f"{OCID_PREFIX}-{data.code}",
        supplier_id=supplier_id,
        tender_id=None,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        ceiling_quantity=data.ceiling_quantity,
        ceiling_value=data.ceiling_value,
        currency=data.currency or _currency(session),
    )
    _made(session, caller, framework, data.label, nation_ids, items)
    return get_framework(session, caller, framework.id)


def framework_from_tender(
    session: Session, caller: Caller, data: FrameworkFromTender
) -> FrameworkRead:
    """A draft framework from an awarded tender, by the agency (one per tender)."""
    require_role(caller, AGENCY, "frameworks")
    row = repository.find_tender(session, caller, data.tender_id, lock=True)
    if row is None:
        raise InvalidError("tender_id", data.tender_id, "no such tender")
    tender, lot = row
    if tender.status != TenderStatus.AWARDED:
        raise InvalidError("tender_id", tender.id, f"the tender is {tender.status}, not awarded")
    taken = repository.framework_of_tender(session, tender.id)
    if taken is not None:
        raise InvalidError("tender_id", tender.id, f"framework {taken} was made from it")
    winner, _supplier = repository.bids_of(session, tender.id, BidStatus.AWARDED)[0]
    tiers = [TierIn.model_construct(**tier) for tier in winner.tiers]
    needs = repository.lot_needs(session, lot.id)
    framework = Framework(
        code=data.code,
        ocid=tender.ocid,
        supplier_id=winner.supplier_id,
        tender_id=tender.id,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        ceiling_quantity=_given(data.ceiling_quantity, sum(units for _, units in needs)),
        ceiling_value=_given(data.ceiling_value, winner.cost),
        currency=_currency(session),
    )
    items = dict.fromkeys(repository.lot_items(session, lot.id), tiers)
    _made(session, caller, framework, data.label, repository.lot_nations(session, lot.id), items)
    return get_framework(session, caller, framework.id)


def _given(value: float | None, default: float) -> float:
    return default if value is None else value


def _currency(session: Session) -> str:
    settings = session.get(ScenarioSettings, SETTINGS_ID)
    return settings.currency if settings is not None else DEFAULT_CURRENCY


def _made(
    session: Session,
    caller: Caller,
    framework: Framework,
    label_in: LabelIn,
    nation_ids: list[int],
    items: dict[int, list[TierIn]],
) -> None:
    """Insert a draft framework with its parties and items, one label on all; audited."""
    if repository.framework_taken(session, framework.code, framework.ocid):
        raise InvalidError("code", framework.code, "a framework with this code or ocid exists")
    label = label_for(caller, label_in)
    framework.status = FrameworkStatus.DRAFT
    framework.created_by, framework.created_at = caller.name, utcnow()
    labelled(framework, label)
    prices = {item_id: [tier.model_dump() for tier in tiers] for item_id, tiers in items.items()}
    audited_prices = {str(item_id): tiers for item_id, tiers in prices.items()}
    add(session, caller, ENTITY, framework, parties=nation_ids, items=audited_prices)
    children: list[FrameworkParty | FrameworkItem] = [
        FrameworkParty(framework_id=framework.id, nation_id=nation_id) for nation_id in nation_ids
    ]
    children += [
        FrameworkItem(framework_id=framework.id, item_id=item_id, tiers=tiers)
        for item_id, tiers in prices.items()
    ]
    for child in children:
        labelled(child, label)
    session.add_all(children)
    session.flush()


def sign_framework(
    session: Session, caller: Caller, framework_id: int, expected_version: int
) -> FrameworkRead:
    """Draft → signed, by the agency: call-offs may be placed from now on."""
    framework = writable_framework(session, caller, framework_id, expected_version)
    require_status(ENTITY, framework.status, "signed", FrameworkStatus.DRAFT)
    changes = {"status": FrameworkStatus.SIGNED, "signed_at": utcnow()}
    apply(session, caller, ENTITY, framework, "sign", changes, expected_version)
    return get_framework(session, caller, framework_id)


def close_framework(
    session: Session, caller: Caller, framework_id: int, expected_version: int
) -> FrameworkRead:
    """Signed → closed, by the agency: no more call-offs (placed ones stand)."""
    framework = writable_framework(session, caller, framework_id, expected_version)
    require_status(ENTITY, framework.status, "closed", FrameworkStatus.SIGNED)
    changes = {"status": FrameworkStatus.CLOSED, "closed_at": utcnow()}
    apply(session, caller, ENTITY, framework, "close", changes, expected_version)
    return get_framework(session, caller, framework_id)


def writable_framework(
    session: Session, caller: Caller, framework_id: int, expected_version: int
) -> Framework:
    row = repository.find_framework(session, caller, framework_id, lock=True)
    framework: Framework = found(row, ENTITY, framework_id)[0]
    require_role(caller, AGENCY, "frameworks")
    if framework.version != expected_version:
        raise ConflictError(ENTITY, framework_id, expected_version, framework.version)
    return framework


def list_frameworks(
    session: Session, caller: Caller, filters: FrameworkFilter, page: PageRequest
) -> Page[FrameworkRead]:
    """One page of the frameworks the caller may see, in id order."""
    rows = repository.framework_rows(session, caller, filters, page)
    items = _read(session, rows[: page.limit])
    return Page(items, items[-1].id if len(rows) > page.limit else None)


def get_framework(session: Session, caller: Caller, framework_id: int) -> FrameworkRead:
    """A framework the caller may see, with what remains of its ceiling; else
    `NotFoundError`."""
    row = found(repository.find_framework(session, caller, framework_id), ENTITY, framework_id)
    return _read(session, [row])[0]


def _read(session: Session, rows: list[tuple[Framework, str]]) -> list[FrameworkRead]:
    ids = [framework.id for framework, _ in rows]
    parties = repository.parties(session, ids)
    items = repository.framework_items(session, ids)
    used = repository.called_off(session, ids)
    read: list[FrameworkRead] = []
    for framework, supplier in rows:
        quantity, value = used.get(framework.id, (0.0, 0.0))
        read.append(
            FrameworkRead(
                id=framework.id,
                code=framework.code,
                ocid=framework.ocid,
                supplier=supplier,
                tender_id=framework.tender_id,
                parties=parties.get(framework.id, []),
                items=[
                    FrameworkItemRead(
                        item=code, tiers=[TierIn.model_construct(**tier) for tier in row.tiers]
                    )
                    for row, code in items.get(framework.id, [])
                ],
                valid_from=framework.valid_from,
                valid_to=framework.valid_to,
                ceiling_quantity=framework.ceiling_quantity,
                ceiling_value=framework.ceiling_value,
                currency=framework.currency,
                called_off_quantity=quantity,
                called_off_value=value,
                remaining_quantity=framework.ceiling_quantity - quantity,
                remaining_value=framework.ceiling_value - value,
                status=FrameworkStatus(framework.status),
                created_by=framework.created_by,
                created_at=framework.created_at,
                signed_at=framework.signed_at,
                closed_at=framework.closed_at,
                version=framework.version,
                label=label_of(framework),
            )
        )
    return read
