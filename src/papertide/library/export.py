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
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

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


def citation_key(paper: Paper) -> str:
    """``vaswani2017attention``-style: first author's family name, year, first title word."""
    family = _ascii(paper.authors[0].split()[-1]).lower() if paper.authors else "anon"
    year = str(_year(paper) or "")
    words = [word for word in re.findall(r"[a-z0-9]+", _ascii(paper.title).lower())
             if len(word) > 3]
    key = re.sub(r"[^a-z0-9]", "", family) + year + (words[0] if words else "")
    return key + "_" + re.sub(r"[^0-9a-z]", "", paper.arxiv_id.lower())


def _bibtex(entries: Sequence[SavedEntry]) -> str:
    blocks = []
    for paper, saved in entries:
        fields = [
            ("title", "{" + _bib_escape(paper.title) + "}"),
            ("author", _bib_escape(" and ".join(paper.authors))),
            ("year", str(_year(paper) or "")),
            ("eprint", paper.arxiv_id),
            ("archivePrefix", "arXiv"),
            ("primaryClass", paper.primary_category or ""),
            ("doi", paper.doi or ""),
            ("url", paper.abs_url),
            ("abstract", _bib_escape(paper.abstract or "")),
            ("keywords", _bib_escape(", ".join(saved.tags))),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        blocks.append(f"@misc{{{citation_key(paper)},\n{body}\n}}\n")
    return "\n".join(blocks)


def _ris(entries: Sequence[SavedEntry]) -> str:
    records = []
    for paper, saved in entries:
        lines = ["TY  - PREP", f"TI  - {_one_line(paper.title)}"]
        lines += [f"AU  - {author}" for author in paper.authors]
        year = _year(paper)
        if year:
            lines.append(f"PY  - {year}")
        if paper.announced_date:
            lines.append(f"DA  - {paper.announced_date:%Y/%m/%d}")
        if paper.abstract:
            lines.append(f"AB  - {_one_line(paper.abstract)}")
        if paper.doi:
            lines.append(f"DO  - {paper.doi}")
        lines += [f"UR  - {paper.abs_url}", f"L1  - {paper.pdf_url}",
                  f"M1  - arXiv:{paper.arxiv_id}", "DB  - arXiv"]
        lines += [f"KW  - {tag}" for tag in saved.tags]
        lines.append("ER  - ")
        records.append("\n".join(lines) + "\n")
    return "\n".join(records)


def _csl_json(entries: Sequence[SavedEntry]) -> str:
    items = [csl_item(paper, saved.tags) for paper, saved in entries]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def csl_item(paper: Paper, tags: Sequence[str] = ()) -> dict[str, Any]:
    """One paper as a CSL-JSON item (the format Zotero and citeproc read)."""
    item: dict[str, Any] = {
        "id": f"arXiv:{paper.arxiv_id}",
        "type": "article",
        "title": paper.title,
        "author": [_csl_name(name) for name in paper.authors],
        "publisher": "arXiv",
        "number": paper.arxiv_id,
        "URL": paper.abs_url,
    }
    if paper.announced_date:
        day = paper.announced_date
        item["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    if paper.abstract:
        item["abstract"] = paper.abstract
    if paper.doi:
        item["DOI"] = paper.doi
    if tags:
        item["keyword"] = ", ".join(tags)
    return item


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


def _csl_name(name: str) -> dict[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return {"literal": name}
    return {"family": parts[-1], "given": " ".join(parts[:-1])}


def _year(paper: Paper) -> int | None:
    if paper.announced_date:
        return paper.announced_date.year
    return paper.submitted_at.year if paper.submitted_at else None


def _bib_escape(text: str) -> str:
    """arXiv titles and abstracts are LaTeX already; only unbalanced braces would break
    the entry, so those are dropped."""
    flat = _one_line(text)
    depth = 0
    for char in flat:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    return flat if depth == 0 else flat.replace("{", "").replace("}", "")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
