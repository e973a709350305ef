"""The Hugging Face featured-papers set, and its embeddings cached in bench/out.

Embedding 9k titles+summaries takes a couple of minutes, so vectors are
kept in ``bench/out/recommend`` keyed by the model name and the text count.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from papertide.embed.onnx import OnnxEmbedder

REPOSITORY = Path(__file__).resolve().parents[2]
DEFAULT_DATA = (REPOSITORY / ".." / "shared" / "data" / "papers"
                / "hf_featured_2024_2025.jsonl.gz")
DEFAULT_WORK = REPOSITORY / "bench" / "out" / "recommend"
MODEL = "all-MiniLM-L6-v2"


@dataclass(frozen=True, slots=True)
class Featured:
    arxiv_id: str
    day: dt.date
    title: str
    summary: str
    tags: frozenset[str]
    rank_in_day: int  # order on the day's page: the only popularity signal the set has

    @property
    def text(self) -> str:
        return f"{self.title}. {self.summary}"


def load_featured(path: Path) -> list[Featured]:
    """Papers in date order, one per arXiv id (the first featuring wins)."""
    seen: set[str] = set()
    papers: list[Featured] = []
    per_day: dict[dt.date, int] = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            arxiv_id = str(row.get("arxiv_id") or "")
            if not arxiv_id or arxiv_id in seen or not row.get("tags"):
                continue
            seen.add(arxiv_id)
            day = dt.date.fromisoformat(str(row["date"])[:10])
            per_day[day] = per_day.get(day, 0) + 1
            papers.append(Featured(arxiv_id, day, str(row.get("title") or ""),
                                   str(row.get("summary") or ""), frozenset(row["tags"]),
                                   per_day[day]))
    papers.sort(key=lambda paper: (paper.day, paper.rank_in_day))
    return papers


LISTINGS = (REPOSITORY / ".." / "shared" / "data" / "papers"
            / "arxiv_listings_2025_2026.jsonl.gz")
# Fields far apart, so that a reader of two or three has interests that are distinct.
LISTING_FIELDS = ("cs.CL", "cs.CV", "cs.RO", "astro-ph.GA", "quant-ph", "q-bio.NC",
                  "math.AP", "cond-mat.mtrl-sci", "econ.GN", "eess.SP")


def load_listings(path: Path, start: dt.date, end: dt.date, per_week: int
                  ) -> list[Featured]:
    """arXiv listings as readers' papers: the primary category is the only tag.

    At most ``per_week`` papers of each field of ``LISTING_FIELDS`` a week (the
    first listed), so that embedding them takes a couple of minutes.
    """
    taken: dict[tuple[str, dt.date], int] = {}
    papers: list[Featured] = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            field = row.get("primary_category")
            day = dt.date.fromisoformat(row["listing_date"])
            if field not in LISTING_FIELDS or not start <= day < end:
                continue
            week = (field, day - dt.timedelta(days=day.weekday()))
            if taken.get(week, 0) >= per_week:
                continue
            taken[week] = taken.get(week, 0) + 1
            papers.append(Featured(row["id"], day, " ".join(row["title"].split()),
                                   " ".join((row.get("abstract") or "").split()),
                                   frozenset([field]), taken[week]))
    papers.sort(key=lambda paper: (paper.day, paper.rank_in_day))
    return papers


def embeddings(papers: list[Featured], work: Path, name: str = "") -> npt.NDArray[np.float32]:
    """Unit vectors of every paper's text, computed once and cached."""
    work.mkdir(parents=True, exist_ok=True)
    cache = work / f"vectors-{MODEL}-int8-{name}{len(papers)}.npy"
    if cache.exists():
        return np.asarray(np.load(cache), dtype=np.float32)
    embedder = OnnxEmbedder(MODEL, "int8", work / "models")
    vectors = embedder.embed_documents([paper.text for paper in papers]).astype(np.float32)
    np.save(cache, vectors)
    return vectors


if __name__ == "__main__":
    loaded = load_featured(DEFAULT_DATA)
    print(len(loaded), "papers")
    print(embeddings(loaded, DEFAULT_WORK).shape)
