"""Reading library exports: BibTeX, CSL JSON (Zotero), RIS, or a plain list of ids.

Parsing is pure (bytes in, entries out) and forgiving per entry: a broken
entry is counted and reported while the good ones are kept, so a truncated
export still imports what it holds. Whole-file problems (binary data, too
large, nothing recognisable) raise InvalidInputError with what to do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

from papertide.exceptions import InvalidInputError

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 10_000
LibraryFormat = Literal["bibtex", "csl-json", "ris", "id-list"]

_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arxiv[:\s.]\s*|10\.48550/arxiv\.)"
    r"(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})", re.IGNORECASE)
_BARE_ARXIV = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$",
                         re.IGNORECASE)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>{}]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """One reference: how to name it to the reader, and what it can be matched by."""

    label: str
    arxiv_id: str | None = None
    doi: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedLibrary:
    format: LibraryFormat
    entries: tuple[LibraryEntry, ...]
    broken: int = 0
    warnings: tuple[str, ...] = field(default=())


def read_library(data: bytes, filename: str = "", pasted: bool = False) -> ParsedLibrary:
    """Entries of an export in any supported format (detected from name and content).

    ``pasted`` text that is no export format is a list whose lines are arXiv ids, DOIs
    or titles (a title is matched against the stored titles)."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInputError(
            f"the file is {len(data) / 1_048_576:.0f} MB; library files up to "
            f"{MAX_FILE_BYTES // 1_048_576} MB are accepted: export a smaller collection")
    if b"\x00" in data[:65_536]:
        raise InvalidInputError("this is a binary file, not a library export: export your "
                                "library as BibTeX (.bib), CSL JSON, RIS or a list of arXiv ids")
    text, warnings = _decode(data)
    if not text.strip():
        raise InvalidInputError("the file is empty: it has no references to import")
    kind = _detect(text, filename.lower(), pasted)
    readers: dict[LibraryFormat, Callable[[str], tuple[list[LibraryEntry], int, list[str]]]] = {
        "bibtex": _bibtex, "csl-json": _csl_json, "ris": _ris,
        "id-list": partial(_id_list, titles=pasted)}
    parsed = readers[kind](text)
    entries, broken, notes = parsed
    if not entries:
        raise InvalidInputError(f"no references found in this {_NAMES[kind]} file"
                                + (f" ({broken} broken)" if broken else ""))
    if len(entries) > MAX_ENTRIES:
        raise InvalidInputError(
            f"the file has {len(entries):,} references; up to {MAX_ENTRIES:,} are imported at "
            "a time: split the export (by collection or year) and import each part")
    return ParsedLibrary(kind, tuple(entries), broken, tuple(warnings + notes))


_NAMES: dict[LibraryFormat, str] = {"bibtex": "BibTeX", "csl-json": "CSL JSON", "ris": "RIS",
                                    "id-list": "id list"}


def _decode(data: bytes) -> tuple[str, list[str]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), [
            "the file is not UTF-8; it was read as Windows-1252, so accented titles may "
            "look odd (export as UTF-8 to avoid this)"]


