"""The site in a real browser (Debian's chromium through Playwright).

The app runs under uvicorn on a free loopback port in a background thread;
every request the browser makes is checked to stay on that address.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from papertide.web import create_web_app
from tests.web.conftest import open_loaded_service
from tests.web.live import CHROMIUM, uvicorn_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium "
                       "(scripts/install-system-deps installs it)"),
]
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    service = open_loaded_service(tmp_path_factory.mktemp("web-browser"))
    try:
        with uvicorn_in_thread(create_web_app(service)) as base:
            yield base
    finally:
        service.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A phone-sized page that records every host it talks to."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    yield page
    context.close()
    assert hosts <= {urlsplit(base_url).netloc}, f"the page talked to {hosts}"


def test_home_fits_a_phone_and_abstracts_expand(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"horizontal overflow: {widths}"

    card = page.locator("article.paper-card").first
    full = card.locator(".abstract-full")
    assert not full.is_visible()
    card.locator("summary").click()
    assert full.is_visible()
    box = full.bounding_box()
    assert box is not None and box["height"] > 60  # the whole text, not a two-line preview
    assert box["x"] + box["width"] <= PHONE["width"]


@pytest.mark.parametrize("path", ["/papers/cs/9901011", "/search?q=model&from=2026",
                                  "/about", "/papers/week/2026-W11", "/papers/date/2026-02-30"])
def test_other_pages_fit_a_phone(page: Page, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"horizontal overflow on {path}: {widths}"


def test_slash_focuses_the_search_box(page: Page, base_url: str) -> None:
    page.goto(base_url + "/about")
    page.keyboard.press("/")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "header-q"


def test_docs_render_the_api_operations(page: Page, base_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    answer = page.goto(base_url + "/docs")
    assert answer is not None and "frame-ancestors 'none'" in answer.headers[
        "content-security-policy"]
    operations = page.locator(".opblock-summary-path")
    operations.filter(has_text="/api/search").first.wait_for()
    paths = set(operations.all_inner_texts())
    assert {"/api/search", "/api/daily", "/api/health"} <= {text.strip() for text in paths}
    assert refused == []  # the policy lets Swagger UI work
