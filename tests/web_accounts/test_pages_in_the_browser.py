"""Every main page in a real browser at desktop and phone sizes, signed in.

Debian's chromium through Playwright checks what a person would notice: no
sideways scrolling, a header that stays small (at most 56 px on a desktop, at
most 64 px left in view on a phone once scrolled), and axe-core (the engine
shipped by the ``axe-playwright-python`` package) finding no serious or
critical accessibility violation. The home page must also stay light: at most
60 KB transferred, with no request leaving the site.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request

from papertide.app import Papertide
from papertide.web import create_web_app
from tests.helpers import open_test_app
from tests.mailcatcher import free_port
from tests.web.conftest import WEB_ARXIV, WEB_HF
from tests.web.live import CHROMIUM, uvicorn_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium "
                       "(scripts/install-system-deps installs it)"),
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
DESKTOP_HEADER_PX = 56
PHONE_HEADER_SCROLLED_PX = 64
HOME_BUDGET_BYTES = 60 * 1024
PAGES = {
    "home": "/",
    "day": "/papers/date/2026-03-11",
    "week": "/papers/week/2026-W11",
    "month": "/papers/month/2026-03",
    "paper": "/papers/0704.0027",
    "search": "/search?q=model",
    "topics": "/topics",
    "library": "/library",
    "for-you": "/for-you",
    "account": "/account",
}
SERIOUS = ("serious", "critical")
PLACEHOLDER_ROOM = """() => {
  const input = document.querySelector("#header-q");
  if (!input) return [0, 0];
  const style = getComputedStyle(input);
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontSize} ${style.fontFamily}`;
  return [context.measureText(input.placeholder).width,
          input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)];
}"""
# label-content-name-mismatch is experimental in axe and off by default: turned on,
# since a button whose name differs from its text confuses voice control.
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    resultTypes: ["violations"],
    rules: {"label-content-name-mismatch": {enabled: true}},
  });
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


def axe_source() -> str:
    return (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(
        encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Papertide]]:
    port = free_port()
    service = open_test_app(tmp_path_factory.mktemp("browser-pages"),
                            base_url=f"http://127.0.0.1:{port}", topics_refresh_minutes="0")
    assert not service.import_files([WEB_HF, WEB_ARXIV]).errors
    try:
        with uvicorn_in_thread(create_web_app(service), port):
            yield f"http://127.0.0.1:{port}", service
    finally:
        service.close()


@pytest.fixture(scope="module")
def signed_in_state(site: tuple[str, Papertide], browser: Browser) -> Any:
    """A browser session of a reader with two saved papers (so the library has cards)."""
    base_url, service = site
    context = browser.new_context()
    page = context.new_page()
    page.goto(service.community.accounts.sign_in_link("pages@example.org"))
    page.locator("#confirm-signin").click()
    page.wait_for_url(base_url + "/")
    user = service.community.accounts.user("pages@example.org")
    for arxiv_id in ("0704.0027", "2603.09652"):
        service.community.library.save(user.id, arxiv_id, "to read")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(params=["desktop", "phone"])
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    return DESKTOP if request.param == "desktop" else PHONE


@pytest.fixture
def context(browser: Browser, signed_in_state: Any, viewport: dict[str, int],
            site: tuple[str, Papertide]) -> Iterator[BrowserContext]:
    # bypass_csp: the pages allow only their own scripts, and axe is injected by the test.
    opened = browser.new_context(viewport=viewport, storage_state=signed_in_state,
                                 bypass_csp=True)
    hosts: set[str] = set()
    opened.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    yield opened
    opened.close()
    assert hosts <= {urlsplit(site[0]).netloc}, f"the pages talked to {hosts}"


def _open(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    page.set_default_timeout(15_000)
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    return page


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_page_fits_keeps_its_header_small_and_passes_axe(
    context: BrowserContext, site: tuple[str, Papertide], viewport: dict[str, int], name: str
) -> None:
    page = _open(context, site[0] + PAGES[name])
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name} scrolls sideways: {widths}"

    header = page.locator("header.site-header").bounding_box()
    assert header is not None
    text_width, room = page.evaluate(PLACEHOLDER_ROOM)
    assert text_width <= room, f"{name}: the search placeholder is cut ({text_width} > {room})"
    if viewport is DESKTOP:
        assert header["height"] <= DESKTOP_HEADER_PX, f"{name}: header {header['height']} px"
        search = page.locator("#header-q, #search-q").first.bounding_box()
        assert search is not None and search["width"] >= 240, f"{name}: search box {search}"
    else:
        position = page.evaluate(
            "getComputedStyle(document.querySelector('header.site-header')).position")
        if position in ("sticky", "fixed"):
            assert header["height"] <= PHONE_HEADER_SCROLLED_PX, f"{name}: sticky {header}"
        page.evaluate("window.scrollTo(0, 600)")
        if page.evaluate("window.scrollY") >= header["height"]:
            in_view = page.evaluate(
                "Math.max(0, document.querySelector('header.site-header')"
                ".getBoundingClientRect().bottom)")
            assert in_view <= PHONE_HEADER_SCROLLED_PX, f"{name}: {in_view} px of header shown"
        page.evaluate("window.scrollTo(0, 0)")

    page.evaluate(axe_source())
    violations = page.evaluate(AXE_RUN)
    serious = [violation for violation in violations if violation["impact"] in SERIOUS]
    assert not serious, f"{name} at {viewport['width']} px: {serious}"


def test_the_home_page_is_light_and_stays_on_the_site(
    browser: Browser, site: tuple[str, Papertide]
) -> None:
    """Anonymous, as a first visit: every byte the browser fetched, compressed."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    requests: list[Request] = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(site[0] + "/")
    page.wait_for_load_state("networkidle")
    transferred = sum(request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]
                      for request in requests)
    hosts = {urlsplit(request.url).netloc for request in requests}
    context.close()
    assert hosts == {urlsplit(site[0]).netloc}
    assert 0 < transferred <= HOME_BUDGET_BYTES, f"{transferred:,} bytes"
