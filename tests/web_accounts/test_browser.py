"""Sign in through a mailed link and upvote, in a real browser (Debian's chromium)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from papertide.web import create_web_app
from tests.helpers import open_test_app
from tests.mailcatcher import MailCatcher, free_port, link_in, smtp_server
from tests.web.conftest import WEB_ARXIV, WEB_HF
from tests.web.live import CHROMIUM, chromium, uvicorn_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium "
                       "(scripts/install-system-deps installs it)"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, MailCatcher]]:
    with smtp_server() as (catcher, smtp_port):
        port = free_port()
        service = open_test_app(
            tmp_path_factory.mktemp("browser-accounts"), base_url=f"http://127.0.0.1:{port}",
            smtp_host="127.0.0.1", smtp_port=str(smtp_port), smtp_mode="plain",
            topics_refresh_minutes="0")
        assert not service.import_files([WEB_HF, WEB_ARXIV]).errors
        try:
            with uvicorn_in_thread(create_web_app(service), port) as base:
                yield base, catcher
        finally:
            service.close()


def test_sign_in_by_mailed_link_then_upvote_without_reloading(
    site: tuple[str, MailCatcher]
) -> None:
    base_url, catcher = site
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
        page.set_default_timeout(15_000)
        page.goto(base_url + "/")
        page.locator("a.vote-button").first.click()  # anonymous: the button asks to sign in
        page.wait_for_url("**/signin?next=*")
        page.fill("#signin-email", "browser@example.org")
        page.get_by_role("button", name="Email me a sign-in link").click()
        page.wait_for_url("**/signin/sent")
        page.goto(link_in(catcher.wait_for("browser@example.org")))
        page.locator("#confirm-signin").click()
        page.wait_for_url(base_url + "/")
        assert page.locator(".site-nav a[href='/account']").is_visible()

        button = page.locator("button.vote-button").first
        count = int(button.locator(".vote-count").inner_text())
        page.evaluate("window.__marker = 'same page'")
        button.click()
        page.locator("button.vote-button[aria-pressed='true']").first.wait_for()
        assert int(button.locator(".vote-count").inner_text()) == count + 1
        assert page.evaluate("window.__marker") == "same page"  # no reload happened
        page.reload()
        assert page.locator("button.vote-button.voted").count() >= 1
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"horizontal overflow: {widths}"
        browser.close()


def test_a_stale_session_cookie_does_not_undo_a_fresh_sign_in(
    site: tuple[str, MailCatcher]
) -> None:
    base_url, catcher = site
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(base_url + "/signin")
        page.fill("#signin-email", "stale@example.org")
        page.get_by_role("button", name="Email me a sign-in link").click()
        page.wait_for_url("**/signin/sent")
        page.goto(link_in(catcher.wait_for("stale@example.org")))
        # While the confirmation page is open, an old session of this browser ends (or a
        # forged one is left behind): the browser still sends its cookie with the button.
        context.add_cookies([{"name": "papertide_session", "value": "ended.session-value",
                              "url": base_url}])
        page.locator("#confirm-signin").click()
        page.wait_for_url(base_url + "/")
        assert page.locator(".account-link").is_visible()  # signed in
        page.reload()
        assert page.locator(".account-link").is_visible()
        cookie = next(cookie for cookie in context.cookies()
                      if cookie["name"] == "papertide_session")
        assert cookie["value"] != "ended.session-value"
        browser.close()
