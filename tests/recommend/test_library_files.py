"""Reading library exports: every supported format, and broken files with clear messages."""

from __future__ import annotations

import json

import pytest

from papertide.exceptions import InvalidInputError
from papertide.recommend.library_files import MAX_ENTRIES, read_library

BIBTEX = r"""
% exported from a reference manager
@string{neurips = "Advances in Neural Information Processing Systems"}

@article{ada2025speech,
  title = {Self-supervised {Speech} Representations for Low-Resource Recognition},
  author = {Lovelace, Ada and Babbage, Charles},
  year = 2025,
  eprint = {2501.01001},
  archivePrefix = {arXiv},
  primaryClass = {cs.CL},
}

@inproceedings{hawking2025,
  title = "Hawking radiation and the black hole information paradox",
  booktitle = neurips,
  doi = {10.1000/BH.1},
}

@misc{kerr2025,
  title={Quasinormal modes of rotating {Kerr} black holes},
  howpublished={\url{https://arxiv.org/abs/2501.02002v2}},
}

@book{knuth1984,
  title = {The {\TeX}book},
  publisher = {Addison-Wesley},
}
"""

CSL_JSON = json.dumps([
    {"id": "http://zotero.org/users/1/items/ABC", "type": "article",
     "title": "Streaming end-to-end speech recognition with transducers",
     "URL": "http://arxiv.org/abs/2501.01002", "number": "arXiv:2501.01002"},
    {"id": "item-2", "type": "article-journal", "title": "A paper only known by its DOI",
     "DOI": "10.1000/speech.1"},
    {"id": "item-3", "type": "book", "title": "Gödel, Escher, Bach"},
])

RIS = """TY  - JOUR
TI  - Speaker diarization in noisy meeting recordings
AU  - Turing, Alan
UR  - https://arxiv.org/abs/2501.01003
ER  -

TY  - JOUR
T1  - Protein design with diffusion models over backbones
DO  - 10.1000/protein.2
ER  -
""".replace("ER  -", "ER  - ")  # real exports end each record with "ER  - "


def test_bibtex_entries_keep_arxiv_ids_dois_and_titles() -> None:
    parsed = read_library(BIBTEX.encode(), "refs.bib")
    assert parsed.format == "bibtex" and parsed.broken == 0
    by_title = {entry.title: entry for entry in parsed.entries}
    assert by_title["Self-supervised Speech Representations for Low-Resource Recognition"
                    ].arxiv_id == "2501.01001"
    assert by_title["Hawking radiation and the black hole information paradox"
                    ].doi == "10.1000/BH.1"
    assert by_title["Quasinormal modes of rotating Kerr black holes"].arxiv_id == "2501.02002"
    book = by_title["The \\TeXbook"]
    assert book.arxiv_id is None and book.doi is None
    assert len(parsed.entries) == 4  # the @string definition is not a reference


def test_csl_json_from_zotero() -> None:
    parsed = read_library(CSL_JSON.encode(), "My Library.json")
    assert parsed.format == "csl-json"
    first, second, third = parsed.entries
    assert first.arxiv_id == "2501.01002"
    assert second.doi == "10.1000/speech.1" and second.arxiv_id is None
    assert third.title == "Gödel, Escher, Bach" and (third.arxiv_id, third.doi) == (None, None)


def test_ris_records() -> None:
    parsed = read_library(RIS.encode(), "export.ris")
    assert parsed.format == "ris" and parsed.warnings == ()
    assert [(entry.arxiv_id, entry.doi) for entry in parsed.entries] == [
        ("2501.01003", None), (None, "10.1000/protein.2")]


def test_a_plain_list_of_ids_without_a_known_extension() -> None:
    text = "# my reading list\n2501.01001\narXiv:2501.02001v3\n10.1000/bh.1\nnot an id\n"
    parsed = read_library(text.encode(), "list.txt")
    assert parsed.format == "id-list" and parsed.broken == 1
    assert [(entry.arxiv_id, entry.doi) for entry in parsed.entries] == [
        ("2501.01001", None), ("2501.02001", None), (None, "10.1000/bh.1"), (None, None)]


def test_a_truncated_bibtex_file_keeps_the_complete_entries_and_says_so() -> None:
    cut = BIBTEX[:BIBTEX.index("@misc") + 30]
    parsed = read_library(cut.encode(), "refs.bib")
    assert [entry.title for entry in parsed.entries][:2] == [
        "Self-supervised Speech Representations for Low-Resource Recognition",
        "Hawking radiation and the black hole information paradox"]
    assert parsed.broken == 1 and "truncated" in parsed.warnings[0]


def test_a_truncated_ris_file_says_its_last_entry_has_no_end() -> None:
    parsed = read_library(RIS[:RIS.rindex("ER")].encode(), "export.ris")
    assert len(parsed.entries) == 2 and "truncated" in parsed.warnings[0]


def test_a_latin1_file_is_read_with_a_warning() -> None:
    text = '@article{a, title = {Économie des réseaux}, doi = {10.1000/eco.1}}'
    parsed = read_library(text.encode("latin-1"), "refs.bib")
    assert parsed.entries[0].title == "Économie des réseaux"
    assert "not UTF-8" in parsed.warnings[0]


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "refs.bib", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", "binary file"),
    (b"Dear colleague,\nplease find attached my thoughts.\n", "letter.txt",
     "not a library file"),
    (b"[{\"title\": \"cut off", "zotero.json", "may be truncated"),
    (b"[" * 200_000 + b"]" * 200_000, "zotero.json", "nested too deeply"),
    (b"@article{broken, title = {never closed", "refs.bib", "no references found"),
    (b"x" * (10 * 1024 * 1024 + 1), "huge.bib", "up to 10 MB"),
])
def test_unreadable_files_are_refused_with_what_to_do(data: bytes, name: str,
                                                      message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        read_library(data, name)


def test_a_library_over_the_limit_is_refused_whole() -> None:
    text = "\n".join(f"2501.{i:05d}" for i in range(MAX_ENTRIES * 2))
    with pytest.raises(InvalidInputError, match=r"20,000 references.*split the export"):
        read_library(text.encode(), "all.txt")
