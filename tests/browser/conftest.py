"""Browser tests: a real server process, a real print agent, Debian's headless Chromium.

Chromium comes from `ANTREAN_CHROMIUM`, else /usr/bin/chromium. Without it the tests skip on a
developer's machine but fail in CI (`CI` set), where `.ci/run` installs it. Screenshots go to
`ANTREAN_SCREENSHOTS` when set (`./dev screenshots` points it at docs/screenshots).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from queue_server.testing import ServerProcess, free_port
from tests.conftest import ADMIN_PASSWORD, DEMO_PASSWORD

pytestmark = pytest.mark.slow
OFFICE = "winongan"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--font-render-hinting=none",
    "--autoplay-policy=no-user-gesture-required",  # as on the lobby TV (docs/display.md)
]  # fmt: skip


def chromium_path() -> str | None:
    configured = os.environ.get("ANTREAN_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Module scope: Playwright's sync API keeps an event loop running while it is open, and
    # the asyncio tests that follow need none running.

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield Watched(instance)
        finally:
            instance.close()


class Watched:
    """The browser, noting every Content-Security-Policy violation any of its pages reports."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.violations: list[str] = []

    def _note(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.on("console", self._note)
        return context

    def new_page(self, **options: Any) -> Any:
        page = self._browser.new_page(**options)
        page.on("console", self._note)
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def no_csp_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every browser test fails if a page broke the security policy (an inline script, a style
    attribute, a file from elsewhere)."""
    yield
    if "browser" in request.fixturenames:
        watched = request.getfixturevalue("browser")
        found, watched.violations[:] = list(watched.violations), []
        assert not found, found


@dataclass
class Site:
    """A running Antrean with the demo office, an admin token and a way to make devices."""

    server: ServerProcess
    admin_token: str
    tmp: Path
    agents: list[subprocess.Popen[bytes]] = field(default_factory=list)
    officers: dict[int, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        bearer = token if token is not None else self.admin_token
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def kiosk(self, name: str, printer: str | None) -> tuple[str, Path | None]:
        """A kiosk device token; with `printer` ("spool" or a printer spec) a print agent runs."""
        kiosk = self.api(
            "POST", f"/api/v1/offices/{OFFICE}/devices", {"kind": "kiosk", "name": name}
        )
        spool = None
        if printer is not None:
            agent = self.api(
                "POST", f"/api/v1/offices/{OFFICE}/devices",
                {"kind": "agent", "name": f"{name} printer", "kiosk": kiosk["id"]},
            )  # fmt: skip
            if printer == "spool":
                spool = self.tmp / f"spool-{kiosk['id']}"
                printer = f"dir:{spool}"
            journal = self.tmp / f"journal-{kiosk['id']}.jsonl"
            command = [
                sys.executable, "-m", "printer.agent", "--server", self.url,
                "--token", agent["token"], "--printer", printer, "--journal", str(journal),
            ]  # fmt: skip
            self.agents.append(
                subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
        return str(kiosk["token"]), spool

    def officer(self, n: int) -> str:
        """A session token for officer petugas<n> of the demo office."""
        if n not in self.officers:
            login = {"username": f"petugas{n}", "password": DEMO_PASSWORD}
            self.officers[n] = self.api("POST", "/api/v1/auth/login", login, token="")["token"]
        return self.officers[n]

    def staff_tickets(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.api("GET", f"/api/v1/offices/{OFFICE}/tickets")
        return result


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("site")
    with ServerProcess(f"sqlite:///{tmp / 'antrean.db'}", log_path=tmp / "server.log") as server:
        login = {"username": "admin", "password": ADMIN_PASSWORD}
        site = Site(server, "", tmp)
        site.admin_token = site.api("POST", "/api/v1/auth/login", login, token="")["token"]
        try:
            yield site
        finally:
            for agent in site.agents:
                agent.terminate()
                agent.wait(timeout=20)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = os.environ.get("ANTREAN_SCREENSHOTS")
    path = Path(target) if target else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def closed_port() -> int:
    """A localhost port nothing listens on: a network printer that is switched off."""
    return free_port()
