"""`/scenario`: replace the live data with an uploaded scenario package (.xlsx or zipped CSVs)."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, UploadFile, status
from pydantic import BaseModel

from alliedforge.api.deps import CurrentCaller, DbSession
from alliedforge.api.errors import PROBLEMS, TOO_LARGE
from alliedforge.api.jobs import require_runner
from alliedforge.domain.record import import_audited
from alliedforge.scenario import Problem, ScenarioError, load_scenario

router = APIRouter(prefix="/scenario", tags=["scenario"])

MAX_UPLOAD = 50 * 1024 * 1024  # bytes
# A zip or workbook may unpack to no more than this (bytes): guards against zip bombs.
# The sizes checked are those the archive declares; zipfile never inflates an entry past
# its declared size (it fails the CRC instead), so a lying header buys nothing.
MAX_UNPACKED = 500 * 1024 * 1024
# A scenario package is a score of files; thousands of entries are an attack on the disk.
MAX_ENTRIES = 1000
# What zipfile raises for a damaged entry met while inflating it (bad CRC or deflate data,
# a cut stream, an unknown compression, an encrypted entry).
_DAMAGED_ENTRY = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)
CHUNK = 1024 * 1024


class TableCountsRead(BaseModel):
    """What the import did to one table's rows."""

    created: int
    updated: int
    unchanged: int
    deleted: int


class ImportRead(BaseModel):
    """Counts per table, in dependency order."""

    tables: dict[str, TableCountsRead]
    changed: bool


def _unprocessable(problems: list[dict[str, object]]) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problems)


def _problem(problem: Problem) -> dict[str, object]:
    return {
        "table": problem.table,
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "message": problem.expected,
    }


def _upload_problem(message: str) -> dict[str, object]:
    return {"table": None, "row": None, "column": None, "value": None, "message": message}


def _save(upload: UploadFile, target: Path) -> None:
    """Copy the upload to `target`; 413 once it passes `MAX_UPLOAD`."""
    if upload.size is not None and upload.size > MAX_UPLOAD:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "uploads stop at 50 MB")
    written = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            written += len(chunk)
            if written > MAX_UPLOAD:
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "uploads stop at 50 MB")
            out.write(chunk)


def _unsafe(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


def _entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The archive's entries once their count and unpacked size are within bounds."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        message = f"the archive holds {len(entries)} entries, more than {MAX_ENTRIES}"
        raise _unprocessable([_upload_problem(message)])
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "the archive unpacks to over 500 MB")
    return entries


def _check_workbook(path: Path) -> None:
    """A workbook is a zip too: bound what it unpacks to before openpyxl reads it."""
    try:
        with zipfile.ZipFile(path) as archive:
            _entries(archive)
    except zipfile.BadZipFile:
        pass  # not a zip at all: the workbook reader says so, located


def _extract(archive_path: Path, folder: Path) -> Path:
    """Unpack the zipped CSV folder into `folder`; the folder holding its tables."""
    try:
        archive = zipfile.ZipFile(archive_path)
    except zipfile.BadZipFile as error:
        raise _unprocessable([_upload_problem(f"not a zip archive: {error}")]) from error
    with archive:
        entries = _entries(archive)
        bad = [entry.filename for entry in entries if _unsafe(entry.filename)]
        if bad:
            raise _unprocessable(
                [_upload_problem(f"zip entry {name!r} leaves the archive") for name in bad]
            )
        for entry in entries:
            target = folder / entry.filename
            try:
                if entry.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(entry) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out)
            except _DAMAGED_ENTRY as error:
                message = f"zip entry {entry.filename!r} is damaged: {error}"
                raise _unprocessable([_upload_problem(message)]) from error
            except OSError as error:  # "", ".", a file and a folder of one name, too long
                reason = error.strerror or error
                message = f"zip entry {entry.filename!r} cannot be a file: {reason}"
                raise _unprocessable([_upload_problem(message)]) from error
    # Zipping a folder often nests its tables one level down (tiny/nations.csv).
    while not any(folder.glob("*.csv")) and not (folder / "scenario.toml").exists():
        children = [child for child in folder.iterdir() if child.name != "__MACOSX"]
        if len(children) != 1 or not children[0].is_dir():
            break
        folder = children[0]
    return folder


@router.post("", response_model=ImportRead, responses={413: TOO_LARGE, 422: PROBLEMS})
def upload_scenario(
    session: DbSession,
    caller: CurrentCaller,
    file: UploadFile,
    prune: Annotated[bool, Query(description="Delete rows the scenario no longer has.")] = False,
) -> ImportRead:
    """Validate an uploaded scenario package (.xlsx, or a .zip of the CSV folder) and import
    it into the live data: 422 lists every located problem, 413 past 50 MB."""
    require_runner(caller)
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in {".xlsx", ".zip"}:
        raise _unprocessable([_upload_problem("upload an .xlsx workbook or a .zip of CSVs")])
    with tempfile.TemporaryDirectory(prefix="alliedforge-upload-") as tmp:
        upload = Path(tmp) / f"upload{suffix}"
        _save(file, upload)
        if suffix == ".xlsx":
            _check_workbook(upload)
            path = upload
        else:
            path = _extract(upload, Path(tmp) / "scenario")
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            raise _unprocessable([_problem(p) for p in error.problems]) from error
    report = import_audited(session, caller, scenario, prune=prune)
    session.commit()
    return ImportRead(
        tables={
            counts.table: TableCountsRead(
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
                deleted=counts.deleted,
            )
            for counts in report.tables
        },
        changed=report.changed,
    )
