"""Typed JSON shapes of the API (``XPublic``), built from the domain records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from papertide.models import Paper, PaperVersion
from papertide.paging import MAX_OFFSET, MAX_PAGE_SIZE
from papertide.periods import Period, PeriodKind
from papertide.search.base import SortOrder
from papertide.search.broad_filters import ESTIMATE_FLOOR
from papertide.search.hybrid import SearchMode
from papertide.search.query import MAX_LONG_QUERY_CHARS
from papertide.store.signal_summary import SignalSummary
from papertide.web.presenters import paper_path, period_path


class ErrorPublic(BaseModel):
    """The one shape of every API error."""

    status: int = Field(description="The HTTP status code, repeated for convenience.")
    message: str = Field(description="What went wrong, written for a person.")


class VersionPublic(BaseModel):
    version: int
    submitted: dt.datetime | None

    @classmethod
    def of(cls, version: PaperVersion) -> VersionPublic:
        return cls(version=version.version, submitted=version.submitted)


class PaperLinksPublic(BaseModel):
    page: str = Field(description="This paper's page on this site.")
    abs: str = Field(description="The arXiv abstract page.")
    pdf: str = Field(description="The PDF on arXiv.")


class FrontPagePublic(BaseModel):
    """Sightings on recorded snapshots of the Hugging Face papers front page."""

    snapshots: int = Field(description="How many recorded snapshots showed the paper.")
    best_position: int | None = Field(description="Its best position on them (1 = top).")
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    label: str = Field(examples=["on the HF front page in 14 snapshots, best #3"])


class SignalsPublic(BaseModel):
    """What is known about a paper's popularity outside this site; null where unknown.

    Counts are the latest observed (HF upvotes and comments, GitHub stars when papers
    were ingested from Hugging Face live); front-page sightings are positions on the
    page, not upvotes."""

    hf_upvotes: int | None = None
    hf_comments: int | None = None
    github_stars: int | None = None
    github_repo: str | None = None
    keywords: list[str] = Field(default_factory=list)
    front_page: FrontPagePublic | None = None
    observed_at: dt.datetime | None = Field(
        default=None, description="When the latest of these was observed.")
    summary: str | None = Field(default=None, description="One line for people.",
                                examples=["on the HF front page in 14 snapshots, best #3"])

    @classmethod
    def of(cls, signals: SignalSummary | None) -> SignalsPublic:
        if signals is None:
            return cls()
        front = signals.front_page_label
        return cls(
            hf_upvotes=signals.hf_upvotes, hf_comments=signals.hf_comments,
            github_stars=signals.github_stars, github_repo=signals.github_repo,
            keywords=list(signals.keywords),
            front_page=FrontPagePublic(
                snapshots=signals.front_page_snapshots, best_position=signals.front_page_best,
                first_seen=signals.front_page_first, last_seen=signals.front_page_last,
                label=front) if front else None,
            observed_at=signals.observed_at,
            summary=" · ".join(signals.parts) or None,
        )


class PaperPublic(BaseModel):
    """Everything stored about a paper."""

    arxiv_id: str = Field(examples=["2502.01341"])
    title: str
    abstract: str | None
    authors: list[str]
    primary_category: str | None
    categories: list[str]
    comments: str | None
    journal_ref: str | None
    doi: str | None
    license: str | None
    latest_version: int | None
    versions: list[VersionPublic]
    submitted_at: dt.datetime | None
    updated_at: dt.datetime | None
    announced_date: dt.date | None
    announced_is_estimate: bool = Field(
        description="True when the announced date was estimated from the submission time."
    )
    sources: list[str] = Field(description="The data sources this record was merged from.")
    first_stored_at: dt.datetime
    last_changed_at: dt.datetime
    links: PaperLinksPublic
    signals: SignalsPublic = Field(default_factory=SignalsPublic)

    @classmethod
    def of(cls, paper: Paper, base_url: str,
           signals: Mapping[str, SignalSummary] | None = None) -> PaperPublic:
        return cls(**paper_fields(paper, base_url, signals))


def paper_fields(paper: Paper, base_url: str,
                 signals: Mapping[str, SignalSummary] | None = None) -> dict[str, Any]:
    """The fields of :class:`PaperPublic` (shared with the search hit shape);
    ``signals``: the summaries of a page's papers (``Papertide.signals``)."""
    return {
        "signals": SignalsPublic.of((signals or {}).get(paper.arxiv_id)),
        "arxiv_id": paper.arxiv_id,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "primary_category": paper.primary_category,
        "categories": list(paper.categories),
        "comments": paper.comments,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "license": paper.license,
        "latest_version": paper.latest_version,
        "versions": [VersionPublic.of(version) for version in paper.versions],
        "submitted_at": paper.submitted_at,
        "updated_at": paper.updated_at,
        "announced_date": paper.announced_date,
        "announced_is_estimate": paper.announced_is_estimate,
        "sources": list(paper.sources),
        "first_stored_at": paper.first_stored_at,
        "last_changed_at": paper.last_changed_at,
        "links": PaperLinksPublic(
            page=base_url + paper_path(paper.arxiv_id),
            abs=paper.abs_url,
            pdf=paper.pdf_url,
        ),
    }


