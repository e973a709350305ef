"""Parse what a person types into the search box; never fail on odd input.

Syntax (documented on the search page):
- words: any paper containing some of them, best matches first (BM25);
- ``"a phrase"``: papers containing the exact phrase (required);
- ``+word`` requires a word, ``-word`` / ``-"phrase"`` / ``NOT word`` excludes;
- ``author:name`` / ``author:"Jane Doe"``, ``cat:cs.LG`` (``cat:cs`` = the archive),
  ``from:2025-03`` and ``to:2025-06-30`` (a year, month or day);
- ``word*``: words starting with ``word`` (at least 3 letters);
- a hyphenated word (``zero-shot``) also matches it written solid (``zeroshot``)
  and, ranked lower, its parts; ``+zero-shot`` needs it hyphenated, solid or
  as the phrase "zero shot" (the engine decides how; see tantivy_query.py);
- ``AND``, ``OR``, ``NEAR`` are read as plain separators.

Anything unusable (unbalanced quotes, a bad date, a stray ``:``) becomes a
notice shown beside the results rather than an error.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from papertide.exceptions import InvalidPeriodError, InvalidQueryError
from papertide.periods import parse_period

MAX_QUERY_CHARS = 1_000
# A pasted abstract or draft (the API's POST form) may be this long.
MAX_LONG_QUERY_CHARS = 20_000
# Phrases, filters, prefixes, required and excluded words: each costs the engine a
# clause of its own. Plain words are all kept (a pasted abstract is searched whole);
# the engine picks the most telling of a long text's words (``long_queries``).
MAX_CLAUSES = 32
MIN_PREFIX = 3
# A prefix stands for at most this many words (the most frequent): ``pro*`` stays fast.
MAX_PREFIX_WORDS = 200
_FIELD_ALIASES = {
    "author": "author", "au": "author", "by": "author",
    "cat": "cat", "category": "cat",
    "from": "from", "since": "from", "after": "from",
    "to": "to", "until": "to", "before": "to",
}
# The filters a search can be loosened by, and the query fields that set each.
FilterKind = Literal["author", "cat", "date"]
FILTER_KINDS: tuple[FilterKind, ...] = ("author", "cat", "date")
_FIELDS_OF_KIND = {"author": {"author"}, "cat": {"cat"}, "date": {"from", "to"}}
_OPERATOR_WORDS = {"AND", "OR", "NEAR", "&&", "||"}
_TOKEN = re.compile(
    r'(?P<sign>[+-]?)(?:(?P<field>[A-Za-z]+):)?(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))'
)
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query split into the parts every engine knows how to run."""

    words: tuple[str, ...] = ()
    required_words: tuple[str, ...] = ()
    excluded_words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded_phrases: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    notices: tuple[str, ...] = field(default=())

    @property
    def has_text(self) -> bool:
        """True if something is matched by words, not only filtered."""
        return bool(self.words or self.required_words or self.phrases or self.prefixes)

    @property
    def has_filters(self) -> bool:
        return bool(self.authors or self.categories or self.date_from or self.date_to)

    @property
    def is_empty(self) -> bool:
        return not (self.has_text or self.has_filters or self.excluded_words
                    or self.excluded_phrases)

    def filter_kinds(self) -> tuple[FilterKind, ...]:
        """Which kinds of filter the query has, in ``FILTER_KINDS`` order."""
        present = {"author": bool(self.authors), "cat": bool(self.categories),
                   "date": bool(self.date_from or self.date_to)}
        return tuple(kind for kind in FILTER_KINDS if present[kind])

    def without_filter(self, kind: FilterKind) -> ParsedQuery:
        """The same query with one kind of filter dropped (to say what emptied it)."""
        if kind == "author":
            return replace(self, authors=())
        if kind == "cat":
            return replace(self, categories=())
        return replace(self, date_from=None, date_to=None)

    def describe_filter(self, kind: FilterKind) -> str:
        """The filter as a person would type it: ``author:"Jane Doe"``, ``cat:cs.CL``."""
        if kind == "author":
            return " ".join(f'author:"{name}"' if " " in name else f"author:{name}"
                            for name in self.authors)
        if kind == "cat":
            return " ".join(f"cat:{category}" for category in self.categories)
        bounds = [f"from:{self.date_from.isoformat()}" if self.date_from else "",
                  f"to:{self.date_to.isoformat()}" if self.date_to else ""]
        return " ".join(bound for bound in bounds if bound)

    def with_filters(
        self,
        authors: tuple[str, ...] = (),
        categories: tuple[str, ...] = (),
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
    ) -> ParsedQuery:
        """Add filters given outside the query text (form fields, API parameters)."""
        return replace(
            self,
            authors=self.authors + authors,
            categories=self.categories + categories,
            date_from=date_from or self.date_from,
            date_to=date_to or self.date_to,
        )


