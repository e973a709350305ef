"""Library tags as people type them: ``"to read, RL"`` -> ``("rl", "to read")``."""

from __future__ import annotations

import re

from papertide.exceptions import InvalidInputError

MAX_TAGS = 10
MAX_TAG_LENGTH = 40
MAX_TAGS_TEXT = 1_000
_TAG = re.compile(r"[\w][\w .+#-]*", re.UNICODE)
_SPACES = re.compile(r"\s+")


def parse_tags(text: str | None) -> tuple[str, ...]:
    """Comma-separated tags, lower-cased, deduplicated, sorted; InvalidInputError when unusable."""
    if not text or not text.strip():
        return ()
    if len(text) > MAX_TAGS_TEXT:
        raise InvalidInputError(f"tags are at most {MAX_TAGS_TEXT:,} characters in all")
    tags: list[str] = []
    for part in text.split(","):
        tag = _SPACES.sub(" ", part).strip().lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise InvalidInputError(f"tag {tag[:20]!r}… is longer than {MAX_TAG_LENGTH} characters")
        if not _TAG.fullmatch(tag):
            raise InvalidInputError(
                f"tag {tag!r} has characters tags cannot hold (use letters, digits, spaces, "
                f"and . + # - _)"
            )
        tags.append(tag)
    unique = sorted(set(tags))
    if len(unique) > MAX_TAGS:
        raise InvalidInputError(f"a paper can have at most {MAX_TAGS} tags")
    return tuple(unique)
