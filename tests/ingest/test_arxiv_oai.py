"""OAI-PMH harvests: tokens, resumption after failures and kill -9, incremental runs."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from papertide.app import Papertide
from papertide.exceptions import SourceProtocolError
from papertide.ingest.oai import harvest_arxiv_oai
from papertide.ingest.oai_state import harvested_until, load_harvest
from papertide.ingest.report import IngestReport
from papertide.ingest.runtime import Sources
from tests.helpers import all_papers, open_test_app
from tests.ingest.conftest import RunCli, source_settings
from tests.ingest.recorded import (
    OAI_BAD_ARGUMENT,
    OAI_BAD_TOKEN,
    OAI_IDS,
    OAI_LIST_RECORDS,
    OAI_NO_RECORDS,
    oai_pages,
    page_token,
    paperhive_exchanges,
    recorded,
    truncated,
    xml_reply,
)
from tests.ingest.replay import ReplayServer, Reply, Responder, SeenRequest, gaps

FROM = dt.date(2014, 10, 1)
SET = "physics"


def serve_oai(server: ReplayServer, pages: list[bytes],
              broken: dict[int, Reply] | None = None) -> None:
    server.route("/oai", oai_repository(pages, broken))


def oai_repository(pages: list[bytes], broken: dict[int, Reply] | None = None) -> Responder:
    """Answers the first page, then each page for its token (``broken`` replaces some)."""
    by_token = {page_token(page): number + 1 for number, page in enumerate(pages[:-1])}

    def respond(request: SeenRequest) -> Reply:
        token = request.params.get("resumptionToken")
        if token is None:
            number = 0
        elif token in by_token:
            number = by_token[token]
        else:
            return xml_reply(OAI_BAD_TOKEN)
        return (broken or {}).get(number) or Reply(pages[number])

    return respond


def harvest(service: Papertide, sources: Sources, **options: Any) -> IngestReport:
    options.setdefault("set_spec", SET)
    options.setdefault("from_date", FROM)
    return harvest_arxiv_oai(service, sources, **options)


def test_a_harvest_follows_the_tokens_to_the_end(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    serve_oai(server, oai_pages(2))
    report = harvest(service, sources)

    asked = [request.params for request in server.seen("/oai")]
    assert asked[0] == {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": SET,
                        "from": "2014-10-01"}
    # OAI-PMH: a token request carries the verb and the token, nothing else.
    assert asked[1:] == [{"verb": "ListRecords", "resumptionToken": "726959|3"},
                         {"verb": "ListRecords", "resumptionToken": "726959|5"}]
    assert report.counts.new == 6 and report.complete
    papers = all_papers(service.store)
    assert set(papers) == set(OAI_IDS)
    history = papers["0704.0716"].versions
    assert [version.version for version in history] == [1, 2, 3, 4]
    assert history[3].submitted == dt.datetime(2008, 11, 14, 9, 7, 25, tzinfo=dt.UTC)
    assert papers["0704.0471"].journal_ref == (
        "Phys.Rev.C76:024606,2007; Erratum-ibid.C76:039902,2007")
    assert papers["0704.1109"].authors == ("Valeria M. Rosa", "Patricio S. letelier")
    assert papers["0704.1109"].announced_date == dt.date(2007, 4, 10)
    assert papers["0704.1109"].announced_is_estimate
    assert load_harvest(service.store, SET, "arXivRaw") is None
    assert harvested_until(service.store, SET, "arXivRaw") == dt.date(2014, 12, 22)


def test_the_next_incremental_harvest_starts_from_the_last_datestamp(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    serve_oai(server, oai_pages(2))
    harvest(service, sources)
    again = harvest(service, sources, from_date=None)

    incremental = server.seen("/oai")[3].params
    assert incremental["from"] == "2014-12-22" and "resumptionToken" not in incremental
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, 6)


def test_a_harvest_stopped_by_an_error_resumes_from_the_page_it_had_not_stored(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    pages = oai_pages(2)
    serve_oai(server, pages, broken={1: xml_reply(OAI_BAD_ARGUMENT)})
    with pytest.raises(SourceProtocolError, match="badArgument"):
        harvest(service, sources)
    saved = load_harvest(service.store, SET, "arXivRaw")
    assert saved is not None and saved.token == "726959|3" and saved.records == 2
    assert service.store.count_papers() == 2

    serve_oai(server, pages)
    resumed = harvest(service, sources)
    assert server.seen("/oai")[-2].params["resumptionToken"] == "726959|3"
    assert (resumed.counts.new, resumed.counts.unchanged) == (4, 0)
    assert any("resuming the harvest" in note for note in resumed.notes)
    assert service.store.count_papers() == 6


def test_an_expired_token_restarts_the_harvest_once(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    serve_oai(server, oai_pages(2), broken={1: xml_reply(OAI_BAD_ARGUMENT)})
    with pytest.raises(SourceProtocolError):
        harvest(service, sources)
    # A day later the server has forgotten token 726959|3 and hands out new ones.
    serve_oai(server, oai_pages(2, token_prefix="731502"))
    report = harvest(service, sources)

    assert any("no longer knows the resumption token" in note for note in report.notes)
    assert (report.counts.new, report.counts.unchanged) == (4, 2)
    assert set(all_papers(service.store)) == set(OAI_IDS)
    assert load_harvest(service.store, SET, "arXivRaw") is None


def test_a_damaged_page_stops_the_harvest_where_a_rerun_picks_it_up(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    pages = oai_pages(2)
    cut = truncated(pages[1], b"<record>", occurrence=2)  # inside page 2's second record
    serve_oai(server, pages, broken={1: Reply(cut)})
    report = harvest(service, sources)

    assert not report.complete and report.skip_reasons == {"malformed page": 1}
    assert service.store.count_papers() == 3  # page 1, and page 2's first record
    assert load_harvest(service.store, SET, "arXivRaw").token == "726959|3"  # type: ignore[union-attr]

    serve_oai(server, pages)
    rerun = harvest(service, sources)
    assert rerun.complete and (rerun.counts.new, rerun.counts.unchanged) == (3, 1)
    assert set(all_papers(service.store)) == set(OAI_IDS)


def test_no_records_match_ends_the_harvest_quietly(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route("/oai", xml_reply(OAI_NO_RECORDS))
    report = harvest(service, sources)

    assert report.complete and report.counts.new == 0
    assert any("no records match" in note for note in report.notes)


def test_arxivs_real_503_with_retry_after_is_honoured(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route("/oai", paperhive_exchanges(retry_after="1"))
    report = harvest(service, sources, set_spec="cs", metadata_format="arXiv",
                     from_date=dt.date(2015, 1, 1), until_date=dt.date(2015, 1, 3))

    assert gaps(server.seen("/oai")) >= [1.0]
    assert report.requests == 2 and report.counts.new == 2
    paper = service.paper("1412.8544")
    assert paper.authors == ("Sander Uijlen", "Bas Westerbaan")
    assert paper.doi == "10.4204/EPTCS.172.11"
    assert service.paper("hep-th/9504118").title == "Discrete Mathematics and Physics on the " \
        "Planck-Scale"


def test_only_followed_categories_are_kept_when_asked(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    serve_oai(server, oai_pages(6))
    report = harvest(service, sources, categories=["math", "gr-qc"])

    assert set(all_papers(service.store)) == {"0704.0716", "0704.0874", "0704.1109"}
    assert report.skip_reasons == {"outside the followed categories": 3}


def test_a_deleted_record_is_skipped(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    body = recorded(OAI_LIST_RECORDS)
    header = b"<header>\n <identifier>oai:arXiv.org:0704.0874</identifier>"
    body = body.replace(header, header.replace(b"<header>", b'<header status="deleted">'))
    body = re.sub(rb"(status=\"deleted\">.*?</header>\n)<metadata>.*?</metadata>\n", rb"\1",
                  body, count=1, flags=re.DOTALL)
    server.route("/oai", Reply(body.replace(b">726959|1001<", b"><")))
    report = harvest(service, sources)

    assert service.store.get_paper("0704.0874") is None
    assert report.skip_reasons == {"deleted on arXiv": 1}
    assert report.counts.new == 5


def test_a_harvest_killed_with_kill_9_resumes_and_stores_every_record_once(
    server: ReplayServer, cli_env: dict[str, str], run_cli: RunCli, data_dir: Path,
) -> None:
    pages = oai_pages(2)
    third_token = page_token(pages[1])
    release = threading.Event()
    respond_normally = oai_repository(pages)

    def slow_third_page(request: SeenRequest) -> Reply:
        reply = respond_normally(request)
        if request.params.get("resumptionToken") == third_token and not release.is_set():
            return Reply(reply.body, delay=60)
        return reply

    server.route("/oai", slow_third_page)
    command = ["ingest", "arxiv-oai", "--set", SET, "--from", FROM.isoformat()]
    process = subprocess.Popen([sys.executable, "-m", "papertide", *command], env=cli_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL)
    try:
        assert server.wait_for(lambda r: r.params.get("resumptionToken") == third_token, 30)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    assert process.returncode == -signal.SIGKILL

    with_settings = source_settings(server)
    app = open_test_app(data_dir, **with_settings)
    try:
        assert app.store.count_papers() == 4
        assert load_harvest(app.store, SET, "arXivRaw").token == third_token  # type: ignore[union-attr]
    finally:
        app.close()

    release.set()
    before_rerun = len(server.seen("/oai"))
    rerun = run_cli(*command)
    assert rerun.returncode == 0, rerun.stderr
    assert "2 new, 0 updated, 0 unchanged, 0 skipped" in rerun.stdout
    resumed = server.seen("/oai")[before_rerun:]
    assert [request.params.get("resumptionToken") for request in resumed] == [third_token]

    app = open_test_app(data_dir, **with_settings)
    try:
        papers = all_papers(app.store)
        assert sorted(papers) == sorted(OAI_IDS)
        assert [v.version for v in papers["0704.0716"].versions] == [1, 2, 3, 4]
        assert load_harvest(app.store, SET, "arXivRaw") is None
        assert app.search("Farkas secant divisors").page.papers[0].arxiv_id == "0704.0874"
    finally:
        app.close()
