"""Browser tests: Playwright driving Debian's chromium against a live AlliedForge service.

Playwright's own browser download is not used (it is blocked here): the tests launch the
`chromium` on PATH through `executable_path`, headless. Without it the tests are not
collected and the run says why in its summary — except under CI (`CI` set), where they
always run and a missing chromium fails every one of them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from alliedforge.cli.demo_record import prepare_demo
from browser.support import Console, DemoServer

from live_api import fresh_database, serve

CHROMIUM = shutil.which("chromium")
IN_CI = bool(os.environ.get("CI"))
INSTALL_HINT = "install it with `apt-get install chromium`"
NOT_RUN = f"browser tests not run: chromium not found; {INSTALL_HINT}"

collect_ignore_glob = ["test_*.py"] if CHROMIUM is None and not IN_CI else []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if CHROMIUM is None and not IN_CI:
        terminalreporter.write_line(NOT_RUN, yellow=True, bold=True)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if CHROMIUM is None:
        pytest.fail(f"CI runs the browser tests, but chromium is not on PATH; {INSTALL_HINT}")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser: Browser, console: Console) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page, its console errors in `console`."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", console.on_message)
    page.on("pageerror", console.on_exception)
    yield page
    context.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over a fresh, empty SQLite database; its base URL."""
    with (
        fresh_database("sqlite", tmp_path_factory.mktemp("browser")) as url,
        serve(url) as base,
    ):
        yield base


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    folder: Path = tmp_path_factory.mktemp("demo")
    record = prepare_demo(folder)
    with serve(record.url) as base:
        yield DemoServer(
            base=base,
            passwords={user.name: password for user, password in record.passwords},
            users={user.name: user for user, _password in record.passwords},
        )
