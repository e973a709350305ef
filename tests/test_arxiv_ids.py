"""arXiv identifiers as people paste them, and junk that is not one."""

from __future__ import annotations

import pytest

from papertide.arxiv_ids import ArxivId, normalise_arxiv_id, parse_arxiv_id
from papertide.exceptions import InvalidInputError, InvalidPaperIdError


@pytest.mark.parametrize(
    ("text", "base", "version"),
    [
        ("2502.01341", "2502.01341", None),
        ("2502.01341v2", "2502.01341", 2),
        ("0704.0001", "0704.0001", None),
        ("1412.9999v12", "1412.9999", 12),
        ("arXiv:2502.01341", "2502.01341", None),
        ("ARXIV:2502.01341v3", "2502.01341", 3),
        ("oai:arXiv.org:2502.01341", "2502.01341", None),
        ("https://arxiv.org/abs/2502.01341v2", "2502.01341", 2),
        ("http://arxiv.org/abs/2502.01341", "2502.01341", None),
        ("  2502.01341\n", "2502.01341", None),
        ("hep-th/9901001", "hep-th/9901001", None),
        ("hep-th/9901001v1", "hep-th/9901001", 1),
        ("acc-phys/9411001", "acc-phys/9411001", None),
        ("math.GT/0309136", "math.GT/0309136", None),
        ("arXiv:cond-mat/0102536v2", "cond-mat/0102536", 2),
        ("https://arxiv.org/abs/alg-geom/9202001", "alg-geom/9202001", None),
    ],
)
def test_ids_as_people_write_them(text: str, base: str, version: int | None) -> None:
    assert parse_arxiv_id(text) == ArxivId(base, version)
    assert normalise_arxiv_id(text) == base


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "2502",
        "2502.123",
        "2502.123456",
        "25020.1341",
        "2502.01341v",
        "2502.01341 v2",
        "2502.01341x",
        "hep-th/990100",
        "hep-th/99010011",
        "hep-th9901001",
        "/9901001",
        "hello world",
        "https://example.com/abs/2502.01341",
        "arxiv.org/abs/2502.01341",
        "../../etc/passwd",
        "2502.01341; DROP TABLE papers",
        "2502.01341" * 10,
        "２５０２.０１３４１",
    ],
)
def test_junk_is_refused(text: str) -> None:
    with pytest.raises(InvalidPaperIdError) as raised:
        parse_arxiv_id(text)
    assert isinstance(raised.value, InvalidInputError)
    assert "arXiv identifier" in str(raised.value)


def test_the_error_message_is_bounded() -> None:
    with pytest.raises(InvalidPaperIdError) as raised:
        parse_arxiv_id("x" * 10_000)
    assert len(str(raised.value)) < 200
