"""The agency plans the demo data in the browser, watches the run's live progress and reads
its charts; a nation's desk opening the same run sees only its own deliveries."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from browser.support import Console, DemoServer, sign_in

# Generous: the demo's joint plan takes seconds alone, longer on a busy machine.
SOLVE_TIMEOUT_MS = 180_000
CHARTS = ("costs", "deliveries", "production", "openings", "tiers", "outcomes")


def _trace_counts(page: Page) -> dict[str, int]:
    """How many traces plotly drew in each chart of the page, by element id."""
    counts: dict[str, int] = page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll(".js-plotly-plot"))
                 .map(el => [el.id, el.data.length]))"""
    )
    return counts


def test_a_planner_plans_the_demo_and_a_nation_sees_its_own_share(
    page: Page, console: Console, demo_server: DemoServer
) -> None:
    sign_in(page, demo_server, "agency")
    page.goto(f"{demo_server.base}/plans")
    page.get_by_label("Mode").select_option("joint")
    page.get_by_label("Time limit (s)").fill("60")
    page.get_by_role("button", name="Start plan").click()
    page.wait_for_url(re.compile(r".*/plans/\d+$"))
    address = page.url

    # Live progress, from the server-sent events: the elapsed time moves on.
    live = page.locator("#live")
    expect(live).to_be_visible()
    expect(live.get_by_role("progressbar")).to_be_visible()
    elapsed = live.locator('[data-field="elapsed"]')
    expect(elapsed).not_to_have_text(elapsed.inner_text(), timeout=30_000)

    # The page reloads with the results once the run ends.
    expect(page.locator("#deliveries-chart.js-plotly-plot")).to_be_visible(timeout=SOLVE_TIMEOUT_MS)
    expect(page.locator("#live")).to_have_count(0)
    counts = _trace_counts(page)
    assert {f"{chart}-chart" for chart in CHARTS} <= set(counts), counts
    assert all(count > 0 for count in counts.values()), counts
    expect(page.get_by_role("link", name="Workbook (.xlsx)")).to_be_visible()
    assert console.errors == []

    page.context.clear_cookies()
    sign_in(page, demo_server, "deu-desk")
    page.goto(address)
    expect(page.locator("#deliveries-chart.js-plotly-plot")).to_be_visible()
    drawn = page.evaluate("""() => document.getElementById("deliveries-chart").data
                             .map(trace => trace.name)""")
    assert drawn == ["DEU"]
    twin = page.request.get(f"{address}?format=json").json()
    assert [row["nation"] for row in twin["results"]["deliveries"]] == ["DEU"]
    assert [row["nation"] for row in twin["results"]["nations"]] == ["DEU"]
    expect(page.get_by_role("link", name="Workbook (.xlsx)")).to_have_count(0)
    assert console.errors == []
