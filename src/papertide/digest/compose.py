"""What goes into one subscriber's digest: pure, data in, digest out.

``compose_digest`` takes the subscriber (their preferences), the issue's
shared inputs (papers, trending scores, new papers per category, matches of
saved searches, personal picks) and the papers they were already mailed, and
returns the sections of the issue. Rules:

- sections come in a fixed order: updates to saved papers, new papers by
  followed authors, personal picks, trending, the papers most discussed here in
  the window, each saved search, each followed category; every section says why
  it is there;
- a paper already mailed to this subscriber never appears again (except to
  tell of an update to it, once per update), and a paper
  appears once per issue, in the first section that has it; it carries every
  reason it qualifies ("trending #2", "matches 'model merging'", "new in cs.CL");
- a section lists at most ``section_size`` papers (trending: the subscriber's
  own number) and links to the rest on the site.

No I/O and no clock: the same inputs always give the same digest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from papertide.digest.models import (
    Digest,
    DigestEntry,
    DigestPeriod,
    DigestSection,
    SearchMatches,
    SectionKind,
)
from papertide.follows.describe import event_lines
from papertide.follows.models import FollowedPaper, PaperEvent
from papertide.models import Paper
from papertide.subscriptions.models import Subscriber

# Trending sections dig at most this deep into the ranking for papers not mailed yet.
TRENDING_DEPTH = 50
WINDOW_WORDS = {"day": "today", "week": "this week"}


@dataclass(frozen=True, slots=True)
class DigestInputs:
    """Everything composition reads, gathered once per issue and shared by all subscribers.

    ``trending`` is best first; ``new_by_category`` maps each category asked
    for to its new papers, best first; ``searches`` maps each saved search to
    its new matches; ``picks`` maps a subscriber id to papers recommended to
    them (the slot personal recommendations fill; empty until they exist);
    ``discussed`` maps the papers most commented on in the window to their
    number of comments there, most first.
    """

    period: DigestPeriod
    papers: Mapping[str, Paper]
    trending: Sequence[str] = ()
    scores: Mapping[str, float] = field(default_factory=dict)
    new_by_category: Mapping[str, Sequence[str]] = field(default_factory=dict)
    searches: Mapping[str, SearchMatches] = field(default_factory=dict)
    picks: Mapping[int, Sequence[str]] = field(default_factory=dict)
    followed: Mapping[int, Sequence[FollowedPaper]] = field(default_factory=dict)
    updates: Mapping[int, Sequence[PaperEvent]] = field(default_factory=dict)
    discussed: Mapping[str, int] = field(default_factory=dict)


def compose_digest(
    subscriber: Subscriber,
    inputs: DigestInputs,
    already_mailed: Collection[str],
    now: dt.datetime,
    section_size: int,
) -> Digest:
    preferences = subscriber.preferences
    period = inputs.period
    trending_rank = {arxiv_id: rank for rank, arxiv_id
                     in enumerate(inputs.trending[:TRENDING_DEPTH], start=1)}
    builder = _Builder(inputs.papers, already_mailed)
    window_words = WINDOW_WORDS[period.window]
    updates = [event for event in inputs.updates.get(subscriber.id, ())
               if event.arxiv_id in inputs.papers]
    updated_ids = list(dict.fromkeys(event.arxiv_id for event in updates))
    followed = {item.paper.arxiv_id: item.authors
                for item in inputs.followed.get(subscriber.id, ())}

    if updated_ids:
        builder.add("updates", "Updates to papers you saved",
                    "New versions, publications and code of papers in your library.",
                    updated_ids, section_size, len(updated_ids), "/library",
                    allow_mailed=True)
    if followed:
        builder.add("follows", "New from people you follow",
                    "New papers by the authors you follow.", list(followed), section_size,
                    len(followed), "/follows")
    if preferences.personal_picks and inputs.picks.get(subscriber.id):
        builder.add("picks", "Picked for you", "Papers close to the ones in your library.",
                    inputs.picks[subscriber.id], section_size,
                    len(inputs.picks[subscriber.id]), None)
    if preferences.trending_count > 0:
        builder.add("trending", f"Trending {window_words}",
                    f"The papers people upvote and talk about most {window_words}.",
                    inputs.trending[:TRENDING_DEPTH], preferences.trending_count,
                    len(inputs.trending), f"/trending?window={period.window}")
    if inputs.discussed:
        builder.add("discussed", f"Discussed {window_words}",
                    f"The papers readers commented on most here {window_words}.",
                    inputs.discussed, section_size, len(inputs.discussed), None)
    for text in preferences.searches:
        matches = inputs.searches.get(text, SearchMatches((), 0))
        builder.add("search", f"Matches “{text}”",
                    f"New papers matching your saved search “{text}”.",
                    matches.arxiv_ids, section_size, matches.total,
                    _search_path(text, period), matches.invalid)
    for category in preferences.categories:
        new = inputs.new_by_category.get(category, ())
        builder.add("category", f"New in {category}",
                    f"Papers announced in {category} since the last digest, "
                    "most talked-about first.",
                    new, section_size, len(new), _search_path(f"cat:{category}", period))

    def reasons(arxiv_id: str) -> tuple[str, ...]:
        found: list[str] = [line for event in updates if event.arxiv_id == arxiv_id
                            for line in event_lines(event)]
        found.extend(f"by {name}, whom you follow" for name in followed.get(arxiv_id, ()))
        if arxiv_id in trending_rank:
            found.append(f"trending #{trending_rank[arxiv_id]}")
        if arxiv_id in inputs.discussed:
            comments = inputs.discussed[arxiv_id]
            found.append(f"{comments} comment{'' if comments == 1 else 's'} {window_words}")
        found.extend(f"matches “{text}”" for text in preferences.searches
                     if arxiv_id in inputs.searches.get(text, SearchMatches((), 0)).arxiv_ids)
        paper = inputs.papers[arxiv_id]
        if is_new(paper, period):
            found.extend(f"new in {category}" for category in preferences.categories
                         if in_category(paper, category))
        return tuple(found)

    sections = tuple(
        DigestSection(
            draft.kind, draft.title, draft.reason,
            tuple(DigestEntry(inputs.papers[arxiv_id], reasons(arxiv_id),
                              trending_rank.get(arxiv_id)) for arxiv_id in draft.ids),
            draft.total, draft.more_path, draft.note,
        )
        for draft in builder.drafts
    )
    listed_updates = set(builder.drafts[0].ids) if updated_ids else set()
    event_ids = tuple(event.id for event in updates if event.arxiv_id in listed_updates)
    return Digest(subscriber.id, subscriber.email, preferences.name, period, sections, now,
                  event_ids, preferences.send_empty)


@dataclass(slots=True)
class _Draft:
    kind: SectionKind
    title: str
    reason: str
    ids: list[str]
    total: int
    more_path: str | None
    note: str | None


class _Builder:
    """Fills sections in order, so that each paper lands in the first one that has it."""

    def __init__(self, papers: Mapping[str, Paper], already_mailed: Collection[str]) -> None:
        self.papers = papers
        self.already_mailed = already_mailed
        self.listed: set[str] = set()
        self.drafts: list[_Draft] = []

    def add(self, kind: SectionKind, title: str, reason: str, candidates: Iterable[str],
            limit: int, total: int, more_path: str | None, note: str | None = None,
            allow_mailed: bool = False) -> None:
        chosen: list[str] = []
        above = 0
        for arxiv_id in candidates:
            if len(chosen) >= limit:
                break
            if (arxiv_id in self.already_mailed and not allow_mailed) \
                    or arxiv_id not in self.papers:
                continue
            if arxiv_id in self.listed:
                above += 1
                continue
            chosen.append(arxiv_id)
        self.listed.update(chosen)
        if note is None and above:
            note = (f"{above} more {'paper' if above == 1 else 'papers'} of this kind "
                    f"{'is' if above == 1 else 'are'} listed above.")
        if note is None and not chosen:
            note = "Nothing new this time."
        self.drafts.append(_Draft(kind, title, reason, chosen, total, more_path, note))


def in_category(paper: Paper, category: str) -> bool:
    """``cs.CL`` matches cs.CL; an archive (``cs``) matches all of its categories."""
    return any(own == category or own.startswith(category + ".") for own in paper.categories)


def is_new(paper: Paper, period: DigestPeriod) -> bool:
    day = paper.announced_date
    return day is not None and period.first_day <= day <= period.last_day


def rank_new_papers(papers: Iterable[Paper], scores: Mapping[str, float]) -> list[str]:
    """Best first: trending score, then the newer announcement, then the arXiv id."""
    def key(paper: Paper) -> tuple[float, int, str]:
        day = paper.announced_date.toordinal() if paper.announced_date else 0
        return (-scores.get(paper.arxiv_id, 0.0), -day, paper.arxiv_id)

    return [paper.arxiv_id for paper in sorted(papers, key=key)]


def new_by_category(ranked: Sequence[str], papers: Mapping[str, Paper],
                    categories: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each category's new papers, keeping the order of ``ranked``."""
    return {category: tuple(arxiv_id for arxiv_id in ranked
                            if in_category(papers[arxiv_id], category))
            for category in dict.fromkeys(categories)}


def _search_path(text: str, period: DigestPeriod) -> str:
    return "/search?" + urlencode([("q", text), ("from", period.first_day.isoformat()),
                                   ("to", period.last_day.isoformat()), ("sort", "date")])
