"""Realistic search queries, derived deterministically from the bundled sample.

People type 2-6 lower-case words lifted from what they remember of a title
("efficient attention for long video understanding"), mix in a word from
the abstract ("reinforcement learning reasoning llm"), sometimes quote a
phrase or add a ``cat:`` filter, and sometimes type a system's name.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from typing import Any

import tantivy

from synthetic import load_sample_rows, topic_categories

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]")
_SPACES = re.compile(r"\s+")
# Words people leave off the ends of what they type, beyond the stopword list.
_CONNECTORS = frozenset(("via", "using", "towards", "toward", "from", "through", "across",
                         "without", "within", "beyond", "versus", "vs", "when", "how", "what"))
# (kind, share of the queries)
QUERY_KINDS = (("title", 45), ("keywords", 20), ("phrase", 15), ("category", 15), ("name", 5))


class Stopwords:
    """The English stopword list the keyword index uses (tantivy's)."""

    def __init__(self) -> None:
        self._analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stopword("english"))
            .build()
        )

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and not self._analyzer.analyze(word)


def realistic_queries(count: int, seed: int, rows: Sequence[dict[str, Any]] | None = None,
                      ) -> list[str]:
    """``count`` distinct queries; the same seed gives the same list."""
    rows = rows if rows is not None else load_sample_rows()
    stopwords = Stopwords()
    rng = random.Random(seed)
    kinds = [kind for kind, _ in QUERY_KINDS]
    shares = [share for _, share in QUERY_KINDS]
    found: dict[str, None] = {}
    while len(found) < count:
        row = rng.choice(rows)
        title = _SPACES.sub(" ", row.get("title") or "").strip()
        abstract = row.get("abstract") or ""
        query = _query(rng.choices(kinds, shares)[0], title, abstract, rng, stopwords)
        if query and query.lower() not in (known.lower() for known in found):
            found[query] = None
    return list(found)


def _query(kind: str, title: str, abstract: str, rng: random.Random,
           stopwords: Stopwords) -> str | None:
    name, body = _split_name(title)
    words = _TOKEN.findall(body)
    content = list(dict.fromkeys(
        word for word in words
        if word not in stopwords and word.lower() not in _CONNECTORS and len(word) > 2
    ))
    if len(content) < 2:
        return None
    if kind == "title":
        size = rng.randint(2, 6)
        start = rng.randrange(max(len(words) - size, 0) + 1)
        picked = _trimmed(words[start:start + size], stopwords)
        if sum(word not in stopwords for word in picked) < 2:
            return None
        return _typed(" ".join(picked), rng)
    if kind == "keywords":
        extra = [word for word in _TOKEN.findall(abstract[:400])
                 if len(word) >= 6 and word not in stopwords and word not in content]
        if not extra:
            return None
        picked = [*_in_order(content, rng.randint(1, 3), rng), rng.choice(extra)]
        return _typed(" ".join(picked), rng)
    if kind == "phrase":
        pairs = [(a, b) for a, b in itertools.pairwise(words)
                 if a in content and b in content]
        if not pairs:
            return None
        first, second = rng.choice(pairs)
        others = [word for word in content if word not in (first, second)]
        picked = _in_order(others, rng.randint(1, 3), rng)
        return _typed(" ".join([f'"{first} {second}"', *picked]), rng)
    if kind == "category":
        categories = sorted(topic_categories(title)) or ["cs.LG"]
        picked = _in_order(content, rng.randint(2, 4), rng)
        return f"{_typed(' '.join(picked), rng)} cat:{rng.choice(categories)}"
    if name is None or not name.replace("-", "").isalnum():
        return None
    return _typed(" ".join([name, *_in_order(content, rng.randint(1, 2), rng)]), rng)


def _in_order(words: Sequence[str], size: int, rng: random.Random) -> list[str]:
    """Up to ``size`` of ``words``, kept in the order the title has them."""
    chosen = sorted(rng.sample(range(len(words)), min(size, len(words))))
    return [words[position] for position in chosen]


def _trimmed(words: Sequence[str], stopwords: Stopwords) -> list[str]:
    """Without the stopwords and connectors a window of a title starts or ends with."""
    kept = list(words)
    while kept and (kept[0] in stopwords or kept[0].lower() in _CONNECTORS):
        kept.pop(0)
    while kept and (kept[-1] in stopwords or kept[-1].lower() in _CONNECTORS):
        kept.pop()
    return kept


def _split_name(title: str) -> tuple[str | None, str]:
    if ":" in title:
        before, after = title.split(":", 1)
        if len(before.split()) == 1 and after.strip():
            return before.strip(), after.strip()
    return None, title


def _typed(text: str, rng: random.Random) -> str:
    """Most people type in lower case."""
    return text.lower() if rng.random() < 0.75 else text


def all_words(query: str, stopwords: Stopwords) -> str:
    """The all-words form: every plain word required with ``+``, stopwords dropped."""
    parts = []
    for token in re.findall(r'"[^"]*"|\S+', query):
        if token.startswith('"') or ":" in token:
            parts.append(token)
        elif token not in stopwords:
            parts.append(f"+{token}")
    return " ".join(parts)
