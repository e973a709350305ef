"""Store contract: writing papers and reading them back (every engine)."""

from __future__ import annotations

import datetime as dt

from papertide.models import PaperRecord, PaperVersion, UpsertCounts
from papertide.store.base import Store
from tests.helpers import FIXED_NOW, make_record, utc

LATER = FIXED_NOW + dt.timedelta(hours=5)


def test_a_fresh_store_is_empty_and_has_a_schema(store: Store) -> None:
    assert store.count_papers() == 0
    assert store.get_paper("2501.00001") is None
    assert store.max_change_seq() == 0
    assert store.schema_version >= 1
    assert store.instance_id


def test_upsert_counts_new_updated_and_unchanged(store: Store) -> None:
    first = [make_record("2501.00001"), make_record("2501.00002"), make_record("2501.00003")]
    assert store.upsert_papers(first, FIXED_NOW) == UpsertCounts(new=3)

    second = [
        make_record("2501.00001"),  # the same again
        make_record("2501.00002", "Retitled in v2", version_count=2),
        make_record("2501.00004"),
    ]
    assert store.upsert_papers(second, LATER) == UpsertCounts(new=1, updated=1, unchanged=1)
    assert store.count_papers() == 4


def test_reupserting_the_same_records_changes_nothing(store: Store) -> None:
    records = [make_record(f"2501.{number:05d}", version_count=2, authors=("A. Author",))
               for number in range(1, 6)]
    store.upsert_papers(records, FIXED_NOW)
    before = store.get_papers([record.arxiv_id for record in records])
    seq_before = store.max_change_seq()

    counts = store.upsert_papers(records, LATER)

    assert counts == UpsertCounts(unchanged=5)
    assert store.max_change_seq() == seq_before
    after = store.get_papers([record.arxiv_id for record in records])
    assert after == before
    assert all(paper.last_changed_at == FIXED_NOW for paper in after.values())


def test_two_records_of_one_paper_in_a_batch_make_one_paper(store: Store) -> None:
    counts = store.upsert_papers(
        [make_record("2501.00001", "First", version_count=1, source="arxiv-kaggle"),
         make_record("2501.00001", "Second", version_count=2, source="hf-trending",
                     abstract=None)],
        FIXED_NOW,
    )
    assert counts == UpsertCounts(new=1)
    paper = store.get_paper("2501.00001")
    assert paper is not None
    assert paper.title == "Second"
    assert paper.abstract == "Abstract of 2501.00001."
    assert [version.version for version in paper.versions] == [1, 2]
    assert sorted(paper.sources) == ["arxiv-kaggle", "hf-trending"]


def test_a_batch_gives_what_its_records_give_one_at_a_time(
    store: Store, other_store: Store
) -> None:
    records = [
        make_record("2501.00001", "Trending title", source="hf-trending", abstract=None),
        make_record("2501.00002", version_count=2),
        make_record("2501.00001", "Listed title", version_count=1, source="arxiv-kaggle",
                    authors=("Ada Lovelace",), announced=dt.date(2025, 1, 8), estimate=True),
        make_record("2501.00002", "Older wording", version_count=1, doi="10.1000/1"),
    ]
    store.upsert_papers(records, FIXED_NOW)
    for record in records:
        other_store.upsert_papers([record], FIXED_NOW)

    def content(target: Store) -> dict[str, tuple[object, ...]]:
        papers = target.get_papers(["2501.00001", "2501.00002"])
        return {key: (p.title, p.abstract, p.authors, p.versions, p.doi, p.announced_date,
                      p.announced_is_estimate, sorted(p.sources))
                for key, p in papers.items()}

    assert content(store) == content(other_store)
    assert len(content(store)) == 2


