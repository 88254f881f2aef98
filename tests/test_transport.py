"""The HTTP clients to Odoo, byte for byte against a scripted server on loopback.

Both clients (the built-in HTTP/1.1 one and aiohttp) must give the same replies and
the same errors for the same wire, so every case runs against both unless it tests
something only the built-in client offers.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import gzip
import os
import socket
import ssl
import struct
import zlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from odoo_restful.errors import (
    BadReply,
    OdooTimeout,
    OdooUnavailable,
    ReplyTooLarge,
    UnsafeRequest,
)
from odoo_restful.odoo import http11
from odoo_restful.odoo.aiohttp_transport import AiohttpTransport
from odoo_restful.odoo.http11 import Http11Transport
from odoo_restful.odoo.transport import Transport
from odoo_restful.odoo.websession import session_cookie
from odoo_restful.odoo.wire import check_request

from .deploy import self_signed
from .servers import free_port

CLIENTS = ("builtin", "aiohttp")
JSON = {"Content-Type": "application/json"}
GOOD = b'{"jsonrpc": "2.0", "id": 1, "result": [{"id": 1, "name": "x"}]}'


def _gzipped(plain: bytes, *, tail: bytes = b"", cut: int = 0, coding: str = "gzip") -> bytes:
    """A whole reply whose body is ``plain`` compressed, then cut short or followed by ``tail``."""
    packed = gzip.compress(plain) if coding == "gzip" else zlib.compress(plain)
    body = (packed[:-cut] if cut else packed) + tail
    head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Responder = Callable[[Seen, asyncio.StreamWriter], Awaitable[bool]]


@dataclass
class Upstream:
    """A loopback HTTP server that answers each request with a scripted responder."""

    respond: Responder
    tls: ssl.SSLContext | None = None
    host: str = "127.0.0.1"
    requests: list[Seen] = field(default_factory=list)
    connections: int = 0
    open_now: int = 0
    most_open: int = 0
    closed: int = 0

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, self.host, 0, ssl=self.tls)
        port = self._server.sockets[0].getsockname()[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    async def stop(self) -> None:
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                line, *lines = head.decode("latin-1").split("\r\n")
                method, path, _ = line.split(" ")
                headers = {}
                for item in lines:
                    if item:
                        name, _, value = item.partition(":")
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                seen = Seen(method, path, headers, body)
                self.requests.append(seen)
                if not await self.respond(seen, writer):
                    break
                await writer.drain()
        finally:
            self.open_now -= 1
            self.closed += 1
            writer.close()


def reply(
    body: bytes = b'{"ok": true}',
    *,
    status: str = "200 OK",
    headers: tuple[str, ...] = ("Content-Type: application/json",),
    close: bool = False,
) -> Responder:
    """A fixed reply with a Content-Length."""

    async def respond(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        extra = "".join(f"{h}\r\n" for h in headers)
        conn = "Connection: close\r\n" if close else ""
        writer.write(
            f"HTTP/1.1 {status}\r\n{extra}{conn}Content-Length: {len(body)}\r\n\r\n".encode() + body
        )
        return not close

    return respond


def raw(data: bytes, *, keep: bool = False) -> Responder:
    """Bytes as they are, then the connection is closed (unless ``keep``)."""

    async def respond(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        writer.write(data)
        await writer.drain()
        return keep

    return respond


def make(client: str, url: str, **options: Any) -> Transport:
    if client == "builtin":
        return Http11Transport(url, **options)
    options.pop("ssl_context", None)
    return AiohttpTransport(url, **options)


def run(scenario: Coroutine[Any, Any, None]) -> None:
    """Each case in a fresh event loop, ended after 20 s whatever happens."""

    async def bounded() -> None:
        await asyncio.wait_for(scenario, 20)

    asyncio.run(bounded())


async def call(transport: Transport, path: str = "/jsonrpc", body: bytes = b"{}") -> Any:
    return await transport.request("POST", path, body, JSON)


@pytest.mark.parametrize("client", CLIENTS)
def test_keep_alive_reply_and_what_is_sent(client: str) -> None:
    async def scenario() -> None:
        up = Upstream(reply(b'{"result": [1]}', headers=("Content-Type: application/json",)))
        transport = make(client, await up.start() + "/prefix")
        try:
            for n in range(3):
                got = await transport.request(
                    "POST", "/jsonrpc", b'{"n": %d}' % n, {**JSON, "X-Odoo-Db": "d1"}
                )
                assert got.status == 200
                assert got.body == b'{"result": [1]}'
                assert got.headers["content-type"] == "application/json"
        finally:
            await transport.close()
            await up.stop()
        assert up.connections == 1  # one connection, kept alive
        assert [r.body for r in up.requests] == [b'{"n": 0}', b'{"n": 1}', b'{"n": 2}']
        first = up.requests[0]
        assert (first.method, first.path) == ("POST", "/prefix/jsonrpc")
        assert first.headers["host"] == up_host(transport)
        assert first.headers["x-odoo-db"] == "d1"
        assert first.headers["content-type"] == "application/json"

    run(scenario())


def up_host(transport: Transport) -> str:
    if isinstance(transport, Http11Transport):
        return f"127.0.0.1:{transport._port}"
    base: str = transport._base_url  # type: ignore[attr-defined]
    return base.split("//", 1)[1].split("/", 1)[0]


@pytest.mark.parametrize("client", CLIENTS)
def test_ipv6_address(client: str) -> None:
    async def scenario() -> None:
        up = Upstream(reply(), host="::1")
        url = await up.start()
        transport = make(client, url)
        try:
            assert (await call(transport)).status == 200
        finally:
            await transport.close()
            await up.stop()
        assert up.requests[0].headers["host"] == url.removeprefix("http://")

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_connection_close_means_a_new_connection_per_call(client: str) -> None:
    async def scenario() -> None:
        up = Upstream(reply(close=True))
        transport = make(client, await up.start())
        try:
            for _ in range(3):
                assert (await call(transport)).body == b'{"ok": true}'
        finally:
            await transport.close()
            await up.stop()
        assert up.connections == 3

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_chunked_reply(client: str) -> None:
    wire = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"
    )

    async def scenario() -> None:
        up = Upstream(raw(wire, keep=True))
        transport = make(client, await up.start())
        try:
            assert (await call(transport)).body == b"hello world"
            assert (await call(transport)).body == b"hello world"
        finally:
            await transport.close()
            await up.stop()
        assert up.connections == 1

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_reply_delimited_by_the_end_of_the_connection(client: str, version: str) -> None:
    body = b'{"result": "' + b"x" * 100_000 + b'"}'

    async def scenario() -> None:
        up = Upstream(raw(f"HTTP/{version} 200 OK\r\nContent-Type: a/b\r\n\r\n".encode() + body))
        transport = make(client, await up.start())
        try:
            got = await call(transport)
            assert (got.status, got.body) == (200, body)
            assert (await call(transport)).body == body  # and the next call reconnects
        finally:
            await transport.close()
            await up.stop()
        assert up.connections == 2

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_compressed_reply_is_decompressed(client: str, coding: str) -> None:
    plain = b'{"result": [' + b",".join(b'{"id": %d}' % i for i in range(500)) + b"]}"
    packed = gzip.compress(plain) if coding == "gzip" else zlib.compress(plain)

    async def scenario() -> None:
        up = Upstream(reply(packed, headers=(f"Content-Encoding: {coding}",)))
        transport = make(client, await up.start())
        try:
            assert (await call(transport)).body == plain
        finally:
            await transport.close()
            await up.stop()
        assert "gzip" in up.requests[0].headers["accept-encoding"]

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("shape", ["content-length", "chunked", "to-close", "gzip-bomb"])
def test_reply_over_the_cap_is_refused(client: str, shape: str) -> None:
    big = b"[" + b"0," * 60_000 + b"0]"
    if shape == "content-length":
        wire = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(big) + big
    elif shape == "chunked":
        wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        wire += b"".join(
            b"%x\r\n%s\r\n" % (len(part), part) for part in (big[:50_000], big[50_000:])
        )
        wire += b"0\r\n\r\n"
    elif shape == "to-close":
        wire = b"HTTP/1.1 200 OK\r\n\r\n" + big
    else:
        packed = gzip.compress(b" " * 10_000_000)
        wire = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(
            packed
        )
        wire += packed

    async def scenario() -> None:
        up = Upstream(raw(wire))
        transport = make(client, await up.start(), max_reply_bytes=100_000)
        try:
            with pytest.raises(ReplyTooLarge) as caught:
                await call(transport)
            assert caught.value.status == 502
        finally:
            await transport.close()
            await up.stop()

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize(
    "wire",
    [
        pytest.param(b"hello there\r\n\r\n", id="not-http"),
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", id="bad-length"),
        pytest.param(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n", id="huge-head"),
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", id="cut-short"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", id="chunks-cut"
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd",
            id="corrupt-gzip",
        ),
        pytest.param(_gzipped(GOOD, tail=b"junk"), id="gzip-then-bytes"),
        pytest.param(_gzipped(GOOD, tail=gzip.compress(b"more")), id="gzip-two-members"),
        pytest.param(_gzipped(GOOD, cut=8), id="gzip-cut-short"),
        pytest.param(_gzipped(GOOD, cut=8, coding="deflate"), id="deflate-cut-short"),
        pytest.param(_gzipped(GOOD, tail=b"x", coding="deflate"), id="deflate-then-bytes"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\n{}",
            id="unasked-coding",
        ),
    ],
)
def test_broken_replies_are_bad_gateway(client: str, wire: bytes) -> None:
    """A reply is a success only when it is complete and clean: anything else is a 502."""

    async def scenario() -> None:
        up = Upstream(raw(wire))
        transport = make(client, await up.start())
        try:
            with pytest.raises(BadReply) as caught:
                await call(transport)
            assert (caught.value.status, caught.value.type) == (502, "bad_gateway")
        finally:
            await transport.close()
            await up.stop()

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_no_reply_at_all_is_odoo_unavailable(client: str) -> None:
    async def scenario() -> None:
        up = Upstream(raw(b""))
        transport = make(client, await up.start())
        try:
            with pytest.raises(OdooUnavailable) as caught:
                await call(transport)
            assert caught.value.status == 503
            # the request went out: Odoo may have acted on it (idempotency keeps it)
            assert caught.value.written
        finally:
            await transport.close()
            await up.stop()

    run(scenario())


def _open_sockets() -> int:
    fds = Path("/proc/self/fd")
    count = 0
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):  # closed while listed
            count += os.readlink(fd).startswith("socket:")
    return count


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("shape", ["corrupt-gzip", "gzip-then-bytes", "unasked-coding"])
def test_bad_replies_on_kept_alive_connections_leave_no_socket_open(
    client: str, shape: str
) -> None:
    """Each failed exchange closes its connection: an upstream cannot pile up sockets."""
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n"
    wire = {
        "corrupt-gzip": head % (b"gzip", 4) + b"abcd",
        "gzip-then-bytes": _gzipped(GOOD, tail=b"junk"),
        "unasked-coding": head % (b"br", 2) + b"{}",
    }[shape]

    async def scenario() -> None:
        up = Upstream(raw(wire, keep=True))  # the server would gladly keep each one open
        transport = make(client, await up.start())
        try:
            with pytest.raises(BadReply):  # first use: a client may open what it keeps
                await call(transport)
            await asyncio.sleep(0.2)
            before = _open_sockets()
            for _ in range(20):
                with pytest.raises(BadReply):
                    await call(transport)
            await asyncio.sleep(0.2)  # the server sees each close and closes its side
            after = _open_sockets()
            assert after - before <= 0, f"{after - before} sockets left open by 20 bad replies"
            assert up.connections == 21  # none was reused either
        finally:
            await transport.close()
            await up.stop()

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_body_cut_off_by_a_reset_is_not_complete(client: str) -> None:
    """A body delimited by the end of the connection is whole only if the end is clean."""

    async def respond(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + GOOD[:20])
        await writer.drain()
        await asyncio.sleep(0.1)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # an RST, not a FIN
        return False

    async def scenario() -> None:
        up = Upstream(respond)
        transport = make(client, await up.start())
        try:
            with pytest.raises(BadReply):
                await call(transport)
        finally:
            await transport.close()
            await up.stop()

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_chunked_trailers_never_change_the_headers(client: str) -> None:
    wire = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nTrailer: Content-Encoding, X-Late\r\n\r\n"
        b"%x\r\n%s\r\n0\r\nContent-Encoding: gzip\r\nX-Late: 1\r\n"
        b"Content-Type: text/html\r\n\r\n" % (len(GOOD), GOOD)
    )

    async def scenario() -> None:
        up = Upstream(raw(wire, keep=True))
        transport = make(client, await up.start())
        try:
            for _ in range(2):
                got = await call(transport)
                assert (got.status, got.body) == (200, GOOD)
                assert got.headers["content-type"] == "application/json"
                assert "content-encoding" not in got.headers
                assert "x-late" not in got.headers
        finally:
            await transport.close()
            await up.stop()

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_a_post_is_never_sent_twice(client: str) -> None:
    """The server takes the second POST on a kept-alive connection and drops it unanswered:
    the POST may have reached Odoo, so it fails rather than being sent again."""

    async def respond(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if seen.body == b"second":
            return False  # read, then closed without a word
        return await reply()(seen, writer)

    async def scenario() -> None:
        up = Upstream(respond)
        transport = make(client, await up.start())
        try:
            assert (await call(transport, body=b"first")).status == 200
            with pytest.raises(OdooUnavailable) as caught:
                await call(transport, body=b"second")
            assert caught.value.status == 503
        finally:
            await transport.close()
            await up.stop()
        assert [r.body for r in up.requests] == [b"first", b"second"]
        assert up.connections == 1

    run(scenario())


def test_a_get_is_repeated_when_a_reused_connection_drops_it() -> None:
    """The same wire as for a POST; a GET changes nothing, so a new connection may repeat it."""

    async def respond(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if seen.path == "/second" and up.connections == 1:
            return False
        return await reply()(seen, writer)

    async def scenario() -> None:
        nonlocal up
        up = Upstream(respond)
        transport = make("builtin", await up.start())
        try:
            assert (await transport.request("GET", "/first", b"", {})).status == 200
            assert (await transport.request("GET", "/second", b"", {})).status == 200
        finally:
            await transport.close()
            await up.stop()
        assert [r.path for r in up.requests] == ["/first", "/second", "/second"]

    up = Upstream(respond)
    run(scenario())


def test_a_post_is_repeated_only_when_none_of_it_was_written() -> None:
    """A kept-alive connection found closing before a byte is written: any method may
    take a new connection, since Odoo cannot have seen the request."""

    async def scenario() -> None:
        up = Upstream(reply())
        transport = make("builtin", await up.start())
        assert isinstance(transport, Http11Transport)
        try:
            assert (await call(transport, body=b"first")).status == 200
            idle = transport._idle[0]
            assert idle.transport is not None
            idle.transport.close()  # closing, its connection_lost not yet run
            assert (await call(transport, body=b"second")).status == 200
        finally:
            await transport.close()
            await up.stop()
        assert [r.body for r in up.requests] == [b"first", b"second"]
        assert up.connections == 2

    run(scenario())


def test_too_many_headers_are_refused() -> None:
    wire = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: 1\r\n" % i for i in range(150))
    wire += b"Content-Length: 0\r\n\r\n"

    async def scenario() -> None:
        up = Upstream(raw(wire))
        transport = make("builtin", await up.start())
        try:
            with pytest.raises(BadReply, match="too many headers"):
                await call(transport)
        finally:
            await transport.close()
            await up.stop()

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_silent_upstream_times_out_and_its_connection_is_dropped(client: str) -> None:
    async def respond(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if seen.path == "/slow":
            await asyncio.sleep(5)
        return await reply()(seen, writer)

    async def scenario() -> None:
        up = Upstream(respond)
        transport = make(client, await up.start(), timeout=0.3)
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            with pytest.raises(OdooTimeout):
                await call(transport, "/slow")
            assert loop.time() - started < 2
            assert (await call(transport, "/fast")).status == 200
        finally:
            await transport.close()
            await up.stop()
        assert up.connections == 2  # the timed-out connection was not reused

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_waiting_for_a_free_connection_counts_against_the_timeout(client: str) -> None:
    async def respond(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(0.4)
        return await reply()(seen, writer)

    async def scenario() -> None:
        up = Upstream(respond)
        transport = make(client, await up.start(), timeout=0.6, max_connections=1)
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            first, second = await asyncio.gather(
                call(transport), call(transport), return_exceptions=True
            )
            assert loop.time() - started < 1.0
        finally:
            await transport.close()
            await up.stop()
        assert getattr(first, "status", None) == 200
        assert isinstance(second, OdooTimeout)

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_cancelled_call_leaves_no_half_read_connection(client: str) -> None:
    async def respond(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if seen.path == "/slow":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
            await writer.drain()
            await asyncio.sleep(1)
            writer.write(b"defghij")
            return True
        return await reply()(seen, writer)

    async def scenario() -> None:
        up = Upstream(respond)
        transport = make(client, await up.start())
        try:
            task = asyncio.ensure_future(call(transport, "/slow"))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            got = await call(transport, "/fast")
            assert got.body == b'{"ok": true}'
        finally:
            await transport.close()
            await up.stop()
        assert up.connections == 2

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_unreachable_upstream_is_odoo_unavailable(client: str) -> None:
    async def scenario() -> None:
        transport = make(client, f"http://127.0.0.1:{free_port()}")
        try:
            with pytest.raises(OdooUnavailable, match="cannot reach Odoo") as caught:
                await call(transport)
            assert not caught.value.written  # refused: nothing was sent
        finally:
            await transport.close()

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_idle_connection_closed_by_the_server_is_not_reused(client: str) -> None:
    async def scenario() -> None:
        writers: list[asyncio.StreamWriter] = []

        async def respond(seen: Seen, writer: asyncio.StreamWriter) -> bool:
            writers.append(writer)
            return await reply()(seen, writer)

        up = Upstream(respond)
        transport = make(client, await up.start())
        try:
            assert (await call(transport)).status == 200
            await writers[0].drain()
            writers[0].close()  # the server drops the idle keep-alive connection
            await asyncio.sleep(0.2)
            assert (await call(transport)).status == 200  # a POST: must not need a retry
        finally:
            await transport.close()
            await up.stop()
        assert up.connections == 2
        assert len(up.requests) == 2

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_connections_are_bounded(client: str) -> None:
    async def respond(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(0.05)
        return await reply()(seen, writer)

    async def scenario() -> None:
        up = Upstream(respond)
        transport = make(client, await up.start(), max_connections=3)
        try:
            replies = await asyncio.gather(*(call(transport) for _ in range(12)))
        finally:
            await transport.close()
            await up.stop()
        assert [r.status for r in replies] == [200] * 12
        assert up.most_open <= 3

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_interim_100_continue_is_skipped(client: str) -> None:
    wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"

    async def scenario() -> None:
        up = Upstream(raw(wire, keep=True))
        transport = make(client, await up.start())
        try:
            got = await call(transport)
            assert (got.status, got.body) == (201, b"ok")
        finally:
            await transport.close()
            await up.stop()

    run(scenario())


def test_bytes_after_a_reply_mean_the_connection_is_not_reused() -> None:
    one = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    wire = one + b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\njunk"

    async def scenario() -> None:
        up = Upstream(raw(wire, keep=True))
        transport = make("builtin", await up.start())
        try:
            assert (await call(transport)).body == b"ok"
            assert (await call(transport)).body == b"ok"
        finally:
            await transport.close()
            await up.stop()
        assert up.connections == 2

    run(scenario())


def test_connections_idle_too_long_are_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http11, "KEEPALIVE_SECONDS", 0.2)

    async def slow_or_fast(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if seen.path == "/slow":
            await asyncio.sleep(0.3)
        return await reply()(seen, writer)

    async def scenario() -> None:
        up = Upstream(slow_or_fast)
        transport = make("builtin", await up.start())
        try:
            await asyncio.gather(call(transport, "/slow"), call(transport, "/fast"))
            assert up.connections == 2
            await asyncio.sleep(0.25)  # both idle past the limit
            await call(transport)  # the newest is not reused; the oldest is closed
            await asyncio.sleep(0.1)
            assert up.connections == 3
            assert up.closed == 2
        finally:
            await transport.close()
            await up.stop()

    run(scenario())


@pytest.mark.parametrize("close", [True, False])
def test_finished_connections_leave_no_cyclic_garbage(close: bool) -> None:
    """Freed by reference counting alone: with the gateway's raised GC threshold, cyclic
    garbage piles up until one long collection stalls every request in flight.

    On uvloop, the gateway's loop (asyncio's own selector transports leave cycles of
    their own, on the server side of this test too).
    """
    import uvloop

    async def scenario() -> None:
        up = Upstream(reply(close=close))
        transport = make("builtin", await up.start())
        try:
            for _ in range(5):  # warm up: first-use caches, the DNS cache
                await call(transport)
            await transport.close()
            await asyncio.sleep(0.05)
            gc.collect()
            gc.disable()
            try:
                for _ in range(50):
                    await call(transport)
                await transport.close()
                await asyncio.sleep(0.05)  # let the closed connections go
                found = gc.collect()
            finally:
                gc.enable()
            assert found < 10, f"{found} objects freed only by the cycle collector"
        finally:
            await transport.close()
            await up.stop()

    uvloop.run(asyncio.wait_for(scenario(), 20))


@pytest.mark.parametrize("client", CLIENTS)
def test_requests_outside_http_grammar_are_refused_before_sending(client: str) -> None:
    """RFC 9110's grammar, as h11 holds a request to it: nothing of a refused one is sent."""
    refused: list[tuple[str, str, dict[str, str], str]] = [
        ("POST", "/jsonrpc", {"Cookie": "session_id=a\r\nX-Admin: 1"}, "line break"),
        ("POST", "/jsonrpc", {"X-Evil\n": "1"}, "line break"),
        ("POST", "/jsonrpc", {"X-A: injected": "1"}, "not a token"),
        ("POST", "/jsonrpc", {"X-A": "a\x0bb"}, "control character"),
        ("POST", "/jsonrpc", {"X-A": "a\x7fb"}, "control character"),
        ("POST", "/jsonrpc", {"X-A": "a\x00b"}, "control character"),
        ("POST", "/jsonrpc", {"X-\x7f": "1"}, "not a token"),
        ("POST", "/jsonrpc", {"": "1"}, "not a token"),
        ("POST", "/jsonrpc", {"X-Name": "\u2603"}, "Latin-1"),
        ("POST /admin", "/jsonrpc", JSON, "method"),
        ("PO\rST", "/jsonrpc", JSON, "method"),
        ("", "/jsonrpc", JSON, "method"),
        ("POST", "/jsonrpc HTTP/1.1\r\nX: y", JSON, "space"),
        ("POST", "/json rpc", JSON, "space"),
        ("POST", "/jsonrpc?db=other", JSON, "query"),
        ("POST", "/jsonrpc#frag", JSON, "fragment"),
        ("POST", "jsonrpc", JSON, "absolute path"),
        ("POST", "http://evil/jsonrpc", JSON, "absolute path"),
        ("POST", "//evil/x", JSON, "RFC 3986"),  # a network-path reference, not a path
        ("POST", "/json\x7frpc", JSON, "RFC 3986"),
        ("POST", "/json%zzrpc", JSON, "RFC 3986"),
        ("POST", "/json/2/r\u00e9s.partner/read", JSON, "RFC 3986"),
    ]

    async def scenario() -> None:
        up = Upstream(reply())
        transport = make(client, await up.start())
        try:
            for method, path, headers, why in refused:
                with pytest.raises(UnsafeRequest, match=why):
                    await transport.request(method, path, b"{}", headers)
            # and what the protocol clients do send still goes through
            for method, path in (("POST", "/json/2/res.partner/search_read"), ("GET", "/")):
                got = await transport.request(method, path, b"", {"X-Odoo-Database": "d-1_x"})
                assert got.status == 200
        finally:
            await transport.close()
            await up.stop()
        assert [r.path for r in up.requests] == ["/json/2/res.partner/search_read", "/"]

    run(scenario())


