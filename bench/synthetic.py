"""Generate N synthetic papers in the Kaggle arXiv snapshot format (JSONL.gz).

Titles and abstracts are recombined from the real titles and abstract
sentences of the bundled sample, so word frequencies, lengths and phrasing
look like machine-learning arXiv papers; authors, categories, ids, versions
and dates follow the shapes of the real snapshot. The output is deterministic
for a given seed and is written as a stream, so a million papers need no
more memory than ten.

    .venv/bin/python bench/synthetic.py --papers 1000000 --out bench/out/papers-1m.jsonl.gz
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import random
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from benchlib import Stopwatch, Table, megabytes, peak_rss_mb, sample_path

DEFAULT_END = dt.date(2026, 8, 31)
DEFAULT_DAYS = 730
MAX_IDS_PER_MONTH = 99_999
_SPACES = re.compile(r"\s+")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_CONNECTOR = re.compile(r"\s(?=(?:for|via|with|through|using|towards?|from|in|on|by) )")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]{3,}")
_WRAP = re.compile(r"(.{1,79})(?:\s+|$)")
_TITLE_WORD_STOPLIST = frozenset((
    "with", "from", "into", "that", "this", "their", "towards", "toward", "using", "based",
    "over", "under", "your", "more", "than", "what", "when", "where", "which", "while",
    "these", "those", "beyond", "large", "model", "models",
))

# Shares of primary categories among recent machine-learning-heavy arXiv listings.
CATEGORY_WEIGHTS: dict[str, float] = {
    "cs.LG": 20, "cs.CV": 18, "cs.CL": 16, "cs.AI": 10, "cs.RO": 4, "stat.ML": 3,
    "cs.CR": 2, "cs.SE": 2, "cs.IR": 2, "eess.IV": 2, "cs.HC": 1.5, "cs.SD": 1,
    "eess.AS": 1, "cs.MA": 1, "cs.NE": 1, "math.OC": 1, "cs.DC": 1, "cs.GR": 1,
    "cs.CY": 1, "cs.MM": 0.5, "q-bio.QM": 0.5, "q-bio.BM": 0.3, "math.ST": 0.3,
    "physics.comp-ph": 0.5, "eess.SP": 0.5, "cs.DB": 0.5, "cs.IT": 0.5,
}
# Words that pull a paper towards categories (so `cat:` filters select real topics).
TOPIC_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"image|video|visual|vision|3d|scene|segment|detection|pixel|camera|render|gaussian"
     r"|diffusion|point cloud", ("cs.CV", "eess.IV", "cs.GR")),
    (r"language|llm|text|token|translation|dialog|question|instruction|linguistic", ("cs.CL",)),
    (r"robot|manipulation|embodied|navigation|driving|locomotion|grasp", ("cs.RO",)),
    (r"agent|planning|reasoning", ("cs.AI", "cs.MA")),
    (r"retrieval|recommend|search|ranking", ("cs.IR",)),
    (r"speech|audio|music|sound|voice", ("cs.SD", "eess.AS")),
    (r"attack|jailbreak|privacy|security|adversarial", ("cs.CR",)),
    (r"code|software|program|repositor", ("cs.SE",)),
    (r"bayesian|statistic|estimat|kernel|causal", ("stat.ML", "math.ST")),
    (r"molecul|protein|genom|cell|drug", ("q-bio.QM", "q-bio.BM")),
)
# One pass over lower-cased text; the group that matched names the topic.
_TOPIC = re.compile(r"\b(?:" + "|".join(
    f"(?P<topic{number}>{pattern})" for number, (pattern, _) in enumerate(TOPIC_CATEGORIES)
) + ")")
CROSS_LIST_COUNTS = ((0, 30), (1, 38), (2, 22), (3, 10))
AUTHOR_COUNTS = tuple(zip(range(1, 16), (4, 8, 11, 12, 12, 11, 9, 7, 6, 5, 4, 3, 2, 2, 2),
                          strict=True))
VERSION_COUNTS = ((1, 62), (2, 25), (3, 9), (4, 3), (5, 1))
LICENSES = (
    ("http://creativecommons.org/licenses/by/4.0/", 45),
    ("http://arxiv.org/licenses/nonexclusive-distrib/1.0/", 35),
    ("http://creativecommons.org/licenses/by-nc-nd/4.0/", 5),
    ("http://creativecommons.org/licenses/by-nc-sa/4.0/", 8),
    ("http://creativecommons.org/licenses/by-sa/4.0/", 4),
    ("http://creativecommons.org/publicdomain/zero/1.0/", 3),
)
VENUES = ("NeurIPS 2025", "ICLR 2026", "CVPR 2026", "ACL 2026", "ICML 2026", "EMNLP 2025",
          "AAAI 2026", "ECCV 2026", "ICRA 2026", "KDD 2026", "COLM 2025", "TMLR")
GIVEN_NAMES = (
    "Wei", "Jing", "Hao", "Yu", "Xin", "Yang", "Lei", "Min", "Jun", "Tao", "Yiming", "Zhihao",
    "Haoran", "Xiaoyu", "Jiaxin", "Ruixiang", "Mingyu", "Sheng", "Qian", "Ziyi",
    "Ji-woo", "Min-jun", "Seo-yeon", "Hyunwoo", "Takeshi", "Yuki", "Haruto", "Sakura",
    "Aarav", "Priya", "Rahul", "Ananya", "Vikram", "Sneha", "Arjun", "Kavya", "Rohan", "Divya",
    "Mohammed", "Fatima", "Omar", "Layla", "Ahmed", "Yasmin", "Amir", "Reza", "Sara", "Ali",
    "James", "Emily", "Michael", "Sarah", "David", "Laura", "Daniel", "Anna", "Thomas", "Julia",
    "Matthew", "Rachel", "Andrew", "Hannah", "Christopher", "Olivia", "Benjamin", "Sophie",
    "Lukas", "Lena", "Felix", "Marie", "Jonas", "Clara", "Pierre", "Camille", "Antoine",
    "Chloe", "Giulia", "Marco", "Francesca", "Luca", "Elena", "Pablo", "Lucia", "Javier",
    "Ines", "Joao", "Beatriz", "Mateus", "Dmitry", "Olga", "Ivan", "Anastasia", "Sergey",
    "Katarzyna", "Piotr", "Jan", "Eva", "Nikos", "Eleni", "Mehmet", "Ayse", "Chinedu", "Amara",
    "Kwame", "Thandiwe", "Nguyen", "Linh", "Minh", "Somchai", "Siti", "Budi", "Alejandro",
    "Valentina", "Diego", "Camila", "Erik", "Ingrid", "Lars", "Freya",
)
FAMILY_NAMES = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
    "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Tang",
    "Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Tanaka", "Suzuki", "Sato", "Watanabe",
    "Kumar", "Sharma", "Singh", "Gupta", "Patel", "Reddy", "Iyer", "Nair", "Mehta", "Rao",
    "Hassan", "Hosseini", "Ahmadi", "Khan", "Rahman", "Abdullah", "Haddad",
    "Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas",
    "Moore", "Martin", "Clark", "Lewis", "Walker", "Hall", "Young", "Allen", "Wright",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Dubois",
    "Bernard", "Lefèvre", "Moreau", "Rossi", "Russo", "Bianchi", "Romano", "García",
    "Martínez", "López", "Sánchez", "Fernández", "Silva", "Santos", "Oliveira", "Pereira",
    "Ivanov", "Petrov", "Smirnov", "Kowalski", "Nowak", "Novák", "Papadopoulos", "Yılmaz",
    "Demir", "Okafor", "Mensah", "Nkosi", "Tran", "Pham", "Le", "Nguyen", "Santoso",
    "Rodríguez", "Gómez", "Andersson", "Johansson", "Nielsen", "Hansen", "Jensen", "Cohen",
    "Levi", "Friedman", "O'Brien", "Murphy", "Kelly", "Ng", "Chan", "Wong", "Cheung",
)
T = TypeVar("T")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Relative submission volume by weekday (Monday first): weekends are quiet.
_WEEKDAY_VOLUME = (1.15, 1.1, 1.05, 1.0, 0.9, 0.3, 0.35)


@dataclass(frozen=True, slots=True)
class SourcePaper:
    """A sample paper cut into the pieces synthetic papers are made of."""

    name: str | None
    head: str
    tail: str
    sentences: tuple[str, ...]
    topic_words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Corpus:
    """The sample's papers plus an index from title words to the papers using them."""

    papers: tuple[SourcePaper, ...]
    by_word: dict[str, tuple[int, ...]]

    @classmethod
    def from_rows(cls, rows: Sequence[dict[str, Any]]) -> Corpus:
        papers = []
        for row in rows:
            abstract = _SPACES.sub(" ", row.get("abstract") or "").strip()
            title = _SPACES.sub(" ", row.get("title") or "").strip()
            if abstract and title:
                papers.append(_cut(title, abstract))
        groups: dict[str, list[int]] = {}
        for position, paper in enumerate(papers):
            for word in paper.topic_words:
                groups.setdefault(word, []).append(position)
        by_word = {word: tuple(members) for word, members in groups.items() if len(members) >= 3}
        return cls(tuple(papers), by_word)


