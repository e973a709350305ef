"""Numbered schema migrations, tracked in ``PRAGMA user_version``.

Each migration runs in its own transaction, so a failure leaves the
database at the previous version. Never edit a released migration: add one.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable

from papertide.exceptions import SchemaVersionError

Migration = Callable[[sqlite3.Connection], None]


def _execute_script(connection: sqlite3.Connection, script: str) -> None:
    """Run DDL statements one by one: ``executescript`` would commit mid-migration."""
    for statement in script.split(";"):
        if statement.strip():
            connection.execute(statement)


def _v1_papers(connection: sqlite3.Connection) -> None:
    _execute_script(connection,
        """
        CREATE TABLE papers (
            arxiv_id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            abstract TEXT,
            authors TEXT NOT NULL DEFAULT '[]',
            primary_category TEXT,
            categories TEXT NOT NULL DEFAULT '[]',
            comments TEXT,
            journal_ref TEXT,
            doi TEXT,
            license TEXT,
            latest_version INTEGER,
            submitted_at TEXT,
            updated_at TEXT,
            announced_date TEXT,
            announced_is_estimate INTEGER NOT NULL DEFAULT 0,
            first_stored_at TEXT NOT NULL,
            last_changed_at TEXT NOT NULL,
            change_seq INTEGER NOT NULL
        );
        CREATE INDEX papers_by_announced ON papers (announced_date, submitted_at);
        CREATE UNIQUE INDEX papers_by_change ON papers (change_seq);
        CREATE TABLE paper_versions (
            arxiv_id TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            submitted_at TEXT,
            PRIMARY KEY (arxiv_id, version)
        ) WITHOUT ROWID;
        """
    )


def _v2_sources_observations_meta(connection: sqlite3.Connection) -> None:
    _execute_script(connection,
        """
        CREATE TABLE paper_sources (
            arxiv_id TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            first_seen_at TEXT NOT NULL,
            PRIMARY KEY (arxiv_id, source)
        ) WITHOUT ROWID;
        CREATE TABLE observations (
            id INTEGER PRIMARY KEY,
            arxiv_id TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            signal TEXT NOT NULL,
            observed_at TEXT NOT NULL,
            value_number REAL,
            value_text TEXT,
            extra TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX observations_by_paper ON observations (arxiv_id, signal, observed_at);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        """
    )
    connection.execute(
        "INSERT INTO meta (key, value) VALUES ('instance_id', ?)", (secrets.token_hex(16),)
    )


def _v3_accounts_votes_library_topics(connection: sqlite3.Connection) -> None:
    """People and sign-in state, time-stamped upvotes, libraries, rising topics."""
    _execute_script(connection,
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            is_admin INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            last_sign_in_at TEXT
        );
        CREATE TABLE sign_in_tokens (
            token_hash TEXT PRIMARY KEY,
            email TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            next_path TEXT NOT NULL DEFAULT '/',
            used_at TEXT
        ) WITHOUT ROWID;
        CREATE INDEX sign_in_tokens_by_expiry ON sign_in_tokens (expires_at);
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX sessions_by_user ON sessions (user_id);
        CREATE INDEX sessions_by_expiry ON sessions (expires_at);
        CREATE TABLE rate_limit_hits (
            bucket TEXT NOT NULL,
            hit_at INTEGER NOT NULL
        );
        CREATE INDEX rate_limit_hits_by_bucket ON rate_limit_hits (bucket, hit_at);
        CREATE TABLE votes (
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            arxiv_id TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            voted_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, arxiv_id)
        ) WITHOUT ROWID;
        CREATE INDEX votes_by_paper ON votes (arxiv_id, voted_at);
        CREATE INDEX votes_by_time ON votes (voted_at, arxiv_id);
        CREATE TABLE library (
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            arxiv_id TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (user_id, arxiv_id)
        ) WITHOUT ROWID;
        CREATE INDEX library_by_time ON library (user_id, saved_at);
        CREATE TABLE library_tags (
            user_id INTEGER NOT NULL,
            arxiv_id TEXT NOT NULL,
            tag TEXT NOT NULL,
            PRIMARY KEY (user_id, arxiv_id, tag),
            FOREIGN KEY (user_id, arxiv_id) REFERENCES library (user_id, arxiv_id)
                ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE INDEX library_tags_by_tag ON library_tags (user_id, tag);
        CREATE TABLE topics (
            slug TEXT PRIMARY KEY,
            phrase TEXT NOT NULL,
            rank INTEGER NOT NULL,
            score REAL NOT NULL,
            recent_papers INTEGER NOT NULL,
            baseline_papers INTEGER NOT NULL,
            recent_share REAL NOT NULL,
            baseline_share REAL NOT NULL,
            weekly_papers TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE topic_papers (
            slug TEXT NOT NULL REFERENCES topics (slug) ON DELETE CASCADE,
            arxiv_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (slug, arxiv_id)
        ) WITHOUT ROWID;
        CREATE INDEX topic_papers_by_position ON topic_papers (slug, position);
        CREATE INDEX observations_by_time ON observations (observed_at)
        """
    )


