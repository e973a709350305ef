"""Match 10,000 readers' followed authors against 20,000 new papers (target: at most 30 s).

The papers are real: the first 20,000 of the 2025-26 arXiv listings in
``shared/data`` (authors as arXiv lists them), or synthetic names when that
file is absent. Each reader follows 20 authors drawn from those papers'
authors (a quarter of them picked by co-authors, as a reader who told two
same-named people apart would). Timed, the way an issue is composed:

1. ``FollowSections.sections``: pair subscribers with readers, read every
   reader's follows and watched updates from the database (SQLite), index the
   papers by author once, match each reader;
2. ``compose_digest`` of each reader's issue holding that section (pure).

    .venv/bin/python bench/follows_digest.py [--readers 10000] [--papers 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import platform
import random
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from benchlib import Stopwatch, opened_app
from papertide.digest.compose import DigestInputs, compose_digest
from papertide.digest.gather import readers_of
from papertide.digest.models import DigestPeriod
from papertide.follows.digest_sections import FollowSections
from papertide.follows.models import AuthorFollow
from papertide.follows.names import author_key
from papertide.models import PaperRecord
from papertide.subscriptions.models import Preferences

LISTINGS = (Path(__file__).resolve().parents[2] / "shared" / "data" / "papers"
            / "arxiv_listings_2025_2026.jsonl.gz")
NOW = dt.datetime(2026, 8, 24, 7, tzinfo=dt.UTC)
DAY = dt.date(2026, 8, 23)


def real_papers(count: int) -> Iterator[PaperRecord]:
    with gzip.open(LISTINGS, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= count:
                return
            row = json.loads(line)
            yield PaperRecord(arxiv_id=row["id"], title=row["title"], source="bench",
                              abstract=row.get("abstract"),
                              authors=tuple(row.get("authors_list") or ()),
                              categories=tuple(row.get("categories", "").split()),
                              announced_date=DAY)


def synthetic_papers(count: int, rng: random.Random) -> Iterator[PaperRecord]:
    given = [f"Given{n}" for n in range(400)]
    family = [f"Family{n}" for n in range(3_000)]
    for number in range(count):
        authors = tuple(f"{rng.choice(given)} {rng.choice(family)}"
                        for _ in range(rng.randint(1, 8)))
        yield PaperRecord(arxiv_id=f"2608.{number:05d}", title=f"Paper {number}",
                          source="bench", authors=authors, announced_date=DAY)


def prepare(data_dir: Path, readers: int, paper_count: int, rng: random.Random) -> str:
    papers = list(real_papers(paper_count) if LISTINGS.exists()
                  else synthetic_papers(paper_count, rng))
    with opened_app(data_dir) as app:
        app.store.upsert_papers(papers, NOW)
        pool = [(name, paper) for paper in papers for name in paper.authors]
        with app.store.transaction():
            for number in range(readers):
                email = f"reader{number:05d}@example.org"
                user = app.store.add_user(email, False, NOW)
                subscriber = app.store.add_subscriber(email, Preferences(trending_count=0), NOW)
                app.store.set_subscriber_status(subscriber.id, "active", NOW)
                for pick in range(20):
                    name, paper = rng.choice(pool)
                    coauthors = tuple(author_key(other) for other in paper.authors
                                      if other != name) if pick % 4 == 0 else ()
                    app.store.follow_author(user.id, AuthorFollow(
                        author_key(name), name, coauthors, bool(coauthors), NOW))
    return "real 2025-26 arXiv listings" if LISTINGS.exists() else "synthetic names"


def run_once(data_dir: Path) -> tuple[Stopwatch, Stopwatch, int, int]:
    with opened_app(data_dir) as app:
        subscribers = app.store.subscribers_receiving("daily")
        papers = app.store.list_announced(DAY, DAY + dt.timedelta(days=1), 50_000, 0).papers
        period = DigestPeriod("daily", DAY.isoformat(), DAY, DAY, NOW)
        with Stopwatch() as matching:
            readers = readers_of(app.store, subscribers)
            followed, updates = FollowSections(app.store).sections(readers, papers)
        by_id = {paper.arxiv_id: paper for paper in papers}
        inputs = DigestInputs(period=period, papers=by_id, followed=followed, updates=updates)
        with Stopwatch() as composing:
            sections = 0
            for subscriber in subscribers:
                digest = compose_digest(subscriber, inputs, (), NOW, 5)
                sections += sum(section.kind == "follows" for section in digest.sections)
        matched = sum(len(found) for found in followed.values())
    return matching, composing, sections, matched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--papers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="papertide-follows-bench-") as folder:
        data_dir = Path(folder)
        with Stopwatch() as setup:
            source = prepare(data_dir, args.readers, args.papers, rng)
        print(f"{args.readers:,} readers x 20 follows, {args.papers:,} new papers ({source}); "
              f"set-up {setup.seconds:.1f} s; {platform.processor() or platform.machine()}")
        walls, cpus = [], []
        for run in range(1, args.runs + 1):
            matching, composing, sections, matched = run_once(data_dir)
            walls.append(matching.seconds + composing.seconds)
            cpus.append(matching.cpu_seconds + composing.cpu_seconds)
            print(f"run {run}: matching {matching.seconds:.2f} s + composing "
                  f"{composing.seconds:.2f} s = {walls[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU; "
                  f"{sections:,} readers got the section, {matched:,} papers matched")
        print(f"median {statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s "
              f"CPU (target <= 30 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
