"""``papertide ingest ...`` as a user runs it: real process, real HTTP, real database."""

from __future__ import annotations

import json

import pytest

from tests.ingest.conftest import RunCli
from tests.ingest.recorded import (
    API_ERROR_400,
    API_PAGES,
    HF_2026_06_12,
    RSS_FEED,
    RSS_FEED_PATH,
    json_reply,
    recorded,
    truncated,
    xml_reply,
)
from tests.ingest.replay import ATOM, ReplayServer, Reply, SeenRequest


def test_every_ingest_command_explains_itself(run_cli: RunCli) -> None:
    for command in ("arxiv-rss", "arxiv-oai", "arxiv-api", "hf-daily"):
        result = run_cli("ingest", command, "--help")
        assert result.returncode == 0, result.stderr
        assert f"Usage: papertide ingest {command}" in result.stdout
    assert "Usage: papertide worker" in run_cli("worker", "--help").stdout


def test_the_daily_feed_prints_one_summary_line(server: ReplayServer, run_cli: RunCli) -> None:
    server.route("/rss/cs.LG+cs.CL", xml_reply(RSS_FEED))
    server.route("/api/query", xml_reply("arxiv-api/id_0000.0000_s0_m100_8b51d9633a68.xml"))
    result = run_cli("ingest", "arxiv-rss", "--categories", "cs.LG,cs.CL")

    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith("arxiv-rss cs.LG+cs.CL 2026-09-24: 4 new, 0 updated, 0 unchanged, "
                           "0 skipped; 2 requests in ")
    shown = json.loads(run_cli("show", "2609.26811", "--json").stdout)
    assert shown["announced_date"] == "2026-09-24" and shown["sources"] == ["arxiv-rss"]


def test_without_details_the_api_is_not_asked(server: ReplayServer, run_cli: RunCli) -> None:
    server.route(RSS_FEED_PATH, xml_reply(RSS_FEED))
    result = run_cli("ingest", "arxiv-rss", "--no-details")
    assert result.returncode == 0, result.stderr
    assert [request.path for request in server.seen()] == [RSS_FEED_PATH]


def test_a_search_through_the_api(server: ReplayServer, run_cli: RunCli) -> None:
    def by_start(request: SeenRequest) -> Reply:
        return Reply(recorded(API_PAGES[int(request.params["start"])]), content_type=ATOM)

    server.route("/api/query", by_start)
    result = run_cli("ingest", "arxiv-api", "--query", "testing", "--max-results", "20",
                     "--page-size", "10")

    assert result.returncode == 0, result.stderr
    assert "arxiv-api 'testing': 20 new, 0 updated, 0 unchanged, 0 skipped" in result.stdout
    found = json.loads(run_cli("search", "deep learning models testing", "--json").stdout)
    assert found["results"][0]["arxiv_id"] == "2202.12139"


def test_arxivs_refusal_is_shown_in_its_own_words(server: ReplayServer, run_cli: RunCli) -> None:
    server.route("/api/query", xml_reply(API_ERROR_400, status=400))
    result = run_cli("ingest", "arxiv-api", "--ids", "2502.01341")

    assert result.returncode == 1
    assert ("Error: the arXiv API refused the request: incorrect id format for abc (HTTP 400)"
            in result.stderr)
    assert len(server.seen()) == 1


def test_a_run_that_could_not_finish_exits_1_with_its_summary(
    server: ReplayServer, run_cli: RunCli
) -> None:
    server.route(RSS_FEED_PATH, Reply(truncated(recorded(RSS_FEED), b"<item>", occurrence=3)))
    server.route("/api/query", xml_reply("arxiv-api/id_0000.0000_s0_m100_8b51d9633a68.xml"))
    result = run_cli("ingest", "arxiv-rss")

    assert result.returncode == 1
    assert "2 new" in result.stdout and "1 skipped (1 malformed page)" in result.stdout
    assert "INCOMPLETE" in result.stdout
    assert "skipped RSS feed: malformed XML" in result.stderr


def test_hf_daily_reports_its_observations(server: ReplayServer, run_cli: RunCli) -> None:
    server.route("/api/daily_papers", json_reply(HF_2026_06_12))
    result = run_cli("ingest", "hf-daily", "--date", "2026-06-12")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("hf-daily 2026-06-12: 30 new, 0 updated, 0 unchanged, "
                                    "0 skipped, ")
    assert " observations; 1 request in " in result.stdout


@pytest.mark.parametrize("arguments", [
    ["ingest", "arxiv-rss", "--categories", "cs.LG,not a category"],
    ["ingest", "arxiv-api"],
    ["ingest", "arxiv-api", "--query", "x", "--ids", "2502.01341"],
    ["ingest", "arxiv-api", "--query", "x", "--max-results", "30001"],
    ["ingest", "hf-daily", "--date", "2026-13-01"],
    ["ingest", "hf-daily", "--date", "2026-06-12", "--week", "2026-W24"],
    ["ingest", "arxiv-oai", "--from", "2026-02-01", "--until", "2026-01-01"],
    ["worker", "--job", "everything"],
])
def test_mistakes_are_usage_errors_before_any_request(
    server: ReplayServer, run_cli: RunCli, arguments: list[str]
) -> None:
    result = run_cli(*arguments)
    assert result.returncode == 2, result.stderr
    assert "Error" in result.stderr
    assert server.seen() == []
