"""PostgreSQL's row-level security holds on its own: a query without the application's
filters, as the service role, still sees only the caller's rows (collected only when a
PostgreSQL URL is given, see conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from alliedforge.domain.record import import_scenario
from alliedforge.scenario import Scenario, load_scenario
from alliedforge.store.scope import bind_scope

from live_api import as_service, fresh_database
from shared_data import GOLDEN


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(GOLDEN / "tiny")


@pytest.fixture(scope="module")
def service_engine(tmp_path_factory: pytest.TempPathFactory, tiny: Scenario) -> Iterator[Engine]:
    """The service role's engine on a fresh schema holding the tiny scenario."""
    folder: Path = tmp_path_factory.mktemp("rls")
    with fresh_database("postgresql", folder) as url:
        owner = create_engine(url)
        with Session(owner) as session:
            import_scenario(session, tiny)
            session.commit()
        owner.dispose()
        engine = create_engine(as_service(url))
        yield engine
        engine.dispose()


def _ids(session: Session, sql: str) -> dict[str, int]:
    return {str(code): int(id_) for code, id_ in session.execute(text(sql))}


def _count(session: Session, table: str) -> int:
    return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_without_a_scope_the_service_role_sees_nothing(service_engine: Engine) -> None:
    with Session(service_engine) as session:
        for table in ("requirements", "budgets", "stockpiles", "lines", "prices", "commitments"):
            assert _count(session, table) == 0, table
        assert _count(session, "nations") > 0  # the catalogue is not walled


def test_an_unfiltered_query_returns_only_the_nations_rows(
    service_engine: Engine, tiny: Scenario
) -> None:
    with Session(service_engine) as session:
        bind_scope(session, {"staff": "on"})
        nations = _ids(session, "SELECT code, id FROM nations")
        everything = _count(session, "requirements")
    code = tiny.requirements[0].nation
    expected = sum(1 for r in tiny.requirements if r.nation == code)
    with Session(service_engine) as session:
        bind_scope(session, {"nation_id": str(nations[code]), "nation": code})
        rows = session.execute(text("SELECT nation_id FROM requirements")).scalars().all()
        assert set(rows) == {nations[code]}
        assert len(rows) == expected < everything
        assert _count(session, "lines") == 0
        session.commit()  # the scope is transaction-local, and re-applied to the next one
        assert set(session.execute(text("SELECT nation_id FROM requirements")).scalars()) == {
            nations[code]
        }


def test_a_supplier_sees_only_its_lines(service_engine: Engine, tiny: Scenario) -> None:
    supplier = tiny.lines[0].supplier
    with Session(service_engine) as session:
        suppliers = _ids(session, "SELECT code, id FROM suppliers")
        bind_scope(session, {"supplier_id": str(suppliers[supplier]), "supplier": supplier})
        owners = set(session.execute(text("SELECT supplier_id FROM lines")).scalars())
        assert owners == {suppliers[supplier]}
        assert _count(session, "requirements") == 0


def test_the_wall_refuses_writing_another_nations_row(
    service_engine: Engine, tiny: Scenario
) -> None:
    own, other = tiny.nations[0].code, tiny.nations[1].code
    with Session(service_engine) as session:
        nations = _ids(session, "SELECT code, id FROM nations")
        bind_scope(session, {"nation_id": str(nations[own]), "nation": own})
        with pytest.raises(DBAPIError, match="row-level security"):
            session.execute(
                text(
                    "INSERT INTO budgets (nation_id, year, amount, version) VALUES (:n, 2031, 1, 1)"
                ),
                {"n": nations[other]},
            )
