"""Writing a multipart/alternative message as bytes, fast and strictly.

The standard library's ``EmailMessage`` parses every header it is given
and folds on output, which costs milliseconds per message: too slow for
tens of thousands of digests. Our messages have one fixed shape, so they
are written directly: headers (RFC 2047-encoded when not ASCII, folded at
78 columns), then a text and an HTML part, both quoted-printable (readable,
and it compresses well in the outbox), CRLF line ends throughout. A header
value holding a line break is refused outright: that is how header injection
would get in.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Sequence
from email.utils import formataddr

FOLD_AT = 78
# 45 bytes make 60 base64 characters: a 72-character encoded word.
EW_BYTES = 45
MAX_LINE = 998


class HeaderInjectionError(ValueError):
    """A header value carried a line break or another control character."""


def _check(name: str, value: str) -> None:
    if any(char in value for char in "\r\n\x00") or any(ord(c) < 32 and c != "\t"
                                                      for c in value):
        raise HeaderInjectionError(f"the {name} header may not contain control characters")


def address(name: str, email: str) -> str:
    """``Zoë <z@example.org>`` as a header value (the name encoded when not ASCII)."""
    _check("address", name)
    _check("address", email)
    if not name:
        return email
    if name.isascii():
        return formataddr((name, email))
    return f"{encoded_words(name)} <{email}>"


def text_value(name: str, value: str) -> str:
    """An unstructured value: ASCII folded at spaces, anything else RFC 2047-encoded."""
    _check(name, value)
    if value.isascii():
        return _fold(len(name) + 2, value)
    return encoded_words(value)


def encoded_words(text: str) -> str:
    """RFC 2047 ``=?utf-8?b?...?=`` words of at most 75 characters, one per folded line.

    Cut between characters, never inside one; readers join adjacent words
    without the folding space between them.
    """
    words: list[bytes] = []
    chunk = b""
    for char in text:
        encoded = char.encode("utf-8")
        if len(chunk) + len(encoded) > EW_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(word).decode('ascii')}?="
                         for word in words)


def _fold(start: int, value: str) -> str:
    lines: list[str] = []
    current = ""
    width = start
    for word in value.split(" "):
        if current and width + len(current) + 1 + len(word) > FOLD_AT:
            lines.append(current)
            current, width = word, 1
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return "\r\n ".join(lines)


def build(headers: Sequence[tuple[str, str]], text: str, html: str) -> bytes:
    """The whole message; ``headers`` are already-encoded values (see the helpers)."""
    boundary = f"=_papertide_{secrets.token_hex(12)}"
    lines = []
    for name, value in headers:
        _check(name, value.replace("\r\n ", " "))
        line = f"{name}: {value}"
        if not line.isascii() or any(len(part) > MAX_LINE for part in line.split("\r\n")):
            raise HeaderInjectionError(f"the {name} header is not encoded or too long")
        lines.append(line)
    lines += ["MIME-Version: 1.0",
              f'Content-Type: multipart/alternative; boundary="{boundary}"', "", ""]
    head = "\r\n".join(lines).encode("ascii")
    text_body = binascii.b2a_qp(text.replace("\r\n", "\n").encode("utf-8"), istext=True)
    html_body = binascii.b2a_qp(html.replace("\r\n", "\n").encode("utf-8"), istext=True)
    return b"".join([
        head,
        f"--{boundary}\r\n".encode(),
        b'Content-Type: text/plain; charset="utf-8"\r\n',
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
        text_body.replace(b"\n", b"\r\n"),
        b"\r\n" if not text_body.endswith(b"\n") else b"",
        f"--{boundary}\r\n".encode(),
        b'Content-Type: text/html; charset="utf-8"\r\n',
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
        html_body.replace(b"\n", b"\r\n"),
        b"\r\n" if not html_body.endswith(b"\n") else b"",
        f"--{boundary}--\r\n".encode(),
    ])
