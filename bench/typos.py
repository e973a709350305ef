"""Typos: do misspelt queries still find relevant papers, and is the right word suggested?

A set of one- and two-word queries over the bundled sample (a fixed seed):
the five misspellings named in the issue, then words and two-word phrases of
real titles, each misspelt once the way people slip (a letter dropped, doubled,
swapped with its neighbour or replaced by a key next to it). A misspelling
that is itself a word of the sample is skipped: no speller could know it was
meant otherwise. A paper is relevant when its title or abstract holds every
word of the intended query.

Figures: the share of queries with a relevant paper in the top 10 (hybrid and
keyword mode) and the share whose ``suggestion`` is the intended query.

    nice -n 10 .venv/bin/python bench/typos.py [--queries 60] [--seed 14]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchlib import OUT_DIR, sample_path
from known_item import prepare
from papertide.app import Papertide
from papertide.search.hybrid import SearchMode

NAMED = (("difusion", "diffusion"), ("transfomer", "transformer"),
         ("segmantation", "segmentation"), ("exprts", "experts"),
         ("colaboration", "collaboration"))
_WORD = re.compile(r"[a-z]+")
_KEYS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
_STOP = frozenset(("with", "from", "that", "this", "their", "what", "when", "where", "which",
                   "into", "over", "under", "about", "towards", "toward", "through", "beyond",
                   "using", "based", "without", "within", "large", "language", "models", "model"))


@dataclass(frozen=True, slots=True)
class Typo:
    typed: str
    meant: str


def neighbours(letter: str) -> str:
    for row in _KEYS:
        at = row.find(letter)
        if at >= 0:
            return row[max(at - 1, 0):at] + row[at + 1:at + 2]
    return ""


def misspell(word: str, rng: random.Random) -> str:
    """One slip of the fingers somewhere after the first letter."""
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap", "key"))
    if kind == "drop":
        return word[:at] + word[at + 1:]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    if kind == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    near = neighbours(word[at])
    return word[:at] + (rng.choice(near) if near else word[at]) + word[at + 1:]


def load_rows() -> list[dict[str, str]]:
    with sample_path() as path, gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [row for row in rows if row.get("title")]


def build_set(rows: Sequence[dict[str, str]], queries: int, seed: int) -> list[Typo]:
    rng = random.Random(seed)
    vocabulary: Counter[str] = Counter()
    title_words: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for row in rows:
        vocabulary.update(set(_WORD.findall(f"{row['title']} {row.get('abstract') or ''}".lower())))
        words = _WORD.findall(row["title"].lower())
        title_words.update(set(words))
        pairs.update(set(itertools.pairwise(words)))
    typos = [Typo(typed, meant) for typed, meant in NAMED]
    singles = sorted(word for word, count in title_words.items()
                     if 10 <= count <= 400 and len(word) >= 6 and word not in _STOP)
    doubles = sorted(pair for pair, count in pairs.items()
                     if count >= 3 and all(len(w) >= 5 and w not in _STOP for w in pair))
    rng.shuffle(singles)
    rng.shuffle(doubles)
    wanted_singles = (queries - len(typos)) // 2
    candidates: list[tuple[str, ...]] = [(w,) for w in singles[:wanted_singles * 2]]
    for chosen in [*candidates, *doubles]:
        if len(typos) >= queries:
            break
        if len(chosen) == 1 and len([t for t in typos if " " not in t.meant]) >= \
                wanted_singles + len(NAMED):
            continue
        slot = rng.randrange(len(chosen))
        wrong = misspell(chosen[slot], rng)
        if wrong in vocabulary or wrong == chosen[slot]:
            continue
        typed = " ".join(wrong if i == slot else w for i, w in enumerate(chosen))
        typos.append(Typo(typed, " ".join(chosen)))
    return typos


def relevant(rows: Sequence[dict[str, str]], meant: str) -> set[str]:
    words = meant.split()
    return {str(row["paper_id"]) for row in rows
            if all(w in set(_WORD.findall(f"{row['title']} {row.get('abstract') or ''}".lower()))
                   for w in words)}


def measure(app: Papertide, rows: Sequence[dict[str, str]], typos: Sequence[Typo],
            mode: SearchMode) -> tuple[float, float]:
    found = suggested = 0
    for typo in typos:
        results = app.search(typo.typed, page_size=10, mode=mode)
        if results.mode != mode:
            raise SystemExit(f"{mode} search fell back to {results.mode}: {results.fallback}")
        wanted = relevant(rows, typo.meant)
        found += any(paper.arxiv_id in wanted for paper in results.page.papers)
        suggested += (results.suggestion or "").lower() == typo.meant
    return found / len(typos), suggested / len(typos)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--work", type=Path, default=OUT_DIR / "known-item",
                        help="the sample, imported and embedded (shared with known_item.py)")
    parser.add_argument("--show", action="store_true", help="list the queries")
    args = parser.parse_args()
    rows = load_rows()
    typos = build_set(rows, args.queries, args.seed)
    if args.show:
        for typo in typos:
            print(f"{typo.typed:<32} -> {typo.meant}")
    from benchlib import opened_app

    with opened_app(args.work) as app:
        prepare(app)
        print(f"{len(typos)} misspelt queries "
              f"({sum(' ' in t.meant for t in typos)} of two words)")
        print(f"{'mode':<9} {'relevant in top 10':>18} {'right suggestion':>16}")
        for mode in ("hybrid", "keyword"):
            in_top, right = measure(app, rows, typos, mode)
            print(f"{mode:<9} {in_top:>18.3f} {right:>16.3f}")


if __name__ == "__main__":
    main()