def test_a_newer_version_updates_fields_and_keeps_the_version_history(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001", "Old title", version_count=2,
                                     abstract="Old abstract.", comments="10 pages")], FIXED_NOW)
    newer = make_record(
        "2501.00001", "New title", abstract="New abstract.", comments="12 pages",
        versions=(PaperVersion(3, utc(2025, 3, 1)),),
    )

    assert store.upsert_papers([newer], LATER) == UpsertCounts(updated=1)

    paper = store.get_paper("2501.00001")
    assert paper is not None
    assert (paper.title, paper.abstract, paper.comments) == (
        "New title", "New abstract.", "12 pages")
    assert paper.latest_version == 3
    assert [(v.version, v.submitted) for v in paper.versions] == [
        (1, utc(2025, 1, 1)), (2, utc(2025, 1, 2)), (3, utc(2025, 3, 1))]
    assert paper.submitted_at == utc(2025, 1, 1)
    assert paper.last_changed_at == LATER
    assert paper.first_stored_at == FIXED_NOW


def test_an_older_version_only_fills_gaps(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001", "Title of v2", version_count=2,
                                     abstract="Abstract of v2.", doi=None)], FIXED_NOW)
    older = make_record("2501.00001", "Title of v1", version_count=1,
                        abstract="Abstract of v1.", doi="10.1000/xyz")

    assert store.upsert_papers([older], LATER) == UpsertCounts(updated=1)

    paper = store.get_paper("2501.00001")
    assert paper is not None
    assert paper.title == "Title of v2"
    assert paper.abstract == "Abstract of v2."
    assert paper.doi == "10.1000/xyz"
    assert paper.latest_version == 2


def test_an_equal_version_with_nothing_new_is_unchanged(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001", "Kept", version_count=2)], FIXED_NOW)
    same_version = make_record("2501.00001", "Other wording", version_count=2)
    assert store.upsert_papers([same_version], LATER) == UpsertCounts(unchanged=1)
    paper = store.get_paper("2501.00001")
    assert paper is not None
    assert paper.title == "Kept"


def test_an_arxiv_record_fills_in_what_a_trending_record_lacked(store: Store) -> None:
    trending = make_record("2502.01341", "AlignVLM", source="hf-trending",
                           announced=dt.date(2025, 2, 4))
    arxiv = make_record(
        "2502.01341", "AlignVLM", source="arxiv-kaggle", version_count=1,
        authors=("Ahmed Masry", "Juan A. Rodriguez"), categories=("cs.CV", "cs.CL"),
        primary_category="cs.CV", announced=dt.date(2025, 2, 4), estimate=True,
    )
    store.upsert_papers([trending], FIXED_NOW)
    store.upsert_papers([arxiv], LATER)

    paper = store.get_paper("2502.01341")
    assert paper is not None
    assert paper.authors == ("Ahmed Masry", "Juan A. Rodriguez")
    assert paper.categories == ("cs.CV", "cs.CL")
    assert paper.primary_category == "cs.CV"
    assert set(paper.sources) == {"hf-trending", "arxiv-kaggle"}


def test_a_record_without_authors_does_not_erase_them(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001", "Full title", version_count=1,
                                     authors=("Ada Lovelace",))], FIXED_NOW)
    store.upsert_papers([make_record("2501.00001", "Shortened", source="hf-trending",
                                     abstract=None)], LATER)
    paper = store.get_paper("2501.00001")
    assert paper is not None
    assert paper.authors == ("Ada Lovelace",)
    assert paper.title == "Full title"
    assert paper.abstract == "Abstract of 2501.00001."


def test_an_exact_announced_date_beats_an_estimate(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001", announced=dt.date(2025, 1, 7),
                                     estimate=True)], FIXED_NOW)
    store.upsert_papers([make_record("2501.00001", announced=dt.date(2025, 1, 8),
                                     estimate=False)], LATER)
    paper = store.get_paper("2501.00001")
    assert paper is not None
    assert (paper.announced_date, paper.announced_is_estimate) == (dt.date(2025, 1, 8), False)

    # A later estimate, even an earlier day, does not undo a real listing date.
    store.upsert_papers([make_record("2501.00001", announced=dt.date(2025, 1, 6),
                                     estimate=True)], LATER)
    paper = store.get_paper("2501.00001")
    assert paper is not None
    assert (paper.announced_date, paper.announced_is_estimate) == (dt.date(2025, 1, 8), False)


