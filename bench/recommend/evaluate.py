"""Offline evaluation of recommenders on papers featured on Hugging Face (2024-2025).

A simulated user likes one tag (or two or three): their profile is 20 papers
with the tag(s) from before a Monday; the candidates are every paper featured
in the week from that Monday; a hit is a candidate with (one of) the tag(s).
Printed: precision@10 and nDCG@10 averaged over all users of all weeks, and
for the users of several tags their precision@10 and the share whose first
10 picks hold a hit for every one of their tags ("cover"), for simple
baselines, an arxiv-sanity-lite-style tf-idf SVM, papertide's single-model
ranker and papertide's ranker per interest (the one the service uses).

    python bench/recommend/evaluate.py [--data FILE] [--work DIR] [--weeks 40]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script: make the sibling modules importable as the ``recommend`` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import datetime as dt
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from papertide.recommend.interests import rank_interests, train_interests
from papertide.recommend.ranker import RankerParams, Stream, rank, train
from recommend.featured import (
    DEFAULT_DATA,
    DEFAULT_WORK,
    LISTINGS,
    Featured,
    embeddings,
    load_featured,
    load_listings,
)

PROFILE_SIZE = 20
STREAM_WEEKS = 8  # negatives and the stream statistics: the weeks before the Monday
MIN_TAG_PAPERS = PROFILE_SIZE
MAX_SHARED = 0.05  # distinct interests: tags sharing at most this share of papers
K = 10
Scores = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class User:
    tags: frozenset[str]
    profile: tuple[int, ...]  # row numbers in the paper list


@dataclass
class Week:
    monday: dt.date
    candidates: npt.NDArray[np.int64]
    stream: npt.NDArray[np.int64]
    users: list[User]


def precision_at(relevant: Sequence[bool]) -> float:
    return sum(relevant[:K]) / K


def ndcg_at(relevant: Sequence[bool], total_relevant: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, hit in enumerate(relevant[:K]) if hit)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(K, total_relevant)))
    return dcg / ideal if ideal else 0.0


def _apart(tags: list[str], by_tag: dict[str, list[int]], papers: list[Featured]) -> bool:
    """Whether no two of the tags share more than ``MAX_SHARED`` of either's papers."""
    for i, first in enumerate(tags):
        for second in tags[i + 1:]:
            shared = sum(second in papers[row].tags for row in by_tag[first])
            if shared > MAX_SHARED * min(len(by_tag[first]), len(by_tag[second])):
                return False
    return True


def _mix(chooser: random.Random, common: list[str], size: int, distinct: bool,
         by_tag: dict[str, list[int]], papers: list[Featured]) -> list[str]:
    """``size`` random tags; with ``distinct``, tags whose papers rarely overlap."""
    tags = chooser.sample(common, size)
    for _ in range(100 if distinct else 0):
        if _apart(tags, by_tag, papers):
            break
        tags = chooser.sample(common, size)
    return tags


