"""The agency opens the stock of the demo record and one account: the projection chart is
drawn with the account's numbers, and the page's content fits a tablet."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from browser.support import Console, DemoServer, sign_in

TABLET = {"width": 768, "height": 1024}


def test_the_agency_opens_the_stock_and_an_account_with_its_projection(
    page: Page, console: Console, demo_server: DemoServer
) -> None:
    sign_in(page, demo_server, "agency")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stock").click()
    page.wait_for_url(f"{demo_server.base}/stock")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stock")
    account = page.get_by_role("table").get_by_role("link").first
    expect(account).to_be_visible()
    account.click()
    page.wait_for_url(re.compile(r".*/stock/[^/]+/[^/]+$"))
    chart = page.locator("#projection-chart.js-plotly-plot")
    expect(chart).to_be_visible()
    drawn = page.evaluate(
        "() => document.getElementById('projection-chart').data.map(trace => trace.y.length)"
    )
    twin = page.request.get(f"{page.url}?format=json").json()
    recorded = sum(point["actual"] for point in twin["projection"]["points"])
    assert drawn[0] == recorded > 0
    assert drawn[2] == len(twin["projection"]["targets"])
    expect(chart).to_have_attribute("role", "img")

    page.set_viewport_size(TABLET)
    page.reload()
    expect(page.locator("#projection-chart.js-plotly-plot")).to_be_visible()
    main = page.evaluate("() => [document.getElementById('main').scrollWidth, innerWidth]")
    assert main[0] <= main[1]
    assert console.errors == []
