"""Computing a rising-topics run from the stored papers.

Two passes keep memory bounded by the recent weeks, not the whole corpus:
the recent papers give the candidate phrases (those with enough papers),
then the baseline weeks are counted for those candidates only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol

from papertide.topics.bursts import Burst, BurstParams, burst
from papertide.topics.models import Topic, TopicRun
from papertide.topics.naming import (
    capitalised_uses,
    looks_like_acronym,
    names_a_topic,
    near_duplicates,
    tokens,
)
from papertide.topics.phrases import document_phrases, phrases_with_surface, slugify

MAX_OVERLAP = 0.7
PROMOTE_SHARE = 0.8
POOL_PER_TOPIC = 8  # rising phrases looked at for each topic shown (names, duplicates)


class TextSource(Protocol):
    """What the computation reads: the store, or any other holder of dated papers."""

    def max_change_seq(self) -> int: ...
    def latest_announced_date(self) -> dt.date | None: ...
    def iter_texts(self, start: dt.date, end: dt.date
                   ) -> Iterable[tuple[str, dt.date, str, str | None]]: ...


@dataclass(frozen=True, slots=True)
class TopicParams:
    recent_weeks: int = 4
    baseline_weeks: int = 26
    limit: int = 30
    max_papers_per_topic: int = 500
    min_title_papers: int = 2
    min_recent_share: float = 0.001  # support grows with volume: 10 papers of 10,000
    burst: BurstParams = field(default_factory=BurstParams)


@dataclass(slots=True)
class _Candidate:
    key: str
    burst: Burst
    recent_ids: list[str]


@dataclass(slots=True)
class _Group:
    """A chosen topic and the near-duplicate phrases merged into it."""

    key: str
    keys: list[str]
    recent_ids: dict[str, None]
    sizes: dict[str, int]  # recent papers of each phrase, to name the group by the most used


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def compute_topics(
    store: TextSource, now: dt.datetime, params: TopicParams | None = None,
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
    titles: dict[str, str] = {}
    abstracts: dict[str, str] = {}
    for arxiv_id, announced, title, abstract in store.iter_texts(recent_start, end):
        index = (announced - first_week).days // 7
        totals[index] += 1
        week_of[arxiv_id] = index
        titles[arxiv_id] = title
        if abstract:
            abstracts[arxiv_id] = abstract
        title_keys, keys = document_phrases(title, abstract)
        in_titles.update(title_keys)
        for key in keys:
            recent_docs[key].append(arxiv_id)
    # Support grows with the volume, so no topic rests on a handful of papers.
    support = max(params.burst.min_papers, math.ceil(params.min_recent_share * len(titles)))
    # A topic is named in titles, not only in abstracts ("percentage points" is prose).
    candidates = {key: ids for key, ids in recent_docs.items()
                  if len(ids) >= support and in_titles[key] >= params.min_title_papers}
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
    burst_params = replace(params.burst, min_papers=support)
    rising = []
    for key, ids in candidates.items():
        found = burst(len(ids), recent_total, len(baseline_docs.get(key, ())), baseline_total,
                      burst_params)
        if found is not None:
            rising.append(_Candidate(key, found, ids))
    rising.sort(key=lambda candidate: (-candidate.burst.score, candidate.key))
    pool = rising[:params.limit * POOL_PER_TOPIC]
    surfaces = _surface_forms(titles, abstracts, {candidate.key for candidate in pool})
    named = [candidate for candidate in pool
             if _names_a_topic(candidate, surfaces.get(candidate.key, candidate.key),
                               abstracts)]
    chosen = _distinct(named, params.limit)

    topics: list[Topic] = []
    papers: dict[str, list[str]] = {}
    for rank, group in enumerate(chosen, start=1):
        baseline_ids = list(dict.fromkeys(
            arxiv_id for key in group.keys for arxiv_id in baseline_docs.get(key, ())))
        recent_ids = list(group.recent_ids)
        found = burst(len(recent_ids), recent_total, len(baseline_ids), baseline_total,
                      replace(burst_params, min_papers=1, min_growth=0.0))
        if found is None:  # cannot happen: the group's phrases rose on these totals
            continue
        weekly = [0] * weeks
        for arxiv_id in (*baseline_ids, *recent_ids):
            weekly[week_of[arxiv_id]] += 1
        slug = _unique_slug(slugify(group.key), papers)
        papers[slug] = _best_first(group, titles, baseline_ids)[:params.max_papers_per_topic]
        topics.append(Topic(
            slug=slug,
            phrase=_as_heading(surfaces.get(group.key, group.key)),
            rank=rank,
            score=round(found.score, 3),
            recent_papers=len(recent_ids),
            baseline_papers=len(baseline_ids),
            recent_share=found.recent_share,
            baseline_share=found.baseline_share,
            weekly_papers=tuple(weekly),
        ))
    run = TopicRun(
        computed_at=now, as_of=day, first_week=first_week, recent_weeks=params.recent_weeks,
        baseline_weeks=params.baseline_weeks, weekly_totals=tuple(totals),
        papers_considered=sum(totals), change_seq=change_seq, topics=tuple(topics),
    )
    return run, papers


def _names_a_topic(candidate: _Candidate, surface: str, abstracts: dict[str, str]) -> bool:
    uses = None
    if " " not in candidate.key and not looks_like_acronym(surface):
        uses = capitalised_uses((abstracts[i] for i in candidate.recent_ids if i in abstracts),
                                candidate.key)
    return names_a_topic(candidate.key, surface, uses)


def _best_first(group: _Group, titles: dict[str, str], baseline_ids: list[str]) -> list[str]:
    """Recent papers naming the topic in their title first, then the others; newest first."""
    recent = list(reversed(group.recent_ids))
    keys = set(group.keys)
    named = [i for i in recent if document_phrases(titles[i], None)[0] & keys]
    named_set = set(named)
    return [*named, *(i for i in recent if i not in named_set), *reversed(baseline_ids)]


def _distinct(rising: list[_Candidate], limit: int) -> list[_Group]:
    """Best first, merging near-duplicates and skipping phrases inside (or around) a chosen
    one or sharing most papers.

    A phrase gives way to a longer one holding most of its papers ("autoencoder"
    to "sparse autoencoder"): the longer one says more. Near-duplicates
    ("on-policy distillation", "on-policy self-distillation") become one topic
    holding the papers of both, named by the phrase most papers use.
    """
    chosen: list[_Group] = []
    seen: set[str] = set()
    for found in rising:
        candidate = _most_specific(found, rising)
        if candidate.key in seen:
            continue
        seen.add(candidate.key)
        twin = next((group for group in chosen
                     if any(near_duplicates(candidate.key, key) for key in group.keys)), None)
        if twin is not None:
            twin.keys.append(candidate.key)
            twin.recent_ids.update(dict.fromkeys(candidate.recent_ids))
            twin.sizes[candidate.key] = len(candidate.recent_ids)
            twin.key = max(twin.keys, key=lambda key: (twin.sizes[key], -len(tokens(key))))
            continue
        if len(chosen) >= limit:
            continue
        ids = set(candidate.recent_ids)
        padded = f" {candidate.key} "
        if any(f" {key} " in padded or padded in f" {key} "
               for group in chosen for key in group.keys):
            continue
        if any(len(ids & group.recent_ids.keys())
               >= MAX_OVERLAP * min(len(ids), len(group.recent_ids))
               for group in chosen):
            continue
        chosen.append(_Group(candidate.key, [candidate.key],
                             dict.fromkeys(candidate.recent_ids),
                             {candidate.key: len(candidate.recent_ids)}))
    return chosen


def _most_specific(candidate: _Candidate, rising: list[_Candidate]) -> _Candidate:
    padded = f" {candidate.key} "
    longer = [other for other in rising
              if other.key != candidate.key and padded in f" {other.key} "
              and len(other.recent_ids) >= PROMOTE_SHARE * len(candidate.recent_ids)]
    if not longer:
        return candidate
    return max(longer, key=lambda other: (len(other.key.split()), other.burst.score))


def _surface_forms(titles: dict[str, str], abstracts: dict[str, str],
                   keys: set[str]) -> dict[str, str]:
    """How each phrase is most often written (``LLM``, ``Mamba``, ``video generation``).

    Abstracts are written in sentence case, so they decide; titles (often in
    title case) only name a phrase no abstract uses.
    """
    if not keys:
        return {}
    in_abstracts: dict[str, Counter[str]] = {key: Counter() for key in keys}
    in_titles: dict[str, Counter[str]] = {key: Counter() for key in keys}
    for texts, counts in ((abstracts.values(), in_abstracts), (titles.values(), in_titles)):
        for text in texts:
            for key, surface in phrases_with_surface(text):
                if key in counts:
                    counts[key][surface] += 1
    return {key: (in_abstracts[key] or in_titles[key]).most_common(1)[0][0]
            for key in keys if in_abstracts[key] or in_titles[key]}


def _as_heading(surface: str) -> str:
    """Sentence case for a heading, leaving names alone ("Sparse autoencoders", "mRNA")."""
    first = surface.split(" ", 1)[0]
    return surface[:1].upper() + surface[1:] if first.islower() else surface


def _unique_slug(slug: str, taken: dict[str, list[str]]) -> str:
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}-{number}", number + 1
    return candidate
