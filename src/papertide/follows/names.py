"""Author identity from names alone: normalised keys and a conservative match.

arXiv gives names as written ("Jane Doe", "J. Doe", "Jané Doe"), with no ids.
Keys fold accents, case and punctuation, so the first three are one key
family. A full name and an initialled one ("Jane Doe" / "J. Doe") may be two
people, so they are matched only when the caller says the paper shares a
co-author with the followed person (``context_shared``); otherwise only equal
keys match. Pure functions.
"""

from __future__ import annotations

import re
from functools import lru_cache

from papertide.search.author_names import fold_accents

_NOT_WORD = re.compile(r"[^\w\s-]+")
_SPACES = re.compile(r"[\s-]+")


@lru_cache(maxsize=65_536)  # names recur across papers; the function is pure
def author_key(name: str) -> str:
    """``"Jané  O'Doe-Smith"`` -> ``"jane odoe smith"``: no accents, case or punctuation."""
    plain = fold_accents(name).replace("'", "").replace("’", "").replace(".", " ")
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", plain.casefold())).strip()


def names_match(followed_key: str, paper_key: str, context_shared: bool) -> bool:
    """Whether a paper's author is the followed person, as far as names can tell.

    Equal keys match. Otherwise the surnames must be equal and each given name
    must equal the other's or be its initial ("j" / "jane"), and only when the
    paper shares a co-author with the followed person (``context_shared``).
    """
    if followed_key == paper_key:
        return True
    if not context_shared:
        return False
    followed, offered = followed_key.split(), paper_key.split()
    if len(followed) < 2 or len(offered) < 2 or followed[-1] != offered[-1]:
        return False
    given_followed, given_offered = followed[:-1], offered[:-1]
    if len(given_followed) != len(given_offered):
        return False
    return all(a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))
               for a, b in zip(given_followed, given_offered, strict=True))


def surname(key: str) -> str:
    """The last word of a key: what initialled and full forms of a name share."""
    return key.rsplit(" ", 1)[-1]
