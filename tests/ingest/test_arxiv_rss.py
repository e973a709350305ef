"""The daily RSS run against arXiv's real feeds, replayed over HTTP."""

from __future__ import annotations

import datetime as dt
import re

from papertide.app import Papertide
from papertide.ingest.rss import ingest_arxiv_rss
from papertide.ingest.runtime import Sources
from tests.helpers import all_papers
from tests.ingest.conftest import CONTACT
from tests.ingest.recorded import (
    API_EMPTY,
    API_OLD_STYLE,
    RSS_FEED,
    RSS_SATURDAY,
    corrupted,
    paperhive_exchanges,
    recorded,
    truncated,
    xml_reply,
)
from tests.ingest.replay import ATOM, ReplayServer, Reply

CATEGORIES = ("cs.LG", "cs.AI", "cs.CL", "stat.ML")
FEED_PATH = "/rss/cs.LG+cs.AI+cs.CL+stat.ML"
FEED_IDS = {"2609.26811", "2609.26820", "2205.06398", "2009.13987"}


def serve_feed(server: ReplayServer, *replies: Reply, api: Reply | None = None) -> None:
    server.route(FEED_PATH, list(replies))
    server.route("/api/query", api or xml_reply(API_EMPTY))


def test_the_feed_lands_in_the_store_with_its_announcement_date(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    serve_feed(server, xml_reply(RSS_FEED))
    report = ingest_arxiv_rss(service, sources, CATEGORIES)

    assert report.summary().startswith(
        "arxiv-rss cs.LG+cs.AI+cs.CL+stat.ML 2026-09-24: 4 new, 0 updated, 0 unchanged, "
        "0 skipped")
    papers = all_papers(service.store)
    assert set(papers) == FEED_IDS
    new = papers["2609.26811"]
    assert new.title == "The Drift Contract: Spectral Updates for Depth-Robust Local Learning"
    assert new.authors == ("Fabien Polly",)
    assert new.abstract is not None and new.abstract.startswith("Local learning trains each layer")
    assert (new.announced_date, new.announced_is_estimate) == (dt.date(2026, 9, 24), False)
    assert new.latest_version == 1
    assert new.license == "http://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert papers["2609.26820"].authors == ("Naser Mansour", "Sidahmed Benabderrahmane",
                                            "Ameer Rahwan")
    assert papers["2609.26820"].categories == ("cs.LG", "cs.AI")
    # A late cross-list and a replacement are news about old papers: not today's papers.
    cross, replaced = papers["2205.06398"], papers["2009.13987"]
    assert cross.doi == "10.1093/bioinformatics/btac431"
    assert cross.announced_date is None and cross.latest_version == 2
    assert replaced.announced_date is None and replaced.latest_version == 3
    day = service.store.list_announced(dt.date(2026, 9, 24), dt.date(2026, 9, 25), 10)
    assert {paper.arxiv_id for paper in day.papers} == {"2609.26811", "2609.26820"}
    # Searchable at once.
    found = service.search("spectral local learning")
    assert found.page.papers[0].arxiv_id == "2609.26811"


