"""Builders shared by the test suites (core, web, CLI).

Import them as ``from tests.helpers import make_record, open_test_app``.
Everything here writes only below the folder it is given.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from papertide.app import Papertide, open_app
from papertide.models import Paper, PaperRecord, PaperVersion
from papertide.settings import Settings, load_settings
from papertide.store.base import Store
from tests.postgres import test_databases, test_engine

DATA_DIR = Path(__file__).parent / "data"
KAGGLE_SAMPLE = DATA_DIR / "arxiv_kaggle_head30.jsonl"
ABS_SAMPLE = DATA_DIR / "arxiv_abs_sample30.jsonl"
HF_SAMPLE = DATA_DIR / "hf_trending_sample30.jsonl.gz"

# A fixed "now" after every date in the samples, so that no record looks like
# it comes from the future whatever the machine's clock says.
FIXED_NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def fixed_clock(moment: dt.datetime = FIXED_NOW) -> Callable[[], dt.datetime]:
    return lambda: moment


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def make_record(
    arxiv_id: str = "2501.00001",
    title: str | None = None,
    *,
    source: str = "test",
    announced: dt.date | None = dt.date(2025, 1, 6),
    estimate: bool = False,
    version_count: int = 0,
    **fields: Any,
) -> PaperRecord:
    """A PaperRecord with plausible defaults; ``version_count`` adds v1..vN."""
    versions = tuple(
        PaperVersion(number, utc(2025, 1, number)) for number in range(1, version_count + 1)
    )
    values: dict[str, Any] = {
        "abstract": f"Abstract of {arxiv_id}.",
        "versions": versions,
        "submitted_at": versions[0].submitted if versions else None,
        "announced_date": announced,
        "announced_is_estimate": estimate,
    }
    values.update(fields)
    return PaperRecord(arxiv_id=arxiv_id, title=title or f"Paper {arxiv_id}", source=source,
                       **values)


def make_settings(data_dir: Path, **environ: str) -> Settings:
    """Settings for a papertide living in ``data_dir``; ``environ`` as PAPERTIDE_* values."""
    values = data_dir_environment(data_dir)
    values.update({f"PAPERTIDE_{name.upper()}": value for name, value in environ.items()})
    return load_settings(environ=values)


def data_dir_environment(data_dir: Path) -> dict[str, str]:
    """``PAPERTIDE_*`` variables that put a papertide (or a CLI subprocess) in ``data_dir``.

    On the PostgreSQL test run they also name the data folder's own database.
    """
    values = {"PAPERTIDE_DATA_DIR": str(data_dir)}
    if test_engine() == "postgresql":
        values["PAPERTIDE_DATABASE_URL"] = test_databases().fresh_url(str(data_dir.resolve()))
    return values


def open_test_app(
    data_dir: Path, clock: Callable[[], dt.datetime] | None = None, **environ: str
) -> Papertide:
    """A service on a fresh (or existing) database and index in ``data_dir``."""
    return open_app(make_settings(data_dir, **environ), clock=clock or fixed_clock())


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any] | str]) -> Path:
    """Write rows as JSON Lines; a ``str`` row is written verbatim (for broken lines)."""
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def kaggle_row(
    arxiv_id: str = "2501.00001",
    title: str = "A kaggle paper",
    *,
    versions: Iterable[str] = ("Mon, 6 Jan 2025 10:00:00 GMT",),
    **fields: Any,
) -> dict[str, Any]:
    """A record in the Kaggle snapshot format (``versions`` are creation stamps)."""
    row: dict[str, Any] = {
        "id": arxiv_id,
        "title": title,
        "authors": "Ada Lovelace and Alan Turing",
        "abstract": "An abstract.",
        "categories": "cs.LG stat.ML",
        "versions": [{"version": f"v{number}", "created": created}
                     for number, created in enumerate(versions, start=1)],
        "update_date": "2025-01-06",
    }
    row.update(fields)
    return row


def hf_row(
    paper_id: str | None = "2502.01341",
    title: str = "A trending paper",
    first_seen: str = "2025-02-04T18:04:16+00:00",
    **fields: Any,
) -> dict[str, Any]:
    """A record in the Hugging Face trending format of the bundled sample."""
    row: dict[str, Any] = {
        "paper_id": paper_id,
        "title": title,
        "abstract": "An abstract.",
        "date_published": "2025-02-04T15:51:54Z",
        "first_seen": first_seen,
        "last_seen": first_seen,
        "n_snapshots": 1,
        "best_rank": 1,
    }
    row.update(fields)
    return row


def all_papers(store: Store) -> dict[str, Paper]:
    """Every stored paper by id, to compare a whole database before and after."""
    return {paper.arxiv_id: paper for paper in store.iter_all_papers()}


def free_port() -> int:
    """A loopback TCP port nothing listens on (for servers the tests start)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_server(process: subprocess.Popen[str], seconds: float = 30) -> None:
    """End a server the test started (SIGTERM, then SIGKILL if it lingers)."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout:
        process.stdout.close()
