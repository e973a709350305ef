"""What goes into one subscriber's digest: pure, data in, digest out.

``compose_digest`` takes the subscriber (their preferences), the issue's
shared inputs (papers, trending scores, new papers per category, matches of
saved searches, personal picks) and the papers they were already mailed, and
returns the sections of the issue. Rules:

- sections come in a fixed order: personal picks, trending, each saved
  search, each followed category; every section says why it is there;
- a paper already mailed to this subscriber never appears again, and a paper
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
    them (the slot personal recommendations fill; empty until they exist).
    """

    period: DigestPeriod
    papers: Mapping[str, Paper]
    trending: Sequence[str] = ()
    scores: Mapping[str, float] = field(default_factory=dict)
    new_by_category: Mapping[str, Sequence[str]] = field(default_factory=dict)
    searches: Mapping[str, SearchMatches] = field(default_factory=dict)
    picks: Mapping[int, Sequence[str]] = field(default_factory=dict)


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

    if preferences.personal_picks and inputs.picks.get(subscriber.id):
        builder.add("picks", "Picked for you", "Papers close to the ones in your library.",
                    inputs.picks[subscriber.id], section_size,
                    len(inputs.picks[subscriber.id]), None)
    if preferences.trending_count > 0:
        builder.add("trending", f"Trending {window_words}",
                    f"The papers people upvote and talk about most {window_words}.",
                    inputs.trending[:TRENDING_DEPTH], preferences.trending_count,
                    len(inputs.trending), f"/trending?window={period.window}")
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
        found: list[str] = []
        if arxiv_id in trending_rank:
            found.append(f"trending #{trending_rank[arxiv_id]}")
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
    return Digest(subscriber.id, subscriber.email, preferences.name, period, sections, now,
                  preferences.send_empty)


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
            limit: int, total: int, more_path: str | None, note: str | None = None) -> None:
        chosen: list[str] = []
        above = 0
        for arxiv_id in candidates:
            if len(chosen) >= limit:
                break
            if arxiv_id in self.already_mailed or arxiv_id not in self.papers:
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
