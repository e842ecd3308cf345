"""Framework contracts and call-offs: the framework workflow, every call-off rule (each a
clear error that changes nothing), tier prices by volume, the commitment a call-off makes
and the next plan honours, cancelling, and who sees what (both backends)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.audit.models import AuditEntry
from alliedforge.domain.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.procurement import call_offs, frameworks
from alliedforge.domain.procurement.models import CallOffStatus, FrameworkStatus
from alliedforge.domain.procurement.schemas import (
    CallOffCreate,
    CallOffFilter,
    FrameworkCreate,
    FrameworkFilter,
)
from alliedforge.domain.record import import_scenario, snapshot_scenario
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import check_scenario, load_scenario

from shared_data import GOLDEN

RESTRICTED = "NATO RESTRICTED"
TODAY = date(2027, 2, 1)
PAGE = PageRequest(500)
# Qualified on WS0 and WS2 from the start (tiny scenario).
ROUND = "1320-11-652-6876"
# Qualified on WS0 from 2027-06, on WS2 from the start.
LATE_ROUND = "1320-12-578-1794"
OTHER_ROUND = "1320-10-695-4190"
CEILING_QUANTITY, CEILING_VALUE = 3000.0, 30_000.0
N01_BUDGET = 20_000.0


@dataclass(frozen=True)
class World:
    """The tiny scenario plus active lines of S001X, a budget for N01, and a signed
    framework with S001X for N00 and N01."""

    framework_id: int
    nations: dict[str, int]
    suppliers: dict[str, int]
    stockpile_n00: int
    agency: Caller
    auditor: Caller

    def nation(self, code: str) -> Caller:
        return Caller(
            f"{code.lower()}-desk",
            Role.NATION,
            RESTRICTED,
            nationality=code,
            nation_id=self.nations[code],
            nation=code,
        )

    def supplier(self, code: str) -> Caller:
        return Caller(
            f"{code.lower()}-desk",
            Role.SUPPLIER,
            RESTRICTED,
            supplier_id=self.suppliers[code],
            supplier=code,
        )


def _framework(**fields: Any) -> FrameworkCreate:
    return FrameworkCreate.model_validate(
        {
            "code": "FW-1",
            "supplier": "S001X",
            "parties": ["N00", "N01"],
            "items": [
                {
                    "item": ROUND,
                    "tiers": [
                        {"min_quantity": 0, "unit_price": 20},
                        {"min_quantity": 1500, "unit_price": 15},
                    ],
                },
                {"item": LATE_ROUND, "tiers": [{"min_quantity": 0, "unit_price": 20}]},
            ],
            "valid_from": "2027-01-01",
            "valid_to": "2027-12-31",
            "ceiling_quantity": CEILING_QUANTITY,
            "ceiling_value": CEILING_VALUE,
            **fields,
        }
    )


@pytest.fixture
def world(session: Session) -> World:
    import_scenario(session, load_scenario(GOLDEN / "tiny"))
    nations = dict(session.execute(select(db.Nation.code, db.Nation.id)).all())
    suppliers = dict(session.execute(select(db.Supplier.code, db.Supplier.id)).all())
    items = {item.code: item.id for item in session.scalars(select(db.Item))}
    for code, item, capacity in (("L100", ROUND, 5000.0), ("L101", LATE_ROUND, 1000.0)):
        session.add(
            db.Line(
                code=code,
                supplier_id=suppliers["S001X"],
                item_id=items[item],
                capacity_per_month=capacity,
                state="active",
            )
        )
    session.add(
        db.Price(
            supplier_id=suppliers["S001X"], item_id=items[ROUND], min_quantity=0, unit_price=25
        )
    )
    session.add(db.Budget(nation_id=nations["N01"], year=2027, amount=N01_BUDGET))
    session.flush()
    agency = Caller("agency", Role.PLANNER, RESTRICTED, nationality="N00")
    made = frameworks.create_framework(session, agency, _framework())
    signed = frameworks.sign_framework(session, agency, made.id, made.version)
    stockpile = session.scalar(
        select(db.Stockpile.id).where(db.Stockpile.nation_id == nations["N00"])
    )
    assert stockpile is not None
    return World(
        framework_id=signed.id,
        nations=nations,
        suppliers=suppliers,
        stockpile_n00=stockpile,
        agency=agency,
        auditor=Caller("auditor", Role.AUDITOR, RESTRICTED, nationality="N01"),
    )


def _call_off(world: World, **fields: Any) -> CallOffCreate:
    defaults = {
        "framework_id": world.framework_id,
        "item": ROUND,
        "quantity": 500,
        "month": "2027-03",
        "stockpile": world.stockpile_n00,
    }
    return CallOffCreate.model_validate({**defaults, **fields})


def _counts(session: Session) -> tuple[int, int, int]:
    def count(model: type[Any]) -> int:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)

    return count(db.CallOff), count(db.Commitment), count(AuditEntry)


def test_a_call_off_becomes_a_commitment_the_next_plan_honours(
    session: Session, world: World
) -> None:
    desk = world.nation("N00")
    placed = call_offs.place_call_off(session, desk, _call_off(world), TODAY)
    assert (placed.status, placed.nation, placed.supplier, placed.line) == (
        CallOffStatus.PLACED,
        "N00",
        "S001X",
        "L100",
    )
    assert (placed.unit_price, placed.value, placed.placed_on) == (20, 500 * 20, TODAY)
    assert placed.ocid.endswith(placed.code)
    assert placed.framework_ocid == frameworks.get_framework(session, desk, world.framework_id).ocid
    commitment = session.get(db.Commitment, placed.commitment_id)
    assert commitment is not None
    assert (commitment.stockpile_id, commitment.month, commitment.quantity) == (
        world.stockpile_n00,
        "2027-03",
        500,
    )
    framework = frameworks.get_framework(session, desk, world.framework_id)
    assert (framework.remaining_quantity, framework.remaining_value) == (
        CEILING_QUANTITY - 500,
        CEILING_VALUE - 500 * 20,
    )
    scenario = snapshot_scenario(session)
    [contract] = [c for c in scenario.commitments if c.code == placed.code]
    assert (contract.line, contract.requirement) == ("L100", "stockpile:N00:WS0:2027-12")
    assert check_scenario(scenario) == []
    plan = solve_plan(scenario, PlanOptions(time_limit=60))
    honoured = [d for d in plan.deliveries if d.committed and d.line == "L100"]
    assert [(d.month, d.quantity, d.unit_price) for d in honoured] == [("2027-03", 500, 20)]


def test_the_unit_price_is_the_tier_the_framework_volume_reaches(
    session: Session, world: World
) -> None:
    first = call_offs.place_call_off(
        session, world.agency, _call_off(world, nation="N00", quantity=1000), TODAY
    )
    second = call_offs.place_call_off(
        session, world.agency, _call_off(world, nation="N00", quantity=600, month="2027-04"), TODAY
    )
    assert (first.unit_price, second.unit_price) == (20, 15)
    assert second.value == 600 * 15
    assert second.code != first.code


def _refused(world: World) -> list[tuple[str, Any, dict[str, Any], date, str, str]]:
    """(case, caller, call-off fields, date, field, message) of each rule."""
    n00, n01, agency = world.nation("N00"), world.nation("N01"), world.agency
    return [
        ("not yet valid", n00, {}, date(2026, 12, 31), "placed_on", "not valid yet"),
        ("expired", n00, {}, date(2028, 1, 1), "placed_on", "expired on 2027-12-31"),
        ("ceiling units", n00, {"quantity": 3001}, TODAY, "quantity", "3000 of 3000 units"),
        ("ceiling value", n00, {"quantity": 2500}, TODAY, "quantity", "37500 EUR exceeds"),
        ("item not in it", n00, {"item": OTHER_ROUND}, TODAY, "item", "not in framework FW-1"),
        ("not a party", agency, {"nation": "N02"}, TODAY, "nation", "not a party"),
        ("unknown nation", agency, {"nation": "N99"}, TODAY, "nation", "no such nation"),
        ("other supplier", n00, {"line": "L000"}, TODAY, "line", "the line is S000X's"),
        ("other item", n00, {"line": "L001"}, TODAY, "line", "does not make item"),
        (
            "line not active",
            n00,
            {"line": "L003", "item": LATE_ROUND},
            TODAY,
            "line",
            "the line is new",
        ),
        (
            "another nation's requirement",
            n00,
            {"stockpile": None, "requirement": "R000"},
            TODAY,
            "requirement",
            "N00 has no such requirement",
        ),
        (
            "nothing served",
            n00,
            {"stockpile": None},
            TODAY,
            "requirement",
            "name a requirement or a stockpile",
        ),
        (
            "not qualified",
            n01,
            {"stockpile": None, "requirement": "R006"},
            TODAY,
            "item",
            "not qualified",
        ),
        (
            "qualified later",
            n01,
            {"stockpile": None, "requirement": "R000", "item": LATE_ROUND, "month": "2027-05"},
            TODAY,
            "month",
            "from 2027-06",
        ),
        (
            "line capacity",
            n01,
            {
                "stockpile": None,
                "requirement": "R008",
                "item": LATE_ROUND,
                "quantity": 1200,
                "month": "2027-07",
            },
            TODAY,
            "quantity",
            "line L101 has 1000",
        ),
        (
            "requirement covered",
            n01,
            {"stockpile": None, "requirement": "R000", "quantity": 1001},
            TODAY,
            "quantity",
            "requirement R000 needs 1000 more",
        ),
        (
            "budget",
            n01,
            {"stockpile": None, "requirement": "R008", "quantity": 1100},
            TODAY,
            "quantity",
            "budget has left",
        ),
    ]


def test_each_rule_refuses_with_its_field_and_changes_nothing(
    session: Session, world: World
) -> None:
    before = _counts(session)
    remaining = frameworks.get_framework(session, world.agency, world.framework_id)
    for case, caller, fields, today, field, message in _refused(world):
        with pytest.raises(InvalidError, match=message) as refused:
            call_offs.place_call_off(session, caller, _call_off(world, **fields), today)
        assert refused.value.field == field, case
        assert _counts(session) == before, case
    after = frameworks.get_framework(session, world.agency, world.framework_id)
    assert after == remaining


def test_only_signed_frameworks_take_call_offs(session: Session, world: World) -> None:
    draft = frameworks.create_framework(session, world.agency, _framework(code="FW-DRAFT"))
    with pytest.raises(InvalidError, match="FW-DRAFT is draft") as refused:
        call_offs.place_call_off(
            session, world.nation("N00"), _call_off(world, framework_id=draft.id), TODAY
        )
    assert refused.value.field == "framework_id"
    framework = frameworks.get_framework(session, world.agency, world.framework_id)
    closed = frameworks.close_framework(session, world.agency, framework.id, framework.version)
    assert (closed.status, closed.closed_at is not None) == (FrameworkStatus.CLOSED, True)
    with pytest.raises(InvalidError, match="FW-1 is closed"):
        call_offs.place_call_off(session, world.nation("N00"), _call_off(world), TODAY)
    with pytest.raises(InvalidError, match="only a signed framework can be closed"):
        frameworks.close_framework(session, world.agency, closed.id, closed.version)
    with pytest.raises(InvalidError, match="only a draft framework can be signed"):
        frameworks.sign_framework(session, world.agency, closed.id, closed.version)
    with pytest.raises(ConflictError):
        frameworks.sign_framework(session, world.agency, draft.id, draft.version + 1)


def test_who_may_call_off(session: Session, world: World) -> None:
    with pytest.raises(ForbiddenError, match="N00 user calls off for N00 only"):
        call_offs.place_call_off(
            session, world.nation("N00"), _call_off(world, nation="N01"), TODAY
        )
    for caller in (world.supplier("S001X"), world.auditor):
        with pytest.raises(ForbiddenError):
            call_offs.place_call_off(session, caller, _call_off(world, nation="N00"), TODAY)
    # A nation that is no party does not see the framework at all.
    with pytest.raises(InvalidError, match="no such framework"):
        call_offs.place_call_off(session, world.nation("N02"), _call_off(world), TODAY)
    with pytest.raises(InvalidError, match="name the buyer nation"):
        call_offs.place_call_off(session, world.agency, _call_off(world), TODAY)


def test_cancelling_removes_the_commitment_and_frees_the_ceiling(
    session: Session, world: World
) -> None:
    desk = world.nation("N00")
    placed = call_offs.place_call_off(session, desk, _call_off(world), TODAY)
    with pytest.raises(ConflictError):
        call_offs.cancel_call_off(session, desk, placed.id, placed.version + 1)
    with pytest.raises(ForbiddenError):
        call_offs.cancel_call_off(session, world.supplier("S001X"), placed.id, placed.version)
    cancelled = call_offs.cancel_call_off(session, desk, placed.id, placed.version)
    assert (cancelled.status, cancelled.commitment_id) == (CallOffStatus.CANCELLED, None)
    assert cancelled.cancelled_at is not None
    assert session.get(db.Commitment, placed.commitment_id) is None
    assert all(c.code != placed.code for c in snapshot_scenario(session).commitments)
    framework = frameworks.get_framework(session, desk, world.framework_id)
    assert (framework.remaining_quantity, framework.called_off_value) == (CEILING_QUANTITY, 0)
    with pytest.raises(InvalidError, match="only a placed call-off can be cancelled"):
        call_offs.cancel_call_off(session, desk, placed.id, cancelled.version)


def test_who_sees_frameworks_and_call_offs(session: Session, world: World) -> None:
    placed = call_offs.place_call_off(session, world.nation("N00"), _call_off(world), TODAY)
    visible = {
        "N00": True,
        "N01": True,
        "N02": False,
    }
    for code, sees in visible.items():
        listed = frameworks.list_frameworks(session, world.nation(code), FrameworkFilter(), PAGE)
        assert [f.id for f in listed.items] == ([world.framework_id] if sees else []), code
    with pytest.raises(NotFoundError):
        frameworks.get_framework(session, world.nation("N02"), world.framework_id)
    assert frameworks.get_framework(
        session, world.supplier("S001X"), world.framework_id
    ).parties == [
        "N00",
        "N01",
    ]
    with pytest.raises(NotFoundError):
        frameworks.get_framework(session, world.supplier("S000X"), world.framework_id)
    # A call-off is its buyer's and its supplier's business, not the other parties'.
    for caller in (world.nation("N00"), world.supplier("S001X"), world.auditor, world.agency):
        assert call_offs.get_call_off(session, caller, placed.id).code == placed.code
        listed = call_offs.list_call_offs(session, caller, CallOffFilter(), PAGE)
        assert [c.id for c in listed.items] == [placed.id]
    for caller in (world.nation("N01"), world.supplier("S000X")):
        with pytest.raises(NotFoundError):
            call_offs.get_call_off(session, caller, placed.id)
        assert call_offs.list_call_offs(session, caller, CallOffFilter(), PAGE).items == []
    filtered = frameworks.list_frameworks(
        session, world.auditor, FrameworkFilter(nation="N02"), PAGE
    )
    assert filtered.items == []


def test_a_direct_framework_is_checked_and_made_by_the_agency_only(
    session: Session, world: World
) -> None:
    with pytest.raises(ForbiddenError):
        frameworks.create_framework(session, world.nation("N00"), _framework(code="FW-N"))
    with pytest.raises(InvalidError, match="a framework with this code or ocid exists"):
        frameworks.create_framework(session, world.agency, _framework())
    with pytest.raises(InvalidError, match="no such supplier"):
        frameworks.create_framework(session, world.agency, _framework(code="X", supplier="NONE"))
    with pytest.raises(InvalidError, match="no such nation"):
        frameworks.create_framework(session, world.agency, _framework(code="X", parties=["N99"]))
    twice = [{"item": ROUND, "tiers": [{"min_quantity": 0, "unit_price": 1}]}] * 2
    with pytest.raises(InvalidError, match="listed twice"):
        frameworks.create_framework(session, world.agency, _framework(code="X", items=twice))
    made = frameworks.create_framework(session, world.agency, _framework(code="FW-2"))
    assert (made.status, made.currency, made.tender_id) == (FrameworkStatus.DRAFT, "EUR", None)
    assert made.ocid.endswith("FW-2")
    assert [item.item for item in made.items] == [ROUND, LATE_ROUND]
    entries = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "framework").order_by(AuditEntry.id)
    ).all()
    assert entries == ["create", "sign", "create"]
