"""Reading an untrusted JSON array, keeping every item that arrived whole.

A truncated or partly garbled answer still yields the items before the damage
(and says where it is), like :mod:`papertide.sources.xmlread` does for XML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class JsonItems:
    items: list[Any]
    error: str | None
    top_level: Any = None  # the document when it is not an array (an error object...)


def read_json_array(body: bytes) -> JsonItems:
    error: str | None = None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as problem:
        text = body[:problem.start].decode("utf-8")
        error = f"not UTF-8 from byte {problem.start:,} on"
    if error is None:
        try:
            document = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            pass
        else:
            if isinstance(document, list):
                return JsonItems(document, None)
            return JsonItems([], "not a JSON array", document)
    items, salvage_error = _salvage(text)
    return JsonItems(items, error or salvage_error or "malformed JSON")


def _salvage(text: str) -> tuple[list[Any], str | None]:
    """Decode array items one by one until the first that does not decode."""
    position = _skip_space(text, 0)
    if not text.startswith("[", position):
        return [], "not a JSON array"
    items: list[Any] = []
    position = _skip_space(text, position + 1)
    while position < len(text) and text[position] != "]":
        try:
            item, position = _DECODER.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError) as problem:
            return items, f"malformed JSON ({problem})"
        items.append(item)
        position = _skip_space(text, position)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
        elif not text.startswith("]", position):
            return items, f"malformed JSON (expected ',' or ']' at character {position:,})"
    if position >= len(text):
        return items, "malformed JSON (the array is cut short)"
    return items, None


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in _SPACE:
        position += 1
    return position
