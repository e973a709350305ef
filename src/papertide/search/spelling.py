"""Typos: a word no paper holds is corrected from the index's own vocabulary.

"difusion" becomes "diffusion" because papers of this collection hold
"diffusion", not because a dictionary says so: a field's jargon ("LoRA",
"distillation") is as correctable as English, and nothing is suggested that
would not find papers. Only short queries (what people type) are checked, and
only a few words each, so a pasted abstract with names and rare terms costs
nothing here.

Candidates at edit distance 1 (a letter dropped, added, changed or two
swapped) come from generating them and asking the index how many papers hold
each; the engine may also offer words at distance 2 (``near_words``). The
most frequent close word wins, if it is much more frequent than the typed one.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from rapidfuzz import process
from rapidfuzz.distance import OSA

from papertide.search.query import ParsedQuery

# Queries longer than this are not checked (pasted text, not typed words).
MAX_QUERY_WORDS = 12
# At most this many words of a query are corrected.
MAX_CORRECTIONS = 3
MIN_WORD_LENGTH = 4
# Words this long may be corrected at edit distance 2; shorter ones only at 1.
FAR_WORD_LENGTH = 8
# A word held by a few papers (a typo that made it into print) is still corrected
# when it is this long and a word one edit away is this many times more frequent;
# the typed word is kept too (short rare words are mostly acronyms: "vopd").
RARE_PAPERS = 2
RARE_WORD_LENGTH = 7
MORE_FREQUENT = 50
# Candidates are told apart by how many papers hold them, counted up to this many.
COUNTED_PAPERS = 10_000
# Corrections at distance 2 look through at most this many words (the most frequent)
# sharing the typed word's first three letters (``near_word_starts``).
NEAR_WORDS_SCANNED = 50_000
_LETTERS = string.ascii_lowercase


class Vocabulary(Protocol):
    """What a keyword index knows of the words (as typed, lower-cased) of its papers."""

    def word_counts(self, words: Sequence[str], at_most: int) -> dict[str, int]:
        """How many papers hold each word (0 when none; counting may stop at ``at_most``)."""
        ...

    def near_words(self, word: str, distance: int) -> list[tuple[str, int]]:
        """Words within ``distance`` edits of ``word`` and their paper counts (may be empty)."""
        ...


@dataclass(frozen=True, slots=True)
class Respelling:
    """A query with its typos corrected, and how to tell the reader."""

    query: ParsedQuery
    suggestion: str
    corrections: dict[str, str]
    notice: str | None
    # The typed text with the words no paper holds replaced: what was searched, if not
    # what was typed (rare words are searched as typed, their correction beside them).
    searched_text: str | None = None


def respell(text: str, query: ParsedQuery, vocabulary: Vocabulary) -> Respelling | None:
    """The query with words no (or hardly any) paper holds corrected; ``None``: nothing to fix."""
    typed = [*query.words, *query.required_words]
    if not typed or len(typed) > MAX_QUERY_WORDS:
        return None
    checkable = list(dict.fromkeys(word.lower() for word in typed if _checkable(word)))
    if not checkable:
        return None
    counts = vocabulary.word_counts(checkable, RARE_PAPERS + 1)
    corrections: dict[str, str] = {}
    unknown: set[str] = set()
    for word in checkable:
        count = counts.get(word, 0)
        if count > RARE_PAPERS or len(corrections) >= MAX_CORRECTIONS or (
                count and len(word) < RARE_WORD_LENGTH):
            continue
        better = best_correction(word, count, vocabulary)
        if better is not None:
            corrections[word] = better
            if count == 0:
                unknown.add(word)
    if not corrections:
        return None
    respelled = replace(
        query,
        words=_corrected(query.words, corrections, unknown),
        required_words=_corrected(query.required_words, corrections, unknown),
    )
    typed = [word for word in corrections if word in unknown]
    replaced = spoken_list([f"“{corrections[word]}”" for word in typed], "and")
    verb = "was" if len(typed) == 1 else "were"
    notice = (f"No paper holds {spoken_list([f'“{word}”' for word in typed], 'or')}, "
              f"so {replaced} {verb} searched instead." if typed else None)
    searched = (suggested_text(text, {word: corrections[word] for word in typed})
                if typed else None)
    return Respelling(respelled, suggested_text(text, corrections), corrections, notice, searched)


def best_correction(word: str, count: int, vocabulary: Vocabulary) -> str | None:
    """The most frequent word one edit away (two for a long word no paper holds) that
    beats ``word``."""
    wanted = max(1, MORE_FREQUENT * count)
    close = vocabulary.word_counts(sorted(edits(word)), COUNTED_PAPERS)
    found = [(papers, candidate) for candidate, papers in close.items() if papers >= wanted]
    if not found and not count and len(word) >= FAR_WORD_LENGTH:
        found = [(papers, candidate) for candidate, papers in vocabulary.near_words(word, 2)
                 if papers >= wanted and candidate != word]
    if not found:
        return None
    return max(found, key=lambda item: (item[0], item[1]))[1]


def edits(word: str) -> set[str]:
    """Every string one edit from ``word``: a letter deleted, swapped, changed or inserted."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deleted = {left + right[1:] for left, right in splits if right}
    swapped = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    changed = {left + letter + right[1:] for left, right in splits if right for letter in _LETTERS}
    inserted = {left + letter + right for left, right in splits for letter in _LETTERS}
    return (deleted | swapped | changed | inserted) - {word}


def near_word_starts(word: str) -> tuple[str, ...]:
    """Where an engine looks for the words close to ``word``: those starting with its first
    three letters, or with two of them swapped (a typo rarely hits the first letters twice)."""
    if len(word) < 3:
        return ()
    return tuple(dict.fromkeys((word[:3], word[1] + word[0] + word[2],
                                word[0] + word[2] + word[1])))


def within_distance(
    word: str, counts: Mapping[str, int], distance: int
) -> list[tuple[str, int]]:
    """The words of ``counts`` (word -> papers) within ``distance`` edits of ``word``
    (optimal string alignment: a swap of neighbours is one edit), with their counts."""
    sized = [term for term in counts if abs(len(term) - len(word)) <= distance]
    close = process.extract(word, sized, scorer=OSA.distance, score_cutoff=distance,
                            limit=None)
    return [(term, int(counts[term])) for term, _, _ in close]


def suggested_text(text: str, corrections: dict[str, str]) -> str:
    """The typed text with each corrected word replaced, nothing else touched."""
    for word, better in corrections.items():
        text = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", better, text, flags=re.IGNORECASE)
    return " ".join(text.replace("<", " ").replace(">", " ").split())


def _checkable(word: str) -> bool:
    return len(word) >= MIN_WORD_LENGTH and word.isascii() and word.isalpha()


def _corrected(
    words: tuple[str, ...], corrections: dict[str, str], unknown: set[str]
) -> tuple[str, ...]:
    """Unknown words replaced by their correction; rare ones kept, the correction beside."""
    out: list[str] = []
    for word in words:
        better = corrections.get(word.lower())
        if better is None:
            out.append(word)
        elif word.lower() in unknown:
            out.append(better)
        else:
            out += [word, better]
    return tuple(dict.fromkeys(out))


def spoken_list(items: list[str], conjunction: str) -> str:
    """``a``, ``a or b``, ``a, b or c``: as a sentence names several things."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
