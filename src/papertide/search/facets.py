"""What a vector search filters on, held per slot in numpy arrays.

Mirrors the keyword index's filter semantics exactly: categories are
compared lowercased, and a paper is also filed under its archive (``cs`` for
``cs.LG``); days are ``yyyymmdd`` integers (0 when unknown) bounded
inclusively. Kept in memory beside the vectors so that a filter costs a few
vectorised comparisons, not a trip to the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from papertide.search.facet_terms import day_number, filed_categories, wanted_categories

BoolMask = npt.NDArray[np.bool_]
GROWTH = 1.5


class Facets:
    """Announced day and category membership of each slot."""

    def __init__(self) -> None:
        self.vocabulary: list[str] = []
        self._terms: dict[str, int] = {}
        self.days = np.zeros(0, dtype=np.int32)
        self.bits = np.zeros((0, 1), dtype=np.uint8)

    @classmethod
    def restore(cls, vocabulary: list[str], days: npt.NDArray[np.int32],
                bits: npt.NDArray[np.uint8]) -> Facets:
        facets = cls()
        facets.vocabulary = list(vocabulary)
        facets._terms = {term: i for i, term in enumerate(vocabulary)}
        facets.days, facets.bits = days, bits
        return facets

    def resize(self, slots: int) -> None:
        """Make room for ``slots`` slots (new ones have no day and no category)."""
        if slots <= len(self.days):
            return
        grown = max(slots, int(len(self.days) * GROWTH))
        self.days = np.concatenate([self.days, np.zeros(grown - len(self.days), np.int32)])
        extra = np.zeros((grown - self.bits.shape[0], self.bits.shape[1]), np.uint8)
        self.bits = np.concatenate([self.bits, extra])

    def set(self, slot: int, day: dt.date | None, categories: Sequence[str]) -> None:
        self.days[slot] = day_number(day)
        self.bits[slot] = 0
        for term in filed_categories(categories):
            index = self._terms.get(term)
            if index is None:
                index = self._add_term(term)
            self.bits[slot, index // 8] |= np.uint8(1 << (index % 8))

    def _add_term(self, term: str) -> int:
        index = len(self.vocabulary)
        self.vocabulary.append(term)
        self._terms[term] = index
        if index // 8 >= self.bits.shape[1]:
            self.bits = np.concatenate(
                [self.bits, np.zeros((self.bits.shape[0], 1), np.uint8)], axis=1)
        return index

    def mask(
        self,
        slots: int,
        categories: Sequence[str],
        date_from: dt.date | None,
        date_to: dt.date | None,
    ) -> BoolMask | None:
        """Slots ``[0, slots)`` passing the filter, or ``None`` when nothing filters."""
        mask: BoolMask | None = None
        if date_from or date_to:
            days = self.days[:slots]
            mask = np.ones(slots, dtype=bool)
            if date_from:
                mask &= days >= day_number(date_from)
            if date_to:
                mask &= days <= day_number(date_to)
        if categories:
            wanted = [self._terms.get(term) for term in wanted_categories(categories)]
            in_category = np.zeros(slots, dtype=bool)
            for index in wanted:
                if index is not None:
                    in_category |= (self.bits[:slots, index // 8] & (1 << (index % 8))) != 0
            mask = in_category if mask is None else mask & in_category
        return mask
