"""A nation desk records and submits a requirement in the browser; another nation's desk
opening its address gets the not-found page."""

from __future__ import annotations

import re

from playwright.sync_api import FilePayload, Page, expect

from browser.support import Console, DemoServer, sign_in


def test_a_nation_records_and_submits_a_requirement_another_cannot_see_it(
    page: Page, console: Console, demo_server: DemoServer
) -> None:
    sign_in(page, demo_server, "deu-desk")
    page.goto(f"{demo_server.base}/requirements/new")
    page.get_by_label("Code").fill("DEU-BROWSER-1")
    page.get_by_label("Weapon system").fill("PZH2000")
    page.get_by_label("Quantity (units)").fill("2500")
    page.get_by_label("Due month").fill("2028-03")
    page.get_by_role("button", name="Record draft").click()
    page.wait_for_url(re.compile(r".*/requirements/\d+$"))
    address = page.url
    expect(page.get_by_text("draft").first).to_be_visible()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".status-submitted").first).to_be_visible()
    page.goto(f"{demo_server.base}/requirements?status=submitted")
    expect(page.get_by_role("link", name="DEU-BROWSER-1")).to_be_visible()
    assert console.errors == []

    page.context.clear_cookies()
    sign_in(page, demo_server, "pol-desk")
    answer = page.goto(address)
    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("found")
    expect(page.get_by_text("DEU-BROWSER-1")).to_have_count(0)


def _sheet(*rows: str) -> FilePayload:
    text = "\n".join(("code,weapon_system,quantity,due,priority", *rows)) + "\n"
    return {"name": "deu-plan.csv", "mimeType": "text/csv", "buffer": text.encode()}


def test_a_nation_uploads_a_sheet_fixes_the_located_error_and_sees_its_rows(
    page: Page, console: Console, demo_server: DemoServer
) -> None:
    sign_in(page, demo_server, "deu-desk")
    page.goto(f"{demo_server.base}/requirements")
    page.get_by_role("link", name="Upload spreadsheet").click()
    good = "DEU-SHEET-1,PZH2000,400,2028-05,2"
    page.get_by_label("Spreadsheet file").set_input_files(
        _sheet(good, "DEU-SHEET-2,PZH2000,300,2028-13,1")
    )
    page.get_by_role("button", name="Check and record").click()
    expect(page.get_by_role("alert")).to_contain_text("1 problem in deu-plan.csv")
    problem = page.get_by_role("row").filter(has_text="expected a month YYYY-MM")
    expect(problem.get_by_role("cell")).to_have_text(
        ["3", "due", "2028-13", "expected a month YYYY-MM"]
    )
    page.get_by_label("Spreadsheet file").set_input_files(
        _sheet(good, "DEU-SHEET-2,PZH2000,300,2028-12,1")
    )
    page.get_by_role("button", name="Check and record").click()
    expect(page.get_by_role("status")).to_contain_text("2 requirements recorded as drafts")
    page.get_by_role("link", name="See the drafts in the requirements list").click()
    for code in ("DEU-SHEET-1", "DEU-SHEET-2"):
        expect(page.get_by_role("link", name=code)).to_be_visible()
    # Chromium reports the refused upload's 422 answer; nothing else may go wrong.
    refused = "the server responded with a status of 422 (Unprocessable Entity)"
    assert console.errors == [
        f"Failed to load resource: {refused} ({demo_server.base}/requirements/upload)"
    ]


def test_a_field_is_checked_as_soon_as_it_is_left(
    page: Page, console: Console, demo_server: DemoServer
) -> None:
    sign_in(page, demo_server, "deu-desk")
    page.goto(f"{demo_server.base}/requirements/new")
    due = page.get_by_label("Due month")
    due.fill("2028-13")
    due.press("Tab")
    expect(page.locator("#due-error")).to_have_text("expected a month YYYY-MM")
    expect(due).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#check-status")).to_have_text("Due month: expected a month YYYY-MM")
    page.get_by_label("Due month").fill("2028-12")
    page.get_by_label("Due month").press("Tab")
    expect(page.locator("#due-error")).to_have_count(0)
    expect(page.get_by_label("Due month")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#check-status")).to_have_text("")
    assert console.errors == []
