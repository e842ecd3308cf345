"""PostgreSQL only: two call-offs at once cannot together exceed a framework's ceiling (as
the service role behind row-level security, two nation desks in two transactions); and
the row-level wall keeps frameworks and call-offs to their parties on its own."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller, Role, scope_settings
from alliedforge.domain.errors import InvalidError
from alliedforge.domain.procurement import call_offs, frameworks
from alliedforge.domain.procurement.models import CallOffStatus
from alliedforge.domain.procurement.schemas import CallOffCreate, FrameworkCreate
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import load_scenario
from alliedforge.store.engine import session_scope
from alliedforge.store.scope import bind_scope

from live_api import as_service, fresh_database
from shared_data import GOLDEN

ROUND = "1320-11-652-6876"  # qualified on WS0 from the start
CEILING = 1500.0
EACH = 800.0  # each call-off alone fits; the two together do not
TODAY = date(2027, 2, 1)
WAIT = 10.0


def _desk(session: Session, nation: str) -> Caller:
    nation_id = session.scalar(select(db.Nation.id).where(db.Nation.code == nation))
    return Caller(
        f"{nation.lower()}-desk",
        Role.NATION,
        "NATO RESTRICTED",
        nationality=nation,
        nation_id=nation_id,
        nation=nation,
    )


@pytest.fixture(scope="module")
def service_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, int]]:
    """The service role's engine over a fresh schema holding the tiny scenario, an active
    line of S001X, and a signed framework for N00 and N01 with a ceiling of 1,500 units."""
    folder: Path = tmp_path_factory.mktemp("race")
    with fresh_database("postgresql", folder) as url:
        owner = create_engine(url)
        with Session(owner) as session:
            import_scenario(session, load_scenario(GOLDEN / "tiny"))
            supplier = session.scalar(select(db.Supplier.id).where(db.Supplier.code == "S001X"))
            item = next(i for i in session.scalars(select(db.Item)) if i.code == ROUND)
            assert supplier is not None
            session.add(
                db.Line(
                    code="L100",
                    supplier_id=supplier,
                    item_id=item.id,
                    capacity_per_month=5000,
                    state="active",
                )
            )
            agency = Caller("agency", Role.PLANNER, "NATO RESTRICTED", nationality="N00")
            draft = frameworks.create_framework(
                session,
                agency,
                FrameworkCreate.model_validate(
                    {
                        "code": "FW-RACE",
                        "supplier": "S001X",
                        "parties": ["N00", "N01"],
                        "items": [
                            {"item": ROUND, "tiers": [{"min_quantity": 0, "unit_price": 20}]}
                        ],
                        "valid_from": "2027-01-01",
                        "valid_to": "2027-12-31",
                        "ceiling_quantity": CEILING,
                        "ceiling_value": 1e9,
                    }
                ),
            )
            frameworks.sign_framework(session, agency, draft.id, draft.version)
            session.commit()
        owner.dispose()
        engine = create_engine(as_service(url))
        yield engine, draft.id
        engine.dispose()


def test_two_simultaneous_call_offs_cannot_together_exceed_the_ceiling(
    service_engine: tuple[Engine, int],
) -> None:
    engine, framework_id = service_engine
    placed_first = threading.Event()
    release_first = threading.Event()
    outcomes: dict[str, object] = {}

    def call_off(nation: str, fields: dict[str, object], hold: bool) -> None:
        with session_scope(engine, write=True) as session:
            desk = _desk(session, nation)
            bind_scope(session, scope_settings(desk))
            data = CallOffCreate.model_validate(
                {"framework_id": framework_id, "item": ROUND, "quantity": EACH, **fields}
            )
            try:
                outcomes[nation] = call_offs.place_call_off(session, desk, data, TODAY)
            except InvalidError as error:
                outcomes[nation] = error
                return
            finally:
                placed_first.set()
            if hold:  # keep the transaction (and its lock) open until told
                release_first.wait(WAIT)
            session.commit()

    stockpile_n00 = _stockpile(engine)
    first = threading.Thread(
        target=call_off,
        args=("N00", {"stockpile": stockpile_n00, "month": "2027-05"}, True),
    )
    second = threading.Thread(
        target=call_off, args=("N01", {"requirement": "R008", "month": "2027-06"}, False)
    )
    first.start()
    assert placed_first.wait(WAIT)
    second.start()
    second.join(0.5)
    # The second waits for the framework row the first holds, before reading any sum.
    assert second.is_alive()
    release_first.set()
    first.join(WAIT)
    second.join(WAIT)
    assert not first.is_alive()
    assert not second.is_alive()
    assert not isinstance(outcomes["N00"], InvalidError)
    refused = outcomes["N01"]
    assert isinstance(refused, InvalidError)
    assert refused.field == "quantity"
    assert "exceeds the ceiling of framework FW-RACE: 700 of 1500 units remain" in str(refused)
    with session_scope(engine) as session:
        bind_scope(session, {"staff": "on"})
        placed = select(func.count(), func.sum(db.CallOff.quantity)).where(
            db.CallOff.status == CallOffStatus.PLACED
        )
        assert tuple(session.execute(placed).one()) == (1, EACH)
        assert session.scalar(select(func.count()).select_from(db.Commitment)) == 1


def _stockpile(engine: Engine) -> int:
    with session_scope(engine) as session:
        bind_scope(session, {"staff": "on"})
        query = (
            select(db.Stockpile.id)
            .join(db.Nation, db.Stockpile.nation_id == db.Nation.id)
            .where(db.Nation.code == "N00")
        )
        found = session.scalar(query)
    assert found is not None
    return found


def _count(engine: Engine, scope: dict[str, str], table: str) -> int:
    """Rows of `table` an unfiltered query sees in `scope`."""
    with session_scope(engine) as session:
        bind_scope(session, scope)
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_the_wall_keeps_frameworks_and_call_offs_to_their_parties(
    service_engine: tuple[Engine, int],
) -> None:
    engine, framework_id = service_engine
    stockpile = _stockpile(engine)
    with session_scope(engine, write=True) as session:
        bind_scope(session, {"staff": "on"})
        agency = Caller("agency", Role.PLANNER, "NATO RESTRICTED", nationality="N00")
        for nation, served in (("N01", {"requirement": "R002"}), ("N00", {"stockpile": stockpile})):
            data = CallOffCreate.model_validate(
                {
                    "framework_id": framework_id,
                    "nation": nation,
                    "item": ROUND,
                    "quantity": 1,
                    "month": "2027-10",
                    **served,
                }
            )
            call_offs.place_call_off(session, agency, data, TODAY)
        session.commit()
        ids = dict(session.execute(select(db.Nation.code, db.Nation.id)).all())
        ids |= dict(session.execute(select(db.Supplier.code, db.Supplier.id)).all())
    everything = _count(engine, {"staff": "on"}, "call_offs")
    n01 = {"nation_id": str(ids["N01"]), "nation": "N01"}
    n02 = {"nation_id": str(ids["N02"]), "nation": "N02"}
    s001 = {"supplier_id": str(ids["S001X"]), "supplier": "S001X"}
    s000 = {"supplier_id": str(ids["S000X"]), "supplier": "S000X"}
    with session_scope(engine) as session:
        bind_scope(session, {"staff": "on"})
        own = select(func.count()).where(db.CallOff.nation_id == ids["N01"])
        n01_call_offs = int(session.scalar(own) or 0)
    assert 0 < n01_call_offs < everything
    assert _count(engine, n01, "call_offs") == n01_call_offs
    assert _count(engine, n01, "frameworks") == 1
    assert (_count(engine, n02, "frameworks"), _count(engine, n02, "call_offs")) == (0, 0)
    assert _count(engine, s001, "call_offs") == everything
    assert (_count(engine, s000, "frameworks"), _count(engine, s000, "call_offs")) == (0, 0)
    assert _count(engine, s001, "bids") == _count(engine, n01, "bids") == 0