def test_repeated_set_cookie_headers_are_all_kept() -> None:
    wire = (
        b"HTTP/1.1 200 OK\r\nSet-Cookie: frontend_lang=en_US; Path=/\r\n"
        b"Set-Cookie: session_id=abc123; Expires=Sat, 27 Nov 2027 02:11:39 GMT; Path=/\r\n"
        b"Content-Length: 2\r\n\r\n{}"
    )

    async def scenario() -> None:
        up = Upstream(raw(wire))
        transport = make("builtin", await up.start())
        try:
            got = await call(transport)
        finally:
            await transport.close()
            await up.stop()
        assert session_cookie(got) == "abc123"

    run(scenario())


def _server_tls(tmp: Path) -> tuple[ssl.SSLContext, Path]:
    cert_file, key_file = self_signed(tmp)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    return server, cert_file


def test_https_with_a_trusted_certificate(tmp_path: Path) -> None:
    server, cert_file = _server_tls(tmp_path)

    async def scenario() -> None:
        up = Upstream(reply(b'{"tls": true}'), tls=server)
        trusting = ssl.create_default_context(cafile=str(cert_file))
        transport = make("builtin", await up.start(), ssl_context=trusting)
        try:
            assert (await call(transport)).body == b'{"tls": true}'
            assert (await call(transport)).body == b'{"tls": true}'
        finally:
            await transport.close()
            await up.stop()
        assert up.connections == 1

    run(scenario())


