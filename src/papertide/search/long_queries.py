"""Pasted text as a query: a whole abstract is searched by its most telling words.

A query of more than ``LONG_QUERY_WORDS`` words is text someone pasted (an
abstract, a paragraph of a draft) to find related work. Every word of it is
read, and the ``KEY_WORDS`` rarest in the collection (those that say what the
text is about, as "more like this" searches do) are searched, in their order:
an OR of a hundred common words would cost much and rank by noise. Words no
paper holds cannot find anything and are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

LONG_QUERY_WORDS = 32
KEY_WORDS = 48


def key_words(words: Sequence[str], papers_holding: Callable[[str], int]) -> tuple[str, ...]:
    """``words`` if few; else the ``KEY_WORDS`` rarest that some paper holds, in order."""
    if len(words) <= LONG_QUERY_WORDS:
        return tuple(words)
    counts = {word: papers_holding(word) for word in words}
    held = [word for word in words if counts[word] > 0]
    if not held:
        return tuple(words[:KEY_WORDS])  # nothing to find: still nothing, not everything
    rarest = set(sorted(held, key=lambda word: counts[word])[:KEY_WORDS])
    return tuple(word for word in held if word in rarest)
