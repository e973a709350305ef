"""Comment text: a safe subset of Markdown rendered to HTML on the server, then sanitised.

Two locks, each enough on its own: markdown-it renders with raw HTML off and
only the rules of the subset enabled (emphasis, code, links, lists, quotes,
paragraphs and line breaks); nh3 (the ammonia sanitiser) then keeps only the
tags and attributes that subset produces, links with http(s) or mailto
targets, and puts ``rel="nofollow ugc noopener"`` on every link. Math between
dollar signs is kept as text, untouched by the emphasis rules, in a
``<span class="math">`` (no renderer is bundled; readers see the TeX).

Rendered once, when a comment is posted or edited: pages only insert the
stored HTML, so a long discussion costs no parsing per view.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

LINK_REL = "nofollow ugc noopener"
ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li",
                "blockquote", "span", "div"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "span": {"class"}, "div": {"class"},
                      "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
_RULES = ("emphasis", "backticks", "link", "autolink", "escape", "newline", "entity",
          "paragraph", "list", "blockquote", "code", "fence")


def _parser() -> MarkdownIt:
    parser = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False,
                                 "breaks": True})
    parser.enable(list(_RULES))
    parser.use(dollarmath_plugin, allow_labels=False, allow_space=True, allow_digits=True,
               double_inline=True)
    parser.add_render_rule("math_inline", _math_inline)
    parser.add_render_rule("math_inline_double", _math_inline_double)
    parser.add_render_rule("math_block", _math_block)
    return parser


def _math_inline(self: RendererHTML, tokens: Sequence[Token], idx: int,
                 options: OptionsDict, env: EnvType) -> str:
    return f'<span class="math">{escape("$" + tokens[idx].content + "$")}</span>'


def _math_inline_double(self: RendererHTML, tokens: Sequence[Token], idx: int,
                        options: OptionsDict, env: EnvType) -> str:
    return f'<span class="math">{escape("$$" + tokens[idx].content + "$$")}</span>'


def _math_block(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                env: EnvType) -> str:
    return f'<div class="math">{escape("$$" + tokens[idx].content.strip() + "$$")}</div>\n'


def sanitise(html: str) -> str:
    """Only the subset's tags and attributes, safe link targets, ``rel`` on every link."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel=LINK_REL, strip_comments=True)


def comment_html(stored: str) -> Markup:
    """Stored comment HTML made safe to insert in a page.

    Sanitised again as it is shown (it was when stored): text that reached
    the database another way, a copy or an older version, is never trusted.
    """
    return Markup(sanitise(stored))


class CommentRenderer:
    """Markdown source in, safe HTML out (one parser, built once per service)."""

    def __init__(self) -> None:
        self._parser = _parser()

    def render(self, source: str) -> str:
        return sanitise(self._parser.render(source))
