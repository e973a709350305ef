"""Printing papers in a terminal, and JSON for scripts."""

from __future__ import annotations

import json
import shutil
import textwrap
from typing import Any

import click

from papertide.models import Paper

MAX_AUTHORS_SHOWN = 6


def paper_as_dict(paper: Paper) -> dict[str, Any]:
    """The JSON form of a paper, shared by ``show --json`` and ``search --json``."""
    return {
        "arxiv_id": paper.arxiv_id,
        "title": paper.title,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "primary_category": paper.primary_category,
        "categories": list(paper.categories),
        "announced_date": paper.announced_date.isoformat() if paper.announced_date else None,
        "announced_is_estimate": paper.announced_is_estimate,
        "submitted_at": paper.submitted_at.isoformat() if paper.submitted_at else None,
        "updated_at": paper.updated_at.isoformat() if paper.updated_at else None,
        "latest_version": paper.latest_version,
        "versions": [
            {"version": v.version, "submitted_at": v.submitted.isoformat() if v.submitted else None}
            for v in paper.versions
        ],
        "comments": paper.comments,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "license": paper.license,
        "sources": list(paper.sources),
        "abs_url": paper.abs_url,
        "pdf_url": paper.pdf_url,
    }


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _width() -> int:
    return min(shutil.get_terminal_size((100, 24)).columns, 100)


def authors_line(paper: Paper) -> str:
    shown = ", ".join(paper.authors[:MAX_AUTHORS_SHOWN])
    extra = len(paper.authors) - MAX_AUTHORS_SHOWN
    return shown + (f" +{extra} more" if extra > 0 else "")


def echo_paper_summary(paper: Paper, rank: int | None = None) -> None:
    """Two or three lines per paper for listings."""
    prefix = f"{rank:>3}. " if rank is not None else ""
    click.echo(prefix + click.style(paper.title, bold=True))
    indent = " " * len(prefix)
    details = [paper.arxiv_id]
    if paper.announced_date:
        details.append(paper.announced_date.isoformat())
    if paper.categories:
        details.append(" ".join(paper.categories[:4]))
    click.echo(indent + click.style("  ·  ".join(details), dim=True))
    if paper.authors:
        click.echo(indent + authors_line(paper))


def echo_paper_details(paper: Paper) -> None:
    """Everything stored about a paper, for ``papertide show``."""
    width = _width()
    click.echo(click.style(paper.title, bold=True))
    click.echo()
    version = f" v{paper.latest_version}" if paper.latest_version else ""
    rows = [
        ("arXiv id", paper.arxiv_id + version),
        ("Authors", ", ".join(paper.authors) or "unknown"),
        ("Categories", " ".join(paper.categories) or "unknown"),
        ("Announced", (paper.announced_date.isoformat() if paper.announced_date else "unknown")
         + (" (estimated)" if paper.announced_is_estimate else "")),
        ("Submitted", paper.submitted_at.isoformat() if paper.submitted_at else "unknown"),
        ("Comments", paper.comments or ""),
        ("Journal ref", paper.journal_ref or ""),
        ("DOI", paper.doi or ""),
        ("Licence", paper.license or ""),
        ("Sources", ", ".join(paper.sources)),
        ("Abstract page", paper.abs_url),
        ("PDF", paper.pdf_url),
    ]
    for label, value in rows:
        if value:
            click.echo(f"{label + ':':<15}{value}")
    for entry in paper.versions:
        stamp = entry.submitted.isoformat() if entry.submitted else "date unknown"
        click.echo(f"{'':<15}v{entry.version}: {stamp}")
    if paper.abstract:
        click.echo()
        click.echo(textwrap.fill(paper.abstract, width=width))
