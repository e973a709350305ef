"""One way to set up Jinja for pages and mails: strict, autoescaped HTML."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape


def template_environment(folder: Path, keep_trailing_newline: bool = False) -> Environment:
    """Templates from ``folder``; an unknown variable is an error, never an empty string.

    Mails keep the trailing newline (their text parts end with one); pages do not care.
    """
    return Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline,
        auto_reload=False,
    )
