"""Writing small input files for CLI tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def kaggle_line(arxiv_id: str, title: str, **fields: Any) -> str:
    """One line in the Kaggle arXiv snapshot format."""
    record: dict[str, Any] = {
        "id": arxiv_id,
        "title": title,
        "authors": fields.pop("authors", "Ada Lovelace and Alan Turing"),
        "abstract": fields.pop("abstract", f"An abstract about {title.lower()}."),
        "categories": fields.pop("categories", "cs.LG cs.AI"),
        "versions": fields.pop("versions", [{"version": "v1",
                                             "created": "Mon, 3 Mar 2025 10:00:00 GMT"}]),
        "update_date": fields.pop("update_date", "2025-03-03"),
    }
    record.update(fields)
    return json.dumps(record)


def write_lines(path: Path, lines: Sequence[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
