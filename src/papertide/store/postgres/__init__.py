"""The PostgreSQL engine: several web and worker processes on one shared database."""

from papertide.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
