"""Bulk reads that trending and rising topics need (every engine implements them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from typing import Protocol

from papertide.models import Observation, SignalSeries


class SignalStore(Protocol):
    def announced_between(self, start: dt.date, end: dt.date) -> list[tuple[str, dt.date]]:
        """``(arxiv_id, announced_date)`` of the papers announced in ``[start, end)``."""
        ...

    def announced_dates(self, arxiv_ids: Sequence[str]) -> dict[str, dt.date | None]: ...

    def signal_history_since(
        self, since: dt.datetime, signals: Collection[str]
    ) -> list[Observation]:
        """Numeric observations of ``signals`` made after ``since``, plus, for each
        (paper, signal) among them, the last one made at or before ``since`` (the
        baseline a change is measured from). Ordered by paper, signal, time."""
        ...

    def latest_observations(
        self, arxiv_ids: Sequence[str], signals: Collection[str]
    ) -> list[Observation]:
        """The newest observation of each (paper, signal) among ``signals``, for the
        papers a page shows: what a card says now, not the history."""
        ...

    def latest_observation_at(self, signals: Collection[str]) -> dt.datetime | None:
        """When the newest observation of any of ``signals`` was made (None: never)."""
        ...

    def signal_series(self, arxiv_ids: Sequence[str]) -> dict[str, list[SignalSeries]]:
        """Each paper's observed signals, summed up per signal (papers with none are absent)."""
        ...

    def last_observation_id(self) -> int:
        """The newest observation's number (0: none): observations are only ever added,
        under the write lock, so what was read of them holds until this changes."""
        ...

    def iter_texts(self, start: dt.date, end: dt.date,
                   batch_size: int = 5_000) -> Iterator[tuple[str, dt.date, str, str | None]]:
        """``(arxiv_id, announced_date, title, abstract)`` announced in ``[start, end)``."""
        ...
