"""What the browser tests share besides fixtures: a page's console errors, the demo server."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import ConsoleMessage, Page

from alliedforge.cli.demo_record import DemoUser


@dataclass
class Console:
    """What the page reported as errors: console `error` messages and uncaught exceptions."""

    errors: list[str] = field(default_factory=list)

    def on_message(self, message: ConsoleMessage) -> None:
        # The browser asks for /favicon.ico on its own; its 404 is no error of a page.
        if message.location.get("url", "").endswith("/favicon.ico"):
            return
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_exception(self, error: Exception) -> None:
        self.errors.append(f"uncaught: {error}")


@dataclass(frozen=True)
class DemoServer:
    """The service over the demo record (`forge serve --demo`'s): base URL, passwords."""

    base: str
    passwords: dict[str, str]
    users: dict[str, DemoUser]


def sign_in(page: Page, server: DemoServer, name: str) -> None:
    """Sign in through the form as the demo user `name`; wait for the dashboard."""
    page.goto(f"{server.base}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(server.passwords[name])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.base}/")