class PeriodPublic(BaseModel):
    kind: PeriodKind
    slug: str = Field(examples=["2026-03-11", "2026-W11", "2026-03"])
    heading: str = Field(examples=["Mar 11"])
    first_day: dt.date
    last_day: dt.date
    page: str = Field(description="The listing page of this period on this site.")

    @classmethod
    def of(cls, period: Period, base_url: str) -> PeriodPublic:
        return cls(
            kind=period.kind,
            slug=period.slug,
            heading=period.heading,
            first_day=period.start,
            last_day=period.last_day,
            page=base_url + period_path(period),
        )


DEPRECATED_LIST = ("Deprecated: the same list as `papers`, kept for one release; read "
                   "`papers` instead.")


class ListEnvelopePublic(BaseModel):
    """What every list answer has: the items in ``papers`` and where this page sits."""

    total: int = Field(description="How many there are in all (every page).")
    limit: int = Field(description="The page size asked for.")
    offset: int = Field(description="How many come before this page.")
    has_more: bool = Field(description="True when a later page has more.")


class PaperListPublic(ListEnvelopePublic):
    """One page of the papers announced in a day, week or month."""

    period: PeriodPublic | None = Field(description="Null only when no paper is stored yet.")
    previous: PeriodPublic | None = Field(
        description="The previous period with papers (days skip empty days)."
    )
    next: PeriodPublic | None
    page: int
    papers: list[PaperPublic]


class SearchHitPublic(PaperPublic):
    """A paper plus how well it matched."""

    score: float | None = Field(description="BM25 score when sorted by relevance, else null.")


class SearchRequestPublic(BaseModel):
    """A search sent as JSON (``POST /api/search``): the fields of ``GET /api/search``."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    q: str = Field(max_length=MAX_LONG_QUERY_CHARS,
                   description="What to search for: words, the query syntax, or a whole"
                               f" pasted abstract (up to {MAX_LONG_QUERY_CHARS:,} characters).")
    mode: SearchMode | None = None
    sort: SortOrder | None = None
    date_from: str = Field(default="", alias="from", max_length=20)
    date_to: str = Field(default="", alias="to", max_length=20)
    cat: list[str] | None = Field(default=None, max_length=20)
    author: list[str] | None = Field(default=None, max_length=20)
    limit: int | None = Field(default=None, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class FilterHintPublic(BaseModel):
    """A filter of a search that found nothing, and what is left without it."""

    filter: Literal["author", "cat", "date"] = Field(description="Which kind of filter.")
    label: str = Field(description='The filter as typed, e.g. `author:"Jane Doe"`.')
    matching_without: int = Field(description="How many papers match without this filter.")
    search_without: str = Field(description="This API search without the filter (a URL).")


class SearchResultsPublic(ListEnvelopePublic):
    """One page of search results and how the query was understood."""

    query: str
    mode: SearchMode = Field(description="Which mode answered: keyword, semantic or hybrid.")
    fallback: str | None = Field(
        default=None, description="Why the asked-for mode fell back to keyword, if it did.")
    sort: SortOrder
    total_exact: bool = Field(
        default=True,
        description="False when `total` is an estimate: a broad category filter over more than"
                    f" {ESTIMATE_FLOOR:,} matches is applied after ranking, so the ranking is"
                    " exact and the count is estimated.")
    total_capped: bool = Field(
        default=False,
        description="True in semantic mode when `total` is how many papers are listed by"
                    " meaning (the top 1,000), not how many match.")
    notices: list[str] = Field(description="Parts of the query that were ignored, and why; "
                                           "whether the search index is still catching up.")
    suggestion: str | None = Field(
        default=None,
        description="\"Did you mean\": the query with its typos corrected from the words of"
                    " the indexed papers (results already include the corrected words).")
    filter_hints: list[FilterHintPublic] = Field(
        default_factory=list,
        description="When filters left no results: which filter did, how many papers match"
                    " without it and the search without it.")
    papers: list[SearchHitPublic]
    results: list[SearchHitPublic] = Field(deprecated=True, description=DEPRECATED_LIST)


class SimilarPapersPublic(ListEnvelopePublic):
    """Papers closest in meaning to one paper, best first."""

    arxiv_id: str
    notice: str | None = Field(default=None, description="Why the list is empty, if it is.")
    coverage: str | None = Field(
        default=None, description="While papers are still being embedded, how much of the"
                                  " collection was compared (\"Based on 2% of papers embedded"
                                  " so far.\").")
    papers: list[SearchHitPublic]
    results: list[SearchHitPublic] = Field(deprecated=True, description=DEPRECATED_LIST)


class HealthPublic(BaseModel):
    status: Literal["ok"]
    papers: int
    latest_day: dt.date | None
    schema_version: int
    version: str
    search_index: Literal["ready", "catching up"] = Field(
        description="`catching up` after a restart or during an import: some papers cannot "
                    "be found yet")
    search_index_behind: int = Field(description="Changes the search index has yet to take in.")
