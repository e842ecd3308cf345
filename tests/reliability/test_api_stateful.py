"""Schemathesis stateful runs over the live API, signed in as each role.

Scenarios are sequences of calls in which later calls use what earlier ones answered:
create a record, read it, update or submit it with the version it came back with, delete
it, read it again. The served schema's OpenAPI links (`alliedforge.api.links`) and
schemathesis' own link inference chain the calls. Every answer is checked: no 5xx, a
declared status and body, a record just created is there (`ensure_resource_availability`),
one deleted is gone (`use_after_free`), and — our own invariant — a nation user's answers
carry no other nation's code in a `nation` field, a supplier user's no other supplier's in
a `supplier` field.

Each role gets `ALLIEDFORGE_STATEFUL_EXAMPLES` scenarios of up to `STEPS` calls (6 by
default: about 40 s for both backends; 100: about 5 minutes) and prints `stateful <role>
[<backend>]: N scenarios, M calls, K links followed (…)` for the reliability report.
"""

from __future__ import annotations

import copy
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import hypothesis
import pytest
import requests
import schemathesis
from hypothesis.errors import Flaky
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.engine.errors import is_inconsistent_replay
from schemathesis.specs.openapi.checks import (
    ensure_resource_availability,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from alliedforge.api.links import add_links
from alliedforge.scenario import Scenario, load_scenario
from alliedforge.store.base import CLASSIFICATIONS
from test_api_fuzz import BACKENDS, EXCLUDED, USERS, Service

from live_api import served
from shared_data import GOLDEN

# Scenarios per role; steps per scenario.
EXAMPLES = int(os.environ.get("ALLIEDFORGE_STATEFUL_EXAMPLES", "6"))
STEPS = 20
# Readers first, so the scoped roles meet the whole tiny record before the agency's
# scenarios delete parts of it.
ROLES = ("nation", "supplier", "auditor", "planner", "admin")
OWN = {person.name: person for person in USERS}
# A supplier's track record is a public profile that every role reads (procurement.md).
PUBLIC = frozenset({"GET /api/v1/suppliers/{supplier_id}/track-record"})
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    ensure_resource_availability,
    use_after_free,
]


def foreign_codes(body: Any, field: str, own: str) -> list[str]:
    """Where in `body` a `field` names a code other than `own` (as `path: code`)."""
    found: list[str] = []
    pending: list[tuple[str, Any]] = [("", body)]
    while pending:
        where, node = pending.pop()
        if isinstance(node, dict):
            value = node.get(field)
            if isinstance(value, str) and value != own:
                found.append(f"{where}/{field}: {value}")
            pending.extend((f"{where}/{key}", item) for key, item in node.items())
        elif isinstance(node, list):
            pending.extend((f"{where}/{index}", item) for index, item in enumerate(node))
    return sorted(found)


def access_check(role: str) -> Callable[..., bool | None] | None:
    """The scoping invariant of `role` as a schemathesis check, or None for staff."""
    person = OWN[role]
    if person.nation:
        field, own = "nation", person.nation
    elif person.supplier:
        field, own = "supplier", person.supplier
    else:
        return None

    def check(ctx: Any, response: Any, case: Any) -> bool | None:
        # Deletes answer 204 with no body (though typed application/json).
        kind = response.headers.get("content-type", [""])[0]
        if case.operation.label in PUBLIC or "json" not in kind or not response.content:
            return None
        leaks = foreign_codes(response.json(), field, own)
        assert not leaks, f"the {role} user ({own}) was answered another {field}'s: {leaks}"
        return True

    check.__name__ = f"only_own_{field}"
    return check


def _months(scenario: Scenario) -> list[str]:
    year, month = map(int, scenario.manifest.start.split("-"))
    return [
        f"{year + (month - 1 + step) // 12}-{(month - 1 + step) % 12 + 1:02d}"
        for step in range(scenario.manifest.months)
    ]