def test_https_trusts_a_private_ca_named_in_ssl_cert_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As documented: an Odoo behind a private CA works with SSL_CERT_FILE set."""
    server, cert_file = _server_tls(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))

    async def scenario() -> None:
        up = Upstream(reply(b'{"tls": "private"}'), tls=server)
        transport = make("builtin", await up.start())
        try:
            assert (await call(transport)).body == b'{"tls": "private"}'
        finally:
            await transport.close()
            await up.stop()

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_https_with_an_untrusted_certificate_is_refused(client: str, tmp_path: Path) -> None:
    server, _ = _server_tls(tmp_path)

    async def scenario() -> None:
        up = Upstream(reply(), tls=server)
        transport = make(client, await up.start())
        try:
            with pytest.raises(OdooUnavailable, match="cannot reach Odoo"):
                await call(transport)
        finally:
            await transport.close()
            await up.stop()
        assert up.requests == []

    run(scenario())


def test_only_http_and_https_urls_are_accepted() -> None:
    for url in ("ftp://odoo", "odoo.example.com", "http://", "http://odoo/a b", "http://o/%zz"):
        with pytest.raises(ValueError):
            Http11Transport(url)


def test_a_path_found_good_is_no_good_header_name() -> None:
    """The checks remember what passed, paths and tokens apart: ``/a:b`` is a fine path
    and, as a header name, would split into ``/a`` and a value."""
    check_request("POST", "/a:b", {})
    check_request("POST", "/a:b", {})  # remembered
    with pytest.raises(UnsafeRequest, match="not a token"):
        check_request("POST", "/x", {"/a:b": "1"})
    with pytest.raises(UnsafeRequest, match="method"):
        check_request("/a:b", "/x", {})
