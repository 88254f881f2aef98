"""Issue #11 finding 9: slow or idle clients are cut off (raw sockets on loopback, with
small bounds): an idle socket, headers trickled a line at a time, a body a byte at a
time; and the serve command passes the bounds to uvicorn."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import uvicorn

from odoo_restful.app import create_app
from odoo_restful.connections import TimedHttpProtocol
from odoo_restful.sandbox import Sandbox

from .conftest import gateway_settings
from .servers import free_port, serve_in_thread

HEADERS = 1.0
BODY = 1.5


class QuickProtocol(TimedHttpProtocol):
    header_timeout = HEADERS
    body_timeout = BODY


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    tmp = tmp_path_factory.mktemp("slow")
    with serve_in_thread(Sandbox().asgi) as odoo_url:
        app = create_app(gateway_settings(tmp, odoo_url=odoo_url, db="sandbox"))
        port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", http=QuickProtocol
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            assert thread.is_alive()
            time.sleep(0.01)
        try:
            yield "127.0.0.1", port
        finally:
            server.should_exit = True
            thread.join(10)


def closed_after(sock: socket.socket, deadline: float) -> tuple[float, bytes]:
    """Read until the server closes; (seconds it took from now, what it sent)."""
    start = time.monotonic()
    sock.settimeout(deadline)
    got = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(4096):
            got += chunk
    return time.monotonic() - start, got


def test_an_idle_socket_is_closed(gateway: tuple[str, int]) -> None:
    with socket.create_connection(gateway) as sock:
        took, got = closed_after(sock, HEADERS + 3)
    assert took < HEADERS + 1
    assert got.startswith(b"HTTP/1.1 408 ")


def test_headers_trickled_a_line_at_a_time_are_cut_off(gateway: tuple[str, int]) -> None:
    start = time.monotonic()
    with socket.create_connection(gateway) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        with contextlib.suppress(OSError):
            for i in range(20):
                time.sleep(0.2)
                sock.sendall(b"x-slow-%d: 1\r\n" % i)
        _, got = closed_after(sock, 3)
    assert time.monotonic() - start < HEADERS + 1
    assert got.startswith(b"HTTP/1.1 408 ")


def test_a_body_at_a_byte_at_a_time_is_cut_off(gateway: tuple[str, int]) -> None:
    start = time.monotonic()
    with socket.create_connection(gateway) as sock:
        sock.sendall(
            b"POST /api/auth/token HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            b"content-length: 100\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            for byte in b'{"login": "admin", "password": "admin"' + b" " * 60:
                time.sleep(0.2)
                sock.sendall(bytes([byte]))
        closed_after(sock, 3)
    assert time.monotonic() - start < BODY + 1


def test_a_kept_alive_connection_serves_requests_in_time(gateway: tuple[str, int]) -> None:
    with requests.Session() as s:
        for _ in range(3):
            assert s.get(f"http://{gateway[0]}:{gateway[1]}/healthz").status_code == 200
            time.sleep(0.3)


def test_serve_passes_the_bounds_to_uvicorn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from odoo_restful import app as app_module
    from odoo_restful import cli, connections

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    monkeypatch.setattr(os, "environ", os.environ.copy())  # serve exports its settings
    monkeypatch.setattr(app_module, "tune_gc", lambda: None)
    args = ["serve", "--sandbox", "--secret-file", str(tmp_path / "k"), "--header-timeout", "3"]
    args += ["--body-timeout", "7", "--keep-alive-timeout", "2", "--limit-concurrency", "50"]
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 0, result.output
    assert seen["http"] == "odoo_restful.connections:TimedHttpProtocol"
    assert seen["timeout_keep_alive"] == 2 and seen["limit_concurrency"] == 50
    monkeypatch.setattr(connections.TimedHttpProtocol, "header_timeout", 10.0)
    monkeypatch.setattr(connections.TimedHttpProtocol, "body_timeout", 60.0)
    monkeypatch.setenv("ODOO_RESTFUL_HEADER_TIMEOUT", "3")
    monkeypatch.setenv("ODOO_RESTFUL_BODY_TIMEOUT", "7")
    monkeypatch.setenv("ODOO_RESTFUL_SANDBOX", "1")
    monkeypatch.setenv("ODOO_RESTFUL_SECRET_FILE", str(tmp_path / "k"))
    app_module.create_app_from_env()
    assert connections.TimedHttpProtocol.header_timeout == 3.0
    assert connections.TimedHttpProtocol.body_timeout == 7.0
