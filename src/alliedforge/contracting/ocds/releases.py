"""OCDS 1.1.5 releases of one contracting process: one release per stage it has reached.

A release is a view of the process as it stands now, limited to its stage: the
planning release holds `planning`, the tender release `tender`, the award release
`awards`, the contract release `contracts` and the implementation release each
contract's `implementation` (deliveries as milestones, paid deliveries as
transactions). Every release also names the buyers, the procuring entity and the
framework a call-off draws on, so each one can be read alone.

A release is dated by the event that opened its stage (planning approved, tender
published, latest award, latest signature, latest delivery; the export's
`published` time when unknown) and never earlier than the release before it, so
date order is stage order. Its id carries a digest of its content: a stage that
changes gets a new release id, as OCDS asks of a changed release.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from alliedforge.contracting.ocds.model import (
    Award,
    Contract,
    ContractingProcess,
    Delivery,
    DeliveryStatus,
    Item,
    Money,
    Party,
    Period,
)

JSON = dict[str, Any]

TECHNIQUES_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_techniques_extension/master/extension.json"
)
# UN/CEFACT C62 is "one": AlliedForge counts items in units.
UNIT = {"scheme": "UNCEFACT", "id": "C62", "name": "unit"}
PAID = (DeliveryStatus.MET, DeliveryStatus.PARTIALLY_MET)


class Stage(StrEnum):
    """A stage of a contracting process, named by the tag of its release; in stage order."""

    PLANNING = "planning"
    TENDER = "tender"
    AWARD = "award"
    CONTRACT = "contract"
    IMPLEMENTATION = "implementation"


STAGES = tuple(Stage)


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC (`…Z`), one format for every date so that dates sort as text."""
    return _aware(moment).astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def releases(process: ContractingProcess, published: datetime) -> list[JSON]:
    """The process's releases in date (and stage) order; none if it has reached no stage."""
    _check_parties(process)
    dated = _dated(_reached(process), published)
    reached = {stage for stage, _ in dated}
    built = []
    # OCDS has one `buyer`; several buyers appear only as parties with the role "buyer".
    buyer = _reference(process, process.buyers[0]) if len(process.buyers) == 1 else None
    for stage, moment in dated:
        body = _prune(
            {
                "ocid": process.ocid,
                "date": timestamp(moment),
                "tag": [stage.value],
                "initiationType": "tender",
                "parties": _parties(process, stage, reached),
                "buyer": buyer,
                "relatedProcesses": _framework_link(process),
                **_BLOCKS[stage](process),
            }
        )
        built.append({"ocid": process.ocid, "id": _release_id(process.ocid, stage, body), **body})
    return built


def _reached(process: ContractingProcess) -> list[tuple[Stage, datetime | None]]:
    """The stages the process has reached, each with the date of the event that opened it."""
    deliveries = [d for c in process.contracts for d in c.deliveries]
    reached: list[tuple[Stage, datetime | None]] = []
    if process.planning is not None:
        reached.append((Stage.PLANNING, process.planning.approved))
    if process.tender.published is not None:
        reached.append((Stage.TENDER, process.tender.published))
    if process.awards:
        reached.append((Stage.AWARD, _latest(a.date for a in process.awards)))
    if process.contracts:
        reached.append((Stage.CONTRACT, _latest(c.signed for c in process.contracts)))
    if deliveries:
        reached.append((Stage.IMPLEMENTATION, _latest(d.delivered for d in deliveries)))
    return reached


def _dated(
    reached: list[tuple[Stage, datetime | None]], published: datetime
) -> list[tuple[Stage, datetime]]:
    dated: list[tuple[Stage, datetime]] = []
    for stage, moment in reached:
        when = _aware(moment or published)
        if dated:
            when = max(when, dated[-1][1])
        dated.append((stage, when))
    return dated


def _latest(moments: Iterable[datetime | None]) -> datetime | None:
    known = [_aware(m) for m in moments if m is not None]
    return max(known, default=None)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment.isoformat()} has no timezone; OCDS dates must carry one")
    return moment


