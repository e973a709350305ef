"""Bulk reads for trending and rising topics."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterator, Sequence

from papertide.models import Observation, SignalSeries
from papertide.store.sql.mixin import SqlMixin, placeholders
from papertide.store.sql.rows import day, stamp, unstamp

ID_CHUNK = 500
_OBSERVATION_COLUMNS = "arxiv_id, source, signal, observed_at, value_number, value_text, extra"


class SignalsMixin(SqlMixin):
    def announced_between(self, start: dt.date, end: dt.date) -> list[tuple[str, dt.date]]:
        with self._guard("listing announced papers"):
            rows = self._connection().execute(
                "SELECT arxiv_id, announced_date FROM papers "
                "WHERE announced_date >= ? AND announced_date < ?",
                (start.isoformat(), end.isoformat()),
            ).fetchall()
        return [(arxiv_id, dt.date.fromisoformat(value)) for arxiv_id, value in rows]

    def announced_dates(self, arxiv_ids: Sequence[str]) -> dict[str, dt.date | None]:
        found: dict[str, dt.date | None] = {}
        for start in range(0, len(arxiv_ids), ID_CHUNK):
            chunk = list(arxiv_ids[start:start + ID_CHUNK])
            with self._guard("reading announced dates"):
                rows = self._connection().execute(
                    f"SELECT arxiv_id, announced_date FROM papers WHERE arxiv_id IN "
                    f"({placeholders(chunk)})", chunk,
                ).fetchall()
            found.update((arxiv_id, day(value)) for arxiv_id, value in rows)
        return found

    def signal_history_since(
        self, since: dt.datetime, signals: Collection[str]
    ) -> list[Observation]:
        if not signals:
            return []
        names = sorted(signals)
        in_signals = f"signal IN ({placeholders(names)})"
        moment = stamp(since)
        with self._guard("reading observations"):
            connection = self._connection()
            recent = connection.execute(
                f"SELECT {_OBSERVATION_COLUMNS} FROM observations "
                f"WHERE {in_signals} AND value_number IS NOT NULL AND observed_at > ?",
                [*names, moment],
            ).fetchall()
            # The latest observation of each paper and signal before ``since``.
            baseline = connection.execute(
                f"SELECT {_OBSERVATION_COLUMNS} FROM (SELECT {_OBSERVATION_COLUMNS}, "
                "row_number() OVER (PARTITION BY arxiv_id, signal "
                "ORDER BY observed_at DESC, id DESC) AS newest "
                f"FROM observations WHERE {in_signals} AND value_number IS NOT NULL "
                f"AND observed_at <= ? AND arxiv_id IN (SELECT arxiv_id FROM observations "
                f"WHERE {in_signals} AND observed_at > ?)) latest WHERE newest = 1",
                [*names, moment, *names, moment],
            ).fetchall()
        observations = [
            Observation(row[0], row[1], row[2], unstamp(row[3]) or since, row[4], row[5],
                        json.loads(row[6]))
            for row in (*baseline, *recent)
        ]
        observations.sort(key=lambda o: (o.arxiv_id, o.signal, o.observed_at))
        return observations

    def latest_observation_at(self, signals: Collection[str]) -> dt.datetime | None:
        if not signals:
            return None
        names = sorted(signals)
        with self._guard("reading observations"):
            value = self._connection().execute(
                f"SELECT max(observed_at) FROM observations WHERE signal IN "
                f"({placeholders(names)})", names,
            ).fetchone()[0]
        return unstamp(value)

    def last_observation_id(self) -> int:
        with self._guard("reading observations"):
            value = self._connection().execute("SELECT max(id) FROM observations").fetchone()[0]
        return int(value or 0)

    def signal_series(self, arxiv_ids: Sequence[str]) -> dict[str, list[SignalSeries]]:
        found: dict[str, list[SignalSeries]] = {}
        for start in range(0, len(arxiv_ids), ID_CHUNK):
            chunk = list(dict.fromkeys(arxiv_ids[start:start + ID_CHUNK]))
            with self._guard("reading observations"):
                rows = self._connection().execute(
                    "SELECT arxiv_id, signal, seen, lowest, value_number, value_text, extra, "
                    "first_at, observed_at FROM (SELECT arxiv_id, signal, value_number, "
                    "value_text, extra, observed_at, "
                    "count(*) OVER (PARTITION BY arxiv_id, signal) AS seen, "
                    "min(value_number) OVER (PARTITION BY arxiv_id, signal) AS lowest, "
                    "min(observed_at) OVER (PARTITION BY arxiv_id, signal) AS first_at, "
                    "row_number() OVER (PARTITION BY arxiv_id, signal "
                    "ORDER BY observed_at DESC, id DESC) AS newest "
                    f"FROM observations WHERE arxiv_id IN ({placeholders(chunk)})) latest "
                    "WHERE newest = 1 ORDER BY arxiv_id, signal", chunk,
                ).fetchall()
            for arxiv_id, signal, seen, lowest, number, text, extra, first, last in rows:
                last_at = unstamp(last) or dt.datetime.min.replace(tzinfo=dt.UTC)
                found.setdefault(arxiv_id, []).append(SignalSeries(
                    signal, int(seen), lowest, number, text, json.loads(extra),
                    unstamp(first) or last_at, last_at))
        return found

    def latest_observations(
        self, arxiv_ids: Sequence[str], signals: Collection[str]
    ) -> list[Observation]:
        if not signals or not arxiv_ids:
            return []
        names = sorted(signals)
        found: list[Observation] = []
        for start in range(0, len(arxiv_ids), ID_CHUNK):
            chunk = list(dict.fromkeys(arxiv_ids[start:start + ID_CHUNK]))
            with self._guard("reading observations"):
                rows = self._connection().execute(
                    f"SELECT {_OBSERVATION_COLUMNS} FROM (SELECT {_OBSERVATION_COLUMNS}, "
                    "row_number() OVER (PARTITION BY arxiv_id, signal "
                    "ORDER BY observed_at DESC, id DESC) AS newest FROM observations "
                    f"WHERE arxiv_id IN ({placeholders(chunk)}) "
                    f"AND signal IN ({placeholders(names)})) latest WHERE newest = 1",
                    [*chunk, *names],
                ).fetchall()
            found += (Observation(row[0], row[1], row[2], unstamp(row[3]) or dt.datetime.min,
                                  row[4], row[5], json.loads(row[6])) for row in rows)
        found.sort(key=lambda o: (o.arxiv_id, o.signal))
        return found

    def iter_texts(self, start: dt.date, end: dt.date,
                   batch_size: int = 5_000) -> Iterator[tuple[str, dt.date, str, str | None]]:
        with self._guard("reading titles and abstracts"):
            cursor = self._connection().execute(
                "SELECT arxiv_id, announced_date, title, abstract FROM papers "
                "WHERE announced_date >= ? AND announced_date < ? ORDER BY announced_date",
                (start.isoformat(), end.isoformat()),
            )
            while rows := cursor.fetchmany(batch_size):
                for arxiv_id, announced, title, abstract in rows:
                    yield arxiv_id, dt.date.fromisoformat(announced), title, abstract
