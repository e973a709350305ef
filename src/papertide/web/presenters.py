"""Pure helpers that turn domain records into what the templates show.

Kept apart from the routes so they can be read (and tested) without a
request: URLs, shortened author lists, previews, dates, pagination.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from papertide.models import Paper, PaperPage
from papertide.paging import MAX_OFFSET
from papertide.periods import Period, PeriodKind, day_period, month_period, week_period

AUTHORS_SHOWN = 4
PREVIEW_CHARS = 260
# Characters XML 1.0 forbids, and other invisible controls people paste.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_CC_LICENCE = re.compile(r"creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)", re.IGNORECASE)
_PERIOD_MAKERS = {"date": day_period, "week": week_period, "month": month_period}


# -- URLs ------------------------------------------------------------------------------


def paper_path(arxiv_id: str) -> str:
    return "/papers/" + quote(arxiv_id, safe="/.-")


def author_path(name: str) -> str:
    """``/authors/Jane%20Doe``: every character of a name escaped, slashes too."""
    return "/authors/" + quote(name, safe="")


def period_path(period: Period) -> str:
    return f"/papers/{period.kind}/{period.slug}"


def period_of(kind: PeriodKind, day: dt.date) -> Period:
    """The day, ISO week or month containing ``day``."""
    return _PERIOD_MAKERS[kind](day)


def with_query(path: str, params: Iterable[tuple[str, str]]) -> str:
    """``path`` plus a query string of the non-empty parameters, in order."""
    kept = [(name, value) for name, value in params if value != ""]
    return f"{path}?{urlencode(kept)}" if kept else path


# -- text ------------------------------------------------------------------------------


def printable(text: str) -> str:
    """Drop control characters (a ``%00`` in a query must not reach a page or a feed)."""
    return _CONTROL.sub("", text)


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The start of ``text`` cut at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


@dataclass(frozen=True, slots=True)
class AuthorList:
    """The names to show on a card and how many were left out."""

    shown: tuple[str, ...]
    hidden: int


def shorten_authors(authors: Sequence[str], keep: int = AUTHORS_SHOWN) -> AuthorList:
    """Long author lists are cut to ``keep`` names plus "+N more" (never "+1 more")."""
    if len(authors) <= keep + 1:
        return AuthorList(tuple(authors), 0)
    return AuthorList(tuple(authors[:keep]), len(authors) - keep)


def licence_name(licence: str) -> str:
    """A short name for the licence URLs arXiv records carry."""
    match = _CC_LICENCE.search(licence)
    if match:
        kind = match.group(1).upper()
        return f"CC {kind} {match.group(2)}"
    if "publicdomain/zero" in licence:
        return "CC0 1.0"
    if "arxiv.org/licenses/nonexclusive-distrib" in licence:
        return "arXiv non-exclusive licence"
    return licence


def compact_count(number: int) -> str:
    """``980``, ``1.2k``, ``12k``: a count that fits in a badge."""
    if number < 1_000:
        return str(number)
    if number < 10_000:
        return f"{number / 1_000:.1f}".rstrip("0").rstrip(".") + "k"
    return f"{number // 1_000}k"


# -- dates -----------------------------------------------------------------------------


def short_date(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def long_date(day: dt.date) -> str:
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def day_heading(day: dt.date) -> str:
    return f"{day:%a}, {day:%b} {day.day}"


def period_title(period: Period) -> str:
    """``Mar 11``, ``Week 11, 2026``, ``March 2026``: the big heading of a listing."""
    if period.kind == "week":
        year, week, _ = period.start.isocalendar()
        return f"Week {week}, {year}"
    return period.heading


def period_subtitle(period: Period) -> str:
    """The days a listing covers, spelled out under its heading."""
    if period.kind == "date":
        return long_date(period.start)
    first, last = period.start, period.last_day
    return f"{first:%b} {first.day} – {last:%b} {last.day}, {last.year}"


def period_short(period: Period) -> str:
    """A label for a previous/next link: ``Mar 9``, ``Week 10``, ``Feb 2026``."""
    if period.kind == "week":
        return f"Week {period.start.isocalendar()[1]}"
    if period.kind == "month":
        return f"{period.start:%b %Y}"
    return period.heading


def timestamp(moment: dt.datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "unknown"


@dataclass(frozen=True, slots=True)
class DayGroup:
    day: dt.date | None
    papers: tuple[Paper, ...]


def group_by_day(papers: Sequence[Paper]) -> list[DayGroup]:
    """Consecutive papers of the same announced day (listings come newest day first)."""
    groups: list[DayGroup] = []
    for paper in papers:
        if groups and groups[-1].day == paper.announced_date:
            groups[-1] = DayGroup(paper.announced_date, (*groups[-1].papers, paper))
        else:
            groups.append(DayGroup(paper.announced_date, (paper,)))
    return groups


# -- pagination ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int | None  # None is a gap ("…")
    url: str
    current: bool = False


@dataclass(frozen=True, slots=True)
class Pagination:
    """Numbered page links that keep every other query parameter."""

    page: int
    pages: int
    previous_url: str | None
    next_url: str | None
    links: tuple[PageLink, ...]
    first_item: int
    last_item: int
    total: int

    @property
    def needed(self) -> bool:
        return self.pages > 1


def paginate(
    page: PaperPage, path: str, params: Sequence[tuple[str, str]] = (), window: int = 2
) -> Pagination:
    """Links for the page ``page`` of a listing at ``path`` with ``params``."""
    size = max(page.limit, 1)
    current = page.offset // size + 1
    # No links past the deepest page served (``page_bounds`` refuses those).
    pages = max(min((page.total + size - 1) // size, MAX_OFFSET // size + 1), 1)
    others = [(name, value) for name, value in params if name != "page"]

    def url(number: int) -> str:
        return with_query(path, [*others, ("page", str(number) if number > 1 else "")])

    numbers = sorted({1, pages, *range(max(current - window, 1), min(current + window, pages) + 1)})
    links: list[PageLink] = []
    for number in numbers:
        if links and links[-1].number is not None and number - (links[-1].number or 0) > 1:
            links.append(PageLink(None, ""))
        links.append(PageLink(number, url(number), number == current))
    return Pagination(
        page=current,
        pages=pages,
        previous_url=url(min(current - 1, pages)) if current > 1 else None,
        next_url=url(current + 1) if current < pages else None,
        links=tuple(links),
        first_item=page.offset + 1 if page.papers else 0,
        last_item=page.offset + len(page.papers),
        total=page.total,
    )
