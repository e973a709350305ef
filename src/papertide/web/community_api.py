"""The JSON API of trending lists and rising topics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from papertide.models import Paper
from papertide.paging import MAX_PAGE_SIZE
from papertide.ranking.trending import WindowName
from papertide.topics.models import Topic, TopicRun
from papertide.topics.service import LEADING_PAPERS
from papertide.web.deps import ServiceDep
from papertide.web.schemas import ErrorPublic, ListEnvelopePublic, PaperPublic, paper_fields

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "A parameter is malformed"},
    500: {"model": ErrorPublic, "description": "Something failed on the server"},
}
router = APIRouter(prefix="/api", responses=ERRORS)


class TrendingPaperPublic(PaperPublic):
    rank: int = Field(description="Position in the list, from 1.")
    score: float = Field(description="Trending score (see /about#trending).")
    votes: int = Field(description="Upvotes cast on this site (all time).")


class TrendingListPublic(ListEnvelopePublic):
    window: WindowName
    as_of: dt.datetime = Field(description="The moment the scores are computed for; earlier "
                                           "than now when nothing happened within the window.")
    live: bool = Field(description="False when the list shows the latest activity, not now.")
    page: int
    papers: list[TrendingPaperPublic]


class LeadingPaperPublic(BaseModel):
    arxiv_id: str
    title: str


class TopicPublic(BaseModel):
    slug: str
    phrase: str
    rank: int
    score: float = Field(description="Log-likelihood ratio (G²) of recent against baseline.")
    recent_papers: int
    baseline_papers: int
    recent_share: float
    baseline_share: float
    growth: float | None = Field(description="Recent share over baseline share; null if new.")
    weekly_papers: list[int] = Field(description="Papers per week, aligned with `weeks`.")
    page: str
    leading_papers: list[LeadingPaperPublic] = Field(
        description="Its first papers: recent ones naming it in their title first.")

    @classmethod
    def of(cls, topic: Topic, base_url: str, leading: tuple[Paper, ...] = ()) -> TopicPublic:
        return cls(slug=topic.slug, phrase=topic.phrase, rank=topic.rank, score=topic.score,
                   recent_papers=topic.recent_papers, baseline_papers=topic.baseline_papers,
                   recent_share=topic.recent_share, baseline_share=topic.baseline_share,
                   growth=topic.growth, weekly_papers=list(topic.weekly_papers),
                   page=f"{base_url}/topics/{topic.slug}",
                   leading_papers=[LeadingPaperPublic(arxiv_id=paper.arxiv_id,
                                                      title=paper.title)
                                   for paper in leading])


class TopicsPublic(BaseModel):
    computed_at: dt.datetime | None = Field(description="Null before the first computation.")
    as_of: dt.date | None
    weeks: list[dt.date] = Field(description="The Monday of each week of the series.")
    weekly_totals: list[int] = Field(description="All papers per week.")
    recent_weeks: int
    baseline_weeks: int
    papers_considered: int
    topics: list[TopicPublic]

    @classmethod
    def of(cls, run: TopicRun | None, base_url: str,
           leading: Mapping[str, tuple[Paper, ...]] | None = None) -> TopicsPublic:
        if run is None:
            return cls(computed_at=None, as_of=None, weeks=[], weekly_totals=[], recent_weeks=0,
                       baseline_weeks=0, papers_considered=0, topics=[])
        return cls(computed_at=run.computed_at, as_of=run.as_of, weeks=list(run.weeks),
                   weekly_totals=list(run.weekly_totals), recent_weeks=run.recent_weeks,
                   baseline_weeks=run.baseline_weeks, papers_considered=run.papers_considered,
                   topics=[TopicPublic.of(topic, base_url, (leading or {}).get(topic.slug, ()))
                           for topic in run.topics])


@router.get("/trending", response_model=TrendingListPublic, tags=["trending"],
            summary="Trending papers")
def trending(
    service: ServiceDep,
    window: Annotated[Literal["day", "week", "month"], Query(
        description="The last day, week or month.")] = "week",
    page: Annotated[int, Query(ge=1, description="Page number, from 1.")] = 1,
    limit: Annotated[int | None, Query(ge=1, le=MAX_PAGE_SIZE, description="Papers per page.")
                     ] = None,
) -> TrendingListPublic:
    """Papers ranked by the trending score: upvotes here, Hugging Face upvotes and GitHub
    stars gained in the window, and freshness, each decaying with a half-life (see
    /about#trending)."""
    community = service.community
    size, offset = community.paging(page, limit)
    result = community.trending.window_page(window, size, offset)
    ids = [paper.arxiv_id for paper in result.page.papers]
    votes = community.library.marks(None, ids)
    signals = service.signals(ids)
    base_url = service.settings.resolved_base_url
    return TrendingListPublic(
        window=window, as_of=result.as_of, live=result.live, page=page, limit=size,
        offset=offset, total=result.page.total, has_more=result.page.has_more,
        papers=[TrendingPaperPublic(**paper_fields(paper, base_url, signals),
                                    rank=result.ranks[paper.arxiv_id],
                                    score=round(result.scores[paper.arxiv_id], 6),
                                    votes=votes.votes_of(paper.arxiv_id))
                for paper in result.page.papers],
    )


@router.get("/topics", response_model=TopicsPublic, tags=["topics"], summary="Rising topics")
def topics(service: ServiceDep) -> TopicsPublic:
    """Keyphrases whose share of new papers grew in the recent weeks against the weeks
    before, with their weekly volume. Recomputed in the background, not per request."""
    topics = service.community.topics
    run = topics.run()
    return TopicsPublic.of(run, service.settings.resolved_base_url,
                           topics.leading_papers(run, LEADING_PAPERS) if run else None)
