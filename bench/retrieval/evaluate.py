"""Retrieval quality of keyword, semantic and hybrid search, through papertide's own code.

Each collection is imported into a papertide instance (store, tantivy index,
embeddings, vector index, exactly as served) and every query goes through
``Papertide.search(..., mode=...)``. Prints nDCG@10 and Recall@100 per mode.

Tuning never looks at test judgments: ``--tune`` sweeps the hybrid keyword
weight (and compares reciprocal rank fusion) on the SciFact *train* queries
only; the chosen weight is the default of the ``hybrid_keyword_weight`` setting.

    .venv/bin/python bench/retrieval/evaluate.py            # both collections
    .venv/bin/python bench/retrieval/evaluate.py --tune     # plus the train sweep

Queries are fed as plain text: characters that are query syntax in papertide
(quotes, ``:``, a leading ``+``/``-``, ``*``) are replaced by spaces, as a
benchmark of ranking rather than of the syntax.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ir_collections import Collection, load_cranfield, load_scifact
from ir_metrics import mean, ndcg_at, recall_at

from papertide.app import Papertide, open_app
from papertide.models import PaperRecord
from papertide.search.hybrid import SearchMode, reciprocal_rank_fusion
from papertide.settings import Settings

REPOSITORY = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPOSITORY / ".." / "shared" / "data" / "ir"
DEFAULT_WORK = REPOSITORY / "bench" / "out" / "retrieval"
MODES: tuple[SearchMode, ...] = ("keyword", "semantic", "hybrid")
DEPTH = 100
ANNOUNCED = dt.date(2021, 1, 4)
NOW = dt.datetime(2021, 1, 5, tzinfo=dt.UTC)
_SYNTAX = re.compile(r'["*:]|(?:(?<=\s)|^)[+-]')


def plain_query(text: str) -> str:
    return " ".join(_SYNTAX.sub(" ", text).split())[:1000]


def paper_id(number: int) -> str:
    """A valid new-style arXiv id for the n-th document (ids need not be real here)."""
    return f"21{number // 99_999 + 1:02d}.{number % 99_999 + 1:05d}"


@contextmanager
def opened(work: Path, **overrides: Any) -> Iterator[Papertide]:
    settings = Settings(data_dir=work).with_overrides(**overrides)
    app = open_app(settings, clock=lambda: NOW)
    try:
        yield app
    finally:
        app.close()


def load_into(app: Papertide, collection: Collection) -> dict[str, str]:
    """Import the documents (once) and embed them; returns paper id -> document id."""
    ids = {paper_id(i): document.doc_id for i, document in enumerate(collection.documents)}
    if app.store.count_papers() < len(collection.documents):
        records = [PaperRecord(arxiv_id=paper_id(i), title=document.title or document.text[:80],
                               source="bench", abstract=document.text,
                               announced_date=ANNOUNCED)
                   for i, document in enumerate(collection.documents)]
        for start in range(0, len(records), 2_000):
            app.store.upsert_papers(records[start:start + 2_000], NOW)
    app.sync_search_index()  # also rebuilds an index written by an older schema
    started = time.perf_counter()
    report = app.embed_pending(progress=_progress(collection.name))
    if report.embedded:
        seconds = time.perf_counter() - started
        print(f"  embedded {report.embedded:,} documents in {seconds:.0f} s "
              f"({report.embedded / seconds:.1f} docs/s)", file=sys.stderr)
    return ids


def _progress(name: str) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        print(f"\r  {name}: embedded {done:,}/{total:,}", end="", file=sys.stderr, flush=True)
        if done >= total:
            print(file=sys.stderr)
    return show


def rankings(app: Papertide, queries: dict[str, str], ids: dict[str, str],
             mode: SearchMode) -> dict[str, list[str]]:
    ranked = {}
    for query_id, text in queries.items():
        results = app.search(plain_query(text), page_size=DEPTH, mode=mode)
        if results.mode != mode:
            raise SystemExit(f"{mode} search fell back to {results.mode}: {results.fallback}")
        ranked[query_id] = [ids[paper.arxiv_id] for paper in results.page.papers]
    return ranked


def scores(ranked: dict[str, list[str]], judged: dict[str, dict[str, int]]) -> tuple[float, float]:
    return (mean([ndcg_at(ranked.get(q, []), judged[q], 10) for q in judged]),
            mean([recall_at(ranked.get(q, []), judged[q], DEPTH) for q in judged]))


def evaluate(collection: Collection, work: Path, split: str) -> list[tuple[str, float, float]]:
    judged = collection.judgments[split]
    queries = {q: collection.queries[q] for q in judged if q in collection.queries}
    rows: list[tuple[str, float, float]] = []
    with opened(work) as app:
        ids = load_into(app, collection)
        for mode in MODES:
            started = time.perf_counter()
            ranked = rankings(app, queries, ids, mode)
            ndcg, recall = scores(ranked, judged)
            per_query = (time.perf_counter() - started) / len(queries) * 1000
            print(f"  {collection.name} {split} {mode}: nDCG@10 {ndcg:.3f}  R@100 {recall:.3f}"
                  f"  ({per_query:.1f} ms/query)", file=sys.stderr)
            rows.append((mode, ndcg, recall))
    return rows


def tune(collection: Collection, work: Path) -> None:
    """Sweep the hybrid keyword weight on SciFact train; compare RRF on the same pools."""
    judged = collection.judgments["train"]
    queries = {q: collection.queries[q] for q in judged if q in collection.queries}
    with opened(work) as app:
        ids = load_into(app, collection)
        keyword = rankings(app, queries, ids, "keyword")
        semantic = rankings(app, queries, ids, "semantic")
    for k in (10, 30, 60, 100):
        fused = {q: [item.arxiv_id for item in reciprocal_rank_fusion(
            [keyword[q], semantic[q]], k=k)] for q in queries}
        ndcg, recall = scores(fused, judged)
        print(f"train RRF k={k:<3}            nDCG@10 {ndcg:.3f}  R@100 {recall:.3f}")
    for weight in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1.0):
        with opened(work, hybrid_keyword_weight=weight) as app:
            ranked = rankings(app, queries, ids, "hybrid")
        ndcg, recall = scores(ranked, judged)
        print(f"train weighted keyword={weight:<4}  nDCG@10 {ndcg:.3f}  R@100 {recall:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder holding scifact/ and cranfield/")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help="where the papertide instances live (reused between runs)")
    parser.add_argument("--collections", default="scifact,cranfield")
    parser.add_argument("--tune", action="store_true", help="sweep fusion on SciFact train")
    args = parser.parse_args()
    names = [name.strip() for name in args.collections.split(",") if name.strip()]
    table: list[tuple[str, str, float, float]] = []
    for name in names:
        collection = (load_scifact(args.data / "scifact") if name == "scifact"
                      else load_cranfield(args.data / "cranfield"))
        if name == "scifact" and args.tune:
            tune(collection, args.work / name)
        split = "test" if name == "scifact" else "all"
        for mode, ndcg, recall in evaluate(collection, args.work / name, split):
            table.append((f"{name} ({split})", mode, ndcg, recall))
    print(f"\n{'collection':<18} {'mode':<9} {'nDCG@10':>8} {'R@100':>7}")
    for collection_name, mode, ndcg, recall in table:
        print(f"{collection_name:<18} {mode:<9} {ndcg:>8.3f} {recall:>7.3f}")


if __name__ == "__main__":
    main()
