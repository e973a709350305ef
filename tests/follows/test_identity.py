"""Author identity from names: keys, the conservative match, telling same-named people apart,
and finding followed authors' papers."""

from __future__ import annotations

import pytest

from papertide.follows.diff import diff_counts, word_diff
from papertide.follows.identities import identities
from papertide.follows.matching import AuthorIndex
from papertide.follows.models import AuthorFollow
from papertide.follows.names import author_key, names_match
from papertide.models import Paper
from papertide.store.merge import paper_from_record
from tests.helpers import FIXED_NOW, make_record


def paper(arxiv_id: str, *authors: str) -> Paper:
    return paper_from_record(make_record(arxiv_id, authors=authors), FIXED_NOW)


@pytest.mark.parametrize(("written", "key"), [
    ("Jane Doe", "jane doe"), ("JANE  DOE", "jane doe"), ("Jané Döe", "jane doe"),
    ("J. Doe", "j doe"), ("Jean-Luc O'Brien", "jean luc obrien"), ("  ", ""),
])
def test_keys_fold_accents_case_and_punctuation(written: str, key: str) -> None:
    assert author_key(written) == key


@pytest.mark.parametrize(("followed", "offered", "shared", "expected"), [
    ("jane doe", "jane doe", False, True),
    ("jane doe", "j doe", False, False),  # an initial alone could be anyone
    ("jane doe", "j doe", True, True),  # ... unless they write with the same people
    ("jane doe", "john doe", True, False),
    ("jane doe", "jane roe", True, False),
    ("j m doe", "jane mary doe", True, True),
    ("jane doe", "jane mary doe", True, False),
])
def test_initials_match_only_with_a_shared_coauthor(followed: str, offered: str,
                                                    shared: bool, expected: bool) -> None:
    assert names_match(followed, offered, shared) is expected


def test_same_named_people_are_told_apart_by_coauthors() -> None:
    papers = [paper("2501.00001", "Li Wei", "Ann Smith"),
              paper("2501.00002", "Li Wei", "Ann Smith", "Bo Chen"),
              paper("2501.00003", "Bo Chen", "Li Wei"),
              paper("2501.00004", "Li Wei", "Carl Jung"),
              paper("2501.00005", "Ann Smith", "Someone Else")]
    people = identities("li wei", papers)
    assert [sorted(p.arxiv_id for p in person.papers) for person in people] == [
        ["2501.00001", "2501.00002", "2501.00003"], ["2501.00004"]]
    assert people[0].coauthors[:2] == ("Ann Smith", "Bo Chen")
    assert people[1].coauthor_keys == ("carl jung",)


def test_a_followed_person_is_found_by_name_and_initials_among_their_coauthors() -> None:
    index = AuthorIndex([paper("2501.00001", "Jane Doe", "Ann Smith"),
                         paper("2501.00002", "J. Doe", "Ann Smith"),
                         paper("2501.00003", "J. Doe", "Stranger"),
                         paper("2501.00004", "Jane Doe", "Other Coauthor")])
    plain = AuthorFollow("jane doe", "Jane Doe", ("ann smith",), False, FIXED_NOW)
    assert sorted(item.paper.arxiv_id for item in index.followed_papers([plain])) == [
        "2501.00001", "2501.00002", "2501.00004"]
    picked = AuthorFollow("jane doe", "Jane Doe", ("ann smith",), True, FIXED_NOW)
    assert sorted(item.paper.arxiv_id for item in index.followed_papers([picked])) == [
        "2501.00001", "2501.00002"]  # the other Jane Doe (2501.00004) is someone else


def test_word_diff_marks_added_and_removed_words_and_shortens_what_stayed() -> None:
    before = " ".join(f"w{n}" for n in range(40)) + " old ending"
    after = " ".join(f"w{n}" for n in range(40)) + " brand new ending"
    parts = word_diff(before, after)
    assert [(part.change, part.text) for part in parts if part.change != "same"] == [
        ("removed", "old"), ("added", "brand new")]
    assert "…" in parts[0].text
    assert diff_counts(parts) == (2, 1)
