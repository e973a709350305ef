"""Rising topics as the web app and the CLI ask for them: read the stored run,
recompute it on demand (by command, or in the server's background thread).

Computing them reads weeks of titles and abstracts and counts phrases in pure
Python, seconds of work: given ``elsewhere``, it runs in a process of its own, so
that a web process's requests do not wait for the interpreter lock meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass

from papertide.exceptions import NotFoundError, PapertideError
from papertide.models import Paper
from papertide.store.base import Store
from papertide.topics.compute import TopicParams, compute_topics
from papertide.topics.models import Topic, TopicRun

logger = logging.getLogger("papertide.topics")
LEADING_PAPERS = 3  # shown under each topic in the list
# computes and stores the topics as of ``now`` (params, as_of as for ``Topics.recompute``)
RecomputeElsewhere = Callable[[dt.datetime, "TopicParams | None", "dt.date | None"], None]


@dataclass(frozen=True, slots=True)
class TopicPapers:
    topic: Topic
    run: TopicRun
    papers: tuple[Paper, ...]
    total: int
    offset: int
    limit: int


class Topics:
    def __init__(self, store: Store, clock: Callable[[], dt.datetime],
                 elsewhere: RecomputeElsewhere | None = None) -> None:
        self.store = store
        self.clock = clock
        self.elsewhere = elsewhere

    def run(self) -> TopicRun | None:
        """The last stored computation (``None`` before the first)."""
        return self.store.topic_run()

    def topic(self, slug: str) -> tuple[Topic, TopicRun]:
        run = self.store.topic_run()
        topic = self.store.topic(slug) if run else None
        if topic is None or run is None:
            raise NotFoundError(f"there is no rising topic {slug[:80]!r} (topics change as "
                                "papers come in; see /topics)")
        return topic, run

    def papers(self, slug: str, limit: int, offset: int) -> TopicPapers:
        topic, run = self.topic(slug)
        ids, total = self.store.topic_papers(slug, limit, offset)
        found = self.store.get_papers(ids)
        return TopicPapers(topic, run, tuple(found[i] for i in ids if i in found), total,
                           offset, limit)

    def leading_papers(self, run: TopicRun, per_topic: int) -> dict[str, tuple[Paper, ...]]:
        """Each topic's first papers (recent ones naming it in their title come first)."""
        ids = {topic.slug: self.store.topic_papers(topic.slug, per_topic, 0)[0]
               for topic in run.topics}
        found = self.store.get_papers([key for keys in ids.values() for key in keys])
        return {slug: tuple(found[key] for key in keys if key in found)
                for slug, keys in ids.items()}

    def recompute(self, params: TopicParams | None = None,
                  as_of: dt.date | None = None) -> TopicRun:
        """Compute the rising topics and store them in place of the previous run."""
        if self.elsewhere is not None:
            return self._recompute_elsewhere(self.elsewhere, params, as_of)
        run, papers = compute_topics(self.store, self.clock(), params, as_of)
        self.store.replace_topics(run, papers)
        logger.info("rising topics: %d topics from %d papers", len(run.topics),
                    run.papers_considered)
        return run

    def _recompute_elsewhere(self, elsewhere: RecomputeElsewhere, params: TopicParams | None,
                             as_of: dt.date | None) -> TopicRun:
        context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        process = context.Process(target=elsewhere, args=(self.clock(), params, as_of),
                                  name="papertide-topics", daemon=True)
        process.start()
        process.join()
        run = self.store.topic_run()
        if process.exitcode != 0 or run is None:
            raise PapertideError(f"computing the rising topics failed in its process "
                                 f"(exit status {process.exitcode}); see its log above")
        return run

    def is_stale(self, max_age: dt.timedelta) -> bool:
        """No run yet, or an old one while papers have changed since."""
        run = self.store.topic_run()
        if run is None:
            return True
        return (self.clock() - run.computed_at >= max_age
                and self.store.max_change_seq() != run.change_seq)
