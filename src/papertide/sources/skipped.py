"""Why a record or a page did not make it into the store, in words a run can summarise."""

from __future__ import annotations

from dataclasses import dataclass

from papertide.exceptions import RecordError

# Labels shared by every source, so that summaries group alike problems.
MISSING_ID = "no usable id"
MISSING_TITLE = "no title"
BAD_DATE = "impossible date"
BAD_FIELD = "unusable field"
MALFORMED_PAGE = "malformed page"
NOT_FOUND = "not found"
DELETED = "deleted on arXiv"
NOT_FOLLOWED = "outside the followed categories"


@dataclass(frozen=True, slots=True)
class Skipped:
    """One record (or a whole page) that was not stored: ``reason`` groups, ``detail`` explains."""

    reason: str
    detail: str

    def __str__(self) -> str:
        return self.detail


def skipped_record(error: RecordError, where: str) -> Skipped:
    """Label a record the field parsers rejected (see ``sources.fields``)."""
    message = str(error)
    if "the arXiv id" in message or "not an arXiv identifier" in message:
        reason = MISSING_ID
    elif "'title'" in message:
        reason = MISSING_TITLE
    elif "in the future" in message or "before arXiv existed" in message or "not a date" in message:
        reason = BAD_DATE
    else:
        reason = BAD_FIELD
    return Skipped(reason, f"{where}: {message}")
