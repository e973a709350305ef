"""Split arXiv author strings into an ordered list of names."""

from __future__ import annotations

import re
from typing import Any

from papertide.exceptions import RecordError
from papertide.sources.fields import clean_text

_PARENTHESES = re.compile(r"\([^()]*\)")
_SEPARATORS = re.compile(r",\s*(?:and\s+)?|\s+and\s+|;\s*")
# The few TeX accents arXiv metadata uses, mapped to combining characters.
_TEX_ACCENTS = {"'": "\u0301", "`": "\u0300", '"': "\u0308", "^": "\u0302", "~": "\u0303",
                "c": "\u0327", "v": "\u030c", "u": "\u0306", "=": "\u0304", ".": "\u0307"}
_TEX_ACCENT = re.compile(r"\\([\'`\"^~=.]|[cvu](?=[\s{]))\s*\{?([A-Za-z])\}?")
# Letters TeX writes as commands (``{\O}bro``, ``Pucha{\l}a``).
_TEX_LETTERS = {"AA": "Å", "aa": "å", "AE": "Æ", "ae": "æ", "OE": "Œ", "oe": "œ",
                "ss": "ß", "O": "Ø", "o": "ø", "L": "Ł", "l": "ł", "i": "i"}
_TEX_LETTER = re.compile(r"\\(AA|aa|AE|ae|OE|oe|ss|O|o|L|l|i)(?![A-Za-z])\s?")


def _detex(text: str) -> str:
    import unicodedata

    def accent(match: re.Match[str]) -> str:
        return unicodedata.normalize("NFC", match.group(2) + _TEX_ACCENTS[match.group(1)])

    text = _TEX_LETTER.sub(lambda match: _TEX_LETTERS[match.group(1)], text)
    return _TEX_ACCENT.sub(accent, text).replace("{", "").replace("}", "")


def _without_parentheses(text: str) -> str:
    """Drop affiliations, innermost first: ``X (1) ((1) CREST, Japan)`` -> ``X``."""
    while True:
        stripped = _PARENTHESES.sub("", text)
        if stripped == text:
            return text
        text = stripped


def parse_authors(value: Any) -> tuple[str, ...]:
    """``"A. Smith, B. Jones and C. Wu"`` or a list of names -> names in order."""
    if value is None:
        return ()
    if isinstance(value, list):
        names = [_author_name(item) for item in value]
        return tuple(name for name in names if name)
    if not isinstance(value, str):
        raise RecordError(f"'authors': expected text, got {type(value).__name__}")
    text = clean_text(_without_parentheses(_detex(value))) or ""
    return tuple(part.strip() for part in _SEPARATORS.split(text) if part.strip())


def _author_name(item: Any) -> str | None:
    if isinstance(item, str):
        return clean_text(item)
    if isinstance(item, dict):
        return clean_text(item.get("name")) if isinstance(item.get("name"), str) else None
    if isinstance(item, list) and item:
        # Kaggle's authors_parsed: [last, first, suffix]
        last, first = str(item[0]), str(item[1]) if len(item) > 1 else ""
        return clean_text(_detex(f"{first} {last}"))
    return None
