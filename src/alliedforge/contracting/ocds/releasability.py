"""Releasability: an export holds only what its audience may read.

OCDS has no confidentiality field, so the export passes the same filter as the
API, given as one plain predicate `may_read(thing)` over processes, parties, bids
and awards. What it refuses does not exist for the audience, and nothing that
would name it is kept:
- a process it may not read is dropped, and so is a process none of whose buyers
  it may read; a call-off keeps its link to a framework only if that framework,
  when among the processes, is kept;
- a party it may not read disappears, and with it every bid that party made,
  every award it shares in (with that award's contracts), every delivery it pays
  or is paid for, and every requirement of that nation the planning cites.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from alliedforge.contracting.ocds.model import Award, Bid, ContractingProcess, Delivery, Party

Readable = ContractingProcess | Party | Bid | Award


def releasable(
    processes: Iterable[ContractingProcess], may_read: Callable[[Readable], bool]
) -> tuple[ContractingProcess, ...]:
    """The processes, trimmed to what `may_read` allows."""
    offered = tuple(processes)
    kept = [
        trimmed
        for process in offered
        if may_read(process) and (trimmed := _trimmed(process, may_read)) is not None
    ]
    hidden = {p.ocid for p in offered} - {p.ocid for p in kept}
    return tuple(replace(p, framework=None) if p.framework in hidden else p for p in kept)


def _trimmed(
    process: ContractingProcess, may_read: Callable[[Readable], bool]
) -> ContractingProcess | None:
    parties = tuple(party for party in process.parties if may_read(party))
    visible = {party.id for party in parties}
    buyers = tuple(buyer for buyer in process.buyers if buyer in visible)
    if process.buyers and not buyers:
        return None
    planning = process.planning
    if planning is not None:
        cited = tuple(r for r in planning.requirements if r.nation in visible)
        planning = replace(planning, requirements=cited)
    tender = process.tender
    bids = tuple(bid for bid in tender.bids if may_read(bid) and bid.tenderer in visible)
    awards = tuple(
        award for award in process.awards if may_read(award) and visible.issuperset(award.suppliers)
    )
    awarded = {award.id for award in awards}
    contracts = tuple(
        replace(contract, deliveries=tuple(d for d in contract.deliveries if _between(d, visible)))
        for contract in process.contracts
        if contract.award in awarded
    )
    procuring_entity = process.procuring_entity if process.procuring_entity in visible else None
    return replace(
        process,
        parties=parties,
        buyers=buyers,
        procuring_entity=procuring_entity,
        planning=planning,
        tender=replace(tender, bids=bids),
        awards=awards,
        contracts=contracts,
    )


def _between(delivery: Delivery, visible: set[str]) -> bool:
    """Whether the delivery's payer and payee (where named) are both visible."""
    return visible.issuperset(p for p in (delivery.payer, delivery.payee) if p is not None)
