"""The recorded responses, and broken or paged variants derived from them.

Nothing here is written by hand: pages are cut from the real ListRecords answer,
broken bodies are the real ones truncated, corrupted or re-encoded.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.ingest.replay import ATOM, JSON, XML, Reply

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"

# Where the replay server answers the arXiv RSS feed of the default categories.
RSS_FEED_PATH = "/rss/cs.LG+cs.AI+cs.CL+stat.ML"
RSS_FEED = "arxiv-rss/rss_cs_LG_AI_CL_stat_ML_2026-09-24.xml"
RSS_SATURDAY = "arxiv-rss/rss_cs_CL_saturday_empty_2026-08-01.xml"
API_PAGES = {
    0: "arxiv-api/q_testing_s0_m10_bc5a6c384fe9.xml",
    10: "arxiv-api/q_testing_s10_m10_34e56e15aaac.xml",
    20: "arxiv-api/q_testing_s20_m10_348a237fecab.xml",
}
API_ERROR_400 = "arxiv-api/id_abc_s0_m100_b79c8dcf6bc3.xml"
API_EMPTY = "arxiv-api/id_0000.0000_s0_m100_8b51d9633a68.xml"
API_TWO_IDS = "arxiv-api/id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.xml"
API_OLD_STYLE = "arxiv-api/id_astro-ph_0601001_s0_m100_3150dca9dc76.xml"
OAI_LIST_RECORDS = "arxiv-oai/ListRecordsResponse.xml"
OAI_BAD_TOKEN = "arxiv-oai/ErrorResponseBadResumptionToken.xml"
OAI_NO_RECORDS = "arxiv-oai/ErrorResponseNoRecordsMatch.xml"
OAI_BAD_ARGUMENT = "arxiv-oai/ErrorResponseBadArgument.xml"
OAI_503_THEN_200 = "arxiv-oai/paperhive-listrecords-503-then-200.json"
HF_2026_06_12 = "hf-daily-papers/sotawhat_daily_papers_2026-06-12.json"
HF_2026_07_31 = "hf-daily-papers/all-news-ai_daily_papers_2026-07.json"

# The six papers of the real ListRecords page, in its order.
OAI_IDS = ("0704.0471", "0704.0716", "0704.0874", "0704.1109", "0704.1114", "0704.1586")
_RECORD = re.compile(rb"<record>.*?</record>\n", re.DOTALL)
_TOKEN = re.compile(rb"<resumptionToken[^>]*>[^<]*</resumptionToken>")


def recorded(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def xml_reply(name: str, **options: object) -> Reply:
    return Reply(recorded(name), content_type=ATOM if name.startswith("arxiv-api") else XML,
                 **options)  # type: ignore[arg-type]


def json_reply(name: str) -> Reply:
    return Reply(recorded(name), content_type=JSON)


def oai_pages(per_page: int, token_prefix: str = "726959") -> list[bytes]:
    """The real ListRecords answer cut into pages of ``per_page`` records.

    Each page but the last ends with a token in the real format (``726959|1001``
    becomes ``726959|3`` for the page starting at record 3); the last ends with
    the empty token that OAI-PMH uses to say the list is complete.
    """
    body = recorded(OAI_LIST_RECORDS)
    records = _RECORD.findall(body)
    head = body[:body.index(records[0])]
    tail = body[body.index(records[-1]) + len(records[-1]):]
    pages = []
    for start in range(0, len(records), per_page):
        chunk = records[start:start + per_page]
        following = start + per_page
        if following < len(records):
            token = (f'<resumptionToken cursor="{start}" completeListSize="{len(records)}">'
                     f"{token_prefix}|{following + 1}</resumptionToken>").encode()
        else:
            token = (f'<resumptionToken cursor="{start}" '
                     f'completeListSize="{len(records)}"/>').encode()
        pages.append(head + b"".join(chunk) + _TOKEN.sub(lambda _m, t=token: t, tail))
    return pages


def page_token(page: bytes) -> str | None:
    match = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", page)
    return match.group(1).decode() if match else None


def paperhive_exchanges(retry_after: str = "1") -> list[Reply]:
    """arXiv's real 503 (with its headers) and the 200 that followed; Retry-After shortened."""
    replies = []
    for exchange in json.loads(recorded(OAI_503_THEN_200)):
        raw = exchange["rawHeaders"]
        headers = dict(zip(raw[::2], raw[1::2], strict=True))
        kept = {name: value for name, value in headers.items()
                if name.lower() in ("retry-after", "server", "vary")}
        if "Retry-After" in kept:
            kept["Retry-After"] = retry_after
        replies.append(Reply(exchange["response"].encode(), exchange["status"],
                             headers.get("Content-Type", XML), kept))
    return replies


def truncated(body: bytes, before: bytes, occurrence: int = 1) -> bytes:
    """``body`` cut in the middle of the ``occurrence``-th ``before`` marker."""
    position = -1
    for _ in range(occurrence):
        position = body.index(before, position + 1)
    return body[:position + len(before) // 2]


def corrupted(body: bytes, before: bytes, occurrence: int = 1) -> bytes:
    """``body`` with bytes that are not UTF-8 written over the text just after a marker."""
    position = -1
    for _ in range(occurrence):
        position = body.index(before, position + 1)
    start = position + len(before) + 8
    return body[:start] + b"\xff\xfe\xfd" + body[start + 3:]


def latin1(body: bytes) -> bytes:
    """The same document re-encoded as Latin-1 while still declaring UTF-8."""
    return body.decode("utf-8").encode("latin-1", errors="replace")
