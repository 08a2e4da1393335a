"""A live server on loopback and Debian's Chromium, driven by Playwright."""

from collections.abc import Iterator
import contextlib
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
import os
from pathlib import Path
import threading

import pytest

from tests.live import free_port, server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser-store")


@pytest.fixture(scope="session")
def base_url(store_dir) -> str:
    with server("app.main:app", env={"POINTWISE_STORE_DIR": str(store_dir)}) as running:
        yield running.url


# Package scope: Playwright's sync API keeps an event loop running in this thread while it is open,
# and the tests after this package (tests/classroom) run their own with asyncio.run. One Playwright
# for the package: a second one could not start inside the first one's loop.
@pytest.fixture(scope="package")
def playwright():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI needs /usr/bin/chromium for the browser tests (.ci/run installs it)")
        pytest.skip("no /usr/bin/chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


def launch(playwright, *extra_args: str):
    """Debian's Chromium with the flags this machine needs, and any others."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra_args])


@pytest.fixture(scope="package")
def browser(playwright):
    browser = launch(playwright)
    yield browser
    browser.close()


class Watched:
    """A page that records every request and every console error."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str = "/") -> None:
        self.page.goto(self.base_url + path)
        self.settle()

    def settle(self) -> None:
        """Wait until the page has drawn an answer and has nothing in flight."""
        self.page.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=20_000)

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith((self.base_url, "data:", "blob:"))]


@pytest.fixture
def watched(browser, base_url):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    yield Watched(page, base_url)
    context.close()


@contextlib.contextmanager
def another_origin(folder: Path, page: str, html: str) -> Iterator[str]:
    """`html` as `folder/page`, served on another loopback origin (a lecturer's slides); yields its URL."""
    (folder / page).write_text(html)
    port = free_port()
    handler = lambda *a: SimpleHTTPRequestHandler(*a, directory=str(folder))  # noqa: E731
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}/{page}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def page_at(browser, request):
    """page_at(viewport) → a page in a context of its own, whose uncaught errors gather in
    `page.errors`; a test module's INIT_SCRIPT, if it has one, runs in every document first."""
    contexts = []
    script = getattr(request.module, "INIT_SCRIPT", None)

    def open_page(size: dict):
        context = browser.new_context(viewport=size)
        if script:
            context.add_init_script(script)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors
        return page

    yield open_page
    for context in contexts:
        context.close()
