"""The gateway's own HTTP/1.1 client to Odoo: an asyncio Protocol around httptools' parser.

Why not aiohttp, the first choice: aiohttp costs about four times the CPU of this
client per call (69 against 18 us, ``benchmarks/transport.py``), and with it a worker
stayed under the 5,000 req/s goal (``benchmarks/README.md``). aiohttp stays
available as ``--odoo-client aiohttp``.

It does only what talking to one Odoo needs: one origin (http or https, verified
with the system's CA store), keep-alive when the server allows it and a fresh
connection when it closes (as Odoo itself does), Content-Length, chunked and
read-to-close bodies, gzip and deflate, a bounded pool, a total timeout per call,
caps on header and body sizes, and a DNS cache. It follows no redirects and uses no
proxy, as the aiohttp transport did. Files go through ``request_parts`` (see
``large.py``): the body written part by part as the socket drains, the reply read
into one buffer of its Content-Length; the ordinary path only checks that it is not
such a call.

An upstream is not trusted to behave: a reply is a success only when it is complete
and clean (framed as it said, its coding whole, no stray bytes); any other is a
``BadReply`` (502), and every exchange that fails closes its connection, so no
socket outlives a bad reply. A request is repeated on a new connection only when
nothing of it was written (the reused connection was found closed first), or, for
a method that changes nothing, when the server closed a reused connection before
any byte of a reply: a POST that may have reached Odoo is never sent twice.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections import deque
from collections.abc import Mapping, Sequence
from typing import cast
from urllib.parse import urlsplit

import httptools

from ..errors import BadReply, OdooTimeout, OdooUnavailable, ReplyTooLarge, UnsafeRequest
from .large import size_of
from .transport import MAX_REPLY_BYTES, Buffer, LargeReply, Reply
from .wire import check_prefix, check_request, decode_body

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 100
# An idle connection older than this is closed, not reused: shorter than the shortest
# keep-alive common servers keep (uvicorn, gunicorn, Apache: 5 s), so the gateway lets go
# first; a POST sent on a connection the server is closing could not be retried safely.
KEEPALIVE_SECONDS = 4.0
DNS_TTL_SECONDS = 300.0
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
_PIECE = 256 * 1024  # a request part is written this much at a time, as the socket drains


class _Lost(OdooUnavailable):
    """The connection closed before any byte of a reply arrived."""

    def __init__(self, message: str, *, written: bool = True) -> None:
        super().__init__(message, written=written)


class _Spent:
    """What a closed connection's parser reports to: nothing arrives any more."""


_SPENT_PARSER = httptools.HttpResponseParser(_Spent())


