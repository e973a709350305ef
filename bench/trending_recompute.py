"""Trending recomputation at scale: 1,000,000 papers and 10,000,000 upvotes.

Builds (once) a database of ``--papers`` papers announced over ``--days``
days and ``--votes`` upvotes from ``--users`` people, popular papers drawing
most votes (Zipf) within days of their announcement. Papers go through
``Store.upsert_papers``; users and votes are bulk-inserted with SQL (no bulk
vote API exists: people vote one at a time). Then, each in a fresh process
(to measure its peak memory), it times:

- the day, week and month lists as the server computes them
  (``TrendingBoard.compute_window``);
- a full recomputation over every paper and every vote (one window spanning
  the whole history): the worst case.

    nice -n 10 .venv/bin/python bench/trending_recompute.py            # 1M / 10M
    .venv/bin/python bench/trending_recompute.py --papers 20000 --votes 200000 --users 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from benchlib import OUT_DIR, Stopwatch, Table, database_path, median, opened_app, peak_rss_mb
from papertide.models import PaperRecord
from papertide.ranking.inputs import window_signals
from papertide.ranking.trending import TrendingParams, rank, unix

END = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)
BATCH = 10_000
WINDOWS = ("day", "week", "month", "full")


def build(data_dir: Path, papers: int, votes: int, users: int, days: int, seed: int) -> None:
    """Fill ``data_dir`` with the papers, then top the upvotes up to ``votes``."""
    rng = random.Random(seed)
    start = END.date() - dt.timedelta(days=days)
    with opened_app(data_dir) as app:
        if app.store.count_papers() == 0:
            with Stopwatch() as watch:
                per_month: dict[str, int] = {}
                for first in range(0, papers, BATCH):
                    records = []
                    for number in range(first, min(first + BATCH, papers)):
                        day = start + dt.timedelta(days=number * days // papers)
                        month = f"{day:%y%m}"
                        per_month[month] = per_month.get(month, 0) + 1  # 5 digits a month
                        records.append(PaperRecord(
                            arxiv_id=f"{month}.{per_month[month]:05d}", title=f"Paper {number}",
                            source="bench", announced_date=day))
                    app.store.upsert_papers(records, END)
            print(f"papers: {papers:,} in {watch.seconds:.0f} s", flush=True)
    connection = sqlite3.connect(database_path(data_dir))
    connection.executemany(
        "INSERT OR IGNORE INTO users (id, email, created_at) VALUES (?, ?, ?)",
        ((i, f"user{i}@example.org", END.isoformat()) for i in range(1, users + 1)))
    announced = [(arxiv_id, dt.date.fromisoformat(day)) for arxiv_id, day in connection.execute(
        "SELECT arxiv_id, announced_date FROM papers ORDER BY arxiv_id")]
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(announced))]
    rng.shuffle(weights)
    end_s = int(unix(END))
    stored = connection.execute("SELECT count(*) FROM votes").fetchone()[0]
    with Stopwatch() as watch:
        while stored < votes:  # one vote per person and paper: duplicates are dropped
            wanted = min(votes - stored, 200_000)
            rows = []
            for index in rng.choices(range(len(announced)), weights=weights, k=wanted):
                arxiv_id, day = announced[index]
                moment = int(unix(dt.datetime.combine(day, dt.time(), dt.UTC)) +
                             rng.expovariate(1 / (2 * 86_400)))
                rows.append((rng.randint(1, users), arxiv_id, min(moment, end_s)))
            connection.executemany("INSERT OR IGNORE INTO votes VALUES (?, ?, ?)", rows)
            connection.commit()
            stored = connection.execute("SELECT count(*) FROM votes").fetchone()[0]
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    print(f"votes: {stored:,} stored ({watch.seconds:.0f} s)", flush=True)


def own_peak_mb() -> float:
    """This process's peak memory. Linux keeps ``ru_maxrss`` across exec (a child would
    report its parent's peak), so read the high-water mark of this address space."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


def measure(data_dir: Path, window: str) -> dict[str, float]:
    """One timed recomputation (run in a child process)."""
    with opened_app(data_dir) as app:
        board = app.community.board
        started = time.perf_counter()
        if window == "full":
            params = TrendingParams(dt.datetime(1991, 1, 1, tzinfo=dt.UTC),
                                    dt.timedelta(hours=36))
            entries = rank(window_signals(app.store, params.since, END), END, params)
            count = len(entries)
        else:
            count = board.compute_window(window, END).total  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "entries": count, "peak_rss_mb": own_peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--votes", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--measure", choices=WINDOWS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    data_dir = args.data_dir or OUT_DIR / f"trending-{args.papers}-{args.votes}"
    if args.measure:
        print(json.dumps(measure(data_dir, args.measure)))
        return
    build(data_dir, args.papers, args.votes, args.users, args.days, args.seed)
    rows = []
    for window in WINDOWS:
        results = []
        for _ in range(args.runs):
            output = subprocess.run(
                [sys.executable, __file__, "--data-dir", str(data_dir), "--measure", window],
                check=True, capture_output=True, text=True).stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
        rows.append((window, f"{int(results[0]['entries']):,}",
                     f"{median([r['seconds'] for r in results]):.2f} s",
                     f"{min(r['seconds'] for r in results):.2f} s",
                     f"{median([r['peak_rss_mb'] for r in results]):,.0f} MB"))
        print(f"{window}: done", flush=True)
    print(Table(f"Trending recomputation: {args.papers:,} papers, {args.votes:,} votes "
                f"({args.runs} runs each, median)",
                ("list", "papers ranked", "median", "best", "peak memory"), tuple(rows)).render())


if __name__ == "__main__":
    main()