def build_weeks(papers: list[Featured], weeks: int, pairs: int, samples: int,
                seed: int, triples: int = 0, distinct: bool = False) -> list[Week]:
    """Every Monday with enough history; users per common tag, plus tag pairs and triples
    (with ``distinct``, of tags that rarely share papers)."""
    chooser = random.Random(seed)
    days = np.array([paper.day.toordinal() for paper in papers])
    first = papers[0].day + dt.timedelta(weeks=STREAM_WEEKS + 4)
    first += dt.timedelta(days=-first.weekday())
    mondays = [first + dt.timedelta(weeks=i) for i in range(weeks)]
    built: list[Week] = []
    for monday in mondays:
        start = monday.toordinal()
        candidates = np.flatnonzero((days >= start) & (days < start + 7))
        history = np.flatnonzero(days < start)
        stream = history[days[history] >= start - 7 * STREAM_WEEKS]
        if len(candidates) < 30:
            continue
        by_tag: dict[str, list[int]] = {}
        for row in history:
            for tag in papers[row].tags:
                by_tag.setdefault(tag, []).append(int(row))
        candidate_tags = [papers[row].tags for row in candidates]
        common = sorted(tag for tag, rows in by_tag.items() if len(rows) >= MIN_TAG_PAPERS
                        and 0 < sum(tag in tags for tags in candidate_tags)
                        < len(candidates) * 0.6)
        users = [User(frozenset([tag]), tuple(chooser.sample(by_tag[tag], PROFILE_SIZE)))
                 for tag in common for _ in range(samples)]
        for _ in range(pairs if len(common) > 1 else 0):
            first_tag, second_tag = _mix(chooser, common, 2, distinct, by_tag, papers)
            profile = (chooser.sample(by_tag[first_tag], PROFILE_SIZE // 2)
                       + chooser.sample(by_tag[second_tag], PROFILE_SIZE // 2))
            users.append(User(frozenset([first_tag, second_tag]), tuple(profile)))
        for _ in range(triples if len(common) > 2 else 0):
            tags = _mix(chooser, common, 3, distinct, by_tag, papers)
            sizes = (7, 7, PROFILE_SIZE - 14)
            profile = [row for tag, size in zip(tags, sizes, strict=True)
                       for row in chooser.sample(by_tag[tag], size)]
            users.append(User(frozenset(tags), tuple(profile)))
        built.append(Week(monday, candidates, stream, users))
    return built


Method = Callable[[Week, User], Scores]


def methods(papers: list[Featured], vectors: npt.NDArray[np.float32],
            params: RankerParams) -> dict[str, Method]:
    tfidf = TfidfVectorizer(sublinear_tf=True, max_features=20_000, ngram_range=(1, 2),
                            min_df=2, stop_words="english")
    features = tfidf.fit_transform([paper.text for paper in papers])
    streams: dict[dt.date, Stream] = {}

    def recency(week: Week, user: User) -> Scores:
        return np.array([papers[row].day.toordinal() - papers[row].rank_in_day * 1e-3
                         for row in week.candidates])

    def popularity(week: Week, user: User) -> Scores:
        return -np.array([papers[row].rank_in_day for row in week.candidates], dtype=float)

    def tfidf_svm(week: Week, user: User) -> Scores:
        negatives = [row for row in week.stream if row not in set(user.profile)]
        rows = list(user.profile) + negatives
        labels = [1] * len(user.profile) + [0] * len(negatives)
        model = LinearSVC(C=0.01, class_weight="balanced", max_iter=5_000, tol=1e-6)
        model.fit(features[rows], labels)
        return np.asarray(model.decision_function(features[week.candidates]), dtype=float)

    def centroid(week: Week, user: User) -> Scores:
        mean = vectors[list(user.profile)].mean(axis=0)
        return np.asarray(vectors[week.candidates] @ mean, dtype=float)

    def papertide(week: Week, user: User) -> Scores:
        if week.monday not in streams:
            streams[week.monday] = Stream.fit(vectors[week.stream], params)
        model = train(vectors[list(user.profile)], vectors[:0], streams[week.monday])
        ranked = rank(vectors[week.candidates], model, params, len(week.candidates))
        scores = np.full(len(week.candidates), -np.inf)
        for position, (row, _) in enumerate(ranked):
            scores[row] = -position
        return scores

    def per_interest(week: Week, user: User) -> Scores:
        if week.monday not in streams:
            streams[week.monday] = Stream.fit(vectors[week.stream], params)
        profile = vectors[list(user.profile)]
        interests = train_interests(profile, vectors[:0], streams[week.monday])
        whole = train(profile, vectors[:0], streams[week.monday])
        ranked = rank_interests(vectors[week.candidates], interests, params,
                                len(week.candidates), np.ones(len(week.candidates), bool),
                                whole=whole)
        scores = np.full(len(week.candidates), -np.inf)
        for position, pick in enumerate(ranked):
            scores[pick.row] = -position
        return scores

    return {"recency only": recency, "popularity (page order)": popularity,
            "tf-idf linear SVM (C=0.01, balanced)": tfidf_svm,
            "profile-centroid cosine": centroid, "papertide ranker (one model)": papertide,
            "papertide ranker (per interest)": per_interest}


@dataclass
class Outcome:
    """Per simulated user, in a fixed order; the last two for users of several tags only."""

    precisions: list[float]
    ndcgs: list[float]
    several_precisions: list[float]
    covered: list[bool]


def evaluate(papers: list[Featured], weeks: list[Week], method: Method) -> Outcome:
    """Precision@10, nDCG@10 and, for users of several tags, whether all are covered."""
    outcome = Outcome([], [], [], [])
    for week in weeks:
        for user in week.users:
            scores = method(week, user)
            order = np.argsort(-scores, kind="stable")
            relevant = [bool(papers[week.candidates[i]].tags & user.tags) for i in order]
            outcome.precisions.append(precision_at(relevant))
            outcome.ndcgs.append(ndcg_at(relevant, sum(relevant)))
            if len(user.tags) > 1:
                shown = [papers[week.candidates[i]].tags for i in order[:K]]
                wanted = [tag for tag in user.tags
                          if any(tag in papers[row].tags for row in week.candidates)]
                outcome.several_precisions.append(precision_at(relevant))
                outcome.covered.append(all(any(tag in tags for tags in shown)
                                           for tag in wanted))
    return outcome


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help="where embeddings are cached")
    parser.add_argument("--weeks", type=int, default=88)
    parser.add_argument("--pairs", type=int, default=10, help="two-tag users per week")
    parser.add_argument("--triples", type=int, default=5, help="three-tag users per week")
    parser.add_argument("--listings", action="store_true",
                        help="readers of arXiv fields far apart (2026-01 to 2026-07 "
                             "listings, 15 papers a field and week) instead of featured tags")
    parser.add_argument("--distinct", action="store_true",
                        help="readers of several tags mix tags that rarely share papers")
    parser.add_argument("--only", action="append", default=[],
                        help="run only the methods whose name contains this (repeatable)")
    parser.add_argument("--samples", type=int, default=3,
                        help="users per tag and week, each with a different random profile")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--nearest-weight", type=float, default=RankerParams().nearest_weight)
    parser.add_argument("--shrinkage", type=float, default=RankerParams().shrinkage)
    args = parser.parse_args(argv)
    if args.listings:
        if not LISTINGS.exists():
            sys.exit(f"no listings file at {LISTINGS}")
        papers = load_listings(LISTINGS, dt.date(2026, 1, 5), dt.date(2026, 7, 6), 15)
        vectors = embeddings(papers, args.work, "listings-")
    else:
        if not args.data.exists():
            sys.exit(f"no data file at {args.data}: pass --data")
        papers = load_featured(args.data)
        vectors = embeddings(papers, args.work)
    weeks = build_weeks(papers, args.weeks, args.pairs, args.samples, args.seed,
                        args.triples, args.distinct)
    users = sum(len(week.users) for week in weeks)
    base = np.mean([np.mean([bool(papers[row].tags & user.tags) for row in week.candidates])
                    for week in weeks for user in week.users])
    print(f"{len(papers):,} papers, {len(weeks)} weeks, {users:,} simulated users "
          f"(hit rate of a random pick: {base:.3f})")
    params = RankerParams(shrinkage=args.shrinkage, nearest_weight=args.nearest_weight)
    several = sum(len(user.tags) > 1 for week in weeks for user in week.users)
    print(f"{'method':<36} {'P@10':>6} {'nDCG@10':>8} {'P@10, several tags':>19} "
          f"{'cover, several tags':>20} {'seconds':>8}   ({several} users of several tags)")
    per_user: dict[str, list[float]] = {}
    for name, method in methods(papers, vectors, params).items():
        if args.only and not any(part in name for part in args.only):
            continue
        started = time.perf_counter()
        outcome = evaluate(papers, weeks, method)
        per_user[name] = outcome.ndcgs
        print(f"{name:<36} {np.mean(outcome.precisions):>6.3f} {np.mean(outcome.ndcgs):>8.3f} "
              f"{np.mean(outcome.several_precisions):>19.3f} {np.mean(outcome.covered):>20.3f} "
              f"{time.perf_counter() - started:>8.1f}", flush=True)
    ours = np.array(per_user.get("papertide ranker (per interest)", []))
    svm = np.array(per_user.get("tf-idf linear SVM (C=0.01, balanced)", []))
    if len(ours) and len(svm):
        print(f"papertide vs tf-idf SVM, nDCG@10 per user: better for {np.sum(ours > svm)}, "
              f"equal for {np.sum(ours == svm)}, worse for {np.sum(ours < svm)}")


if __name__ == "__main__":
    main()
