"""A tiny DOM over the standard library's HTML parser, so tests can ask
"which paper titles does this page show" instead of grepping markup."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from fastapi.testclient import TestClient

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"}
_SPACES = re.compile(r"\s+")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set(self.get("class").split())

    def text(self) -> str:
        """The visible text inside, whitespace collapsed."""
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return _SPACES.sub(" ", " ".join(parts)).strip()

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, class_: str | None = None,
                 **attrs: str) -> list[Element]:
        return [
            element for element in self.iter()
            if (tag is None or element.tag == tag)
            and (class_ is None or class_ in element.classes)
            and all(element.attrs.get(name.rstrip("_")) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, class_: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, class_, **attrs)
        assert found, f"no <{tag or '*'} class={class_!r} {attrs}> in the page"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root


def card_titles(page: Element) -> list[str]:
    """The titles of the paper cards, in page order."""
    return [card.find(class_="paper-title").text() for card in page.find_all(class_="paper-card")]


def card_ids(page: Element) -> list[str]:
    """The arXiv ids of the paper cards, from their links to the paper pages."""
    ids = []
    for card in page.find_all(class_="paper-card"):
        href = card.find(class_="paper-title").find("a").get("href")
        ids.append(href.removeprefix("/papers/"))
    return ids


def fetch_page(client: TestClient, url: str, status: int = 200) -> Element:
    """GET an HTML page, check its status and type, and parse it."""
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return parse_html(response.text)
