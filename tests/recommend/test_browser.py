"""For you in a real browser (Debian's chromium): "Not interested" and Undo in place."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page

from papertide.app import Papertide
from papertide.web import create_web_app
from tests.helpers import open_test_app
from tests.mailcatcher import free_port
from tests.recommend.clustered import add_clustered_papers
from tests.web.live import CHROMIUM, chromium, uvicorn_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium "
                       "(scripts/install-system-deps installs it)"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Papertide, str]]:
    """The server, and the session cookie of a reader of graphs and proteins."""
    port = free_port()
    service = open_test_app(tmp_path_factory.mktemp("browser-for-you"),
                            base_url=f"http://127.0.0.1:{port}", topics_refresh_minutes="0")
    ids = add_clustered_papers(service, service.semantic.model_name)
    accounts = service.community.accounts
    user, _ = accounts.add_user("reader@example.org", admin=False)
    for arxiv_id in ids["library graphs"] + ids["library proteins"]:
        service.community.library.save(user.id, arxiv_id)
    link = accounts.sign_in_link("reader@example.org")
    cookie = accounts.complete_sign_in(parse_qs(urlsplit(link).query)["token"][0]).cookie
    try:
        with uvicorn_in_thread(create_web_app(service), port):
            yield f"http://127.0.0.1:{port}", service, cookie
    finally:
        service.close()


def _screenshot(page: Page, name: str) -> None:
    """Screenshots for a person to look at, only when asked for (never into the repo)."""
    folder = os.environ.get("PAPERTIDE_TEST_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name))


@pytest.mark.parametrize("viewport", [(1366, 900), (390, 844)])
def test_not_interested_hides_a_pick_in_place_and_undo_brings_it_back(
    site: tuple[str, Papertide, str], viewport: tuple[int, int],
) -> None:
    base_url, _, cookie = site
    with chromium() as browser:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        context.add_cookies([{"name": "papertide_session", "value": cookie,
                              "url": base_url}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(base_url + "/for-you")
        assert page.locator(".interest-summary .interest-tag").count() == 2
        _screenshot(page, f"for-you-{viewport[0]}.png")
        pick = page.locator("li.pick").first
        title = pick.locator(".paper-title a").inner_text()
        page.evaluate("window.__marker = 'same page'")
        pick.get_by_role("button", name="Not interested").click()
        pick.get_by_role("button", name="Undo").wait_for()
        assert pick.locator(".pick-hidden-note").is_visible()
        assert not pick.locator(".paper-title").is_visible()
        _screenshot(page, f"for-you-hidden-{viewport[0]}.png")
        pick.get_by_role("button", name="Undo").click()
        pick.get_by_role("button", name="Not interested").wait_for()
        assert pick.locator(".paper-title").is_visible()
        assert page.evaluate("window.__marker") == "same page"  # no reload happened
        page.reload()
        assert page.locator("li.pick .paper-title a").first.inner_text() == title
        browser.close()
