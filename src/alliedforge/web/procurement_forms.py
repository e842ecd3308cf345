"""What the procurement pages share: who acts for the agency, today's date, the version a
form was rendered at, repeating rows of a form, and a refusal as the error of its field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import ValidationError

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.errors import ConflictError, InvalidError

AGENCY = frozenset({Role.ADMIN, Role.PLANNER})
# The form-wide error: a refusal no single field of the form caused.
FORM = "form"
# Pydantic prefixes the message of a failed validator with this.
VALUE_ERROR = "Value error, "


def acts_for_agency(caller: Caller) -> bool:
    """Whether the caller runs the agency's side of procurement (auditors write nothing)."""
    return caller.role in AGENCY


def expected_version(form: Mapping[str, str]) -> int | None:
    """The record version a workflow form was rendered at (None: missing or not a number)."""
    text = form.get("expected_version", "")
    return int(text) if text.isdigit() else None


def filled(form: Mapping[str, str], names: Sequence[str]) -> dict[str, str]:
    """The named fields that hold text, stripped: a blank field takes the schema default."""
    values = {name: form.get(name, "").strip() for name in names}
    return {name: value for name, value in values.items() if value}


def typed(form: Mapping[str, str], names: Sequence[str]) -> dict[str, str]:
    """The named fields as typed, to show the form again."""
    return {name: form.get(name, "") for name in names}


def rows(form: Mapping[str, str], prefix: str, names: Sequence[str]) -> list[dict[str, str]]:
    """The repeating rows `prefix-0-name`, `prefix-1-name`, … of a form, as typed."""
    found: list[dict[str, str]] = []
    while any(f"{prefix}-{len(found)}-{name}" in form for name in names):
        index = len(found)
        found.append({name: form.get(f"{prefix}-{index}-{name}", "") for name in names})
    return found


def located(invalid: ValidationError, fields: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each problem of a schema's validation as the error of its form field: the location
    joined with dashes (`tiers-0-unit_price`), renamed by `fields`; the whole model's
    problems are the form's."""
    errors: dict[str, str] = {}
    for problem in invalid.errors():
        where = "-".join(str(part) for part in problem["loc"]) or FORM
        message = str(problem["msg"]).removeprefix(VALUE_ERROR)
        errors.setdefault((fields or {}).get(where, where), message)
    return errors


def refused(error: InvalidError, fields: Mapping[str, str] | None = None) -> dict[str, str]:
    """A service's refusal as the error of the form field it names (renamed by `fields`)."""
    return {(fields or {}).get(error.field, error.field): error.reason}


def step_refusal(error: ConflictError | InvalidError) -> tuple[str, int]:
    """A refused workflow step as the message shown over the page, and the page's status:
    a rule broken (422), or a version someone changed since the page was shown (409)."""
    if isinstance(error, InvalidError):
        return error.reason, 422
    return str(error), 409
