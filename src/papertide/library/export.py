"""A library as a file to take elsewhere: BibTeX, RIS, CSL-JSON (Zotero) or CSV.

Pure: papers and their saved records in, text out. Each format keeps what a
reference manager needs to find the paper again (the arXiv id and URL, the DOI
when known) plus the tags, so an export imports back into papertide (or
Zotero, JabRef, Mendeley) with nothing lost that matters.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from papertide.library.citations import bibtex, citation_key, csl_item, ris
from papertide.library.models import SavedPaper
from papertide.models import Paper

ExportFormat = Literal["bibtex", "ris", "csl-json", "csv"]


@dataclass(frozen=True, slots=True)
class FileKind:
    """How a format is served: its media type and file extension."""

    media_type: str
    extension: str


FILE_KINDS: dict[ExportFormat, FileKind] = {
    "bibtex": FileKind("application/x-bibtex; charset=utf-8", "bib"),
    "ris": FileKind("application/x-research-info-systems; charset=utf-8", "ris"),
    "csl-json": FileKind("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
    "csv": FileKind("text/csv; charset=utf-8", "csv"),
}
SavedEntry = tuple[Paper, SavedPaper]


def export_library(entries: Sequence[SavedEntry], chosen: ExportFormat) -> str:
    """The whole file in the chosen format."""
    writers: dict[ExportFormat, Callable[[Sequence[SavedEntry]], str]] = {
        "bibtex": _bibtex, "ris": _ris, "csl-json": _csl_json, "csv": _csv,
    }
    return writers[chosen](entries)


def export_key(paper: Paper) -> str:
    """The readable key with the arXiv id added: unique across a whole library."""
    return citation_key(paper) + "_" + re.sub(r"[^0-9a-z]", "", paper.arxiv_id.lower())


def _bibtex(entries: Sequence[SavedEntry]) -> str:
    return "\n".join(bibtex(paper, saved.tags, export_key(paper)) for paper, saved in entries)


def _ris(entries: Sequence[SavedEntry]) -> str:
    return "".join(ris(paper, saved.tags) for paper, saved in entries)


def _csl_json(entries: Sequence[SavedEntry]) -> str:
    items = [csl_item(paper, saved.tags) for paper, saved in entries]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _csv(entries: Sequence[SavedEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["arxiv_id", "title", "authors", "announced", "primary_category", "doi",
                     "url", "tags", "saved_at"])
    for paper, saved in entries:
        writer.writerow([
            paper.arxiv_id, _one_line(paper.title), "; ".join(paper.authors),
            paper.announced_date.isoformat() if paper.announced_date else "",
            paper.primary_category or "", paper.doi or "", paper.abs_url,
            "; ".join(saved.tags), saved.saved_at.isoformat(),
        ])
    return out.getvalue()


def _one_line(text: str) -> str:
    return " ".join(text.split())


