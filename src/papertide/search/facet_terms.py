"""How papers are filed for the category and day filters, the same in every index.

A paper is filed under its categories lowercased and under their archives
(``cs.LG`` also counts as ``cs``), so ``cat:cs`` finds every computer science
paper; a filter asks for categories lowercased. Days are ``yyyymmdd`` integers
where an index compares numbers. tantivy, the in-memory vector facets,
pgvector and PostgreSQL's search table all read these, so a filter means the
same whichever engine answers it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


def filed_categories(categories: Sequence[str]) -> list[str]:
    """The terms a paper with ``categories`` is filed under, sorted."""
    lowered = wanted_categories(categories)
    return sorted({*lowered, *(category.split(".")[0] for category in lowered)})


def wanted_categories(categories: Sequence[str]) -> tuple[str, ...]:
    """The categories a filter asks for, lowercased, blanks and repeats dropped."""
    return tuple(dict.fromkeys(
        category.strip().lower() for category in categories if category.strip()))


def day_number(day: dt.date | None) -> int:
    """``day`` as 20260311; 0 when unknown."""
    return day.year * 10_000 + day.month * 100 + day.day if day else 0
