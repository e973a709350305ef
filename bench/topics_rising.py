"""Rising topics at scale, and per quarter on the bundled sample.

``--scale``: imports the arXiv astro-ph listings 1992–2023 (139k titles, no
abstracts) once, then times the rising-topics computation (recent 4 weeks
against the 26 before, as of the last listing, and as of the end of each
decade's last year), with its peak memory, in a fresh process each.

``--quarters``: imports the bundled sample (Hugging Face trending papers,
2025–2026) and prints the top rising topics of each quarter (that quarter's
13 weeks against the 26 before).

    nice -n 10 .venv/bin/python bench/topics_rising.py --scale [--file PATH]
    .venv/bin/python bench/topics_rising.py --quarters
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from benchlib import OUT_DIR, Stopwatch, Table, median, opened_app
from papertide.topics.compute import TopicParams, compute_topics
from trending_recompute import own_peak_mb

REPOSITORY = Path(__file__).resolve().parents[1]
ASTRO_FILE = (REPOSITORY.parent / "shared" / "data" / "papers"
              / "arxiv_astro_ph_listings_1992_2023.jsonl.gz")
NOW = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)


def imported(data_dir: Path, path: Path | None) -> int:
    """Import ``path`` (or the sample) into ``data_dir`` once; returns the paper count."""
    with opened_app(data_dir) as app:
        if app.store.count_papers() == 0:
            with Stopwatch() as watch:
                report = app.import_sample() if path is None else app.import_files([path])
            print(f"imported {report.summary()} in {watch.seconds:.0f} s", flush=True)
        return app.store.count_papers()


def measure(data_dir: Path, as_of: str | None, recent: int, baseline: int
            ) -> dict[str, object]:
    with opened_app(data_dir) as app, Stopwatch() as watch:
        run, _ = compute_topics(app.store, NOW, TopicParams(recent_weeks=recent,
                                                            baseline_weeks=baseline),
                                dt.date.fromisoformat(as_of) if as_of else None)
    return {"seconds": watch.seconds, "peak_rss_mb": own_peak_mb(), "as_of": str(run.as_of),
            "papers": run.papers_considered,
            "topics": [(t.phrase, t.recent_papers, t.baseline_papers) for t in run.topics[:8]]}


def scale(path: Path, runs: int) -> None:
    if not path.exists():
        raise SystemExit(f"{path} not found; give --file")
    data_dir = OUT_DIR / "topics-astro-ph"
    count = imported(data_dir, path)
    rows = []
    cases = [(None, 4, 26), ("2018-12-31", 4, 26), ("2011-12-31", 4, 26),
             ("1999-12-31", 4, 26), (None, 52, 1_600)]  # the last: every title since 1992
    for as_of, recent, baseline in cases:
        results = []
        for _ in range(runs):
            output = subprocess.run(
                [sys.executable, __file__, "--measure", str(data_dir), "--as-of", as_of or "",
                 "--recent-weeks", str(recent), "--baseline-weeks", str(baseline)],
                check=True, capture_output=True, text=True).stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
        last = results[-1]
        rows.append((f"{last['as_of']}, {recent} vs {baseline} weeks", f"{last['papers']:,}",
                     f"{median([r['seconds'] for r in results]):.2f} s",
                     f"{median([r['peak_rss_mb'] for r in results]):.0f} MB",
                     "; ".join(f"{p} ({a} vs {b})" for p, a, b in last["topics"][:4])))
    print(Table(f"Rising topics on {count:,} astro-ph listings (titles only); {runs} runs, "
                "median", ("as of, recent vs baseline", "papers read", "time", "peak memory",
                           "top topics (recent vs baseline papers)"), tuple(rows)).render())


def quarters(limit: int) -> None:
    data_dir = OUT_DIR / "topics-sample"
    imported(data_dir, None)
    with opened_app(data_dir) as app:
        ends = [dt.date(2025, 6, 30), dt.date(2025, 9, 30), dt.date(2025, 12, 31),
                dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 8, 22)]
        for end in ends:
            with Stopwatch() as watch:
                run, _ = compute_topics(app.store, NOW, TopicParams(recent_weeks=13,
                                                                    baseline_weeks=26), end)
            quarter = f"{end.year}-Q{(end.month - 1) // 3 + 1}"
            print(f"{quarter} (13 weeks to {run.as_of}, {run.papers_considered:,} papers, "
                  f"{watch.seconds:.1f} s):")
            for topic in run.topics[:limit]:
                growth = f"{topic.growth:.1f}x" if topic.growth else "new"
                print(f"  {topic.rank:2}. {topic.phrase} — {topic.recent_papers} papers "
                      f"({topic.baseline_papers} in the 26 weeks before, {growth})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", action="store_true")
    parser.add_argument("--quarters", action="store_true")
    parser.add_argument("--file", type=Path, default=ASTRO_FILE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--as-of", default="", help=argparse.SUPPRESS)
    parser.add_argument("--recent-weeks", type=int, default=4, help=argparse.SUPPRESS)
    parser.add_argument("--baseline-weeks", type=int, default=26, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.as_of or None, args.recent_weeks,
                                 args.baseline_weeks)))
    elif args.scale:
        scale(args.file, args.runs)
    elif args.quarters:
        quarters(args.limit)
    else:
        parser.error("give --scale or --quarters")


if __name__ == "__main__":
    main()
