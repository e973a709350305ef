"""A paper as a citation: BibTeX, RIS and CSL-JSON, the three formats reference managers
import (Zotero, Mendeley, JabRef, EndNote), and the ``citation_*`` meta tags the
Zotero Connector and Google Scholar read from a page.

Pure: a stored paper in, text out. The entries follow what arXiv itself offers
(``@misc`` with ``eprint``/``archivePrefix``/``primaryClass``, the arXiv DOI
``10.48550/arXiv.<id>``), so a manager files them as arXiv preprints.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from papertide.models import Paper

CitationFormat = Literal["bibtex", "ris", "csl-json"]
CITATION_FORMATS: dict[CitationFormat, tuple[str, str, str]] = {
    # format: (label, file extension, media type)
    "bibtex": ("BibTeX", "bib", "application/x-bibtex"),
    "ris": ("RIS", "ris", "application/x-research-info-systems"),
    "csl-json": ("CSL-JSON", "json", "application/vnd.citationstyles.csl+json"),
}
_KEY_WORD = re.compile(r"[A-Za-z0-9]+")
_TITLE_STOPWORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "to", "and", "with"})
_BIB_SPECIAL = re.compile(r"([&%#])")


def arxiv_doi(paper: Paper) -> str:
    """The DOI arXiv registers for every paper (DataCite), used when the paper has none."""
    return f"10.48550/arXiv.{paper.arxiv_id}"


def year_of(paper: Paper) -> int | None:
    if paper.submitted_at is not None:
        return paper.submitted_at.year
    return paper.announced_date.year if paper.announced_date else None


def citation_key(paper: Paper) -> str:
    """``surname2025firstword``: readable, ASCII, what arXiv and Google Scholar make."""
    surname = _ascii(paper.authors[0].split()[-1]) if paper.authors else "arxiv"
    words = [word.lower() for word in _KEY_WORD.findall(_ascii(paper.title))]
    first = next((word for word in words if word not in _TITLE_STOPWORDS), "paper")
    return f"{surname.lower() or 'arxiv'}{year_of(paper) or ''}{first}"


def citation(paper: Paper, kind: CitationFormat) -> str:
    if kind == "bibtex":
        return bibtex(paper)
    if kind == "ris":
        return ris(paper)
    return csl_json(paper)


def bibtex(paper: Paper, tags: Sequence[str] = (), key: str | None = None) -> str:
    """One ``@misc`` entry; ``tags`` become its keywords, ``key`` replaces the readable key
    (a library export makes keys unique)."""
    fields: list[tuple[str, str]] = [
        ("title", _bib_value(paper.title)),
        ("author", " and ".join(_bib_value(name) for name in paper.authors)),
        ("year", str(year_of(paper) or "")),
        ("eprint", paper.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category or ""),
        ("doi", paper.doi or arxiv_doi(paper)),
        ("url", paper.abs_url),
        ("note", _bib_value(paper.journal_ref or "")),
        ("abstract", _bib_value(paper.abstract or "") if tags else ""),
        ("keywords", _bib_value(", ".join(tags))),
    ]
    lines = [f"  {name} = {{{value}}}" for name, value in fields if value]
    return f"@misc{{{key or citation_key(paper)},\n" + ",\n".join(lines) + "\n}\n"


def ris(paper: Paper, tags: Sequence[str] = ()) -> str:
    """One RIS record; ``tags`` are added as keywords after the categories."""
    lines = [("TY", "PREP"), ("TI", paper.title)]
    lines += [("AU", _surname_first(name)) for name in paper.authors]
    year = year_of(paper)
    if year:
        lines.append(("PY", str(year)))
    if paper.submitted_at:
        lines.append(("DA", paper.submitted_at.strftime("%Y/%m/%d")))
    if paper.abstract:
        lines.append(("AB", " ".join(paper.abstract.split())))
    lines += [("DO", paper.doi or arxiv_doi(paper)), ("UR", paper.abs_url),
              ("L1", paper.pdf_url), ("PB", "arXiv"), ("AN", f"arXiv:{paper.arxiv_id}"),
              ("M3", "Preprint")]
    lines += [("KW", keyword) for keyword in (*paper.categories, *tags)]
    if paper.journal_ref:
        lines.append(("N1", paper.journal_ref))
    body = "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines)
    return body + "ER  - \r\n"


def csl_json(paper: Paper) -> str:
    return json.dumps([csl_item(paper)], ensure_ascii=False, indent=2) + "\n"


def csl_item(paper: Paper, tags: Sequence[str] = ()) -> dict[str, Any]:
    """One paper as a CSL-JSON item (the format Zotero and citeproc read); ``tags`` are its
    keywords when given, else its categories."""
    item: dict[str, Any] = {
        "id": f"arXiv:{paper.arxiv_id}",
        "type": "article",
        "title": paper.title,
        "author": [_csl_name(name) for name in paper.authors],
        "publisher": "arXiv",
        "number": paper.arxiv_id,
        "DOI": paper.doi or arxiv_doi(paper),
        "URL": paper.abs_url,
    }
    if paper.submitted_at is not None:
        stamp = paper.submitted_at
        item["issued"] = {"date-parts": [[stamp.year, stamp.month, stamp.day]]}
    elif paper.announced_date is not None:
        day = paper.announced_date
        item["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    if paper.abstract:
        item["abstract"] = paper.abstract
    if paper.journal_ref:
        item["note"] = paper.journal_ref
    if tags or paper.categories:
        item["keyword"] = ", ".join(tags or paper.categories)
    return item


@dataclass(frozen=True, slots=True)
class MetaTag:
    name: str
    content: str


def citation_meta(paper: Paper) -> list[MetaTag]:
    """Highwire-style ``citation_*`` tags (one ``citation_author`` per author, in order),
    the set arXiv's own pages carry, so a connector files the paper as a preprint."""
    tags = [MetaTag("citation_title", paper.title)]
    tags += [MetaTag("citation_author", name) for name in paper.authors]
    if paper.submitted_at is not None:
        tags.append(MetaTag("citation_date", paper.submitted_at.strftime("%Y/%m/%d")))
    if paper.updated_at is not None:
        tags.append(MetaTag("citation_online_date", paper.updated_at.strftime("%Y/%m/%d")))
    tags += [MetaTag("citation_pdf_url", paper.pdf_url),
             MetaTag("citation_arxiv_id", paper.arxiv_id),
             MetaTag("citation_doi", paper.doi or arxiv_doi(paper)),
             MetaTag("citation_publisher", "arXiv")]
    if paper.abstract:
        tags.append(MetaTag("citation_abstract", " ".join(paper.abstract.split())))
    return tags


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and not unicodedata.combining(ch))


def _bib_value(text: str) -> str:
    """Text safe inside ``{...}``: specials escaped, unbalanced braces dropped."""
    escaped = _BIB_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    depth = 0
    for ch in escaped:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0:
        escaped = escaped.replace("{", "").replace("}", "")
    return escaped


def _split_name(name: str) -> tuple[str, str]:
    """``(given, family)``: the last word is the family name, as arXiv lists names."""
    parts = name.split()
    if len(parts) < 2:
        return "", name.strip()
    return " ".join(parts[:-1]), parts[-1]


def _surname_first(name: str) -> str:
    given, family = _split_name(name)
    return f"{family}, {given}" if given else family


def _csl_name(name: str) -> dict[str, str]:
    given, family = _split_name(name)
    return {"family": family, "given": given} if given else {"literal": family}
