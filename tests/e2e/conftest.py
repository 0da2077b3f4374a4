"""Browser tests: the platform started the way `make run` starts it (`python -m devstack`, embedded
PostgreSQL and Temporal dev server in a temp data dir, demo seed), driven in Debian Chromium.
No request may leave localhost."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from domain.settings import ROOT
from tests.e2e.booking_stack import free_ports

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class Platform:
    """`python -m devstack` (what `make run` runs) in its own data dir and ports."""

    def __init__(self, data: Path):
        self.data = data
        self.ports = dict(zip(("API_PORT", "TEMPORAL_PORT", "TEMPORAL_UI_PORT"), free_ports(3), strict=True))
        self.url = f"http://127.0.0.1:{self.ports['API_PORT']}"
        self.proc: subprocess.Popen[bytes] | None = None

    def log(self) -> str:
        return (self.data / "platform.log").read_text(errors="replace")[-4000:]

    def start(self, timeout: float = 180) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEMPORAL_ADDRESS")}
        env.update(DATA_DIR=str(self.data), **{k: str(v) for k, v in self.ports.items()})
        out = (self.data / "platform.log").open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "devstack"], cwd=ROOT, env=env, stdout=out,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("platform exited:\n" + self.log())
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"platform not healthy in {timeout:.0f} s:\n" + self.log())
            time.sleep(0.5)

    def stop(self) -> int:
        """Ctrl-C, as a person at `make run` would; returns the exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise

    def ports_in_use(self) -> list[str]:
        return [name for name, port in self.ports.items() if _port_open(port)]


@pytest.fixture(scope="session")
def platform_url() -> Iterator[str]:
    if os.environ.get("E2E_PLATFORM_URL"):  # developing a test: an already running `python -m devstack`
        yield os.environ["E2E_PLATFORM_URL"].rstrip("/")
        return
    for dist in (ROOT / "miniapp/dist/build/h5/index.html", ROOT / "admin/dist/index.html"):
        if not dist.exists():
            pytest.fail(f"{dist} is missing: `make test` builds the clients before the browser tests")
    # Not under pytest's basetemp: another pytest run on the machine prunes old basetemps, data dir included.
    data = Path(tempfile.mkdtemp(prefix="yanyue-e2e-platform-"))
    platform = Platform(data)
    platform.start()
    try:
        yield platform.url
    finally:
        platform.stop()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class GuardedContexts:
    """Browser contexts (zh-CN, Asia/Shanghai) that record any request leaving localhost (aborted) and any
    Content-Security-Policy violation; `check()` fails the test on either after the contexts are closed."""

    def __init__(self, browser: Browser):
        self.browser = browser
        self.contexts: list[BrowserContext] = []
        self.outside: list[str] = []
        self.blocked: list[str] = []

    def new_page(self) -> Page:
        context = self.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        self.contexts.append(context)

        def guard(route: Route) -> None:
            host = urlparse(route.request.url).hostname or ""
            if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
                route.continue_()
            else:
                self.outside.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        pg = context.new_page()
        # The apps run under a Content-Security-Policy (api/security_headers.py): anything it blocks is a failure.
        pg.on("console", lambda msg: self.blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
        return pg

    def close_and_check(self) -> None:
        for context in self.contexts:
            context.close()
        assert not self.outside, f"requests left localhost: {self.outside}"
        assert not self.blocked, f"blocked by the Content-Security-Policy: {self.blocked}"


@pytest.fixture
def guarded(browser: Browser) -> Iterator[GuardedContexts]:
    contexts = GuardedContexts(browser)
    yield contexts
    contexts.close_and_check()


@pytest.fixture
def page(guarded: GuardedContexts) -> Page:
    return guarded.new_page()


@pytest.fixture
def artist_page(guarded: GuardedContexts) -> Page:
    """A second, separate browser context (its own storage and session) with the same guards as `page`."""
    return guarded.new_page()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
