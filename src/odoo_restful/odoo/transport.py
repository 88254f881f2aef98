"""How bytes reach Odoo: a small interface and the in-process implementation.

The HTTP implementations (``http11``, ``aiohttp_transport``) are chosen in
``compose.make_transport``.

The protocol clients build request bodies and read replies; they never touch the
network themselves, so the sandbox can stand in for Odoo with no socket at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

MAX_REPLY_BYTES = 64 * 1024 * 1024  # the largest Odoo reply the gateway reads
Buffer = bytes | bytearray | memoryview


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LargeReply:
    """A reply to ``request_parts``: its body may be a bytearray (read into one
    buffer, never joined), which the caller may reuse in place."""

    status: int
    body: bytes | bytearray
    headers: Mapping[str, str] = field(default_factory=dict)

    def small(self) -> Reply:
        """As an ordinary reply (a copy of the body: for replies known to be small)."""
        return Reply(self.status, bytes(self.body), self.headers)


class Transport(Protocol):
    async def request(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply: ...

    async def request_parts(
        self, method: str, path: str, parts: Sequence[Buffer], headers: Mapping[str, str]
    ) -> LargeReply:
        """A request whose body is ``parts`` written one after the other, never joined
        (files: see ``large.py``); its reply read into one buffer where the length is
        known. Never repeated once any byte of it may have left."""
        ...

    async def close(self) -> None: ...


class InProcessHandler(Protocol):
    """What an in-memory Odoo (the sandbox) offers: one synchronous call per request."""

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]: ...


class InProcessTransport:
    """Calls an in-memory Odoo directly: used by ``serve --sandbox`` and tests."""

    def __init__(self, handler: InProcessHandler) -> None:
        self._handler = handler

    async def request(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply:
        status, reply_headers, reply_body = self._handler.handle(method, path, headers, body)
        return Reply(status, reply_body, reply_headers)

    async def request_parts(
        self, method: str, path: str, parts: Sequence[Buffer], headers: Mapping[str, str]
    ) -> LargeReply:
        """Joined here: the in-memory Odoo takes one body (tests and ``--sandbox`` only)."""
        body = b"".join(parts)
        status, reply_headers, reply_body = self._handler.handle(method, path, headers, body)
        return LargeReply(status, reply_body, reply_headers)

    async def close(self) -> None:
        return None
