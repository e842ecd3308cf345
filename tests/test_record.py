"""Scenario ↔ shared record: upsert by business key, idempotence, prune, rollback, export."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alliedforge.cli.main import EXIT_INVALID, app
from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.catalogue.models import QualificationStatus
from alliedforge.domain.record import import_audited, import_scenario, snapshot_scenario
from alliedforge.scenario import (
    TABLE_FIELDS,
    Commitment,
    Scenario,
    Stockpile,
    load_scenario,
    stockpile_requirement_code,
    write_scenario,
)
from alliedforge.store.base import Base
from alliedforge.store.engine import DATABASE_URL_ENV, StoreError
from alliedforge.store.migrate import upgrade

from helpers_scenario import scenarios
from shared_data import GOLDEN

TINY = GOLDEN / "tiny"
ALL_TABLES = ("scenario_settings", *TABLE_FIELDS)


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(TINY)


def _rows(scenario: Scenario, table: str) -> int:
    return 1 if table == "scenario_settings" else len(getattr(scenario, table))


def _dump(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, columns and versions included, in id order."""
    session.expire_all()
    dump: dict[str, list[tuple[object, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        rows = session.execute(select(table).order_by(table.c.id)).all()
        dump[table.name] = [tuple(row) for row in rows]
    return dump


def test_import_creates_every_row_and_reports_counts(session: Session, tiny: Scenario) -> None:
    report = import_scenario(session, tiny)
    assert sorted(c.table for c in report.tables) == sorted(ALL_TABLES)
    for table in ALL_TABLES:
        counts = report[table]
        assert (counts.created, counts.updated, counts.unchanged, counts.deleted) == (
            _rows(tiny, table),
            0,
            0,
            0,
        ), table
    assert session.scalars(select(db.Requirement)).all()
    assert report.changed


def test_importing_twice_changes_nothing(session: Session, tiny: Scenario) -> None:
    import_scenario(session, tiny)
    before = _dump(session)
    report = import_scenario(session, tiny, prune=True)
    assert not report.changed
    assert all(report[t].unchanged == _rows(tiny, t) for t in ALL_TABLES)
    assert _dump(session) == before


def test_snapshot_equals_the_imported_scenario(session: Session, tiny: Scenario) -> None:
    import_scenario(session, tiny)
    session.expire_all()
    assert snapshot_scenario(session) == tiny


def test_snapshot_of_an_empty_database_says_to_import(session: Session) -> None:
    with pytest.raises(StoreError, match="forge import"):
        snapshot_scenario(session)


def test_a_changed_quantity_is_an_update(session: Session, tiny: Scenario) -> None:
    import_scenario(session, tiny)
    first = tiny.requirements[0]
    changed = replace(first, quantity=first.quantity + 1)
    edited = replace(tiny, requirements=(changed, *tiny.requirements[1:]))
    report = import_scenario(session, edited)
    assert (report["requirements"].updated, report["requirements"].unchanged) == (
        1,
        len(tiny.requirements) - 1,
    )
    assert report["nations"].unchanged == len(tiny.nations)
    stored = session.scalars(select(db.Requirement).where(db.Requirement.code == first.code)).one()
    assert (stored.quantity, stored.version) == (first.quantity + 1, 2)
    assert snapshot_scenario(session) == edited


def test_prune_deletes_a_removed_requirement(session: Session, tiny: Scenario) -> None:
    import_scenario(session, tiny)
    removed = tiny.requirements[-1]
    smaller = replace(tiny, requirements=tiny.requirements[:-1])
    kept = import_scenario(session, smaller)
    assert kept["requirements"].deleted == 0
    assert snapshot_scenario(session) == tiny  # without --prune the row stays
    report = import_scenario(session, smaller, prune=True)
    assert report["requirements"].deleted == 1
    assert sum(c.deleted for c in report.tables) == 1
    codes = session.scalars(select(db.Requirement.code)).all()
    assert removed.code not in codes
    assert snapshot_scenario(session) == smaller


def test_prune_keeps_qualifications_that_are_not_yet_qualified(
    session: Session, tiny: Scenario
) -> None:
    import_scenario(session, tiny)
    first = tiny.qualifications[0]
    planned = session.scalars(select(db.Qualification).order_by(db.Qualification.id)).first()
    assert planned is not None
    planned.status = QualificationStatus.PLANNED
    session.flush()
    without = replace(tiny, qualifications=tiny.qualifications[1:])
    assert snapshot_scenario(session) == without  # not usable, so not in the scenario
    assert import_scenario(session, without, prune=True)["qualifications"].deleted == 0
    assert import_scenario(session, tiny)["qualifications"].updated == 1  # qualified again
    assert snapshot_scenario(session).qualifications[0] == first


def test_a_failing_import_leaves_the_database_as_before(session: Session, tiny: Scenario) -> None:
    import_scenario(session, tiny)
    session.commit()
    before = _dump(session)
    new_nation = replace(tiny.nations[0], code="NEW")
    bad = replace(tiny.requirements[0], priority=9)  # the priority CHECK refuses it
    broken = replace(
        tiny,
        nations=(*tiny.nations, new_nation),
        requirements=(bad, *tiny.requirements[1:]),
    )
    with pytest.raises(IntegrityError):
        import_scenario(session, broken, prune=True)
    session.rollback()
    assert _dump(session) == before
    assert snapshot_scenario(session) == tiny


def test_a_commitment_can_serve_a_stockpile_target(session: Session, tiny: Scenario) -> None:
    stockpile = Stockpile(tiny.nations[0].code, tiny.weapon_systems[0].code, 0.0, 10.0, "2027-06")
    commitment = Commitment(
        "K-stock", tiny.lines[0].code, stockpile_requirement_code(stockpile), "2027-03", 1.0, 1.0
    )
    scenario = replace(tiny, stockpiles=(stockpile,), commitments=(commitment,))
    import_scenario(session, scenario)
    stored = session.scalars(select(db.Commitment).where(db.Commitment.code == "K-stock")).one()
    assert stored.requirement_id is None
    assert stored.stockpile_id is not None
    assert snapshot_scenario(session) == scenario
    assert not import_scenario(session, scenario).changed


def test_a_commitment_serves_exactly_one_requirement(session: Session, tiny: Scenario) -> None:
    import_scenario(session, tiny)
    commitment = db.Commitment(
        code="K-none",
        line_id=session.scalars(select(db.Line.id)).first(),
        month="2027-03",
        quantity=1.0,
        unit_price=1.0,
    )
    session.add(commitment)
    with pytest.raises(IntegrityError, match=r"one_requirement|CHECK"):
        session.flush()


def test_qualified_since_before_the_horizon_counts_from_its_start(
    session: Session, tiny: Scenario
) -> None:
    import_scenario(session, tiny)
    since_start = replace(tiny.qualifications[1], from_month=None)
    scenario = replace(
        tiny, qualifications=(tiny.qualifications[0], since_start, *tiny.qualifications[2:])
    )
    import_scenario(session, scenario)
    stored = session.scalars(select(db.Qualification).order_by(db.Qualification.id)).all()[1]
    stored.month = "1999-01"
    session.flush()
    assert snapshot_scenario(session).qualifications[1].from_month is None
    assert import_scenario(session, scenario)["qualifications"].unchanged == len(
        scenario.qualifications
    )
    assert stored.month == "1999-01"  # the register keeps "qualified since"


@settings(max_examples=15, deadline=None)
@given(scenario=scenarios())
def test_import_then_snapshot_gives_the_scenario_back(engine: Engine, scenario: Scenario) -> None:
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection) as session:
            report = import_scenario(session, scenario)
            assert all(c.created == _rows(scenario, c.table) for c in report.tables), report
            session.expire_all()
            snapshot = snapshot_scenario(session)
            assert not import_scenario(session, snapshot).changed
        transaction.rollback()
    for field in ("manifest", *TABLE_FIELDS):
        assert getattr(snapshot, field) == getattr(scenario, field), field
    assert snapshot == scenario


runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    return url


def test_cli_import_reports_and_is_idempotent(cli_db: str) -> None:
    upgrade(cli_db)
    first = runner.invoke(app, ["import", str(TINY)])
    assert first.exit_code == 0, first.output
    assert "Imported" in first.output
    assert "requirements" in first.output
    assert "created" in first.output
    again = runner.invoke(app, ["import", str(TINY), "--prune"])
    assert again.exit_code == 0, again.output
    assert "nothing to change" in again.output


def test_cli_export_round_trips_byte_for_byte(cli_db: str, tmp_path: Path) -> None:
    upgrade(cli_db)
    assert runner.invoke(app, ["import", str(TINY)]).exit_code == 0
    exported = runner.invoke(app, ["export", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    assert load_scenario(tmp_path / "out") == load_scenario(TINY)
    workbook = runner.invoke(app, ["export", str(tmp_path / "out.xlsx")])
    assert workbook.exit_code == 0, workbook.output
    assert load_scenario(tmp_path / "out.xlsx") == load_scenario(TINY)
    # export → import (a fresh database) → export gives the same bytes
    second = f"sqlite:///{tmp_path / 'second.db'}"
    upgrade(second)
    env = {DATABASE_URL_ENV: second}
    assert runner.invoke(app, ["import", str(tmp_path / "out")], env=env).exit_code == 0
    assert runner.invoke(app, ["export", str(tmp_path / "again")], env=env).exit_code == 0
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "again").iterdir())
    for name in files:
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()


def test_cli_import_validates_first(cli_db: str, tmp_path: Path, tiny: Scenario) -> None:
    upgrade(cli_db)
    broken = tmp_path / "broken"
    write_scenario(replace(tiny, requirements=()), broken)
    (broken / "requirements.csv").write_text(
        "code,nation,weapon_system,quantity,due,priority\nR1,N01,WS0,lots,2027-06,3\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(broken)])
    assert result.exit_code == EXIT_INVALID
    assert "lots" in result.output
    assert "nothing was imported" in result.output
    assert "holds no scenario" in runner.invoke(app, ["export", str(tmp_path / "x")]).output


def test_cli_refuses_an_unmigrated_database(cli_db: str, tmp_path: Path) -> None:
    for args in (["import", str(TINY)], ["export", str(tmp_path / "out")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        assert "forge db upgrade" in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert "Traceback" not in result.output
    assert not (tmp_path / "cli.db").exists()
    sqlite3.connect(tmp_path / "cli.db").close()  # a database, but not migrated
    result = runner.invoke(app, ["import", str(TINY)])
    assert result.exit_code == 1
    assert "not at the latest schema; run `forge db upgrade`" in result.output


def test_a_code_two_nations_use_is_qualified_and_round_trips(
    session: Session, tiny: Scenario
) -> None:
    import_scenario(session, tiny)
    first = tiny.requirements[0]
    other = next(n.code for n in tiny.nations if n.code != first.nation)
    other_id = session.scalars(select(db.Nation.id).where(db.Nation.code == other)).one()
    template = session.scalars(select(db.Requirement).order_by(db.Requirement.id)).first()
    assert template is not None
    session.add(
        db.Requirement(
            code=first.code,
            nation_id=other_id,
            weapon_system_id=template.weapon_system_id,
            quantity=5.0,
            due=first.due,
            priority=3,
        )
    )
    session.flush()
    snapshot = snapshot_scenario(session)
    codes = [requirement.code for requirement in snapshot.requirements]
    assert f"{first.nation}/{first.code}" in codes
    assert f"{other}/{first.code}" in codes
    assert len(set(codes)) == len(codes)
    assert not import_scenario(session, snapshot).changed
    assert snapshot_scenario(session) == snapshot


def test_an_audited_import_leaves_one_entry_with_its_counts(
    session: Session, tiny: Scenario
) -> None:
    report = import_audited(session, Caller.operator(), tiny)
    entry = session.scalars(select(db.AuditEntry).order_by(db.AuditEntry.id.desc())).first()
    assert entry is not None
    assert entry.after is not None
    assert (entry.action, entry.entity, entry.actor) == ("import", "scenario", "operator")
    assert entry.after["hash"] == tiny.content_hash()
    assert entry.after["tables"]["requirements"] == [len(tiny.requirements), 0, 0, 0]
    assert report["requirements"].created == len(tiny.requirements)
