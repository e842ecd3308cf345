"""Uploading a spreadsheet of requirements on a real server: all rows or none, every
problem located by row and column, limits, CSRF, and no other nation's codes revealed."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from typing import Any

import httpx
import openpyxl
import pytest

from alliedforge.domain.access.caller import Role
from alliedforge.domain.requirements import bulk
from alliedforge.scenario import load_scenario

from live_api import Person
from shared_data import GOLDEN
from web_site import BACKENDS, Site, live_site, token

HEADER = ["code", "weapon_system", "quantity", "due", "priority"]


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    scenario = load_scenario(GOLDEN / "tiny")
    people = [
        Person("own-desk", Role.NATION, nation="N00"),
        Person("other-desk", Role.NATION, nation="N01"),
        Person("agency", Role.PLANNER, nationality="N00"),
        Person("auditor", Role.AUDITOR, nationality="N00"),
    ]
    with live_site(request.param, tmp_path_factory.mktemp("upload"), scenario, people) as live:
        yield live


def csv_file(*rows: list[str], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode()


def upload(
    client: httpx.Client, name: str, content: bytes, *, csrf: str | None = None, fmt: str = ""
) -> httpx.Response:
    form = client.get("/requirements/upload")
    assert form.status_code == 200
    data = {"csrf_token": token(form) if csrf is None else csrf}
    path = "/requirements/upload" + ("?format=json" if fmt else "")
    return client.post(path, data=data, files={"file": (name, content, "application/octet-stream")})


def codes(client: httpx.Client) -> set[str]:
    listed = client.get("/requirements", params={"format": "json", "status": "draft"})
    return {row["code"] for row in listed.json()["items"]}


def error_rows(page: str) -> list[list[str]]:
    """The problems table of an upload page: row, column, value, message (as text)."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert body is not None
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


def test_the_form_and_the_template(site: Site) -> None:
    with site.signed_in("own-desk") as client:
        form = client.get("/requirements/upload")
        assert 'enctype="multipart/form-data"' in form.text
        assert '<label for="file">' in form.text
        assert 'href="/requirements/upload/template.xlsx"' in form.text
        assert 'href="/requirements/upload"' in client.get("/requirements").text
        template = client.get("/requirements/upload/template.xlsx")
        assert template.status_code == 200
        assert template.headers["content-type"] == bulk.XLSX_TYPE
        assert "attachment" in template.headers["content-disposition"]
        sheet = openpyxl.load_workbook(io.BytesIO(template.content)).worksheets[0]
        assert [cell.value for cell in sheet[1]] == list(bulk.FIELDS)
        assert sheet.max_row == 1
    with site.client() as anonymous:
        assert anonymous.get("/requirements/upload/template.xlsx").status_code == 303


def test_a_valid_sheet_records_every_row_as_a_draft(site: Site) -> None:
    rows = [[f"UP-{i}", "WS0", str(100 * i), f"2027-0{i}", "2"] for i in range(1, 4)]
    with site.signed_in("own-desk") as client:
        done = upload(client, "plan.csv", csv_file(*rows))
        assert done.status_code == 200, done.text
        assert "3 requirements recorded as drafts from plan.csv" in done.text
        assert 'href="/requirements?status=draft"' in done.text
        listed = client.get("/requirements", params={"format": "json", "status": "draft"}).json()
        recorded = {row["code"]: row for row in listed["items"]}
        assert {"UP-1", "UP-2", "UP-3"} <= set(recorded)
        assert (recorded["UP-2"]["quantity"], recorded["UP-2"]["due"]) == (200, "2027-02")
        assert recorded["UP-3"]["nation"] == "N00"
        for code in ("UP-1", "UP-2", "UP-3"):
            assert f'<a href="/requirements/{recorded[code]["id"]}">{code}</a>' in done.text


def test_one_bad_row_records_nothing_and_every_problem_is_located(site: Site) -> None:
    content = csv_file(
        ["BAD-1", "WS0", "5", "2027-01", "1"],
        [],
        ["BAD-2", "WS0", "-5", "2027-13", "1"],
        ["BAD-3", "WS0", "5", "2027-01", "<script>x</script>"],
    )
    with site.signed_in("own-desk") as client:
        refused = upload(client, "plan.csv", content)
        assert refused.status_code == 422
        assert "3 problems in plan.csv: no requirement was recorded" in refused.text
        assert error_rows(refused.text) == [
            ["4", "quantity", "-5", "Input should be greater than or equal to 0"],
            ["4", "due", "2027-13", "expected a month YYYY-MM"],
            [
                "5",
                "priority",
                "<script>x</script>",
                "Input should be a valid integer, unable to parse string as an integer",
            ],
        ]
        assert "<script>x</script>" not in refused.text
        assert not {"BAD-1", "BAD-2", "BAD-3"} & codes(client)
        twin = upload(client, "plan.csv", content, fmt="json")
        assert twin.status_code == 422
        assert [(e["row"], e["column"]) for e in twin.json()["errors"]] == [
            (4, "quantity"),
            (4, "due"),
            (5, "priority"),
        ]


