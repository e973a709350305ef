"""Signed secrets and CSRF tokens: forged, truncated or re-purposed values are refused."""

from __future__ import annotations

import pytest

from papertide.accounts.addresses import normalise_email
from papertide.accounts.paths import local_path
from papertide.accounts.tokens import Signer, hash_secret
from papertide.exceptions import InvalidInputError

KEY = b"k" * 40


def test_a_signed_value_gives_back_the_hash_the_store_keeps() -> None:
    signer = Signer(KEY)
    signed, stored = signer.new_signed("sign-in")
    secret = signed.split(".")[0]
    assert stored == hash_secret(secret) and secret not in stored
    assert signer.secret_hash(signed, "sign-in") == stored


@pytest.mark.parametrize("tamper", [
    lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),  # signature changed
    lambda s: "x" + s,                                  # secret changed
    lambda s: s.split(".")[0],                          # signature cut off
    lambda s: s[: len(s) // 2],                         # cut in half
    lambda s: s + "." + s,                              # two dots
    lambda s: "",
    lambda s: s + "x" * 300,                            # absurdly long
])
def test_forged_values_are_refused(tamper: object) -> None:
    signer = Signer(KEY)
    signed, _ = signer.new_signed("session")
    assert callable(tamper)
    assert signer.secret_hash(tamper(signed), "session") is None


def test_a_value_signed_for_one_purpose_is_refused_for_another() -> None:
    signer = Signer(KEY)
    signed, _ = signer.new_signed("sign-in")
    assert signer.secret_hash(signed, "session") is None
    assert Signer(b"other key" * 5).secret_hash(signed, "sign-in") is None


def test_csrf_tokens_are_bound_to_what_they_were_made_for() -> None:
    signer = Signer(KEY)
    token = signer.token_for("csrf", "session:abc")
    assert signer.check_token("csrf", "session:abc", token)
    assert not signer.check_token("csrf", "session:abd", token)
    assert not signer.check_token("csrf", "session:abc", token[:-2])
    assert not signer.check_token("csrf", "session:abc", "")


@pytest.mark.parametrize(("typed", "stored"), [
    (" Ada.Lovelace@Example.ORG ", "ada.lovelace@example.org"),
    ("a+papers@sub.example.co.uk", "a+papers@sub.example.co.uk"),
    ("Ada@Bücher.de", "ada@xn--bcher-kva.de"),
])
def test_addresses_are_normalised(typed: str, stored: str) -> None:
    assert normalise_email(typed) == stored


@pytest.mark.parametrize("typed", [
    "", "   ", "ada", "ada@", "@example.org", "ada@exa mple.org", "ada@@example.org",
    "<script>@example.org", "a" * 65 + "@example.org", "ada@" + "a" * 250 + ".org",
    "ada@example.org\r\nBcc: victim@example.org",
    "a@localhost", "root@example",  # dotless domains: refused by sign-in as by subscribe
])
def test_malformed_addresses_are_refused_with_a_message(typed: str) -> None:
    with pytest.raises(InvalidInputError):
        normalise_email(typed)


@pytest.mark.parametrize(("given", "kept"), [
    ("/papers/2502.01341", "/papers/2502.01341"),
    ("/search?q=a%20b", "/search?q=a%20b"),
    ("https://evil.example/", "/"),
    ("//evil.example/path", "/"),
    ("/\\evil.example", "/"),
    ("papers", "/"),
    ("/ok\r\nSet-Cookie: x=1", "/"),
    (None, "/"),
    ("/" + "a" * 600, "/"),
])
def test_only_paths_on_this_site_are_kept_for_after_sign_in(given: str | None, kept: str) -> None:
    assert local_path(given) == kept