def _detect(text: str, filename: str, pasted: bool = False) -> LibraryFormat:
    head = text.lstrip()[:2_000]
    if filename.endswith(".bib") or re.search(r"^\s*@\w+\s*[{(]", head, re.MULTILINE):
        return "bibtex"
    if filename.endswith(".json") or head.startswith(("[", "{")):
        return "csl-json"
    if filename.endswith(".ris") or re.search(r"^TY  - ", head, re.MULTILINE):
        return "ris"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and sum(_identifiers(line) != (None, None) for line in lines[:50]) >= \
            max(1, min(len(lines), 50) // 2):
        return "id-list"
    if pasted:
        return "id-list"
    raise InvalidInputError("this is not a library file papertide can read: export BibTeX "
                            "(.bib), CSL JSON (.json), RIS (.ris), or list one arXiv id or DOI "
                            "per line")


def _identifiers(text: str) -> tuple[str | None, str | None]:
    """``(arxiv id, doi)`` found in a field or line (an arXiv DOI counts as its id)."""
    value = text.strip()
    bare = _BARE_ARXIV.match(value)
    if bare:
        return bare.group(1), None
    found = _ARXIV_IN_TEXT.search(value)
    if found:
        return found.group(1), None
    doi = _DOI.search(value)
    return None, doi.group(1).rstrip(".,;") if doi else None


def _entry(label: str, fields: dict[str, str], title: str | None) -> LibraryEntry:
    arxiv_id: str | None = None
    doi: str | None = None
    for value in fields.values():
        found_arxiv, found_doi = _identifiers(value)
        arxiv_id = arxiv_id or found_arxiv
        doi = doi or found_doi
    clean_title = " ".join(title.replace("{", "").replace("}", "").split()) if title else None
    return LibraryEntry((clean_title or label)[:200], arxiv_id, doi, clean_title or None)


# -- BibTeX ------------------------------------------------------------------------------

_BIB_START = re.compile(r"@(\w+)\s*[{(]", re.MULTILINE)
_BIB_FIELD = re.compile(r"\s*,?\s*([\w\-:]+)\s*=\s*", re.ASCII)
_BIB_ID_FIELDS = ("eprint", "arxiv", "arxivid", "doi", "url", "journal", "note", "howpublished")


def _bibtex(text: str) -> tuple[list[LibraryEntry], int, list[str]]:
    entries: list[LibraryEntry] = []
    broken = 0
    for kind, body in _bib_blocks(text):
        if kind.lower() in ("comment", "preamble", "string"):
            continue
        if body is None:
            broken += 1
            continue
        key, _, rest = body.partition(",")
        fields = _bib_fields(rest)
        if fields is None:
            broken += 1
            continue
        title = fields.get("title")
        ids = {name: value for name, value in fields.items() if name in _BIB_ID_FIELDS}
        if fields.get("archiveprefix", "").lower() == "arxiv" and "eprint" in fields:
            ids = {"eprint": f"arXiv:{fields['eprint']}", **ids}
            ids["eprint"] = f"arXiv:{fields['eprint']}"
        entries.append(_entry(title or key.strip() or "(untitled)", ids, title))
    notes = [f"{broken} BibTeX entr{'y' if broken == 1 else 'ies'} could not be read "
             "(the file may be truncated)"] if broken else []
    return entries, broken, notes


def _bib_blocks(text: str) -> Iterator[tuple[str, str | None]]:
    """``(entry type, body)`` per entry; body ``None`` when its braces never close."""
    position = 0
    while found := _BIB_START.search(text, position):
        depth = 1
        index = found.end()
        while index < len(text) and depth:
            if text[index] in "{(":
                depth += 1
            elif text[index] in "})":
                depth -= 1
            index += 1
        if depth:
            yield found.group(1), None
            return
        yield found.group(1), text[found.end():index - 1]
        position = index


def _bib_fields(text: str) -> dict[str, str] | None:
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        found = _BIB_FIELD.match(text, position)
        if not found:
            return fields if not text[position:].strip(" ,\n\r\t") else None
        name = found.group(1).lower()
        index = found.end()
        if index < len(text) and text[index] == "{":
            depth, start = 0, index
            while index < len(text):
                depth += {"{": 1, "}": -1}.get(text[index], 0)
                index += 1
                if depth == 0:
                    break
            value = text[start + 1:index - 1]
        elif index < len(text) and text[index] == '"':
            end = text.find('"', index + 1)
            if end < 0:
                return None
            value, index = text[index + 1:end], end + 1
        else:
            end = text.find(",", index)
            end = len(text) if end < 0 else end
            value, index = text[index:end].strip(), end
        fields[name] = " ".join(value.split())
        position = index
    return fields


# -- CSL JSON ----------------------------------------------------------------------------

def _csl_json(text: str) -> tuple[list[LibraryEntry], int, list[str]]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError(f"this JSON file cannot be read ({error.msg} at line "
                                f"{error.lineno}): it may be truncated; export it again "
                                "as CSL JSON") from None
    except RecursionError:
        raise InvalidInputError("this JSON file is nested too deeply to be a CSL JSON export "
                                "(a list of items); export it again as CSL JSON") from None
    if isinstance(items, dict):
        items = items.get("items", [items])
    if not isinstance(items, list):
        raise InvalidInputError("this JSON file is not a CSL JSON export (a list of items)")
    entries: list[LibraryEntry] = []
    broken = 0
    for item in items:
        if not isinstance(item, dict):
            broken += 1
            continue
        fields = {key: value for key, value in item.items() if isinstance(value, str)
                  and key in ("DOI", "URL", "number", "archive_location", "note", "id",
                              "container-title")}
        title = item.get("title") if isinstance(item.get("title"), str) else None
        entries.append(_entry(title or str(item.get("id", "(untitled)")), fields, title))
    notes = [f"{broken} item{'s' if broken != 1 else ''} were not references"] if broken else []
    return entries, broken, notes


# -- RIS ---------------------------------------------------------------------------------

_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


def _ris(text: str) -> tuple[list[LibraryEntry], int, list[str]]:
    entries: list[LibraryEntry] = []
    fields: dict[str, str] | None = None
    notes: list[str] = []
    for line in text.splitlines():
        found = _RIS_LINE.match(line.rstrip())
        if not found:
            continue
        tag, value = found.group(1), (found.group(2) or "").strip()
        if tag == "TY":
            fields = {}
        elif tag == "ER" and fields is not None:
            entries.append(_ris_entry(fields))
            fields = None
        elif fields is not None:
            key = tag if tag not in fields else f"{tag}{len(fields)}"
            fields[key] = value
    if fields:
        entries.append(_ris_entry(fields))
        notes.append("the last RIS entry has no end (ER) line: the file may be truncated")
    return entries, 0, notes


def _ris_entry(fields: dict[str, str]) -> LibraryEntry:
    title = fields.get("TI") or fields.get("T1")
    ids = {key: value for key, value in fields.items()
           if key[:2] in ("DO", "UR", "N1", "AN", "JO", "JF", "T2", "M3", "L1", "LK")}
    return _entry(title or "(untitled)", ids, title)


# -- plain lists ---------------------------------------------------------------------------

def _id_list(text: str, titles: bool = False) -> tuple[list[LibraryEntry], int, list[str]]:
    entries: list[LibraryEntry] = []
    broken = 0
    for line in text.splitlines():
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        arxiv_id, doi = _identifiers(value)
        if arxiv_id is None and doi is None and titles and len(value.split()) >= 2:
            title = " ".join(value.split())[:400]
            entries.append(LibraryEntry(title[:200], title=title))
            continue
        if arxiv_id is None and doi is None:
            broken += 1
            entries.append(LibraryEntry(value[:200]))
            continue
        entries.append(LibraryEntry(value[:200], arxiv_id, doi))
    return entries, broken, []
