"""Schemathesis over the served OpenAPI schema, signed in as each role: no request, valid or
not, gets a 5xx; every answer has a status and a body the schema declares. Then plain
regressions for what the fuzzing found."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from alliedforge.domain.access.caller import Role
from alliedforge.scenario import load_scenario

from live_api import TEST_URL_ENV, Person, served
from shared_data import GOLDEN

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(TEST_URL_ENV) else [])
# One user per role, named after it.
USERS = (
    Person("admin", Role.ADMIN, nationality="N00"),
    Person("planner", Role.PLANNER, nationality="N00"),
    Person("nation", Role.NATION, nation="N00"),
    Person("supplier", Role.SUPPLIER, supplier="S000X"),
    Person("auditor", Role.AUDITOR, nationality="N01"),
)
# Left out of the fuzzing: a solve and a scenario upload take long and replace what the
# others read; the event stream stays open while a run solves; revoking tokens by id
# would revoke the very tokens the fuzzing signs in with. Each has its own tests.
EXCLUDED = frozenset(
    {
        "POST /api/v1/plans",
        "POST /api/v1/scenario",
        "GET /api/v1/plans/{run_id}/events",
        "DELETE /api/v1/tokens/{token_id}",
        # Start background solves (up to 200 risk samples): fuzzed in tests/test_api_whatifs.py.
        "POST /api/v1/whatifs/{code}/runs",
        "POST /api/v1/risk-runs",
    }
)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Examples per operation and role: keeps the file near a minute on SQLite. Invalid input
# is refused (422) before any role's rules run, so one role covers it, with more examples.
EXAMPLES = 5
INVALID_EXAMPLES = 10
INVALID_ROLE = "planner"
HUGE = 2**70  # past any 64-bit integer column


@dataclass(frozen=True)
class Service:
    base: str
    tokens: dict[str, str]  # user name (= role) → API token

    def client(self, user: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=30)


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    scenario = load_scenario(GOLDEN / "tiny")
    folder = tmp_path_factory.mktemp("fuzz-api")
    with served(request.param, folder, scenario, USERS, "fuzz") as (base, tokens):
        yield Service(base, tokens)


@pytest.fixture(scope="module")
def schema(api: Service) -> Any:
    return schemathesis.openapi.from_url(f"{api.base}/api/v1/openapi.json")


def _fuzz(operation: Any, mode: GenerationMode, examples: int, base: str, token: str) -> None:
    """Send `examples` generated requests to `operation`; raise on the first failing check
    (shrunk by hypothesis)."""
    headers = {"Authorization": f"Bearer {token}"}
    with requests.Session() as http:

        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(mode))
        def run(case: Any) -> None:
            case.call_and_validate(base_url=base, session=http, headers=headers, checks=CHECKS)

        run()


def _has_input(operation: Any) -> bool:
    """Whether there is anything to make invalid (negative generation needs something)."""
    return bool(list(operation.iter_parameters()) or operation.body)


@pytest.mark.parametrize("role", [person.name for person in USERS])
def test_no_5xx_and_answers_match_the_schema(api: Service, schema: Any, role: str) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60  # the whole API, not an empty schema
    for operation in operations:
        if operation.label in EXCLUDED:
            continue
        modes = [(GenerationMode.POSITIVE, EXAMPLES)]
        if role == INVALID_ROLE and _has_input(operation):
            modes.append((GenerationMode.NEGATIVE, INVALID_EXAMPLES))
        for mode, examples in modes:
            try:
                _fuzz(operation, mode, examples, api.base, api.tokens[role])
            except Exception as error:  # collect every operation's failure, then report
                failures.append(f"{operation.label} [{mode.value}]: {error}")
    assert not failures, "\n\n".join(failures)


# Regressions found by the fuzzing above.


@pytest.mark.parametrize(
    "path",
    [
        f"/nations/{HUGE}",
        f"/requirements/{HUGE}",
        f"/lines/{-HUGE}",
        f"/plans/{HUGE}",
        f"/plans/{HUGE}/deliveries",
        f"/nations?after={HUGE}",
        f"/plans?after={HUGE}",
    ],
)
def test_an_id_past_the_integer_columns_is_422_not_500(api: Service, path: str) -> None:
    with api.client("planner") as client:
        answer = client.get(path)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"][-1] in {"nation_id", "requirement_id", "line_id"} | {
        "run_id",
        "after",
    }


def test_revoking_a_huge_token_id_is_422_not_500(api: Service) -> None:
    with api.client("nation") as client:
        assert client.delete(f"/tokens/{HUGE}").status_code == 422


def test_huge_integers_in_bodies_are_422_naming_the_field(api: Service) -> None:
    with api.client("planner") as client:
        commitment = {
            "code": "FUZZ-1",
            "line": "L",
            "nation": "N00",
            "stockpile": HUGE,
            "month": "2027-01",
            "quantity": 1,
            "unit_price": 1,
        }
        made = client.post("/commitments", json=commitment)
        assert made.status_code == 422, made.text
        assert made.json()["detail"][0]["loc"] == ["body", "stockpile"]
        supplier = client.get("/suppliers", params={"limit": 1}).json()["items"][0]
        changed = client.patch(
            f"/suppliers/{supplier['id']}",
            json={"track_record": {"contracts": HUGE}},
            headers={"If-Match": f'"{supplier["version"]}"'},
        )
        assert changed.status_code == 422, changed.text
        assert changed.json()["detail"][0]["loc"][-1] == "contracts"


def test_a_nul_character_is_422_not_500(api: Service) -> None:
    # PostgreSQL text cannot hold NUL; SQLite stores it. Neither answers 5xx.
    item = {"name": "Round", "code": "NUL\x00CODE", "family": "155mm"}
    with api.client("planner") as client:
        made = client.post("/items", json=item)
    assert made.status_code in {201, 422}, made.text
    assert made.status_code == 201 or made.json()["detail"][0]["loc"] == ["body"]


def test_the_schema_declares_the_errors_each_route_answers(api: Service) -> None:
    with api.client("auditor") as client:
        paths = client.get("/openapi.json").json()["paths"]
    update = paths["/api/v1/requirements/{requirement_id}"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "412", "422", "428"} <= set(update)
    listing = paths["/api/v1/requirements"]["get"]["responses"]
    assert {"401", "403", "422"} <= set(listing)
    assert "404" not in listing
    assert "412" not in listing
    assert {"401", "429"} <= set(paths["/api/v1/auth/login"]["post"]["responses"])
    assert "409" in paths["/api/v1/plans"]["post"]["responses"]
    assert "413" in paths["/api/v1/scenario"]["post"]["responses"]
