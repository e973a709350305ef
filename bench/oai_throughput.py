"""OAI-PMH harvest throughput: parse + store, papers per second, from real records.

Builds ListRecords pages in arXiv's shape (1,000 records and a resumption token
a page) by replicating the six real arXivRaw records of
``tests/data/fixtures/arxiv-oai/ListRecordsResponse.xml`` under new ids, then
measures, each as the median of ``--runs`` runs on a fresh database:

- parse: ``parse_oai_page`` alone;
- parse + store: each page parsed, then stored in one transaction with the
  harvest state, as a harvest does it;
- harvest: ``harvest_arxiv_oai`` end to end (HTTP client, rate limiter set to
  0 s, parsing, storing, resumable state, lease, final search-index sync),
  pages served from memory by an ``httpx.MockTransport``;
- re-harvest: the same again over the stored papers (all unchanged).

arXiv allows one request every 3 s: at 1,000 records a page that is at most
~333 papers/s, so ingestion must run far above it never to be the bottleneck.

    .venv/bin/python bench/oai_throughput.py --pages 10 --runs 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchlib import Stopwatch, Table, median, peak_rss_mb, write_json
from papertide.app import open_app
from papertide.ingest.oai import harvest_arxiv_oai
from papertide.ingest.oai_state import harvest_key
from papertide.ingest.runtime import build_sources
from papertide.settings import Settings
from papertide.sources.arxiv_oai import parse_oai_page
from papertide.store.factory import open_store

FIXTURE = (Path(__file__).resolve().parents[1] / "tests" / "data" / "fixtures" / "arxiv-oai"
           / "ListRecordsResponse.xml")
ARXIV_LIMIT = 1_000 / 3.0  # papers/s at one 1,000-record page every 3 s
OAI_URL = "http://oai.bench.invalid/oai"
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
_RECORD = re.compile(rb"<record>.*?</record>\n", re.DOTALL)
_TOKEN = re.compile(rb"<resumptionToken[^>]*>[^<]*</resumptionToken>")
_ID = re.compile(rb"<id>([^<]+)</id>")


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    papers: int
    seconds: list[float]

    @property
    def median_seconds(self) -> float:
        return median(self.seconds)

    @property
    def papers_per_second(self) -> float:
        return self.papers / self.median_seconds


def new_id(number: int) -> str:
    """A new-style id (YYMM.NNNNN) for the ``number``-th replicated record, from 2501.00001."""
    month, serial = divmod(number, 99_999)
    return f"{25 + month // 12:02d}{1 + month % 12:02d}.{serial + 1:05d}"


def build_pages(pages: int, per_page: int) -> list[bytes]:
    """``pages`` ListRecords answers of ``per_page`` records each, tokens chaining them."""
    body = FIXTURE.read_bytes()
    records = _RECORD.findall(body)
    head = body[:body.index(records[0])]
    tail = body[body.index(records[-1]) + len(records[-1]):]
    total = pages * per_page
    built = []
    for page in range(pages):
        chunk = []
        for offset in range(per_page):
            number = page * per_page + offset
            template = records[number % len(records)]
            match = _ID.search(template)
            assert match is not None
            chunk.append(template.replace(match.group(1), new_id(number).encode()))
        if page + 1 < pages:
            token = (f'<resumptionToken cursor="{page * per_page}" completeListSize="{total}">'
                     f"bench|{page + 1}</resumptionToken>")
        else:
            token = f'<resumptionToken cursor="{page * per_page}" completeListSize="{total}"/>'
        built.append(head + b"".join(chunk) + _TOKEN.sub(token.encode(), tail))
    return built


def time_parse(pages: list[bytes]) -> float:
    with Stopwatch() as watch:
        parsed = sum(len(parse_oai_page(page, NOW).records) for page in pages)
    assert parsed == len(pages) * _per_page(pages)
    return watch.seconds


def time_parse_and_store(pages: list[bytes], folder: Path) -> float:
    store = open_store(str(folder / "papertide.db"))
    key = harvest_key("cs", "arXivRaw")
    try:
        with Stopwatch() as watch:
            for number, page in enumerate(pages):
                parsed = parse_oai_page(page, NOW)
                with store.transaction():
                    store.upsert_papers(parsed.records, NOW)
                    store.set_meta(key, f'{{"token": "bench|{number + 1}"}}')
        assert store.count_papers() == len(pages) * _per_page(pages)
    finally:
        store.close()
    return watch.seconds


def time_harvests(pages: list[bytes], folder: Path) -> tuple[float, float]:
    """Seconds of a first harvest and of a second one over the stored papers."""
    by_token = {f"bench|{number}": page for number, page in enumerate(pages)}

    def serve(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("resumptionToken")
        return httpx.Response(200, content=by_token[token] if token else pages[0],
                              headers={"Content-Type": "text/xml; charset=UTF-8"})

    settings = Settings(data_dir=folder).with_overrides(
        arxiv_oai_url=OAI_URL, arxiv_request_interval=0.0)
    service = open_app(settings, clock=lambda: NOW)
    sources = build_sources(settings, transport=httpx.MockTransport(serve))
    expected = len(pages) * _per_page(pages)
    try:
        seconds = []
        for fresh in (True, False):
            with Stopwatch() as watch:
                report = harvest_arxiv_oai(service, sources, "cs", from_date=dt.date(2026, 1, 1),
                                           restart=True)
            stored = report.counts.new if fresh else report.counts.unchanged
            assert stored == expected and report.complete, report.summary()
            seconds.append(watch.seconds)
    finally:
        sources.close()
        service.close()
    return seconds[0], seconds[1]


def _per_page(pages: list[bytes]) -> int:
    return len(_RECORD.findall(pages[0]))


def repeat(runs: int, work_dir: Path | None, measure: Callable[[Path], Any]) -> list[Any]:
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(dir=work_dir) as folder:
            results.append(measure(Path(folder)))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10, help="ListRecords pages (10)")
    parser.add_argument("--per-page", type=int, default=1_000, help="records a page (1,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each phase; median (3)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="parent of the temporary databases (the system temp dir)")
    parser.add_argument("--json", type=Path, default=None, help="also save the figures here")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.pages < 1 or args.per_page < 1:
        parser.error("--pages, --per-page and --runs must be at least 1")

    pages = build_pages(args.pages, args.per_page)
    papers = args.pages * args.per_page
    size = sum(len(page) for page in pages) / len(pages)
    print(f"{args.pages} pages of {args.per_page:,} records ({size / 1e6:.1f} MB a page), "
          f"{args.runs} runs each", file=sys.stderr)
    harvests = repeat(args.runs, args.work_dir, lambda folder: time_harvests(pages, folder))
    phases = [
        Phase("parse", papers, [time_parse(pages) for _ in range(args.runs)]),
        Phase("parse + store", papers,
              repeat(args.runs, args.work_dir, lambda folder: time_parse_and_store(pages, folder))),
        Phase("harvest (HTTP, state, index)", papers, [first for first, _ in harvests]),
        Phase("re-harvest (all unchanged)", papers, [again for _, again in harvests]),
    ]
    print(Table(
        f"OAI-PMH ingestion, {papers:,} papers in {args.pages} pages (median of {args.runs})",
        ("phase", "papers", "median s", "runs s", "papers/s", "x arXiv limit"),
        tuple((phase.name, f"{phase.papers:,}", f"{phase.median_seconds:.2f}",
               " ".join(f"{s:.2f}" for s in phase.seconds), f"{phase.papers_per_second:,.0f}",
               f"{phase.papers_per_second / ARXIV_LIMIT:,.1f}") for phase in phases),
    ).render())
    print(f"arXiv's limit: one {args.per_page:,}-record page every 3 s = "
          f"{args.per_page / 3:,.0f} papers/s at most")
    slowest = min(phase.papers_per_second for phase in phases)
    print(f"slowest phase: {slowest:,.0f} papers/s, {slowest / ARXIV_LIMIT:,.1f}x the limit: "
          + ("ingestion is not the bottleneck" if slowest > 3 * ARXIV_LIMIT
             else "ingestion could hold a harvest back"))
    print(f"peak memory of this process: {peak_rss_mb():,.0f} MB")
    write_json(args.json, {
        "pages": args.pages, "per_page": args.per_page, "arxiv_limit": ARXIV_LIMIT,
        "phases": {phase.name: {"seconds": phase.seconds,
                                "papers_per_second": phase.papers_per_second}
                   for phase in phases},
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
