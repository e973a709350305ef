"""Storage of the latest rising-topics run."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from papertide.store.sql.mixin import SqlMixin
from papertide.store.sql.rows import stamp, unstamp
from papertide.topics.models import Topic, TopicRun

_RUN_KEY = "topics_run"
_TOPIC_COLUMNS = ("slug, phrase, rank, score, recent_papers, baseline_papers, recent_share, "
                  "baseline_share, weekly_papers")


def _topic(row: Sequence[Any]) -> Topic:
    return Topic(row[0], row[1], int(row[2]), float(row[3]), int(row[4]), int(row[5]),
                 float(row[6]), float(row[7]), tuple(json.loads(row[8])))


class TopicsMixin(SqlMixin):
    def replace_topics(self, run: TopicRun, papers: dict[str, list[str]]) -> None:
        summary = {
            "computed_at": stamp(run.computed_at),
            "as_of": run.as_of.isoformat(),
            "first_week": run.first_week.isoformat(),
            "recent_weeks": run.recent_weeks,
            "baseline_weeks": run.baseline_weeks,
            "weekly_totals": list(run.weekly_totals),
            "papers_considered": run.papers_considered,
            "change_seq": run.change_seq,
        }
        with self.transaction(), self._guard("saving rising topics"):
            connection = self._connection()
            connection.execute("DELETE FROM topic_papers")
            connection.execute("DELETE FROM topics")
            connection.executemany(
                f"INSERT INTO topics ({_TOPIC_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(t.slug, t.phrase, t.rank, t.score, t.recent_papers, t.baseline_papers,
                  t.recent_share, t.baseline_share, json.dumps(list(t.weekly_papers)))
                 for t in run.topics],
            )
            connection.executemany(
                "INSERT INTO topic_papers (slug, arxiv_id, position) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [(slug, arxiv_id, position) for slug, ids in papers.items()
                 for position, arxiv_id in enumerate(ids)],
            )
            connection.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_RUN_KEY, json.dumps(summary)),
            )

    def topic_run(self) -> TopicRun | None:
        with self._guard("reading rising topics"):
            connection = self._connection()
            row = connection.execute("SELECT value FROM meta WHERE key = ?", (_RUN_KEY,)).fetchone()
            if row is None:
                return None
            rows = connection.execute(
                f"SELECT {_TOPIC_COLUMNS} FROM topics ORDER BY rank"
            ).fetchall()
        summary = json.loads(row[0])
        computed_at = unstamp(summary["computed_at"])
        assert computed_at is not None
        return TopicRun(
            computed_at=computed_at,
            as_of=dt.date.fromisoformat(summary["as_of"]),
            first_week=dt.date.fromisoformat(summary["first_week"]),
            recent_weeks=int(summary["recent_weeks"]),
            baseline_weeks=int(summary["baseline_weeks"]),
            weekly_totals=tuple(summary["weekly_totals"]),
            papers_considered=int(summary["papers_considered"]),
            change_seq=int(summary["change_seq"]),
            topics=tuple(_topic(topic_row) for topic_row in rows),
        )

    def topic(self, slug: str) -> Topic | None:
        with self._guard("reading a topic"):
            row = self._connection().execute(
                f"SELECT {_TOPIC_COLUMNS} FROM topics WHERE slug = ?", (slug,)
            ).fetchone()
        return _topic(row) if row else None

    def topic_papers(self, slug: str, limit: int, offset: int) -> tuple[list[str], int]:
        with self._guard("reading a topic's papers"):
            connection = self._connection()
            total = connection.execute(
                "SELECT count(*) FROM topic_papers WHERE slug = ?", (slug,)
            ).fetchone()[0]
            ids = [row[0] for row in connection.execute(
                "SELECT arxiv_id FROM topic_papers WHERE slug = ? ORDER BY position "
                "LIMIT ? OFFSET ?", (slug, limit, offset),
            )]
        return ids, int(total)
