"""Searches and id look-ups through the arXiv API, against its real recorded answers."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from papertide.app import Papertide
from papertide.exceptions import SourceHTTPError
from papertide.ingest.api import ingest_arxiv_ids, ingest_arxiv_search
from papertide.ingest.runtime import Sources
from tests.helpers import FIXED_NOW, all_papers
from tests.ingest.recorded import (
    API_EMPTY,
    API_ERROR_400,
    API_OLD_STYLE,
    API_PAGES,
    API_TWO_IDS,
    corrupted,
    recorded,
    xml_reply,
)
from tests.ingest.replay import ATOM, ReplayServer, Reply, SeenRequest

_ENTRY = re.compile(rb"<entry>.*?</entry>\s*", re.DOTALL)


def serve_search(server: ReplayServer, pages: dict[int, bytes] | None = None) -> None:
    bodies = pages or {start: recorded(name) for start, name in API_PAGES.items()}

    def by_start(request: SeenRequest) -> Reply:
        return Reply(bodies[int(request.params["start"])], content_type=ATOM)

    server.route("/api/query", by_start)


def test_a_search_is_paged_with_start_and_max_results(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    serve_search(server)
    report = ingest_arxiv_search(service, sources, "testing", max_results=30, page_size=10)

    asked = server.seen("/api/query")
    assert [(r.params["start"], r.params["max_results"]) for r in asked] == [
        ("0", "10"), ("10", "10"), ("20", "10")]
    assert {r.params["search_query"] for r in asked} == {"testing"}
    assert report.counts.new == 30 and report.complete
    first = service.paper("2202.12139")
    assert first.title.startswith("Testing Deep Learning Models")
    assert first.authors == ("Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker")
    assert first.categories == ("cs.SE", "cs.LG")
    assert first.announced_is_estimate

    again = ingest_arxiv_search(service, sources, "testing", max_results=30, page_size=10)
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, 30)


def test_sort_options_reach_the_api(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    serve_search(server)
    ingest_arxiv_search(service, sources, "testing", max_results=10, page_size=10,
                        sort="submitted", order="ascending")

    params = server.seen("/api/query")[0].params
    assert (params["sortBy"], params["sortOrder"]) == ("submittedDate", "ascending")


def test_the_error_feed_is_reported_in_arxivs_words_and_not_retried(
    server: ReplayServer, sources: Sources
) -> None:
    server.route("/api/query", xml_reply(API_ERROR_400, status=400))
    with pytest.raises(SourceHTTPError) as raised:
        sources.api.page(FIXED_NOW, ids=["abc"])

    assert raised.value.status == 400
    assert "incorrect id format for abc" in str(raised.value)
    assert len(server.seen("/api/query")) == 1


def test_a_refused_search_stores_nothing(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route("/api/query", xml_reply(API_ERROR_400, status=400))
    with pytest.raises(SourceHTTPError, match="HTTP 400"):
        ingest_arxiv_search(service, sources, "ti:", max_results=10)
    assert service.store.count_papers() == 0


def test_an_empty_result_is_said_plainly(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route("/api/query", xml_reply(API_EMPTY))
    report = ingest_arxiv_search(service, sources, "ti:zzzzqqq")

    assert report.complete and report.counts.new == 0
    assert any("found nothing" in note for note in report.notes)
    assert len(server.seen("/api/query")) == 1


def test_ids_arxiv_does_not_know_are_counted_as_not_found(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route("/api/query", xml_reply(API_TWO_IDS))
    report = ingest_arxiv_ids(service, sources, ["0808.05394", "1707.08567"])

    assert set(all_papers(service.store)) == {"1707.08567"}
    assert report.skip_reasons == {"not found": 1}
    assert "0808.05394" in str(report.skipped[0])
    assert server.seen("/api/query")[0].params["id_list"] == "0808.05394,1707.08567"


def test_an_old_style_id_with_journal_reference(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route("/api/query", xml_reply(API_OLD_STYLE))
    ingest_arxiv_ids(service, sources, ["astro-ph/0601001"])

    paper = service.paper("astro-ph/0601001")
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert paper.authors == ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi",
                             "Andrzej Udalski")
    assert paper.primary_category == "astro-ph"
    assert paper.announced_date == dt.date(2006, 1, 3) and paper.announced_is_estimate


def test_malformed_ids_are_skipped_before_asking(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route("/api/query", xml_reply(API_OLD_STYLE))
    report = ingest_arxiv_ids(service, sources, ["abc", "astro-ph/0601001"])

    assert server.seen("/api/query")[0].params["id_list"] == "astro-ph/0601001"
    assert report.skip_reasons == {"no usable id": 1}
    assert service.store.count_papers() == 1


def test_an_entry_with_an_impossible_date_is_skipped_the_rest_kept(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    page = recorded(API_PAGES[0]).replace(b"<published>2022-02-24", b"<published>2199-02-24")
    serve_search(server, {0: page})
    report = ingest_arxiv_search(service, sources, "testing", max_results=10, page_size=10)

    assert report.counts.new == 9
    assert report.skip_reasons == {"impossible date": 1}
    assert "2202.12139" in str(report.skipped[0])
    assert service.store.get_paper("2202.12139") is None


def test_corrupted_bytes_keep_the_entries_before_them(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    page = corrupted(recorded(API_PAGES[0]), b"<entry>", occurrence=4)
    serve_search(server, {0: page})
    report = ingest_arxiv_search(service, sources, "testing", max_results=10, page_size=10)

    assert report.counts.new == 3
    assert report.skip_reasons == {"malformed page": 1}
    assert len(server.seen("/api/query")) == 2  # fetched once more first
    assert not report.complete


def test_an_empty_page_in_the_middle_is_asked_again_then_reported(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    hollow = _ENTRY.sub(b"", recorded(API_PAGES[10]))  # the real page, its entries removed
    serve_search(server, {0: recorded(API_PAGES[0]), 10: hollow})
    report = ingest_arxiv_search(service, sources, "testing", max_results=30, page_size=10)

    starts = [request.params["start"] for request in server.seen("/api/query")]
    assert starts == ["0", "10", "10", "10"]
    assert report.counts.new == 10
    assert not report.complete
    assert any("empty page at result 11" in note for note in report.notes)
