"""Rising topics: the list with sparklines, and a page per topic with its papers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from papertide.models import PaperPage
from papertide.topics.service import LEADING_PAPERS
from papertide.topics.sparkline import volume_chart
from papertide.web.cards import cards_for
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.presenters import paginate

router = APIRouter(include_in_schema=False)
PageNumber = Annotated[int, Query(ge=1, description="Page number, from 1.")]


@router.get("/topics")
def topics_page(request: Request, service: ServiceDep, renderer: RendererDep) -> Response:
    topics = service.community.topics
    run = topics.run()
    return renderer.page(request, "topics.html", {
        "section": "topics", "run": run,
        "leading": topics.leading_papers(run, LEADING_PAPERS) if run else {},
    })


@router.get("/topics/{slug}")
def topic_page(slug: str, request: Request, service: ServiceDep, renderer: RendererDep,
               page: PageNumber = 1) -> Response:
    community = service.community
    limit, offset = community.paging(page, None)
    result = community.topics.papers(slug[:120], limit, offset)
    topic, run = result.topic, result.run
    weeks = run.weeks
    chart = volume_chart(
        topic.weekly_papers, len(weeks) - run.recent_weeks,
        f"Papers per week mentioning {topic.phrase}, {weeks[0]:%b %d, %Y} to "
        f"{weeks[-1]:%b %d, %Y}: " + ", ".join(str(count) for count in topic.weekly_papers),
        f"{weeks[0]:%b %d, %Y}", f"week of {weeks[-1]:%b %d, %Y}",
    )
    listing = PaperPage(result.papers, result.total, offset, limit)
    return renderer.page(request, "topic.html", {
        "section": "topics",
        "topic": topic,
        "run": run,
        "result": result,
        "chart": chart,
        "cards": cards_for(request, service, result.papers),
        "pagination": paginate(listing, f"/topics/{topic.slug}"),
    })
