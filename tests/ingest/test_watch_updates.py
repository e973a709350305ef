"""Watching saved papers through a real re-harvest: the arXiv API client against the
replayed recorded search pages, after an earlier state of the same papers was stored."""

from __future__ import annotations

import dataclasses

from papertide.app import Papertide
from papertide.follows.describe import abstract_diff, event_lines
from papertide.ingest.api import ingest_arxiv_search
from papertide.ingest.runtime import Sources
from papertide.models import PaperRecord
from papertide.sources.arxiv_api import parse_api_page
from tests.helpers import FIXED_NOW
from tests.ingest.recorded import API_PAGES, recorded
from tests.ingest.replay import ReplayServer
from tests.ingest.test_arxiv_api import serve_search


def earlier_states() -> dict[str, PaperRecord]:
    """Each recorded paper with two or more versions, as it was one version earlier: the
    last version and comment cut, and the abstract without its last sentence."""
    found: dict[str, PaperRecord] = {}
    for name in API_PAGES.values():
        for record in parse_api_page(recorded(name), FIXED_NOW).records:
            if len(record.versions) < 2 or not record.abstract or record.abstract.count(". ") < 2:
                continue
            shorter = record.abstract.rsplit(". ", 1)[0] + "."
            found[record.arxiv_id] = dataclasses.replace(
                record, versions=record.versions[:-1], abstract=shorter, comments=None,
                journal_ref=None, doi=None, source="earlier")
    return found


def test_a_new_version_reaches_each_watcher_once_with_the_abstract_diff(
        server: ReplayServer, service: Papertide, sources: Sources) -> None:
    earlier = earlier_states()
    watched, unwatched = sorted(earlier)[:2]
    service.store.upsert_papers(list(earlier.values()), FIXED_NOW)
    readers = [service.store.add_user(f"reader{n}@example.org", False, FIXED_NOW).id
               for n in range(2)]
    for reader in readers:
        service.community.library.save(reader, watched, "")
        service.community.library.save(reader, unwatched, "")
        service.follows.set_watching(reader, unwatched, False)

    serve_search(server)
    ingest_arxiv_search(service, sources, "testing", max_results=30, page_size=10)
    ingest_arxiv_search(service, sources, "testing", max_results=30, page_size=10)

    newest = service.paper(watched)
    expected = {f"version:{newest.latest_version}"} | ({"journal_ref"} if newest.journal_ref
                                                      else set()) | ({"doi"} if newest.doi
                                                                     else set())
    for reader in readers:
        updates = service.follows.updates(reader)
        keys = [u.event.key for u in updates]
        assert {u.paper.arxiv_id for u in updates} == {watched}
        assert sorted(keys) == sorted(expected)  # each once, though harvested twice
        version = next(u.event for u in updates if u.event.kind == "version")
        added = [part.text for part in abstract_diff(version) if part.change == "added"]
        assert newest.abstract is not None
        assert added and added[-1] in newest.abstract  # the cut sentence came back
        assert event_lines(version)[0] == f"New version (v{newest.latest_version})"
    assert len(service.store.paper_events_for(watched)) == len(expected)
