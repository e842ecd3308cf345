"""`forge lots|tenders|bids|frameworks|call-offs`, run in-process on a real record holding
the small golden scenario and a stored plan run: the whole chain from the plan to a call-off
and its commitment, and a refused call-off that changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alliedforge.cli.main import app
from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.plans import service as plans
from alliedforge.domain.procurement import lots
from alliedforge.domain.record import import_scenario
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.solve import solve_plan
from alliedforge.store.base import utcnow
from alliedforge.store.engine import DATABASE_URL_ENV, create_db_engine

from contracting_world import N01_ROUND, small
from live_api import Person, add_people, fresh_database
from web_site import BACKENDS

runner = CliRunner(env={"COLUMNS": "250"})
WINNING_PRICE, LOSING_PRICE = 4000, 4500
CALLED_OFF = 600


def _cells(output: str, first: str) -> list[str]:
    """The cells of the rich table row whose first cell is `first`."""
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃|]", line) if c.strip()]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{output}")


@pytest.fixture(params=BACKENDS)
def record(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A migrated record with the small scenario, two supplier users and a finished plan
    run; the database URL and the run's id."""
    with fresh_database(request.param, tmp_path) as url:
        engine = create_db_engine(url)
        scenario = small()
        with Session(engine) as session:
            import_scenario(session, scenario)
            add_people(
                session,
                [
                    Person("s001-desk", Role.SUPPLIER, supplier="S001X"),
                    Person("s002-desk", Role.SUPPLIER, supplier="S002X"),
                    Person("agency", Role.PLANNER, nationality="N00"),
                ],
            )
            run = plans.start_run(session, scenario, PlanOptions(time_limit=60))
            plans.finish_run(session, run, solve_plan(scenario, PlanOptions(time_limit=60)))
            session.commit()
        engine.dispose()
        yield url, run


def _read(url: str, statement: Select[tuple[Any]]) -> Any:
    """The first column of the first row `statement` selects, read in a fresh session."""
    engine = create_db_engine(url)
    with Session(engine) as session:
        found = session.scalar(statement)
        session.expunge_all()
    engine.dispose()
    return found


def _count(url: str, model: type[db.CallOff] | type[db.Commitment]) -> int:
    return int(_read(url, select(func.count()).select_from(model)))


def _lot_units(url: str, code: str) -> tuple[int, float]:
    engine = create_db_engine(url)
    with Session(engine) as session:
        lot_id = session.scalar(select(db.Lot.id).where(db.Lot.code == code))
        assert lot_id is not None
        quantity = lots.get_lot(session, Caller.operator(), lot_id).quantity
    engine.dispose()
    return lot_id, quantity


def test_the_chain_from_a_plan_run_to_a_call_off(record: tuple[str, int]) -> None:
    url, run = record
    env = {DATABASE_URL_ENV: url}

    def forge(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    # The day the commands run, read when they run: the module may be collected the day before.
    today = utcnow().date()
    day = today.isoformat()
    made = forge("lots", "from-plan", str(run), "--min-participants", "2")
    assert "LOT-0002" in made
    lot_id, quantity = _lot_units(url, "LOT-0002")
    row = _cells(made, str(lot_id))
    assert (row[1], row[3]) == ("LOT-0002", "S001X")
    assert "pooled already in LOT-0001" in forge("lots", "from-plan", str(run), code=1)
    shown = forge("lots", "show", str(lot_id))
    assert "Cost shares of LOT-0002" in shown
    assert _cells(shown, "N01")[1] == "R008"  # its line serves its requirement

    forge("tenders", "publish", str(lot_id), "--opens", day, "--closes", day)
    tender = _read(url, select(db.Tender.id).where(db.Tender.lot_id == lot_id))
    assert _cells(forge("tenders", "list"), str(tender))[-2] == "published"

    for user, price in (("s001-desk", WINNING_PRICE), ("s002-desk", LOSING_PRICE)):
        bid = forge(
            "bids", "submit", str(tender), "--as", user,
            "--tier", f"0:{price}", "--deliver", f"2027-12:{quantity:g}",
            "--capacity", f"{quantity:g}",
        )  # fmt: skip
        assert f"on tender {tender}" in bid
    bids = [
        _read(url, select(db.Bid.cost).where(db.Bid.created_by == user))
        for user in ("s001-desk", "s002-desk")
    ]
    assert bids == [quantity * WINNING_PRICE, quantity * LOSING_PRICE]
    # Only a supplier bids: the agency's user is refused, an unknown user too.
    for user, reason in (("agency", "only a supplier bids"), ("nobody", "No such user: nobody")):
        refused = runner.invoke(
            app,
            ["bids", "submit", str(tender), "--as", user, "--tier", "0:1",
             "--deliver", "2027-12:1", "--capacity", "1"],
            env=env,
        )  # fmt: skip
        assert refused.exit_code == 1
        assert reason in refused.output

    forge("tenders", "close", str(tender))
    ranking = forge("tenders", "evaluate", str(tender))
    winner = _cells(ranking, "1")
    assert winner[2] == "S001X"
    assert _cells(ranking, "2")[2] == "S002X"
    forge("tenders", "award", str(tender), "--bid", winner[1])
    assert _cells(forge("tenders", "list"), str(tender))[-2] == "awarded"

    to = (today + timedelta(days=400)).isoformat()
    forge("frameworks", "from-tender", str(tender), "--code", "FW-CLI", "--from", day, "--to", to)
    framework = _read(url, select(db.Framework.id).where(db.Framework.code == "FW-CLI"))
    forge("frameworks", "sign", str(framework))
    before = _cells(forge("frameworks", "show", str(framework)), str(framework))
    assert before[5] == "signed"
    assert before[6] == before[7] == f"{quantity:,.0f}"

    placed = forge(
        "call-offs", "place", str(framework), "--nation", "N01", "--item", N01_ROUND,
        "--quantity", str(CALLED_OFF), "--month", "2027-08", "--requirement", "R008",
    )  # fmt: skip
    assert "FW-CLI-C001" in placed
    commitment = _read(url, select(db.Commitment).where(db.Commitment.code == "FW-CLI-C001"))
    assert (commitment.quantity, commitment.month) == (CALLED_OFF, "2027-08")
    assert commitment.unit_price == WINNING_PRICE
    listed = _cells(forge("call-offs", "list", "--nation", "N01"), "1")
    assert listed[1:3] == ["FW-CLI-C001", "N01"]
    after = _cells(forge("frameworks", "list"), str(framework))
    assert after[7] == f"{quantity - CALLED_OFF:,.0f}"

    # Over the ceiling: refused with the service's message, nothing changes.
    counts = (_count(url, db.CallOff), _count(url, db.Commitment))
    over = runner.invoke(
        app,
        ["call-offs", "place", str(framework), "--nation", "N01", "--item", N01_ROUND,
         "--quantity", f"{quantity:g}", "--month", "2027-09", "--requirement", "R008"],
        env=env,
    )  # fmt: skip
    assert over.exit_code == 1
    assert "exceeds the ceiling of framework FW-CLI" in over.output
    assert (_count(url, db.CallOff), _count(url, db.Commitment)) == counts

    forge("call-offs", "cancel", "1")
    assert _cells(forge("call-offs", "list"), "1")[-1] == "cancelled"
    assert _count(url, db.Commitment) == counts[1] - 1
