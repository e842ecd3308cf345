"""From a plan to a call-off in the browser, on the demo record: the agency plans and pools
the plan into lots and puts Weserhagen's lot to tender; Weserhagen bids; the agency
closes, evaluates, awards, makes the framework contract and signs it; Germany's desk, a
party to it, calls off under it and finds the call-off on the framework; Weserhagen
records the delivery."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import Page, ViewportSize, expect

from browser.support import Console, DemoServer, sign_in

# Generous: the demo's joint plan takes seconds alone, longer on a busy machine.
SOLVE_TIMEOUT_MS = 180_000
# The demo supplier's lot: Weserhagen (NCAGE D7WH2) makes DM121-type rounds on line L04
# for, among others, Germany's PzH 2000 requirement R002.
LOT_NAME = "155mm-HE from D7WH2"
TABLET: ViewportSize = {"width": 768, "height": 1024}


def _plan(page: Page, server: DemoServer) -> int:
    """Start a joint plan of the demo data from the plans page; its run id once solved."""
    page.goto(f"{server.base}/plans")
    page.get_by_label("Mode").select_option("joint")
    page.get_by_label("Time limit (s)").fill("60")
    page.get_by_role("button", name="Start plan").click()
    page.wait_for_url(re.compile(r".*/plans/\d+$"))
    expect(page.locator("#deliveries-chart.js-plotly-plot")).to_be_visible(timeout=SOLVE_TIMEOUT_MS)
    return int(page.url.rsplit("/", 1)[1])


def _switch(page: Page, server: DemoServer, name: str) -> None:
    page.context.clear_cookies()
    sign_in(page, server, name)


def _fits_a_tablet(page: Page) -> bool:
    """Whether the page, loaded on a tablet, needs no sideways scrolling (the laptop's
    viewport is put back after)."""
    laptop = page.viewport_size
    page.set_viewport_size(TABLET)
    page.reload(wait_until="load")  # charts are drawn for the viewport they load in
    width: int = page.evaluate("() => document.documentElement.scrollWidth")
    if laptop is not None:
        page.set_viewport_size(laptop)
        page.reload(wait_until="load")
    return width <= TABLET["width"]


def test_from_a_plan_to_a_call_off(page: Page, console: Console, demo_server: DemoServer) -> None:
    today = datetime.now(UTC).date().isoformat()
    sign_in(page, demo_server, "agency")
    run_id = _plan(page, demo_server)

    # The agency pools the plan into lots and puts Weserhagen's lot to tender.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Procurement").click()
    page.get_by_role("link", name="Lots from a plan").click()
    page.get_by_label("Plan run").select_option(str(run_id))
    page.get_by_label("Grouping").select_option("supplier-family")
    page.get_by_label("Minimum participating nations").fill("3")
    page.get_by_role("button", name="Make lots").click()
    expect(page.get_by_role("heading", name=f"Lots from plan run {run_id}")).to_be_visible()
    page.get_by_role("row").filter(has_text=LOT_NAME).get_by_role("link").click()
    expect(page.locator("#shares-chart.js-plotly-plot")).to_be_visible()
    shares = page.get_by_role("table", name=re.compile("share of the lot"))
    expect(shares.get_by_role("rowheader", name="DEU")).to_be_visible()
    assert _fits_a_tablet(page)
    page.get_by_label("Bids open on").fill(today)
    page.get_by_label("Bids close on").fill(today)
    page.get_by_label("Evaluation").select_option("lowest_price")
    page.get_by_role("button", name="Publish tender").click()
    page.wait_for_url(re.compile(r".*/procurement/tenders/\d+$"))
    tender = page.url
    expect(page.get_by_text("Bids stay sealed until bidding is closed.")).to_be_visible()

    # Weserhagen bids: the schedule comes filled in with the lot's needs; it sets a price.
    _switch(page, demo_server, "weserhagen")
    page.goto(tender)
    assert _fits_a_tablet(page)
    page.get_by_label("Tier unit price, row 1").fill("6000")
    page.get_by_role("button", name="Submit bid").click()
    page.wait_for_url(tender)
    bids = page.get_by_role("table", name="Your bids on this tender")
    expect(bids.get_by_text("submitted")).to_be_visible()
    expect(page.get_by_role("button", name="Submit bid")).to_have_count(0)

    # The agency closes, evaluates, awards, makes the framework and signs it.
    _switch(page, demo_server, "agency")
    page.goto(tender)
    page.get_by_role("button", name="Close bidding").click()
    page.get_by_role("button", name="Evaluate bids").click()
    expect(page.locator("#scores-chart.js-plotly-plot")).to_be_visible()
    assert _fits_a_tablet(page)
    expect(page.get_by_label("Bid to award")).to_contain_text("D7WH2")
    page.get_by_role("button", name="Award").click()
    expect(page.get_by_role("heading", name="Make the framework contract")).to_be_visible()
    page.get_by_role("button", name="Make framework").click()
    page.wait_for_url(re.compile(r".*/procurement/frameworks/\d+$"))
    framework = page.url
    page.get_by_role("button", name="Sign framework").click()
    expect(page.locator(".facts").get_by_text("signed", exact=True)).to_be_visible()
    assert console.errors == []

    # Germany, a party, calls off 100 rounds for its PzH 2000 requirement.
    _switch(page, demo_server, "deu-desk")
    page.goto(framework)
    page.get_by_label("For", exact=True).select_option("requirement:R002")
    page.get_by_label("Delivery month").fill("2027-03")
    page.get_by_label("Units", exact=True).fill("100")
    page.get_by_role("button", name="Place call-off").click()
    page.wait_for_url(re.compile(r".*/procurement/call-offs/\d+$"))
    expect(page.get_by_role("heading", name=re.compile(r"^Call-off FW-"))).to_be_visible()
    expect(page.locator(".facts").get_by_text("placed", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^commitment "))).to_be_visible()
    call_off = page.url
    page.get_by_role("link", name=re.compile(r"^Framework FW-")).click()
    calls = page.get_by_role("table", name=re.compile("Call-offs under framework"))
    expect(calls.get_by_role("cell", name="DEU")).to_be_visible()
    assert _fits_a_tablet(page)

    # Weserhagen delivers the 100 rounds; Germany accepts them all.
    _switch(page, demo_server, "weserhagen")
    page.goto(call_off)
    page.get_by_label("Units delivered").fill("100")
    page.get_by_label("Units accepted").fill("100")
    page.get_by_role("button", name="Record delivery").click()
    page.wait_for_url(call_off)
    delivered = page.get_by_role("table", name=re.compile("Deliveries against call-off"))
    expect(delivered.get_by_text("accepted", exact=True)).to_be_visible()
    assert _fits_a_tablet(page)
    assert console.errors == []
