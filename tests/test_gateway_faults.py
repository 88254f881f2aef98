"""What the gateway does when Odoo is unwell or the input is hostile."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.sandbox import Sandbox

from .conftest import gateway_settings
from .servers import BodyTap, free_port, serve_in_thread


def test_odoo_unreachable_is_503_with_retry_after(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with serve_in_thread(create_app(gateway_settings(tmp_path, odoo_url=dead, db="x"))) as url:
        resp = requests.post(url + "/api/auth/token", json={"login": "a", "password": "b"})
    assert resp.status_code == 503
    assert resp.json()["type"] == "odoo_unavailable"
    assert int(resp.headers["retry-after"]) > 0


def test_odoo_answering_garbage_is_502(tmp_path: Path) -> None:
    async def not_odoo(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/html")],
            }
        )
        await send({"type": "http.response.body", "body": b"<html>hello</html>"})

    with (
        serve_in_thread(not_odoo) as odoo_url,
        serve_in_thread(create_app(gateway_settings(tmp_path, odoo_url=odoo_url, db="x"))) as url,
    ):
        resp = requests.post(url + "/api/auth/token", json={"login": "a", "password": "b"})
    assert resp.status_code == 502
    assert resp.json()["type"] == "bad_gateway"


def test_brute_force_guard_returns_429(tmp_path: Path) -> None:
    with (
        serve_in_thread(Sandbox().asgi) as odoo_url,
        serve_in_thread(
            create_app(gateway_settings(tmp_path, odoo_url=odoo_url, db="sandbox"))
        ) as url,
    ):
        codes = [
            requests.post(
                url + "/api/auth/token", json={"login": "admin", "password": f"wrong{i}"}
            ).status_code
            for i in range(12)
        ]
        assert codes[:10] == [401] * 10
        last = requests.post(url + "/api/auth/token", json={"login": "admin", "password": "x"})
        assert last.status_code == 429
        assert int(last.headers["retry-after"]) > 0
        # the right password is refused too while the guard is up: no oracle
        good = requests.post(url + "/api/auth/token", json={"login": "admin", "password": "admin"})
        assert good.status_code == 429


def test_brute_force_guard_counts_every_login_a_client_tries(tmp_path: Path) -> None:
    """Per client address: 30 failed logins, each under a new name, and the 31st is 429."""
    with (
        serve_in_thread(Sandbox().asgi) as odoo_url,
        serve_in_thread(
            create_app(gateway_settings(tmp_path, odoo_url=odoo_url, db="sandbox"))
        ) as url,
        requests.Session() as s,
    ):
        codes = [
            s.post(
                url + "/api/auth/token", json={"login": f"nobody{i}", "password": "x"}
            ).status_code
            for i in range(31)
        ]
    assert codes == [401] * 30 + [429]


def test_error_bodies_never_carry_odoo_debug(tmp_path: Path) -> None:
    with (
        serve_in_thread(Sandbox().asgi) as odoo_url,
        serve_in_thread(
            create_app(gateway_settings(tmp_path, odoo_url=odoo_url, db="sandbox"))
        ) as url,
    ):
        token = requests.post(
            url + "/api/auth/token", json={"login": "admin", "password": "admin"}
        ).json()["access_token"]
        h = {"access-token": token}
        responses = [
            requests.get(url + "/api/res.partner", headers=h, params={"fields": "nope"}),
            requests.get(url + "/api/no.such", headers=h),
            requests.post(url + "/api/res.partner", headers=h, json={"type": "bogus"}),
            requests.post(url + "/api/res.partner/1/no_method", headers=h),
        ]
    expected = [
        (422, "invalid_parameters"),
        (404, "unknown_model"),
        (422, "invalid_parameters"),
        (404, "unknown_method"),
    ]
    assert [(r.status_code, r.json()["type"]) for r in responses] == expected
    for resp in responses:
        assert "Traceback" not in resp.text
        assert set(json.loads(resp.text)) == {"type", "message"}


def test_gateway_over_the_aiohttp_client(tmp_path: Path) -> None:
    """``--odoo-client aiohttp`` serves the same answers as the built-in client."""
    answers = []
    with serve_in_thread(Sandbox().asgi) as odoo_url:
        for client in ("builtin", "aiohttp"):
            settings = gateway_settings(
                tmp_path / client, odoo_url=odoo_url, db="sandbox", odoo_client=client
            )
            with serve_in_thread(create_app(settings)) as url:
                token = requests.post(
                    url + "/api/auth/token", json={"login": "admin", "password": "admin"}
                ).json()["access_token"]
                h = {"access-token": token}
                answers.append(
                    [
                        requests.get(url + "/api/res.partner", headers=h, params={"limit": 5}),
                        requests.get(url + "/api/res.country/20", headers=h),
                        requests.get(url + "/api/no.such", headers=h),
                    ]
                )
    builtin, aiohttp = answers
    assert [r.status_code for r in builtin] == [200, 200, 404]
    assert [(r.status_code, r.content) for r in builtin] == [
        (r.status_code, r.content) for r in aiohttp
    ]


class SlowSignIn(BodyTap):
    """The sandbox, but sign-in calls take ``delay`` seconds (everything else is quick)."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def peek(self, scope: Any, body: bytes, send: Any) -> bool:
        if b"authenticate" in body or b'"login"' in body:
            await asyncio.sleep(self.delay)
        return True


@pytest.mark.parametrize("client", ["builtin", "aiohttp"])
def test_slow_odoo_is_504_and_the_gateway_keeps_serving(tmp_path: Path, client: str) -> None:
    settings = dict(db="sandbox", protocol="jsonrpc", odoo_timeout=0.5, odoo_client=client)
    with (
        serve_in_thread(SlowSignIn(3.0)) as odoo_url,
        serve_in_thread(
            create_app(gateway_settings(tmp_path, odoo_url=odoo_url, **settings))
        ) as url,
    ):
        started = time.monotonic()
        login = {"login": "admin", "password": "admin"}
        resp = requests.post(url + "/api/auth/token", json=login)
        elapsed = time.monotonic() - started
        assert resp.status_code == 504, resp.text
        assert resp.json()["type"] == "odoo_timeout"
        assert elapsed < 2.5
        assert requests.get(url + "/healthz").status_code == 200
