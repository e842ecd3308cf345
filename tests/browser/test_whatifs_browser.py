"""The agency keeps the demo's plant-fire what-if from its text in the browser, runs it on
the demo record, follows the run and reads the comparison with its charts."""

from __future__ import annotations

import re
from importlib.resources import files

from playwright.sync_api import Page, expect

from browser.support import Console, DemoServer, sign_in

# Generous: two plans of the demo, each up to the 30 s asked, on a busy machine.
SOLVE_TIMEOUT_MS = 240_000
EXAMPLE = files("alliedforge.data").joinpath("whatifs", "plant-fire-2028.toml").read_text()
CHARTS = ("costs", "shortfall", "lateness", "openings")


def _traces(page: Page, chart: str) -> int:
    """How many traces plotly drew in a chart."""
    count: int = page.evaluate("(id) => document.getElementById(id).data.length", chart)
    return count


def test_the_agency_keeps_runs_and_reads_a_what_if(
    page: Page, console: Console, demo_server: DemoServer
) -> None:
    base = demo_server.base
    sign_in(page, demo_server, "agency")
    page.get_by_role("link", name="What-ifs").click()
    page.wait_for_url(f"{base}/whatifs")

    page.get_by_label("What-if text").fill(EXAMPLE)
    page.get_by_label("Code (optional)").fill("fire-browser")
    page.get_by_role("button", name="Check and keep").click()
    page.wait_for_url(f"{base}/whatifs/fire-browser")
    changes = page.locator("#changes tbody tr")
    expect(changes).to_have_count(2)
    expect(changes.first).to_contain_text("line outage")

    page.get_by_label("Time limit per plan (s)").fill("30")
    page.get_by_role("button", name="Run what-if").click()
    page.wait_for_url(re.compile(r".*/whatifs/runs/\d+$"))
    expect(page.locator("#run-status")).to_be_visible()

    # The section polls until both plans are solved, then shows the comparison.
    kpis = page.locator("#comparison-kpis")
    expect(kpis).to_be_visible(timeout=SOLVE_TIMEOUT_MS)
    expect(page.locator("#run-status")).to_have_text("succeeded")
    expect(kpis).to_contain_text("Plant fire in 2028")
    for chart in CHARTS:
        drawn = page.locator(f"#whatif-{chart}-chart.js-plotly-plot")
        expect(drawn).to_be_visible()
        assert _traces(page, f"whatif-{chart}-chart") == 2, chart
    assert page.locator("#comparison-nations tbody tr").count() > 2
    assert console.errors == []
