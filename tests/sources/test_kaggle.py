"""The Kaggle arXiv snapshot format, read from real lines of the snapshot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from papertide.models import PaperRecord
from papertide.sources.files import LineError, read_records
from tests.helpers import ABS_SAMPLE, FIXED_NOW, KAGGLE_SAMPLE, kaggle_row, utc, write_jsonl


def _records(path: Path) -> dict[str, PaperRecord]:
    items = list(read_records(path, FIXED_NOW))
    errors = [item for item in items if isinstance(item, LineError)]
    assert errors == []
    return {item.arxiv_id: item for item in items if isinstance(item, PaperRecord)}


@pytest.fixture(scope="module")
def kaggle() -> dict[str, PaperRecord]:
    return _records(KAGGLE_SAMPLE)


@pytest.fixture(scope="module")
def abs_sample() -> dict[str, PaperRecord]:
    return _records(ABS_SAMPLE)


def test_every_sample_line_is_a_record(
    kaggle: dict[str, PaperRecord], abs_sample: dict[str, PaperRecord]
) -> None:
    assert len(kaggle) == 30
    assert len(abs_sample) == 30
    assert {record.source for record in (*kaggle.values(), *abs_sample.values())} == {
        "arxiv-kaggle"}


def test_authors_keep_their_order_and_lose_tex_accents(kaggle: dict[str, PaperRecord]) -> None:
    authors = kaggle["0704.0001"].authors
    assert authors[0] == "C. Balázs"
    assert [name.split()[-1] for name in authors] == ["Balázs", "Berger", "Nadolsky", "Yuan"]
    assert kaggle["0704.0028"].authors == ("Péter E. Frenkel",)
    assert kaggle["0704.0002"].authors == ("Ileana Streinu", "Louis Theran")


@pytest.mark.parametrize(
    ("arxiv_id", "authors"),
    [
        ("0704.0062", ("Rastislav Šrámek", "Broňa Brejová", "Tomáš Vinař")),
        ("0704.0398", ("Florian Dennert", "Rudolf Grübel")),
        ("0704.0394", ("Anna Jaśkiewicz",)),
        ("0704.0032", ("A. Esteban-Pretel", "R. Tomàs", "J. W. F. Valle")),
        ("0704.0337", ("François Golse", "Alex Mahalov", "Basil Nicolaenko")),
        ("0704.0049", ("Mikkel Øbro",)),
        ("0704.0215", ("Zbigniew Puchała", "Tomasz Rolski")),
    ],
)
def test_tex_in_author_names_becomes_unicode(
    abs_sample: dict[str, PaperRecord], arxiv_id: str, authors: tuple[str, ...]
) -> None:
    assert abs_sample[arxiv_id].authors == authors


@pytest.mark.parametrize(
    ("arxiv_id", "authors"),
    [
        ("acc-phys/9411002", ("Patrick L. Nash",)),
        ("0704.0221", ("Lawrence M. Krauss", "Robert J. Scherrer")),
        ("0704.0163", ("Peter Brommer", "Franz Gähler")),
    ],
)
def test_affiliations_in_parentheses_are_not_authors(
    abs_sample: dict[str, PaperRecord], arxiv_id: str, authors: tuple[str, ...]
) -> None:
    assert abs_sample[arxiv_id].authors == authors


def test_nested_affiliations_are_dropped(kaggle: dict[str, PaperRecord]) -> None:
    assert kaggle["0704.0025"].authors == ("A. S. Mishchenko", "N. Nagaosa")


def test_categories_keep_the_primary_first(
    kaggle: dict[str, PaperRecord], abs_sample: dict[str, PaperRecord]
) -> None:
    assert kaggle["0704.0002"].categories == ("math.CO", "cs.CG")
    assert kaggle["0704.0002"].primary_category == "math.CO"
    assert kaggle["0704.0021"].categories == ("nlin.PS", "physics.chem-ph", "q-bio.MN")
    assert abs_sample["acc-phys/9411001"].primary_category == "acc-phys"
    assert abs_sample["acc-phys/9411001"].categories == ("acc-phys", "physics.acc-ph")


def test_versions_come_with_their_dates(
    kaggle: dict[str, PaperRecord], abs_sample: dict[str, PaperRecord]
) -> None:
    first = kaggle["0704.0001"]
    assert [(v.version, v.submitted) for v in first.versions] == [
        (1, dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=dt.UTC)),
        (2, dt.datetime(2007, 7, 24, 20, 10, 27, tzinfo=dt.UTC)),
    ]
    assert first.submitted_at == dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=dt.UTC)
    assert first.latest_version == 2
    eight = abs_sample["0704.0389"]
    assert [v.version for v in eight.versions] == list(range(1, 9))
    stamps = [v.submitted for v in eight.versions]
    assert stamps == sorted(stamps)
    assert stamps[0] == dt.datetime(2007, 4, 3, 13, 48, 12, tzinfo=dt.UTC)


def test_versions_listed_out_of_order_are_sorted(tmp_path: Path) -> None:
    row = kaggle_row(versions=())
    row["versions"] = [
        {"version": "v3", "created": "Wed, 5 Mar 2025 10:00:00 GMT"},
        {"version": "v1", "created": "Mon, 3 Mar 2025 10:00:00 GMT"},
        {"version": "v2", "created": "Tue, 4 Mar 2025 10:00:00 GMT"},
    ]
    (record,) = _records(write_jsonl(tmp_path / "shuffled.jsonl", [row])).values()
    assert [v.version for v in record.versions] == [1, 2, 3]
    assert record.submitted_at == utc(2025, 3, 3, 10)
    assert record.announced_date == dt.date(2025, 3, 4)


def test_publication_details_are_kept(kaggle: dict[str, PaperRecord]) -> None:
    first = kaggle["0704.0001"]
    assert first.doi == "10.1103/PhysRevD.76.013009"
    assert first.journal_ref == "Phys.Rev.D76:013009,2007"
    assert first.comments == "37 pages, 15 figures; published version"
    assert first.license is None
    assert kaggle["0704.0002"].license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert kaggle["0704.0002"].doi is None


def test_title_and_abstract_whitespace_is_collapsed(kaggle: dict[str, PaperRecord]) -> None:
    first = kaggle["0704.0001"]
    assert first.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies")
    abstract = first.abstract or ""
    assert abstract.startswith("A fully differential calculation in perturbative quantum")
    assert abstract.endswith("judicious selection of events.")
    assert "\n" not in abstract
    assert "  " not in abstract


def test_old_style_ids_are_kept_as_keys(abs_sample: dict[str, PaperRecord]) -> None:
    assert {"acc-phys/9411001", "adap-org/9303001", "alg-geom/9202001",
            "ao-sci/9502001"} <= set(abs_sample)


def test_the_announced_date_is_an_estimate_from_the_first_version(
    kaggle: dict[str, PaperRecord],
) -> None:
    # v1 on Monday 2 April 2007, 15:18 in New York: after the 14:00 cutoff,
    # so in Tuesday evening's mailing, which the feed of Wednesday 4 April carries.
    assert kaggle["0704.0001"].announced_date == dt.date(2007, 4, 4)
    # v1 on Friday 30 March 2007, 22:26 in New York: after Friday's cutoff, so in
    # Monday evening's mailing, in the feed of Tuesday 3 April.
    assert kaggle["0704.0002"].announced_date == dt.date(2007, 4, 3)
    assert all(record.announced_is_estimate for record in kaggle.values())


def test_a_record_without_versions_has_no_dates(tmp_path: Path) -> None:
    row = kaggle_row(versions=())
    del row["versions"]
    (record,) = _records(write_jsonl(tmp_path / "bare.jsonl", [row])).values()
    assert record.versions == ()
    assert record.submitted_at is None
    assert record.announced_date is None
