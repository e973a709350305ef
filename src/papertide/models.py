"""Domain records shared by every layer.

Plain frozen dataclasses: they cross the store, search, web and CLI
boundaries, so they carry data only, no behaviour that needs I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class PaperVersion:
    """One arXiv version of a paper (``version`` 1 is the first submission)."""

    version: int
    submitted: dt.datetime | None


@dataclass(frozen=True, slots=True)
class PaperRecord:
    """A paper as one source describes it, before it is merged into the store.

    Fields a source does not know are ``None`` (or empty); the merge keeps
    what the store already knows rather than erasing it.
    """

    arxiv_id: str
    title: str
    source: str
    abstract: str | None = None
    authors: tuple[str, ...] = ()
    primary_category: str | None = None
    categories: tuple[str, ...] = ()
    comments: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    versions: tuple[PaperVersion, ...] = ()
    submitted_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    announced_date: dt.date | None = None
    announced_is_estimate: bool = False

    @property
    def latest_version(self) -> int | None:
        return max((v.version for v in self.versions), default=None)


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper as the store keeps it: the merge of every record seen."""

    arxiv_id: str
    title: str
    abstract: str | None
    authors: tuple[str, ...]
    primary_category: str | None
    categories: tuple[str, ...]
    comments: str | None
    journal_ref: str | None
    doi: str | None
    license: str | None
    latest_version: int | None
    versions: tuple[PaperVersion, ...]
    submitted_at: dt.datetime | None
    updated_at: dt.datetime | None
    announced_date: dt.date | None
    announced_is_estimate: bool
    sources: tuple[str, ...]
    first_stored_at: dt.datetime
    last_changed_at: dt.datetime
    change_seq: int = 0

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}"


@dataclass(frozen=True, slots=True)
class Observation:
    """A time-stamped outside signal about a paper (HF upvotes, GitHub stars...).

    Observations are append-only: trending needs the change over time,
    so a new value never overwrites an old one.
    """

    arxiv_id: str
    source: str
    signal: str
    observed_at: dt.datetime
    value_number: float | None = None
    value_text: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """What a batch of records did to the store."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.new + other.new,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


@dataclass(frozen=True, slots=True)
class PaperPage:
    """One page of a paper listing plus the total it was cut from (or its estimate)."""

    papers: tuple[Paper, ...]
    total: int
    offset: int
    limit: int
    total_exact: bool = True

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.papers) < self.total


@dataclass(frozen=True, slots=True)
class SignalSeries:
    """One outside signal of one paper, summed up: how often it was observed, its
    smallest number, its latest value, and when it was first and last observed."""

    signal: str
    observations: int
    lowest: float | None
    latest_number: float | None
    latest_text: str | None
    latest_extra: dict[str, Any]
    first_at: dt.datetime
    last_at: dt.datetime
