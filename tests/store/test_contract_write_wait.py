"""Store contract: a person's request waits only briefly for another writer.

While another connection holds the engine's write lock (a big import), a write
made under ``bounded_write_wait`` gives up with ``DatabaseBusyError`` (the web
app's 503 with Retry-After) instead of waiting as long as a job would; reads go
on; and once the lock is free, the same write goes through on the same store.
"""

from __future__ import annotations

import psycopg
import pytest

from papertide.exceptions import DatabaseBusyError
from papertide.store.base import Store
from papertide.store.postgres.store import PostgresStore
from papertide.store.write_wait import bounded_write_wait
from tests.write_lock import held_write_lock

SHORT_WAIT = 0.2


def test_a_bounded_write_gives_up_on_a_held_lock_and_succeeds_once_it_is_free(
        store: Store) -> None:
    store.set_meta("note", "before")
    with held_write_lock(store):
        with bounded_write_wait(SHORT_WAIT), pytest.raises(DatabaseBusyError) as refused:
            store.set_meta("note", "during")
        assert store.get_meta("note") == "before"  # reading does not wait for the writer
    assert refused.value.retry_after > 0
    assert "busy" in str(refused.value)
    with bounded_write_wait(SHORT_WAIT):
        store.set_meta("note", "after")
    assert store.get_meta("note") == "after"


def postgres(store: Store) -> PostgresStore:
    if not isinstance(store, PostgresStore):
        pytest.skip("PostgreSQL's own lock and statement timeouts")
    return store


def test_a_row_lock_held_past_the_bound_is_busy_on_postgresql(store: Store) -> None:
    pg = postgres(store)
    pg.set_meta("note", "before")
    with psycopg.connect(pg.url) as holder:  # a transaction of another process holds the row
        holder.execute("SELECT value FROM meta WHERE key = 'note' FOR UPDATE")
        with bounded_write_wait(SHORT_WAIT), pytest.raises(DatabaseBusyError):
            pg.set_meta("note", "during")
        holder.rollback()
    pg.set_meta("note", "after")  # the pool's connections came back clean
    assert pg.get_meta("note") == "after"


def test_a_statement_cancelled_by_its_timeout_is_busy_on_postgresql(store: Store) -> None:
    pg = postgres(store)

    def slow_statement() -> None:
        with pg.transaction(), pg.borrow() as connection:
            connection.execute("SET LOCAL statement_timeout = 50")
            connection.execute("SELECT pg_sleep(5)")

    with pytest.raises(DatabaseBusyError):
        slow_statement()
    pg.set_meta("note", "after")
    assert pg.get_meta("note") == "after"
