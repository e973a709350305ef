"""The account page, and the library's search, sort, exports and pasted imports.

Exports are read back with real parsers (``bibtexparser``, ``rispy``, ``csv``,
``json``) and through papertide's own importer, as another program would.
"""

from __future__ import annotations

import csv
import io
import json

import bibtexparser
import rispy
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.web import create_web_app
from tests.mailcatcher import MailCatcher
from tests.web.conftest import BASE_URL, Corpus, read_corpus, squash
from tests.web.html_dom import Element, parse_html
from tests.web_accounts.conftest import count_rows, csrf_of, page_of, sign_in

CORPUS: Corpus = read_corpus()
GRAPHENE = "0704.0027"  # "Filling-Factor-Dependent Magnetophonon Resonance in Graphene"
SHOCK = "0704.0008"  # "Numerical solution of shock and ramp compression ..."
STRINGS = "hep-th/9901001"


def _save(client: TestClient, token: str, arxiv_id: str, tags: str = "") -> None:
    response = client.post(f"/library/{arxiv_id}",
                           data={"csrf_token": token, "action": "save", "tags": tags})
    assert response.status_code == 200, response.text[:300]


def _card_ids(page: Element) -> list[str]:
    return [card.find(class_="paper-title").find("a").get("href").removeprefix("/papers/")
            for card in page.find_all("article", class_="paper-card")]


def _library_with_three(client: TestClient, catcher: MailCatcher, email: str) -> str:
    sign_in(client, catcher, email)
    token = csrf_of(client.get("/papers/date/2026-03-11").text)
    _save(client, token, GRAPHENE, "graphene, to read")
    _save(client, token, SHOCK, "to read")
    _save(client, token, STRINGS)
    return token


def _title(arxiv_id: str) -> str:
    return squash(CORPUS.row(arxiv_id)["title"])


# -- the library: search, sort, export ----------------------------------------------------


def test_the_library_searches_titles_authors_and_ids_and_sorts(
    client: TestClient, smtp: tuple[MailCatcher, int]
) -> None:
    _library_with_three(client, smtp[0], "finder@example.org")
    assert _card_ids(page_of(client, "/library?q=MAGNETOPHONON")) == [GRAPHENE]
    assert _card_ids(page_of(client, "/library?q=goerbig")) == [GRAPHENE]  # an author
    assert _card_ids(page_of(client, "/library?q=9901001")) == [STRINGS]  # part of an id
    assert _card_ids(page_of(client, "/library?q=100%25")) == []  # a literal %, not a wildcard
    assert _card_ids(page_of(client, "/library?q=graphene&tag=to+read")) == [GRAPHENE]
    by_title = _card_ids(page_of(client, "/library?sort=title"))
    assert by_title == sorted([GRAPHENE, SHOCK, STRINGS], key=lambda key: _title(key).lower())
    empty = page_of(client, "/library?q=no+such+words")
    assert "Nothing matches" in empty.find(class_="empty-state").text()
    assert client.get("/library?sort=random").status_code == 400


