"""A real PostgreSQL 16 + pgvector for the tests, from PyPI's ``pgserver``.

The first test process of a run that needs it starts the server in a data
folder of its own in the system temp folder (the ``pytest -n`` workers of one
run share it); when the last process using it exits, the server stops and its
folder is deleted. Folders that a killed run left behind are swept at the next
start. A run never reuses another run's folder: a server killed mid-run must not
make the next run wait for crash recovery or inherit its databases. Each papertide
data folder gets its own database, made from a template that already holds the
migrated schema (its name carries a hash of the migrations, so a schema change
builds a new one). Databases made by a process are dropped when it exits.

``PAPERTIDE_TEST_DATABASE=postgresql`` makes ``make_settings`` put every test's
papertide on PostgreSQL instead of SQLite (``scripts/test`` runs the web and
feature suites a second time that way).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from functools import cache
from pathlib import Path
from typing import Any

import psycopg

from papertide.processes import process_exists

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

    def __init__(self, server: Any, admin_url: str) -> None:
        self._server = server
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

    def shut_down(self) -> None:
        """Drop this process's databases and leave the server; the last process stops it."""
        self.drop_all()
        self._server.cleanup()

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
    return TestDatabases(*_start_server())


def stop_test_server() -> None:
    """Leave the test server if this process started it (``pytest_sessionfinish``).

    Not left to ``atexit``: pytest-xdist workers can exit without running it,
    which kept servers running after the run.
    """
    if test_databases.cache_info().currsize:
        test_databases().shut_down()


# Test modules import these helpers; their names must not make pytest collect them.
test_engine.__test__ = False  # type: ignore[attr-defined]
test_databases.__test__ = False  # type: ignore[attr-defined]
stop_test_server.__test__ = False  # type: ignore[attr-defined]


def _start_server() -> tuple[Any, str]:
    temp = Path(tempfile.gettempdir())
    runtime = temp / f"papertide-pg-runtime-{os.getuid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))  # pgserver's lock lives there
    import pgserver

    prefix = f"papertide-test-pg-{os.getuid()}-"
    # One folder per run: the pytest-xdist workers of a run share its id.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
    data = (temp / f"{prefix}{run}").resolve()
    _sweep_abandoned(temp, prefix, keep=data)
    for attempt in range(_START_ATTEMPTS):
        try:
            server = pgserver.get_server(data, cleanup_mode="delete")
            uri = str(server.get_uri())
            break
        except (subprocess.TimeoutExpired, subprocess.CalledProcessError, AssertionError):
            # pgserver gives pg_ctl ten seconds, which a loaded machine can exceed; the
            # half-started handle stays cached, so drop it and ask again: a server that
            # came up meanwhile is found through its postmaster.pid.
            pgserver.PostgresServer._instances.pop(data, None)
            if attempt == _START_ATTEMPTS - 1:
                raise
            time.sleep(2)
    # Durability is not what the tests measure; skipping fsync makes them faster.
    server.psql("ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off;"
                "ALTER SYSTEM SET full_page_writes = off; SELECT pg_reload_conf();")
    return server, uri


_START_ATTEMPTS = 4


def _sweep_abandoned(temp: Path, prefix: str, keep: Path) -> None:
    """Stop and delete test servers of earlier runs whose processes are all gone."""
    for folder in temp.glob(f"{prefix}*"):
        if folder.resolve() == keep or not _abandoned(folder):
            continue
        postmaster = _first_line(folder / "postmaster.pid")
        if postmaster.isdigit():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(postmaster), signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)


def _abandoned(folder: Path) -> bool:
    """True when no process that used the folder's server is alive any more."""
    try:
        users = json.loads((folder / ".handle_pids.json").read_text())
    except (OSError, ValueError):
        # No list yet: a run may be starting its server right now, unless it is old.
        return time.time() - folder.stat().st_mtime > 3600
    return not any(process_exists(pid) for pid in users if isinstance(pid, int))


def _first_line(path: Path) -> str:
    try:
        return path.read_text().partition("\n")[0].strip()
    except OSError:
        return ""
