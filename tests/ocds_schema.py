"""The official OCDS 1.1.5 schemas, resolved locally, as validators for the tests.

The schemas come from `../shared/ocds-1.1.5/` and resolve each other through a
`referencing` registry keyed by their `id`s; a reference that would fetch a schema fails
the test instead. `date-time` and `uri` formats are checked too (jsonschema skips them
unless optional packages are installed).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from shared_data import SHARED

OCDS = SHARED / "ocds-1.1.5"
SCHEMAS: dict[str, dict[str, Any]] = {
    path.name: json.loads(path.read_text(encoding="utf-8")) for path in OCDS.glob("*.json")
}


def _refuse(uri: str) -> Resource[Any]:
    pytest.fail(f"a schema reference tried to fetch {uri}; every schema must resolve locally")


REGISTRY: Registry[Any] = Registry(retrieve=_refuse).with_resources(
    (schema["id"], DRAFT4.create_resource(schema)) for schema in SCHEMAS.values()
)
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or (
        "T" in value and datetime.fromisoformat(value).tzinfo is not None
    )


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)


def _validator(name: str) -> Draft4Validator:
    return Draft4Validator(SCHEMAS[name], registry=REGISTRY, format_checker=FORMATS)


RELEASE_PACKAGE = _validator("release-package-schema.json")
RECORD_PACKAGE = _validator("record-package-schema.json")


def valid(validator: Draft4Validator, package: dict[str, Any]) -> None:
    """Assert that `package` holds no error against the validator's schema."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(package)]
    assert errors == []
