"""Files through the Odoo clients without copies (``odoo/large.py``): request bodies in
parts on both HTTP clients, replies read into one buffer, the base64 string cut out of
a raw reply and decoded in place, and a file round trip over the aiohttp client."""

from __future__ import annotations

import asyncio
import base64
import os
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.errors import AccessError, BadReply, OdooTimeout, UpstreamError
from odoo_restful.files.binary import file_of, rows_of
from odoo_restful.odoo import http11
from odoo_restful.odoo.large import (
    LargeResult,
    LargeValue,
    cut_string,
    encode_parts,
    find_string,
    read_result,
)
from odoo_restful.odoo.replies import decode_json2, decode_reply
from odoo_restful.odoo.transport import LargeReply
from odoo_restful.sandbox import Sandbox

from .conftest import gateway_settings
from .servers import serve_in_thread
from .test_transport import CLIENTS, JSON, Upstream, make, raw, reply, run


def _string(text: bytes) -> LargeValue:
    """A large JSON string in a bytearray, as ``Base64Sink.value`` makes it."""
    return LargeValue(bytearray(b'"' + text + b'"'))


# --- encoding a body in parts ---


def test_encode_parts_is_the_json_with_the_large_values_in_place() -> None:
    one, two = _string(b"QUJD" * 10), _string(b"")
    value = {"args": ["db", 2, {"datas": one, "name": 'a "quoted" \x00 name'}, [two, 3]]}
    parts = encode_parts(value)
    assert parts[1] is one.data and parts[3] is two.data  # the data itself, not a copy
    plain = {"args": ["db", 2, {"datas": "QUJD" * 10, "name": 'a "quoted" \x00 name'}, ["", 3]]}
    assert b"".join(parts) == orjson.dumps(plain)


def test_encode_parts_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError):
        encode_parts({"x": object()})


# --- request_parts on both HTTP clients ---


@pytest.mark.parametrize("client", CLIENTS)
def test_parts_arrive_as_exactly_the_json_odoo_would_get(client: str) -> None:
    """Several megabytes, so the socket fills and the writer waits for it to drain."""
    big = os.urandom(3 * 1024 * 1024)
    text = base64.b64encode(big)
    value = {"params": {"args": [{"datas": _string(text)}, {"datas": _string(b"QUJD")}]}}
    expected = orjson.dumps({"params": {"args": [{"datas": text.decode()}, {"datas": "QUJD"}]}})

    async def scenario() -> None:
        up = Upstream(reply(b'{"jsonrpc": "2.0", "id": 1, "result": true}'))
        transport = make(client, await up.start())
        try:
            got = await transport.request_parts("POST", "/jsonrpc", encode_parts(value), JSON)
            assert (got.status, bytes(got.body)) == (
                200,
                b'{"jsonrpc": "2.0", "id": 1, "result": true}',
            )
            # the connection is clean afterwards: an ordinary call goes on it
            again = await transport.request("POST", "/jsonrpc", b"{}", JSON)
            assert again.status == 200
        finally:
            await transport.close()
            await up.stop()
        seen = up.requests[0]
        assert seen.headers["content-length"] == str(len(expected))
        assert "transfer-encoding" not in seen.headers
        assert seen.body == expected
        assert up.requests[1].body == b"{}"
        if client == "builtin":
            assert up.connections == 1

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_a_large_reply_is_read_into_one_buffer(client: str) -> None:
    body = b'{"result": [{"datas": "' + base64.b64encode(os.urandom(600_000)) + b'"}]}'

    async def scenario() -> None:
        up = Upstream(reply(body))
        transport = make(client, await up.start())
        try:
            got = await transport.request_parts("POST", "/jsonrpc", [b"{}"], JSON)
        finally:
            await transport.close()
            await up.stop()
        assert isinstance(got.body, bytearray)
        assert got.body == body

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_a_chunked_or_compressed_large_reply_is_read_as_usual(client: str) -> None:
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"

    async def scenario() -> None:
        up = Upstream(raw(chunked))
        transport = make(client, await up.start())
        try:
            got = await transport.request_parts("POST", "/jsonrpc", [b"{}"], JSON)
        finally:
            await transport.close()
            await up.stop()
        assert got.body == b"hello"

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_a_reply_shorter_than_its_length_is_a_bad_reply(client: str) -> None:
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 40

    async def scenario() -> None:
        up = Upstream(raw(cut))
        transport = make(client, await up.start())
        try:
            with pytest.raises(BadReply):
                await transport.request_parts("POST", "/jsonrpc", [b"{", b"}"], JSON)
        finally:
            await transport.close()
            await up.stop()

    run(scenario())


