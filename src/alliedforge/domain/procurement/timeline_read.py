"""Acquisition timelines from the contracting record, and the historical file beside them.

One procurement per contracting process and buying nation: a joint tender bought for
several nations is one procurement per nation taking part (nations are what the
analysis compares), in the lot's item family; a framework agreed directly is one per
party nation and item family it covers. A cancelled tender is no procurement. Milestones:

- requirement approved: the earliest `approve` entry in the audit log of the
  requirements the nation's lot lines serve (a direct framework: those its call-offs
  serve);
- tender published, bids closed, awarded: the tender's own dates (none for a direct
  framework);
- contract signed: the framework's signature;
- first delivery: the earliest delivery with accepted units on the nation's placed
  call-offs under the framework;
- completed: the last of those deliveries, once every such call-off has all its units
  accepted.

Dates are days in UTC. A date later than one after it (a requirement approved again
after its tender was published) is left out, so that its stages are reported as skipped,
never negative. Who sees what: staff every procurement; a nation its own; a supplier
those of the frameworks it holds; each tender, framework and call-off also passes its
label. The historical file (`ALLIEDFORGE_TIMELINES_CSV`, else the demo's illustrative one) has
no supplier: staff read it whole, a nation its own rows, a supplier none.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib.resources import as_file, files
from pathlib import Path

from sqlalchemy.orm import Session

from alliedforge.analysis.timeline_csv import read_timelines
from alliedforge.analysis.timelines import Procurement, TimelineAnalysis, analyse_timelines
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import Label
from alliedforge.domain.procurement import models as rows
from alliedforge.domain.procurement.contracting_read import (
    ContractingRecord,
    approvals,
    process_id,
    read_contracting,
)
from alliedforge.store.base import Record

HISTORY_SETTING = "ALLIEDFORGE_TIMELINES_CSV"
DEMO_HISTORY = "timelines.csv"
# Accepted units may fall short of a call-off by rounding noise only.
TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Timelines:
    """The analysis of the caller's procurements: the record's, and the historical ones
    when asked for; `labels` are those of the records the record's come from."""

    record: tuple[Procurement, ...]
    history: tuple[Procurement, ...]
    analysis: TimelineAnalysis
    labels: tuple[Label, ...]

    @property
    def procurements(self) -> tuple[Procurement, ...]:
        return self.record + self.history


def timelines_for(session: Session, caller: Caller, history: bool) -> Timelines:
    """The timeline analysis of what the caller may see of the record (and of the
    historical file with `history`); `TimelineError` if that file is not valid."""
    record, sources = _from_record(session, caller)
    past = visible_history(caller, read_history()) if history else ()
    labels = tuple(dict.fromkeys(_label(row) for row in sources))
    return Timelines(record, past, analyse_timelines(record + past), labels)


def record_procurements(session: Session, caller: Caller) -> tuple[Procurement, ...]:
    """The procurements of the contracting record the caller may see, in process order."""
    return _from_record(session, caller)[0]


def _from_record(session: Session, caller: Caller) -> tuple[tuple[Procurement, ...], list[Record]]:
    """The caller's procurements, and the rows they were read from."""
    record = read_contracting(session)
    approved = approvals(session)
    by_tender = {f.tender_id: f for f in record.frameworks if f.tender_id is not None}
    found: list[Procurement] = []
    sources: list[Record] = []
    for tender in record.tenders:
        if tender.status == rows.TenderStatus.CANCELLED or not _reads(caller, tender):
            continue
        lot = record.lots[tender.lot_id]
        framework = by_tender.get(tender.id)
        if framework is not None and not _reads(caller, framework):
            framework = None
        for nation in dict.fromkeys(line.nation for line in record.lines[lot.id]):
            if not _sees(caller, nation, framework):
                continue
            served = (
                line.requirement_id
                for line in record.lines[lot.id]
                if line.nation == nation and line.requirement_id is not None
            )
            call_offs = _called_off(record, caller, framework, nation, lot.family)
            found.append(
                _procurement(
                    f"{process_id(tender.ocid)}/{nation}",
                    nation,
                    lot.family,
                    _earliest(approved, served),
                    (tender.published_at.date(), _day(tender.closed_at), _day(tender.awarded_at)),
                    framework,
                    call_offs,
                    record,
                )
            )
            sources += [tender, *([] if framework is None else [framework]), *call_offs]
    for framework in record.frameworks:
        if framework.tender_id is not None or not _reads(caller, framework):
            continue
        families = dict.fromkeys(
            record.items[item].family for item in record.framework_items[framework.id]
        )
        for nation_id in record.parties[framework.id]:
            nation = record.nations[nation_id].code
            if not _sees(caller, nation, framework):
                continue
            for family in families:
                call_offs = _called_off(record, caller, framework, nation, family)
                served = (c.requirement_id for c in call_offs if c.requirement_id is not None)
                found.append(
                    _procurement(
                        f"{process_id(framework.ocid)}/{nation}/{family}",
                        nation,
                        family,
                        _earliest(approved, served),
                        (None, None, None),
                        framework,
                        call_offs,
                        record,
                    )
                )
                sources += [framework, *call_offs]
    return tuple(found), sources


