"""The demo record behind `forge serve --demo`: a local database, the demo scenario, users.

Each run migrates `./alliedforge-demo.db` (created if missing), imports the built-in demo
scenario (idempotent: a second import changes nothing), publishes the demo's news on the
first run, and gives every demo user a freshly generated password, shown once. No
password is stored anywhere but as its argon2id hash; on a database that already has the
demo users their passwords are reset in place (the users keep their ids, which the audit
log points at) and the reset is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path

from sqlalchemy.orm import Session

from alliedforge.domain.access import repository
from alliedforge.domain.access import service as access
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.passwords import generate_password, hash_password
from alliedforge.domain.audit import service as audit
from alliedforge.domain.news import service as news
from alliedforge.domain.news.schemas import NewsPostCreate
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.record import ImportReport, import_audited
from alliedforge.scenario.load import load_scenario
from alliedforge.store.base import CLASSIFICATIONS
from alliedforge.store.engine import StoreError, create_db_engine, session_scope
from alliedforge.store.migrate import upgrade

DEMO_DATABASE = Path("alliedforge-demo.db")
STAFF_CLEARANCE = CLASSIFICATIONS[3]  # NATO SECRET
DESK_CLEARANCE = CLASSIFICATIONS[1]  # NATO RESTRICTED


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A demo account: who it is and whom it acts for."""

    name: str
    role: Role
    clearance: str
    nation: str | None = None
    supplier: str | None = None
    note: str = ""  # whom `nation` / `supplier` names, for people


# The agency, two nations' desks, a supplier (German, like DEU's desk) and an auditor.
DEMO_USERS = (
    DemoUser(
        "agency",
        Role.PLANNER,
        STAFF_CLEARANCE,
    ),
    DemoUser("deu-desk", Role.NATION, DESK_CLEARANCE, nation="DEU", note="Germany"),
    DemoUser("pol-desk", Role.NATION, DESK_CLEARANCE, nation="POL", note="Poland"),
    DemoUser(
        "weserhagen",
        Role.SUPPLIER,
        DESK_CLEARANCE,
        supplier="D7WH2",
        note="Weserhagen Munition GmbH",
    ),
    DemoUser(
        "auditor",
        Role.AUDITOR,
        STAFF_CLEARANCE,
    ),
)


@dataclass(frozen=True, slots=True)
class DemoRecord:
    """What a run prepared: the database, the import's counts, each user's new password."""

    url: str
    path: Path
    created: bool  # whether the database file was new
    report: ImportReport
    passwords: tuple[tuple[DemoUser, str], ...]


def demo_url(folder: Path) -> str:
    """The SQLite URL of the demo database in `folder` (an absolute path)."""
    return f"sqlite:///{(folder / DEMO_DATABASE).resolve()}"


def prepare_demo(folder: Path) -> DemoRecord:
    """Create or reuse the demo database in `folder`, migrate it, import the demo scenario
    and (re)set every demo user's password; one transaction after the migration."""
    path = (folder / DEMO_DATABASE).resolve()
    created = not path.exists()
    url = demo_url(folder)
    upgrade(url)
    with as_file(files("alliedforge.data").joinpath("demo")) as scenario_folder:
        scenario = load_scenario(scenario_folder)
    operator = Caller.operator()
    engine = create_db_engine(url)
    try:
        with session_scope(engine, write=True) as session:
            report = import_audited(session, operator, scenario)
            passwords = tuple(
                (user, _give_password(session, operator, user)) for user in DEMO_USERS
            )
            _announce(session)
            session.commit()
    finally:
        engine.dispose()
    return DemoRecord(url=url, path=path, created=created, report=report, passwords=passwords)


def _give_password(session: Session, operator: Caller, demo: DemoUser) -> str:
    """A new password for the demo user: created with it, or reset to it."""
    password = generate_password()
    user = repository.user_by_name(session, demo.name)
    if user is None:
        access.create_user(
            session,
            operator,
            demo.name,
            demo.role,
            password,
            nation=demo.nation,
            supplier=demo.supplier,
            clearance=demo.clearance,
        )
        return password
    if user.role != demo.role.value:
        raise StoreError(
            f"user {demo.name} in {session.get_bind().engine.url.database} is a {user.role},"
            f" not the demo's {demo.role.value}; use another folder for the demo database"
        )
    user.password_hash = hash_password(password)
    # A new password ends the old sign-ins, as anywhere else.
    repository.delete_web_sessions(session, user.id, expired_before=None)
    session.flush()
    # Neither the password nor its hash enters the audit log: only that it was reset.
    audit.append(
        session, operator, "reset_password", access.USER, user.id, None, {"reason": "demo"}
    )
    return password


# The press room of the demo: the agency's posts, published on the first run.
DEMO_NEWS = (
    NewsPostCreate(
        title="Joint procurement of artillery, mortar and air-defence munitions opens",
        summary=(
            "Twelve nations pool their 2027–2030 demand for 155mm rounds, 120mm mortar "
            "bombs and interceptors in one joint plan."
        ),
        body=(
            "The agency opens the **joint procurement round 2027–2030**. Twelve nations "
            "record their requirements for 155mm artillery rounds, 120mm mortar bombs and "
            "air-defence interceptors in the shared record; the planner then matches them "
            "with the production lines of eleven suppliers.\n\n"
            "What nations do now:\n\n"
            "1. Check and submit your requirements under [Requirements](/requirements).\n"
            "2. Keep budgets and stockpile targets up to date.\n"
            "3. Compare the joint plan with national buying under [Plans](/plans) once the "
            "agency has run it.\n\n"
            "Volume tiers reward pooled orders: the earlier the demand is known, the "
            "better the price and the delivery dates.\n\n"
            "*All figures in this demonstration are illustrative, not real data.*"
        ),
    ),
    NewsPostCreate(
        title="Production milestone: first contracted lot from line L04",
        summary=(
            "Weserhagen Munition's DM121-type line delivers 5,000 rounds under contract "
            "in February 2027."
        ),
        body=(
            "Line **L04** of Weserhagen Munition GmbH (NCAGE D7WH2) makes DM121-type 155mm "
            "rounds at up to 8,000 a month. Its first contracted lot, **5,000 rounds**, "
            "is due in February 2027.\n\n"
            "Fuzes stay short in the first half of 2027 and nitrocellulose limits shell "
            "output until new energetics plants run in 2028–2029: see the capacity "
            "figures of the latest plan.\n\n"
            "*A fictional supplier and illustrative numbers.*"
        ),
    ),
)


def _announce(session: Session) -> None:
    """Publish the demo's news as the agency, unless the press room has posts already."""
    planner = next(demo for demo in DEMO_USERS if demo.role is Role.PLANNER)
    user = repository.user_by_name(session, planner.name)
    assert user is not None  # created just before
    agency = access.caller_of(session, user)
    if news.list_posts(session, agency, PageRequest(1)).items:
        return
    for post in DEMO_NEWS:
        draft = news.create_post(session, agency, post)
        news.publish_post(session, agency, draft.id, draft.version)
