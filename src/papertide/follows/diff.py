"""Word-level differences between two versions of an abstract, for update notices."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Change = Literal["same", "added", "removed"]
# Unchanged runs longer than this are shortened to their ends, so a notice stays short.
CONTEXT_WORDS = 6


@dataclass(frozen=True, slots=True)
class DiffPart:
    change: Change
    text: str


def word_diff(before: str, after: str) -> list[DiffPart]:
    """The words of ``after`` with what was removed and added marked, long unchanged runs cut."""
    old, new = before.split(), after.split()
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            parts.append(DiffPart("same", _shortened(new[new_start:new_end])))
            continue
        if old_end > old_start:
            parts.append(DiffPart("removed", " ".join(old[old_start:old_end])))
        if new_end > new_start:
            parts.append(DiffPart("added", " ".join(new[new_start:new_end])))
    return parts


def diff_counts(parts: list[DiffPart]) -> tuple[int, int]:
    """Words added and removed."""
    added = sum(len(part.text.split()) for part in parts if part.change == "added")
    removed = sum(len(part.text.split()) for part in parts if part.change == "removed")
    return added, removed


def _shortened(words: list[str]) -> str:
    if len(words) <= 2 * CONTEXT_WORDS:
        return " ".join(words)
    return " ".join(words[:CONTEXT_WORDS]) + " … " + " ".join(words[-CONTEXT_WORDS:])
