"""``/authors/{name}``: an author's papers here, newest and most upvoted, and co-authors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from papertide.exceptions import NotFoundError
from papertide.follows.names import author_key
from papertide.web.cards import cards_for
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.presenters import author_path, with_query
from papertide.web.session import current_viewer

MOST_UPVOTED_SHOWN = 5
NEWEST_SHOWN = 30
router = APIRouter(include_in_schema=False)


@router.get("/authors")
def authors_root() -> Response:
    return RedirectResponse("/search", status_code=307)


@router.get("/authors/{name:path}")
def author_page(name: str, request: Request, service: ServiceDep,
                renderer: RendererDep) -> Response:
    profile = service.author(name)
    if isinstance(profile, tuple):
        if len(profile) == 1:  # "kegl": the one author of that name here
            return RedirectResponse(author_path(profile[0]), status_code=302)
        if not profile:
            raise NotFoundError(f"no paper here lists an author named {name[:200]!r}; "
                                f"search for it: "
                                f"{with_query('/search', [('author', name[:200])])}")
        return renderer.page(request, "authors_like.html",
                             {"section": "author", "asked": name, "names": profile})
    if profile.name != name and author_path(profile.name) != request.url.path:
        # One address per person: "balazs kegl" and "Balázs Kégl" land on the name as written.
        return RedirectResponse(author_path(profile.name), status_code=301)
    viewer = current_viewer(request)
    followed = viewer is not None and author_key(profile.name) in {
        follow.author_key for follow in service.follows.of(viewer.user.id)}
    return renderer.page(request, "author.html", {
        "section": "author",
        "profile": profile,
        "followed": followed,
        "signed_in": viewer is not None,
        "top": profile.most_upvoted[:MOST_UPVOTED_SHOWN],
        "newest": profile.newest[:NEWEST_SHOWN],
        "cards": cards_for(request, service, profile.newest[:NEWEST_SHOWN]),
        "search_url": with_query("/search", [("author", profile.name), ("sort", "date")]),
    })