def test_refusals_of_the_service_are_located_and_roll_everything_back(site: Site) -> None:
    with site.signed_in("own-desk") as client:
        assert (
            upload(
                client, "first.csv", csv_file(["TAKEN-1", "WS0", "1", "2027-01", "1"])
            ).status_code
            == 200
        )
        content = csv_file(
            ["FRESH-1", "WS0", "1", "2027-01", "1"],
            ["TAKEN-1", "WS0", "1", "2027-01", "1"],
            ["FRESH-2", "NO-SUCH", "1", "2027-01", "1"],
        )
        refused = upload(client, "second.csv", content)
        assert refused.status_code == 422
        assert error_rows(refused.text) == [
            ["3", "code", "TAKEN-1", "N00 already has a requirement with it"],
            ["4", "weapon_system", "NO-SUCH", "no such weapon system"],
        ]
        assert not {"FRESH-1", "FRESH-2"} & codes(client)  # the valid row was rolled back


def test_another_nations_codes_are_never_revealed(site: Site) -> None:
    with site.signed_in("other-desk") as other:
        assert (
            upload(
                other, "theirs.csv", csv_file(["SHARED-CODE", "WS1", "1", "2027-01", "1"])
            ).status_code
            == 200
        )
    with site.signed_in("own-desk") as client:
        theirs = upload(
            client,
            "plan.csv",
            csv_file(
                ["SHARED-CODE", "N01", "WS0", "1", "2027-01"],
                header=["code", "nation", "weapon_system", "quantity", "due"],
            ),
        )
        assert theirs.status_code == 422
        assert error_rows(theirs.text) == [
            ["2", "nation", "N01", "a N00 desk records N00 requirements only"]
        ]
        assert "already" not in theirs.text
        # Codes are per nation: the same code is free for this desk, and says nothing.
        mine = upload(client, "plan.csv", csv_file(["SHARED-CODE", "WS0", "1", "2027-01", "1"]))
        assert mine.status_code == 200
        assert {
            row["nation"] for row in client.get("/requirements?format=json").json()["items"]
        } == {"N00"}


def test_the_agency_names_each_rows_nation(site: Site) -> None:
    header = ["nation", *HEADER]
    with site.signed_in("agency") as agency:
        missing = upload(agency, "plan.csv", csv_file(["AG-1", "WS0", "1", "2027-01", "1"]))
        assert missing.status_code == 422
        assert error_rows(missing.text) == [
            ["1", "nation", "(blank)", "missing column: the agency names each row's nation"]
        ]
        both = csv_file(
            ["N00", "AG-1", "WS0", "1", "2027-01", "1"],
            ["n01", "AG-1", "WS1", "2", "2027-02", "3"],
            header=header,
        )
        done = upload(agency, "plan.csv", both)
        assert done.status_code == 200, done.text
        listed = agency.get(
            "/requirements", params={"format": "json", "weapon_system": "WS1", "status": "draft"}
        )
        assert ("N01", "AG-1") in {(row["nation"], row["code"]) for row in listed.json()["items"]}


def test_an_xlsx_upload_keeps_formula_looking_text_as_data(site: Site) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["=1+1", "WS0", 3, "2027-04", 1])
    sheet["A2"].data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with site.signed_in("own-desk") as client:
        done = upload(client, "plan.xlsx", buffer.getvalue())
        assert done.status_code == 200, done.text
        assert ">=1+1</a>" in done.text
        assert "=1+1" in codes(client)


def test_wrong_files_and_limits_are_refused_clearly(site: Site) -> None:
    with site.signed_in("own-desk") as client:
        text = upload(client, "plan.txt", b"code\nX\n")
        assert text.status_code == 422
        assert "expected a spreadsheet: an .xlsx or .csv file" in text.text
        fake = upload(client, "plan.xlsx", b"<html>not a workbook</html>")
        assert "not an .xlsx workbook" in fake.text
        big_row = "BIG-1,WS0,1,2027-01,1\n"
        just_over = csv_file() + big_row.encode() * (bulk.MAX_BYTES // len(big_row) + 1)
        assert len(just_over) > bulk.MAX_BYTES
        for content in (just_over, just_over + b"x" * 2 * bulk.MAX_BYTES):
            refused = upload(client, "plan.csv", content)
            assert refused.status_code == 422
            assert "the file is larger than 5 MB" in refused.text
        many = csv_file(
            *[[f"MANY-{i}", "WS0", "1", "2027-01", "1"] for i in range(bulk.MAX_ROWS + 1)]
        )
        too_many = upload(client, "plan.csv", many)
        assert f"more than {bulk.MAX_ROWS} requirement rows" in too_many.text
        nothing = upload(client, "", b"")
        assert "choose a spreadsheet file to upload" in nothing.text
        assert not {"BIG-1", "MANY-0"} & codes(client)


def test_uploads_need_the_csrf_token_and_a_writer(site: Site) -> None:
    content = csv_file(["CSRF-1", "WS0", "1", "2027-01", "1"])
    with site.signed_in("own-desk") as client:
        assert upload(client, "plan.csv", content, csrf="").status_code == 403
        forged = upload(client, "plan.csv", content, csrf="0" * 64)
        assert forged.status_code == 403
        assert "Form rejected" in forged.text
        assert "CSRF-1" not in codes(client)
    with site.signed_in("auditor") as auditor:
        assert auditor.get("/requirements/upload").status_code == 403
        page = auditor.get("/requirements")
        assert 'href="/requirements/upload"' not in page.text
        data: dict[str, Any] = {"csrf_token": token(page)}
        files = {"file": ("plan.csv", content, "text/csv")}
        assert auditor.post("/requirements/upload", data=data, files=files).status_code == 403
