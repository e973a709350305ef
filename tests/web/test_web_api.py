"""The JSON API, its one error shape, and its local documentation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.web import create_web_app
from tests.web.conftest import BASE_URL, Corpus, squash
from tests.web.html_dom import parse_html


def get_json(client: TestClient, url: str, status: int = 200, **params: Any) -> Any:
    response = client.get(url, params=params)
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def assert_error(body: Any, status: int, *fragments: str) -> None:
    """The one error shape: exactly ``status`` and a human ``message``."""
    assert set(body) == {"status", "message"}
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    for fragment in fragments:
        assert fragment in body["message"], body["message"]
    assert "Traceback" not in body["message"]


# -- papers ----------------------------------------------------------------------------


def test_a_paper_has_every_stored_field(client: TestClient, corpus: Corpus) -> None:
    paper = get_json(client, "/api/papers/0704.0027")
    row = corpus.row("0704.0027")
    assert paper["arxiv_id"] == "0704.0027"
    assert paper["title"] == squash(row["title"])
    assert paper["abstract"] == squash(row["abstract"])
    assert paper["authors"] == ["M. O. Goerbig", "J.-N. Fuchs", "K. Kechedzhi",
                                "Vladimir I. Fal'ko"]
    assert paper["categories"] == ["cond-mat.mes-hall"]
    assert paper["doi"] == row["doi"]
    assert [version["version"] for version in paper["versions"]] == [1, 2, 3, 4]
    assert paper["versions"][0]["submitted"].startswith("2007-04-02T19:17:14")
    assert paper["latest_version"] == 4
    assert paper["announced_is_estimate"] is True
    assert paper["sources"] == ["arxiv-kaggle"]
    assert paper["links"] == {"page": f"{BASE_URL}/papers/0704.0027",
                              "abs": "https://arxiv.org/abs/0704.0027",
                              "pdf": "https://arxiv.org/pdf/0704.0027"}


@pytest.mark.parametrize("asked", ["0704.0027v2", "arXiv:0704.0027"])
def test_other_spellings_of_an_id_answer_with_the_paper(client: TestClient, asked: str) -> None:
    assert get_json(client, f"/api/papers/{asked}")["arxiv_id"] == "0704.0027"


def test_old_style_ids_work_in_the_api(client: TestClient) -> None:
    assert get_json(client, "/api/papers/hep-th/9901001")["arxiv_id"] == "hep-th/9901001"


def test_unknown_and_malformed_papers(client: TestClient) -> None:
    assert_error(get_json(client, "/api/papers/2401.99999", 404), 404, "2401.99999")
    assert_error(get_json(client, "/api/papers/garbage", 400), 400, "not an arXiv identifier")


# -- daily / weekly / monthly ----------------------------------------------------------


def test_daily_without_a_period_lists_the_latest_day(client: TestClient, corpus: Corpus) -> None:
    body = get_json(client, "/api/daily")
    assert body["period"]["slug"] == "2026-03-11" and body["period"]["heading"] == "Mar 11"
    assert body["previous"]["slug"] == "2026-03-09" and body["next"] is None
    assert body["total"] == 12 and body["has_more"] is False
    assert {paper["arxiv_id"] for paper in body["papers"]} == corpus.ids_on("2026-03-11")


@pytest.mark.parametrize(("params", "days"), [
    ({"date": "2026-03-06"}, ("2026-03-06",)),
    ({"week": "2026-W11"}, ("2026-03-09", "2026-03-11")),
    ({"month": "2026-02"}, ("2026-02-27",)),
])
def test_daily_lists_a_day_week_or_month(
    client: TestClient, corpus: Corpus, params: dict[str, str], days: tuple[str, ...]
) -> None:
    body = get_json(client, "/api/daily", **params)
    assert {paper["arxiv_id"] for paper in body["papers"]} == corpus.ids_on(*days)
    assert body["period"]["kind"] == next(iter(params))


def test_daily_pages_through_a_month(client: TestClient, corpus: Corpus) -> None:
    seen: list[str] = []
    for page in range(1, 5):
        body = get_json(client, "/api/daily", month="2026-03", limit=10, page=page)
        assert body["total"] == 34 and body["limit"] == 10 and body["page"] == page
        assert body["has_more"] == (page < 4)
        seen += [paper["arxiv_id"] for paper in body["papers"]]
    assert len(seen) == 34
    assert set(seen) == corpus.ids_on("2026-03-05", "2026-03-06", "2026-03-09", "2026-03-11")


def test_daily_on_an_empty_database(empty_client: TestClient) -> None:
    body = get_json(empty_client, "/api/daily")
    assert body["period"] is None and body["papers"] == [] and body["total"] == 0


@pytest.mark.parametrize(("params", "fragments"), [
    ({"date": "2026-03-09", "week": "2026-W11"}, ("at most one",)),
    ({"limit": "201"}, ("limit",)),
    ({"limit": "0"}, ("limit",)),
    ({"page": "0"}, ("page",)),
    ({"page": "two"}, ("page",)),
    ({"date": "2026-02-30"}, ("2026-02-30",)),
    ({"week": "2026-W99"}, ("2026-W99",)),
    ({"month": "03-2026"}, ("03-2026",)),
])
def test_daily_rejects_bad_parameters_naming_them(
    client: TestClient, params: dict[str, str], fragments: tuple[str, ...]
) -> None:
    assert_error(get_json(client, "/api/daily", 400, **params), 400, *fragments)


# -- search ----------------------------------------------------------------------------


def test_search_answers_with_hits_scores_and_the_mode(client: TestClient) -> None:
    body = get_json(client, "/api/search", q="magnetophonon graphene")
    assert body["mode"] == "keyword" and body["sort"] == "relevance"
    assert body["query"] == "magnetophonon graphene"
    assert body["results"][0]["arxiv_id"] == "0704.0027"
    assert body["results"][0]["title"].startswith("Filling-Factor-Dependent")
    scores = [hit["score"] for hit in body["results"]]
    assert all(isinstance(score, float) for score in scores)
    assert scores == sorted(scores, reverse=True)


def test_search_filters_and_sort_by_date(client: TestClient, corpus: Corpus) -> None:
    body = get_json(client, "/api/search", q="", cat="cs.IT", limit=50)
    assert {hit["arxiv_id"] for hit in body["results"]} == corpus.with_category("cs.IT")
    dated = get_json(client, "/api/search", q="model", sort="date", limit=50,
                     **{"from": "2026-03-05", "to": "2026-03-09"})
    days = [hit["announced_date"] for hit in dated["results"]]
    assert days == sorted(days, reverse=True) and set(days) <= {
        "2026-03-05", "2026-03-06", "2026-03-09"}
    assert all(hit["score"] is None for hit in dated["results"])


def test_search_offset_and_limit_cut_any_window(client: TestClient) -> None:
    whole = get_json(client, "/api/search", q="model", limit=20)
    ids = [hit["arxiv_id"] for hit in whole["results"]]
    for offset, limit in [(0, 5), (3, 4), (7, 6), (10, 10)]:
        window = get_json(client, "/api/search", q="model", offset=offset, limit=limit)
        assert [hit["arxiv_id"] for hit in window["results"]] == ids[offset:offset + limit]
        assert window["offset"] == offset and window["limit"] == limit
        assert window["total"] == whole["total"]


def test_search_reports_notices(client: TestClient) -> None:
    body = get_json(client, "/api/search", q='"string junctions')
    assert any("unmatched quote" in notice for notice in body["notices"])


@pytest.mark.parametrize(("params", "fragments"), [
    ({"q": ""}, ("type some words",)),
    ({"q": "x" * 5000}, ("1,000",)),
    ({"q": "model", "offset": "10001"}, ("offset", "10000")),
    ({"q": "model", "offset": "-1"}, ("offset",)),
    ({"q": "model", "limit": "500"}, ("limit",)),
    ({"q": "model", "sort": "sideways"}, ("sort",)),
    ({"q": "model", "from": "soon"}, ("'from'",)),
])
def test_search_rejects_what_cannot_run(
    client: TestClient, params: dict[str, str], fragments: tuple[str, ...]
) -> None:
    assert_error(get_json(client, "/api/search", 400, **params), 400, *fragments)


@pytest.mark.parametrize("text", ['"unbalanced', "AND", "NEAR", "*", "🙂", "\x00", "%00",
                                  "cat:", "from:2026 to:2025", "<script>", "\\"])
def test_search_never_fails_on_odd_input(client: TestClient, text: str) -> None:
    response = client.get("/api/search", params={"q": text})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert_error(response.json(), 400)
    else:
        assert response.json()["mode"] == "keyword"


# -- health, errors, docs --------------------------------------------------------------


def test_health_reports_counts_and_schema(client: TestClient, corpus: Corpus) -> None:
    body = get_json(client, "/api/health")
    assert body["status"] == "ok"
    assert body["papers"] == len(corpus.arxiv) + sum(map(len, corpus.hf_by_day.values()))
    assert body["latest_day"] == "2026-03-11"
    assert isinstance(body["schema_version"], int) and body["schema_version"] >= 1


def test_unknown_api_routes_are_json_404s(client: TestClient) -> None:
    for url in ("/api", "/api/nope", "/api/papers/", "/api/daily/extra"):
        assert_error(get_json(client, url, 404), 404)


def test_wrong_methods_are_json_405s_that_say_what_is_allowed(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE"):
        response = client.request(method, "/api/health")
        assert response.status_code == 405
        assert "GET" in response.headers["allow"]
        assert_error(response.json(), 405, method, "GET")


@pytest.fixture
def failing_client(service: Papertide) -> Iterator[TestClient]:
    """The real app plus one route that fails like a bug would."""
    app: FastAPI = create_web_app(service)

    def broken() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/api/broken", broken)
    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_unexpected_errors_are_500s_without_internals(failing_client: TestClient) -> None:
    response = failing_client.get("/api/broken")
    assert response.status_code == 500
    assert_error(response.json(), 500)
    assert "secret internals" not in response.text
    page = failing_client.get("/broken")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "secret internals" not in page.text and "Traceback" not in page.text
    assert parse_html(page.text).find(class_="error-status").text() == "500"


def test_docs_use_only_local_assets(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert not re.findall(r"https?://", response.text), "the docs page names another host"
    page = parse_html(response.text)
    scripts = [script.get("src") for script in page.find_all("script") if script.get("src")]
    styles = [link.get("href") for link in page.find_all("link")]
    assert scripts and styles
    for asset in scripts + styles:
        assert asset.startswith("/"), asset
        served = client.get(asset)
        assert served.status_code == 200 and served.content, asset
    assert '"validatorUrl": null' in response.text  # no badge fetched from swagger.io
    assert client.get("/redoc").status_code == 404


def test_openapi_lists_the_api_and_its_error_shape(client: TestClient) -> None:
    schema = get_json(client, "/openapi.json")
    assert set(schema["paths"]) == {"/api/papers/{arxiv_id}", "/api/daily", "/api/search",
                                    "/api/health", "/api/trending", "/api/topics",
                                    "/api/recommendations", "/api/papers/{arxiv_id}/similar",
                                    "/api/me/follows", "/api/me/follows/{name}",
                                    "/api/papers/{arxiv_id}/comments"}
    components = schema["components"]["schemas"]
    for name in ("PaperPublic", "PaperListPublic", "SearchResultsPublic", "ErrorPublic"):
        assert name in components
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert "422" not in operation["responses"]
            assert len(operation["tags"]) == 1  # listed once in the docs
            assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorPublic"}
    search = schema["paths"]["/api/search"]["get"]
    assert {"q", "limit", "offset", "sort", "from", "to", "cat", "author"} <= {
        parameter["name"] for parameter in search["parameters"]}


ENVELOPE = {"papers", "total", "limit", "offset", "has_more"}


@pytest.mark.parametrize(("url", "old_key"), [
    ("/api/daily?date=2026-03-11&limit=5", None),
    ("/api/trending?window=month&limit=5&page=2", None),
    ("/api/search?q=model&limit=5&offset=5", "results"),
    ("/api/papers/0704.0027/similar?limit=3", "results"),
])
def test_every_paper_list_has_the_same_envelope_and_old_keys_stay_one_release(
    client: TestClient, url: str, old_key: str | None
) -> None:
    body = client.get(url).json()
    assert set(body) >= ENVELOPE, url
    assert len(body["papers"]) <= body["limit"]
    if "offset=5" in url or "page=2" in url:
        assert body["offset"] == 5
    if old_key:
        assert body[old_key] == body["papers"]


def test_the_schema_marks_the_old_list_keys_deprecated(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for model, old_key in (("SearchResultsPublic", "results"),
                           ("SimilarPapersPublic", "results"),
                           ("RecommendationsPublic", "picks")):
        field = schemas[model]["properties"][old_key]
        assert field.get("deprecated") is True, model
        assert "papers" in field["description"]
        assert set(schemas[model]["required"]) >= ENVELOPE, model


@pytest.mark.parametrize("path", [
    "/api/health", "/api/search?q=model", "/api/nope", "/openapi.json", "/feed.atom",
    "/search/feed.atom?q=model", "/docs", "/",
])
def test_every_answer_tells_browsers_not_to_guess_its_type(client: TestClient,
                                                          path: str) -> None:
    assert client.get(path).headers["x-content-type-options"] == "nosniff"


def test_a_failure_outside_any_handler_still_says_nosniff(failing_client: TestClient) -> None:
    assert failing_client.get("/api/broken").headers["x-content-type-options"] == "nosniff"


def test_the_docs_page_has_a_policy_that_forbids_framing_and_other_hosts(
    client: TestClient,
) -> None:
    policy = client.get("/docs").headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["object-src"] == "'none'"
