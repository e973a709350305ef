"""A web host's local copy of the keyword index on PostgreSQL (``search/replicas.py``).

The host answers from the database's index, and says so, until its own copy holds
what the database held when it started; then its copy answers, and follows what
other processes commit, told by PostgreSQL's notifications.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from papertide.app import Papertide, open_app
from papertide.exceptions import ConfigError
from papertide.search.postgres_keyword import PostgresKeywordIndex
from papertide.search.query import parse_query
from papertide.search.replicas import ReplicatedKeywordIndex
from papertide.settings import Settings, load_settings
from papertide.store.postgres.notifications import ChangeListener
from tests.helpers import FIXED_NOW, fixed_clock, make_record
from tests.postgres import test_databases

NOTIFIED_SECONDS = 30.0  # a bound, not a pause: a notification arrives in milliseconds


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return test_databases().fresh_url(str(tmp_path / "shared"))


def host_settings(url: str, data_dir: Path, **values: str) -> Settings:
    environ = {"PAPERTIDE_DATA_DIR": str(data_dir), "PAPERTIDE_DATABASE_URL": url,
               "PAPERTIDE_SEARCH_MODE": "keyword"}
    environ.update({f"PAPERTIDE_{name.upper()}": value for name, value in values.items()})
    return load_settings(environ=environ)


@pytest.fixture
def worker(database_url: str, tmp_path: Path) -> Iterator[Papertide]:
    """A process that stores papers and keeps the database's own index (an importer)."""
    service = open_app(host_settings(database_url, tmp_path / "worker"), clock=fixed_clock())
    yield service
    service.close()


def store_papers(service: Papertide, *titles: tuple[str, str]) -> None:
    service.store.upsert_papers([make_record(arxiv_id, title) for arxiv_id, title in titles],
                                FIXED_NOW)
    service.sync_search_index()


def found(host: Papertide, text: str) -> list[str]:
    return [paper.arxiv_id for paper in host.search(text).page.papers]


def test_a_new_host_answers_from_the_database_saying_so_until_its_copy_has_caught_up(
    worker: Papertide, database_url: str, tmp_path: Path
) -> None:
    store_papers(worker, ("2501.00001", "Quokka census methods"),
                 ("2501.00002", "Wombat burrow mapping"))
    host = open_app(host_settings(database_url, tmp_path / "host"), clock=fixed_clock(),
                    web_host=True)
    try:
        assert isinstance(host.keyword_index, ReplicatedKeywordIndex)
        before = host.search("quokka")
        assert [paper.arxiv_id for paper in before.page.papers] == ["2501.00001"]
        assert any("still copying the search index" in notice for notice in before.notices)
        assert host.search_index_lag().catching_up

        host.follow_database()  # what the host's follower does in the background

        after = host.search("quokka")
        assert [paper.arxiv_id for paper in after.page.papers] == ["2501.00001"]
        assert after.notices == ()
        assert not host.search_index_lag().catching_up
        assert (tmp_path / "host" / "search-index").is_dir()  # the copy is the host's own
    finally:
        host.close()


def test_once_caught_up_the_copy_answers_even_what_the_database_index_lacks(
    worker: Papertide, database_url: str, tmp_path: Path
) -> None:
    store_papers(worker, ("2501.00001", "Quokka census methods"))
    host = open_app(host_settings(database_url, tmp_path / "host"), clock=fixed_clock(),
                    web_host=True)
    try:
        host.follow_database()
        # A worker stored a paper and died before indexing it in the database.
        worker.store.upsert_papers([make_record("2501.00003", "Quokka diets")], FIXED_NOW)
        database_index = PostgresKeywordIndex(worker.store)  # type: ignore[arg-type]
        assert [hit.arxiv_id for hit in database_index.search(parse_query("quokka"), 10).hits
                ] == ["2501.00001"]

        host.follow_database()

        assert sorted(found(host, "quokka")) == ["2501.00001", "2501.00003"]
    finally:
        host.close()


def test_a_host_that_restarts_with_its_copy_current_answers_from_it_at_once(
    worker: Papertide, database_url: str, tmp_path: Path
) -> None:
    store_papers(worker, ("2501.00001", "Quokka census methods"))
    settings = host_settings(database_url, tmp_path / "host")
    first = open_app(settings, clock=fixed_clock(), web_host=True)
    try:
        first.follow_database()
    finally:
        first.close()
    again = open_app(settings, clock=fixed_clock(), web_host=True)
    try:
        assert again.search("quokka").notices == ()
    finally:
        again.close()


def test_a_commit_elsewhere_is_heard_at_once_and_no_cached_result_hides_it(
    worker: Papertide, database_url: str, tmp_path: Path
) -> None:
    store_papers(worker, ("2501.00001", "Quokka census methods"))
    host = open_app(host_settings(database_url, tmp_path / "host"), clock=fixed_clock(),
                    web_host=True)
    listener = ChangeListener(database_url)
    try:
        assert listener.wait(0)  # a fresh connection: look, something may have been missed
        host.follow_database()
        assert found(host, "wombat") == []  # and the host keeps this result...
        assert not listener.wait(0.05)

        store_papers(worker, ("2501.00002", "Wombat burrow mapping"))

        assert listener.wait(NOTIFIED_SECONDS)
        host.follow_database()
        assert found(host, "wombat") == ["2501.00002"]  # ...only until its copy moves on
    finally:
        listener.close()
        host.close()


def test_with_replicas_off_a_host_searches_the_database(
    worker: Papertide, database_url: str, tmp_path: Path
) -> None:
    store_papers(worker, ("2501.00001", "Quokka census methods"))
    host = open_app(host_settings(database_url, tmp_path / "host", search_replicas="database"),
                    clock=fixed_clock(), web_host=True)
    try:
        assert isinstance(host.keyword_index, PostgresKeywordIndex)
        assert found(host, "quokka") == ["2501.00001"]
        assert host.search("quokka").notices == ()
        assert not (tmp_path / "host" / "search-index").exists()
    finally:
        host.close()


def test_an_unknown_replica_choice_is_refused_with_the_choices() -> None:
    with pytest.raises(ConfigError, match="search_replicas must be local or database"):
        load_settings(environ={"PAPERTIDE_SEARCH_REPLICAS": "nearby"})
