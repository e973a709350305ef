"""A real PostgreSQL 16 + pgvector for the tests, from PyPI's ``pgserver``.

The first test process that needs it starts the server (its data folder is
kept in the system temp folder between runs, so later runs start in about a
second); the server stops when the last process using it exits. Each papertide
data folder gets its own database, made from a template that already holds the
migrated schema (its name carries a hash of the migrations, so a schema change
builds a new one). Databases made by a process are dropped when it exits.

``PAPERTIDE_TEST_DATABASE=postgresql`` makes ``make_settings`` put every test's
papertide on PostgreSQL instead of SQLite (``scripts/test`` runs the web and
feature suites a second time that way).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import tempfile
import threading
from functools import cache
from pathlib import Path
from typing import Any

import psycopg

ENGINE_VARIABLE = "PAPERTIDE_TEST_DATABASE"
_LOCK_KEY = 0x74657374  # advisory lock while a template database is built


def test_engine() -> str:
    """``sqlite`` (default) or ``postgresql``: the engine ``make_settings`` picks."""
    engine = os.environ.get(ENGINE_VARIABLE, "sqlite").strip().lower() or "sqlite"
    if engine not in ("sqlite", "postgresql"):
        raise RuntimeError(f"{ENGINE_VARIABLE} must be sqlite or postgresql, not {engine!r}")
    return engine


class TestDatabases:
    """Makes and drops throw-away databases on one local server."""

    __test__ = False  # a helper, not a test class

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._made: set[str] = set()
        self._lock = threading.Lock()
        atexit.register(self.drop_all)

    def url(self, name: str) -> str:
        """The admin URL with the database name swapped for ``name``."""
        base, _, query = self.admin_url.partition("?")
        return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")

    def fresh_url(self, key: str) -> str:
        """A database for ``key`` (e.g. a data folder): made on first use, from the template."""
        name = "t_" + hashlib.sha1(key.encode()).hexdigest()[:20]
        with self._lock:
            if name not in self._made:
                template = self._template()
                with self._admin() as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                self._made.add(name)
        return self.url(name)

    def empty_url(self, key: str) -> str:
        """A database with nothing in it (not even papertide's schema)."""
        name = "e_" + hashlib.sha1(key.encode()).hexdigest()[:20]
        with self._lock, self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
            self._made.add(name)
        return self.url(name)

    def drop_all(self) -> None:
        with self._lock:
            names, self._made = sorted(self._made), set()
        if not names:
            return
        try:
            with self._admin() as admin:
                for name in names:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error:
            pass  # the server is already gone: its data folder is temporary

    def _admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.admin_url, autocommit=True)

    @cache  # noqa: B019 - one template per process and schema
    def _template(self) -> str:
        from papertide.store.postgres import migrations
        from papertide.store.postgres.store import PostgresStore

        digest = hashlib.sha1(Path(migrations.__file__).read_bytes()).hexdigest()[:12]
        name = f"papertide_template_{digest}"
        with self._admin() as admin:
            admin.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
            try:
                exists = admin.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
                if not exists:
                    admin.execute(f'CREATE DATABASE "{name}"')
                    PostgresStore(self.url(name)).close()
            finally:
                admin.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
        return name


@cache
def test_databases() -> TestDatabases:
    """The shared server of this test run (started on first use)."""
    return TestDatabases(_start_server())


# Test modules import these helpers; their names must not make pytest collect them.
test_engine.__test__ = False  # type: ignore[attr-defined]
test_databases.__test__ = False  # type: ignore[attr-defined]


def _start_server() -> str:
    runtime = Path(tempfile.gettempdir()) / f"papertide-pg-runtime-{os.getuid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))  # pgserver's lock lives there
    import pgserver

    data = Path(tempfile.gettempdir()) / f"papertide-test-pgdata-{os.getuid()}"
    server = pgserver.get_server(data, cleanup_mode="stop")
    # Durability is not what the tests measure; skipping fsync makes them faster.
    server.psql("ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off;"
                "ALTER SYSTEM SET full_page_writes = off; SELECT pg_reload_conf();")
    return str(server.get_uri())
