"""Known-item search: does the paper a person remembers come first?

A set built from the bundled sample (300 papers with abstracts, a fixed seed),
two queries each, as a person who half-remembers a paper types them:

- ``rare words``: the 5 rarest words of its abstract that are not in its title
  (rarity = how many sample papers hold the word; ties in abstract order);
- ``title``: its exact title;
- ``abstract``: its abstract, pasted (plain words, at most 250), as someone
  looking for related work pastes a draft's paragraph: the paper itself should
  come first.

Every query goes through ``Papertide.search(..., mode=...)`` as served; the
figure is success@1 (the remembered paper ranked first) per mode and kind,
success@10 beside it, and the time per query (p50 and p95 of each query's
median over ``--runs`` runs). Papers are imported and embedded once into
``--work`` (reused by later runs).

    nice -n 10 .venv/bin/python bench/known_item.py [--papers 300] [--seed 14] [--runs 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchlib import OUT_DIR, median, opened_app, percentile, sample_path
from papertide.app import Papertide
from papertide.search.hybrid import SearchMode
from papertide.search.query import MAX_LONG_QUERY_CHARS

MODES: tuple[SearchMode, ...] = ("keyword", "hybrid", "semantic")
_WORD = re.compile(r"[a-z][a-z-]*[a-z]")
_SYNTAX = re.compile(r'["*:]|(?:(?<=\s)|^)[+-]')
PASTED_WORDS = 250
# Words nobody remembers a paper by; the rest of rarity does the work.
_FUNCTION_TEXT = ("a an and are as at be by for from has have in into is it its of on or that"
                  " the their this to was were which with we our these those than then there"
                  " can via")
_FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())


@dataclass(frozen=True, slots=True)
class KnownItem:
    arxiv_id: str
    kind: str
    query: str


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def build_set(papers: int, seed: int) -> list[KnownItem]:
    """The known-item queries: papers drawn with ``seed``, two queries each."""
    with sample_path() as path, gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    rows = [row for row in rows if row.get("abstract") and row.get("title")]
    frequency: Counter[str] = Counter()
    for row in rows:
        frequency.update(set(words(row["title"] + " " + row["abstract"])))
    chosen = random.Random(seed).sample(rows, papers)
    items = []
    for row in chosen:
        arxiv_id = str(row["paper_id"])
        title_words = set(words(row["title"]))
        seen = [w for w in dict.fromkeys(words(row["abstract"]))
                if w not in title_words and w not in _FUNCTION_WORDS and len(w) > 2]
        rarest = sorted(seen, key=lambda w: frequency[w])[:5]  # stable: abstract order on ties
        items.append(KnownItem(arxiv_id, "rare words", " ".join(rarest)))
        items.append(KnownItem(arxiv_id, "title", " ".join(row["title"].split())[:1000]))
        pasted = _SYNTAX.sub(" ", row["abstract"]).split()[:PASTED_WORDS]
        items.append(KnownItem(arxiv_id, "abstract", " ".join(pasted)))
    return items


def prepare(app: Papertide) -> None:
    if app.store.count_papers() == 0:
        app.import_sample()
    app.sync_search_index()
    started = time.perf_counter()
    report = app.embed_pending()
    if report.embedded:
        print(f"embedded {report.embedded:,} papers in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    app.sync_vector_index()


def ranks(
    app: Papertide, items: Sequence[KnownItem], mode: SearchMode
) -> tuple[list[int | None], list[float]]:
    """The 1-based rank of each remembered paper in the top 10 (``None``: not there),
    and each query's time in milliseconds."""
    found: list[int | None] = []
    times: list[float] = []
    for item in items:
        started = time.perf_counter()
        results = app.search(item.query, page_size=10, mode=mode, max_chars=MAX_LONG_QUERY_CHARS)
        times.append((time.perf_counter() - started) * 1000)
        if results.mode != mode:
            raise SystemExit(f"{mode} search fell back to {results.mode}: {results.fallback}")
        ids = [paper.arxiv_id for paper in results.page.papers]
        found.append(ids.index(item.arxiv_id) + 1 if item.arxiv_id in ids else None)
    return found, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--runs", type=int, default=1,
                        help="runs; each query's time is its median over them")
    parser.add_argument("--work", type=Path, default=OUT_DIR / "known-item")
    args = parser.parse_args()
    items = build_set(args.papers, args.seed)
    kinds = list(dict.fromkeys(item.kind for item in items))
    with opened_app(args.work) as app:
        prepare(app)
        print(f"{'mode':<9} {'queries':<11} {'success@1':>9} {'success@10':>10}"
              f" {'ms p50':>7} {'ms p95':>7}")
        for mode in MODES:
            runs = [ranks(app, items, mode) for _ in range(args.runs)]
            found = runs[0][0]
            times = [median([run[1][i] for run in runs]) for i in range(len(items))]
            for kind in [*kinds, "all"]:
                picked = [i for i, item in enumerate(items) if kind in ("all", item.kind)]
                at1 = sum(found[i] == 1 for i in picked) / len(picked)
                at10 = sum(found[i] is not None for i in picked) / len(picked)
                spent = [times[i] for i in picked]
                print(f"{mode:<9} {kind:<11} {at1:>9.3f} {at10:>10.3f}"
                      f" {percentile(spent, 50):>7.1f} {percentile(spent, 95):>7.1f}")


if __name__ == "__main__":
    main()
