"""Discussions through the pages and the API, as readers and admins use them."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.web import create_web_app
from tests.mailcatcher import MailCatcher, text_of
from tests.web.conftest import BASE_URL
from tests.web.html_dom import Element
from tests.web_accounts.conftest import count_rows, page_of, sign_in

PAPER = "2603.09652"
PAPER_PATH = f"/papers/{PAPER}"
DAY = "/papers/date/2026-03-11"


def _form_fields(form: Element) -> dict[str, str]:
    fields = {field.get("name"): field.get("value") for field in form.find_all("input")}
    return {name: value for name, value in fields.items() if name}


def _post_comment(client: TestClient, body: str, parent: int | None = None) -> int:
    page = page_of(client, PAPER_PATH)
    forms = page.find_all("form", class_="comment-form")
    form = next(form for form in forms
                if (parent is None) == ("parent_id" not in _form_fields(form))
                and (parent is None or _form_fields(form)["parent_id"] == str(parent)))
    response = client.post(form.get("action"), data={**_form_fields(form), "body": body},
                           follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    location = response.headers["location"]
    assert location.startswith(f"{PAPER_PATH}#comment-")
    return int(location.rsplit("-", 1)[1])


def _comment(page: Element, comment_id: int) -> Element:
    return page.find("article", id=f"comment-{comment_id}")


def _count_shown(page: Element) -> int:
    return int(page.find(class_="count-pill").text().split()[0])


def _new_client(service: Papertide) -> TestClient:
    return TestClient(create_web_app(service), base_url=BASE_URL)


def test_a_reader_comments_in_markdown_and_another_replies_and_the_first_is_mailed_once(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int],
) -> None:
    catcher = smtp[0]
    sign_in(client, catcher, "talker1@example.org")
    before = _count_shown(page_of(client, PAPER_PATH))
    first = _post_comment(client, "A *neat* trick: `x < y` and $a_1 + b_1$, see "
                                  "[the code](https://example.org/code).")
    page = page_of(client, PAPER_PATH)
    body = _comment(page, first).find(class_="comment-body")
    assert body.find("em").text() == "neat" and body.find("code").text() == "x < y"
    assert body.find("span", class_="math").text() == "$a_1 + b_1$"
    link = body.find("a")
    assert link.get("href") == "https://example.org/code"
    assert link.get("rel") == "nofollow ugc noopener"
    assert _count_shown(page) == before + 1

    with _new_client(service) as other:
        sign_in(other, catcher, "talker2@example.org")
        mails_before = len(catcher.to("talker1@example.org"))
        reply = _post_comment(other, "Does it hold for *b*?", parent=first)
        mail = catcher.wait_for("talker1@example.org", mails_before + 1)
        assert f"{BASE_URL}{PAPER_PATH}#comment-{reply}" in text_of(mail)
        assert "Does it hold for *b*?" in text_of(mail)
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = re.search(r"<([^>]+)>", mail["List-Unsubscribe"])
        assert unsubscribe
        # the one-click unsubscribe, as a mail client sends it: no cookie, no CSRF token
        url = urlsplit(unsubscribe.group(1))
        with _new_client(service) as mail_client:
            clicked = mail_client.post(f"{url.path}?{url.query}",
                                       data={"List-Unsubscribe": "One-Click"})
        assert clicked.status_code == 200 and "Reply mail is off" in clicked.text
        _post_comment(other, "Another reply", parent=first)
    assert len(catcher.to("talker1@example.org")) == mails_before + 1
    assert count_rows(service, f"outbox WHERE key LIKE 'reply:{reply}:%'") == 1


def test_a_reply_to_a_reply_joins_the_thread_and_the_page_nests_one_level(
    client: TestClient, smtp: tuple[MailCatcher, int],
) -> None:
    sign_in(client, smtp[0], "nester@example.org")
    top = _post_comment(client, "Top")
    reply = _post_comment(client, "Reply", parent=top)
    api = client.get(f"/api/papers/{PAPER}/comments").json()
    stored = {comment["id"]: comment for comment in api["comments"]}
    assert stored[reply]["parent_id"] == top
    page = page_of(client, PAPER_PATH)
    thread = next(item for item in page.find_all("li", class_="comment-thread")
                  if item.find("article").get("id") == f"comment-{top}")
    assert [a.get("id") for a in thread.find("ol", class_="comment-replies").find_all(
        "article")] == [f"comment-{reply}"]


def test_edit_marks_the_comment_edited_and_deleting_one_with_replies_leaves_a_placeholder(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int],
) -> None:
    sign_in(client, smtp[0], "editor@example.org")
    mine = _post_comment(client, "Frist")
    edit_page = page_of(client, f"/comments/{mine}/edit")
    assert edit_page.find("textarea").text() == "Frist"
    form = edit_page.find("form", class_="comment-form")
    done = client.post(form.get("action"), data={**_form_fields(form), "body": "First"},
                       follow_redirects=False)
    assert done.status_code == 303
    shown = _comment(page_of(client, PAPER_PATH), mine)
    assert shown.find(class_="comment-body").text() == "First"
    assert "edited" in [tag.text() for tag in shown.find_all(class_="comment-tag")]
    with _new_client(service) as other:
        sign_in(other, smtp[0], "answerer@example.org")
        _post_comment(other, "An answer", parent=mine)
        refused = other.post(f"/comments/{mine}", data={
            "csrf_token": _form_fields(page_of(other, PAPER_PATH).find(
                "form", class_="comment-form"))["csrf_token"], "action": "delete"})
        assert refused.status_code == 403
    token = _form_fields(page_of(client, PAPER_PATH).find("form", class_="comment-form"))
    deleted = client.post(f"/comments/{mine}", data={"csrf_token": token["csrf_token"],
                                                     "action": "delete"},
                          follow_redirects=False)
    assert deleted.status_code == 303
    placeholder = _comment(page_of(client, PAPER_PATH), mine)
    assert placeholder.find(class_="comment-placeholder").text() == "[deleted]"
    assert "First" not in placeholder.text()


def test_a_comment_is_upvoted_once_per_reader(
    client: TestClient, smtp: tuple[MailCatcher, int],
) -> None:
    sign_in(client, smtp[0], "upvoter@example.org")
    mine = _post_comment(client, "Vote on me")
    token = _form_fields(page_of(client, PAPER_PATH).find("form", class_="comment-form"))
    json_headers = {"Accept": "application/json"}
    first = client.post(f"/comments/{mine}", data={"csrf_token": token["csrf_token"],
                                                  "action": "upvote"}, headers=json_headers)
    assert first.json() == {"id": mine, "votes": 1, "voted": True}
    again = client.post(f"/comments/{mine}", data={"csrf_token": token["csrf_token"],
                                                  "action": "upvote"}, headers=json_headers)
    assert again.status_code == 409
    button = _comment(page_of(client, PAPER_PATH), mine).find("button", class_="comment-vote")
    assert button.get("aria-pressed") == "true" and button.text() == "1"


def test_cards_show_how_many_comments_a_paper_has(
    client: TestClient, smtp: tuple[MailCatcher, int],
) -> None:
    sign_in(client, smtp[0], "counter@example.org")
    _post_comment(client, "Counted")
    expected = _count_shown(page_of(client, PAPER_PATH))
    day = page_of(client, DAY)
    counts = {link.get("href"): link.text() for link in day.find_all("a")
              if (link.get("href") or "").endswith("#discussion")}
    assert counts[f"{PAPER_PATH}#discussion"] == \
        f"{expected} comment{'' if expected == 1 else 's'} here"
    assert all(text.split()[0] != "0" for text in counts.values())  # no count where none


def test_the_paper_pages_signals_count_its_comments_with_a_link_to_them(
    client: TestClient, smtp: tuple[MailCatcher, int],
) -> None:
    before = _count_shown(page_of(client, PAPER_PATH))
    assert _comments_fact(client, PAPER_PATH).text() == str(before)
    sign_in(client, smtp[0], "signals@example.org")
    _post_comment(client, "Counted in the signals")
    shown = _comments_fact(client, PAPER_PATH)
    assert shown.text() == str(before + 1) == str(_count_shown(page_of(client, PAPER_PATH)))
    assert [link.get("href") for link in shown.find_all("a")] == ["#discussion"]
    quiet = _comments_fact(client, "/papers/0704.0027")  # never discussed
    assert quiet.text() == "0" and not quiet.find_all("a")  # no link to nothing


def _comments_fact(client: TestClient, path: str) -> Element:
    facts = page_of(client, path).find("dl", class_="signal-facts")
    labels = [term.text() for term in facts.find_all("dt")]
    return facts.find_all("dd")[labels.index("Comments here")]


def test_a_card_shown_before_a_new_comment_shows_the_new_count_after_it(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int],
) -> None:
    # the card's paper part is rendered once and kept: a new comment must still show
    sign_in(client, smtp[0], "recounter@example.org")
    _post_comment(client, "Counted once")
    before = _count_shown(page_of(client, PAPER_PATH))
    shown_before = _card_comment_link(page_of(client, DAY))
    _post_comment(client, "Counted twice")
    assert shown_before == f"{before} comment{'' if before == 1 else 's'} here"
    assert _card_comment_link(page_of(client, DAY)) == f"{before + 1} comments here"
    with _new_client(service) as anonymous:  # the same count for a visitor signed out
        assert _card_comment_link(page_of(anonymous, DAY)) == f"{before + 1} comments here"


def _card_comment_link(page: Element) -> str:
    return next(link.text() for link in page.find_all("a")
                if link.get("href") == f"{PAPER_PATH}#discussion")


def test_signed_out_readers_forged_forms_and_foreign_origins_change_nothing(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int],
) -> None:
    before = count_rows(service, "comments")
    signed_out = client.post("/comments", data={"arxiv_id": PAPER, "body": "hi"})
    assert signed_out.status_code == 401
    sign_in(client, smtp[0], "forger@example.org")
    no_token = client.post("/comments", data={"arxiv_id": PAPER, "body": "hi"})
    assert no_token.status_code == 403
    fields = _form_fields(page_of(client, PAPER_PATH).find("form", class_="comment-form"))
    foreign = client.post("/comments", data={**fields, "body": "hi"},
                          headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    api = client.post(f"/api/papers/{PAPER}/comments", json={"body": "hi"})
    assert api.status_code == 403
    assert count_rows(service, "comments") == before


def test_oversize_comments_get_413_and_nothing_is_stored(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int],
) -> None:
    sign_in(client, smtp[0], "longwinded@example.org")
    fields = _form_fields(page_of(client, PAPER_PATH).find("form", class_="comment-form"))
    before = count_rows(service, "comments")
    limit = service.settings.comment_max_chars
    too_long = client.post("/comments", data={**fields, "body": "x" * (limit + 1)})
    assert too_long.status_code == 413 and f"{limit:,} characters" in too_long.text
    huge = client.post("/comments", data={**fields, "body": "x" * (limit * 20)})
    assert huge.status_code == 413
    api = client.post(f"/api/papers/{PAPER}/comments", content=b'{"body": "' + b"y" * 10**6
                      + b'"}', headers={"X-CSRF-Token": fields["csrf_token"],
                                        "Content-Type": "application/json"})
    assert api.status_code == 413 and api.json()["status"] == 413
    empty = client.post("/comments", data={**fields, "body": "   "})
    assert empty.status_code == 400
    for bad_parent in ("x", "-1", "9" * 40):
        assert client.post("/comments", data={**fields, "body": "hi",
                                              "parent_id": bad_parent}).status_code == 400
    assert client.post(f"/comments/{10**30}", data={**fields, "action": "upvote"}
                       ).status_code == 400
    assert client.get(f"/comments/{10**30}/edit").status_code == 400
    assert client.post(f"/api/papers/{PAPER}/comments", json={"body": "hi",
                       "parent_id": 10**30}, headers={"X-CSRF-Token": fields["csrf_token"]}
                       ).status_code == 400
    assert count_rows(service, "comments") == before


def test_the_hourly_limit_answers_429_with_a_retry_time(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int],
) -> None:
    sign_in(client, smtp[0], "chatty@example.org")
    token = client.get(f"/api/papers/{PAPER}/comments").json()["csrf_token"]
    headers = {"X-CSRF-Token": token}
    for number in range(service.settings.comment_limit_per_hour):
        posted = client.post(f"/api/papers/{PAPER}/comments", json={"body": f"#{number}"},
                             headers=headers)
        assert posted.status_code == 201, posted.text
    refused = client.post(f"/api/papers/{PAPER}/comments", json={"body": "one more"},
                          headers=headers)
    assert refused.status_code == 429 and "try again in" in refused.json()["message"]
    assert int(refused.headers["retry-after"]) > 0


def test_the_api_lists_and_posts_comments_and_a_retried_post_lands_once(
    client: TestClient, smtp: tuple[MailCatcher, int],
) -> None:
    anonymous = client.get(f"/api/papers/{PAPER}/comments").json()
    assert anonymous["csrf_token"] is None and anonymous["arxiv_id"] == PAPER
    sign_in(client, smtp[0], "scripter@example.org")
    token = client.get(f"/api/papers/{PAPER}/comments").json()["csrf_token"]
    payload = {"body": "Via the **API**", "post_key": "attempt-1"}
    first = client.post(f"/api/papers/{PAPER}/comments", json=payload,
                        headers={"X-CSRF-Token": token})
    assert first.status_code == 201
    comment = first.json()["comment"]
    assert comment["html"] == "<p>Via the <strong>API</strong></p>\n"
    retried = client.post(f"/api/papers/{PAPER}/comments", json=payload,
                          headers={"X-CSRF-Token": token})
    assert retried.status_code == 200 and retried.json()["created"] is False
    assert retried.json()["comment"]["id"] == comment["id"]
    listed = client.get(f"/api/papers/{PAPER}/comments").json()["comments"]
    assert [c["id"] for c in listed].count(comment["id"]) == 1
    assert client.get("/api/papers/2999.99999/comments").status_code == 404
    bad = client.post(f"/api/papers/{PAPER}/comments", content=b"{not json",
                      headers={"X-CSRF-Token": token, "Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["status"] == 400
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/papers/{arxiv_id}/comments"]) == {"get", "post"}


def test_the_comment_feed_is_atom_with_the_shown_comments(
    client: TestClient, smtp: tuple[MailCatcher, int],
) -> None:
    sign_in(client, smtp[0], "feeder@example.org")
    mine = _post_comment(client, "In the feed <b>bold?</b>")
    response = client.get(f"{PAPER_PATH}/comments.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert f"#comment-{mine}" in response.text
    assert "<b>" not in response.text  # the HTML-escaped text, inside escaped HTML
    assert "&lt;p&gt;In the feed &amp;lt;b&amp;gt;bold?&amp;lt;/b&amp;gt;&lt;/p&gt;" in \
        response.text


@pytest.fixture
def admin_client(service: Papertide, smtp: tuple[MailCatcher, int]) -> TestClient:
    service.community.accounts.add_user("moderator@example.org", admin=True)
    client = _new_client(service)
    client.__enter__()
    sign_in(client, smtp[0], "moderator@example.org")
    return client


def test_admins_see_reports_hide_comments_and_suspend_their_authors(
    client: TestClient, admin_client: TestClient, service: Papertide,
    smtp: tuple[MailCatcher, int],
) -> None:
    sign_in(client, smtp[0], "troll@example.org")
    rude = _post_comment(client, "Rude words")
    kept = _post_comment(client, "A fair point")
    with _new_client(service) as reporter:
        sign_in(reporter, smtp[0], "reporter@example.org")
        report = _comment(page_of(reporter, PAPER_PATH), rude).find("form", class_="report-form")
        sent = reporter.post(report.get("action"), data={**_form_fields(report),
                                                         "reason": "insults"},
                             follow_redirects=False)
        assert sent.status_code == 303
        assert "reported" in page_of(reporter, sent.headers["location"]).find(
            class_="notice").text()
        assert page_of(reporter, "/admin/comments", 403)
    admin_page = page_of(admin_client, "/admin/comments")
    reports = admin_page.find("ol", id="report-list").text()
    assert "insults" in reports and "troll@example.org" in reports
    newest = admin_page.find("ol", id="newest-list").find_all("li")
    assert f"#{kept}" in newest[0].text()
    token = _form_fields(admin_page.find("form", class_="inline-form"))["csrf_token"]
    for forged in ({"action": "hide"}, {"action": "hide", "csrf_token": "forged"}):
        assert admin_client.post(f"/admin/comments/{rude}", data=forged).status_code == 403
    assert admin_client.post(f"/admin/comments/{rude}", data={
        "csrf_token": token, "action": "hide"},
        headers={"Origin": "https://evil.example"}).status_code == 403
    assert f"comment-{rude}" in client.get(PAPER_PATH).text
    not_admin = _form_fields(page_of(client, PAPER_PATH).find("form", class_="comment-form"))
    assert client.post(f"/admin/comments/{rude}", data={
        "csrf_token": not_admin["csrf_token"], "action": "hide"}).status_code == 403
    hidden = admin_client.post(f"/admin/comments/{rude}", data={"csrf_token": token,
                                                               "action": "hide"},
                               follow_redirects=False)
    assert hidden.status_code == 303
    assert f"comment-{rude}" not in client.get(PAPER_PATH).text
    troll = service.community.accounts.user("troll@example.org")
    suspended = admin_client.post(f"/admin/commenters/{troll.id}",
                                  data={"csrf_token": token, "action": "suspend"},
                                  follow_redirects=False)
    assert suspended.status_code == 303
    page = client.get(PAPER_PATH).text
    assert f"comment-{kept}" not in page and "suspended from discussions" in page
    fields = _form_fields(page_of(admin_client, PAPER_PATH).find("form", class_="comment-form"))
    refused = client.post("/comments", data={"csrf_token": token, "arxiv_id": PAPER,
                                             "body": "still here"})
    assert refused.status_code == 403
    assert fields  # the admin can still comment
    lifted = admin_client.post(f"/admin/commenters/{troll.id}",
                               data={"csrf_token": token, "action": "unsuspend"},
                               follow_redirects=False)
    assert lifted.status_code == 303
    assert f"comment-{kept}" in client.get(PAPER_PATH).text
    admin_client.__exit__(None, None, None)


def test_deleting_an_account_removes_its_comments(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int],
) -> None:
    sign_in(client, smtp[0], "leaver@example.org")
    alone = _post_comment(client, "Nobody answered me")
    answered = _post_comment(client, "Somebody answered me")
    with _new_client(service) as other:
        sign_in(other, smtp[0], "stayer@example.org")
        reply = _post_comment(other, "I answered", parent=answered)
    service.community.accounts.remove_user("leaver@example.org")
    page = page_of(client, PAPER_PATH)
    assert f"comment-{alone}" not in client.get(PAPER_PATH).text
    placeholder = _comment(page, answered)
    assert placeholder.find(class_="comment-placeholder").text() == "[deleted]"
    assert placeholder.find(class_="comment-author").text() == "[deleted account]"
    assert "Somebody answered me" not in client.get(PAPER_PATH).text
    assert _comment(page, reply).find(class_="comment-body").text() == "I answered"


def test_a_forged_unsubscribe_link_changes_nothing_and_opening_one_only_asks(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int],
) -> None:
    sign_in(client, smtp[0], "keeper@example.org")
    keeper = service.community.accounts.user("keeper@example.org")
    token = service.discussions.mailer.unsubscribe_token(keeper.id)
    asked = client.get(f"/discussions/unsubscribe?user={keeper.id}&token={token}")
    assert asked.status_code == 200 and "Stop mail about replies?" in asked.text
    forged = client.post(f"/discussions/unsubscribe?user={keeper.id}&token=forged")
    assert forged.status_code == 400
    wrong = client.post(f"/discussions/unsubscribe?user=999999&token={token}")
    assert wrong.status_code == 400
    assert service.discussions.wants_mail(keeper)
    page = page_of(client, PAPER_PATH)
    toggle = page.find("form", class_="mail-toggle")
    turned = client.post(toggle.get("action"), data=_form_fields(toggle),
                         follow_redirects=False)
    assert turned.status_code == 303 and not service.discussions.wants_mail(keeper)
