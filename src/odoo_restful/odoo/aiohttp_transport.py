"""The aiohttp client to Odoo: the project's first choice, kept as ``--odoo-client aiohttp``.

The default is the leaner ``http11`` client; see its docstring for why. Both hold
an upstream to the same rules (``wire.py``): requests checked before sending, a reply
a success only when complete and clean (else ``BadReply``, 502), and a connection
that failed an exchange never reused. aiohttp repeats a request on a new connection
only for methods that change nothing, so a POST is never sent twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from urllib.parse import urlsplit

import aiohttp
from aiohttp.client_proto import ResponseHandler

from ..errors import BadReply, OdooTimeout, OdooUnavailable, ReplyTooLarge
from .large import size_of
from .transport import MAX_REPLY_BYTES, Buffer, LargeReply, Reply
from .wire import check_prefix, check_request, decode_body


def _end_watch(
    resp: aiohttp.ClientResponse, proto: ResponseHandler | None
) -> asyncio.Future[None] | None:
    """For a body delimited by the end of the connection, what that end will be.

    aiohttp takes such a body as whole even when the connection is reset, not closed;
    the protocol's ``closed`` future tells the two apart. Best effort: a connection
    already gone when the head is handed over can no longer say how it ended.
    """
    framed = resp.content_length is not None or resp.status in (204, 304)
    framed = framed or "chunked" in resp.headers.get("Transfer-Encoding", "").lower()
    if framed or proto is None:
        return None
    return proto.closed


_PIECE = 256 * 1024


async def _slices(parts: Sequence[Buffer]) -> AsyncIterator[memoryview]:
    for part in parts:
        view = memoryview(part)
        for at in range(0, view.nbytes, _PIECE):
            yield view[at : at + _PIECE]


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
        check_prefix(urlsplit(self._base_url).path)
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
                auto_decompress=False,  # wire.decode_body: whole streams only
            )
        return self._session

    async def request(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply:
        reply = await self._exchange(method, path, body, headers, self._body)
        return Reply(reply.status, bytes(reply.body), reply.headers)  # bytes: not copied

    async def request_parts(
        self, method: str, path: str, parts: Sequence[Buffer], headers: Mapping[str, str]
    ) -> LargeReply:
        """The parts as an async iterator of slices of their own memory, with their
        Content-Length (so not chunked); the reply read into one buffer when its length
        is known. See ``large.py``."""
        sent = {**headers, "Content-Length": str(size_of(parts))}
        return await self._exchange(method, path, _slices(parts), sent, self._buffered)

    async def _exchange(
        self,
        method: str,
        path: str,
        body: bytes | AsyncIterator[memoryview],
        headers: Mapping[str, str],
        read: Callable[[aiohttp.ClientResponse], Awaitable[bytes | bytearray]],
    ) -> LargeReply:
        check_request(method, path, headers)  # yarl would quietly move a "#..." away
        url = self._base_url + path
        sent = {**headers, "Accept-Encoding": "gzip, deflate"}
        replied = False  # past the reply's head: a failure now is a broken reply
        try:
            async with self._get_session().request(
                method, url, data=body, headers=sent, allow_redirects=False
            ) as resp:
                replied = True
                # aiohttp lets go of the connection once a body is framed in full, so
                # the protocol is taken from the response itself.
                proto: ResponseHandler | None = getattr(resp, "_protocol", None)
                ended = _end_watch(resp, proto)
                try:
                    data = await read(resp)
                    if ended is not None and ended.done() and ended.exception() is not None:
                        raise BadReply("Odoo's connection was reset before its reply was complete")
                    return self._read(resp, data)
                except BaseException:
                    # Never reused: close the protocol, which may be back in the pool.
                    if proto is not None:
                        proto.close()
                    resp.close()
                    if ended is not None and ended.done() and not ended.cancelled():
                        ended.exception()  # seen: asyncio would log it as never retrieved
                    raise
        except TimeoutError as exc:
            raise OdooTimeout("Odoo did not answer in time") from exc
        except asyncio.CancelledError:
            raise
        except (aiohttp.ClientPayloadError, aiohttp.ClientResponseError) as exc:
            raise BadReply(f"Odoo sent a broken reply: {type(exc).__name__}") from exc
        except aiohttp.ClientError as exc:
            if replied:
                raise BadReply(f"Odoo sent a broken reply: {type(exc).__name__}") from exc
            # A failed connect sent nothing; any other failure before the reply (the
            # server closed or reset the connection) may follow a request Odoo acted on.
            written = not isinstance(exc, aiohttp.ClientConnectorError)
            raise OdooUnavailable(
                f"cannot reach Odoo: {type(exc).__name__}", written=written
            ) from exc

    async def _body(self, resp: aiohttp.ClientResponse) -> bytes:
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
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def _buffered(self, resp: aiohttp.ClientResponse) -> bytes | bytearray:
        """The body in one buffer of its Content-Length, never joined; else as usual."""
        length = resp.content_length
        if length is None or resp.headers.get("Content-Encoding"):
            return await self._body(resp)
        if length > self._max_reply:
            raise ReplyTooLarge()
        buffer = bytearray(length)
        size = 0
        async for chunk in resp.content.iter_any():
            if size + len(chunk) > length:
                raise BadReply("Odoo's reply is longer than its Content-Length")
            buffer[size : size + len(chunk)] = chunk
            size += len(chunk)
        if size != length:
            raise BadReply("Odoo's reply is shorter than its Content-Length")
        return buffer

    def _read(self, resp: aiohttp.ClientResponse, data: bytes | bytearray) -> LargeReply:
        headers = {k.lower(): v for k, v in resp.headers.items()}
        coding = headers.get("content-encoding", "")
        if coding:
            data = decode_body(bytes(data), coding, self._max_reply)
        return LargeReply(resp.status, data, headers)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
