"""The aiohttp client to Odoo: the project's first choice, kept as ``--odoo-client aiohttp``.

The default is the leaner ``http11`` client; see its docstring for why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import aiohttp

from ..errors import OdooTimeout, OdooUnavailable, ReplyTooLarge
from .transport import MAX_REPLY_BYTES, Reply


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
        max_reply_bytes: int = MAX_REPLY_BYTES,
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
                    raise ReplyTooLarge()
                chunks: list[bytes] = []
                size = 0
                async for chunk in resp.content.iter_any():
                    size += len(chunk)
                    if size > self._max_reply:
                        raise ReplyTooLarge()
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
