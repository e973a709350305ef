"""A papertide database with a row in every table, made through the service and the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from papertide.accounts.models import Session, SignInToken
from papertide.digest.models import NewMessage
from papertide.discussions.models import NewComment
from papertide.follows.models import AuthorFollow, NewPaperEvent
from papertide.jobs.models import NewJob
from papertide.models import Observation
from papertide.recommend.models import InterestFilters
from papertide.store.vectors import NewVector
from papertide.subscriptions.models import Preferences
from papertide.topics.models import Topic, TopicRun
from tests.helpers import ABS_SAMPLE, FIXED_NOW, HF_SAMPLE, KAGGLE_SAMPLE, open_test_app

VECTOR_MODEL = "test-model"


def fill_database(data_dir: Path, database_url: str) -> None:
    """Papers from the three sample formats, people, their signals, digests and jobs."""
    app = open_test_app(data_dir, database_url=database_url)
    try:
        app.import_files([KAGGLE_SAMPLE, HF_SAMPLE, ABS_SAMPLE])
        store = app.store
        ids = sorted(paper.arxiv_id for paper in store.iter_all_papers())
        store.add_observations(
            Observation(arxiv_id, "hf-daily", signal, FIXED_NOW - dt.timedelta(hours=hour),
                        value, None if value else "text", {"rank": hour, "note": "ü"})
            for hour, arxiv_id in enumerate(ids[:10])
            for signal, value in (("upvotes", float(hour)), ("share", 1 / (hour + 3)),
                                  ("label", None))
        )
        ada = store.add_user("ada@example.org", True, FIXED_NOW)
        alan = store.add_user("alan@example.org", False, FIXED_NOW)
        gone = store.add_user("gone@example.org", False, FIXED_NOW)
        store.delete_user(gone.id)  # the highest user id is free again, on SQLite
        later = FIXED_NOW + dt.timedelta(days=30)
        store.add_session(Session("session-hash", ada.id, FIXED_NOW, later, FIXED_NOW))
        store.add_sign_in_token(SignInToken("token-hash", "alan@example.org", FIXED_NOW, later,
                                            "/library"))
        store.hit_rate_limit({"sign-in:127.0.0.1": 5}, 3600, FIXED_NOW)
        for user, papers in ((ada, ids[:5]), (alan, ids[3:6])):
            for arxiv_id in papers:
                store.add_vote(user.id, arxiv_id, FIXED_NOW)
        store.save_paper(ada.id, ids[0], ["to read", "théorie"], FIXED_NOW)
        store.save_paper(alan.id, ids[1], [], FIXED_NOW)
        store.mark_not_interested(ada.id, ids[7], FIXED_NOW)
        store.set_interest_filters(alan.id, InterestFilters(("cs.LG",), ("merging",), ()),
                                   FIXED_NOW)
        topic = Topic("model-merging", "model merging", 1, 2.5, 4, 1, 0.125, 1 / 3, (1, 0, 3))
        store.replace_topics(TopicRun(FIXED_NOW, FIXED_NOW.date(), dt.date(2026, 11, 2), 2, 1,
                                      (8, 9, 10), len(ids), store.max_change_seq(), (topic,)),
                             {topic.slug: ids[:3]})
        rng = np.random.default_rng(1)
        vectors = [NewVector(arxiv_id, f"fp-{arxiv_id}", rng.random(384, dtype=np.float32))
                   for arxiv_id in ids[:20]]
        store.save_vectors(VECTOR_MODEL, vectors, [], store.max_change_seq())
        # a range of papers being embedded for another model, by a worker that is away
        store.claim_embedding_range("another-model/int8", "worker-host:4242:abc",
                                    FIXED_NOW.timestamp(), FIXED_NOW.timestamp() + 60, 5)
        store.add_paper_events([NewPaperEvent(ids[0], "version", "version:9",
                                              {"version": 9, "comment": "ü"})], FIXED_NOW)
        event = store.paper_events_for(ids[0])[0]
        store.follow_author(ada.id, AuthorFollow("jane doe", "Jané Doe", ("li wei",), True,
                                                 FIXED_NOW))
        store.set_watching(alan.id, ids[1], False)
        store.set_feed_token(ada.id, "feed-hash", FIXED_NOW)
        kept = store.add_subscriber("reader@example.org", Preferences(categories=("cs.CL",)),
                                    FIXED_NOW)
        dropped = store.add_subscriber("left@example.org", Preferences(), FIXED_NOW)
        store.enqueue_message(NewMessage("digest:1:2026-11-26", "digest", kept.id,
                                         kept.email, "papers@example.org", "<m1@example.org>",
                                         b"Subject: digest\r\n\r\n\x00\xff bytes",
                                         tuple(ids[:2]), (event.id,)), FIXED_NOW)
        store.enqueue_message(NewMessage("digest:2:2026-11-26", "digest", dropped.id,
                                         dropped.email, "papers@example.org",
                                         "<m2@example.org>", b"body", tuple(ids[2:3])),
                              FIXED_NOW)
        store.delete_subscriber(dropped.id)  # AUTOINCREMENT: its id is never handed out again
        parent = store.enqueue_job(NewJob("ingest:1", "ingest", {"day": "2026-11-26"},
                                          lane="arxiv"), FIXED_NOW.timestamp())
        store.enqueue_job(NewJob("embed:1", "embed", parent_id=parent), FIXED_NOW.timestamp())
        top, _ = store.add_comment(NewComment(ids[0], ada.id, "A *question* — ü?",
                                              "<p>A <em>question</em> — ü?</p>"), FIXED_NOW)
        store.add_comment(NewComment(ids[0], alan.id, "An answer", "<p>An answer</p>", top.id,
                                     "form-1"), FIXED_NOW)
        store.vote_comment(top.id, alan.id, FIXED_NOW)
        store.report_comment(top.id, alan.id, "off topic", FIXED_NOW)
        store.set_commenter_suspended(alan.id, FIXED_NOW)
        store.set_meta("note", "copied along")
    finally:
        app.close()