def _release_id(ocid: str, stage: Stage, body: JSON) -> str:
    content = {key: value for key, value in body.items() if key != "date"}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:12]
    return f"{ocid}-{stage.value}-{digest}"


def _references(process: ContractingProcess) -> Iterator[tuple[Stage, str, str]]:
    """Every (stage, role, party id) the process implies; planning ones appear in every release."""
    for buyer in process.buyers:
        yield Stage.PLANNING, "buyer", buyer
    if process.procuring_entity is not None:
        yield Stage.PLANNING, "procuringEntity", process.procuring_entity
    for bid in process.tender.bids:
        yield Stage.TENDER, "tenderer", bid.tenderer
    for award in process.awards:
        for supplier in award.suppliers:
            yield Stage.AWARD, "supplier", supplier
    for delivery in _paid(process):
        if delivery.payer is not None:
            yield Stage.IMPLEMENTATION, "payer", delivery.payer
        if delivery.payee is not None:
            yield Stage.IMPLEMENTATION, "payee", delivery.payee


def _check_parties(process: ContractingProcess) -> None:
    known = {party.id for party in process.parties}
    unknown = sorted({party for _, _, party in _references(process)} - known)
    if unknown:
        raise ValueError(f"{process.ocid}: parties {unknown} are referred to but not described")


def _parties(process: ContractingProcess, stage: Stage, reached: set[Stage]) -> list[JSON]:
    """The parties a release refers to, each with every role it has held up to that stage."""
    # OCDS replaces `roles` whole when merging, so each release lists them all so far.
    position = STAGES.index(stage)
    held_so_far = reached | {Stage.PLANNING}
    roles: dict[str, list[str]] = {}
    for origin, role, party in _references(process):
        if origin in held_so_far and STAGES.index(origin) <= position:
            held = roles.setdefault(party, [])
            if role not in held:
                held.append(role)
    here = {Stage.PLANNING, stage}
    shown = {party for origin, _, party in _references(process) if origin in here}
    return [_organisation(party, roles[party.id]) for party in process.parties if party.id in shown]


def _organisation(party: Party, roles: list[str]) -> JSON:
    identifier = (
        {"scheme": party.scheme, "id": party.code, "legalName": party.name}
        if party.scheme is not None and party.code is not None
        else None
    )
    return {"id": party.id, "name": party.name, "identifier": identifier, "roles": roles}


def _reference(process: ContractingProcess, party_id: str) -> JSON:
    party = next(party for party in process.parties if party.id == party_id)
    return {"id": party.id, "name": party.name}


def _framework_link(process: ContractingProcess) -> list[JSON] | None:
    if process.framework is None:
        return None
    return [
        {
            "id": "framework",
            "relationship": ["framework"],
            "scheme": "ocid",
            "identifier": process.framework,
        }
    ]


def _planning_block(process: ContractingProcess) -> JSON:
    planning = process.planning
    assert planning is not None  # only called for processes that reached planning
    codes = ", ".join(r.code for r in planning.requirements)
    return {
        "planning": {
            "rationale": f"Serves the requirements {codes}." if codes else None,
            "budget": {"amount": _money(planning.budget)} if planning.budget else None,
        },
        "tender": {"id": process.tender.id, "title": process.title},
    }


def _tender_block(process: ContractingProcess) -> JSON:
    tender = process.tender
    tenderers = list(dict.fromkeys(bid.tenderer for bid in tender.bids))
    return {
        "tender": {
            "id": tender.id,
            "title": process.title,
            "status": tender.status.value,
            "procuringEntity": _reference(process, process.procuring_entity)
            if process.procuring_entity is not None
            else None,
            "items": [_item(item) for item in tender.items],
            "value": _money(tender.value),
            "procurementMethod": tender.method.value,
            "awardCriteria": tender.criteria.value,
            "tenderPeriod": _period(tender.period),
            "numberOfTenderers": len(tenderers),
            "tenderers": [_reference(process, party) for party in tenderers],
            "techniques": {"hasFrameworkAgreement": True} if tender.framework_agreement else None,
        }
    }


