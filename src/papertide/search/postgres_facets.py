"""The filters both PostgreSQL search tables share: categories and announced days.

``search_documents`` and ``vector_index`` each keep a ``categories`` text array
(lowercased, archives included, as the other engines file them) and an
``announced`` date, so a filter reads the same SQL against either table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from papertide.search.facet_terms import wanted_categories


def facet_conditions(
    categories: Sequence[str], date_from: dt.date | None, date_to: dt.date | None
) -> tuple[list[str], list[Any]]:
    """SQL conditions (``%s`` placeholders) and their parameters, to be joined with AND."""
    conditions: list[str] = []
    parameters: list[Any] = []
    wanted = list(wanted_categories(categories))
    if wanted:
        conditions.append("categories && %s::text[]")
        parameters.append(wanted)
    if date_from:
        conditions.append("announced >= %s")
        parameters.append(date_from)
    if date_to:
        conditions.append("announced <= %s")
        parameters.append(date_to)
    return conditions, parameters