def load_sample_rows() -> list[dict[str, Any]]:
    """The bundled sample's records, in file order."""
    with sample_path() as path, gzip.open(path, "rt", encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def _cut(title: str, abstract: str) -> SourcePaper:
    name, body = None, title
    if ":" in title:
        before, after = title.split(":", 1)
        if len(before.split()) <= 4 and after.strip():
            name, body = before.strip(), after.strip()
    head, tail = body, ""
    for match in _CONNECTOR.finditer(body):
        if len(body[:match.start()].split()) >= 2:
            head, tail = body[:match.start()], body[match.start() + 1:]
            break
    words = dict.fromkeys(
        word.lower() for word in _WORD.findall(body) if word.lower() not in _TITLE_WORD_STOPLIST
    )
    sentences = tuple(part for part in _SENTENCE_BREAK.split(abstract) if part)
    return SourcePaper(name, head, tail, sentences, tuple(words))


class PaperMaker:
    """Builds one synthetic Kaggle record at a time from a corpus and a seeded RNG."""

    def __init__(self, corpus: Corpus, rng: random.Random, last_moment: dt.datetime) -> None:
        self.corpus = corpus
        self.rng = rng
        self.last_moment = last_moment
        self.category_names = tuple(CATEGORY_WEIGHTS)
        self.category_weights = tuple(CATEGORY_WEIGHTS.values())

    def record(self, arxiv_id: str, submitted: dt.datetime) -> dict[str, Any]:
        rng = self.rng
        first, second, third = self._related_sources()
        title = self._title(first, second, third)
        abstract = self._abstract(first, second, third)
        categories = self._categories(f"{title} {abstract[:300]}")
        authors = self._authors()
        versions = self._versions(submitted)
        comments = self._comments()
        return {
            "id": arxiv_id,
            "submitter": authors[0][0],
            "authors": _author_line([full for full, _, _ in authors]),
            "title": _wrap_title(title),
            "comments": comments,
            "journal-ref": f"{rng.choice(VENUES)}" if rng.random() < 0.06 else None,
            "doi": f"10.48550/arXiv.{arxiv_id}" if rng.random() < 0.08 else None,
            "report-no": None,
            "categories": " ".join(categories),
            "license": _weighted(rng, LICENSES),
            "abstract": "  " + _WRAP.sub(lambda match: match.group(1) + "\n", abstract),
            "versions": [
                {"version": f"v{number}", "created": _rfc2822(moment)}
                for number, moment in enumerate(versions, start=1)
            ],
            "update_date": versions[-1].date().isoformat(),
            "authors_parsed": [[last, given, ""] for _, given, last in authors],
        }

    def _related_sources(self) -> tuple[SourcePaper, SourcePaper, SourcePaper]:
        """A paper plus two that share a title word with it, so topics stay coherent."""
        papers, rng = self.corpus.papers, self.rng
        first = rng.choice(papers)
        shared = [word for word in first.topic_words if word in self.corpus.by_word]
        if not shared:
            return first, rng.choice(papers), rng.choice(papers)
        group = self.corpus.by_word[rng.choice(shared)]
        return first, papers[rng.choice(group)], papers[rng.choice(group)]

    def _title(self, first: SourcePaper, second: SourcePaper, third: SourcePaper) -> str:
        rng = self.rng
        tail = second.tail or first.tail
        body = f"{first.head} {tail}" if tail else first.head
        name = (third.name or first.name) if rng.random() < 0.6 else None
        return f"{name}: {body}" if name else body

    def _abstract(self, first: SourcePaper, second: SourcePaper, third: SourcePaper) -> str:
        rng = self.rng
        length = max(2, len(first.sentences) + rng.randint(-1, 1))
        chosen: dict[str, None] = {}
        for position in range(length):
            source = first if rng.random() < 0.6 else rng.choice((second, third))
            if position < len(first.sentences) and source is first:
                chosen[first.sentences[position]] = None
                continue
            relative = position * len(source.sentences) // length
            chosen[source.sentences[min(relative, len(source.sentences) - 1)]] = None
        return " ".join(chosen)

    def _categories(self, text: str) -> list[str]:
        rng = self.rng
        boosted = topic_categories(text)
        weights = [weight * (8 if name in boosted else 1)
                   for name, weight in zip(self.category_names, self.category_weights,
                                           strict=True)]
        primary = rng.choices(self.category_names, weights)[0]
        chosen = [primary]
        wanted = 1 + _weighted(rng, CROSS_LIST_COUNTS)
        for _ in range(20):
            if len(chosen) >= wanted:
                break
            candidate = rng.choices(self.category_names, weights)[0]
            if candidate not in chosen:
                chosen.append(candidate)
        return chosen

    def _authors(self) -> list[tuple[str, str, str]]:
        rng = self.rng
        count = rng.randint(20, 60) if rng.random() < 0.02 else _weighted(rng, AUTHOR_COUNTS)
        authors = []
        for _ in range(count):
            given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
            if rng.random() < 0.15:
                given = f"{given} {rng.choice('ABCDEFGHJKLMNPRSTVW')}."
            authors.append((f"{given} {family}", given, family))
        return authors

    def _versions(self, submitted: dt.datetime) -> list[dt.datetime]:
        rng = self.rng
        moments = [submitted]
        for _ in range(_weighted(rng, VERSION_COUNTS) - 1):
            later = moments[-1] + dt.timedelta(days=rng.randint(3, 150),
                                               seconds=rng.randrange(86_400))
            if later > self.last_moment:
                break
            moments.append(later)
        return moments

    def _comments(self) -> str | None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            return None
        pages = f"{rng.randint(6, 40)} pages, {rng.randint(1, 16)} figures"
        if roll < 0.5:
            return f"{pages}; accepted at {rng.choice(VENUES)}"
        if roll < 0.6:
            return f"Project page: https://example.org/p{rng.randrange(10**6)}"
        return pages


def topic_categories(text: str) -> set[str]:
    """Categories whose topic words occur in ``text``."""
    found: set[str] = set()
    for match in _TOPIC.finditer(text.lower()):
        number = int((match.lastgroup or "topic0").removeprefix("topic"))
        found.update(TOPIC_CATEGORIES[number][1])
    return found


def _weighted(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    values = [value for value, _ in options]
    return rng.choices(values, [weight for _, weight in options])[0]


def _author_line(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _wrap_title(title: str) -> str:
    """Break long titles as the snapshot does (newline plus two spaces)."""
    if len(title) <= 72:
        return title
    cut = title.rfind(" ", 0, 72)
    return title if cut <= 0 else f"{title[:cut]}\n  {title[cut + 1:]}"


def _rfc2822(moment: dt.datetime) -> str:
    return (f"{_WEEKDAYS[moment.weekday()]}, {moment.day} {_MONTHS[moment.month - 1]} "
            f"{moment.year} {moment:%H:%M:%S} GMT")


def papers_per_day(papers: int, end: dt.date, days: int) -> list[tuple[dt.date, int]]:
    """Spread ``papers`` over the days up to ``end``: weekdays busy, volume growing."""
    start = end - dt.timedelta(days=days - 1)
    calendar = [start + dt.timedelta(days=offset) for offset in range(days)]
    weights = [_WEEKDAY_VOLUME[day.weekday()] * (0.85 + 0.3 * offset / max(days - 1, 1))
               for offset, day in enumerate(calendar)]
    total = sum(weights)
    exact = [papers * weight / total for weight in weights]
    counts = [int(share) for share in exact]
    by_remainder = sorted(range(days), key=lambda index: (counts[index] - exact[index], index))
    for index in by_remainder[: papers - sum(counts)]:
        counts[index] += 1
    return list(zip(calendar, counts, strict=True))


def synthetic_records(
    corpus: Corpus, papers: int, seed: int, end: dt.date = DEFAULT_END, days: int = DEFAULT_DAYS
) -> Iterator[dict[str, Any]]:
    """Yield ``papers`` Kaggle-format records in id order (ids follow submission time)."""
    rng = random.Random(seed)
    last_moment = dt.datetime.combine(end, dt.time(23, 59, 59), dt.UTC)
    maker = PaperMaker(corpus, rng, last_moment)
    per_month: dict[str, int] = {}
    for day, count in papers_per_day(papers, end, days):
        midnight = dt.datetime.combine(day, dt.time(), dt.UTC)
        for second in sorted(rng.randrange(86_400) for _ in range(count)):
            month = f"{day:%y%m}"
            number = per_month.get(month, 0) + 1
            if number > MAX_IDS_PER_MONTH:
                raise ValueError(f"more than {MAX_IDS_PER_MONTH:,} papers in one month: "
                                 "ask for fewer papers or more --days")
            per_month[month] = number
            yield maker.record(f"{month}.{number:05d}", midnight + dt.timedelta(seconds=second))


@dataclass(frozen=True, slots=True)
class GenerationReport:
    papers: int
    compressed_bytes: int
    seconds: float


def write_synthetic(
    out: Path, papers: int, seed: int, end: dt.date = DEFAULT_END, days: int = DEFAULT_DAYS
) -> GenerationReport:
    """Write the JSONL.gz file (atomically: a half-written file never has the final name)."""
    corpus = Corpus.from_rows(load_sample_rows())
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with Stopwatch() as watch:
        with gzip.open(partial, "wt", encoding="utf-8", compresslevel=6) as stream:
            for record in synthetic_records(corpus, papers, seed, end, days):
                stream.write(json.dumps(record))
                stream.write("\n")
        os.replace(partial, out)
    return GenerationReport(papers, out.stat().st_size, watch.seconds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=10_000, help="how many papers (10,000)")
    parser.add_argument("--out", type=Path, required=True, help="the .jsonl.gz file to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=DEFAULT_END,
                        help=f"last submission day ({DEFAULT_END})")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS,
                        help=f"days of submissions up to the end date ({DEFAULT_DAYS})")
    args = parser.parse_args(argv)
    if args.papers < 1 or args.days < 1:
        parser.error("--papers and --days must be positive")
    report = write_synthetic(args.out, args.papers, args.seed, args.end_date, args.days)
    print(Table(
        "synthetic papers (Kaggle snapshot format)",
        ("papers", "file (gzip)", "seconds", "papers/s", "peak RSS"),
        ((f"{report.papers:,}", megabytes(report.compressed_bytes), f"{report.seconds:.1f}",
          f"{report.papers / report.seconds:,.0f}", f"{peak_rss_mb():,.0f} MB"),),
    ).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
