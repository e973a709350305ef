"""Computing a rising-topics run from the stored papers.

Two passes keep memory bounded by the recent weeks, not the whole corpus:
the recent papers give the candidate phrases (those with enough papers),
then the baseline weeks are counted for those candidates only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from papertide.store.base import Store
from papertide.topics.bursts import Burst, BurstParams, burst
from papertide.topics.models import Topic, TopicRun
from papertide.topics.phrases import document_phrases, phrases_with_surface, slugify

MAX_OVERLAP = 0.7
PROMOTE_SHARE = 0.8


@dataclass(frozen=True, slots=True)
class TopicParams:
    recent_weeks: int = 4
    baseline_weeks: int = 26
    limit: int = 30
    max_papers_per_topic: int = 500
    min_title_papers: int = 2
    burst: BurstParams = field(default_factory=BurstParams)


@dataclass(slots=True)
class _Candidate:
    key: str
    burst: Burst
    recent_ids: list[str]


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def compute_topics(
    store: Store, now: dt.datetime, params: TopicParams | None = None,
    as_of: dt.date | None = None,
) -> tuple[TopicRun, dict[str, list[str]]]:
    """The rising topics as of ``as_of`` (default: the latest day with papers, up to now)."""
    params = params or TopicParams()
    change_seq = store.max_change_seq()
    latest = store.latest_announced_date()
    day = min(as_of or latest or now.date(), now.date())
    last_week = monday(day)
    weeks = params.recent_weeks + params.baseline_weeks
    first_week = last_week - dt.timedelta(weeks=weeks - 1)
    recent_start = last_week - dt.timedelta(weeks=params.recent_weeks - 1)
    end = min(last_week + dt.timedelta(days=7), day + dt.timedelta(days=1))

    totals = [0] * weeks
    week_of: dict[str, int] = {}
    recent_docs: dict[str, list[str]] = defaultdict(list)
    in_titles: Counter[str] = Counter()
    recent_texts: list[str] = []
    for arxiv_id, announced, title, abstract in store.iter_texts(recent_start, end):
        index = (announced - first_week).days // 7
        totals[index] += 1
        week_of[arxiv_id] = index
        recent_texts.append(title if not abstract else f"{title}. {abstract}")
        title_keys, keys = document_phrases(title, abstract)
        in_titles.update(title_keys)
        for key in keys:
            recent_docs[key].append(arxiv_id)
    # A topic is named in titles, not only in abstracts ("percentage points" is prose).
    candidates = {key: ids for key, ids in recent_docs.items()
                  if len(ids) >= params.burst.min_papers
                  and in_titles[key] >= params.min_title_papers}
    del recent_docs

    baseline_docs: dict[str, list[str]] = defaultdict(list)
    for arxiv_id, announced, title, abstract in store.iter_texts(first_week, recent_start):
        index = (announced - first_week).days // 7
        totals[index] += 1
        week_of[arxiv_id] = index
        for key in document_phrases(title, abstract)[1] & candidates.keys():
            baseline_docs[key].append(arxiv_id)

    recent_total = sum(totals[weeks - params.recent_weeks:])
    baseline_total = sum(totals[:weeks - params.recent_weeks])
    rising = []
    for key, ids in candidates.items():
        found = burst(len(ids), recent_total, len(baseline_docs.get(key, ())), baseline_total,
                      params.burst)
        if found is not None:
            rising.append(_Candidate(key, found, ids))
    rising.sort(key=lambda candidate: (-candidate.burst.score, candidate.key))
    chosen = _distinct(rising, params.limit)
    surfaces = _surface_forms(recent_texts, {candidate.key for candidate in chosen})

    topics: list[Topic] = []
    papers: dict[str, list[str]] = {}
    for rank, candidate in enumerate(chosen, start=1):
        ids = [*baseline_docs.get(candidate.key, []), *candidate.recent_ids]
        weekly = [0] * weeks
        for arxiv_id in ids:
            weekly[week_of[arxiv_id]] += 1
        slug = _unique_slug(slugify(candidate.key), papers)
        papers[slug] = list(reversed(ids))[:params.max_papers_per_topic]
        topics.append(Topic(
            slug=slug,
            phrase=surfaces.get(candidate.key, candidate.key),
            rank=rank,
            score=round(candidate.burst.score, 3),
            recent_papers=len(candidate.recent_ids),
            baseline_papers=len(baseline_docs.get(candidate.key, ())),
            recent_share=candidate.burst.recent_share,
            baseline_share=candidate.burst.baseline_share,
            weekly_papers=tuple(weekly),
        ))
    run = TopicRun(
        computed_at=now, as_of=day, first_week=first_week, recent_weeks=params.recent_weeks,
        baseline_weeks=params.baseline_weeks, weekly_totals=tuple(totals),
        papers_considered=sum(totals), change_seq=change_seq, topics=tuple(topics),
    )
    return run, papers


def _distinct(rising: list[_Candidate], limit: int) -> list[_Candidate]:
    """Best first, skipping phrases inside (or around) a chosen one or sharing most papers.

    A phrase gives way to a longer one holding most of its papers ("autoencoder"
    to "sparse autoencoder"): the longer one says more.
    """
    chosen: list[_Candidate] = []
    chosen_sets: list[set[str]] = []
    for found in rising:
        candidate = _most_specific(found, rising)
        if len(chosen) >= limit:
            break
        if any(candidate is other for other in chosen):
            continue
        ids = set(candidate.recent_ids)
        padded = f" {candidate.key} "
        if any(f" {other.key} " in padded or padded in f" {other.key} " for other in chosen):
            continue
        if any(len(ids & other) >= MAX_OVERLAP * min(len(ids), len(other))
               for other in chosen_sets):
            continue
        chosen.append(candidate)
        chosen_sets.append(ids)
    return chosen


def _most_specific(candidate: _Candidate, rising: list[_Candidate]) -> _Candidate:
    padded = f" {candidate.key} "
    longer = [other for other in rising
              if other.key != candidate.key and padded in f" {other.key} "
              and len(other.recent_ids) >= PROMOTE_SHARE * len(candidate.recent_ids)]
    if not longer:
        return candidate
    return max(longer, key=lambda other: (len(other.key.split()), other.burst.score))


def _surface_forms(texts: list[str], keys: set[str]) -> dict[str, str]:
    """How each phrase is most often written (``LLM``, ``Mamba``), from the recent texts."""
    counts: dict[str, Counter[str]] = {key: Counter() for key in keys}
    if not keys:
        return {}
    for text in texts:
        for key, surface in phrases_with_surface(text):
            if key in counts:
                counts[key][surface] += 1
    return {key: counter.most_common(1)[0][0] for key, counter in counts.items() if counter}


def _unique_slug(slug: str, taken: dict[str, list[str]]) -> str:
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}-{number}", number + 1
    return candidate
