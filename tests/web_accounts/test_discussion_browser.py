"""Discussions in a real browser (Debian's chromium): script in any field never runs,
and the discussion reads well at desktop and phone sizes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from papertide.app import Papertide
from papertide.web import create_web_app
from tests.helpers import open_test_app
from tests.mailcatcher import free_port
from tests.web.conftest import WEB_ARXIV, WEB_HF
from tests.web.live import CHROMIUM, uvicorn_in_thread

PAPER = "2603.09652"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium "
                       "(scripts/install-system-deps installs it)"),
]
ATTACKS = (
    "<script>alert('script')</script>",
    "[click me](javascript:alert('link'))",
    "<img src=x onerror=alert('img')>",
    "<svg onload=alert('svg')><script>alert('svg script')</script></svg>",
    "\"><img src=x onerror=alert('quote')>",
    "$<img src=x onerror=alert('math')>$",
    "<a href=\"javascript:alert('anchor')\">anchor</a>",
)
SCREENSHOTS = Path(os.environ.get("PAPERTIDE_SCREENSHOTS", "/tmp/papertide-screens"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Papertide]]:
    port = free_port()
    service = open_test_app(tmp_path_factory.mktemp("browser-discussions"),
                            base_url=f"http://127.0.0.1:{port}", topics_refresh_minutes="0",
                            comment_limit_per_hour="1000")
    assert not service.import_files([WEB_HF, WEB_ARXIV]).errors
    try:
        with uvicorn_in_thread(create_web_app(service), port):
            yield f"http://127.0.0.1:{port}", service
    finally:
        service.close()


def signed_in_page(browser: Browser, site: tuple[str, Papertide], email: str,
                   width: int = 1366, height: int = 900, admin: bool = False
                   ) -> tuple[Page, list[str]]:
    """A page signed in as ``email``, and the list every dialog (an alert) lands in."""
    base_url, service = site
    accounts = service.community.accounts
    accounts.add_user(email, admin)
    cookie = accounts.complete_sign_in(accounts.sign_in_link(email).split("token=")[1]).cookie
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_cookies([{"name": "papertide_session", "value": cookie, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs: list[str] = []

    def on_dialog(dialog: object) -> None:
        dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)
    return page, dialogs


def assert_no_live_script(page: Page) -> None:
    """Nothing in the discussion can run: no script, no handler, no script link."""
    found = page.evaluate("""() => {
        const inside = [...document.querySelectorAll('.comment-body, .moderation-item')];
        const bad = [];
        for (const root of inside) {
            for (const el of root.querySelectorAll('*')) {
                const tag = el.tagName.toUpperCase();
                if (['SCRIPT', 'IMG', 'SVG', 'IFRAME'].includes(tag)) bad.push(tag);
                for (const attr of el.attributes) {
                    if (attr.name.startsWith('on') || attr.name === 'style') bad.push(attr.name);
                    if (attr.name === 'href' && !/^(https?:|mailto:|\\/|#)/i.test(attr.value))
                        bad.push(attr.value);
                }
            }
        }
        return bad;
    }""")
    assert found == []


def test_script_in_comments_replies_edits_and_reports_never_runs(
    browser: Browser, site: tuple[str, Papertide],
) -> None:
    base_url, _ = site
    page, dialogs = signed_in_page(browser, site, "attacker@example.org")
    paper_url = f"{base_url}/papers/{PAPER}"
    for attack in ATTACKS:
        page.goto(paper_url)
        page.fill("#new-comment", attack)
        page.get_by_role("button", name="Comment", exact=True).click()
        page.wait_for_url("**#comment-*")
    first = page.locator(".comment-thread").first
    first.locator(".reply-box summary").click()
    first.locator("textarea").fill(ATTACKS[2])
    first.get_by_role("button", name="Reply").click()
    page.wait_for_url("**#comment-*")
    page.locator(".comment-actions a", has_text="Edit").first.click()
    page.fill("#edit-body", ATTACKS[3])
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**#comment-*")
    page.goto(paper_url)
    assert_no_live_script(page)
    bodies = page.locator(".comment-body").all_inner_texts()
    for shown_as_text in ATTACKS[1:4]:  # the first comment was edited into the fourth
        assert shown_as_text in bodies
    page.get_by_text("[click me](javascript:alert('link'))").click()
    assert page.url.startswith(paper_url)

    reporter, reporter_dialogs = signed_in_page(browser, site, "reporter@example.org")
    reporter.goto(paper_url)
    comment = reporter.locator(".comment-thread article.comment").first
    comment.locator(".comment-report summary").click()
    comment.locator("input[name=reason]").fill(ATTACKS[2])
    comment.get_by_role("button", name="Send to the admins").click()
    reporter.wait_for_url("**reported=*")
    admin, admin_dialogs = signed_in_page(browser, site, "admin@example.org", admin=True)
    admin.goto(f"{base_url}/admin/comments")
    assert ATTACKS[2] in admin.locator("#report-list").inner_text()
    assert_no_live_script(admin)
    admin.goto(paper_url)
    assert_no_live_script(admin)
    assert dialogs == reporter_dialogs == admin_dialogs == []


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_the_discussion_fits_the_screen_at_desktop_and_phone_sizes(
    browser: Browser, site: tuple[str, Papertide], width: int, height: int,
) -> None:
    base_url, service = site
    page, _ = signed_in_page(browser, site, "looker@example.org", width, height)
    author = service.community.accounts.user("looker@example.org")
    top = service.discussions.post(author, PAPER, "Does the **speed-up** hold on long "
                                   "inputs? The table only goes to `4k` tokens.").comment
    service.discussions.post(author, PAPER, "> only goes to 4k\n\nSection 5 has 32k, "
                             "see [the appendix](https://example.org/appendix).", top.id)
    page.goto(f"{base_url}/papers/{PAPER}#discussion")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"horizontal overflow: {widths}"
    assert page.locator("#new-comment").is_visible()
    unvoted = page.locator("form[data-enhance='comment-vote']:has([aria-pressed='false'])")
    form_action = unvoted.first.get_attribute("action")
    vote = page.locator(f"form[action='{form_action}'] button.comment-vote")
    target = vote.bounding_box()
    assert target is not None and target["height"] >= (44 if width < 600 else 28)
    page.evaluate("window.__marker = 'same page'")
    votes = int(vote.locator(".comment-vote-count").inner_text())
    vote.click()
    page.locator(f"form[action='{form_action}'] .comment-vote[aria-pressed='true']").wait_for()
    assert int(vote.locator(".comment-vote-count").inner_text()) == votes + 1
    assert page.evaluate("window.__marker") == "same page"  # upvoted without a reload
    serious = [(violation["id"], len(violation["nodes"])) for violation in
               Axe().run(page, context="#discussion").response["violations"]
               if violation["impact"] in ("serious", "critical")]
    assert serious == [], serious
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#discussion").screenshot(path=str(SCREENSHOTS / f"discussion-{width}.png"))
    page.goto(f"{base_url}/papers/date/2026-03-11")
    count = page.locator(f"a.signal-link[href='/papers/{PAPER}#discussion']")
    assert int(count.inner_text().split()[0]) == service.discussions.counts([PAPER])[PAPER]
    assert count.evaluate("el => getComputedStyle(el).textDecorationLine") == "none"
    page.screenshot(path=str(SCREENSHOTS / f"cards-{width}.png"))
    admin, _ = signed_in_page(browser, site, "lookadmin@example.org", width, height, admin=True)
    admin.goto(f"{base_url}/admin/comments")
    widths = admin.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"horizontal overflow: {widths}"
    admin.screenshot(path=str(SCREENSHOTS / f"admin-comments-{width}.png"), full_page=True)
