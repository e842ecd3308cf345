"""The agency opens the interoperability heatmap and a supplier's profile in the browser:
plotly draws every chart with data, and the page reports no errors."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from browser.support import Console, DemoServer, sign_in


def _drawn_points(page: Page, chart: str) -> int:
    """How many data points plotly holds for the chart element (0: nothing drawn)."""
    count: int = page.eval_on_selector(
        f"#{chart}",
        """element => (element.data || []).reduce(
            (sum, trace) => sum + (trace.z ? trace.z.flat().length : (trace.y || []).length), 0)""",
    )
    return count


def test_the_agency_sees_the_heatmap_and_a_suppliers_charts(
    page: Page, console: Console, demo_server: DemoServer
) -> None:
    sign_in(page, demo_server, "agency")
    page.goto(f"{demo_server.base}/catalogue/interoperability")
    heatmap = page.locator("#matrix-chart")
    expect(heatmap).to_have_attribute("role", "img")
    expect(heatmap.locator(".main-svg").first).to_be_visible()
    expect(heatmap.locator(".hm image, .heatmaplayer image").first).to_be_attached()
    assert _drawn_points(page, "matrix-chart") > 0
    expect(page.get_by_role("table").first).to_contain_text("qualified")

    page.get_by_label("Fleet of nation").select_option("DEU")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/catalogue/interoperability?*nation=DEU*")
    expect(heatmap.locator(".main-svg").first).to_be_visible()
    assert _drawn_points(page, "matrix-chart") > 0

    page.goto(f"{demo_server.base}/industry?name=Weserhagen")
    page.get_by_role("link", name="D7WH2").click()
    page.wait_for_url("**/industry/suppliers/*")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Weserhagen")
    for chart in ("capacity-chart", "prices-chart"):
        expect(page.locator(f"#{chart} .main-svg").first).to_be_visible()
        assert _drawn_points(page, chart) > 0
    expect(page.locator("#capacity-chart .shapelayer path").first).to_be_attached()  # ramp-up
    assert console.errors == []