class _Parts:
    """A request body in parts (``request_parts``), and back the reply's body when it
    was read into one buffer (its Content-Length known) rather than joined."""

    __slots__ = ("body", "parts")

    def __init__(self, parts: Sequence[Buffer]) -> None:
        self.parts = parts
        self.body: bytearray | None = None


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection, carrying one exchange at a time."""

    def __init__(self, max_reply: int) -> None:
        self._max_reply = max_reply
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[Reply] | None = None
        self.usable = True  # false once closed, failed, or left mid-reply
        self.keep_alive = False
        self.idle_since = 0.0
        self._parts: _Parts | None = None  # set while an exchange sends its body in parts
        self._writable: asyncio.Future[None] | None = None  # set while writing is paused
        self._parser = httptools.HttpResponseParser(self)
        self._start()

    def _start(self) -> None:
        self._headers: dict[str, str] = {}
        self._chunks: list[bytes] = []
        self._buffer: bytearray | None = None  # the reply body's one buffer (parts only)
        self._size = 0
        self._head_size = 0
        self._unparsed = 0
        self._head_done = False
        self._framed = False  # Content-Length or chunked; else the body runs to the close
        self._replied = False

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but offer its methods.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.waiter is None:
            # Nothing was asked: a server talking out of turn is not to be trusted again.
            self._close()
            return
        self._replied = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(BadReply("Odoo asked to switch protocols"))
        except httptools.HttpParserError as exc:
            # A callback's own error (a cap) comes back as the parser error's context.
            cause = exc.__context__
            if isinstance(cause, BadReply | ReplyTooLarge):
                self._fail(cause)
            else:
                self._fail(BadReply("Odoo sent a malformed HTTP reply"))
        else:
            if not self._head_done:  # a head still growing: the parser holds it in memory
                self._unparsed += len(data)
                if self._unparsed > MAX_HEAD_BYTES:
                    self._fail(BadReply("Odoo's reply headers are too large"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.usable = False
        self._wake_writer()
        if self._head_done and not self._framed and self.waiter is not None and exc is None:
            self._finish()  # a body delimited by the end of the connection, closed cleanly
        elif self._replied:
            why = "reset" if exc is not None else "closed"
            self._fail(BadReply(f"Odoo's connection was {why} before its reply was complete"))
        else:
            self._fail(_Lost("Odoo closed the connection without replying"))
        # The parser and the transport each point back at this protocol. Cutting the
        # loops lets reference counting free a closed connection at once; left to the
        # cycle collector (whose threshold the gateway raises, app.tune_gc) they would
        # pile up, one connection per call to an Odoo that closes each one, until one
        # long collection stalled every request in flight.
        self._parser = _SPENT_PARSER
        self.transport = None

    # httptools callbacks

    def on_message_begin(self) -> None:
        if self.waiter is None or self.waiter.done():
            self.usable = False  # a second reply to one request: the stream is out of step
        self._start()
        self._replied = True

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value)
        if self._head_size > MAX_HEAD_BYTES:
            raise BadReply("Odoo's reply headers are too large")
        if self._head_done:
            return  # a chunked trailer: it came after the body and never changes the head
        if len(self._headers) >= MAX_HEADERS:
            raise BadReply("Odoo's reply has too many headers")
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        seen = self._headers.get(key)
        self._headers[key] = text if seen is None else f"{seen}, {text}"

    def on_headers_complete(self) -> None:
        self._head_done = True
        headers = self._headers
        self._framed = (
            "content-length" in headers
            or "chunked" in headers.get("transfer-encoding", "").lower()
            or self._parser.get_status_code() in (204, 304)
        )
        length = headers.get("content-length", "")
        if length.isdigit():
            if int(length) > self._max_reply:
                raise ReplyTooLarge()
            if self._parts is not None and self._parser.get_status_code() not in (204, 304):
                self._buffer = bytearray(int(length))

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > self._max_reply:
            raise ReplyTooLarge()
        if self._buffer is None:
            self._chunks.append(body)
        else:
            self._fill(self._buffer, body)

    def _fill(self, buffer: bytearray, body: bytes) -> None:
        if self._size > len(buffer):  # the parser frames by Content-Length: a backstop
            raise BadReply("Odoo's reply is longer than its Content-Length")
        buffer[self._size - len(body) : self._size] = body

    def on_message_complete(self) -> None:
        if 100 <= self._parser.get_status_code() < 200:
            return  # an interim reply (100 Continue): the real one follows
        self.keep_alive = self._parser.should_keep_alive()
        self._finish()

    # the exchange

    def _finish(self) -> None:
        if self._buffer is not None:
            self._finish_buffered(self._buffer)
            return
        status = self._parser.get_status_code()
        body = self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)
        headers = self._headers
        waiter = self.waiter
        self._start()
        if waiter is None or waiter.done():
            return
        try:
            body = decode_body(body, headers.get("content-encoding", ""), self._max_reply)
        except (BadReply, ReplyTooLarge) as exc:
            self._fail(exc)
            return
        waiter.set_result(Reply(status, body, headers))

    def _finish_buffered(self, buffer: bytearray) -> None:
        """A reply read into one buffer: handed to ``request_parts`` through ``_Parts``."""
        status, headers, waiter, parts = (
            self._parser.get_status_code(),
            self._headers,
            self.waiter,
            self._parts,
        )
        whole = self._size == len(buffer)
        self._start()
        if waiter is None or waiter.done() or parts is None:
            return
        if not whole:
            self._fail(BadReply("Odoo's reply is shorter than its Content-Length"))
            return
        if headers.get("content-encoding", "").strip().lower() not in ("", "identity"):
            # compressed: undone as any reply (a copy; Odoo itself does not compress)
            try:
                body = decode_body(bytes(buffer), headers["content-encoding"], self._max_reply)
            except (BadReply, ReplyTooLarge) as exc:
                self._fail(exc)
                return
            waiter.set_result(Reply(status, body, headers))
            return
        parts.body = buffer
        waiter.set_result(Reply(status, b"", headers))

    def _fail(self, exc: Exception) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)
        self._close()

    def _expire(self) -> None:
        self._fail(_timed_out())

    def _close(self) -> None:
        self.usable = False
        if self.transport is not None:
            self.transport.close()
        self._wake_writer()

    # flow control, for request bodies written in parts

    def pause_writing(self) -> None:
        if self._writable is None:
            self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        self._wake_writer()

    def _wake_writer(self, _: object = None) -> None:
        writable, self._writable = self._writable, None
        if writable is not None and not writable.done():
            writable.set_result(None)

    async def _write_parts(self, parts: Sequence[Buffer], waiter: asyncio.Future[Reply]) -> None:
        """Each part in slices of its own memory, as fast as the socket takes them: the
        transport's buffer never holds more than a slice or two, and no part is copied
        whole. A reply (or a close) before the last byte ends the writing."""
        waiter.add_done_callback(self._wake_writer)
        for part in parts:
            view = memoryview(part)
            for at in range(0, view.nbytes, _PIECE):
                transport = self.transport
                if waiter.done() or transport is None or transport.is_closing():
                    self.usable = False  # answered or gone mid-request: out of step
                    return
                transport.write(view[at : at + _PIECE])
                if self._writable is not None:
                    await self._writable

    async def exchange(
        self,
        loop: asyncio.AbstractEventLoop,
        data: bytes,
        deadline: float,
        parts: _Parts | None = None,
    ) -> Reply:
        if self.transport is None or self.transport.is_closing():
            self._close()
            raise _Lost("Odoo closed the idle connection", written=False)
        waiter: asyncio.Future[Reply] = loop.create_future()
        self.waiter = waiter
        self._parts = parts
        timer = loop.call_at(deadline, self._expire)
        try:
            self.transport.write(data)
            if parts is not None:
                await self._write_parts(parts.parts, waiter)
            return await waiter
        except BaseException:
            # Failed, timed out or cancelled: whatever is left on this connection is junk.
            self._close()
            raise
        finally:
            timer.cancel()
            self.waiter = None
            self._parts = None


def _timed_out() -> OdooTimeout:
    return OdooTimeout("Odoo did not answer in time")


class Http11Transport:
    """The ``Transport`` to a real Odoo over HTTP/1.1 (http or https)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 60.0,
        max_connections: int = 100,
        max_reply_bytes: int = MAX_REPLY_BYTES,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        url = urlsplit(base_url.rstrip("/"))
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"the Odoo URL must be http:// or https://, not {base_url!r}")
        secure = url.scheme == "https"
        self._host = url.hostname
        self._port = url.port or (443 if secure else 80)
        self._ssl = (ssl_context or ssl.create_default_context()) if secure else None
        host = f"[{self._host}]" if ":" in self._host else self._host
        netloc = host if url.port is None else f"{host}:{url.port}"
        self._fixed_head = f"Host: {netloc}\r\nAccept-Encoding: gzip, deflate\r\n"
        self._prefix = check_prefix(url.path)
        self._timeout = timeout
        self._max_reply = max_reply_bytes
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: deque[_Connection] = deque()
        self._max_idle = max_connections
        self._addresses: list[tuple[str, int]] = []
        self._resolved_at = float("-inf")

    def _head(self, method: str, path: str, length: int, headers: Mapping[str, str]) -> bytes:
        check_request(method, path, headers)  # raises before anything is written
        lines = [f"{method} {self._prefix}{path} HTTP/1.1\r\n{self._fixed_head}"]
        lines.extend(f"{name}: {value}\r\n" for name, value in headers.items())
        lines.append(f"Content-Length: {length}\r\n\r\n")
        try:
            return "".join(lines).encode("latin-1")
        except UnicodeEncodeError:  # check_request lets none through: kept as a backstop
            raise UnsafeRequest("refusing to send a header that is not Latin-1") from None

    async def request(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply:
        data = self._head(method, path, len(body), headers) + body
        # One deadline for the whole call: waiting for a free connection, connecting,
        # and the exchange. A timer on the exchange costs less than asyncio.timeout,
        # and a free slot needs no timer at all.
        # The running loop is looked up once per call and passed on: on Python 3.11
        # each lookup is a getpid() system call.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        if self._slots.locked():
            try:
                async with asyncio.timeout_at(deadline):
                    await self._slots.acquire()
            except TimeoutError as exc:
                raise _timed_out() from exc
        else:
            await self._slots.acquire()
        try:
            return await self._send(loop, data, deadline, retry=method in _IDEMPOTENT)
        finally:
            self._slots.release()

    async def request_parts(
        self, method: str, path: str, parts: Sequence[Buffer], headers: Mapping[str, str]
    ) -> LargeReply:
        """The head, then each part as the socket takes it (never joined); the reply
        read into one buffer when its length is known. See ``large.py``."""
        head = self._head(method, path, size_of(parts), headers)
        out = _Parts(parts)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        try:
            async with asyncio.timeout_at(deadline):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise _timed_out() from exc
        try:
            reply = await self._send(loop, head, deadline, retry=False, parts=out)
        finally:
            self._slots.release()
        body = out.body if out.body is not None else reply.body
        return LargeReply(reply.status, body, reply.headers)

    async def _send(
        self,
        loop: asyncio.AbstractEventLoop,
        data: bytes,
        deadline: float,
        *,
        retry: bool,
        parts: _Parts | None = None,
    ) -> Reply:
        conn = self._take_idle(loop)
        reused = conn is not None
        if conn is None:
            conn = await self._connect(loop, deadline)
        try:
            reply = await conn.exchange(loop, data, deadline, parts)
        except _Lost as exc:
            # An idle connection the server closed as we reused it, before any byte of a
            # reply. Repeated on a new connection: any request if none of it was written;
            # else only one that changes nothing, since a POST may have reached Odoo.
            if not (reused and (retry or not exc.written)):
                raise
            conn = await self._connect(loop, deadline)
            reply = await conn.exchange(loop, data, deadline, parts)
        now = loop.time()
        if conn.usable and conn.keep_alive and len(self._idle) < self._max_idle:
            conn.idle_since = now
            self._idle.append(conn)
        else:
            conn._close()
        # The oldest idle connection, if it has idled too long, goes now rather than
        # whenever it is next reached.
        if self._idle and now - self._idle[0].idle_since >= KEEPALIVE_SECONDS:
            self._idle.popleft()._close()
        return reply

    def _take_idle(self, loop: asyncio.AbstractEventLoop) -> _Connection | None:
        now = loop.time()
        while self._idle:
            conn = self._idle.pop()
            if conn.usable and now - conn.idle_since < KEEPALIVE_SECONDS:
                return conn
            conn._close()
        return None

    async def _resolve(self, loop: asyncio.AbstractEventLoop) -> list[tuple[str, int]]:
        if self._addresses and loop.time() - self._resolved_at < DNS_TTL_SECONDS:
            return self._addresses
        try:
            infos = await loop.getaddrinfo(
                self._host, self._port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except OSError as exc:
            raise OdooUnavailable(f"cannot resolve Odoo's host: {type(exc).__name__}") from exc
        addresses = [(str(info[4][0]), int(info[4][1])) for info in infos]
        if not addresses:
            raise OdooUnavailable("cannot resolve Odoo's host")
        self._addresses, self._resolved_at = addresses, loop.time()
        return addresses

    async def _connect(self, loop: asyncio.AbstractEventLoop, deadline: float) -> _Connection:
        try:
            async with asyncio.timeout_at(deadline):
                return await self._open(loop)
        except TimeoutError as exc:
            raise _timed_out() from exc

    async def _open(self, loop: asyncio.AbstractEventLoop) -> _Connection:
        failure: OSError | None = None
        for host, port in await self._resolve(loop):
            try:
                _, conn = await loop.create_connection(
                    lambda: _Connection(self._max_reply),
                    host,
                    port,
                    ssl=self._ssl,
                    server_hostname=self._host if self._ssl else None,
                )
            except OSError as exc:
                failure = exc
                continue
            return conn
        self._resolved_at = float("-inf")  # resolve again next time: the address may move
        name = type(failure).__name__ if failure else "no address"
        raise OdooUnavailable(f"cannot reach Odoo: {name}")

    async def close(self) -> None:
        while self._idle:
            self._idle.pop()._close()
