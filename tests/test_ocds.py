"""The OCDS export: valid against the official 1.1.5 schemas, merged as OCDS merges, releasable.

The schemas come from `../shared/ocds-1.1.5/` and resolve each other locally through a
`referencing` registry keyed by their `id`s; anything that tries to fetch a schema,
or to open a socket at all, fails the test. The merge is checked against `ocdsmerge`,
the Open Contracting Partnership's reference implementation, fed the same local schema.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import ocdsmerge
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator, ValidationError

from alliedforge.contracting.ocds import (
    Award,
    AwardCriteria,
    AwardStatus,
    Bid,
    Classification,
    Contract,
    ContractingProcess,
    ContractStatus,
    Delivery,
    DeliveryStatus,
    EmptyExportError,
    Item,
    Money,
    Party,
    Period,
    Planning,
    ProcurementMethod,
    Readable,
    Requirement,
    Tender,
    TenderStatus,
    compile_release,
    ocid,
    record_package,
    releasable,
    release_package,
    releases,
)
from ocds_schema import RECORD_PACKAGE, REGISTRY, RELEASE_PACKAGE, SCHEMAS, valid

PREFIX = "ocds-a1b2c3"
PUBLISHED = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
PACKAGE_URI = "https://forge.example.org/ocds/releases.json"
RECORDS_URI = "https://forge.example.org/ocds/records.json"
PUBLISHER = "Alliance Procurement Agency"
MERGER = ocdsmerge.Merger(schema=SCHEMAS["release-schema.json"])


@pytest.fixture(autouse=True, scope="module")
def no_network() -> Iterator[None]:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the OCDS tests tried to reach the network: {args}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        yield


# --- a hand-made framework with a call-off ------------------------------------------------

CET = timezone(timedelta(hours=1))
AGENCY = Party("agency", "[the agency]")
DEU = Party("nation-DEU", "Germany")
POL = Party("nation-POL", "Poland")
NLD = Party("nation-NLD", "Netherlands")
WESER = Party("supplier-D1234", "Weserhagen Munitions", scheme="NCAGE", code="D1234")
VISTULA = Party("supplier-P5678", "Vistula Arms", scheme="NCAGE", code="P5678")
EUR = "EUR"
SHELL = Item(
    "shell",
    "155 mm HE shell",
    30000,
    Classification("NSN", "1320-12-345-6789"),
    Money(3100.0, EUR),
)
FRAMEWORK_OCID = ocid(PREFIX, "framework-7")
CALL_OFF_OCID = ocid(PREFIX, "call-off-7-1")


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=CET)


def framework() -> ContractingProcess:
    return ContractingProcess(
        ocid=FRAMEWORK_OCID,
        title="155 mm shells, 2025–2028",
        buyers=(DEU.id, POL.id, NLD.id),
        parties=(AGENCY, DEU, POL, NLD, WESER, VISTULA),
        procuring_entity=AGENCY.id,
        planning=Planning(
            approved=at(1),
            requirements=(Requirement("DEU-155-01", DEU.id), Requirement("POL-155-04", POL.id)),
            budget=Money(93_000_000.0, EUR),
        ),
        tender=Tender(
            id="lot-7",
            status=TenderStatus.COMPLETE,
            method=ProcurementMethod.OPEN,
            criteria=AwardCriteria.RATED_CRITERIA,
            items=(SHELL,),
            published=at(3),
            period=Period(at(3), at(20)),
            bids=(Bid("bid-1", WESER.id), Bid("bid-2", VISTULA.id)),
            framework_agreement=True,
        ),
        awards=(
            Award(
                "framework-7",
                AwardStatus.ACTIVE,
                suppliers=(WESER.id,),
                date=at(25),
                value=Money(90_000_000.0, EUR),
                items=(SHELL,),
                period=Period(at(28), datetime(2028, 3, 1, tzinfo=CET)),
            ),
        ),
    )


def call_off() -> ContractingProcess:
    ordered = replace(SHELL, quantity=2000)
    return ContractingProcess(
        ocid=CALL_OFF_OCID,
        title="Call-off 1 under framework 7",
        buyers=(DEU.id,),
        parties=(AGENCY, DEU, WESER),
        procuring_entity=AGENCY.id,
        planning=Planning(at(26), (Requirement("DEU-155-01", DEU.id),), Money(6_200_000.0, EUR)),
        tender=Tender(
            id="call-off-7-1",
            status=TenderStatus.COMPLETE,
            method=ProcurementMethod.LIMITED,
            criteria=AwardCriteria.PRICE_ONLY,
            items=(ordered,),
            published=at(27),
            bids=(Bid("bid-3", WESER.id),),
        ),
        awards=(Award("call-off-7-1", AwardStatus.ACTIVE, (WESER.id,), at(28), Money(6.2e6, EUR)),),
        contracts=(
            Contract(
                "call-off-7-1",
                "call-off-7-1",
                ContractStatus.ACTIVE,
                signed=at(29),
                value=Money(6_200_000.0, EUR),
                deliveries=(
                    Delivery(
                        "delivery-1",
                        "shell",
                        1000,
                        DeliveryStatus.MET,
                        due=at(30),
                        delivered=at(30, 15),
                        value=Money(3_100_000.0, EUR),
                        payer=DEU.id,
                        payee=WESER.id,
                    ),
                    Delivery(
                        "delivery-2",
                        "shell",
                        400,
                        DeliveryStatus.PARTIALLY_MET,
                        due=at(31),
                        delivered=at(31, 16),
                        value=Money(1_240_000.0, EUR),
                        payer=DEU.id,
                        payee=WESER.id,
                    ),
                    Delivery("delivery-3", "shell", 600, DeliveryStatus.SCHEDULED, due=at(31)),
                ),
            ),
        ),
        framework=FRAMEWORK_OCID,
    )


def compiled(process: ContractingProcess) -> dict[str, Any]:
    return compile_release(releases(process, PUBLISHED))


def test_a_framework_and_its_call_off_give_one_release_per_stage() -> None:
    framework_releases = releases(framework(), PUBLISHED)
    call_off_releases = releases(call_off(), PUBLISHED)

    assert [r["tag"] for r in framework_releases] == [["planning"], ["tender"], ["award"]]
    assert [r["tag"] for r in call_off_releases] == [
        ["planning"],
        ["tender"],
        ["award"],
        ["contract"],
        ["implementation"],
    ]
    ids = [r["id"] for r in framework_releases + call_off_releases]
    assert len(set(ids)) == len(ids)
    assert all("#" not in release_id for release_id in ids)


def test_the_framework_is_flagged_and_the_call_off_points_to_it() -> None:
    assert compiled(framework())["tender"]["techniques"] == {"hasFrameworkAgreement": True}
    assert "contracts" not in compiled(framework())  # the award is the framework agreement
    link = {"id": "framework", "relationship": ["framework"], "scheme": "ocid"}
    for release in [*releases(call_off(), PUBLISHED), compiled(call_off())]:
        assert release["relatedProcesses"] == [link | {"identifier": FRAMEWORK_OCID}]
        assert "techniques" not in release.get("tender", {})


def test_several_buyers_are_parties_and_a_single_buyer_is_the_buyer() -> None:
    shared = compiled(framework())
    assert "buyer" not in shared
    buyers = {p["id"] for p in shared["parties"] if "buyer" in p["roles"]}
    assert buyers == {DEU.id, POL.id, NLD.id}
    assert compiled(call_off())["buyer"] == {"id": DEU.id, "name": DEU.name}


def test_a_party_holds_every_role_it_played() -> None:
    roles = {p["id"]: p["roles"] for p in compiled(call_off())["parties"]}
    assert roles == {
        AGENCY.id: ["procuringEntity"],
        DEU.id: ["buyer", "payer"],
        WESER.id: ["tenderer", "supplier", "payee"],
    }
    weser = next(p for p in compiled(framework())["parties"] if p["id"] == WESER.id)
    assert weser["identifier"] == {"scheme": "NCAGE", "id": "D1234", "legalName": WESER.name}


def test_each_release_lists_the_roles_held_by_its_stage() -> None:
    roles = [{p["id"]: p["roles"] for p in r["parties"]} for r in releases(call_off(), PUBLISHED)]
    assert roles == [
        {AGENCY.id: ["procuringEntity"], DEU.id: ["buyer"]},
        {AGENCY.id: ["procuringEntity"], DEU.id: ["buyer"], WESER.id: ["tenderer"]},
        {AGENCY.id: ["procuringEntity"], DEU.id: ["buyer"], WESER.id: ["tenderer", "supplier"]},
        {AGENCY.id: ["procuringEntity"], DEU.id: ["buyer"]},
        {
            AGENCY.id: ["procuringEntity"],
            DEU.id: ["buyer", "payer"],
            WESER.id: ["tenderer", "supplier", "payee"],
        },
    ]


def test_the_tender_names_its_tenderers_and_method() -> None:
    tender = compiled(framework())["tender"]
    assert tender["title"] == "155 mm shells, 2025–2028"
    assert tender["procuringEntity"] == {"id": AGENCY.id, "name": AGENCY.name}
    assert tender["numberOfTenderers"] == 2
    assert tender["tenderers"] == [
        {"id": WESER.id, "name": WESER.name},
        {"id": VISTULA.id, "name": VISTULA.name},
    ]
    assert (tender["procurementMethod"], tender["awardCriteria"]) == ("open", "ratedCriteria")
    assert tender["items"] == [
        {
            "id": "shell",
            "description": "155 mm HE shell",
            "classification": {"scheme": "NSN", "id": "1320-12-345-6789"},
            "quantity": 30000,
            "unit": {
                "scheme": "UNCEFACT",
                "id": "C62",
                "name": "unit",
                "value": {"amount": 3100.0, "currency": "EUR"},
            },
        }
    ]


def test_planning_cites_the_requirements_and_the_budget() -> None:
    planning = compiled(framework())["planning"]
    assert planning["rationale"] == "Serves the requirements DEU-155-01, POL-155-04."
    assert planning["budget"] == {"amount": {"amount": 93_000_000.0, "currency": "EUR"}}


def test_deliveries_are_milestones_and_paid_deliveries_are_transactions() -> None:
    (contract,) = compiled(call_off())["contracts"]
    assert contract["status"] == "active"
    assert contract["dateSigned"] == "2025-03-29T08:00:00Z"
    milestones = contract["implementation"]["milestones"]
    assert [(m["id"], m["type"], m["status"]) for m in milestones] == [
        ("delivery-1", "delivery", "met"),
        ("delivery-2", "delivery", "partiallyMet"),
        ("delivery-3", "delivery", "scheduled"),
    ]
    assert milestones[1]["description"] == "400 units of item shell"
    assert "dateMet" not in milestones[2]
    transactions = contract["implementation"]["transactions"]
    assert [t["id"] for t in transactions] == ["delivery-1", "delivery-2"]
    assert transactions[0] == {
        "id": "delivery-1",
        "date": "2025-03-30T14:00:00Z",
        "value": {"amount": 3_100_000.0, "currency": "EUR"},
        "payer": {"id": DEU.id, "name": DEU.name},
        "payee": {"id": WESER.id, "name": WESER.name},
    }


def test_dates_are_written_in_utc_and_must_carry_a_timezone() -> None:
    (planning, *_) = releases(framework(), PUBLISHED)
    assert planning["date"] == "2025-03-01T08:00:00Z"  # 09:00 at UTC+1
    naive = replace(framework(), planning=Planning(datetime(2025, 3, 1, 9)))
    with pytest.raises(ValueError, match="no timezone"):
        releases(naive, PUBLISHED)


def test_release_dates_never_go_back_and_unknown_ones_are_the_publication() -> None:
    late_award = replace(framework().awards[0], date=at(2))  # before the tender: bad data
    undated = replace(call_off(), awards=(replace(call_off().awards[0], date=None),))

    dates = [r["date"] for r in releases(replace(framework(), awards=(late_award,)), PUBLISHED)]
    assert dates == ["2025-03-01T08:00:00Z", "2025-03-03T08:00:00Z", "2025-03-03T08:00:00Z"]
    dates = [r["date"] for r in releases(undated, PUBLISHED)]
    assert dates[2:] == ["2026-01-15T12:00:00Z"] * 3


def test_a_changed_stage_gets_a_new_release_id_and_the_others_keep_theirs() -> None:
    before = releases(framework(), PUBLISHED)
    cancelled = replace(framework().tender, status=TenderStatus.CANCELLED)
    after = releases(replace(framework(), tender=cancelled), PUBLISHED)
    assert before[0]["id"] == after[0]["id"]
    assert before[1]["id"] != after[1]["id"]
    assert releases(framework(), PUBLISHED + timedelta(days=1)) == before


def test_a_process_refers_only_to_parties_it_describes() -> None:
    stranger = replace(framework(), buyers=(DEU.id, "nation-XXX"))
    with pytest.raises(ValueError, match="nation-XXX"):
        releases(stranger, PUBLISHED)


def test_a_process_that_reached_no_stage_has_no_release_and_no_record() -> None:
    unpublished = replace(framework().tender, published=None)
    quiet = replace(framework(), planning=None, tender=unpublished, awards=())
    assert releases(quiet, PUBLISHED) == []
    package = record_package([quiet, call_off()], RECORDS_URI, PUBLISHED, PUBLISHER)
    assert [r["ocid"] for r in package["records"]] == [CALL_OFF_OCID]
    with pytest.raises(EmptyExportError):
        record_package([quiet], RECORDS_URI, PUBLISHED, PUBLISHER)
    with pytest.raises(EmptyExportError):
        release_package([], PACKAGE_URI, PUBLISHED, PUBLISHER)


def test_two_processes_cannot_share_an_ocid() -> None:
    with pytest.raises(ValueError, match="share the ocid"):
        record_package([call_off(), call_off()], RECORDS_URI, PUBLISHED, PUBLISHER)


# --- packages and the official schemas ----------------------------------------------------


def test_the_hand_made_packages_are_valid() -> None:
    processes = [framework(), call_off()]
    all_releases = [r for p in processes for r in releases(p, PUBLISHED)]
    package = release_package(all_releases, PACKAGE_URI, PUBLISHED, PUBLISHER)
    valid(RELEASE_PACKAGE, package)
    assert package["version"] == "1.1"
    assert package["publishedDate"] == "2026-01-15T12:00:00Z"
    assert package["publisher"] == {"name": PUBLISHER}
    assert package["extensions"] == [
        "https://raw.githubusercontent.com/open-contracting-extensions/"
        "ocds_techniques_extension/master/extension.json"
    ]
    valid(RECORD_PACKAGE, record_package(processes, RECORDS_URI, PUBLISHED, PUBLISHER))


def test_linked_records_point_into_the_release_package() -> None:
    package = record_package([call_off()], RECORDS_URI, PUBLISHED, PUBLISHER, PACKAGE_URI)
    valid(RECORD_PACKAGE, package)
    assert package["packages"] == [PACKAGE_URI]
    assert "extensions" not in package  # a call-off uses no extension
    (record,) = package["records"]
    own = releases(call_off(), PUBLISHED)
    assert record["releases"] == [
        {"url": f"{PACKAGE_URI}#{r['id']}", "date": r["date"], "tag": r["tag"]} for r in own
    ]
    assert record["compiledRelease"] == MERGER.create_compiled_release(own)


def test_the_package_schemas_apply_the_local_release_schema() -> None:
    (release, *_) = releases(framework(), PUBLISHED)
    broken = release_package([{**release, "tag": ["signed"]}], PACKAGE_URI, PUBLISHED, "x")
    with pytest.raises(ValidationError, match="signed"):
        RELEASE_PACKAGE.validate(broken)
    not_utc = release_package(
        [{**release, "date": "2025-03-01 09:00"}], PACKAGE_URI, PUBLISHED, "x"
    )
    with pytest.raises(ValidationError, match="date-time"):
        RELEASE_PACKAGE.validate(not_utc)


def test_a_schema_that_is_not_local_fails_instead_of_being_fetched() -> None:
    remote = {"$ref": "https://standard.open-contracting.org/schema/1__1__5/elsewhere.json"}
    with pytest.raises(pytest.fail.Exception, match=r"elsewhere\.json"):
        Draft4Validator(remote, registry=REGISTRY).validate({})


# --- the merge ----------------------------------------------------------------------------


def test_compile_release_merges_objects_with_ids_and_replaces_plain_lists() -> None:
    first = {
        "ocid": "ocds-a1b2c3-1",
        "id": "r1",
        "date": "2025-01-01T00:00:00Z",
        "tag": ["tender"],
        "parties": [{"id": "a", "name": "A", "roles": ["tenderer"]}],
        "tender": {"id": "t", "status": "active", "items": [{"id": "i", "quantity": 5}]},
    }
    second = {
        "ocid": "ocds-a1b2c3-1",
        "id": "r2",
        "date": "2025-02-01T00:00:00Z",
        "tag": ["award"],
        "parties": [
            {"id": "a", "roles": ["tenderer", "supplier"]},
            {"id": "b", "name": "B", "roles": ["buyer"]},
        ],
        "tender": {"id": "t", "status": "complete"},
    }
    assert compile_release([second, first]) == {
        "tag": ["compiled"],
        "id": "ocds-a1b2c3-1-2025-02-01T00:00:00Z",
        "date": "2025-02-01T00:00:00Z",
        "ocid": "ocds-a1b2c3-1",
        "parties": [
            {"id": "a", "name": "A", "roles": ["tenderer", "supplier"]},
            {"id": "b", "name": "B", "roles": ["buyer"]},
        ],
        "tender": {"id": "t", "status": "complete", "items": [{"id": "i", "quantity": 5}]},
    }


# --- ocids --------------------------------------------------------------------------------


def test_an_ocid_joins_a_registered_prefix_and_the_process_id() -> None:
    assert ocid("ocds-213czf", "framework-7") == "ocds-213czf-framework-7"


@pytest.mark.parametrize("prefix", ["ocds-213cz", "ocds-213CZF", "213czf", "ocds-213czf-", ""])
def test_a_malformed_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        ocid(prefix, "framework-7")


@pytest.mark.parametrize("local_id", ["", "a#b", " framework-7"])
def test_a_process_id_that_would_break_release_ids_is_refused(local_id: str) -> None:
    with pytest.raises(ValueError, match="cannot end an ocid"):
        ocid("ocds-213czf", local_id)


# --- releasability, by example ------------------------------------------------------------


def hiding(*hidden: str) -> Callable[[Readable], bool]:
    """An audience that may read everything except the parties, bids, awards, ocids named."""

    def may_read(thing: Readable) -> bool:
        key = thing.ocid if isinstance(thing, ContractingProcess) else thing.id
        return key not in hidden

    return may_read


def test_an_audience_that_may_read_everything_gets_everything() -> None:
    processes = (framework(), call_off())
    assert releasable(processes, lambda _: True) == processes


def test_a_hidden_nation_vanishes_with_its_call_offs_and_requirements() -> None:
    kept = releasable([framework(), call_off()], hiding(DEU.id))
    assert [p.ocid for p in kept] == [FRAMEWORK_OCID]
    text = json.dumps(compiled(kept[0]))
    assert "Germany" not in text
    assert "DEU-155-01" not in text
    assert "Poland" in text


def test_a_hidden_supplier_takes_its_bids_awards_and_contracts_along() -> None:
    kept = releasable([framework(), call_off()], hiding(WESER.id))
    assert [p.ocid for p in kept] == [FRAMEWORK_OCID, CALL_OFF_OCID]
    framework_view, call_off_view = (compiled(p) for p in kept)
    assert framework_view["tender"]["numberOfTenderers"] == 1
    assert "awards" not in framework_view
    assert "awards" not in call_off_view
    assert "contracts" not in call_off_view
    assert "Weserhagen" not in json.dumps([framework_view, call_off_view])


def test_a_hidden_bid_or_award_goes_alone() -> None:
    (view,) = releasable([framework()], hiding("bid-2", "framework-7"))
    assert view.tender.bids == (Bid("bid-1", WESER.id),)
    assert view.awards == ()
    assert view.parties == framework().parties


def test_a_call_off_loses_the_link_to_a_framework_its_audience_may_not_read() -> None:
    (view,) = releasable([framework(), call_off()], hiding(FRAMEWORK_OCID))
    assert view.ocid == CALL_OFF_OCID
    assert view.framework is None
    (alone,) = releasable([call_off()], hiding("nothing"))
    assert alone.framework == FRAMEWORK_OCID  # the framework was not offered: the link stays


# --- properties over generated processes --------------------------------------------------

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))])
MOMENTS = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=ZONES
)
CURRENCIES = st.sampled_from(["EUR", "USD", "PLN", "GBP"])
AMOUNTS = st.floats(min_value=0, max_value=1e10, allow_nan=False, allow_infinity=False)


@st.composite
def money(draw: st.DrawFn) -> Money:
    return Money(draw(AMOUNTS), draw(CURRENCIES))


@st.composite
def maybe(draw: st.DrawFn, strategy: st.SearchStrategy[Any]) -> Any:
    return draw(st.none() | strategy)


@st.composite
def items(draw: st.DrawFn) -> tuple[Item, ...]:
    count = draw(st.integers(1, 3))
    return tuple(
        Item(
            id=f"item-{i}",
            description=f"Item {i}",
            quantity=draw(st.integers(1, 100_000)),
            classification=draw(
                maybe(
                    st.builds(
                        Classification,
                        st.just("NSN"),
                        st.from_regex(r"\d{4}-\d{2}-\d{3}-\d{4}", fullmatch=True),
                    )
                )
            ),
            unit_price=draw(maybe(money())),
        )
        for i in range(count)
    )


@st.composite
def periods(draw: st.DrawFn) -> Period:
    return Period(draw(maybe(MOMENTS)), draw(maybe(MOMENTS)))


@st.composite
def tenders(draw: st.DrawFn, key: str, bidders: list[Party], framework: bool) -> Tender:
    chosen = draw(st.lists(st.sampled_from(bidders), unique=True)) if bidders else []
    return Tender(
        id=f"{key}-tender",
        status=draw(st.sampled_from(TenderStatus)),
        method=draw(st.sampled_from(ProcurementMethod)),
        criteria=draw(st.sampled_from(AwardCriteria)),
        items=draw(items()),
        published=draw(maybe(MOMENTS)),
        period=draw(maybe(periods())),
        value=draw(maybe(money())),
        bids=tuple(Bid(f"{key}-bid-{i}", party.id) for i, party in enumerate(chosen)),
        framework_agreement=framework,
    )


@st.composite
def awards(draw: st.DrawFn, key: str, suppliers: list[Party], most: int) -> tuple[Award, ...]:
    return tuple(
        Award(
            id=f"{key}-award-{i}",
            status=draw(st.sampled_from(AwardStatus)),
            suppliers=tuple(
                p.id
                for p in draw(
                    st.lists(st.sampled_from(suppliers), min_size=1, max_size=3, unique=True)
                )
            ),
            date=draw(maybe(MOMENTS)),
            value=draw(maybe(money())),
            items=draw(st.just(()) | items()),
            period=draw(maybe(periods())),
        )
        for i in range(draw(st.integers(0, most)))
    )


@st.composite
def deliveries(draw: st.DrawFn, key: str, payer: str, payees: tuple[str, ...]) -> Delivery:
    return Delivery(
        id=key,
        item="item-0",
        quantity=draw(st.integers(1, 10_000)),
        status=draw(st.sampled_from(DeliveryStatus)),
        due=draw(maybe(MOMENTS)),
        delivered=draw(maybe(MOMENTS)),
        value=draw(maybe(money())),
        payer=payer,
        payee=draw(st.sampled_from(payees)),
    )


@st.composite
def contracts(draw: st.DrawFn, key: str, award: Award, payer: str) -> Contract:
    return Contract(
        id=f"{key}-contract",
        award=award.id,
        status=draw(st.sampled_from(ContractStatus)),
        signed=draw(maybe(MOMENTS)),
        period=draw(maybe(periods())),
        value=draw(maybe(money())),
        deliveries=tuple(
            draw(deliveries(f"{key}-delivery-{i}", payer, award.suppliers))
            for i in range(draw(st.integers(0, 4)))
        ),
    )


@st.composite
def plannings(draw: st.DrawFn, key: str, buyers: list[Party]) -> Planning:
    return Planning(
        approved=draw(MOMENTS),
        requirements=tuple(Requirement(f"{key}-{b.id}-req", b.id) for b in buyers),
        budget=draw(maybe(money())),
    )


@st.composite
def single_stage(
    draw: st.DrawFn, key: str, buyers: list[Party], suppliers: list[Party], framework: str | None
) -> ContractingProcess:
    """A call-off (with `framework`) or a joint procurement: tender, award, contract, deliveries."""
    process_awards = draw(awards(key, suppliers, 2))
    return ContractingProcess(
        ocid=f"{PREFIX}-{key}",
        title=f"Process {key}",
        buyers=tuple(b.id for b in buyers),
        parties=(AGENCY, *buyers, *suppliers),
        procuring_entity=draw(st.sampled_from([AGENCY.id, buyers[0].id])),
        planning=draw(maybe(plannings(key, buyers))),
        tender=draw(tenders(key, suppliers, False)),
        awards=process_awards,
        contracts=tuple(
            draw(contracts(f"{key}-{i}", award, buyers[0].id))
            for i, award in enumerate(process_awards)
        ),
        framework=framework,
    )


World = tuple[ContractingProcess, list[ContractingProcess], list[ContractingProcess]]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """A framework with 1–5 buyers, its 0–10 call-offs, and (last) the call-offs and 0–2
    joint procurements beside it.

    Names and ids are bracketed and numbered, so that none is part of another.
    """
    nations = [
        Party(f"nation-{i:02d}", f"[nation {i:02d}]") for i in range(draw(st.integers(1, 6)))
    ]
    suppliers = [
        Party(f"supplier-{i:02d}", f"[supplier {i:02d}]", "NCAGE", f"C{i:04d}")
        for i in range(draw(st.integers(1, 5)))
    ]
    buyers = draw(st.lists(st.sampled_from(nations), min_size=1, max_size=5, unique=True))
    fw_awards = draw(awards("framework", suppliers, 3))
    main = ContractingProcess(
        ocid=f"{PREFIX}-framework",
        title="Framework",
        buyers=tuple(b.id for b in buyers),
        parties=(AGENCY, *nations, *suppliers),
        procuring_entity=AGENCY.id,
        planning=draw(plannings("framework", buyers)),
        tender=draw(tenders("framework", suppliers, True)),
        awards=fw_awards,
    )
    on_framework = sorted({s for a in fw_awards for s in a.suppliers}) or [suppliers[0].id]
    framework_suppliers = [s for s in suppliers if s.id in on_framework]
    call_offs = [
        draw(
            single_stage(
                f"calloff-{i:02d}",
                [draw(st.sampled_from(buyers))],
                framework_suppliers,
                main.ocid,
            )
        )
        for i in range(draw(st.integers(0, 10)))
    ]
    joint = [
        draw(
            single_stage(
                f"joint-{i:02d}",
                draw(st.lists(st.sampled_from(nations), min_size=1, unique=True)),
                suppliers,
                None,
            )
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    return main, call_offs, [*call_offs, *joint]


PROPERTIES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def everything(world: World) -> list[ContractingProcess]:
    main, _, others = world
    return [main, *others]


@PROPERTIES
@given(worlds())
def test_generated_processes_give_valid_release_and_record_packages(world: World) -> None:
    processes = everything(world)
    all_releases = [r for p in processes for r in releases(p, PUBLISHED)]
    valid(RELEASE_PACKAGE, release_package(all_releases, PACKAGE_URI, PUBLISHED, PUBLISHER))
    embedded = record_package(processes, RECORDS_URI, PUBLISHED, PUBLISHER)
    valid(RECORD_PACKAGE, embedded)
    valid(RECORD_PACKAGE, record_package(processes, RECORDS_URI, PUBLISHED, PUBLISHER, PACKAGE_URI))
    reached = [p.ocid for p in processes if releases(p, PUBLISHED)]
    assert [record["ocid"] for record in embedded["records"]] == reached
    assert not list(hollow(all_releases))  # OCDS merging reads null as "delete"


def hollow(value: Any, path: str = "") -> Iterator[str]:
    """Paths of the nulls and empty objects or lists in `value`."""
    if value is None or value == {} or value == []:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from hollow(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from hollow(item, f"{path}/{index}")


@PROPERTIES
@given(worlds())
def test_every_call_off_points_to_its_framework(world: World) -> None:
    main, call_offs, _ = world
    for process in call_offs:
        own = releases(process, PUBLISHED)
        for release in [*own, compile_release(own)] if own else []:
            links = [
                link["identifier"]
                for link in release["relatedProcesses"]
                if link["relationship"] == ["framework"] and link["scheme"] == "ocid"
            ]
            assert links == [main.ocid]


@PROPERTIES
@given(worlds())
def test_the_compiled_release_is_the_merge_of_the_releases(world: World) -> None:
    package = record_package(everything(world), RECORDS_URI, PUBLISHED, PUBLISHER)
    for record in package["records"]:
        dates = [release["date"] for release in record["releases"]]
        assert dates == sorted(dates)
        assert record["compiledRelease"] == MERGER.create_compiled_release(record["releases"])


@st.composite
def audiences(draw: st.DrawFn, processes: list[ContractingProcess]) -> set[str]:
    """What one audience may not read: some parties, processes, bids and awards, by key."""
    keys = (
        {party.id for p in processes for party in p.parties}
        | {p.ocid for p in processes}
        | {bid.id for p in processes for bid in p.tender.bids}
        | {award.id for p in processes for award in p.awards}
    )
    return set(draw(st.lists(st.sampled_from(sorted(keys)), unique=True)))


@PROPERTIES
@given(st.data())
def test_releasability_never_leaks_what_it_drops(data: st.DataObject) -> None:
    processes = everything(data.draw(worlds()))
    hidden = data.draw(audiences(processes))
    kept = releasable(processes, hiding(*hidden))
    published = [r for p in kept for r in releases(p, PUBLISHED)]
    if not published:
        return
    text = json.dumps(
        [
            release_package(published, PACKAGE_URI, PUBLISHED, PUBLISHER),
            record_package(kept, RECORDS_URI, PUBLISHED, PUBLISHER),
        ]
    )
    for process in processes:
        for party in process.parties:
            if party.id in hidden:
                assert json.dumps(party.name) not in text
                assert json.dumps(party.id) not in text
        for award in process.awards:
            if award.id in hidden:
                assert json.dumps(award.id) not in text
        for requirement in process.planning.requirements if process.planning else ():
            if requirement.nation in hidden:
                assert requirement.code not in text
        if process.ocid in hidden:
            assert process.ocid not in text
    for process in processes:
        # What may be read is still there: the visible buyers of a visible process with a stage.
        staged = process.planning is not None or process.tender.published is not None
        if process.ocid in hidden or not staged:
            continue
        for party in process.parties:
            if party.id in process.buyers and party.id not in hidden:
                assert json.dumps(party.name) in text
