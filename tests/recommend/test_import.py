"""Importing a library: matches by arXiv id, DOI or title are saved, the rest listed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from papertide.app import Papertide
from papertide.embed.onnx import OnnxEmbedder
from tests.helpers import data_dir_environment
from tests.recommend.conftest import add_user, open_corpus_app
from tests.recommend.test_library_files import BIBTEX, CSL_JSON, RIS


def library_of(service: Papertide, user_id: int) -> dict[str, tuple[str, ...]]:
    page = service.community.library.page(user_id, None, 200, 0)
    return {paper.arxiv_id: saved.tags for paper, saved in page.papers}


def test_bibtex_import_matches_by_id_doi_and_title(service: Papertide) -> None:
    reader = add_user(service)
    report = service.recommendations.import_library(reader, BIBTEX.encode(), "refs.bib")
    # eprint field, DOI (any case), arXiv URL; the TeXbook is not a paper here
    assert set(report.added) == {"2501.01001", "2501.02001", "2501.02002"}
    assert [entry.title for entry in report.unmatched] == ["The \\TeXbook"]
    assert library_of(service, reader) == dict.fromkeys(report.added, ("imported",))
    assert "3 added to your library" in report.summary()
    assert "1 not found" in report.summary()


def test_a_title_alone_finds_the_paper_despite_case_and_punctuation(
    service: Papertide,
) -> None:
    reader = add_user(service)
    text = ("@misc{x, title = {PREDICTING protein structure -- from amino-acid sequence!}}\n"
            "@misc{y, title = {Predicting protein structure}}\n")
    report = service.recommendations.import_library(reader, text.encode(), "refs.bib")
    assert report.added == ("2501.03001",)
    assert [entry.title for entry in report.unmatched] == ["Predicting protein structure"]


def test_csl_json_and_ris_imports_keep_tags_of_papers_already_saved(
    service: Papertide,
) -> None:
    reader = add_user(service)
    service.community.library.save(reader, "2501.01001", "favourites")
    csl = service.recommendations.import_library(reader, CSL_JSON.encode(), "zotero.json")
    assert csl.added == ("2501.01002",) and csl.already_saved == 1
    assert [entry.title for entry in csl.unmatched] == ["Gödel, Escher, Bach"]
    ris = service.recommendations.import_library(reader, RIS.encode(), "zotero.ris")
    # the arXiv URL, and the title where the DOI is unknown here
    assert ris.added == ("2501.01003", "2501.03002") and ris.unmatched == ()
    assert library_of(service, reader) == {"2501.01001": ("favourites",),
                                           "2501.01002": ("imported",),
                                           "2501.01003": ("imported",),
                                           "2501.03002": ("imported",)}


def test_imported_papers_shape_the_picks(service: Papertide) -> None:
    reader = add_user(service)
    service.recommendations.import_library(reader, b"2501.03001\n2501.03002\n", "list.txt")
    picks = service.recommendations.for_user(reader).picks
    assert {pick.paper.arxiv_id for pick in picks[:2]} == {"2503.13001", "2503.13002"}


def test_the_cli_imports_for_a_user_and_lists_what_it_did_not_find(
    tmp_path: Path, embedder: OnnxEmbedder,
) -> None:
    data_dir = tmp_path / "data"
    service = open_corpus_app(data_dir, embedder)
    add_user(service, "ada@example.org")
    service.close()
    bib = tmp_path / "refs.bib"
    bib.write_text(BIBTEX, encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **data_dir_environment(data_dir)}
        return subprocess.run([sys.executable, "-m", "papertide", *args], env=env,
                              capture_output=True, text=True, timeout=120, check=False,
                              stdin=subprocess.DEVNULL)

    done = run("library", "import", "ada@example.org", str(bib))
    assert done.returncode == 0, done.stderr
    assert "4 references read (bibtex), 3 added to your library" in done.stdout
    assert "not found:\n  The \\TeXbook" in done.stdout

    unknown = run("library", "import", "nobody@example.org", str(bib))
    assert unknown.returncode == 3 and "no user nobody@example.org" in unknown.stderr
    binary = tmp_path / "photo.bib"
    binary.write_bytes(b"\x89PNG\x00\x00")
    refused = run("library", "import", "ada@example.org", str(binary))
    assert refused.returncode == 1 and "binary file" in refused.stderr

    reopened = open_corpus_app(data_dir, embedder)
    try:
        user = reopened.store.user_by_email("ada@example.org")
        assert user is not None
        assert set(library_of(reopened, user.id)) == {"2501.01001", "2501.02001", "2501.02002"}
    finally:
        reopened.close()
