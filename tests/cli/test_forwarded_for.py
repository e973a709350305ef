"""A client rotating ``X-Forwarded-For`` stays one client to `papertide serve`.

Run as a real server (uvicorn reads proxy headers itself unless told not to),
with ``FORWARDED_ALLOW_IPS=*`` in its environment as the compose file used to set it.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.cli.helpers import served

LIMIT = 3


def subscribe(base: str, email: str, forwarded_for: str) -> int:
    request = urllib.request.Request(
        base + "/subscribe", data=urllib.parse.urlencode({"email": email}).encode(),
        headers={"X-Forwarded-For": forwarded_for,
                 "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_a_visitor_forging_forwarded_for_through_the_proxy_is_limited_as_itself(
    cli_env: dict[str, str], tmp_path: Path,
) -> None:
    # The test is the proxy on loopback; nginx appends the visitor's address to whatever
    # X-Forwarded-For the visitor sent ($proxy_add_x_forwarded_for).
    env = cli_env | {"FORWARDED_ALLOW_IPS": "*",
                     "PAPERTIDE_SUBSCRIBE_LIMIT_PER_CLIENT": str(LIMIT)}
    with served(env, tmp_path) as base:
        rotating = [subscribe(base, f"a{number}@example.org", f"10.0.0.{number}, 198.51.100.7")
                    for number in range(LIMIT + 2)]
        # other visitors behind the same proxy are not held back by that one
        others = [subscribe(base, f"b{number}@example.org", f"198.51.100.{20 + number}")
                  for number in range(LIMIT)]
    assert rotating == [200] * LIMIT + [429] * 2
    assert others == [200] * LIMIT


def test_a_client_that_is_no_trusted_proxy_cannot_name_another_client(
    cli_env: dict[str, str], tmp_path: Path,
) -> None:
    env = cli_env | {"FORWARDED_ALLOW_IPS": "*", "PAPERTIDE_TRUSTED_PROXIES": "192.0.2.1",
                     "PAPERTIDE_SUBSCRIBE_LIMIT_PER_CLIENT": str(LIMIT)}
    with served(env, tmp_path) as base:
        answers = [subscribe(base, f"reader{number}@example.org", f"203.0.113.{number}")
                   for number in range(LIMIT + 2)]
    assert answers == [200] * LIMIT + [429] * 2
