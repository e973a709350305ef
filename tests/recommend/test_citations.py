"""Citations of awkward papers still parse (bibtexparser, JSON, the library importer),
and the signals a card shows are the newest ones."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import bibtexparser

from papertide.library.citations import bibtex, citation_key, csl_json, ris
from papertide.models import Observation, Paper
from papertide.ranking.paper_signals import paper_signals
from papertide.recommend.library_files import read_library
from papertide.search.author_names import name_key
from tests.helpers import FIXED_NOW

AWKWARD = Paper(
    "2501.01234", "Sampling {unbalanced & 100% $O(n)$ #hashtags: a_b", "An abstract.",
    ("Zoë Ångström", "Jean-Luc Picard", "Plato"), "cs.LG", ("cs.LG", "stat.ML"),
    None, None, None, None, 2, (), dt.datetime(2025, 1, 6, 10, tzinfo=dt.UTC), None,
    dt.date(2025, 1, 7), False, ("arxiv-api",), FIXED_NOW, FIXED_NOW)


def test_bibtex_of_a_title_with_special_characters_parses_to_the_same_words() -> None:
    (entry,) = bibtexparser.parse_string(bibtex(AWKWARD)).entries
    title = entry.fields_dict["title"].value
    assert title.replace("\\", "") == "Sampling unbalanced & 100% $O(n)$ #hashtags: a_b"
    assert entry.fields_dict["author"].value.split(" and ") == list(AWKWARD.authors)
    assert entry.key == "angstrom2025sampling"
    assert entry.fields_dict["doi"].value == "10.48550/arXiv.2501.01234"


def test_a_paper_without_authors_still_has_a_key_and_no_empty_fields() -> None:
    bare = dataclasses.replace(AWKWARD, authors=(), title="On the Theory", submitted_at=None)
    assert citation_key(bare) == "arxiv2025theory"
    (entry,) = bibtexparser.parse_string(bibtex(bare)).entries
    assert "author" not in entry.fields_dict


def test_ris_and_csl_json_name_people_surname_first_and_import_back() -> None:
    text = ris(AWKWARD)
    assert "AU  - Ångström, Zoë\r\n" in text and "AU  - Plato\r\n" in text
    assert text.endswith("ER  - \r\n")
    item = json.loads(csl_json(AWKWARD))[0]
    assert item["author"][1] == {"family": "Picard", "given": "Jean-Luc"}
    assert item["issued"] == {"date-parts": [[2025, 1, 6]]}
    for data, name in ((text, "cite.ris"), (csl_json(AWKWARD), "cite.json"),
                       (bibtex(AWKWARD), "cite.bib")):
        (entry,) = read_library(data.encode(), name).entries
        assert entry.arxiv_id == "2501.01234"


def test_cards_show_the_newest_value_of_each_signal() -> None:
    later = FIXED_NOW + dt.timedelta(hours=3)
    found = paper_signals([
        Observation("p1", "hf-daily", "upvotes", FIXED_NOW, value_number=3),
        Observation("p1", "hf-daily", "upvotes", later, value_number=8),
        Observation("p1", "hf-daily", "githubRepo", later, value_text="https://gitlab.com/a/b"),
        Observation("p1", "hf-daily", "ai_keywords", later, value_text="agents; long context"),
        Observation("p2", "hf-daily", "projectPage", later, value_text="javascript:alert(1)"),
    ])
    assert found["p1"].hf_upvotes == 8
    assert found["p1"].github_url == "https://gitlab.com/a/b"
    assert found["p1"].github_name is None  # not GitHub: the card says "Code"
    assert found["p1"].keywords == ("agents", "long context")
    assert found["p2"].project_url is None  # only web links become links


def test_author_names_match_across_accents_case_dots_and_spacing() -> None:
    assert name_key("Balázs  KÉGL") == name_key("Balazs Kegl") == "balazs kegl"
    assert name_key("R.B.Palmer") == name_key("R. B. Palmer")
    assert name_key("Jean-Luc Picard") != name_key("Jean Picard")
