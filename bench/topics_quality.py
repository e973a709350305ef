"""Would a person name these rising topics? Judged on real listings and on the sample.

For each "as of" day the rising topics are computed (4 recent weeks against
the 26 before, the server's default) and the top 30 judged by rules written
here, apart from the code under test:

- **named**: a phrase of two words or more that are not all everyday words
  ("recent years", "new way"), or a single acronym or word with digits
  ("LLM", "LoRA", "GPT-5"). A lone dictionary word ("teacher") is not named.
- **near-duplicates**: pairs among the top 30 that are the same phrase up to
  case, hyphens, spaces and plural endings; or that differ by one word at most
  and end in the same word ("on-policy distillation" / "on-policy
  self-distillation"); or that share half their recent papers (Jaccard ≥ 0.5).
- **support**: the fewest recent papers behind any of the top 30.

Data: arXiv daily listings 2025-03 … 2026-08 (about 180,000 papers with their
listing dates and abstracts, ``--listings``), and the bundled sample (Hugging
Face trending papers). Papers are held in memory (``TextSource``), not imported.

    .venv/bin/python bench/topics_quality.py [--listings FILE] [--show 30]

To compare with other code, put its ``src`` first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import gzip
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

from benchlib import Table, median, sample_path
from papertide.models import PaperRecord
from papertide.sources.files import read_records
from papertide.topics.compute import TopicParams, compute_topics

REPOSITORY = Path(__file__).resolve().parents[1]
LISTINGS = REPOSITORY.parent / "shared" / "data" / "papers" / "arxiv_listings_2025_2026.jsonl.gz"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
TOP = 30
LISTING_DAYS = ("2025-11-28", "2026-02-27", "2026-05-29", "2026-08-21")
SAMPLE_DAYS = ("2025-09-30", "2025-12-31", "2026-03-31", "2026-06-30", "2026-08-22")
# Everyday words: a phrase made only of these (and stop words) names nothing.
_EVERYDAY_TEXT = """
new way ways recent year years large small high low good better best first last many much
number numbers time times work works result results case cases part parts world real
important key main different various several using based approach approaches method methods
problem problems study studies paper papers data task tasks
performance analysis research question questions field fields area areas level levels
end end-to-end state art state-of-the-art issue issues point points step steps way
significant great wide range variety set sets type types form forms kind kinds use
"""
EVERYDAY = frozenset(_EVERYDAY_TEXT.split())
_ACRONYM = re.compile(r"^(?=.*[A-Za-z])(?:.*\d.*|(?:.*[A-Z].*){2,})$")
_SPLIT = re.compile(r"[\s\-‐–]+")


class TextSource:
    """Dated papers in memory, read the way ``compute_topics`` reads a store."""

    def __init__(self, rows: list[tuple[dt.date, str, str, str | None]]) -> None:
        rows.sort(key=lambda row: (row[0], row[1]))
        self.rows = rows
        self.days = [row[0] for row in rows]

    def max_change_seq(self) -> int:
        return len(self.rows)

    def latest_announced_date(self) -> dt.date | None:
        return self.days[-1] if self.days else None

    def iter_texts(self, start: dt.date, end: dt.date
                   ) -> Iterator[tuple[str, dt.date, str, str | None]]:
        low, high = bisect.bisect_left(self.days, start), bisect.bisect_left(self.days, end)
        for day, arxiv_id, title, abstract in self.rows[low:high]:
            yield arxiv_id, day, title, abstract


def listings(path: Path) -> TextSource:
    rows: list[tuple[dt.date, str, str, str | None]] = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            rows.append((dt.date.fromisoformat(record["listing_date"]), record["id"],
                         " ".join(record["title"].split()), record.get("abstract")))
    return TextSource(rows)


def sample() -> TextSource:
    rows: list[tuple[dt.date, str, str, str | None]] = []
    with sample_path() as path:
        for record in read_records(path, NOW):
            if isinstance(record, PaperRecord) and record.announced_date:
                rows.append((record.announced_date, record.arxiv_id, record.title,
                             record.abstract))
    return TextSource(rows)


def words(phrase: str) -> list[str]:
    return [word for word in _SPLIT.split(phrase.lower()) if word]


def stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def is_named(phrase: str) -> bool:
    parts = phrase.split()
    if len(parts) >= 2:
        return any(stem(word) not in EVERYDAY and word not in EVERYDAY
                   for word in words(phrase))
    return bool(_ACRONYM.match(phrase))


def near_duplicate(first: str, second: str, first_ids: set[str], second_ids: set[str]) -> bool:
    a, b = [stem(word) for word in words(first)], [stem(word) for word in words(second)]
    if a == b or "".join(a) == "".join(b):
        return True
    if len(a) >= 2 and len(b) >= 2 and a[-1] == b[-1] and len(set(a) ^ set(b)) <= 1:
        return True
    union = len(first_ids | second_ids)
    return union > 0 and len(first_ids & second_ids) / union >= 0.5


def judge(source: TextSource, as_of: str, show: int) -> dict[str, object]:
    started = time.perf_counter()
    run, papers = compute_topics(source, NOW, TopicParams(), dt.date.fromisoformat(as_of))
    seconds = time.perf_counter() - started
    top = run.topics[:TOP]
    recent = {topic.slug: set(papers[topic.slug][:topic.recent_papers]) for topic in top}
    pairs = [(a.phrase, b.phrase) for i, a in enumerate(top) for b in top[i + 1:]
             if near_duplicate(a.phrase, b.phrase, recent[a.slug], recent[b.slug])]
    unnamed = [topic.phrase for topic in top if not is_named(topic.phrase)]
    if show:
        print(f"  as of {run.as_of} ({run.papers_considered:,} papers, {seconds:.1f} s): "
              + "; ".join(f"{t.phrase} ({t.recent_papers}, "
                          f"{f'{t.growth:.1f}x' if t.growth else 'new'})"
                          for t in top[:show]))
        if unnamed:
            print(f"    not named: {', '.join(unnamed)}")
        if pairs:
            print(f"    near-duplicates: {'; '.join(f'{a} / {b}' for a, b in pairs)}")
    return {"as_of": str(run.as_of), "papers": run.papers_considered, "topics": len(top),
            "named": (len(top) - len(unnamed)) / len(top) if top else 1.0,
            "duplicates": len(pairs),
            "support": min((topic.recent_papers for topic in top), default=0),
            "seconds": seconds}


def report(name: str, source: TextSource, days: tuple[str, ...], show: int) -> None:
    print(f"{name}: {len(source.rows):,} papers", flush=True)
    results = [judge(source, day, show) for day in days]
    rows = tuple((str(r["as_of"]), f"{r['papers']:,}", str(r["topics"]), f"{r['named']:.2f}",
                  str(r["duplicates"]), str(r["support"]), f"{r['seconds']:.1f} s")
                 for r in results)
    print(Table(f"{name}: top {TOP} rising topics, 4 weeks against 26",
                ("as of", "papers read", "topics", "named share", "near-duplicate pairs",
                 "fewest papers", "time"), rows).render())
    print(f"median named share {median([float(r['named']) for r in results]):.2f}, "  # type: ignore[arg-type]
          f"median near-duplicate pairs "
          f"{median([float(r['duplicates']) for r in results]):.0f}\n", flush=True)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=Path, default=LISTINGS)
    parser.add_argument("--show", type=int, default=30, help="topics printed per day")
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--skip-listings", action="store_true")
    args = parser.parse_args()
    if not args.skip_sample:
        report("bundled sample", sample(), SAMPLE_DAYS, args.show)
    if not args.skip_listings:
        if not args.listings.exists():
            raise SystemExit(f"{args.listings} not found; give --listings")
        report("arXiv listings", listings(args.listings), LISTING_DAYS, args.show)


if __name__ == "__main__":
    main()
