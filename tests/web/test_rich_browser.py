"""Rich cards, the paper page and an author page in a real browser (Debian's chromium),
at desktop (1366×900) and phone (390×844) sizes, signed in so every card control shows.

The server runs under uvicorn on a loopback port; every request the browser makes is
checked to stay on that address.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from papertide.sources.hf_daily import parse_daily_papers
from papertide.web import create_web_app
from tests.helpers import FIXED_NOW, free_port
from tests.web.conftest import open_loaded_service
from tests.web.live import CHROMIUM, uvicorn_in_thread
from tests.web.test_rich_pages import HF_DAILY, hf_items

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium "
                       "(scripts/install-system-deps installs it)"),
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
HOME_BUDGET_BYTES = 60_000
HF_DAY = "/papers/date/" + next(iter(hf_items().values()))["paper"]["submittedOnDailyAt"][:10]
AUTHOR = hf_items()["2606.13594"]["paper"]["authors"][0]["name"]
PAGES = ["/", HF_DAY, "/papers/2606.13594", "/authors/" + quote(AUTHOR, safe="")]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The base URL, and a session cookie of a signed-in reader."""
    service = open_loaded_service(tmp_path_factory.mktemp("rich-browser"))
    daily = parse_daily_papers(HF_DAILY.read_bytes(), FIXED_NOW)
    service.store.upsert_papers([paper.record for paper in daily.papers], FIXED_NOW)
    service.store.add_observations(o for paper in daily.papers for o in paper.observations)
    service.sync_search_index()
    accounts = service.community.accounts
    accounts.add_user("browser@example.org", admin=False)
    link = accounts.sign_in_link("browser@example.org")
    cookie = accounts.complete_sign_in(parse_qs(urlsplit(link).query)["token"][0]).cookie
    port = free_port()
    try:
        with uvicorn_in_thread(create_web_app(service), port):
            yield f"http://127.0.0.1:{port}", cookie
    finally:
        service.close()


def open_page(browser: Browser, site: tuple[str, str], viewport: dict[str, int],
              signed_in: bool = True) -> tuple[Page, set[str], list[Any]]:
    base, cookie = site
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    if signed_in:
        context.add_cookies([{"name": "papertide_session", "value": cookie, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    hosts: set[str] = set()
    responses: list[Any] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("response", lambda response: responses.append(response))
    return page, hosts, responses


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES)
def test_pages_fit_and_card_controls_stay_inside_their_cards(
    browser: Browser, site: tuple[str, str], viewport: dict[str, int], path: str
) -> None:
    page, hosts, _ = open_page(browser, site, viewport)
    assert page.goto(site[0] + path).status == 200  # type: ignore[union-attr]
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > innerWidth + 1 &&
                     e.parentElement.getBoundingClientRect().right <= innerWidth + 1)
        .slice(0, 3).map(e => e.tagName + '.' + e.className + ' '
                         + (e.textContent || '').trim().slice(0, 40))""")
    assert widths[0] <= widths[1], f"horizontal overflow on {path}: {widths}, {wide}"
    strays = page.evaluate("""() => {
        const out = [];
        for (const card of document.querySelectorAll('article.paper-card')) {
            const box = card.getBoundingClientRect();
            for (const control of card.querySelectorAll('button, a, input:not([type=hidden])')) {
                const r = control.getBoundingClientRect();
                if (r.width === 0 && r.height === 0) continue;
                if (r.left < box.left - 0.5 || r.right > box.right + 0.5 ||
                    r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
                    out.push(control.textContent.trim().slice(0, 40));
            }
        }
        return out;
    }""")
    assert not strays, f"controls outside their card on {path}: {strays}"
    assert hosts <= {urlsplit(site[0]).netloc}, f"the page talked to {hosts}"
    page.context.close()


def test_a_signed_in_readers_cards_carry_vote_save_and_not_interested(
    browser: Browser, site: tuple[str, str]
) -> None:
    page, _, _ = open_page(browser, site, DESKTOP)
    page.goto(site[0] + HF_DAY)
    cards = page.locator("article.paper-card")
    assert cards.count() >= 6
    first = cards.first
    for label in ("Save", "Not interested", "PDF", "arXiv"):
        assert first.get_by_text(label, exact=True).count() == 1, label
    assert first.locator("button.vote-button").count() == 1
    page.context.close()


def test_a_desktop_screen_shows_six_papers(browser: Browser, site: tuple[str, str]) -> None:
    page, _, _ = open_page(browser, site, DESKTOP)
    for path in (HF_DAY, "/papers/date/2026-03-11"):
        page.goto(site[0] + path)
        tops = page.evaluate("""() => [...document.querySelectorAll('article.paper-card')]
            .slice(0, 6).map(card => { const r = card.getBoundingClientRect();
                                       return [r.top, r.bottom]; })""")
        assert len(tops) == 6
        span = tops[-1][1] - tops[0][0]
        assert span <= DESKTOP["height"], f"six cards take {span:.0f} px on {path}"
    page.context.close()


def test_the_paper_page_has_two_columns_on_a_desktop_and_links_first_on_a_phone(
    browser: Browser, site: tuple[str, str]
) -> None:
    for viewport in (DESKTOP, PHONE):
        page, _, _ = open_page(browser, site, viewport, signed_in=False)
        page.goto(site[0] + "/papers/2606.13594")
        abstract = page.locator("#abstract-heading").bounding_box()
        pdf = page.get_by_role("link", name="PDF", exact=True).bounding_box()
        similar = page.locator("#similar-heading").bounding_box()
        assert abstract and pdf and similar
        if viewport is DESKTOP:  # side by side: the links to the right of the text
            assert pdf["x"] > abstract["x"] + 500
            assert similar["x"] == pytest.approx(pdf["x"], abs=20)
        else:  # one column: the PDF above the abstract, similar papers after it
            assert pdf["y"] < abstract["y"] < similar["y"]
            assert pdf["y"] + pdf["height"] <= viewport["height"]  # on the first screen
        page.context.close()


def test_the_copy_button_copies_the_bibtex(browser: Browser, site: tuple[str, str]) -> None:
    page, _, _ = open_page(browser, site, DESKTOP, signed_in=False)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(site[0] + "/papers/2606.13594")
    page.get_by_role("button", name="Copy BibTeX").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#cite-bibtex").inner_text()
    assert copied.startswith("@misc{") and "eprint = {2606.13594}" in copied
    page.context.close()


def test_the_home_page_stays_light_and_local(browser: Browser, site: tuple[str, str]) -> None:
    page, hosts, responses = open_page(browser, site, DESKTOP, signed_in=False)
    page.goto(site[0] + "/", wait_until="networkidle")
    transferred = 0
    for response in responses:
        sizes = response.request.sizes()
        transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    assert transferred <= HOME_BUDGET_BYTES, f"home page: {transferred:,} bytes transferred"
    assert hosts == {urlsplit(site[0]).netloc}
    page.context.close()