def test_the_library_exports_read_back_with_real_parsers(
    client: TestClient, smtp: tuple[MailCatcher, int]
) -> None:
    _library_with_three(client, smtp[0], "exporter@example.org")
    links = {a.text(): a.get("href") for a in
             page_of(client, "/library").find(class_="library-links").find_all("a")}
    assert set(links) >= {"BibTeX", "RIS", "CSL-JSON", "CSV"}

    bib = client.get(links["BibTeX"])
    assert bib.status_code == 200 and "attachment" in bib.headers["content-disposition"]
    entries = {entry.fields_dict["eprint"].value: entry
               for entry in bibtexparser.parse_string(bib.text).entries}
    assert set(entries) == {GRAPHENE, SHOCK, STRINGS}
    graphene = entries[GRAPHENE]
    assert squash(graphene.fields_dict["title"].value.strip("{}")) == _title(GRAPHENE)
    assert "Goerbig" in graphene.fields_dict["author"].value
    assert graphene.fields_dict["keywords"].value == "graphene, to read"

    records = rispy.loads(client.get(links["RIS"]).text)
    assert {squash(record["title"]) for record in records} == {
        _title(GRAPHENE), _title(SHOCK), _title(STRINGS)}
    assert all(record["type_of_reference"] == "PREP" for record in records)

    items = json.loads(client.get(links["CSL-JSON"]).text)
    assert {item["id"] for item in items} == {f"arXiv:{key}" for key in (GRAPHENE, SHOCK,
                                                                          STRINGS)}
    shock = next(item for item in items if item["id"] == f"arXiv:{SHOCK}")
    assert shock["DOI"] == CORPUS.row(SHOCK)["doi"]

    rows = list(csv.DictReader(io.StringIO(client.get(links["CSV"]).text)))
    assert {row["arxiv_id"] for row in rows} == {GRAPHENE, SHOCK, STRINGS}

    tagged = client.get("/library/export.bib?format=bibtex&tag=graphene")
    assert [entry.fields_dict["eprint"].value
            for entry in bibtexparser.parse_string(tagged.text).entries] == [GRAPHENE]
    assert client.get("/library/export.bib?format=ris").status_code == 400
    assert client.get("/library/export.bib?format=pdf").status_code == 400


def test_an_export_imports_back_into_another_library(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int]
) -> None:
    _library_with_three(client, smtp[0], "mover@example.org")
    for link, name in (("/library/export.bib?format=bibtex", "lib.bib"),
                       ("/library/export.ris?format=ris", "lib.ris"),
                       ("/library/export.json?format=csl-json", "lib.json")):
        exported = client.get(link).content
        with TestClient(create_web_app(service), base_url=BASE_URL) as other:
            sign_in(other, smtp[0], f"moved-{name}@example.org")
            token = csrf_of(other.get("/library/import").text)
            done = other.post("/library/import", data={"csrf_token": token},
                              files={"file": (name, exported, "text/plain")})
            assert done.status_code == 200, done.text[:300]
            assert sorted(_card_ids(page_of(other, "/library"))) == sorted(
                [GRAPHENE, SHOCK, STRINGS]), name


def test_the_library_exports_need_a_sign_in(client: TestClient) -> None:
    assert client.get("/library/export.bib?format=bibtex").status_code == 401


# -- pasted imports -----------------------------------------------------------------------


def test_pasting_ids_dois_and_titles_imports_them_and_links_what_was_not_found(
    client: TestClient, smtp: tuple[MailCatcher, int]
) -> None:
    sign_in(client, smtp[0], "paster@example.org")
    token = csrf_of(client.get("/library/import").text)
    pasted = "\n".join([
        f"arXiv:{GRAPHENE}v2",
        CORPUS.row(SHOCK)["doi"],
        _title(STRINGS).upper(),  # a title, in another case
        "2401.99999",  # a well-formed id this site does not have
        "A title nobody ever wrote about anything",
    ])
    done = client.post("/library/import", data={"csrf_token": token, "text": pasted},
                       files={"file": ("", b"", "application/octet-stream")})
    assert done.status_code == 200, done.text[:300]
    report = parse_html(done.text).find("section", class_="import-report")
    added = {a.get("href") for a in report.find("ul", class_="added").find_all("a")}
    assert added == {f"/papers/{GRAPHENE}", f"/papers/{SHOCK}", f"/papers/{STRINGS}"}
    unmatched = report.find("ul", class_="unmatched")
    assert [a.get("href") for a in unmatched.find_all("a")] == ["/papers/2401.99999"]
    assert "A title nobody ever wrote" in unmatched.text()
    assert sorted(_card_ids(page_of(client, "/library?tag=imported"))) == sorted(
        [GRAPHENE, SHOCK, STRINGS])


