"""Rebuild the bundled sample (papers, front-page snapshots, vectors) from the real data.

Run from the repository root, after the shared data folder is in place::

    .venv/bin/python bench/build_sample.py --data ../shared/data/papers

It writes into ``src/papertide/data/``:

- ``hf_trending_2025_2026.jsonl.gz``: the HF trending papers, each joined with
  arXiv's own metadata where the arXiv join has it (authors, categories with the
  primary first, comment, and arXiv's abstract in place of the scraped one);
- ``hf_front_page_snapshots.jsonl.gz``: the time-stamped front-page orders, copied;
- ``sample_vectors.npz``: every sample paper's vector from papertide's own
  embedder, as float16, tagged with the model and a checksum (``--skip-vectors``
  leaves the old file alone).

The output is reproducible: same inputs, same bytes (gzip without a time stamp,
records in the input order, vectors from the same model).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from papertide.embed.base import document_text
from papertide.embed.bundle import VectorBundle, write_bundle
from papertide.embed.export import BUNDLED_MODEL
from papertide.embed.onnx import OnnxEmbedder
from papertide.sources.files import LineError, read_records

PACKAGE_DATA = Path(__file__).resolve().parent.parent / "src" / "papertide" / "data"
PAPERS_FILE = "hf_trending_2025_2026.jsonl.gz"
SNAPSHOTS_FILE = "hf_front_page_snapshots.jsonl.gz"
JOIN_FILE = "arxiv_meta_join.jsonl.gz"
SHARED_SNAPSHOTS_FILE = "hf_trending_page_snapshots.jsonl.gz"
VECTORS_FILE = "sample_vectors.npz"


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                yield json.loads(line)


def joined(paper: dict[str, Any], arxiv: dict[str, Any] | None) -> dict[str, Any]:
    """One sample line: the HF record, with arXiv's metadata where it is known."""
    if arxiv is None:
        return paper
    row = dict(paper)
    row["abstract"] = arxiv["abstract"]
    row["authors"] = list(arxiv["authors_list"])
    row["categories"] = arxiv["categories"].split()
    if arxiv.get("comment"):
        row["comment"] = arxiv["comment"]
    return row


def write_gzip_lines(path: Path, rows: list[dict[str, Any]]) -> None:
    """gzip with no file name and time stamp inside, so rebuilding gives the same bytes."""
    text = "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                               mtime=0, compresslevel=9) as stream:
        stream.write(text.encode("utf-8"))


def build_papers(data: Path, target: Path) -> tuple[int, int]:
    arxiv = {row["id"]: row for row in read_jsonl(data / JOIN_FILE)}
    # One line of the scraped history is the feed's error notice, not a paper: left out.
    rows = [joined(paper, arxiv.get(paper["paper_id"]))
            for paper in read_jsonl(data / PAPERS_FILE) if paper.get("paper_id")]
    write_gzip_lines(target, rows)
    return len(rows), sum(1 for row in rows if row.get("authors"))


def build_vectors(papers: Path, target: Path, models_dir: Path) -> int:
    """Embed the sample exactly as a server would (the stored title and abstract)."""
    ids: list[str] = []
    texts: list[str] = []
    now = time.time()
    import datetime as dt

    for item in read_records(papers, dt.datetime.fromtimestamp(now, dt.UTC)):
        if isinstance(item, LineError):
            raise SystemExit(f"the sample has a bad line: {item}")
        ids.append(item.arxiv_id)
        texts.append(document_text(item.title, item.abstract))
    embedder = OnnxEmbedder(BUNDLED_MODEL, "int8", models_dir)
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    step = 512
    for start in range(0, len(texts), step):
        vectors[start:start + step] = embedder.embed_documents(texts[start:start + step])
        print(f"  embedded {min(start + step, len(texts)):,} of {len(texts):,}",
              file=sys.stderr, flush=True)
    write_bundle(target, VectorBundle.from_texts(embedder.model_name, ids, texts, vectors))
    return len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True,
                        help="the folder holding the real paper data files")
    parser.add_argument("--out", type=Path, default=PACKAGE_DATA,
                        help="where the bundled files go (default: the package's data folder)")
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="where the exported model is kept (default: a temporary folder)")
    parser.add_argument("--skip-vectors", action="store_true",
                        help="rebuild the data files only")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    papers = args.out / PAPERS_FILE
    count, with_authors = build_papers(args.data, papers)
    print(f"{PAPERS_FILE}: {count:,} papers, {with_authors:,} with arXiv metadata")
    shutil.copyfile(args.data / SHARED_SNAPSHOTS_FILE, args.out / SNAPSHOTS_FILE)
    print(f"{SNAPSHOTS_FILE}: copied")
    if args.skip_vectors:
        return
    with tempfile.TemporaryDirectory() as scratch:
        models_dir = args.models_dir or Path(scratch)
        embedded = build_vectors(papers, args.out / VECTORS_FILE, models_dir)
    print(f"{VECTORS_FILE}: {embedded:,} vectors")


if __name__ == "__main__":
    main()
