"""OCDS 1.1 release packages and record packages, as plain dicts ready for `json.dumps`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from alliedforge.contracting.ocds.merge import compile_release
from alliedforge.contracting.ocds.model import ContractingProcess
from alliedforge.contracting.ocds.releases import JSON, TECHNIQUES_EXTENSION, releases, timestamp

VERSION = "1.1"


class EmptyExportError(ValueError):
    """Nothing to publish: an OCDS package holds at least one release or record."""


def release_package(
    releases: Sequence[JSON], uri: str, published: datetime, publisher: str
) -> JSON:
    """The package of `releases`, to be served at `uri`, published by `publisher`."""
    if not releases:
        raise EmptyExportError("no release to publish")
    return _package(uri, published, publisher, releases) | {"releases": list(releases)}


def record_package(
    processes: Iterable[ContractingProcess],
    uri: str,
    published: datetime,
    publisher: str,
    releases_uri: str | None = None,
) -> JSON:
    """One record per process: its releases and their compiled release.

    The releases are embedded, or — when `releases_uri` names the release package
    that holds them — linked as `{releases_uri}#{release id}`. Processes that have
    reached no stage have no release and no record.
    """
    records: list[JSON] = []
    seen: set[str] = set()
    for process in processes:
        if process.ocid in seen:
            raise ValueError(f"two processes share the ocid {process.ocid}")
        seen.add(process.ocid)
        own = releases(process, published)
        if own:
            records.append(
                {
                    "ocid": process.ocid,
                    "releases": own if releases_uri is None else _links(own, releases_uri),
                    "compiledRelease": compile_release(own),
                }
            )
    if not records:
        raise EmptyExportError("no contracting process to publish")
    compiled = [record["compiledRelease"] for record in records]
    package = _package(uri, published, publisher, compiled) | {"records": records}
    if releases_uri is not None:
        package["packages"] = [releases_uri]
    return package


def _package(uri: str, published: datetime, publisher: str, contents: Sequence[JSON]) -> JSON:
    package: JSON = {
        "uri": uri,
        "version": VERSION,
        "publishedDate": timestamp(published),
        "publisher": {"name": publisher},
    }
    if any("techniques" in release.get("tender", {}) for release in contents):
        package["extensions"] = [TECHNIQUES_EXTENSION]
    return package


def _links(own: list[JSON], releases_uri: str) -> list[JSON]:
    return [
        {"url": f"{releases_uri}#{release['id']}", "date": release["date"], "tag": release["tag"]}
        for release in own
    ]
