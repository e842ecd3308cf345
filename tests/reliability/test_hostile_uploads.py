"""Hostile uploads over real HTTP: oversized files, zip bombs, names that climb out of the
upload folder, and script in every text field — refused clearly, nothing written, nothing
run in the browser."""

from __future__ import annotations

import html
import io
import json
import re
import struct
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import httpx
import openpyxl
import pytest
from sqlalchemy.orm import Session

from alliedforge.api.routers.plans import plan_workbook
from alliedforge.api.routers.scenario import MAX_ENTRIES, MAX_UNPACKED, MAX_UPLOAD
from alliedforge.domain.access.caller import Role
from alliedforge.domain.record import import_scenario
from alliedforge.domain.requirements import bulk
from alliedforge.planning import read_plan_package, solve_plan, write_plan_package
from alliedforge.scenario import Scenario, check_scenario, load_scenario, write_scenario
from alliedforge.store.engine import create_db_engine

from builders import active, make_scenario, req, tier
from live_api import Person, add_people, fresh_database, serve
from shared_data import GOLDEN
from web_site import BACKENDS, Site, token

TINY = GOLDEN / "tiny"
PEOPLE = [
    Person("agency", Role.PLANNER, nationality="N00"),
    Person("own-desk", Role.NATION, nation="N00"),
]
MB = 1024 * 1024


@dataclass(frozen=True)
class Live:
    site: Site
    tokens: dict[str, str]

    def api(self, user: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.Client(base_url=f"{self.site.base}/api/v1", headers=headers, timeout=120)


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """The service over the tiny scenario, with the agency and a nation desk."""
    with fresh_database(request.param, tmp_path_factory.mktemp("hostile")) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, load_scenario(TINY))
            tokens = add_people(session, PEOPLE)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Live(Site(base), tokens)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _tiny_entries() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(TINY.iterdir()) if p.name != "expected.json"}


def _post_scenario(live: Live, name: str, content: bytes) -> httpx.Response:
    with live.api("agency") as client:
        return client.post("/scenario", files={"file": (name, content, "application/zip")})


def assert_nothing_written(live: Live) -> None:
    """Uploading the tiny scenario again changes nothing: no refused upload left a trace."""
    answer = _post_scenario(live, "tiny.zip", _zip(_tiny_entries()))
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] is False


