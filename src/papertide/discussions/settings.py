"""Settings of the discussions on papers.

Declared here as ``(name, type, help)`` and spliced into ``SETTING_SPECS``
by ``papertide.settings``, which stays the one place settings are loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from papertide.exceptions import ConfigError

DISCUSSION_SETTINGS: tuple[tuple[str, type, str], ...] = (
    ("comment_limit_per_hour", int, "Comments (and replies) one reader may post per hour "
     "(default 20); counted in the database, so the limit holds across processes."),
    ("comment_max_chars", int, "Longest comment, in characters (default 5000); longer ones "
     "are refused with 413."),
)


def validate_discussion_settings(values: Mapping[str, Any]) -> None:
    """Check the values of this area; a plain mapping, so areas never import Settings."""
    if not 1 <= values["comment_limit_per_hour"] <= 100_000:
        raise ConfigError("comment_limit_per_hour must be between 1 and 100000")
    if not 100 <= values["comment_max_chars"] <= 50_000:
        raise ConfigError("comment_max_chars must be between 100 and 50000")