def test_an_empty_import_asks_for_a_file_or_a_list(
    client: TestClient, smtp: tuple[MailCatcher, int]
) -> None:
    sign_in(client, smtp[0], "blank@example.org")
    token = csrf_of(client.get("/library/import").text)
    done = client.post("/library/import", data={"csrf_token": token, "text": "  \n"},
                       files={"file": ("", b"", "application/octet-stream")})
    assert done.status_code == 400
    assert "paste" in parse_html(done.text).find(role="alert").text().lower()


# -- the account page ---------------------------------------------------------------------


def test_the_account_page_shows_the_address_and_signs_out_other_browsers(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int]
) -> None:
    email = "twice@example.org"
    sign_in(client, smtp[0], email)
    with TestClient(create_web_app(service), base_url=BASE_URL) as laptop:
        sign_in(laptop, smtp[0], email)
        page = page_of(client, "/account")
        assert email in page.find("main").text()
        assert len(page.find("table").find("tbody").find_all("tr")) == 2
        assert len(page.find_all(class_="badge")) == 1  # "this browser"
        form = page.find("form", action="/account/sign-out-elsewhere")
        done = client.post("/account/sign-out-elsewhere",
                           data={"csrf_token": form.find("input").get("value")},
                           follow_redirects=False)
        assert done.status_code == 303
        assert laptop.get("/account", follow_redirects=False).status_code == 303  # signed out
        after = page_of(client, done.headers["location"])  # still signed in here
        assert "signed out everywhere else" in after.find(role="status").text()
        assert len(after.find("tbody").find_all("tr")) == 1


def test_the_signed_in_subscriber_reaches_their_digest_settings_without_a_mailed_link(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int]
) -> None:
    sign_in(client, smtp[0], "digestreader@example.org")
    assert client.get("/subscription", follow_redirects=False).headers["location"] == \
        "/subscribe"  # not subscribed yet: the subscribe page
    token = csrf_of(client.get("/account").text)
    client.post("/subscribe", data={"email": "digestreader@example.org",
                                    "csrf_token": token, "frequency": "weekly"})
    account = page_of(client, "/account")
    digest = account.find("section", **{"aria-labelledby": "digest-heading"})
    assert "weekly digest" in digest.text()
    settings = client.get("/subscription")
    assert settings.status_code == 200
    assert parse_html(settings.text).find("form", action="/subscription")
    with TestClient(create_web_app(service), base_url=BASE_URL) as anonymous:
        assert anonymous.get("/subscription").status_code == 400  # no link, no sign-in


def test_the_data_download_holds_the_library_and_upvotes(
    client: TestClient, smtp: tuple[MailCatcher, int]
) -> None:
    token = _library_with_three(client, smtp[0], "mydata@example.org")
    client.post(f"/votes/{GRAPHENE}", data={"csrf_token": token, "action": "up"})
    response = client.get("/account/data.json")
    assert response.status_code == 200 and "attachment" in response.headers[
        "content-disposition"]
    data = response.json()
    assert data["account"]["email"] == "mydata@example.org"
    assert {entry["arxiv_id"] for entry in data["library"]} == {GRAPHENE, SHOCK, STRINGS}
    assert data["upvotes"] == [GRAPHENE]
    assert "token_hash" not in json.dumps(data)


def test_deleting_the_account_needs_the_tick_and_removes_everything(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int]
) -> None:
    token = _library_with_three(client, smtp[0], "leaving-for-good@example.org")
    users = count_rows(service, "users")
    library = count_rows(service, "library")
    refused = client.post("/account/delete", data={"csrf_token": token})
    assert refused.status_code == 400 and count_rows(service, "users") == users
    forged = client.post("/account/delete", data={"csrf_token": "x", "confirm": "yes"})
    assert forged.status_code == 403 and count_rows(service, "users") == users
    done = client.post("/account/delete", data={"csrf_token": token, "confirm": "yes"})
    assert done.status_code == 200 and "is deleted" in done.text
    assert count_rows(service, "users") == users - 1
    assert count_rows(service, "library") == library - 3
    assert client.get("/account", follow_redirects=False).status_code == 303
