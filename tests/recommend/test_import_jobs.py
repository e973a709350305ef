"""Background library imports: run in a process of their own, and end cleanly when the
service closes under them."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from papertide.recommend.import_jobs import LibraryImports
from papertide.recommend.importer import ImportProgress, ImportReport
from tests.helpers import kaggle_row, open_test_app, write_jsonl


def test_closing_the_service_stops_a_running_import_and_leaves_nothing_saved(
        tmp_path: Path) -> None:
    service = open_test_app(tmp_path / "data")
    user = service.store.add_user("reader@example.org", False, service.clock())
    real_run = service.library_imports.run
    matching = threading.Event()

    def run_until_stopped(user_id: int, data: bytes, filename: str, pasted: bool,
                          progress: ImportProgress) -> ImportReport:
        matching.set()
        while True:  # an import still matching when the service closes
            progress("matching", 0, 1)

    service.library_imports.run = run_until_stopped
    service.library_imports.in_process = None  # in a thread here, to be stopped mid-way
    job_id = service.library_imports.start(user.id, b"2502.01341", "ids.txt")
    assert matching.wait(30)
    folder = service.library_imports.folder
    service.close()  # stops the import and waits for it: the store is never closed under it

    status = json.loads((folder / f"{job_id}.json").read_text("utf-8"))
    assert status["state"] == "failed" and "shut down" in status["error"]
    reopened = open_test_app(tmp_path / "data")
    try:
        assert reopened.store.saved_ids(user.id) == []
        assert LibraryImports(folder, real_run).status(user.id, job_id).state == "failed"
    finally:
        reopened.close()


def test_a_background_import_runs_in_its_own_process_and_saves_what_it_matched(
        tmp_path: Path) -> None:
    service = open_test_app(tmp_path / "data")
    try:
        service.import_files([write_jsonl(tmp_path / "papers.jsonl",
                                          [kaggle_row("2502.01341", "Wombat burrows")])])
        user = service.store.add_user("reader@example.org", False, service.clock())
        imports = service.library_imports
        job_id = imports.start(user.id, b"2502.01341\n2502.09999\n", "ids.txt")
        imports.wait(job_id)
        status = imports.status(user.id, job_id)
        assert status.state == "done", status.error
        assert status.report is not None and status.report.added_count == 1
        assert status.report.unmatched_count == 1
        assert service.store.saved_ids(user.id) == ["2502.01341"]
        assert not list(imports.folder.glob("*.input"))  # the upload is not kept
    finally:
        service.close()
