"""What both HTTP clients to Odoo share about the bytes: the requests they may send,
and how a compressed reply body is undone.

Requests are held to RFC 9110's grammar before a byte is written, as h11 would hold
them: a method is a token, a target an absolute path, a header name a token and a
value free of control characters. Counting line breaks is not enough: ``X-A: b`` as
a name, a ``#`` or ``\\x7f`` in a path pass that count and still change what Odoo reads.

The path argument is a path only: ``?`` and ``#`` are refused. No client sends a
query string today (every Odoo route the gateway calls takes its arguments in the
body); one that ever needs a query should get its own argument, built and encoded
here, rather than have it spliced into the path.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping

from ..errors import BadReply, ReplyTooLarge, UnsafeRequest

# RFC 9110 5.6.2 token; an absolute path of RFC 3986 pchar and %XX escapes, with no
# empty segment ("//host/x" reads as an authority to some servers) but a final "/".
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PATH = re.compile(r"/|(?:/[A-Za-z0-9\-._~!$&'()*+,;=:@%]+)+/?")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# A field value: visible ASCII, space, tab and obs-text (Latin-1); no other control.
_NOT_FIELD_VALUE = re.compile(r"[^\t\x20-\x7e\x80-\xff]")
# Tokens (methods, header names) and paths already found good: the clients send few
# distinct ones, so most requests are checked by set lookups. Never values: they hold
# secrets. Two sets, since a good path (``/a:b``) is no good header name.
_TOKENS: set[str] = set()
_PATHS: set[str] = set()
_MAX_SAFE = 4096


def check_request(method: str, path: str, headers: Mapping[str, str]) -> None:
    """Raise ``UnsafeRequest`` unless the request line and headers are well formed."""
    tokens = _TOKENS
    if method not in tokens:
        if not _TOKEN.fullmatch(method):
            raise UnsafeRequest(
                f"refusing to send a request whose method is not a token: {method[:40]!r}"
            )
        _remember(tokens, method)
    if path not in _PATHS:
        if not _PATH.fullmatch(path) or _BAD_ESCAPE.search(path):
            raise UnsafeRequest(_path_fault(path))
        _remember(_PATHS, path)
    for name, value in headers.items():
        if name not in tokens:
            if not _TOKEN.fullmatch(name):
                raise UnsafeRequest(
                    f"refusing to send a header whose name is not a token ({_fault(name)})"
                )
            _remember(tokens, name)
        if not (value.isascii() and value.isprintable()) and _NOT_FIELD_VALUE.search(value):
            raise UnsafeRequest(f"refusing to send the {name} header: {_fault(value)}")


def check_prefix(prefix: str) -> str:
    """The path of Odoo's base URL, if it may start every request's target."""
    if prefix and (not _PATH.fullmatch(prefix) or _BAD_ESCAPE.search(prefix)):
        raise ValueError(f"the Odoo URL's path is not a plain absolute path: {prefix!r}")
    return prefix


def _remember(good: set[str], text: str) -> None:
    if len(good) < _MAX_SAFE:
        good.add(text)


def _fault(text: str) -> str:
    if "\r" in text or "\n" in text:
        return "it holds a line break"
    if re.search(r"[^\x00-\xff]", text):
        return "it is not Latin-1"
    return "it holds a space, a control character or a separator"


def _path_fault(path: str) -> str:
    if not path.startswith("/"):
        return "refusing to send a request target that is not an absolute path"
    for char, what in (("?", "a query"), ("#", "a fragment"), (" ", "a space")):
        if char in path:
            return f"refusing to send a request path with {what}"
    return f"refusing to send a request path with a character outside RFC 3986 ({_fault(path)})"


def decode_body(body: bytes, encoding: str, cap: int) -> bytes:
    """The body as sent before compression, never more than ``cap`` bytes.

    Only one whole compressed stream is a body: a stream cut short, or followed by
    anything (bytes, a second gzip member), is a broken reply.
    """
    coding = encoding.strip().lower()
    if coding in ("", "identity") or not body:  # no body (a 204, say) has nothing to undo
        return body
    if coding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif coding == "deflate":
        # RFC 9110 means zlib-wrapped; some servers send raw deflate.
        wrapped = body[:1] == b"\x78"
        inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
    else:
        raise BadReply(f"Odoo's reply uses an unsupported content coding: {coding[:40]}")
    try:
        out = inflater.decompress(body, cap + 1)
    except zlib.error as exc:
        raise BadReply("Odoo's compressed reply is corrupt") from exc
    if len(out) > cap or inflater.unconsumed_tail:
        raise ReplyTooLarge()
    if not inflater.eof:
        raise BadReply("Odoo's compressed reply is cut short")
    if inflater.unused_data:
        raise BadReply("Odoo's compressed reply is followed by stray bytes")
    return out
