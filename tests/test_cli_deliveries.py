"""`forge deliveries record|list`, `forge stock show` and `forge reports deliveries`, run
in-process on a real SQLite record holding the tiny scenario and a placed call-off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alliedforge.cli.main import app
from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.procurement import call_offs, frameworks
from alliedforge.domain.procurement.schemas import CallOffCreate, FrameworkCreate
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import load_scenario
from alliedforge.store.engine import DATABASE_URL_ENV, create_db_engine
from alliedforge.store.migrate import upgrade

from shared_data import GOLDEN, today

runner = CliRunner(env={"COLUMNS": "200"})
ROUND = "1320-11-652-6876"  # qualified on WS0 from the start (tiny scenario)
N00_ON_HAND = 2459  # N00's WS0 stockpile in the tiny scenario
PRICE = 20


def _cells(output: str, first: str) -> list[str]:
    """The cells of the rich table row whose first cell is `first`."""
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃|]", line) if c.strip()]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{output}")


@pytest.fixture
def record(tmp_path: Path) -> tuple[str, int]:
    """A migrated SQLite record with the tiny scenario, a line L100 of S001X, a signed
    framework for N00 and N00's placed call-off of 500 units for its WS0 stockpile; the
    database URL and the call-off's id."""
    url = f"sqlite:///{tmp_path / 'record.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    operator = Caller.operator()
    with Session(engine) as session:
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
        session.flush()
        framework = frameworks.create_framework(
            session,
            operator,
            FrameworkCreate.model_validate(
                {
                    "code": "FW-CLI",
                    "supplier": "S001X",
                    "parties": ["N00"],
                    "items": [{"item": ROUND, "tiers": [{"min_quantity": 0, "unit_price": PRICE}]}],
                    "valid_from": today().isoformat(),
                    "valid_to": today().replace(year=today().year + 1).isoformat(),
                    "ceiling_quantity": 1000,
                    "ceiling_value": 1e6,
                }
            ),
        )
        frameworks.sign_framework(session, operator, framework.id, framework.version)
        stockpile = session.scalar(select(db.Stockpile.id).where(db.Stockpile.due == "2027-12"))
        data = CallOffCreate(
            framework_id=framework.id,
            nation="N00",
            item=ROUND,
            quantity=500,
            month="2027-07",
            stockpile=stockpile,
        )
        call_off = call_offs.place_call_off(session, operator, data, today()).id
        session.commit()
    engine.dispose()
    return url, call_off


def _count(url: str, model: type[db.Delivery] | type[db.LedgerEntry]) -> int:
    engine = create_db_engine(url)
    with Session(engine) as session:
        found = int(session.scalar(select(func.count()).select_from(model)) or 0)
    engine.dispose()
    return found


def test_record_list_show_and_report(record: tuple[str, int]) -> None:
    url, call_off = record
    env = {DATABASE_URL_ENV: url}
    recorded = runner.invoke(
        app,
        ["deliveries", "record", str(call_off), "--quantity", "400", "--accepted", "380"],
        env=env,
    )
    assert recorded.exit_code == 0, recorded.output
    assert "380 of 400 units accepted (partial)" in recorded.output
    assert "N00 WS0 stock" in recorded.output
    assert (_count(url, db.Delivery), _count(url, db.LedgerEntry)) == (1, 2)

    listed = runner.invoke(app, ["deliveries", "list", "--nation", "N00"], env=env)
    assert listed.exit_code == 0, listed.output
    row = _cells(listed.output, "1")
    assert row[1:4] == ["FW-CLI-C001", "N00", "S001X"]
    assert row[6:9] == ["400", "380", "partial"]
    assert row[-1] == f"{380 * PRICE:,}"
    empty = runner.invoke(app, ["deliveries", "list", "--nation", "N01"], env=env)
    assert _cells(empty.output, "id")  # the header, and no row
    with pytest.raises(AssertionError):
        _cells(empty.output, "1")

    levels = runner.invoke(app, ["stock", "show", "N00"], env=env)
    assert levels.exit_code == 0, levels.output
    assert _cells(levels.output, "N00")[1:4] == [
        "WS0",
        f"{N00_ON_HAND:,}",
        f"{N00_ON_HAND + 380:,}",
    ]
    ledger = runner.invoke(app, ["stock", "show", "N00", "WS0"], env=env)
    assert ledger.exit_code == 0, ledger.output
    opening = [
        "opening",
        f"+{N00_ON_HAND:,}",
        f"{N00_ON_HAND:,}",
        "on hand in the stockpile due 2027-12",
    ]
    assert _cells(ledger.output, "1")[2:] == opening
    assert _cells(ledger.output, "2")[2:6] == ["delivery", "1", "+380", f"{N00_ON_HAND + 380:,}"]
    before = runner.invoke(app, ["stock", "show", "N00", "--on", "2000-01-01"], env=env)
    assert _cells(before.output, "N00")[3] == f"{N00_ON_HAND:,}"

    day = today().isoformat()
    report = runner.invoke(app, ["reports", "deliveries", "--from", day, "--to", day], env=env)
    assert report.exit_code == 0, report.output
    assert _cells(report.output, "N00")[1:] == ["155mm-HE", "1", "400", "380", f"{380 * PRICE:,}"]
    assert _cells(report.output, "total")[1:] == ["1", "400", "380", f"{380 * PRICE:,}"]


def test_a_refused_delivery_is_one_line_and_changes_nothing(record: tuple[str, int]) -> None:
    url, call_off = record
    env = {DATABASE_URL_ENV: url}
    cases = [
        (["--quantity", "10", "--accepted", "11"], "accepted=11.0: more than the 10 units"),
        (["--quantity", "600"], "accepted=600.0: call-off FW-CLI-C001 is for 500 units"),
        (["--quantity", "10", "--on", "2999-01-01"], "after today"),
        (["--quantity", "0"], "greater than 0"),
    ]
    for options, message in cases:
        refused = runner.invoke(app, ["deliveries", "record", str(call_off), *options], env=env)
        assert refused.exit_code == 1, refused.output
        assert message in refused.output
        assert "Traceback" not in refused.output
    assert (_count(url, db.Delivery), _count(url, db.LedgerEntry)) == (0, 0)
    unknown = runner.invoke(app, ["stock", "show", "N99"], env=env)
    assert (unknown.exit_code, "no stock of nation N99" in unknown.output) == (1, True)
    backwards = runner.invoke(
        app, ["reports", "deliveries", "--from", "2027-02-01", "--to", "2027-01-01"], env=env
    )
    assert backwards.exit_code == 1
    assert "is before from" in backwards.output


def test_a_missing_database_is_one_line(tmp_path: Path) -> None:
    env = {DATABASE_URL_ENV: f"sqlite:///{tmp_path / 'none.db'}"}
    answer = runner.invoke(app, ["deliveries", "list"], env=env)
    assert answer.exit_code == 1
    assert "no database at" in answer.output
