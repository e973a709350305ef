"""Storage of the job queue: claiming with row locks, leases renewed by a heartbeat."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from papertide.jobs.models import ClaimedJob, JobRecord, JobState, NewJob
from papertide.store.sql.mixin import SqlMixin
from papertide.store.sql.rows import stamp, unstamp

_RECORD_COLUMNS = (
    "id, key, kind, state, attempts, max_attempts, run_after, lease_owner, lease_until, "
    "created_at, started_at, finished_at, last_error, result, parent_id, lane"
)
_CLAIM_COLUMNS = ("j.id, j.key, j.kind, j.payload, j.lane, j.attempts, j.max_attempts, "
                  "j.parent_id, j.state, j.lease_owner, j.last_error, j.lease_token")
MAX_TEXT = 2_000
# The job is still running under the lease this holder got: same owner, same claim.
_HELD = "id = :id AND lease_owner = :owner AND lease_token = :fence AND state = 'running'"
ABANDONED = "its worker stopped before finishing (the lease ran out)"


def _moment(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _short(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def _record(row: Sequence[Any]) -> JobRecord:
    created = unstamp(row[9])
    assert created is not None
    return JobRecord(
        id=int(row[0]), key=row[1], kind=row[2], state=row[3], attempts=int(row[4]),
        max_attempts=int(row[5]), run_after=_moment(float(row[6])), lease_owner=row[7],
        lease_until=None if row[8] is None else _moment(float(row[8])), created_at=created,
        started_at=unstamp(row[10]), finished_at=unstamp(row[11]), last_error=row[12],
        result=row[13], parent_id=None if row[14] is None else int(row[14]), lane=row[15],
    )


class JobsMixin(SqlMixin):
    def enqueue_job(self, job: NewJob, now: float) -> int | None:
        with self.transaction(), self._guard("queueing a job"):
            connection = self._connection()
            if job.only_if_none_queued and connection.execute(
                    "SELECT 1 FROM jobs WHERE kind = ? AND state = 'queued' LIMIT 1",
                    (job.kind,)).fetchone() is not None:
                return None
            row = connection.execute(
                "INSERT INTO jobs (key, kind, lane, payload, state, attempts, max_attempts, "
                "run_after, created_at, parent_id) VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO NOTHING RETURNING id",
                (job.key, job.kind, job.lane, json.dumps(job.payload, sort_keys=True),
                 job.max_attempts, job.run_after or now, stamp(_moment(now)), job.parent_id),
            ).fetchone()
        return None if row is None else int(row[0])

    def claim_job(self, owner: str, now: float, lease_until: float,
                  ids: Sequence[int] | None = None, kinds: Sequence[str] | None = None
                  ) -> ClaimedJob | None:
        if (ids is not None and not ids) or (kinds is not None and not kinds):
            return None
        only: dict[str, Any] = {}
        among = ""
        for column, wanted in (("id", ids), ("kind", kinds)):
            if wanted is not None:
                names = {f"{column}{position}": value for position, value in enumerate(wanted)}
                among += f" AND j.{column} IN ({', '.join(':' + name for name in names)})"
                only.update(names)
        with self.transaction(), self._guard("claiming a job"):
            connection = self._connection()
            while True:
                row = connection.execute(
                    f"SELECT {_CLAIM_COLUMNS} FROM jobs AS j "
                    "WHERE ((j.state = 'queued' AND j.run_after <= :now) "
                    "OR (j.state = 'running' AND j.lease_until < :now)) "
                    "AND (j.lane IS NULL OR NOT EXISTS (SELECT 1 FROM jobs AS other "
                    "WHERE other.lane = j.lane AND other.state = 'running' "
                    f"AND other.lease_until >= :now AND other.id <> j.id)){among} "
                    f"ORDER BY j.run_after, j.id LIMIT 1{self.dialect.lock_rows}",
                    {"now": now, **only},
                ).fetchone()
                if row is None:
                    return None
                job_id, attempts, max_attempts = int(row[0]), int(row[5]), int(row[6])
                abandoned_by = row[9] if row[8] == "running" else None
                error = ABANDONED if abandoned_by else row[10]
                if attempts >= max_attempts:
                    connection.execute(
                        "UPDATE jobs SET state = 'failed', finished_at = ?, last_error = ?, "
                        "lease_until = NULL WHERE id = ?",
                        (stamp(_moment(now)),
                         _short(f"gave up after {attempts} attempts: {error or 'no reason'}"),
                         job_id))
                    continue
                fence = int(row[11]) + 1
                connection.execute(
                    "UPDATE jobs SET state = 'running', lease_owner = ?, lease_until = ?, "
                    "attempts = attempts + 1, started_at = ?, last_error = ?, lease_token = ? "
                    "WHERE id = ?",
                    (owner, lease_until, stamp(_moment(now)), error, fence, job_id))
                return ClaimedJob(job_id, row[1], row[2], json.loads(row[3]), row[4],
                                  attempts + 1, max_attempts,
                                  None if row[7] is None else int(row[7]), abandoned_by, fence)

    def renew_job_lease(self, job_id: int, owner: str, lease_until: float, *, fence: int
                        ) -> bool:
        # One conditional row update: where rows lock (PostgreSQL) it needs no write lock,
        # so a heartbeat never waits behind another worker's long write transaction.
        with (nullcontext() if self.dialect.lock_rows else self.transaction()), \
                self._guard("renewing a job's lease"):
            cursor = self._connection().execute(
                f"UPDATE jobs SET lease_until = :until WHERE {_HELD}",
                {"until": lease_until, "id": job_id, "owner": owner, "fence": fence})
        return cursor.rowcount == 1

    def finish_job(self, job_id: int, owner: str, now: float, result: str, *, fence: int
                   ) -> bool:
        return self._update_job(
            "state = 'done', finished_at = :now, result = :result, lease_until = NULL",
            job_id, owner, fence, now=stamp(_moment(now)), result=_short(result))

    def fail_job(self, job_id: int, owner: str, now: float, error: str,
                 retry_at: float | None, *, fence: int) -> bool:
        if retry_at is None:
            return self._update_job(
                "state = 'failed', finished_at = :now, last_error = :error, "
                "lease_until = NULL", job_id, owner, fence, now=stamp(_moment(now)),
                error=_short(error))
        return self._update_job(
            "state = 'queued', run_after = :retry, last_error = :error, lease_owner = NULL, "
            "lease_until = NULL", job_id, owner, fence, retry=retry_at, error=_short(error))

    def release_job(self, job_id: int, owner: str, run_after: float, note: str, *,
                    fence: int) -> bool:
        return self._update_job(
            "state = 'queued', attempts = attempts - 1, run_after = :after, "
            "last_error = :note, lease_owner = NULL, lease_until = NULL",
            job_id, owner, fence, after=run_after, note=_short(note))

    def get_job(self, job_id: int) -> JobRecord | None:
        with self._guard("reading a job"):
            row = self._connection().execute(
                f"SELECT {_RECORD_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else _record(row)

    def job_records(self, limit: int, states: Sequence[JobState] = (),
                    kinds: Sequence[str] = ()) -> list[JobRecord]:
        conditions: list[str] = []
        values: dict[str, Any] = {"limit": limit}
        for column, wanted in (("state", states), ("kind", kinds)):
            if wanted:
                names = {f"{column}{position}": value for position, value in enumerate(wanted)}
                conditions.append(f"{column} IN ({', '.join(':' + name for name in names)})")
                values.update(names)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        with self._guard("listing jobs"):
            rows = self._connection().execute(
                f"SELECT {_RECORD_COLUMNS} FROM jobs{where} ORDER BY id DESC LIMIT :limit",
                values).fetchall()
        return [_record(row) for row in rows]

    def job_counts(self) -> dict[str, int]:
        with self._guard("counting jobs"):
            rows = self._connection().execute(
                "SELECT state, count(*) FROM jobs GROUP BY state").fetchall()
        return {row[0]: int(row[1]) for row in rows}

    def purge_jobs(self, finished_before: float) -> int:
        with self.transaction(), self._guard("forgetting old jobs"):
            cursor = self._connection().execute(
                "DELETE FROM jobs WHERE state IN ('done', 'failed') AND finished_at < ?",
                (stamp(_moment(finished_before)),))
        return int(cursor.rowcount)

    def _update_job(self, assignments: str, job_id: int, owner: str, fence: int,
                    **values: Any) -> bool:
        """Apply ``assignments`` if ``owner`` still holds the running job under ``fence``."""
        with self.transaction(), self._guard("updating a job"):
            cursor = self._connection().execute(
                f"UPDATE jobs SET {assignments} WHERE {_HELD}",
                {**values, "id": job_id, "owner": owner, "fence": fence})
        return cursor.rowcount == 1
