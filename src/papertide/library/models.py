"""A saved paper, as the store keeps it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

LibraryOrder = Literal["saved", "announced", "title"]
LIBRARY_ORDERS: tuple[LibraryOrder, ...] = ("saved", "announced", "title")


@dataclass(frozen=True, slots=True)
class SavedPaper:
    """One paper in one person's library, with that person's tags (sorted)."""

    arxiv_id: str
    saved_at: dt.datetime
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TagCount:
    tag: str
    papers: int
