"""``Sandbox().asgi`` served over real HTTP by uvicorn, called with ``requests``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests
import uvicorn

from odoo_restful.sandbox import Sandbox


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(
        Sandbox().asgi, host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="sandbox-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start in 10 s"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive()


def call(url: str, service: str, method: str, *args: object) -> object:
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {"service": service, "method": method, "args": list(args)},
    }
    resp = requests.post(f"{url}/jsonrpc", json=body, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json; charset=utf-8"
    reply = resp.json()
    assert "error" not in reply, reply
    return reply["result"]


def test_authenticate_and_search_read(sandbox_url: str) -> None:
    uid = call(sandbox_url, "common", "authenticate", "sandbox", "admin", "admin", {})
    assert uid == 2
    records = call(
        sandbox_url,
        "object",
        "execute_kw",
        "sandbox",
        uid,
        "admin",
        "res.partner",
        "search_read",
        [[["is_company", "=", True]]],
        {"fields": ["name"], "limit": 2},
    )
    assert records == [{"id": 9, "name": "Acme Corporation"}, {"id": 15, "name": "Azure Interior"}]


def test_other_routes_over_http(sandbox_url: str) -> None:
    resp = requests.get(f"{sandbox_url}/json/version", timeout=10)
    assert resp.json()["version"] == "19.0"
    assert int(resp.headers["content-length"]) == len(resp.content)
    resp = requests.post(f"{sandbox_url}/jsonrpc", data=b"{", timeout=10)
    assert (resp.status_code, resp.text) == (400, "Invalid JSON data")
    resp = requests.post(
        f"{sandbox_url}/json/2/res.partner/search_count",
        json={"domain": []},
        headers={"Authorization": "bearer nope"},
        timeout=10,
    )
    assert resp.status_code == 401 and resp.headers["www-authenticate"] == "Bearer "
    with requests.Session() as session:
        resp = session.post(
            f"{sandbox_url}/web/session/authenticate",
            timeout=10,
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {"db": "sandbox", "login": "admin", "password": "admin"},
            },
        )
        assert "session_id" in session.cookies
        resp = session.post(
            f"{sandbox_url}/web/dataset/call_kw",
            timeout=10,
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 2,
                "params": {
                    "model": "res.partner",
                    "method": "search_count",
                    "args": [[]],
                    "kwargs": {},
                },
            },
        )
        assert isinstance(resp.json()["result"], int)
