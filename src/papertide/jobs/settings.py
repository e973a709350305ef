"""Settings of the job queue and ``papertide worker``.

Declared here as ``(name, type, help)`` and spliced into ``SETTING_SPECS``
by ``papertide.settings``, which stays the one place settings are loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from papertide.exceptions import ConfigError

JOB_SETTINGS: tuple[tuple[str, type, str], ...] = (
    ("job_threads", int, "Jobs one `papertide worker` process runs at once (default 2); "
     "run more processes, on any machines, to share the work further."),
    ("job_poll_seconds", float, "Seconds an idle worker waits before looking for due jobs "
     "again (default 5)."),
    ("job_lease_seconds", float, "Seconds a job stays a worker's without a heartbeat; a "
     "running worker renews it every quarter of that, from a process of its own, so the job "
     "of a worker that died is taken over this long after its last heartbeat (default 60)."),
    ("job_max_attempts", int, "Tries of a scheduled job before it is marked failed "
     "(default 5; a worker that died holding the job counts as a try)."),
    ("job_retry_backoff", float, "Seconds before a failed job is tried again; doubles with "
     "each try, at most 2 hours (default 300)."),
    ("job_delivery_jobs", int, "Delivery jobs queued after a digest issue is composed, so "
     "that several workers send at once (default 2)."),
    ("job_embed", bool, "Embed new papers in a worker after each ingestion run that stored "
     "some, for semantic search (default true)."),
    ("job_keep_days", int, "Days finished jobs stay listed by `papertide jobs` (default 14; "
     "at least 8, since the record of a scheduled run keeps it from running twice)."),
)


def validate_job_settings(values: Mapping[str, Any]) -> None:
    """Check the values of this area; a plain mapping, so areas never import Settings."""
    bounds: dict[str, tuple[float, float]] = {
        "job_threads": (1, 64),
        "job_poll_seconds": (0.05, 3_600),
        "job_lease_seconds": (1, 86_400),
        "job_max_attempts": (1, 100),
        "job_retry_backoff": (0, 86_400),
        "job_delivery_jobs": (1, 64),
        "job_keep_days": (8, 3_650),
    }
    for name, (low, high) in bounds.items():
        if not low <= values[name] <= high:
            raise ConfigError(f"{name} must be between {low:g} and {high:g}, "
                              f"got {values[name]}")