@pytest.mark.parametrize("client", CLIENTS)
def test_an_upstream_that_stops_reading_times_out(client: str) -> None:
    """The writer waits for the socket to drain; the deadline still ends the call."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(30)  # never reads the body

    async def scenario() -> None:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        transport = make(client, f"http://127.0.0.1:{port}", timeout=1.0)
        try:
            with pytest.raises(OdooTimeout):
                await transport.request_parts("POST", "/jsonrpc", [bytes(64 << 20)], JSON)
        finally:
            await transport.close()
            server.close()

    run(scenario())


def test_the_builtin_writer_waits_for_the_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    """While Odoo reads nothing, the transport's buffer stays near one slice: the parts
    are not copied into it whole."""
    made: list[http11._Connection] = []
    connection_made = http11._Connection.connection_made

    def spy(self: http11._Connection, transport: asyncio.BaseTransport) -> None:
        made.append(self)
        connection_made(self, transport)

    monkeypatch.setattr(http11._Connection, "connection_made", spy)
    size = 32 << 20

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(0.5)
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        body = await reader.readexactly(length)
        answer = b'{"n": %d}' % len(body)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(answer) + answer)
        await writer.drain()

    async def scenario() -> None:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        transport = make("builtin", f"http://127.0.0.1:{port}", timeout=10.0)
        try:
            call = asyncio.ensure_future(
                transport.request_parts("POST", "/jsonrpc", [b"[", bytes(size), b"]"], JSON)
            )
            most = 0
            for _ in range(40):
                await asyncio.sleep(0.01)
                if made and made[0].transport is not None:
                    most = max(most, made[0].transport.get_write_buffer_size())
            got = await call
            assert bytes(got.body) == b'{"n": %d}' % (size + 2)
            assert 0 < most <= 1 << 20
        finally:
            await transport.close()
            server.close()

    run(scenario())


def test_an_early_reply_ends_the_writing_and_the_connection() -> None:
    """Odoo may answer (and close) before reading a whole upload: the answer is taken,
    the rest is not written, and the connection is not reused."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = b'{"error": "too large"}'
        writer.write(b"HTTP/1.1 413 Too Large\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        await asyncio.sleep(0.5)
        writer.close()

    async def scenario() -> None:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        transport = make("builtin", f"http://127.0.0.1:{port}", timeout=5.0)
        try:
            got = await transport.request_parts("POST", "/jsonrpc", [bytes(64 << 20)], JSON)
            assert got.status == 413
            assert not transport._idle  # type: ignore[attr-defined]
        finally:
            await transport.close()
            server.close()

    run(scenario())


# --- finding the base64 string in a raw reply ---

ODOO = b'{"jsonrpc": "2.0", "id": 52, "result": [{"id": 928, "datas": "%s", "display_name": "n"}]}'


def _reply(body: bytes, status: int = 200) -> LargeReply:
    return LargeReply(status, bytearray(body), {"content-type": "application/json"})


def _rows(found: LargeResult) -> list[dict[str, msgspec.Raw]]:
    return rows_of(found, "a file")


@pytest.mark.parametrize("size", [0, 1, 2, 3, 1000, 700_001])
def test_the_base64_is_decoded_in_the_replys_own_buffer(size: int) -> None:
    data = os.urandom(size)
    got = _reply(ODOO % base64.b64encode(data))
    found = read_result(got, "datas", decode_reply, "/jsonrpc")
    assert found.cut is not None
    row = _rows(found)[0]
    assert bytes(row["datas"]) == b'""' and bytes(row["display_name"]) == b'"n"'
    out = file_of(found, row, "datas", "a file")
    assert out == data
    assert out is got.body  # decoded in place: the reply's buffer is the file now


def test_odoo_spacing_and_compact_json_are_both_found() -> None:
    for body in (b'[{"datas" :\n "QUJD"}]', b'[{"datas":"QUJD"}]'):
        assert find_string(body, "datas") is not None
    found = read_result(_reply(b'[{"id":1,"datas":"QUJD"}]'), "datas", decode_json2, "/json/2")
    assert file_of(found, _rows(found)[0], "datas", "a file") == b"ABC"


def test_false_means_no_cut_and_no_file() -> None:
    found = read_result(_reply(ODOO.replace(b'"%s"', b"false")), "datas", decode_reply, "x")
    assert found.cut is None
    assert file_of(found, _rows(found)[0], "datas", "a file") == b""


def test_escapes_are_left_to_the_ordinary_decoder() -> None:
    body = ODOO % b"QU\\/D"  # "/" escaped as JSON may: not cut, still decoded
    found = read_result(_reply(body), "datas", decode_reply, "x")
    assert found.cut is None
    assert file_of(found, _rows(found)[0], "datas", "a file") == base64.b64decode("QU/D")


def test_the_key_inside_a_string_is_not_the_key() -> None:
    name = orjson.dumps('x", "datas": "QUJD')  # quotes inside a string are escaped
    body = b'{"result": [{"display_name": %s, "datas": "WFla"}]}' % name
    found = read_result(_reply(body), "datas", decode_reply, "x")
    row = _rows(found)[0]
    assert orjson.loads(bytes(row["display_name"])) == 'x", "datas": "QUJD'
    assert file_of(found, row, "datas", "a file") == b"XYZ"


def test_a_cut_that_is_not_the_fields_value_is_refused() -> None:
    body = b'{"result": [{"other": {"datas": "QUJD"}, "datas": false}]}'
    found = read_result(_reply(body), "datas", decode_reply, "x")
    with pytest.raises(UpstreamError):
        file_of(found, _rows(found)[0], "datas", "a file")


def test_an_error_envelope_is_the_mapped_error() -> None:
    error = {"code": 200, "message": "Odoo Server Error"}
    error["data"] = {"name": "odoo.exceptions.AccessError", "message": 'no "datas": "x"'}
    body = orjson.dumps({"jsonrpc": "2.0", "id": 1, "error": error})
    with pytest.raises(AccessError):
        read_result(_reply(body), "datas", decode_reply, "x")


@pytest.mark.parametrize(
    "body",
    [
        b'{"jsonrpc": "2.0", "id": 1, "result": [{"datas": "QUJD',  # cut short in the string
        b'{"jsonrpc": "2.0", "id": 1, "result": [{"datas": "QUJD"}',  # cut short after it
        b"<html>Internal Server Error</html>",
    ],
)
def test_a_truncated_or_foreign_reply_is_an_upstream_error(body: bytes) -> None:
    with pytest.raises(UpstreamError):
        read_result(_reply(body), "datas", decode_reply, "x")


@pytest.mark.parametrize("text", [b"QUJ", b"QU=D", b"QUJD!!!!", b"Q\x00JD"])
def test_bad_base64_in_the_cut_is_an_upstream_error(text: bytes) -> None:
    found = read_result(_reply(ODOO % text), "datas", decode_reply, "x")
    with pytest.raises(UpstreamError):
        file_of(found, _rows(found)[0], "datas", "a file")


def test_a_bytes_body_is_cut_too_and_decoded_into_new_bytes() -> None:
    got = LargeReply(200, ODOO % b"QUJD", {})
    rest, cut = cut_string(got, "datas")
    assert cut is not None and rest.body == ODOO % b""
    assert cut.decode_base64() == b"ABC"


# --- a file round trip through the gateway on the aiohttp client ---


def test_files_over_the_aiohttp_client(tmp_path: Path) -> None:
    raw_file = os.urandom(700_000)
    with serve_in_thread(Sandbox().asgi) as odoo_url:
        settings = gateway_settings(
            tmp_path, odoo_url=odoo_url, db="sandbox", protocol="jsonrpc", odoo_client="aiohttp"
        )
        with serve_in_thread(create_app(settings)) as url:
            token = requests.post(
                url + "/api/auth/token", json={"login": "admin", "password": "admin"}, timeout=30
            ).json()["access_token"]
            h: dict[str, Any] = {"access-token": token}
            made = requests.post(
                url + "/api/ir.attachment", json={"name": "a.bin"}, headers=h, timeout=30
            )
            att = made.json()["data"][0]["id"]
            field = f"{url}/api/ir.attachment/{att}/datas"
            put = requests.put(field, data=raw_file, headers=h, timeout=30)
            assert put.status_code == 200, put.text
            got = requests.get(field, headers=h, timeout=30)
            assert got.status_code == 200
            assert got.content == raw_file
            assert got.headers["content-length"] == str(len(raw_file))
