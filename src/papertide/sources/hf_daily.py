"""Hugging Face daily papers (``huggingface.co/api/daily_papers``).

Each item is a paper some community member put on the daily page, with the
crowd's signals: upvotes, comments, the code repository and its stars, and
keywords. The paper goes into the store; the signals become time-stamped
observations, because trending is about how they change.

The day a paper was put on the daily page (``submittedOnDailyAt``) is used as
its announced date, as the bundled Hugging Face sample does; when arXiv's own
feed is also ingested its earlier listing date wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from papertide.exceptions import RecordError
from papertide.models import Observation, PaperRecord
from papertide.periods import Period
from papertide.sources.authors import parse_authors
from papertide.sources.fields import (
    optional_abstract,
    parse_day,
    parse_timestamp,
    required_id,
    required_title,
)
from papertide.sources.jsonread import read_json_array
from papertide.sources.skipped import MALFORMED_PAGE, Skipped, skipped_record

if TYPE_CHECKING:
    from papertide.sources.http import PoliteClient

SOURCE_NAME = "hf-daily"
PAGE_LIMIT = 100
MAX_PAGES = 50
# Signal names are the API's own field names.
SIGNAL_UPVOTES = "upvotes"
SIGNAL_COMMENTS = "numComments"
SIGNAL_GITHUB_REPO = "githubRepo"
SIGNAL_GITHUB_STARS = "githubStars"
SIGNAL_KEYWORDS = "ai_keywords"
SIGNAL_SUMMARY = "ai_summary"
SIGNAL_PROJECT_PAGE = "projectPage"
TEXT_SIGNALS = frozenset({SIGNAL_GITHUB_REPO, SIGNAL_KEYWORDS, SIGNAL_SUMMARY,
                          SIGNAL_PROJECT_PAGE})


@dataclass(frozen=True, slots=True)
class HfPaper:
    record: PaperRecord
    observations: tuple[Observation, ...]


@dataclass(frozen=True, slots=True)
class HfPage:
    papers: list[HfPaper]
    skipped: list[Skipped]
    items: int
    damage: str | None = None

    @property
    def is_whole(self) -> bool:
        return self.damage is None


def parse_daily_papers(body: bytes, now: dt.datetime, where: str = "daily papers") -> HfPage:
    read = read_json_array(body)
    papers: list[HfPaper] = []
    skipped: list[Skipped] = []
    for number, item in enumerate(read.items, start=1):
        try:
            papers.append(parse_item(item, now))
        except RecordError as error:
            skipped.append(skipped_record(error, f"{where}, item {number}{_label(item)}"))
    if read.error:
        problem = read.error
        if isinstance(read.top_level, dict) and isinstance(read.top_level.get("error"), str):
            problem = f"the server answered an error: {read.top_level['error'][:200]}"
        skipped.append(Skipped(MALFORMED_PAGE, f"{where}: {problem}; "
                               f"{len(read.items)} items read before it"))
    return HfPage(papers, skipped, len(read.items), read.error)


def parse_item(item: Any, now: dt.datetime) -> HfPaper:
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        raise RecordError("missing 'paper' (the arXiv id)")
    paper: dict[str, Any] = item["paper"]
    arxiv_id = required_id(paper.get("id"), "paper.id")
    daily = parse_day(paper.get("submittedOnDailyAt"), "submittedOnDailyAt", now)
    record = PaperRecord(
        arxiv_id=arxiv_id,
        title=required_title(paper.get("title") or item.get("title")),
        source=SOURCE_NAME,
        abstract=optional_abstract(paper.get("summary") or item.get("summary")),
        authors=parse_authors(paper.get("authors")),
        submitted_at=parse_timestamp(paper.get("publishedAt"), "publishedAt", now),
        announced_date=daily,
        announced_is_estimate=False,
    )
    return HfPaper(record, tuple(_observations(arxiv_id, paper, item, daily, now)))


def _observations(
    arxiv_id: str, paper: dict[str, Any], item: dict[str, Any], daily: dt.date | None,
    now: dt.datetime,
) -> Iterator[Observation]:
    extra = {"daily_date": daily.isoformat()} if daily else {}
    for signal, value in ((SIGNAL_UPVOTES, paper.get("upvotes")),
                          (SIGNAL_COMMENTS, item.get("numComments")),
                          (SIGNAL_GITHUB_STARS, paper.get("githubStars"))):
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            yield Observation(arxiv_id, SOURCE_NAME, signal, now, value_number=float(value),
                              extra=extra)
    for signal in (SIGNAL_GITHUB_REPO, SIGNAL_PROJECT_PAGE):
        link = paper.get(signal)
        if isinstance(link, str) and link.strip().startswith(("https://", "http://")):
            yield Observation(arxiv_id, SOURCE_NAME, signal, now, value_text=link.strip(),
                              extra=extra)
    summary = paper.get("ai_summary")
    if isinstance(summary, str) and summary.strip():
        model = paper.get("ai_summary_model")
        yield Observation(arxiv_id, SOURCE_NAME, SIGNAL_SUMMARY, now,
                          value_text=summary.strip()[:2_000],
                          extra=extra | ({"model": model} if isinstance(model, str) else {}))
    keywords = paper.get("ai_keywords")
    if isinstance(keywords, list):
        words = [word.strip() for word in keywords if isinstance(word, str) and word.strip()]
        if words:
            yield Observation(arxiv_id, SOURCE_NAME, SIGNAL_KEYWORDS, now,
                              value_text="; ".join(words), extra=extra | {"keywords": words})


def _label(item: Any) -> str:
    if isinstance(item, dict) and isinstance(item.get("paper"), dict):
        paper_id = item["paper"].get("id")
        if isinstance(paper_id, str):
            return f" ({paper_id[:40]})"
    return ""


class HfDaily:
    """Pages of the daily papers of a day, an ISO week or a month."""

    def __init__(self, client: PoliteClient, url: str) -> None:
        self.client = client
        self.url = url

    def pages(self, period: Period, now: dt.datetime, limit: int = PAGE_LIMIT) -> Iterator[HfPage]:
        for number in range(MAX_PAGES):
            params = {period.kind: period.slug, "limit": str(limit), "p": str(number)}
            where = f"daily papers {period.slug} page {number + 1}"

            def parse(body: bytes, where: str = where) -> HfPage:
                return parse_daily_papers(body, now, where)

            page = self.client.get_page(self.url, params, parse)
            yield page
            if page.items < limit:
                return
