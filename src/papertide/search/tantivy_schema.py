"""What the tantivy keyword index holds: its fields, analyzers and documents.

Queries (``tantivy_query``) and the index (``tantivy_index``) both read this, so
that a word is analysed the same way when it is indexed and when it is searched.
"""

from __future__ import annotations

import re

import tantivy

from papertide.models import Paper
from papertide.search.facet_terms import day_number, filed_categories

# Tuned on the SciFact train queries (bench/retrieval): 2.0 -> 1.0 raised keyword nDCG@10
# from 0.613 to 0.664; BM25's length normalisation still ranks a word in the short title
# above the same word in the abstract.
TITLE_BOOST = 1.0
AUTHORS_BOOST = 0.5
TEXT_ANALYZER = "papertide_en"
NAME_ANALYZER = "papertide_names"
WORD_ANALYZER = "papertide_words"
# Title and abstract words as typed (lower-cased, not stemmed): what prefixes expand
# over and typos are corrected from. Doc ids only, no positions: nothing ranks by it.
WORDS_FIELD = "words"
# What the documents hold; an index written under another version is rebuilt on open.
# 2: hyphenated words are also indexed written solid ("zero-shot" -> "zeroshot").
# 3: the unstemmed ``words`` field.
SCHEMA_VERSION = 3
TEXT_FIELDS = (("title", TITLE_BOOST), ("abstract", 1.0), ("authors", AUTHORS_BOOST))
PROSE_FIELDS = TEXT_FIELDS[:2]  # title and abstract also hold hyphenated words solid
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def text_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def name_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def word_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def stopword_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("english"))
        .build()
    )


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("arxiv_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name=TEXT_ANALYZER)
    builder.add_text_field("abstract", tokenizer_name=TEXT_ANALYZER)
    builder.add_text_field("authors", tokenizer_name=NAME_ANALYZER)
    builder.add_text_field(WORDS_FIELD, tokenizer_name=WORD_ANALYZER, index_option="basic")
    builder.add_text_field("categories", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("announced", indexed=True, fast=True)
    return builder.build()


def paper_document(paper: Paper) -> tantivy.Document:
    """The document indexed for ``paper``."""
    return tantivy.Document(
        arxiv_id=paper.arxiv_id,
        title=with_compounds(paper.title),
        abstract=with_compounds(paper.abstract or ""),
        authors=" ; ".join(paper.authors),
        words=[paper.title, paper.abstract or ""],
        categories=filed_categories(paper.categories),
        announced=day_number(paper.announced_date),
    )


def with_compounds(text: str) -> list[str]:
    """The text, plus its hyphenated words written solid as a second value.

    A second value rather than appended words: phrases never match across the
    two, so "zero-shot" still is the phrase "zero shot" as well as "zeroshot".
    """
    # Token by token: a hyphenated word never spans whitespace, and scanning only the
    # tokens holding a hyphen is 8x faster than the regex over the whole text (which
    # was two thirds of indexing time at 1M papers, bench/README.md).
    solid = [match.group().replace("-", "") for token in text.split() if "-" in token
             for match in _COMPOUND.finditer(token)]
    return [text, " ".join(solid)] if solid else [text]


def solid_compound(word: str) -> str | None:
    """``word`` without its hyphens if it is a hyphenated word, else ``None``."""
    core = EDGES.sub("", word)
    return core.replace("-", "") if _COMPOUND.fullmatch(core) else None