def _v4_paper_vectors(connection: sqlite3.Connection) -> None:
    """Paper embeddings for semantic search; ``id`` is the label vector indexes store."""
    _execute_script(connection,
        """
        CREATE TABLE paper_vectors (
            id INTEGER PRIMARY KEY,
            arxiv_id TEXT NOT NULL UNIQUE REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            vector BLOB NOT NULL,
            vector_seq INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX paper_vectors_by_seq ON paper_vectors (vector_seq);
        CREATE INDEX paper_vectors_by_model ON paper_vectors (model, vector_seq)
        """
    )


def _v5_subscriptions_outbox(connection: sqlite3.Connection) -> None:
    """Digest subscribers, the outbox of messages, and which papers each subscriber got.

    AUTOINCREMENT: an id is never reused, so outbox keys built from it stay unique forever.
    """
    _execute_script(connection,
        """
        CREATE TABLE subscribers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            email TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL,
            frequency TEXT NOT NULL DEFAULT 'daily',
            trending_count INTEGER NOT NULL DEFAULT 10,
            categories TEXT NOT NULL DEFAULT '[]',
            searches TEXT NOT NULL DEFAULT '[]',
            send_empty INTEGER NOT NULL DEFAULT 0,
            personal_picks INTEGER NOT NULL DEFAULT 1,
            name TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            confirmed_at TEXT,
            unsubscribed_at TEXT,
            bounce_count INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            suspended_at TEXT
        );
        CREATE INDEX subscribers_by_status ON subscribers (status, frequency);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,
            recipient TEXT NOT NULL,
            sender TEXT NOT NULL,
            message_id TEXT NOT NULL,
            body BLOB,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            next_attempt_at REAL NOT NULL,
            lease_owner TEXT,
            lease_until REAL,
            finished_at TEXT,
            confirmed INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        );
        CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
        CREATE INDEX outbox_by_subscriber ON outbox (subscriber_id, state);
        CREATE TABLE mailed_papers (
            subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
            arxiv_id TEXT NOT NULL,
            outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
            PRIMARY KEY (subscriber_id, arxiv_id)
        ) WITHOUT ROWID;
        CREATE INDEX mailed_papers_by_message ON mailed_papers (outbox_id)
        """
    )


def _v6_mailed_papers_by_paper(connection: sqlite3.Connection) -> None:
    """Which subscribers got a paper: one pass per digest issue instead of one per person."""
    connection.execute("CREATE INDEX IF NOT EXISTS mailed_papers_by_paper "
                       "ON mailed_papers (arxiv_id, subscriber_id)")


def _v7_recommendations(connection: sqlite3.Connection) -> None:
    """"Not interested" marks, per-person interest filters, DOI lookups for library import."""
    _execute_script(connection,
        """
        CREATE TABLE not_interested (
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            arxiv_id TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            marked_at TEXT NOT NULL,
            PRIMARY KEY (user_id, arxiv_id)
        ) WITHOUT ROWID;
        CREATE TABLE interest_filters (
            user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
            categories TEXT NOT NULL DEFAULT '[]',
            include_words TEXT NOT NULL DEFAULT '[]',
            exclude_words TEXT NOT NULL DEFAULT '[]',
            updated_at TEXT NOT NULL
        );
        CREATE INDEX papers_by_doi ON papers (lower(doi)) WHERE doi IS NOT NULL
        """
    )


def _v8_jobs(connection: sqlite3.Connection) -> None:
    """The job queue ``papertide worker`` processes share (see ``papertide.jobs``)."""
    _execute_script(connection,
        """
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            lane TEXT,
            payload TEXT NOT NULL DEFAULT '{}',
            state TEXT NOT NULL DEFAULT 'queued',
            attempts INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL,
            run_after REAL NOT NULL,
            lease_owner TEXT,
            lease_until REAL,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            last_error TEXT,
            result TEXT,
            parent_id INTEGER REFERENCES jobs (id) ON DELETE SET NULL
        );
        CREATE INDEX jobs_due ON jobs (state, run_after);
        CREATE INDEX jobs_by_lane ON jobs (lane, state)
        """
    )


