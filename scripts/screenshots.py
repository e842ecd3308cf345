"""Render the web app's main pages to docs/screenshots/*.png (`make screenshots`).

Starts `forge serve --demo` on a free port in a temporary folder, signs in as the demo
planner (`agency`) through the login form, plans the demo data (a joint and a national
run, so that the plan pages and the dashboard have results), and photographs each page
with Debian's chromium (`apt-get install chromium`) driven by Playwright. A page the
server does not serve (404) is reported and skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, ViewportSize, sync_playwright

REPO = Path(__file__).resolve().parent.parent
FORGE = Path(sys.executable).parent / "forge"
OUT = REPO / "docs" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1366, "height": 900}
# (file name, path, needs a signed-in planner)
PAGES = (
    ("login", "/login", False),
    ("dashboard", "/", True),
    ("requirements", "/requirements", True),
    ("requirement-new", "/requirements/new", True),
    ("plans", "/plans", True),
    ("plan", "/plans/1", True),
    ("catalogue", "/catalogue", True),
    ("interoperability", "/catalogue/interoperability", True),
    ("industry", "/industry", True),
    ("supplier", "/industry/suppliers/1", True),
    ("procurement", "/procurement", True),
    ("timelines", "/timelines", True),
    ("news", "/news", True),
    ("api-docs", "/api/docs", False),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_demo(folder: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    """`forge serve --demo` in `folder`; the process and the planner's one-time password."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    server = subprocess.Popen(
        [str(FORGE), "serve", "--demo", "--port", str(port), "--no-access-log"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    password = None
    for line in server.stdout:
        found = re.match(r"[│|]\s*agency\s*[│|].*[│|]\s*(\S+)\s*[│|]\s*$", line)
        if found:
            password = found.group(1)
        if "Open http" in line:
            break
    if password is None:
        server.kill()
        raise SystemExit("forge serve --demo printed no password for agency")
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/api/v1/openapi.json", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit("forge serve --demo did not start") from None
            time.sleep(0.2)
    return server, password


def sign_in(page: Page, base: str, password: str) -> bool:
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill("agency")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    return not page.url.endswith("/login")


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium not found; install it with `apt-get install chromium`", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    saved: list[str] = []
    missing: list[str] = []
    with tempfile.TemporaryDirectory(prefix="alliedforge-screenshots-") as folder:
        server, password = start_demo(Path(folder), port)
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=chromium, headless=True)
                page = browser.new_context(viewport=VIEWPORT).new_page()
                has_login = httpx.get(f"{base}/login").status_code != 404
                signed_in = has_login and sign_in(page, base, password)
                if has_login and not signed_in:
                    print("warning: signing in as agency failed", file=sys.stderr)
                if signed_in:
                    plan_demo(page, base)
                for name, path, needs_sign_in in PAGES:
                    if needs_sign_in and not signed_in:
                        missing.append(f"{path} (not signed in)")
                        continue
                    if name == "login" and signed_in:
                        login = browser.new_context(viewport=VIEWPORT).new_page()
                        shot(login, base, path, name, saved, missing)
                        continue
                    shot(page, base, path, name, saved, missing)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    for name in saved:
        print(f"saved {name}")
    for path in missing:
        print(f"not served, no screenshot: {path}")
    return 0 if saved else 1


def plan_demo(page: Page, base: str) -> None:
    """Plan the demo data in both modes through the API (the page's session signs in)."""
    for mode in ("joint", "national"):
        started = page.request.post(f"{base}/api/v1/plans", data={"mode": mode, "time_limit": 60})
        if started.status != 202:
            raise SystemExit(f"starting a {mode} plan failed: {started.status} {started.text()}")
        address = f"{base}/api/v1/plans/{started.json()['id']}"
        deadline = time.monotonic() + 300
        while page.request.get(address).json()["status"] == "running":
            if time.monotonic() > deadline:
                raise SystemExit(f"the {mode} plan did not finish in 5 minutes")
            time.sleep(1)


def shot(page: Page, base: str, path: str, name: str, saved: list[str], missing: list[str]) -> None:
    response = page.goto(f"{base}{path}")
    if response is None or response.status == 404:
        missing.append(path)
        return
    page.wait_for_load_state("networkidle")
    target = OUT / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    saved.append(str(target.relative_to(REPO)))


if __name__ == "__main__":
    raise SystemExit(main())
