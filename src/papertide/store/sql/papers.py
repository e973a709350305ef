"""Papers, their versions, sources, outside observations and the meta table, in shared SQL.

Writes happen inside the engine's ``transaction()``, which serialises writers
(SQLite by its write lock, PostgreSQL by an advisory lock): the change
sequence below is ``max + 1`` and the search indexes follow it in order.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from papertide.exceptions import StorageError
from papertide.models import Observation, Paper, PaperPage, PaperRecord, PaperVersion, UpsertCounts
from papertide.store.base import ListingOrder
from papertide.store.merge import merge_batch
from papertide.store.paper_events import batch_events, code_events
from papertide.store.sql.follows import write_paper_events
from papertide.store.sql.mixin import SqlMixin, placeholders
from papertide.store.sql.rows import (
    PAPER_COLUMNS,
    hydrated,
    paper_row,
    select_papers,
    stamp,
    unstamp,
)

# Stay far below every engine's limit of bound variables for IN (...) lists.
ID_CHUNK = 500
_UPSERT_PAPER = (
    f"INSERT INTO papers ({', '.join(PAPER_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in PAPER_COLUMNS)}) "
    "ON CONFLICT (arxiv_id) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in PAPER_COLUMNS[1:])
)
_CHANGE_SEQ_COLUMN = PAPER_COLUMNS.index("change_seq")
_ORDERS: dict[str, str] = {
    "date": "announced_date DESC, submitted_at DESC, arxiv_id",
    "title": "lower(title), arxiv_id",
}


class PapersMixin(SqlMixin):
    @property
    def instance_id(self) -> str:
        value = self.get_meta("instance_id")
        if value is None:
            raise StorageError("the database has no instance id; it was not made by papertide")
        return value

    # -- papers ------------------------------------------------------------------------

    def upsert_papers(self, records: Sequence[PaperRecord], now: dt.datetime) -> UpsertCounts:
        ids = list(dict.fromkeys(record.arxiv_id for record in records))
        with self.transaction(), self._guard("saving papers"):
            existing = self.get_papers(ids)
            changed = merge_batch(existing, records, now)
            self._write_papers(list(changed.values()), existing, now)
            write_paper_events(self._connection(),
                               [(event, now) for event in batch_events(existing, changed)])
        new = sum(arxiv_id not in existing for arxiv_id in changed)
        return UpsertCounts(new=new, updated=len(changed) - new,
                            unchanged=len(ids) - len(changed))

    def _write_papers(
        self, papers: list[Paper], existing: dict[str, Paper], now: dt.datetime
    ) -> None:
        if not papers:
            return
        connection = self._connection()
        next_seq = self.max_change_seq() + 1
        # The sequence goes straight into the row: dataclasses.replace on every
        # paper cost about a tenth of a bulk import.
        connection.executemany(_UPSERT_PAPER, [
            _with_change_seq(paper_row(paper), next_seq + offset)
            for offset, paper in enumerate(papers)
        ])
        connection.executemany(
            "INSERT INTO paper_versions (arxiv_id, version, submitted_at) VALUES (?, ?, ?) "
            "ON CONFLICT (arxiv_id, version) DO UPDATE SET submitted_at = excluded.submitted_at",
            [
                (paper.arxiv_id, version.version, stamp(version.submitted))
                for paper in papers
                for version in paper.versions
                if version not in _versions_of(existing.get(paper.arxiv_id))
            ],
        )
        connection.executemany(
            "INSERT INTO paper_sources (arxiv_id, source, first_seen_at) "
            "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [
                (paper.arxiv_id, source, stamp(now))
                for paper in papers
                for source in paper.sources
                if source not in _sources_of(existing.get(paper.arxiv_id))
            ],
        )

    def get_paper(self, arxiv_id: str) -> Paper | None:
        return self.get_papers([arxiv_id]).get(arxiv_id)

    def get_papers(self, arxiv_ids: Sequence[str]) -> dict[str, Paper]:
        found: dict[str, Paper] = {}
        for start in range(0, len(arxiv_ids), ID_CHUNK):
            chunk = list(arxiv_ids[start:start + ID_CHUNK])
            with self._guard("reading papers"):
                rows = self._connection().execute(
                    f"{self._select_papers} WHERE arxiv_id IN ({placeholders(chunk)})", chunk
                ).fetchall()
            found.update((paper.arxiv_id, paper) for paper in self._hydrate(rows))
        return found

    @property
    def _select_papers(self) -> str:
        return select_papers(self.dialect.json_rows)

    def _hydrate(self, rows: list[Any]) -> list[Paper]:
        """Papers from rows of ``_select_papers`` (their versions and sources included)."""
        return [hydrated(row) for row in rows]

    def count_papers(self) -> int:
        with self._guard("counting papers"):
            return int(self._connection().execute("SELECT count(*) FROM papers").fetchone()[0])

    def list_announced(
        self,
        start: dt.date,
        end: dt.date,
        limit: int,
        offset: int = 0,
        order: ListingOrder = "date",
    ) -> PaperPage:
        bounds = (start.isoformat(), end.isoformat())
        where = "WHERE announced_date >= ? AND announced_date < ?"
        with self._guard("listing papers"):
            connection = self._connection()
            total = connection.execute(f"SELECT count(*) FROM papers {where}", bounds).fetchone()[0]
            rows = connection.execute(
                f"{self._select_papers} {where} ORDER BY {_ORDERS[order]} LIMIT ? OFFSET ?",
                (*bounds, limit, offset),
            ).fetchall()
            papers = self._hydrate(rows)
        return PaperPage(tuple(papers), int(total), offset, limit)

    def latest_announced_date(self) -> dt.date | None:
        with self._guard("reading the latest day"):
            value = self._connection().execute(
                "SELECT max(announced_date) FROM papers"
            ).fetchone()[0]
        return dt.date.fromisoformat(value) if value else None

    def adjacent_announced_date(self, day: dt.date, later: bool) -> dt.date | None:
        query = (
            "SELECT min(announced_date) FROM papers WHERE announced_date > ?"
            if later
            else "SELECT max(announced_date) FROM papers WHERE announced_date < ?"
        )
        with self._guard("finding the adjacent day"):
            value = self._connection().execute(query, (day.isoformat(),)).fetchone()[0]
        return dt.date.fromisoformat(value) if value else None

    def papers_changed_since(self, change_seq: int, limit: int) -> list[Paper]:
        with self._guard("reading changed papers"):
            rows = self._connection().execute(
                f"{self._select_papers} WHERE change_seq > ? ORDER BY change_seq LIMIT ?",
                (change_seq, limit),
            ).fetchall()
            return self._hydrate(rows)

    def max_change_seq(self) -> int:
        with self._guard("reading the change sequence"):
            value = self._connection().execute("SELECT max(change_seq) FROM papers").fetchone()[0]
        return int(value or 0)

    def iter_all_papers(self, batch_size: int = 2_000) -> Iterator[Paper]:
        after = -1
        while True:
            batch = self.papers_changed_since(after, batch_size)
            if not batch:
                return
            yield from batch
            after = batch[-1].change_seq

    # -- observations and meta -----------------------------------------------------------

    def add_observations(self, observations: Iterable[Observation]) -> int:
        observations = list(observations)
        rows = [
            (o.arxiv_id, o.source, o.signal, stamp(o.observed_at), o.value_number, o.value_text,
             json.dumps(o.extra, ensure_ascii=False, sort_keys=True))
            for o in observations
        ]
        with self.transaction(), self._guard("saving observations"):
            self._connection().executemany(
                "INSERT INTO observations (arxiv_id, source, signal, observed_at, value_number, "
                "value_text, extra) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            write_paper_events(self._connection(), [
                (event, observation.observed_at) for observation in observations
                for event in code_events([observation])])
        return len(rows)

    def observations_for(self, arxiv_id: str) -> list[Observation]:
        with self._guard("reading observations"):
            rows = self._connection().execute(
                "SELECT arxiv_id, source, signal, observed_at, value_number, value_text, extra "
                "FROM observations WHERE arxiv_id = ? ORDER BY signal, observed_at, id",
                (arxiv_id,),
            ).fetchall()
        return [
            Observation(row[0], row[1], row[2], unstamp(row[3]) or dt.datetime.min, row[4], row[5],
                        json.loads(row[6]))
            for row in rows
        ]

    def get_meta(self, key: str) -> str | None:
        with self._guard("reading settings"):
            row = self._connection().execute(
                "SELECT value FROM meta WHERE key = ?", (key,)
            ).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction(), self._guard("saving settings"):
            self._connection().execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )



def _with_change_seq(row: tuple[Any, ...], change_seq: int) -> tuple[Any, ...]:
    return (*row[:_CHANGE_SEQ_COLUMN], change_seq, *row[_CHANGE_SEQ_COLUMN + 1:])


def _versions_of(paper: Paper | None) -> tuple[PaperVersion, ...]:
    return paper.versions if paper else ()


def _sources_of(paper: Paper | None) -> tuple[str, ...]:
    return paper.sources if paper else ()
