"""``GET /api/recommendations``: the signed-in person's picks, each with why."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from papertide.recommend.models import Pick
from papertide.store.signal_summary import SignalSummary
from papertide.web.deps import ServiceDep
from papertide.web.schemas import (
    DEPRECATED_LIST,
    ErrorPublic,
    ListEnvelopePublic,
    PaperPublic,
    paper_fields,
)
from papertide.web.session import signed_in_viewer

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "A parameter is malformed"},
    401: {"model": ErrorPublic, "description": "Not signed in (send the session cookie)"},
    500: {"model": ErrorPublic, "description": "Something failed on the server"},
}
router = APIRouter(prefix="/api", responses=ERRORS)


class NamedPaperPublic(BaseModel):
    arxiv_id: str
    title: str


class ReasonPublic(BaseModel):
    kind: Literal["library", "interest", "category", "words", "author"] = Field(
        description="library: close to the papers named; interest: close to none of them, "
                    "only to the direction of (part of) the library; author: by an author "
                    "the reader follows.")
    text: str = Field(description="The reason as a sentence fragment.")
    papers: list[NamedPaperPublic] = Field(description="Papers of the profile it names.")
    category: str | None = None
    word: str | None = None
    interest: str | None = None


class PickPublic(PaperPublic):
    score: float = Field(description="Ranking score (comparable within one answer only).")
    explanation: str = Field(description="Every reason, joined for display.")
    reasons: list[ReasonPublic]
    interest: str | None = Field(description="The interest of the library this pick serves "
                                             "(only when the library has several).")


class RecommendationsPublic(ListEnvelopePublic):
    window_days: int = Field(description="Days of new papers picked from.")
    profile_size: int = Field(description="Papers saved, upvoted or imported.")
    notice: str | None = Field(description="Why there are no picks, and what to do.")
    interests: list[str] = Field(description="The interests the library splits into (two or "
                                             "three, each with picks), or none.")
    papers: list[PickPublic] = Field(description="The picks, best first.")
    picks: list[PickPublic] = Field(deprecated=True, description=DEPRECATED_LIST)


def pick_public(pick: Pick, base_url: str,
                signals: Mapping[str, SignalSummary] | None = None) -> PickPublic:
    return PickPublic(
        **paper_fields(pick.paper, base_url, signals), score=round(pick.score, 4),
        explanation=pick.explanation, interest=pick.interest or None,
        reasons=[ReasonPublic(kind=reason.kind, text=reason.text,
                              papers=[NamedPaperPublic(arxiv_id=named.arxiv_id,
                                                       title=named.title)
                                      for named in reason.papers],
                              category=reason.category or None, word=reason.word or None,
                              interest=reason.interest or None)
                 for reason in pick.reasons])


@router.get("/recommendations", response_model=RecommendationsPublic,
            tags=["recommendations"], summary="Papers picked for you")
def recommendations(
    request: Request, service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=200, description="How many picks, best first.")] = 30,
) -> RecommendationsPublic:
    """New papers picked for the signed-in person (session cookie) from what they saved,
    upvoted or imported and the categories they follow, each with the reasons."""
    viewer = signed_in_viewer(request)
    found = service.recommendations.for_user(viewer.user.id, limit)
    base_url = service.settings.resolved_base_url
    signals = service.signals([pick.paper.arxiv_id for pick in found.picks])
    picks = [pick_public(pick, base_url, signals) for pick in found.picks]
    return RecommendationsPublic(window_days=found.window_days,
                                 profile_size=found.profile_size, notice=found.notice,
                                 interests=list(found.interests),
                                 total=len(picks), limit=limit, offset=0, has_more=False,
                                 papers=picks, picks=picks)
