"""End-to-end fixtures: the real server (uvicorn in a subprocess) and Debian's Chromium.

Playwright drives /usr/bin/chromium; it never downloads a browser. Pages opened through
`open_page` record console errors, uncaught exceptions, failed requests and HTTP errors, so a
test can assert that a page loaded cleanly.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# The app factory the server runs; overridable to point the suite at another configuration.
APP_FACTORY = os.environ.get("PIXELSMITH_E2E_APP_FACTORY", "pixelsmith.core.web.app:create_app")
EXPECT_TIMEOUT_MS = 20_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(data_dir: Path, *, factory: str = APP_FACTORY, **env_extra: str) -> Iterator[str]:
    """Run the app under uvicorn in a subprocess until the block ends; yields its base URL.
    `factory` is "module:function"; its module may live in this folder."""
    port = _free_port()
    env = {
        **os.environ,
        "PIXELSMITH_DATA_DIR": str(data_dir),
        "PIXELSMITH_LOG_LEVEL": "WARNING",
        "PIXELSMITH_LOG_FORMAT": "text",
        "PIXELSMITH_JOB_ISOLATION": "process",  # the shipped default (tests/conftest.py)
        "PIXELSMITH_INLINE_CPU_ISOLATION": "process",
        **env_extra,
    }
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH")) if p)
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / f"server-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                factory,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                log_tail = log_path.read_text()[-3000:]
                pytest.fail(f"server did not answer /healthz in 90 s:\n{log_tail}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def serve_app():
    """`serve` for tests that need a server of their own (another factory or settings)."""
    return serve


@pytest.fixture(scope="session")
def server_url(tmp_path_factory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("e2e-data")) as url:
        yield url


@pytest.fixture(scope="session")
def playwright():
    """The one Playwright of the session: a second sync_playwright() in the same thread fails
    ("Sync API inside the asyncio loop"), so tests that launch browsers of their own (a fake
    camera) launch them from this."""
    from playwright import sync_api  # in the lock: never skipped

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is not installed: run `bash scripts/setup.sh --test`")
    # expect() waits on a condition; its 5 s default is too short on a busy 2-core machine, where
    # a toonify or a cut-out answers in 4-5 s while another suite runs (seen: the diary test).
    # A wait that passes returns at once, so only a failure takes the longer time.
    sync_api.expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_api.sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class WatchedPage:
    """A Playwright page plus everything that went wrong while it was open."""

    page: object
    problems: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)  # substrings of problems to tolerate

    def assert_clean(self) -> None:
        real = [p for p in self.problems if not any(a in p for a in self.allowed)]
        assert not real, "problems on the page:\n" + "\n".join(real)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def open_page(browser, server_url) -> Iterator[Callable[..., WatchedPage]]:
    contexts = []

    def _open(
        path: str,
        *,
        lang: str = "en",
        viewport: dict | None = None,
        server: str | None = None,
        **options,
    ) -> WatchedPage:
        """`server` is another base URL than the suite's server; `options` go to
        browser.new_context (e.g. has_touch=True, is_mobile=True)."""
        context = browser.new_context(
            base_url=server or server_url,
            locale="ko-KR" if lang == "ko" else "en-US",
            viewport=viewport or DESKTOP,
            **options,
        )
        contexts.append(context)
        page = context.new_page()
        watched = WatchedPage(page)
        problems = watched.problems

        def on_console(msg) -> None:
            if msg.type == "error":
                problems.append(f"console error: {msg.text} ({msg.location.get('url')})")

        def on_request_failed(request) -> None:
            if "/favicon" in request.url and "ERR_ABORTED" in (request.failure or ""):
                return  # a navigation (form post, goto) drops the old document's icon fetch
            problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

        def on_response(response) -> None:
            if response.status >= 400:
                problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
        page.on("requestfailed", on_request_failed)
        page.on("response", on_response)
        if path:
            page.goto(path)
        return watched

    yield _open
    for context in contexts:
        context.close()