def _procurement(
    code: str,
    nation: str,
    family: str,
    approved: date | None,
    tendered: tuple[date | None, date | None, date | None],
    framework: rows.Framework | None,
    call_offs: list[rows.CallOff],
    record: ContractingRecord,
) -> Procurement:
    signed = None if framework is None else _day(framework.signed_at)
    first, completed = _delivered(record, call_offs)
    return Procurement(
        code, nation, family, _in_order((approved, *tendered, signed, first, completed))
    )


def _called_off(
    record: ContractingRecord,
    caller: Caller,
    framework: rows.Framework | None,
    nation: str,
    family: str,
) -> list[rows.CallOff]:
    """The nation's placed call-offs of items of `family` under the framework."""
    if framework is None:
        return []
    return [
        c
        for c in record.call_offs
        if c.framework_id == framework.id
        and c.status == rows.CallOffStatus.PLACED
        and record.nations[c.nation_id].code == nation
        and record.items[c.item_id].family == family
        and _reads(caller, c)
    ]


def _delivered(
    record: ContractingRecord, call_offs: list[rows.CallOff]
) -> tuple[date | None, date | None]:
    """The first delivery with accepted units, and the last one once every call-off has
    all its units accepted."""
    accepted = [d for c in call_offs for d in record.deliveries[c.id] if d.accepted > 0]
    if not accepted:
        return None, None
    complete = all(
        sum(d.accepted for d in record.deliveries[c.id]) >= c.quantity * (1 - TOLERANCE)
        for c in call_offs
    )
    days = [d.delivered_on for d in accepted]
    return min(days), max(days) if complete else None


def _in_order(dates: Sequence[date | None]) -> tuple[date | None, ...]:
    """The dates, each one later than a date after it left out."""
    kept: list[date | None] = []
    earliest: date | None = None
    for day in reversed(dates):
        if day is not None and earliest is not None and day > earliest:
            day = None
        kept.append(day)
        earliest = day if day is not None else earliest
    return tuple(reversed(kept))


def _earliest(approved: Mapping[int, date], requirements: Iterable[int]) -> date | None:
    return min((approved[r] for r in requirements if r in approved), default=None)


def _sees(caller: Caller, nation: str, framework: rows.Framework | None) -> bool:
    if caller.is_staff or caller.unrestricted:
        return True
    if caller.role is Role.NATION:
        return nation == caller.nation
    if caller.role is Role.SUPPLIER:
        return framework is not None and framework.supplier_id == caller.supplier_id
    return False


def _label(row: Record) -> Label:
    return Label.parse(row.classification, row.releasable_to)


def _reads(caller: Caller, row: Record) -> bool:
    return caller.reads(_label(row))


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.date()


# The historical file


def history_path(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The historical timelines file a deployment configured (`ALLIEDFORGE_TIMELINES_CSV`),
    or None for the demo's."""
    configured = environ.get(HISTORY_SETTING, "").strip()
    return Path(configured) if configured else None


def read_history(environ: Mapping[str, str] = os.environ) -> tuple[Procurement, ...]:
    """The historical procurements (`TimelineError` if the file is not valid)."""
    configured = history_path(environ)
    if configured is not None:
        return read_timelines(configured)
    with as_file(files("alliedforge.data").joinpath(DEMO_HISTORY)) as packaged:
        return read_timelines(packaged)


def visible_history(caller: Caller, procurements: Iterable[Procurement]) -> tuple[Procurement, ...]:
    """The historical procurements the caller may see: staff all, a nation its own."""
    if caller.is_staff or caller.unrestricted:
        return tuple(procurements)
    if caller.role is Role.NATION:
        return tuple(p for p in procurements if p.nation == caller.nation)
    return ()
