"""`forge ocds`: the contracting record as Open Contracting Data Standard (OCDS 1.1.5) files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from alliedforge.cli.record import record, writing
from alliedforge.contracting.ocds import EmptyExportError
from alliedforge.domain.access import repository as users
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.access.service import caller_of
from alliedforge.domain.procurement.ocds_export import ocds_prefix, records_of, releases_of
from alliedforge.store.base import utcnow

ocds_app = typer.Typer(
    help="Open Contracting Data Standard (OCDS 1.1.5) export of the contracting record.",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)

RELEASES = "ocds-releases.json"
RECORDS = "ocds-records.json"


def targets(out: Path) -> tuple[Path, Path]:
    """Where the release and the record packages go: `RELEASES` and `RECORDS` in a folder,
    else the file named and `<name>-records<suffix>` beside it."""
    if out.is_dir():
        return out / RELEASES, out / RECORDS
    return out, out.with_name(f"{out.stem}-records{out.suffix or '.json'}")


def file_uri(path: Path) -> str:
    """The package's URI: the absolute file URI with its (local) host named."""
    return path.resolve().as_uri().replace("file://", "file://localhost", 1)


def _write(path: Path, package: dict[str, Any]) -> None:
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@ocds_app.command()
def export(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help=f"A folder (writes {RELEASES}, and {RECORDS} with --records) or the release "
            "package's file name.",
        ),
    ] = Path("."),
    records: Annotated[
        bool, typer.Option("--records", help="Also write the record package.")
    ] = False,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as", help="Export only what this user may read (default: everything, as operator)."
        ),
    ] = None,
) -> None:
    """Write the contracting processes as an OCDS release package (and record package)."""

    try:
        prefix = ocds_prefix()
    except ValueError as error:
        errors.print(str(error), style="red", markup=False, highlight=False)
        raise typer.Exit(1) from None
    releases_path, records_path = targets(out)
    published = utcnow()
    with record() as session:
        caller = Caller.operator()
        if as_user is not None:
            user = users.user_by_name(session, as_user)
            if user is None:
                errors.print(f"No such user: {as_user}", style="red", markup=False)
                raise typer.Exit(1)
            caller = caller_of(session, user)
        try:
            release_package = releases_of(
                session, caller, prefix, published, file_uri(releases_path)
            )
            record_package = (
                records_of(session, caller, prefix, published, file_uri(records_path))
                if records
                else None
            )
        except EmptyExportError:
            errors.print(
                f"Nothing to export: {caller.name} may read no contracting process.",
                style="red",
                markup=False,
            )
            raise typer.Exit(1) from None
    with writing(releases_path):
        _write(releases_path, release_package)
    console.print(
        f"{len(release_package['releases'])} releases: [bold]{releases_path}[/bold]",
        highlight=False,
    )
    if record_package is not None:
        with writing(records_path):
            _write(records_path, record_package)
        console.print(
            f"{len(record_package['records'])} records: [bold]{records_path}[/bold]",
            highlight=False,
        )