def parse_query(text: str, max_chars: int = MAX_QUERY_CHARS) -> ParsedQuery:
    """Split ``text`` into words, phrases and filters (see the module docstring)."""
    if len(text) > max_chars:
        raise InvalidQueryError(
            f"the query is {len(text):,} characters long; at most {max_chars:,} are searched"
            + (" (send longer text with POST /api/search)" if max_chars < MAX_LONG_QUERY_CHARS
               else "")
        )
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    notices: list[str] = []
    if text.count('"') % 2:
        notices.append("An unmatched quote was ignored.")
        text = _drop_last_quote(text)
    parts: dict[str, list[str]] = {name: [] for name in (
        "words", "required_words", "excluded_words", "phrases", "excluded_phrases",
        "prefixes", "authors", "categories")}
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    negate_next = False
    clauses = 0
    for match in _TOKEN.finditer(text):
        sign, field_name = match.group("sign"), match.group("field")
        quoted, bare = match.group("quoted"), match.group("bare")
        value = (quoted if quoted is not None else bare or "").strip()
        if negate_next:
            sign, negate_next = "-", False
        if field_name is None and quoted is None and value in _OPERATOR_WORDS:
            continue
        if field_name is None and quoted is None and value == "NOT":
            negate_next = True
            continue
        if not value:
            continue
        plain = field_name is None and quoted is None and not sign and not value.endswith("*")
        clauses += not plain
        if clauses > MAX_CLAUSES:
            notices.append(f"Only the first {MAX_CLAUSES} phrases, filters and signed or"
                           f" starred words were searched.")
            clauses -= 1
            continue
        if field_name is not None:
            canonical = _FIELD_ALIASES.get(field_name.lower())
            if canonical is None:
                # Not a filter (``title:``, a URL...): search both parts as plain text.
                notices.append(f"{field_name}: is not a filter, so it was searched as a word.")
                _add_text(parts, sign, field_name, quoted=False, notices=notices)
                _add_text(parts, sign, value, quoted=quoted is not None, notices=notices)
                continue
            if canonical == "author":
                parts["authors"].append(value)
            elif canonical == "cat":
                parts["categories"].append(value)
            else:
                try:
                    if canonical == "from":
                        date_from = parse_date_bound(value, upper=False)
                    else:
                        date_to = parse_date_bound(value, upper=True)
                except InvalidPeriodError as error:
                    notices.append(f"Ignored {field_name}:{value} ({error}).")
            continue
        _add_text(parts, sign, value, quoted=quoted is not None, notices=notices)
    if date_from and date_to and date_from > date_to:
        notices.append("The date range was empty, so it was ignored.")
        date_from = date_to = None
    return ParsedQuery(
        **{name: tuple(dict.fromkeys(values)) for name, values in parts.items()},
        date_from=date_from,
        date_to=date_to,
        notices=tuple(dict.fromkeys(notices)),
    )


def bounded_prefix_notice(prefix: str) -> str:
    """What the reader is told when ``prefix*`` stands for more words than are searched."""
    return (f"{prefix}* starts more than {MAX_PREFIX_WORDS} words; the {MAX_PREFIX_WORDS}"
            f" most frequent were searched.")


def drop_filter_text(text: str, kind: FilterKind) -> str:
    """``text`` without its filters of one kind (``author:...``, ``cat:...``, dates)."""
    fields = _FIELDS_OF_KIND[kind]
    kept, position = [], 0
    for match in _TOKEN.finditer(text):
        name = match.group("field")
        if name is not None and _FIELD_ALIASES.get(name.lower()) in fields:
            kept.append(text[position:match.start()])
            position = match.end()
    kept.append(text[position:])
    return " ".join("".join(kept).split())


def _add_text(
    parts: dict[str, list[str]], sign: str, value: str, quoted: bool, notices: list[str]
) -> None:
    if quoted or " " in value:
        parts["excluded_phrases" if sign == "-" else "phrases"].append(value)
        return
    if value.endswith("*") and sign != "-":
        stem = value.rstrip("*")
        if len(stem) >= MIN_PREFIX and stem.isalnum():
            parts["prefixes"].append(stem)
            return
        if stem:
            notices.append(f"{stem}* is too short to stand for the words starting with it"
                           f" (at least {MIN_PREFIX} letters), so {stem} was searched as a word.")
        value = stem
    value = value.strip("*")
    if not value:
        return
    key = {"-": "excluded_words", "+": "required_words"}.get(sign, "words")
    parts[key].append(value)


def _drop_last_quote(text: str) -> str:
    position = text.rfind('"')
    return text[:position] + " " + text[position + 1:]


def parse_date_bound(value: str, upper: bool) -> dt.date:
    """A year, month or day; as an upper bound it means the last day of it."""
    value = value.strip()
    if _YEAR.fullmatch(value):
        year = int(value)
        if not 1991 <= year <= 2999:
            raise InvalidPeriodError(f"{value!r} is not a plausible year")
        return dt.date(year, 12, 31) if upper else dt.date(year, 1, 1)
    kind = "month" if len(value) <= 7 else "date"
    period = parse_period(kind, value)
    return period.last_day if upper else period.start