@cache
def _bomb_entry() -> bytes:
    """A zip of one entry of zeros just past MAX_UNPACKED: half a megabyte that inflates
    to over 500 MB."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("nations.csv", "w", force_zip64=True) as entry,
    ):
        zeros = bytes(MB)
        for _ in range(MAX_UNPACKED // MB + 1):
            entry.write(zeros)
    return buffer.getvalue()


def _with_declared_size(content: bytes, size: int) -> bytes:
    """The zip with its one entry's uncompressed size, as the central directory has it,
    replaced: a header that lies about what the entry inflates to."""
    at = content.index(b"PK\x01\x02")
    return content[: at + 24] + struct.pack("<I", size) + content[at + 28 :]


def test_an_oversized_scenario_upload_is_413(live: Live) -> None:
    answer = _post_scenario(live, "big.zip", b"\0" * (MAX_UPLOAD + 1))
    assert answer.status_code == 413
    assert "50 MB" in answer.text
    assert_nothing_written(live)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(live: Live) -> None:
    bomb = _bomb_entry()
    assert len(bomb) < MB
    answer = _post_scenario(live, "bomb.zip", bomb)
    assert answer.status_code == 413
    assert "unpacks to over 500 MB" in answer.text
    # A workbook is a zip as well: the same bomb named .xlsx never reaches openpyxl.
    workbook = _post_scenario(live, "bomb.xlsx", bomb)
    assert workbook.status_code == 413
    assert "unpacks to over 500 MB" in workbook.text
    assert_nothing_written(live)


def test_a_header_that_understates_the_size_gains_nothing(live: Live) -> None:
    entries = _tiny_entries()
    real = _zip({"nations.csv": entries["nations.csv"] + b"N99,Padding\n" * 100_000})
    answer = _post_scenario(live, "lying.zip", _with_declared_size(real, 64))
    assert answer.status_code == 422, answer.text
    assert "damaged" in answer.json()["detail"][0]["message"]
    assert_nothing_written(live)


def test_an_archive_of_too_many_entries_is_refused(live: Live) -> None:
    many = _zip({f"x{i}.txt": b"" for i in range(MAX_ENTRIES + 1)})
    answer = _post_scenario(live, "many.zip", many)
    assert answer.status_code == 422
    assert f"more than {MAX_ENTRIES}" in answer.text
    assert_nothing_written(live)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/x-{marker}",
        "a/../../x-{marker}.csv",
        "/tmp/x-{marker}.csv",
        "C:\\x-{marker}.csv",
        "..\\..\\x-{marker}.csv",
        "C:x-{marker}.csv",
    ],
)
def test_an_entry_name_never_leaves_the_upload_folder(live: Live, name: str) -> None:
    marker = uuid.uuid4().hex
    entry = name.format(marker=marker)
    answer = _post_scenario(live, "climb.zip", _zip({**_tiny_entries(), entry: b"code,name\n"}))
    assert answer.status_code == 422, answer.text
    assert any(repr(entry) in p["message"] for p in answer.json()["detail"])
    written = [
        path
        for root in (Path(tempfile.gettempdir()), Path("/etc"), Path("/"), Path.cwd())
        for path in root.glob(f"*{marker}*")
    ]
    assert written == []
    assert_nothing_written(live)


@pytest.mark.parametrize("entries", [{".": b"x"}, {"t.csv": b"x", "t.csv/inner.csv": b"x"}])
def test_an_entry_that_cannot_be_a_file_is_refused(live: Live, entries: dict[str, bytes]) -> None:
    answer = _post_scenario(live, "odd.zip", _zip({**_tiny_entries(), **entries}))
    assert answer.status_code == 422, answer.text
    assert "cannot be a file" in answer.text


def test_a_workbook_bomb_in_the_requirements_upload_writes_nothing(live: Live) -> None:
    bomb = _bomb_entry()
    with live.site.signed_in("own-desk") as client:
        form = client.get("/requirements/upload")
        data = {"csrf_token": token(form)}
        files = {"file": ("plan.xlsx", bomb, "application/octet-stream")}
        answer = client.post("/requirements/upload", data=data, files=files)
        assert answer.status_code == 422
        assert "unpacks to more than a requirements sheet can" in answer.text
        too_big = {"file": ("plan.csv", b"x" * (bulk.MAX_BYTES + 1), "text/csv")}
        refused = client.post("/requirements/upload", data=data, files=too_big)
        assert refused.status_code == 422
        assert "larger than 5 MB" in refused.text
    assert_nothing_written(live)


# -- script in text fields -----------------------------------------------------------------

SCRIPT = "<script>alert('{0}')</script>"
ATTRIBUTE = '"><img src=x onerror=alert("{0}")>'


def _hostile(field: str) -> str:
    return SCRIPT.format(field) + ATTRIBUTE.format(field)


def _assert_escaped(page: httpx.Response, fields: list[str]) -> None:
    assert page.status_code == 200, page.text
    for field in fields:
        assert SCRIPT.format(field) not in page.text, f"raw <script> from {field}"
        assert ATTRIBUTE.format(field) not in page.text, f"raw attribute from {field}"
        assert field in page.text, f"{field} is not shown at all"


def test_script_in_every_text_field_is_escaped_on_the_pages(live: Live) -> None:
    with live.api("agency") as client:
        requirement = client.post(
            "/requirements",
            json={
                "code": SCRIPT.format("req-code"),
                "nation": "N00",
                "weapon_system": "WS0",
                "quantity": 1,
                "due": "2027-06",
            },
        )
        assert requirement.status_code == 201, requirement.text
        post = client.post(
            "/news",
            json={
                "title": _hostile("news-title"),
                "summary": _hostile("news-summary"),
                "body": _hostile("news-body") + "\n\n[link](javascript:alert(1))",
            },
        )
        assert post.status_code == 201, post.text
        # JSON strings of ASCII text are TOML basic strings.
        text = (
            f"name = {json.dumps(_hostile('whatif-name'))}\n"
            f"description = {json.dumps(_hostile('whatif-description'))}\n"
        )
        whatif = client.post("/whatifs", json={"text": text, "code": "hostile"})
        assert whatif.status_code == 201, whatif.text
    news_fields = ["news-title", "news-summary", "news-body"]
    whatif_fields = ["whatif-name", "whatif-description"]
    with live.site.signed_in("agency") as browser:
        _assert_escaped(browser.get("/requirements"), ["req-code"])
        _assert_escaped(browser.get(f"/requirements/{requirement.json()['id']}"), ["req-code"])
        _assert_escaped(browser.get("/news"), ["news-title"])
        shown = browser.get(f"/news/{post.json()['id']}")
        _assert_escaped(shown, news_fields)
        assert 'href="javascript:' not in shown.text
        _assert_escaped(browser.get("/whatifs"), ["whatif-name"])
        _assert_escaped(browser.get("/whatifs/hostile"), whatif_fields)


# -- formulas in exported spreadsheets -----------------------------------------------------

# Text a spreadsheet would run as a formula (DDE, links, functions) if it were a formula cell.
FORMULAS = ('=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)")


def _formula_scenario() -> Scenario:
    """A plannable scenario whose every code and name starts like a formula."""
    link, dde, minus, at = FORMULAS
    scenario = make_scenario(
        lines=[active(dde, 1000.0, supplier=minus, item=at)],
        prices=[tier(0.0, 10.0, supplier=minus, item=at)],
        requirements=[req(link, 500.0, "2027-06", nation=dde, weapon_system=minus)],
    )
    return replace(scenario, manifest=replace(scenario.manifest, name=link))


def _sheets(workbook: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml"
        }


def _assert_text_only(workbook: bytes, expected: tuple[str, ...]) -> None:
    """No formula element in any sheet, and each text is stored as a string cell."""
    sheets = _sheets(workbook)
    for name, xml in sheets.items():
        assert re.search(r"<f[ >/]", xml) is None, f"a formula in {name}"
        assert 't="str"' not in xml, f"a formula result in {name}"
    stored = html.unescape("".join(sheets.values()))
    for text in expected:
        assert text in stored, f"{text!r} is not in the workbook"


def test_the_check_finds_a_formula_cell() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["=1+1"])  # openpyxl's default: text starting = is a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(AssertionError, match="a formula in"):
        _assert_text_only(buffer.getvalue(), ())


def test_the_scenario_workbook_keeps_formula_text_as_text(tmp_path: Path) -> None:
    scenario = _formula_scenario()
    assert check_scenario(scenario) == []
    write_scenario(scenario, tmp_path / "export.xlsx")
    _assert_text_only((tmp_path / "export.xlsx").read_bytes(), FORMULAS)
    assert load_scenario(tmp_path / "export.xlsx") == scenario


def test_the_plan_workbook_keeps_formula_text_as_text() -> None:
    plan = solve_plan(_formula_scenario())
    assert plan.deliveries, "the plan delivers nothing: no codes to export"
    _assert_text_only(plan_workbook(plan), FORMULAS)


def test_the_requirements_template_holds_no_formula() -> None:
    _assert_text_only(bulk.template_xlsx(), bulk.FIELDS)


def test_the_csv_packages_keep_formula_text_as_data(tmp_path: Path) -> None:
    """Scenario and plan packages are data interchange: the text goes out and comes back
    exactly as written, never prefixed (docs/reliability.md)."""
    scenario = _formula_scenario()
    write_scenario(scenario, tmp_path / "scenario")
    assert load_scenario(tmp_path / "scenario") == scenario
    plan = solve_plan(scenario)
    write_plan_package(plan, tmp_path / "plan")
    assert read_plan_package(tmp_path / "plan").deliveries == plan.deliveries
