"""How bytes reach Odoo: a small interface with an aiohttp and an in-process implementation.

The protocol clients build request bodies and read replies; they never touch the
network themselves, so the sandbox can stand in for Odoo with no socket at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import aiohttp

from ..errors import OdooTimeout, OdooUnavailable, PayloadTooLarge


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class Transport(Protocol):
    async def request(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply: ...

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

    async def close(self) -> None:
        return None


class AiohttpTransport:
    """Talks HTTP to a real Odoo through one shared aiohttp session.

    Odoo closes every connection (``Connection: close``), so no keep-alive is
    counted on; the connection pool is bounded so a slow Odoo cannot exhaust sockets.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 60.0,
        max_connections: int = 100,
        max_reply_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max_connections = max_connections
        self._max_reply = max_reply_bytes
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._max_connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=True,
            )
        return self._session

    async def request(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply:
        url = self._base_url + path
        try:
            async with self._get_session().request(
                method, url, data=body, headers=dict(headers), allow_redirects=False
            ) as resp:
                length = resp.content_length
                if length is not None and length > self._max_reply:
                    raise PayloadTooLarge("Odoo's reply is larger than the gateway accepts")
                chunks: list[bytes] = []
                size = 0
                async for chunk in resp.content.iter_any():
                    size += len(chunk)
                    if size > self._max_reply:
                        raise PayloadTooLarge("Odoo's reply is larger than the gateway accepts")
                    chunks.append(chunk)
                data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                return Reply(resp.status, data, {k.lower(): v for k, v in resp.headers.items()})
        except TimeoutError as exc:
            raise OdooTimeout("Odoo did not answer in time") from exc
        except asyncio.CancelledError:
            raise
        except aiohttp.ClientError as exc:
            raise OdooUnavailable(f"cannot reach Odoo: {type(exc).__name__}") from exc

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
