"""A pasted abstract is searched whole, through GET up to 1,000 characters and POST beyond."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import Corpus

MAGNETOPHONON = "0704.0027"
FILLER = ("we study the properties of a system under various conditions and report results"
          " that are consistent with earlier observations made by several groups in the field"
          " using standard methods of analysis and careful measurement of the relevant")


def result_ids(body: dict[str, object]) -> list[str]:
    return [paper["arxiv_id"] for paper in body["results"]]  # type: ignore[attr-defined, index]


def test_a_word_late_in_a_long_query_still_counts(client: TestClient) -> None:
    unheard = " ".join(f"qz{chr(97 + n % 26)}{chr(97 + n // 26)}x" for n in range(40))
    text = f"{unheard} magnetophonon"

    def found(query: str) -> list[str]:
        return result_ids(client.get("/api/search", params={
            "q": query, "mode": "keyword", "limit": 100}).json())

    assert found(unheard) == []
    assert found(text) == [MAGNETOPHONON]  # the 41st word was searched, not cut off


def test_a_pasted_abstract_finds_its_paper_through_post(client: TestClient, corpus: Corpus) -> None:
    abstract = " ".join(corpus.row(MAGNETOPHONON)["abstract"].split())
    text = f"{abstract} {FILLER} {abstract}"
    assert len(text) > 1_000
    refused = client.get("/api/search", params={"q": text, "mode": "keyword"})
    assert refused.status_code == 400 and "POST" in refused.text
    body = client.post("/api/search", json={"q": text, "mode": "keyword", "limit": 5}).json()
    assert result_ids(body)[0] == MAGNETOPHONON
    assert len(body["results"]) == 5


def test_the_post_form_takes_the_filters_of_the_get_form(client: TestClient) -> None:
    body = client.post("/api/search", json={"q": "magnetophonon", "cat": ["q-bio"],
                                            "mode": "keyword"}).json()
    assert body["total"] == 0 and body["filter_hints"][0]["filter"] == "cat"


def test_bad_post_bodies_are_refused_clearly(client: TestClient) -> None:
    too_long = client.post("/api/search", json={"q": "word " * 5_000})
    assert too_long.status_code == 400 and "20000" in too_long.text.replace(",", "")
    unknown = client.post("/api/search", json={"q": "graphs", "colour": "blue"})
    assert unknown.status_code == 400
    not_json = client.post("/api/search", content=b"q=graphs",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert not_json.status_code == 400
    empty = client.post("/api/search", json={"q": "   "})
    assert empty.status_code == 400
