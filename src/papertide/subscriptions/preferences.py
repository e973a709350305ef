"""Reading the preferences form: every field checked, with a message that says what to fix.

Names and saved searches end up in mail headers and subjects, so they are
single lines with no control characters: a name with a line break is refused
rather than cleaned, so that nobody is surprised by what gets stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from papertide.exceptions import InvalidInputError, InvalidQueryError
from papertide.search.query import parse_query
from papertide.subscriptions.models import FREQUENCIES, Frequency, Preferences

MAX_SEARCHES = 10
MAX_SEARCH_CHARS = 200
MAX_CATEGORIES = 12
MAX_NAME = 80
MAX_TRENDING = 50
_CATEGORY = re.compile(r"[a-z][a-z\-]{0,15}(?:\.[A-Za-z][A-Za-z\-]{0,15})?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_LIST_SEPARATORS = re.compile(r"[\s,;]+")
# Lines as a browser sends a textarea; other separators (\v, \x85...) count as control characters.
_LINES = re.compile(r"\r\n|\r|\n")


def parse_frequency(text: str) -> Frequency:
    for frequency in FREQUENCIES:
        if text == frequency:
            return frequency
    raise InvalidInputError(f"frequency must be daily, weekly or off, got {text[:20]!r}")


def parse_name(text: str) -> str:
    name = text.strip()
    if _CONTROL.search(name):
        raise InvalidInputError("a name cannot contain line breaks or control characters")
    if len(name) > MAX_NAME:
        raise InvalidInputError(f"a name can be at most {MAX_NAME} characters long")
    return " ".join(name.split())


def parse_trending_count(text: str) -> int:
    try:
        count = int(text.strip() or "0")
    except ValueError:
        raise InvalidInputError(f"the number of trending papers must be a whole number, "
                                f"got {text[:20]!r}") from None
    if not 0 <= count <= MAX_TRENDING:
        raise InvalidInputError(f"the number of trending papers must be between 0 and "
                                f"{MAX_TRENDING}, got {count}")
    return count


def parse_categories(values: Iterable[str]) -> tuple[str, ...]:
    """Checked boxes and typed names (``cs.CL, math``) -> distinct arXiv categories."""
    found: list[str] = []
    for value in values:
        for part in _LIST_SEPARATORS.split(value.strip()):
            if not part:
                continue
            if not _CATEGORY.fullmatch(part):
                shown = part[:30].encode("unicode_escape").decode("ascii")
                raise InvalidInputError(f"{shown!r} is not an arXiv category "
                                        "(like cs.CL, stat.ML or an archive like math)")
            found.append(part)
    categories = tuple(dict.fromkeys(found))
    if len(categories) > MAX_CATEGORIES:
        raise InvalidInputError(f"follow at most {MAX_CATEGORIES} categories")
    return categories


def parse_searches(text: str) -> tuple[str, ...]:
    """One saved search per line; each must be something the search can run."""
    searches: list[str] = []
    for line in _LINES.split(text):
        search = line.strip()
        if not search:
            continue
        if _CONTROL.search(search):
            raise InvalidInputError("a saved search cannot contain control characters")
        search = " ".join(search.split())
        if len(search) > MAX_SEARCH_CHARS:
            raise InvalidInputError(f"a saved search can be at most {MAX_SEARCH_CHARS} "
                                    f"characters long ({search[:40]!r}… is {len(search)})")
        try:
            query = parse_query(search)
        except InvalidQueryError as error:
            raise InvalidInputError(f"the search {search[:60]!r} cannot run: {error}") from None
        if not query.has_text:
            raise InvalidInputError(f"the search {search[:60]!r} has no words to look for; "
                                    "type words or a \"quoted phrase\" (filters alone, like "
                                    "cat:cs.CL, belong in the categories)")
        searches.append(search)
    unique = tuple(dict.fromkeys(searches))
    if len(unique) > MAX_SEARCHES:
        raise InvalidInputError(f"save at most {MAX_SEARCHES} searches")
    return unique


def parse_preferences(form: Mapping[str, str], categories: Iterable[str],
                      current: Preferences) -> Preferences:
    """The form's fields (checkbox categories passed apart, as they repeat)."""
    return Preferences(
        frequency=parse_frequency(form.get("frequency", current.frequency)),
        trending_count=parse_trending_count(form.get("trending_count",
                                                     str(current.trending_count))),
        categories=parse_categories([*categories, form.get("more_categories", "")]),
        searches=parse_searches(form.get("searches", "")),
        send_empty=form.get("send_empty") == "on",
        personal_picks=form.get("personal_picks") == "on",
        name=parse_name(form.get("name", "")),
    )