def real_values(scenario: Scenario) -> dict[str, list[Any]]:
    """Values of the tiny record for the request fields that name a record or a month:
    random strings would almost never name one, and every create would be a 422."""
    months = _months(scenario)
    outages = [
        f'name = "{line.code} outage"\n[[change]]\nkind = "line_outage"\n'
        f'line = "{line.code}"\nstart = "{months[1]}"\nmonths = 2\n'
        for line in scenario.lines
    ]
    return {
        "nation": [nation.code for nation in scenario.nations],
        "supplier": [supplier.code for supplier in scenario.suppliers],
        "weapon_system": [system.code for system in scenario.weapon_systems],
        "item": [item.code for item in scenario.items],
        "line": [line.code for line in scenario.lines],
        "requirement": [requirement.code for requirement in scenario.requirements],
        "due": months,
        "month": months,
        "earliest_decision": months,
        "due_from": months,
        "due_to": months,
        "text": outages,  # a what-if's file
        "format": ["toml"],
        "classification": list(CLASSIFICATIONS),  # of a record's security label
        "releasable_to": [nation.code for nation in scenario.nations],
    }


def _pinned(schema: dict[str, Any], values: list[Any]) -> dict[str, Any]:
    """`schema` (a value, a list of values, either or null) limited to `values`."""
    branches = schema.get("anyOf", [schema])
    choice: dict[str, Any] = {"enum": values}
    if any(branch.get("type") == "array" for branch in branches):
        choice = {"type": "array", "items": choice}
    return {"anyOf": [choice, {"type": "null"}]} if {"type": "null"} in branches else choice


def _refs(node: Any, schemas: dict[str, Any], found: set[str]) -> set[str]:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        name = ref.rsplit("/", 1)[-1]
        if ref.startswith("#/components/schemas/") and name not in found:
            found.add(name)
            _refs(schemas[name], schemas, found)
        for item in node.values():
            _refs(item, schemas, found)
    elif isinstance(node, list):
        for item in node:
            _refs(item, schemas, found)
    return found


def with_real_values(openapi: dict[str, Any], values: dict[str, list[Any]]) -> dict[str, Any]:
    """`openapi` with the request fields and query parameters named in `values` limited
    to them, and If-Match required. Schemas that answers use too are left alone, so the
    answers are checked against the schema as served."""
    pinned = copy.deepcopy(openapi)
    schemas = pinned["components"]["schemas"]
    operations = [op for item in pinned["paths"].values() for op in item.values()]
    sent: set[str] = set()
    answered: set[str] = set()
    for operation in operations:
        _refs(operation.get("requestBody", {}), schemas, sent)
        _refs(operation.get("responses", {}), schemas, answered)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] in values:
                parameter["schema"] = _pinned(parameter["schema"], values[parameter["name"]])
            # Declared optional so that leaving it out is a 428 rather than a 422; a link
            # fills a required parameter far more often than an optional one.
            if parameter["in"] == "header" and parameter["name"] == "if-match":
                parameter["required"] = True
    for name in sent - answered:
        properties = schemas[name].get("properties", {})
        for field in properties.keys() & values.keys():
            properties[field] = _pinned(properties[field], values[field])
    return pinned


def stateful_schema(base: str) -> Any:
    """The served schema, with real values for the fields that name records, without the
    operations the fuzzing leaves out."""
    served = httpx.get(f"{base}/api/v1/openapi.json", timeout=60).json()
    values = real_values(load_scenario(GOLDEN / "tiny"))
    loaded = schemathesis.openapi.from_dict(with_real_values(served, values))
    # Invalid input is the stateless fuzzing's (tests/test_api_fuzz.py); here it would only
    # cut chains short, and each negative strategy costs as much to build as a positive one.
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE])
    return loaded.exclude(name=sorted(EXCLUDED))


@pytest.fixture(scope="module", params=BACKENDS)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The live service over a fresh copy of the tiny record, with a user of each role."""
    folder = tmp_path_factory.mktemp("stateful-api")
    tiny = load_scenario(GOLDEN / "tiny")
    with served(request.param, folder, tiny, USERS, "stateful") as (base, tokens):
        yield Service(base, tokens)


@pytest.fixture(scope="module")
def schema(service: Service) -> Any:
    return stateful_schema(service.base)


@pytest.fixture(scope="module")
def machine(schema: Any) -> Any:
    """The schema's state machine (links as served, and those schemathesis infers)."""
    return schema.as_state_machine()


