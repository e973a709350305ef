"""Reading the retrieval test collections (SciFact in BEIR format, Cranfield in SMART format)."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    title: str
    text: str


@dataclass(slots=True)
class Collection:
    name: str
    documents: list[Document]
    queries: dict[str, str]
    # split -> query id -> doc id -> graded gain (> 0 means relevant)
    judgments: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)


def load_scifact(folder: Path) -> Collection:
    documents = []
    with (folder / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            documents.append(Document(str(row["_id"]), row.get("title", ""), row.get("text", "")))
    queries = {}
    with (folder / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            queries[str(row["_id"])] = row["text"]
    collection = Collection("scifact", documents, queries)
    for split in ("train", "test"):
        path = folder / "qrels" / f"{split}.tsv"
        if not path.exists():
            continue
        judged: dict[str, dict[str, int]] = {}
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                gain = int(row["score"])
                if gain > 0:
                    judged.setdefault(row["query-id"], {})[row["corpus-id"]] = gain
        collection.judgments[split] = judged
    return collection


_FIELD = re.compile(r"^\.([ITABW])(?:\s+(\S+))?\s*$")


def _smart_records(path: Path) -> list[dict[str, str]]:
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    field_name = ""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _FIELD.match(line)
        if match:
            field_name = match.group(1)
            if field_name == "I":
                current = {"I": (match.group(2) or "").strip()}
                records.append(current)
            continue
        if field_name and current:
            current[field_name] = (current.get(field_name, "") + " " + line.strip()).strip()
    return records


def load_cranfield(folder: Path) -> Collection:
    """Cranfield 1400. Gains: grade 1 (complete answer) = 4 ... grade 4 = 1; -1 is not relevant.

    The abstract field ``.W`` repeats the title first; that is how the
    collection is distributed and is kept.
    """
    documents = [Document(str(int(record["I"])), record.get("T", ""), record.get("W", ""))
                 for record in _smart_records(folder / "cran.all.1400")]
    queries = {str(number): record.get("W", "")
               for number, record in enumerate(_smart_records(folder / "cran.qry"), start=1)}
    judged: dict[str, dict[str, int]] = {}
    for line in (folder / "cranqrel").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        query_id, doc_id, grade = parts[0], parts[1], int(parts[2])
        if 1 <= grade <= 4:
            judged.setdefault(query_id, {})[doc_id] = 5 - grade
    return Collection("cranfield", documents, queries, {"all": judged})
