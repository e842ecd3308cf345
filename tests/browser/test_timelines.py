"""The agency reads the acquisition timelines of the demo in the browser, runs a compression
what-if and sees what it buys, and downloads its OCDS release package."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from browser.support import Console, DemoServer, sign_in

# Generous: two plans of the demo, each up to the 30 s asked, on a busy machine.
SOLVE_TIMEOUT_MS = 240_000
CHARTS = ("stages", "nations", "bottleneck")


def _points(page: Page, chart: str) -> int:
    """How many values the traces plotly drew in a chart hold."""
    count: int = page.evaluate(
        """(id) => document.getElementById(id).data
                   .reduce((n, trace) => n + (trace.y || []).length, 0)""",
        f"{chart}-chart",
    )
    return count


def _sign_a_framework(page: Page, base: str) -> None:
    """A framework agreed directly with Weserhagen for Germany and Poland, signed: a
    contracting process for the export to publish."""
    today = date.today()
    made = page.request.post(
        f"{base}/api/v1/frameworks",
        data={
            "code": "FW-TIMELINES",
            "supplier": "D7WH2",
            "parties": ["DEU", "POL"],
            "items": [
                {"item": "1320-12-651-4402", "tiers": [{"min_quantity": 0, "unit_price": 3500}]}
            ],
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=365)).isoformat(),
            "ceiling_quantity": 10000,
            "ceiling_value": 35_000_000,
        },
    )
    assert made.status == 201, made.text()
    framework = made.json()
    signed = page.request.post(
        f"{base}/api/v1/frameworks/{framework['id']}/sign",
        headers={"If-Match": made.headers["etag"]},
    )
    assert signed.status == 200, signed.text()


def test_the_agency_reads_the_timelines_runs_a_what_if_and_downloads_ocds(
    page: Page, console: Console, demo_server: DemoServer
) -> None:
    base = demo_server.base
    sign_in(page, demo_server, "agency")
    page.get_by_role("link", name="Timelines").click()
    page.wait_for_url(f"{base}/timelines")
    for chart in CHARTS:
        expect(page.locator(f"#{chart}-chart.js-plotly-plot")).to_be_visible()
        assert _points(page, chart) > 0, chart
    expect(page.get_by_role("img", name=re.compile("Box plot of each stage"))).to_be_visible()

    page.get_by_label("Stage to shorten").select_option("contracting")
    page.get_by_label("Months shorter").fill("6")
    page.get_by_label("Time limit per plan (s)").fill("30")
    page.get_by_role("button", name="Start what-if").click()
    page.wait_for_url(re.compile(r".*/timelines/what-ifs/\d+$"))
    expect(page.locator("#what-if-status")).to_be_visible()

    # The section polls until both plans are solved, then shows what the compression buys.
    nations = page.locator("#what-if-nations")
    expect(nations).to_be_visible(timeout=SOLVE_TIMEOUT_MS)
    expect(page.locator("#what-if-status")).to_have_text("done")
    expect(page.locator("#what-if-totals")).to_be_visible()
    for chart in ("effects", "alliance"):
        expect(page.locator(f"#{chart}-chart.js-plotly-plot")).to_be_visible()
        assert _points(page, chart) > 0, chart
    assert nations.locator("tbody tr").count() > 1

    _sign_a_framework(page, base)
    page.goto(f"{base}/timelines")
    with page.expect_download() as download:
        page.get_by_role("link", name="Release package").click()
    package = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert package["releases"]
    assert any(r["ocid"].endswith("-FW-TIMELINES") for r in package["releases"])
    assert console.errors == []