def _award_block(process: ContractingProcess) -> JSON:
    return {"awards": [_award(process, award) for award in process.awards]}


def _award(process: ContractingProcess, award: Award) -> JSON:
    return {
        "id": award.id,
        "status": award.status.value,
        "date": _date(award.date),
        "value": _money(award.value),
        "suppliers": [_reference(process, supplier) for supplier in award.suppliers],
        "items": [_item(item) for item in award.items],
        "contractPeriod": _period(award.period),
    }


def _contract_block(process: ContractingProcess) -> JSON:
    return {"contracts": [_contract(contract) for contract in process.contracts]}


def _contract(contract: Contract) -> JSON:
    return {
        "id": contract.id,
        "awardID": contract.award,
        "status": contract.status.value,
        "period": _period(contract.period),
        "value": _money(contract.value),
        "dateSigned": _date(contract.signed),
    }


def _implementation_block(process: ContractingProcess) -> JSON:
    return {
        "contracts": [
            {
                "id": contract.id,
                "awardID": contract.award,
                "implementation": {
                    "milestones": [_milestone(d) for d in contract.deliveries],
                    "transactions": [
                        _transaction(process, d) for d in contract.deliveries if _is_paid(d)
                    ],
                },
            }
            for contract in process.contracts
            if contract.deliveries
        ]
    }


def _milestone(delivery: Delivery) -> JSON:
    met = delivery.status in PAID
    return {
        "id": delivery.id,
        "type": "delivery",
        "description": f"{delivery.quantity:g} units of item {delivery.item}",
        "dueDate": _date(delivery.due),
        "dateMet": _date(delivery.delivered) if met else None,
        "status": delivery.status.value,
    }


def _transaction(process: ContractingProcess, delivery: Delivery) -> JSON:
    return {
        "id": delivery.id,
        "date": _date(delivery.delivered),
        "value": _money(delivery.value),
        "payer": _reference(process, delivery.payer) if delivery.payer is not None else None,
        "payee": _reference(process, delivery.payee) if delivery.payee is not None else None,
    }


def _paid(process: ContractingProcess) -> Iterator[Delivery]:
    return (d for c in process.contracts for d in c.deliveries if _is_paid(d))


def _is_paid(delivery: Delivery) -> bool:
    """A delivery accepted in whole or in part earns its value: that payment is a transaction."""
    return delivery.status in PAID and delivery.value is not None and delivery.delivered is not None


_BLOCKS = {
    Stage.PLANNING: _planning_block,
    Stage.TENDER: _tender_block,
    Stage.AWARD: _award_block,
    Stage.CONTRACT: _contract_block,
    Stage.IMPLEMENTATION: _implementation_block,
}


def _item(item: Item) -> JSON:
    classification = item.classification
    return {
        "id": item.id,
        "description": item.description,
        "classification": None
        if classification is None
        else {
            "scheme": classification.scheme,
            "id": classification.id,
            "description": classification.description,
        },
        "quantity": item.quantity,
        "unit": {**UNIT, "value": _money(item.unit_price)},
    }


def _money(money: Money | None) -> JSON | None:
    return None if money is None else {"amount": money.amount, "currency": money.currency}


def _period(period: Period | None) -> JSON | None:
    if period is None:
        return None
    return {"startDate": _date(period.start), "endDate": _date(period.end)}


def _date(moment: datetime | None) -> str | None:
    return None if moment is None else timestamp(moment)


def _prune(value: Any) -> Any:
    """Drop nulls and empty objects or lists: OCDS merging reads null as "delete this field"."""
    if isinstance(value, dict):
        pruned = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in (None, {}, [])}
    if isinstance(value, list):
        kept = [_prune(item) for item in value]
        return [item for item in kept if item not in (None, {}, [])]
    return value
