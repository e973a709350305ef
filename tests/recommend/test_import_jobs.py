"""Background library imports end cleanly when the service closes under them."""

from __future__ import annotations

import json
from pathlib import Path

from papertide.recommend.import_jobs import LibraryImports
from tests.helpers import open_test_app


def big_bibtex(entries: int) -> bytes:
    """References that match nothing stored, so every one is looked up by title."""
    return "\n".join(f"@article{{ref{n},\n  title = {{A study of quokka habit number {n}}},\n"
                     f"  author = {{Someone, Ann}},\n  year = {{2025}}\n}}"
                     for n in range(entries)).encode()


def test_closing_the_service_stops_a_running_import_and_leaves_nothing_half_saved(
        tmp_path: Path) -> None:
    service = open_test_app(tmp_path / "data")
    user = service.store.add_user("reader@example.org", False, service.clock())
    job_id = service.library_imports.start(user.id, big_bibtex(5_000), "refs.bib")
    folder = service.library_imports.folder
    service.close()  # waits for the import thread: the store is never closed under it

    status = json.loads((folder / f"{job_id}.json").read_text("utf-8"))
    assert status["state"] in ("failed", "done")
    if status["state"] == "failed":
        assert "shut down" in status["error"]
    reopened = open_test_app(tmp_path / "data")
    try:
        assert reopened.store.saved_ids(user.id) == []  # matched nothing, saved nothing
        assert LibraryImports(folder, reopened.recommendations.import_library).status(
            user.id, job_id).state == status["state"]
    finally:
        reopened.close()
