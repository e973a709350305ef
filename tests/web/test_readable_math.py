"""TeX math in titles and abstracts reads as Unicode on pages, feeds and mails, while
the stored text, the search and the API keep arXiv's own."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.readable_math import readable_math
from papertide.web.app import create_web_app
from tests.helpers import FIXED_NOW, make_record

TITLE = r"Scaling Diffusion Transformers via $\mu$P"
ABSTRACT = (r"We transfer $\mu$P to DiT with $\mathcal{O}(n \log n)$ cost, a "
            r"$2.9\times$ speed-up and $60\%$ fewer steps; it costs $5 and $10 a day.")


@pytest.mark.parametrize(("typed", "shown"), [
    (r"Maximal Update Parametrization ($\mu$P)", "Maximal Update Parametrization (μP)"),
    (r"$O(n^2)$ memory", "O(n²) memory"),
    (r"$k\geq 3$ experts", "k≥3 experts"),
    (r"$\textbf{MagicID}$ keeps identity", "MagicID keeps identity"),
    (r"within $10\%$ of", "within 10% of"),
    (r"see $\href{https://example.org}{here}$", "see here"),
    (r"an $\alpha$-$\beta$ trade-off", "an α-β trade-off"),
])
def test_common_formulas_read_as_unicode(typed: str, shown: str) -> None:
    assert readable_math(typed) == shown


@pytest.mark.parametrize("prose", [
    "it costs $5 and $10 a day",  # dollars, not math
    r"a formula it cannot render whole: $\frac{\text{response length}}{3}$",
    "no math at all",
    r"an escaped \$ sign and $",
])
def test_what_cannot_be_rendered_whole_is_shown_as_typed(prose: str) -> None:
    assert readable_math(prose) == prose


def test_markup_inside_a_formula_stays_text_on_the_page(app: Papertide) -> None:
    app.store.upsert_papers([make_record("2501.00001", r"Attack $<script>x</script>$ and $\beta$",
                                         abstract="Plain.")], FIXED_NOW)
    with TestClient(create_web_app(app)) as client:
        page = client.get("/papers/2501.00001").text
    assert "<script>x" not in page
    assert "β" in page


def test_pages_and_feeds_show_unicode_while_the_api_keeps_the_source(app: Papertide) -> None:
    app.store.upsert_papers([make_record("2501.00001", TITLE, abstract=ABSTRACT)], FIXED_NOW)
    app.sync_search_index()
    with TestClient(create_web_app(app)) as client:
        page = client.get("/papers/2501.00001").text
        listing = client.get("/search", params={"q": "diffusion", "mode": "keyword"}).text
        feed = client.get("/search/feed.atom", params={"q": "diffusion"}).text
        api = client.get("/api/papers/2501.00001").json()
    assert '<h1 class="paper-heading">Scaling Diffusion Transformers via μP</h1>' in page
    assert "<title>Scaling Diffusion Transformers via μP" in page
    assert "𝓞(n log n) cost, a 2.9× speed-up and 60% fewer steps" in page
    assert "it costs $5 and $10 a day" in page
    assert r"$\mu$P" not in listing
    # citation tags, like exports, keep arXiv's text for reference managers
    assert f'<meta name="citation_title" content="{TITLE}">' in page
    assert "via μP" in listing and "via μP" in feed
    assert api["title"] == TITLE and api["abstract"] == ABSTRACT
    # the search finds what arXiv wrote, as typed there
    assert app.search("mu", mode="keyword").page.total == 1


@pytest.mark.parametrize("hostile", [
    "$" + "{" * 199 + "x" + "}" * 199 + "$",  # deep nesting
    "$" + r"\frac{" * 60 + "x" + "}{y}" * 60 + "$",  # past the formula length limit
    "$" * 5_000,
    "$x^" + "^" * 390 + "$",
    r"$\undefinedcommand{x}$",
])
def test_hostile_formulas_never_break_a_page(hostile: str) -> None:
    shown = readable_math(hostile)
    assert shown == hostile or "\\" not in shown
