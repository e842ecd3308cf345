"""The OCDS merge: the releases of one process compiled into its current state.

OCDS 1.1 merge rules, for the fields this export emits (it never emits null or
empty values): releases apply in date order; a release's `id`, `date` and `tag`
are left out; objects merge field by field; arrays of objects that carry an `id`
merge by `id`, an object with a new `id` joining at the end; any other array
(`roles`, `relationship`) is replaced whole. The compiled release is tagged
`compiled`, dated by the latest release and identified as `{ocid}-{date}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alliedforge.contracting.ocds.releases import JSON

OMITTED = ("id", "date", "tag")


def compile_release(releases: Sequence[JSON]) -> JSON:
    """The compiled release of one process's releases (all with the same ocid)."""
    if not releases:
        raise ValueError("a compiled release needs at least one release")
    ordered = sorted(releases, key=lambda release: str(release["date"]))
    compiled: JSON = {}
    for release in ordered:
        _merge({key: value for key, value in release.items() if key not in OMITTED}, compiled)
    latest = ordered[-1]
    return {
        "tag": ["compiled"],
        "id": f"{latest['ocid']}-{latest['date']}",
        "date": latest["date"],
        **compiled,
    }


def _merge(update: JSON, target: JSON) -> None:
    for key, value in update.items():
        if isinstance(value, dict):
            _merge(value, target.setdefault(key, {}))
        elif _identified(value):
            _merge_by_id(value, target.setdefault(key, []))
        else:
            target[key] = list(value) if isinstance(value, list) else value


def _merge_by_id(update: list[JSON], target: list[JSON]) -> None:
    by_id = {item["id"]: item for item in target}
    for item in update:
        if item["id"] not in by_id:
            by_id[item["id"]] = {}
            target.append(by_id[item["id"]])
        _merge(item, by_id[item["id"]])


def _identified(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and "id" in item for item in value)
    )
