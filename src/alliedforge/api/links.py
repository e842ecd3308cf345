"""OpenAPI links: from each answer that returns a record to what can be done with it next."""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

OpenAPI = dict[str, Any]
Operation = dict[str, Any]

# `/collection/{record_id}`: the record's own path, keyed by its one path parameter.
RECORD_PATH = re.compile(r"^(?P<collection>.+)/\{(?P<key>[^{}/]+)\}$")
IF_MATCH = "if-match"
# Every update names the version it is based on: the record's ETag is its version, quoted.
ETAG = '"{$response.body#/version}"'


def add_links(openapi: OpenAPI) -> OpenAPI:
    """A copy of `openapi` in which every answer that returns a record (its creation, read,
    update or a state change such as submit) links to the read, update, delete and state
    changes of that record: its id from the answer's body, and `If-Match` from its version.
    Links name their target by operationId."""
    linked = copy.deepcopy(openapi)
    paths: dict[str, dict[str, Operation]] = linked.get("paths", {})
    schemas: dict[str, Any] = linked.get("components", {}).get("schemas", {})
    for path, item in paths.items():
        match = RECORD_PATH.match(path)
        read = item.get("get")
        if match is None or read is None:
            continue
        record = _answer_schema(read)
        if record is None:
            continue
        fields = schemas.get(record.rsplit("/", 1)[-1], {}).get("properties", {})
        key = match["key"] if match["key"] in fields else "id"  # `{code}`, or `{x_id}` → id
        if key not in fields:
            continue
        targets = [read, *(item[m] for m in ("patch", "delete") if m in item)]
        targets += _state_changes(paths, path)
        for source, answer in _answers_of(paths, match["collection"], record):
            # A read needs no link to itself.
            onward = [target for target in targets if source is not read or target is not read]
            answer.setdefault("links", {}).update(
                _links(onward, match["key"], key, versioned="version" in fields)
            )
    return linked


def _answer_schema(operation: Operation) -> str | None:
    """The `$ref` of the JSON body of the operation's success answer, if it has one."""
    for status, answer in operation.get("responses", {}).items():
        if status.startswith("2"):
            ref = answer.get("content", {}).get("application/json", {}).get("schema", {})
            found = ref.get("$ref")
            return found if isinstance(found, str) else None
    return None


def _state_changes(paths: dict[str, dict[str, Operation]], path: str) -> list[Operation]:
    """`POST {path}/verb` operations that change the record under If-Match (submit, publish,
    cancel …); a POST that creates something below it takes no If-Match."""
    found = []
    for other, item in paths.items():
        verb = other.removeprefix(f"{path}/")
        post = item.get("post")
        is_verb = other.startswith(f"{path}/") and "/" not in verb and "{" not in verb
        if is_verb and post and IF_MATCH in _header_names(post):
            found.append(post)
    return found


def _answers_of(
    paths: dict[str, dict[str, Operation]], collection: str, record: str
) -> Iterator[tuple[Operation, dict[str, Any]]]:
    """The operations under `collection` whose success answer's body is the record, with
    that answer."""
    for path, item in paths.items():
        if path != collection and not path.startswith(f"{collection}/"):
            continue
        for operation in item.values():
            if not isinstance(operation, dict) or _answer_schema(operation) != record:
                continue
            for status, answer in operation.get("responses", {}).items():
                if status.startswith("2"):
                    yield operation, answer


def _links(targets: list[Operation], parameter: str, key: str, *, versioned: bool) -> Operation:
    links: Operation = {}
    for target in targets:
        parameters = {f"path.{parameter}": f"$response.body#/{key}"}
        if versioned and IF_MATCH in _header_names(target):
            parameters[f"header.{IF_MATCH}"] = ETAG
        name = str(target.get("summary", target["operationId"])).replace(" ", "")
        links[name] = {"operationId": target["operationId"], "parameters": parameters}
    return links


def _header_names(operation: Operation) -> set[str]:
    return {
        str(parameter.get("name", "")).lower()
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "header"
    }


def linked(build: Callable[[], OpenAPI]) -> Callable[[], OpenAPI]:
    """`build` (FastAPI's schema generator) with `add_links` applied, once."""
    return functools.cache(lambda: add_links(build()))
