"""A nation desk records and submits a requirement in the browser; another nation's desk
opening its address gets the not-found page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from browser.support import Console, DemoServer


def _sign_in(page: Page, server: DemoServer, name: str) -> None:
    page.goto(f"{server.base}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(server.passwords[name])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.base}/")


def test_a_nation_records_and_submits_a_requirement_another_cannot_see_it(
    page: Page, console: Console, demo_server: DemoServer
) -> None:
    _sign_in(page, demo_server, "deu-desk")
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
    _sign_in(page, demo_server, "pol-desk")
    answer = page.goto(address)
    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("found")
    expect(page.get_by_text("DEU-BROWSER-1")).to_have_count(0)
