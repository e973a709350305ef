"""Comment Markdown: the safe subset renders, everything else comes out as harmless text."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from papertide.discussions.markdown import CommentRenderer, comment_html

RENDER = CommentRenderer().render
SUBSET = {"p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote",
          "span", "div"}


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def assert_harmless(html: str) -> None:
    for tag, attributes in _Elements(html).found:
        assert tag in SUBSET, html
        assert not any(name.startswith("on") or name == "style" for name in attributes), html
        href = attributes.get("href")
        if href is not None:
            assert urlsplit(href).scheme in ("http", "https", "mailto", ""), html


def test_the_subset_renders() -> None:
    html = RENDER("*em* **strong** `code`\n\n- one\n- two\n\n1. first\n\n> quoted\n\n"
                  "```\nblock <b>\n```")
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html
    assert "<code>code</code>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html and "<ol>" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<pre><code>block &lt;b&gt;\n</code></pre>" in html


def test_links_are_kept_with_rel_and_safe_schemes_only() -> None:
    assert RENDER("[site](https://example.org/a?b=1)") == (
        '<p><a href="https://example.org/a?b=1" rel="nofollow ugc noopener">site</a></p>\n')
    assert 'href="mailto:a@example.org"' in RENDER("[mail](mailto:a@example.org)")
    for target in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>",
                   "vbscript:msgbox(1)", "java&#09;script:alert(1)", "<javascript:alert(1)>"):
        assert_harmless(RENDER(f"[click]({target})"))
        assert_harmless(RENDER(target))


@pytest.mark.parametrize("attack", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[x](https://a.example\" onmouseover=\"alert(1))",
    "![img](javascript:alert(1))",
])
def test_html_in_a_comment_is_shown_as_text(attack: str) -> None:
    html = RENDER(attack)
    assert_harmless(html)
    assert [tag for tag, _ in _Elements(html).found if tag != "p"] in ([], ["a"])


def test_math_between_dollars_is_kept_as_written() -> None:
    html = RENDER("Energy $E = mc^2$ and $a_1 * b_1$ and $$\\sum_i x_i$$")
    assert '<span class="math">$E = mc^2$</span>' in html
    assert '<span class="math">$a_1 * b_1$</span>' in html  # no emphasis inside math
    assert '<span class="math">$$\\sum_i x_i$$</span>' in html
    assert RENDER("$<script>alert(1)</script>$").count("<script") == 0


def test_headings_images_and_tables_are_not_part_of_the_subset() -> None:
    assert RENDER("# Title") == "<p># Title</p>\n"
    assert "<img" not in RENDER("![alt](https://example.org/x.png)")
    assert "<table" not in RENDER("| a | b |\n|---|---|\n| 1 | 2 |")


def test_html_stored_another_way_is_cleaned_when_shown() -> None:
    shown = str(comment_html('<p onclick="x()">hi<script>alert(1)</script>'
                             '<a href="javascript:x">y</a></p>'))
    assert shown == "<p>hi<a rel=\"nofollow ugc noopener\">y</a></p>"