def _headers(service: Service, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {service.tokens[role]}"}


def _describe(case: Any, response: Any, group: FailureGroup) -> tuple[str, str]:
    """What failed (to count alike failures once) and the first request and answer."""
    titles = "; ".join(sorted({failure.title for failure in group.exceptions}))
    what = f"{case.operation.label} → {response.status_code}: {titles}"
    detail = "\n".join(failure.message for failure in group.exceptions)
    request = case.as_curl_command()
    return what, f"{detail}\n  request: {request}\n  answer: {response.text[:600]}"


def _tally(tally: Counter[str], step: Any, status: int) -> None:
    tally["calls"] += 1
    if step.transition is not None and step.is_applied:
        tally["links followed"] += 1
    if 200 <= status < 300:
        method = step.case.operation.method.upper()
        kind = {"PATCH": "updated", "DELETE": "deleted"}.get(method)
        if method == "POST":
            kind = "created" if status == 201 else "changed"  # submit, publish, cancel …
        if kind:
            tally[kind] += 1


def run_stateful(
    machine: Any, service: Service, role: str, tally: Counter[str], failures: dict[str, list[Any]]
) -> None:
    """Run `machine`'s scenarios as `role` until `EXAMPLES` have run. A failed check does
    not stop the run: it goes to `failures` (what failed → [times, first example])."""
    checks = CHECKS + [check for check in [access_check(role)] if check is not None]
    headers = _headers(service, role)
    http = requests.Session()

    class Workflow(machine):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            tally["scenarios"] += 1

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": service.base, "headers": headers, "session": http}

        def step(self, input: Any) -> Any:
            output = super().step(input)
            _tally(tally, input, output.response.status_code)
            return output

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            try:
                case.validate_response(
                    response, checks=checks, transport_kwargs=kwargs, recorder=self.recorder
                )
            except FailureGroup as group:
                what, example = _describe(case, response, group)
                failures.setdefault(what, [0, example])[0] += 1

    with http:
        # When the service's state makes a replay draw differently, hypothesis ends its run
        # (it calls that flaky): the next run starts from the next seed. Each run counts.
        for run in range(EXAMPLES):
            if tally["scenarios"] >= EXAMPLES:
                break
            tally["runs"] += 1
            run_settings = hypothesis.settings(
                max_examples=EXAMPLES - tally["scenarios"],
                stateful_step_count=STEPS,
                phases=[hypothesis.Phase.generate],
                deadline=None,
                database=None,
                suppress_health_check=list(hypothesis.HealthCheck),
            )
            try:
                hypothesis.seed(run)(Workflow).run(settings=run_settings)
            except Exception as error:
                if not (isinstance(error, Flaky) or is_inconsistent_replay(error)):
                    raise


# The checks and links the runs rely on.


@pytest.mark.parametrize(("role", "path"), [("nation", "/fleets"), ("supplier", "/lines")])
def test_the_access_check_flags_another_scopes_records(
    service: Service, schema: Any, role: str, path: str
) -> None:
    """The agency's answer, taken as a scoped user's, is a leak; the user's own is not."""
    check = access_check(role)
    assert check is not None
    operation = schema[f"/api/v1{path}"]["GET"]
    for user, leaks in (("planner", True), (role, False)):
        case = operation.Case(query={"limit": 500})
        answer = case.call(base_url=service.base, headers=_headers(service, user))
        assert answer.status_code == 200
        assert answer.json()["items"], f"{path} is empty for the {user}: nothing to leak"
        if leaks:
            with pytest.raises(FailureGroup, match="was answered another"):
                case.validate_response(answer, checks=[check])
        else:
            case.validate_response(answer, checks=[check])


def test_the_served_links_chain_create_update_delete(service: Service) -> None:
    """Follow the served schema's links from a created item by hand: the update and the
    delete they describe succeed, and the item is then gone."""
    with service.client("planner") as client:
        paths = client.get("/openapi.json").json()["paths"]
        links = paths["/api/v1/items"]["post"]["responses"]["201"]["links"]
        made = client.post("/items", json={"code": "LINKED", "name": "Round", "family": "f"})
        assert made.status_code == 201, made.text

        def follow(name: str, answer: httpx.Response) -> dict[str, str]:
            """The link's parameters, each runtime expression replaced by its value."""
            body = answer.json()
            return {
                key: re.sub(r"\{?\$response\.body#/(\w+)\}?", lambda m: str(body[m[1]]), value)
                for key, value in links[name]["parameters"].items()
            }

        update = follow("UpdateItem", made)
        changed = client.patch(
            f"/items/{update['path.item_id']}",
            json={"name": "Renamed"},
            headers={"If-Match": update["header.if-match"]},
        )
        assert changed.status_code == 200, changed.text
        assert changed.headers["ETag"] == '"2"'
        delete = follow("DeleteItem", changed)
        gone = client.delete(
            f"/items/{delete['path.item_id']}", headers={"If-Match": delete["header.if-match"]}
        )
        assert gone.status_code == 204, gone.text
        assert client.get(f"/items/{delete['path.item_id']}").status_code == 404


def test_every_served_link_names_a_parameter_of_its_target_and_a_field_of_its_answer(
    service: Service,
) -> None:
    with service.client("auditor") as client:
        served = client.get("/openapi.json").json()
    paths, schemas = served["paths"], served["components"]["schemas"]
    operations = {op["operationId"]: op for item in paths.values() for op in item.values()}
    linked = set()
    for path, item in paths.items():
        for method, operation in item.items():
            for answer in operation["responses"].values():
                if "links" not in answer:
                    continue
                record = answer["content"]["application/json"]["schema"]["$ref"]
                fields = schemas[record.rsplit("/", 1)[-1]]["properties"]
                for link in answer["links"].values():
                    target = operations[link["operationId"]]
                    names = {f"{p['in']}.{p['name']}" for p in target["parameters"]}
                    for name, expression in link["parameters"].items():
                        assert name in names, (path, method, link)
                        pointer = re.fullmatch(r'"?\{?\$response\.body#/(\w+)\}?"?', expression)
                        assert pointer is not None, expression
                        assert pointer[1] in fields, (path, link)
                linked.add(f"{method.upper()} {path}")
    creates = {f"POST /api/v1/{name}" for name in ("items", "requirements", "commitments")}
    assert creates | {"POST /api/v1/whatifs", "PATCH /api/v1/items/{item_id}"} <= linked


def test_add_links_leaves_the_schema_it_is_given_alone(service: Service) -> None:
    """Links are added to a copy, and the served schema is `add_links` of the generated one."""
    with service.client("auditor") as client:
        served = client.get("/openapi.json").json()
    bare = copy.deepcopy(served)
    for item in bare["paths"].values():
        for operation in item.values():
            for answer in operation.get("responses", {}).values():
                answer.pop("links", None)
    before = copy.deepcopy(bare)
    assert add_links(bare) == served
    assert bare == before


@pytest.mark.parametrize("role", ROLES)
def test_stateful_runs_keep_every_check(
    request: pytest.FixtureRequest, service: Service, machine: Any, role: str
) -> None:
    backend = request.node.callspec.params["service"]
    tally: Counter[str] = Counter()
    failures: dict[str, list[Any]] = {}
    run_stateful(machine, service, role, tally, failures)
    counts = ", ".join(
        f"{tally[name]} {name}" for name in ("created", "updated", "changed", "deleted")
    )
    print(
        f"stateful {role} [{backend}]: {tally['scenarios']} scenarios, {tally['calls']} calls, "
        f"{tally['links followed']} links followed ({counts})"
    )
    report = [f"{what} (×{times})\n{example}" for what, (times, example) in failures.items()]
    assert not report, "\n\n".join(report[:20])
    assert tally["scenarios"] >= EXAMPLES
    assert tally["links followed"] > 0, "no scenario used what an earlier call answered"
