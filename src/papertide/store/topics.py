"""Storage of the latest rising-topics run."""

from __future__ import annotations

from typing import Protocol

from papertide.topics.models import Topic, TopicRun


class TopicStore(Protocol):
    def replace_topics(self, run: TopicRun, papers: dict[str, list[str]]) -> None:
        """Store a run and each topic's papers (by slug), replacing the previous run."""
        ...

    def topic_run(self) -> TopicRun | None: ...

    def topic(self, slug: str) -> Topic | None: ...

    def topic_papers(self, slug: str, limit: int, offset: int) -> tuple[list[str], int]:
        """A page of a topic's paper ids, newest first, and how many it has."""
        ...
