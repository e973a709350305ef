"""A small corpus with known answers for the search tests.

Each paper is written so that one behaviour can be checked against it: where
a word appears (title or abstract), which words it shares, its category,
its authors and its announcement month.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import kaggle_row, write_jsonl

# id, title, abstract, authors, categories, first version (a weekday morning)
PAPERS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("2501.00101", "Transformer architectures for protein structure",
     "We predict the structure of proteins from sequences with attention layers.",
     "Ada Lovelace", "q-bio.BM cs.LG", "2025-01-06T10:00:00Z"),
    ("2501.00102", "Recurrent networks for protein structure",
     "Unlike a transformer, our recurrent model reads sequences one residue at a time.",
     "Alan Turing", "q-bio.BM", "2025-01-07T10:00:00Z"),
    ("2501.00103", "Large language model agents in the wild",
     "Agents built on a large language model act in web browsers.",
     "Grace Hopper", "cs.CL cs.AI", "2025-02-03T10:00:00Z"),
    ("2501.00104", "A model of large language families",
     "Historical linguistics: which language family grew large, and a model of why.",
     "Noam Chomsky", "cs.CL", "2025-02-04T10:00:00Z"),
    ("2501.00105", "Quantum graph neural networks",
     "Graph neural networks run on quantum hardware.",
     "Bal\\'azs Szegedy and Emmy Noether", "quant-ph cs.LG", "2025-03-03T10:00:00Z"),
    ("2501.00106", "Quantum error correction codes",
     "Surface codes protect qubits from noise.",
     "Peter Shor", "quant-ph", "2025-03-04T10:00:00Z"),
    ("2501.00107", "Star formation in spiral galaxies",
     "Molecular clouds collapse into stars.",
     "Vera Rubin", "astro-ph.GA", "2025-03-05T10:00:00Z"),
    ("2501.00108", "Dark energy from supernova surveys",
     "Exploding white dwarfs constrain the expansion of the universe.",
     "Saul Perlmutter", "astro-ph.CO", "2025-01-08T10:00:00Z"),
)
# Papers that all match "benchmark", spread over April-May 2025, for paging and sorting.
FILLER_COUNT = 25
FILLER_WORD = "benchmark"


def filler_id(number: int) -> str:
    return f"2504.{number:05d}"


def rows() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        kaggle_row(arxiv_id, title, abstract=abstract, authors=authors, categories=categories,
                   versions=(created,), update_date=created[:10])
        for arxiv_id, title, abstract, authors, categories, created in PAPERS
    ]
    for number in range(1, FILLER_COUNT + 1):
        day = 7 + number % 4  # several papers a day, as on a real listing
        month = 4 + number % 2
        created = f"2025-{month:02d}-{day:02d}T10:00:00Z"
        found.append(kaggle_row(
            filler_id(number), f"Study {number} of a {FILLER_WORD} suite",
            abstract=f"We measure system {number} on a public {FILLER_WORD}.",
            authors="Jane Doe", categories="cs.PF", versions=(created,),
            update_date=created[:10],
        ))
    return found


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_jsonl(folder / "corpus.jsonl", rows())