def _v9_follows_and_watches(connection: sqlite3.Connection) -> None:
    """Author follows, unwatched saved papers, paper events and who was mailed them,
    private feed tokens (see ``papertide.follows``)."""
    _execute_script(connection,
        """
        CREATE TABLE paper_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            arxiv_id TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            event_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            UNIQUE (arxiv_id, event_key)
        );
        CREATE INDEX paper_events_by_time ON paper_events (created_at);
        CREATE TABLE author_follows (
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            author_key TEXT NOT NULL,
            display_name TEXT NOT NULL,
            coauthors TEXT NOT NULL DEFAULT '[]',
            ambiguous INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            PRIMARY KEY (user_id, author_key)
        ) WITHOUT ROWID;
        CREATE INDEX author_follows_by_author ON author_follows (author_key);
        CREATE TABLE unwatched_papers (
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            arxiv_id TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            PRIMARY KEY (user_id, arxiv_id)
        ) WITHOUT ROWID;
        CREATE TABLE mailed_events (
            subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
            event_id INTEGER NOT NULL REFERENCES paper_events (id) ON DELETE CASCADE,
            outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
            PRIMARY KEY (subscriber_id, event_id)
        ) WITHOUT ROWID;
        CREATE INDEX mailed_events_by_message ON mailed_events (outbox_id);
        CREATE TABLE feed_tokens (
            user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        )
        """
    )


def _v10_discussions(connection: sqlite3.Connection) -> None:
    """Comments on papers (one level of replies), their upvotes and reports, and what
    the discussions know of a person: a suspension, and whether reply mail is wanted.

    ``post_key`` is unique per author: a form sent twice stores one comment.
    A deleted account's comments lose their author (``user_id`` NULL) and text.
    """
    _execute_script(connection,
        """
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            arxiv_id TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,
            user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
            body TEXT NOT NULL,
            body_html TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'visible',
            created_at TEXT NOT NULL,
            edited_at TEXT,
            post_key TEXT
        );
        CREATE INDEX comments_by_paper ON comments (arxiv_id, id);
        CREATE INDEX comments_by_parent ON comments (parent_id);
        CREATE INDEX comments_by_time ON comments (created_at);
        CREATE UNIQUE INDEX comments_by_post_key ON comments (user_id, post_key);
        CREATE TABLE comment_votes (
            comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            voted_at TEXT NOT NULL,
            PRIMARY KEY (comment_id, user_id)
        ) WITHOUT ROWID;
        CREATE TABLE comment_reports (
            comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL,
            resolved_at TEXT,
            PRIMARY KEY (comment_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX comment_reports_open ON comment_reports (resolved_at, created_at);
        CREATE TABLE commenters (
            user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
            suspended_at TEXT,
            discussion_mail INTEGER NOT NULL DEFAULT 1
        )
        """
    )


def _v11_job_fences(connection: sqlite3.Connection) -> None:
    """A lease token per job, raised by every claim: the fence a late holder cannot pass."""
    connection.execute("ALTER TABLE jobs ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0")


def _v12_embedding_ranges(connection: sqlite3.Connection) -> None:
    """Ranges of paper changes claimed for embedding, so that many workers embed at once.

    A range is the papers with ``after_seq < change_seq <= through_seq``; its
    ``fence`` rises with every takeover, so a worker whose lease ran out cannot
    store vectors for a range another worker now holds (``store.embedding_claims``).
    """
    _execute_script(connection,
        """
        CREATE TABLE embedding_ranges (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            model TEXT NOT NULL,
            after_seq INTEGER NOT NULL,
            through_seq INTEGER NOT NULL,
            papers INTEGER NOT NULL,
            state TEXT NOT NULL DEFAULT 'claimed',
            owner TEXT,
            lease_until REAL,
            fence INTEGER NOT NULL DEFAULT 1,
            UNIQUE (model, after_seq)
        )
        """
    )


MIGRATIONS: tuple[Migration, ...] = (
    _v1_papers,
    _v2_sources_observations_meta,
    _v3_accounts_votes_library_topics,
    _v4_paper_vectors,
    _v5_subscriptions_outbox,
    _v6_mailed_papers_by_paper,
    _v7_recommendations,
    _v8_jobs,
    _v9_follows_and_watches,
    _v10_discussions,
    _v11_job_fences,
    _v12_embedding_ranges,
)
LATEST_VERSION = len(MIGRATIONS)


def current_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection, target: int = LATEST_VERSION) -> int:
    """Bring the schema up to ``target``; returns the version reached."""
    version = current_version(connection)
    if version > LATEST_VERSION:
        raise SchemaVersionError(
            f"the database is at schema version {version}, but this papertide only knows "
            f"up to {LATEST_VERSION}: upgrade papertide"
        )
    while version < target:
        connection.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while this one waited for the write lock.
            version = current_version(connection)
            if version < target:
                MIGRATIONS[version](connection)
                version += 1
                connection.execute(f"PRAGMA user_version = {version}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return version