def test_sources_accumulate(store: Store) -> None:
    for source in ("arxiv-kaggle", "hf-trending", "arxiv-kaggle", "arxiv-rss"):
        store.upsert_papers([make_record("2501.00001", source=source)], FIXED_NOW)
    paper = store.get_paper("2501.00001")
    assert paper is not None
    assert sorted(paper.sources) == ["arxiv-kaggle", "arxiv-rss", "hf-trending"]


def test_get_papers_reads_more_ids_than_fit_in_one_query(store: Store) -> None:
    ids = [f"2501.{number:05d}" for number in range(1, 1_201)]
    counts = store.upsert_papers([make_record(arxiv_id) for arxiv_id in ids], FIXED_NOW)
    assert counts == UpsertCounts(new=1_200)

    found = store.get_papers([*ids, "2501.99999", "hep-th/9901001"])

    assert sorted(found) == ids
    assert all(found[arxiv_id].title == f"Paper {arxiv_id}" for arxiv_id in ids)
    assert store.count_papers() == 1_200


def test_get_papers_with_no_ids_is_empty(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
    assert store.get_papers([]) == {}


def test_every_field_round_trips(store: Store) -> None:
    record = PaperRecord(
        arxiv_id="hep-th/9901001",
        title="Éclair — 量子 fields on ∂M, naïve “quotes” and 🚀",
        source="arxiv-kaggle",
        abstract="We study $\\mathcal{N}=4$ SYM… with ß, ø and Ł.\nSecond line.",
        authors=("Péter E. Frenkel", "Rastislav Šrámek", "王小明", "N. d'Ambrumenil"),
        primary_category="hep-th",
        categories=("hep-th", "math-ph", "math.MP"),
        comments="12 pages, 3 figures",
        journal_ref="Phys.Rev.D76:013009,2007",
        doi="10.1103/PhysRevD.76.013009",
        license="http://creativecommons.org/licenses/by/4.0/",
        versions=(PaperVersion(1, utc(1999, 1, 4, 18, 57)),
                  PaperVersion(2, dt.datetime(1999, 2, 1, 9, 30,
                                              tzinfo=dt.timezone(dt.timedelta(hours=-5))))),
        submitted_at=utc(1999, 1, 4, 18, 57),
        updated_at=utc(1999, 2, 1, 14, 30),
        announced_date=dt.date(1999, 1, 5),
        announced_is_estimate=True,
    )
    store.upsert_papers([record], FIXED_NOW)

    paper = store.get_paper("hep-th/9901001")

    assert paper is not None
    for name in ("title", "abstract", "authors", "primary_category", "categories", "comments",
                 "journal_ref", "doi", "license", "versions", "submitted_at", "updated_at",
                 "announced_date", "announced_is_estimate"):
        assert getattr(paper, name) == getattr(record, name), name
    assert paper.latest_version == 2
    assert paper.sources == ("arxiv-kaggle",)
    assert paper.first_stored_at == paper.last_changed_at == FIXED_NOW


def test_a_paper_with_only_id_title_and_source_round_trips(store: Store) -> None:
    store.upsert_papers([PaperRecord("2501.00001", "Bare", "test")], FIXED_NOW)

    paper = store.get_paper("2501.00001")

    assert paper is not None
    assert paper.title == "Bare"
    assert paper.authors == paper.categories == paper.versions == ()
    assert None is paper.abstract is paper.primary_category is paper.comments
    assert None is paper.journal_ref is paper.doi is paper.license is paper.latest_version
    assert None is paper.submitted_at is paper.updated_at is paper.announced_date
    assert paper.announced_is_estimate is False

