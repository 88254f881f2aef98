"""Requests through the gateway leave nothing for the cycle collector.

The workers raise the collector's threshold (app.tune_gc) on the premise that what a
request allocates is freed by reference counting. Objects caught in reference cycles
would pile up instead, until one long collection stalled every request in flight
(benchmarks/README.md). Odoo runs in its own process here (``odoo-restful sandbox``),
so that only the gateway's own objects are counted.
"""

from __future__ import annotations

import gc
import http.client
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from odoo_restful.app import create_app

from .conftest import SANDBOX_KEYS, gateway_settings
from .servers import free_port, serve_in_thread


@pytest.fixture(scope="module")
def odoo_url() -> Iterator[str]:
    port = free_port()
    cmd = [sys.executable, "-m", "odoo_restful", "sandbox", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/json/version")
                conn.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _send(conn: http.client.HTTPConnection, method: str, path: str, **kw: object) -> int:
    conn.request(method, path, **kw)  # type: ignore[arg-type]
    resp = conn.getresponse()
    resp.read()
    return resp.status


@pytest.mark.parametrize("protocol", ["jsonrpc", "json2", "web"])
def test_requests_leave_no_cyclic_garbage(odoo_url: str, tmp_path: Path, protocol: str) -> None:
    settings = gateway_settings(tmp_path, odoo_url=odoo_url, db="sandbox", protocol=protocol)
    password = SANDBOX_KEYS["admin"] if protocol == "json2" else "admin"
    with serve_in_thread(create_app(settings)) as url:
        host, port = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        conn.request(
            "POST", "/api/auth/token", body=f"login=admin&password={password}", headers=form
        )
        token = json.loads(conn.getresponse().read())["access_token"]
        auth = {"access-token": token}
        calls = [
            ("GET", "/api/res.partner?limit=10", 200),
            ("GET", "/api/res.partner/3", 200),
            ("GET", "/api/res.partner?domain=[('is_company','=',True)]&fields=name", 200),
            ("GET", "/api/res.partner/999999", 404),
            ("GET", "/api/no.such.model", 404),
            ("GET", "/api/res.partner?limit=x", 400),
        ]

        json_auth = {**auth, "Content-Type": "application/json"}

        def round_of_calls() -> None:
            for method, path, status in calls:
                assert _send(conn, method, path, headers=auth) == status, path
            # and the writes: create, write, a method call, delete
            conn.request("POST", "/api/res.partner", body='{"name": "gc"}', headers=json_auth)
            resp = conn.getresponse()
            assert resp.status == 201
            rid = json.loads(resp.read())["data"][0]["id"]
            body = '{"name": "gc 2", "category_id": [{"id": 1}]}'
            assert (
                _send(conn, "PUT", f"/api/res.partner/{rid}", body=body, headers=json_auth) == 200
            )
            body = '{"args": [["name"]]}'
            path = f"/api/res.partner/{rid}/read"
            assert _send(conn, "PATCH", path, body=body, headers=json_auth) == 200
            assert _send(conn, "DELETE", f"/api/res.partner/{rid}", headers=auth) == 200

        for _ in range(3):  # warm up: caches fill, first-use imports
            round_of_calls()
        time.sleep(0.1)
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.disable()
        try:
            for _ in range(20):
                round_of_calls()
            time.sleep(0.1)
            gc.collect()
            garbage = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
            garbage.update(
                f"function {o.__module__}.{o.__qualname__}"
                for o in gc.garbage
                if type(o).__name__ == "function"
            )
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
        conn.close()
    # 200 requests: a cycle per request would leave hundreds of objects
    assert sum(garbage.values()) < 20, garbage.most_common(10)
