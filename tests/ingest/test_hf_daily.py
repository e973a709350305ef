"""Hugging Face daily papers: papers, time-stamped signals, paging, broken answers."""

from __future__ import annotations

import datetime as dt
import json

from papertide.app import Papertide
from papertide.ingest.hf import ingest_hf_daily
from papertide.ingest.runtime import Sources
from papertide.periods import day_period, parse_period
from tests.helpers import FIXED_NOW, all_papers, fixed_clock
from tests.ingest.recorded import HF_2026_06_12, HF_2026_07_31, json_reply, latin1, recorded
from tests.ingest.replay import JSON, ReplayServer, Reply, SeenRequest

JUNE_12 = day_period(dt.date(2026, 6, 12))
PATH = "/api/daily_papers"


def june_ids() -> list[str]:
    return [item["paper"]["id"] for item in json.loads(recorded(HF_2026_06_12))]


def signal_values(service: Papertide, arxiv_id: str, signal: str) -> list[float | str | None]:
    return [obs.value_number if obs.value_text is None else obs.value_text
            for obs in service.observations(arxiv_id) if obs.signal == signal]


def test_a_day_of_daily_papers_with_their_signals(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route(PATH, json_reply(HF_2026_06_12))
    report = ingest_hf_daily(service, sources, JUNE_12)

    assert server.seen(PATH)[0].params == {"date": "2026-06-12", "limit": "100", "p": "0"}
    assert len(server.seen(PATH)) == 1  # 30 items: fewer than a page, so the last page
    assert report.counts.new == 30 and report.complete
    papers = all_papers(service.store)
    assert set(papers) == set(june_ids())
    assert {paper.announced_date for paper in papers.values()} == {dt.date(2026, 6, 12)}
    top = papers["2606.13681"]
    assert top.sources == ("hf-daily",)
    assert signal_values(service, "2606.13681", "upvotes") == [118.0]
    assert signal_values(service, "2606.13392", "githubStars") == [251.0]
    assert signal_values(service, "2606.13392", "githubRepo") == ["https://github.com/MiniMax-AI/MSA"]
    assert signal_values(service, "2606.12730", "numComments") == [3.0]
    keywords = service.observations("2606.00467")
    assert [obs.extra["keywords"][0] for obs in keywords if obs.signal == "ai_keywords"] == [
        "zero-shot annotation"]
    assert {obs.observed_at for obs in keywords} == {FIXED_NOW}
    assert report.observations == sum(len(service.observations(i)) for i in papers)


def test_every_run_adds_the_numbers_and_only_changed_texts(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route(PATH, json_reply(HF_2026_06_12))
    ingest_hf_daily(service, sources, JUNE_12)
    service.clock = fixed_clock(FIXED_NOW + dt.timedelta(hours=1))
    second = ingest_hf_daily(service, sources, JUNE_12)
    assert (second.counts.new, second.counts.updated, second.counts.unchanged) == (0, 0, 30)

    later = json.loads(recorded(HF_2026_06_12))
    for item in later:
        if item["paper"]["id"] == "2606.13681":
            item["paper"]["upvotes"] = 131
            item["paper"]["ai_keywords"] = item["paper"]["ai_keywords"][:2]
    server.route(PATH, Reply(json.dumps(later).encode(), content_type=JSON))
    service.clock = fixed_clock(FIXED_NOW + dt.timedelta(hours=2))
    ingest_hf_daily(service, sources, JUNE_12)

    assert signal_values(service, "2606.13681", "upvotes") == [118.0, 118.0, 131.0]
    assert len(signal_values(service, "2606.13681", "ai_keywords")) == 2
    assert len(signal_values(service, "2606.13392", "githubRepo")) == 1
    stamps = [obs.observed_at for obs in service.observations("2606.13681")
              if obs.signal == "upvotes"]
    assert stamps == [FIXED_NOW + dt.timedelta(hours=hours) for hours in range(3)]


def test_pages_are_asked_with_p_and_limit_until_a_short_one(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    items = json.loads(recorded(HF_2026_06_12))

    def paged(request: SeenRequest) -> Reply:
        size, number = int(request.params["limit"]), int(request.params["p"])
        return Reply(json.dumps(items[number * size:(number + 1) * size]).encode(),
                     content_type=JSON)

    server.route(PATH, paged)
    report = ingest_hf_daily(service, sources, JUNE_12, page_limit=12)

    assert [request.params["p"] for request in server.seen(PATH)] == ["0", "1", "2"]
    assert report.counts.new == 30


def test_github_stars_of_a_week(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route(PATH, json_reply(HF_2026_07_31))
    report = ingest_hf_daily(service, sources, parse_period("week", "2026-W31"))

    assert server.seen(PATH)[0].params["week"] == "2026-W31"
    assert report.counts.new == 5
    assert signal_values(service, "2607.23193", "githubStars") == [3.0]
    assert signal_values(service, "2607.27958", "githubRepo") == [
        "https://github.com/declare-lab/sigma-mem"]
    assert signal_values(service, "2607.28582", "githubStars") == []
    assert service.paper("2607.27958").title.startswith("\u03a3-Mem")


def test_a_truncated_answer_keeps_the_items_that_arrived_whole(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    body = recorded(HF_2026_06_12)
    tenth = body.rindex(b'{"paper":', 0, body.index(b'"2606.13572"'))  # the 10th item
    server.route(PATH, Reply(body[:tenth + 500], content_type=JSON))
    report = ingest_hf_daily(service, sources, JUNE_12)

    assert set(all_papers(service.store)) == set(june_ids()[:9])
    assert report.skip_reasons == {"malformed page": 1}
    assert "9 items read before it" in str(report.skipped[0])
    assert not report.complete


def test_latin1_bytes_cost_the_items_from_the_first_of_them(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route(PATH, Reply(latin1(recorded(HF_2026_06_12)), content_type=JSON))
    report = ingest_hf_daily(service, sources, JUNE_12)

    # The first name with a Latin-1 letter ("Boglárka") is in the 7th item.
    assert set(all_papers(service.store)) == set(june_ids()[:6])
    assert "not UTF-8" in str(report.skipped[0])


def test_an_item_without_an_arxiv_id_is_skipped(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    items = json.loads(recorded(HF_2026_06_12))
    del items[4]["paper"]["id"]
    server.route(PATH, Reply(json.dumps(items).encode(), content_type=JSON))
    report = ingest_hf_daily(service, sources, JUNE_12)

    assert report.counts.new == 29
    assert report.skip_reasons == {"no usable id": 1}
    assert "item 5" in str(report.skipped[0])
