"""Saying in words what happened to a paper: one line per fact, shared by pages, feeds and mail."""

from __future__ import annotations

from papertide.follows.diff import DiffPart, diff_counts, word_diff
from papertide.follows.models import PaperEvent

COMMENT_CHARS = 160


def event_title(event: PaperEvent) -> str:
    """``New version (v3)``, ``Published in Nature 1 (2027)``, ``Code released``..."""
    detail = event.detail
    if event.kind == "version":
        return f"New version (v{detail.get('version', '?')})"
    if event.kind == "journal_ref":
        return f"Published: {_short(str(detail.get('journal_ref', '')))}"
    if event.kind == "doi":
        return f"DOI added: {detail.get('doi', '')}"
    return "Code released"


def event_lines(event: PaperEvent) -> tuple[str, ...]:
    """The title and each detail worth a line (comment, size of the abstract change, repo)."""
    lines = [event_title(event)]
    detail = event.detail
    if detail.get("comment"):
        lines.append(f"comment: {_short(str(detail['comment']))}")
    parts = abstract_diff(event)
    if parts:
        added, removed = diff_counts(parts)
        lines.append(f"abstract changed: {added} words added, {removed} removed")
    if event.kind == "code" and detail.get("repo"):
        lines.append(str(detail["repo"]))
    return tuple(lines)


def abstract_diff(event: PaperEvent) -> list[DiffPart]:
    """The word-level change of the abstract a new version brought (empty: none)."""
    before, after = event.detail.get("abstract_before"), event.detail.get("abstract_after")
    if not isinstance(before, str) or not isinstance(after, str):
        return []
    return word_diff(before, after)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= COMMENT_CHARS else text[:COMMENT_CHARS - 1] + "…"