def test_one_request_for_the_feed_and_one_api_batch_for_what_it_lacks(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    serve_feed(server, xml_reply(RSS_FEED))
    report = ingest_arxiv_rss(service, sources, CATEGORIES)

    feed_requests, api_requests = server.seen(FEED_PATH), server.seen("/api/query")
    assert len(feed_requests) == 1 and len(api_requests) == 1
    assert set(api_requests[0].params["id_list"].split(",")) == FEED_IDS
    assert api_requests[0].params["max_results"] == "4"
    assert report.requests == 2
    agent = feed_requests[0].headers["user-agent"]
    assert agent.startswith("papertide/") and CONTACT in agent
    assert any("no usable details for 4 of 4" in note for note in report.notes)


def test_api_details_complete_a_replacement_and_are_not_fetched_twice(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    # The real API entry of astro-ph/0601001, re-identified as the feed's replacement.
    entry = recorded(API_OLD_STYLE).replace(b"astro-ph/0601001v1", b"2009.13987v3")
    serve_feed(server, xml_reply(RSS_FEED), api=Reply(entry, content_type=ATOM))
    ingest_arxiv_rss(service, sources, CATEGORIES)

    replaced = service.paper("2009.13987")
    assert replaced.journal_ref == "ActaAstron.56:1-50,2006"
    assert replaced.comments is not None and replaced.comments.startswith("62 pages")
    assert [version.version for version in replaced.versions] == [1, 3]
    assert replaced.submitted_at == dt.datetime(2006, 1, 2, 14, 57, 58, tzinfo=dt.UTC)
    assert set(replaced.sources) == {"arxiv-api", "arxiv-rss"}

    again = ingest_arxiv_rss(service, sources, CATEGORIES)
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, 4)
    second_lookup = server.seen("/api/query")[-1].params["id_list"].split(",")
    assert "2009.13987" not in second_lookup
    assert set(second_lookup) == FEED_IDS - {"2009.13987"}


def test_a_failing_api_costs_the_details_never_the_papers(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    unavailable = paperhive_exchanges(retry_after="0")[0]  # arXiv's real 503, every time
    serve_feed(server, xml_reply(RSS_FEED), api=unavailable)
    report = ingest_arxiv_rss(service, sources, CATEGORIES)

    assert report.counts.new == 4 and report.complete
    assert any("look-up of 4 papers failed" in note for note in report.notes)
    assert len(server.seen("/api/query")) == service.settings.http_max_attempts


def test_the_saturday_feed_is_empty_and_that_is_fine(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route("/rss/cs.CL", xml_reply(RSS_SATURDAY))
    report = ingest_arxiv_rss(service, sources, ["cs.CL"])

    assert report.complete
    assert report.summary().startswith("arxiv-rss cs.CL 2026-08-01: 0 new, 0 updated")
    assert any("weekends and holidays" in note for note in report.notes)
    assert service.store.count_papers() == 0
    assert server.seen("/api/query") == []


def test_a_truncated_feed_keeps_the_items_before_the_cut(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    cut = truncated(recorded(RSS_FEED), b"<item>", occurrence=3)
    serve_feed(server, Reply(cut))
    report = ingest_arxiv_rss(service, sources, CATEGORIES)

    assert len(server.seen(FEED_PATH)) == 2  # fetched once more before giving up
    assert set(all_papers(service.store)) == {"2609.26811", "2609.26820"}
    assert report.skip_reasons == {"malformed page": 1}
    assert not report.complete
    assert "INCOMPLETE" in report.summary()


def test_a_damaged_answer_is_fetched_again_and_then_stored_whole(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    body = recorded(RSS_FEED)
    serve_feed(server, Reply(truncated(body, b"</channel>")), Reply(body))
    report = ingest_arxiv_rss(service, sources, CATEGORIES)

    assert report.complete and report.counts.new == 4 and report.skipped == []


def test_bytes_that_are_not_utf8_cost_only_the_items_after_them(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    broken = corrupted(recorded(RSS_FEED), b"<title>", occurrence=4)  # inside the 3rd item
    serve_feed(server, Reply(broken))
    report = ingest_arxiv_rss(service, sources, CATEGORIES)

    assert set(all_papers(service.store)) == {"2609.26811", "2609.26820"}
    assert "malformed XML" in str(report.skipped[0])


def test_an_html_page_instead_of_the_feed_damages_nothing(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    serve_feed(server, xml_reply(RSS_FEED))
    ingest_arxiv_rss(service, sources, CATEGORIES)
    before = all_papers(service.store)

    html = paperhive_exchanges()[0].body  # arXiv's real "Retry after" HTML page
    server.route(FEED_PATH, Reply(html, content_type="text/html"))
    report = ingest_arxiv_rss(service, sources, CATEGORIES)

    assert all_papers(service.store) == before
    assert report.skip_reasons == {"malformed page": 1}
    assert "not an RSS feed" in str(report.skipped[0])


def test_an_item_without_a_title_is_skipped_and_named(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    body = recorded(RSS_FEED)
    items = [match.start() for match in re.finditer(rb"<item>", body)]
    second = body[items[1]:items[2]]
    untitled = re.sub(rb"<title>.*?</title>", b"", second, count=1, flags=re.DOTALL)
    serve_feed(server, Reply(body[:items[1]] + untitled + body[items[2]:]))
    report = ingest_arxiv_rss(service, sources, CATEGORIES)

    assert set(all_papers(service.store)) == FEED_IDS - {"2609.26820"}
    assert report.skip_reasons == {"no title": 1}
    assert "oai:arXiv.org:2609.26820v1" in str(report.skipped[0])


def test_a_feed_dated_in_the_future_stores_nothing(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    body = recorded(RSS_FEED).replace(b"<pubDate>Thu, 24 Sep 2026", b"<pubDate>Thu, 24 Sep 2199", 1)
    serve_feed(server, Reply(body))
    report = ingest_arxiv_rss(service, sources, CATEGORIES)

    assert service.store.count_papers() == 0
    assert report.skip_reasons == {"impossible date": 4}
    assert "2199-09-24 is in the future" in str(report.skipped[0])


def test_a_feed_in_another_encoding_than_it_declares_damages_nothing(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    serve_feed(server, xml_reply(RSS_FEED))
    ingest_arxiv_rss(service, sources, CATEGORIES)
    before = all_papers(service.store)

    utf16 = recorded(RSS_FEED).decode("utf-8").encode("utf-16")  # still says UTF-8
    server.route(FEED_PATH, Reply(utf16))
    report = ingest_arxiv_rss(service, sources, CATEGORIES)

    assert all_papers(service.store) == before
    assert report.skip_reasons == {"malformed page": 1} and not report.complete
    assert "encoding specified in XML declaration is incorrect" in str(report.skipped[0])
