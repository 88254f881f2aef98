"""Large bodies to and from Odoo (files): never joined, never copied whole.

A file crosses the gateway as base64 text in JSON, 4/3 of its size; that text is
the one copy held. A request carries it as a part of its own (:class:`LargeValue`):
the JSON around it is encoded with a small mark in its place and split there
(:func:`encode_parts`), and the transport writes the parts one after the other with
a Content-Length of their sum. A reply is read into one buffer
(``Transport.request_parts``); the base64 string is located in the raw bytes
(:func:`cut_string`) and only the JSON around it, a few hundred bytes, goes through
the ordinary reply decoder, which so checks the envelope, errors included. The
string is then decoded into the front of the same buffer (:meth:`Cut.decode_base64`).
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from ..errors import UpstreamError
from .transport import Buffer, LargeReply, Reply

if TYPE_CHECKING:
    from .base import Credential

# A raw NUL never appears in orjson's output (inside strings it is escaped), so the
# mark cannot be confused with anything the encoder wrote.
_MARK = b"\x00large\x00"
_MARK_FRAGMENT = orjson.Fragment(_MARK)
_STEP = 4 * 64 * 1024  # base64 characters decoded at a time (192 KiB out)
_SPACE = b" \t\r\n"


@dataclass(frozen=True, slots=True)
class LargeCall:
    """A call that moves a file, as every client's ``call_large`` takes it:
    ``model.method(*args, **kwargs)`` as ``cred``, where ``large.LargeValue`` in the
    arguments go as parts of their own and the string value of ``cut`` (a binary
    field) comes back as a ``large.Cut``."""

    cred: Credential
    model: str
    method: str
    args: list[Any]
    kwargs: dict[str, Any]
    cut: str | None = None


class LargeValue:
    """A JSON value sent as a request part of its own: ``data`` is its JSON text
    (a string's quotes included), never copied into the rest of the body."""

    __slots__ = ("data",)

    def __init__(self, data: Buffer) -> None:
        self.data = data


def _mark(obj: Any, found: list[LargeValue]) -> orjson.Fragment:
    if isinstance(obj, LargeValue):
        found.append(obj)
        return _MARK_FRAGMENT
    raise TypeError(f"Type is not JSON serializable: {type(obj).__name__}")


def encode_parts(value: Any) -> list[Buffer]:
    """The JSON of ``value`` as parts: the text between large values, and their data."""
    found: list[LargeValue] = []
    text = orjson.dumps(value, default=lambda obj: _mark(obj, found))
    pieces = text.split(_MARK)
    if len(pieces) != len(found) + 1:  # cannot happen: the mark is no JSON orjson writes
        raise ValueError("a large value's mark was found more or less often than placed")
    parts: list[Buffer] = [pieces[0]]
    for large, piece in zip(found, pieces[1:], strict=True):
        parts.append(large.data)
        if piece:
            parts.append(piece)
    return parts


def size_of(parts: Sequence[Buffer]) -> int:
    """The number of bytes the parts hold together (a Content-Length)."""
    return sum(memoryview(part).nbytes for part in parts)


@dataclass(frozen=True, slots=True)
class Cut:
    """A JSON string's text taken out of a reply: ``buffer[start:end]``, no escapes."""

    buffer: bytes | bytearray
    start: int
    end: int

    def decode_base64(self) -> bytes | bytearray:
        """The bytes the base64 text stands for, decoded into the front of the reply's
        own buffer when it is a bytearray (output never overtakes input: 3 bytes out
        for 4 in), so the file is never held beside its base64. The buffer is spent."""
        buf, start, end = self.buffer, self.start, self.end
        try:
            if not isinstance(buf, bytearray):
                return binascii.a2b_base64(memoryview(buf)[start:end], strict_mode=True)
            out = 0
            with memoryview(buf) as view:
                for at in range(start, end, _STEP):
                    chunk = binascii.a2b_base64(view[at : min(at + _STEP, end)], strict_mode=True)
                    view[out : out + len(chunk)] = chunk
                    out += len(chunk)
            del buf[out:]
            return buf
        except (binascii.Error, ValueError):
            raise UpstreamError("Odoo answered a file that is not valid base64") from None


def find_string(body: bytes | bytearray, key: str) -> tuple[int, int] | None:
    """Where the text of the string value of ``"key"`` lies in raw JSON, if it holds
    no escape; None when the key is missing, its value is no string (``false``), or
    the string has escapes (left to the ordinary decoder, which undoes them).

    Inside a JSON string every quote is escaped, so ``"key"`` followed by a colon
    can only be a member name; the caller checks the JSON around the cut anyway.
    """
    name = b'"' + key.encode() + b'"'
    at = body.find(name)
    while at >= 0:
        pos = _skip_space(body, at + len(name))
        if body[pos : pos + 1] == b":":
            pos = _skip_space(body, pos + 1)
            if body[pos : pos + 1] != b'"':
                return None
            start = pos + 1
            end = body.find(b'"', start)
            if end < 0 or body.find(b"\\", start, end) >= 0:
                return None
            return start, end
        at = body.find(name, at + 1)
    return None


def _skip_space(body: bytes | bytearray, pos: int) -> int:
    while body[pos : pos + 1] and body[pos] in _SPACE:
        pos += 1
    return pos


def cut_string(reply: LargeReply, key: str) -> tuple[Reply, Cut | None]:
    """The reply with the string value of ``key`` emptied (``""``), and the cut.

    The emptied reply is small and goes through the protocol's ordinary decoder; the
    caller checks that the value it expected there is ``""``. No cut (a ``false``,
    an error, escapes): the whole body as an ordinary reply.
    """
    body = reply.body
    found = find_string(body, key)
    if found is None:
        return reply.small(), None
    start, end = found
    rest = bytes(body[:start]) + bytes(body[end:])
    return Reply(reply.status, rest, reply.headers), Cut(body, start, end)


@dataclass(frozen=True, slots=True)
class LargeResult:
    """What a large call answers: the result's JSON (with the cut string, if one was
    asked for and found, left as ``""``) and that cut."""

    result: bytes
    cut: Cut | None = None


def read_result(
    reply: LargeReply, cut: str | None, decode: Callable[[Reply, str], bytes], what: str
) -> LargeResult:
    """A large call's reply through the protocol's own decoder (``decode``), with the
    string value of ``cut`` (a binary field) taken out first when asked."""
    if cut is None:
        return LargeResult(decode(reply.small(), what))
    rest, found = cut_string(reply, cut)
    return LargeResult(decode(rest, what), found)
