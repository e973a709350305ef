"""Which rising phrases a reader would accept as a topic's name, and which are one topic.

A lone word rises for dull reasons ("teacher", "layer", "shifts" are in many
titles of a busy month), so a single word names a topic only when it is
written as a name: an acronym (``LLM``, ``LoRA``, ``JWST``), a word with
digits (``GPT-5``, ``Qwen3``), or a word capitalised mid-sentence in most of
the abstracts that use it (``Mamba``). Two phrases are one topic when they
differ by one word around the same head ("on-policy distillation" and
"on-policy self-distillation") or only by hyphens and spaces ("world-action
model", "world action model"). Pure functions only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from papertide.topics.phrases import singular

NAME_SHARE = 0.7  # of a word's mid-sentence uses in abstracts that must be capitalised
MIN_NAME_USES = 3
_SPLIT = re.compile(r"[\s\-‐–]+")
_UPPER = re.compile(r"[A-Z]")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[A-Za-z]")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+)$")


def tokens(key: str) -> tuple[str, ...]:
    """The words of a phrase key with hyphens split and every word singular."""
    return tuple(singular(part) for part in _SPLIT.split(key.lower()) if part)


def looks_like_acronym(surface: str) -> bool:
    """``LLM``, ``CoT``, ``LoRA``, ``GPT-4o``, ``H100``: not a plain word, nor one in title
    case ("On-Policy")."""
    if not _LETTER.search(surface):
        return False
    if _DIGIT.search(surface):
        return True
    return any(len(_UPPER.findall(part)) >= 2 for part in _SPLIT.split(surface))


def near_duplicates(first: str, second: str) -> bool:
    """Whether two phrase keys name the same topic for a reader.

    Equal once hyphens are spaces and words are singular; or, both of two
    words or more, ending in the same word and differing by one word only.
    """
    a, b = tokens(first), tokens(second)
    if a == b or "".join(a) == "".join(b):
        return True
    if len(a) < 2 or len(b) < 2 or a[-1] != b[-1]:
        return False
    difference = (Counter(a) - Counter(b)) + (Counter(b) - Counter(a))
    return sum(difference.values()) <= 1


def capitalised_uses(abstracts: Iterable[str], word: str) -> tuple[int, int]:
    """(capitalised, all) uses of a lower-case ``word`` that do not start a sentence."""
    pattern = re.compile(rf"\b{re.escape(word)}s?\b", re.IGNORECASE)
    capitalised = total = 0
    for text in abstracts:
        for match in pattern.finditer(text):
            if _SENTENCE_START.search(text[max(match.start() - 3, 0):match.start()]):
                continue
            total += 1
            capitalised += match.group()[0].isupper()
    return capitalised, total


def names_a_topic(key: str, surface: str, uses: tuple[int, int] | None) -> bool:
    """Whether a phrase can stand as a topic's name (see the module's rule for lone words)."""
    if len(tokens(key)) >= 2 and " " in key.strip():
        return True
    if looks_like_acronym(surface):
        return True
    if uses is None:
        return False
    capitalised, total = uses
    return total >= MIN_NAME_USES and capitalised >= NAME_SHARE * total
