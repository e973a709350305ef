"""Background library imports end cleanly when the service closes under them."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from papertide.recommend.import_jobs import LibraryImports
from papertide.recommend.importer import ImportProgress, ImportReport
from tests.helpers import open_test_app


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
