"""Compose 10,000 personalised digests over 100,000 papers (target: at most 60 s on 2 cores).

Each subscriber has one saved search (two or three words people type, from
``queries.py``), two followed categories (drawn with arXiv's shares) and the
default ten trending papers. The issue is composed the way the scheduler
does it, ``Digests.compose_issue``: gather the new papers, trending scores,
category lists and every distinct saved search once, then for each
subscriber compose (pure), render (HTML + text), write the MIME message and
queue it in the outbox. Nothing is sent. The database is a copy, so runs
can be repeated.

    .venv/bin/python bench/digest_compose.py                      # 100k papers, 10k people
    .venv/bin/python bench/digest_compose.py --period weekly
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchlib import (
    OUT_DIR,
    Stopwatch,
    Table,
    checkpointed_size,
    database_path,
    load_average,
    megabytes,
    opened_app,
    peak_rss_mb,
    synthetic_file,
    write_json,
)
from papertide.app import open_app
from papertide.digest.models import DigestKind
from papertide.digest.periods import due_period
from papertide.models import Observation
from papertide.settings import Settings
from papertide.subscriptions.models import Preferences
from queries import realistic_queries
from synthetic import CATEGORY_WEIGHTS, DEFAULT_END

NOW = dt.datetime.combine(DEFAULT_END, dt.time(12, 0), dt.UTC)


def children_cpu_seconds() -> float:
    """CPU time of finished child processes (the composing workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def prepared_data(papers: int, folder: Path) -> Path:
    """A data dir holding ``papers`` synthetic papers, imported once and reused."""
    data_dir = folder / f"data-digest-{papers // 1000}k"
    if database_path(data_dir).exists():
        return data_dir
    source, _, _ = synthetic_file(papers, 1, folder)
    print(f"importing {source.name} into {data_dir} (once)...", file=sys.stderr)
    with opened_app(data_dir) as service, Stopwatch() as watch:
        report = service.import_files([source])
    print(f"  {report.summary()} in {watch.seconds:.0f} s", file=sys.stderr)
    return data_dir


def saved_searches(count: int, seed: int) -> list[str]:
    """Short searches of the kind people save: the first two or three words of a query."""
    rng = random.Random(seed)
    found = []
    for query in realistic_queries(count, seed):
        words = [word for word in query.replace('"', "").split()
                 if ":" not in word and not word.startswith("-")]
        if len(words) >= 2:
            found.append(" ".join(words[:rng.choice((2, 2, 3))]))
    return found


def add_subscribers(settings: Settings, count: int, seed: int) -> int:
    """``count`` confirmed subscribers and some recent upvotes; returns distinct searches."""
    rng = random.Random(seed)
    searches = saved_searches(max(count // 4, 50), seed)
    categories, weights = zip(*CATEGORY_WEIGHTS.items(), strict=True)
    service = open_app(settings, clock=lambda: NOW)
    try:
        store = service.store
        recent = store.list_announced(DEFAULT_END - dt.timedelta(days=7),
                                      DEFAULT_END + dt.timedelta(days=1), 5_000).papers
        store.add_observations(
            Observation(paper.arxiv_id, "hf", "upvotes", NOW - dt.timedelta(hours=hours), value)
            for paper in rng.sample(recent, min(600, len(recent)))
            for hours, value in ((100, 0.0), (rng.uniform(1, 30), float(rng.randint(1, 150)))))
        chosen = set()
        with store.transaction():
            for number in range(count):
                search = rng.choice(searches)
                chosen.add(search)
                followed = tuple(dict.fromkeys(rng.choices(categories, weights, k=2)))
                subscriber = store.add_subscriber(
                    f"reader{number:05d}@example.org",
                    Preferences(frequency="daily", trending_count=10, categories=followed,
                                searches=(search,)), NOW)
                store.set_subscriber_status(subscriber.id, "active", NOW)
        return len(chosen)
    finally:
        service.close()


def run(papers: int, subscribers: int, kind: DigestKind, folder: Path) -> dict[str, float]:
    source = prepared_data(papers, folder)
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as scratch:
        data_dir = Path(scratch) / "data"
        shutil.copytree(source, data_dir)
        settings = Settings(data_dir=data_dir, smtp_host="127.0.0.1", smtp_port=2525,
                            base_url="https://papers.example.org", schedule_timezone="UTC",
                            digest_hour=6, search_mode="keyword")
        distinct = add_subscribers(settings, subscribers, seed=7)
        if kind == "weekly":
            service = open_app(settings, clock=lambda: NOW)
            with service.store.transaction():
                for subscriber in service.store.subscribers_receiving("daily"):
                    service.store.save_preferences(
                        subscriber.id, Preferences("weekly", 10, subscriber.preferences.categories,
                                                   subscriber.preferences.searches))
            service.close()
        service = open_app(settings, clock=lambda: NOW)
        try:
            period = due_period(kind, settings, NOW)
            receiving = service.store.subscribers_receiving(kind)
            with Stopwatch() as gather_watch:
                inputs = service.digests.gatherer(period).inputs(receiving)
            before = checkpointed_size(database_path(data_dir))[0]
            children_before = children_cpu_seconds()
            with Stopwatch() as watch:
                report = service.digests.compose_issue(period)
            children = children_cpu_seconds() - children_before
            after = checkpointed_size(database_path(data_dir))[0]
        finally:
            service.close()
    return {
        "papers": papers, "subscribers": subscribers, "distinct_searches": distinct,
        "new_papers": sum(1 for p in inputs.papers.values() if p.announced_date
                          and period.first_day <= p.announced_date <= period.last_day),
        "queued": report.queued, "empty": report.empty,
        "papers_per_digest": report.papers / max(report.queued, 1),
        "gather_seconds": gather_watch.seconds,
        "seconds": watch.seconds, "cpu_seconds": watch.cpu_seconds + children,
        "workers": settings.digest_compose_workers,
        "ms_per_digest": watch.seconds * 1000 / max(subscribers, 1),
        "outbox_mb": (after - before) / 1e6, "peak_rss_mb": peak_rss_mb(),
        "load": load_average(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--period", choices=["daily", "weekly"], default="daily")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args(argv)
    kind: DigestKind = "weekly" if args.period == "weekly" else "daily"
    figures = run(args.papers, args.subscribers, kind, OUT_DIR)
    rows = (
        ("papers in the store", f"{figures['papers']:,}"),
        (f"new papers in the {kind} window", f"{figures['new_papers']:,.0f}"),
        ("subscribers (1 saved search, 2 categories)", f"{figures['subscribers']:,}"),
        ("distinct saved searches", f"{figures['distinct_searches']:,}"),
        ("digests queued / empty (not sent)", f"{figures['queued']:,.0f} / "
                                                f"{figures['empty']:,.0f}"),
        ("papers per digest", f"{figures['papers_per_digest']:.1f}"),
        ("gathering the shared inputs", f"{figures['gather_seconds']:.1f} s"),
        ("compose_issue, wall (target <= 60 s)", f"{figures['seconds']:.1f} s"),
        ("compose_issue, CPU of all its processes", f"{figures['cpu_seconds']:.1f} s"),
        ("composing processes", f"{figures['workers']:.0f}"),
        ("per digest", f"{figures['ms_per_digest']:.2f} ms"),
        ("outbox growth (compressed messages)", megabytes(figures["outbox_mb"] * 1e6)),
        ("peak memory", f"{figures['peak_rss_mb']:,.0f} MB"),
        ("load average (1 min) at the end", f"{figures['load']:.1f}"),
    )
    print(Table(f"Composing a {kind} issue", ("measure", "value"), rows).render())
    write_json(args.json, figures)
    return 0 if figures["seconds"] <= 60 else 1


if __name__ == "__main__":
    sys.exit(main())
