"""What the browser tests share besides fixtures: a page's console errors, the demo server."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import ConsoleMessage

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
