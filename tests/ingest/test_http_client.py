"""The polite client: retries, waits, redirects and final errors, seen from the server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from papertide.app import Papertide
from papertide.exceptions import SourceError, SourceHTTPError
from papertide.ingest.rss import ingest_arxiv_rss
from papertide.ingest.runtime import Sources
from papertide.sources.http import PoliteClient, RetryPolicy, retry_after_seconds, user_agent
from papertide.sources.ratelimit import RateLimiter
from tests.ingest.recorded import RSS_FEED, recorded, xml_reply
from tests.ingest.replay import ReplayServer, Reply, gaps

BODY = recorded(RSS_FEED)


@pytest.fixture
def client() -> Iterator[PoliteClient]:
    opened = PoliteClient(RateLimiter(0.0), RetryPolicy(max_attempts=4, backoff=0.2, max_wait=5),
                          user_agent("ops@example.org"), timeout=0.5)
    yield opened
    opened.close()


def test_server_errors_are_retried_with_doubling_pauses(
    server: ReplayServer, client: PoliteClient
) -> None:
    server.route("/feed", [Reply(b"oops", 500), Reply(b"oops", 502), Reply(BODY)])
    fetched = client.get(f"{server.url}/feed")

    assert fetched.body == BODY
    first, second = gaps(server.seen("/feed"))
    assert first >= 0.2 and second >= 0.4


def test_a_client_error_is_final_and_says_what_the_server_said(
    server: ReplayServer, client: PoliteClient
) -> None:
    server.route("/feed", Reply(b"<html><body><h1>No such feed</h1></body></html>", 404,
                                "text/html"))
    with pytest.raises(SourceHTTPError) as raised:
        client.get(f"{server.url}/feed")

    assert raised.value.status == 404
    assert "HTTP 404 Not Found" in str(raised.value) and "No such feed" in str(raised.value)
    assert len(server.seen("/feed")) == 1


def test_a_server_that_keeps_failing_is_given_up_after_the_attempts(
    server: ReplayServer, client: PoliteClient
) -> None:
    server.route("/feed", Reply(b"down", 500))
    with pytest.raises(SourceError, match="after 4 attempts: HTTP 500"):
        client.get(f"{server.url}/feed")
    assert len(server.seen("/feed")) == 4


def test_a_retry_after_longer_than_allowed_fails_at_once(
    server: ReplayServer, client: PoliteClient
) -> None:
    server.route("/feed", Reply(b"busy", 503, headers={"Retry-After": "3600"}))
    with pytest.raises(SourceError, match="asks to wait 3600 s"):
        client.get(f"{server.url}/feed")
    assert len(server.seen("/feed")) == 1


def test_a_dropped_connection_and_a_timeout_are_retried(
    server: ReplayServer, client: PoliteClient
) -> None:
    server.route("/feed", [Reply(BODY, cut_after=1_000), Reply(BODY, delay=2.0), Reply(BODY)])
    assert client.get(f"{server.url}/feed").body == BODY
    assert len(server.seen("/feed")) == 3


def test_redirects_are_followed_each_through_the_limiter(server: ReplayServer) -> None:
    paced = PoliteClient(RateLimiter(0.3), RetryPolicy(), user_agent(""), timeout=5)
    server.route("/old", Reply(b"", 301, headers={"Location": "/new"}))
    server.route("/new", Reply(BODY))
    try:
        assert paced.get(f"{server.url}/old").body == BODY
    finally:
        paced.close()

    assert [request.path for request in server.seen()] == ["/old", "/new"]
    assert gaps(server.seen())[0] >= 0.3
    assert "contact not configured" in server.seen()[0].headers["user-agent"]


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    now = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Thu, 26 Nov 2026 12:01:30 GMT", now) == 90
    assert retry_after_seconds("Thu, 26 Nov 2026 11:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_a_document_declaring_entities_is_refused_unread(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    bomb = (b'<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>\n')
    body = BODY.replace(b"\n", b"\n" + bomb, 1).replace(b"<title>", b"<title>&b;", 1)
    server.route("/rss/cs.LG", Reply(body))
    server.route("/api/query", xml_reply("arxiv-api/id_0000.0000_s0_m100_8b51d9633a68.xml"))
    report = ingest_arxiv_rss(service, sources, ["cs.LG"])

    assert service.store.count_papers() == 0
    assert "refused: the document declares a DTD" in str(report.skipped[0])
