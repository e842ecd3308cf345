"""The service in a real browser: the API docs render, a demo user signs in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from browser.support import Console, DemoServer


def test_the_api_docs_render_without_console_errors(
    page: Page, console: Console, live_server: str
) -> None:
    page.goto(f"{live_server}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("AlliedForge")
    expect(page.locator(".opblock").first).to_be_visible()
    assert console.errors == []


def test_the_planner_signs_in_through_the_form(
    page: Page, console: Console, demo_server: DemoServer
) -> None:
    page.goto(f"{demo_server.base}/login")
    page.get_by_label("Name").fill("agency")
    page.get_by_label("Password").fill(demo_server.passwords["agency"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{demo_server.base}/")
    expect(page.get_by_text("Signed in as")).to_be_attached()
    expect(page.locator("header strong", has_text="agency")).to_be_visible()
    assert console.errors == []


def test_a_wrong_password_is_refused_in_the_page(page: Page, demo_server: DemoServer) -> None:
    page.goto(f"{demo_server.base}/login")
    page.get_by_label("Name").fill("deu-desk")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong name or password")
