"""Browser harness: Playwright drives the system Chromium at a phone's size.

Never `playwright install`: the closed network has no browser downloads.
CI (GOCUA_REQUIRE_BROWSER=1) fails instead of skipping when Chromium is missing.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, build_world

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make to set up and check data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.getenv("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server, but static files go through whitenoise.

    Its default handler serves static/ by the finders, with unhashed names and
    uncompressed: neither what the templates ask for nor what phones download.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"), start=False)
    server.thread.static_handler = lambda app: app
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        if os.getenv("GOCUA_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def new_page(browser, live_server, viewport=PHONE):
    context = browser.new_context(viewport=viewport, locale="vi-VN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(browser, live_server):
    page = new_page(browser, live_server)
    yield page
    page.context.close()


@pytest.fixture
def browser_world(transactional_db):
    return build_world()


def login(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def screenshot(page, name):
    """Save a full-page screenshot under test-results/ and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_horizontal_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px at {page.viewport_size['width']}px"
