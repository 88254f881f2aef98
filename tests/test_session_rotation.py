"""Odoo 19 rotates a web session's id every 3 hours and deletes the old id 120 s
later: the gateway follows the new id, so a ``--web-session-only`` token outlives
the rotation and a password token is not signed in again. Over real HTTP, the
sandbox's clock moved by hand."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.config import Settings
from odoo_restful.odoo.websession import rotated_session
from odoo_restful.sandbox import Sandbox

from .servers import serve_in_thread

INTERVAL, GRACE = 3 * 3600.0, 120.0
OLD = "A" * 84
NEW = "A" * 42 + "B" * 42


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the Set-Cookie reader -------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        (f"session_id={OLD}; Expires=Sat, 27 Nov 2027 02:11:39 GMT; Max-Age=604800", None),
        (f"session_id={NEW}; Expires=Sat, 27 Nov 2027 02:11:39 GMT; Max-Age=604800", NEW),
        (f"frontend_lang=en_US; Path=/, session_id={NEW}; HttpOnly; Path=/", NEW),
        (f"session_id={NEW}; Expires=Sat, 27 Nov 2027 02:11:39 GMT; HttpOnly", NEW),
        # a sign-out: the cookie deleted, never a session to adopt
        ("session_id=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/", None),
        (f"session_id={NEW}; Max-Age=0; Path=/", None),
        (f"session_id={NEW}; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/", None),
        (f"session_id={NEW}; Expires=not a date; Path=/", None),
        ("frontend_lang=en_US; Path=/", None),
    ],
)
def test_rotated_session_reads_only_a_new_live_id(header: str | None, expected: str) -> None:
    assert rotated_session(header, OLD) == expected


# --- the sandbox rotates as Odoo 19 does ------------------------------------------


def _post(
    sandbox: Sandbox, path: str, params: dict[str, Any], sid: str | None = None
) -> tuple[Any, str]:
    headers = {"content-type": "application/json"}
    if sid:
        headers["cookie"] = f"session_id={sid}"
    body = orjson.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1})
    _, reply_headers, raw = sandbox.handle("POST", path, headers, body)
    cookie = reply_headers.get("set-cookie", "")
    return orjson.loads(raw), cookie.partition(";")[0].removeprefix("session_id=")


def _sign_in(sandbox: Sandbox) -> str:
    params = {"db": "sandbox", "login": "admin", "password": "admin"}
    return _post(sandbox, "/web/session/authenticate", params)[1]


def _count(sandbox: Sandbox, sid: str) -> tuple[Any, str]:
    params = {"model": "res.partner", "method": "search_count", "args": [[]], "kwargs": {}}
    return _post(sandbox, "/web/dataset/call_kw/res.partner/search_count", params, sid)


def test_sandbox_rotates_after_the_interval_and_keeps_the_old_id_for_the_grace() -> None:
    clock = Clock()
    sandbox = Sandbox()
    sandbox.sessions.clock = clock
    old = _sign_in(sandbox)
    assert _count(sandbox, old)[1] == old  # 19 re-sends the same cookie
    clock.now += INTERVAL
    reply, new = _count(sandbox, old)
    assert "result" in reply and new != old and new[:42] == old[:42] and len(new) == 84
    clock.now += GRACE - 1
    # concurrent calls still made with the old id: the same new id, no second rotation
    assert _count(sandbox, old)[1] == new
    assert _count(sandbox, new)[1] == new
    clock.now += 1
    reply, _ = _count(sandbox, old)
    assert reply["error"]["code"] == 100  # the old id is gone: session expired
    assert "result" in _count(sandbox, new)[0]


def test_sandbox_16_never_rotates() -> None:
    clock = Clock()
    sandbox = Sandbox(odoo_version=16)
    sandbox.sessions.clock = clock
    old = _sign_in(sandbox)
    clock.now += 10 * INTERVAL
    reply, cookie = _count(sandbox, old)
    assert "result" in reply and cookie == ""  # 16 sends no cookie on call_kw
    assert "result" in _count(sandbox, old)[0]


# --- the gateway follows the rotation, over real HTTP -----------------------------


@contextmanager
def stack(tmp: Path, store: str, **settings: Any) -> Iterator[tuple[Sandbox, Clock, Any]]:
    """The sandbox over HTTP (its session clock by hand) and a way to start gateways."""
    clock = Clock()
    sandbox = Sandbox()
    sandbox.sessions.clock = clock
    with ExitStack() as servers:
        odoo_url = servers.enter_context(serve_in_thread(sandbox.asgi))

        def gateway() -> str:
            config = Settings(
                store=store,
                secret_file=str(tmp / "secret.key"),
                odoo_url=odoo_url,
                default_db="sandbox",
                protocol="web",
                **settings,
            )
            return str(servers.enter_context(serve_in_thread(create_app(config))))

        yield sandbox, clock, gateway


def _token(url: str) -> dict[str, str]:
    resp = requests.post(url + "/api/auth/token", json={"login": "admin", "password": "admin"})
    assert resp.status_code == 200, resp.text
    return {"access-token": resp.json()["access_token"]}


def _read(url: str, headers: dict[str, str]) -> int:
    resp = requests.get(url + "/api/res.partner?limit=1", headers=headers, timeout=30)
    return resp.status_code


def _rotations(sandbox: Sandbox) -> int:
    return sandbox.sessions.rotations


def test_web_session_only_token_outlives_rotations(tmp_path: Path, store: str) -> None:
    with stack(tmp_path, store, web_session_only=True) as (sandbox, clock, gateway):
        url = gateway()
        headers = _token(url)
        assert _read(url, headers) == 200
        for turn in (1, 2):
            clock.now += INTERVAL
            # the moment of rotation: 10 requests at once, all with the old id
            with ThreadPoolExecutor(10) as pool:
                codes = list(pool.map(lambda _: _read(url, headers), range(10)))
            assert codes == [200] * 10
            assert _rotations(sandbox) == turn  # one new id, whatever the concurrency
            clock.now += GRACE  # the old id is deleted now
            assert _read(url, headers) == 200
        # another worker or replica reads the new id from the token store
        assert _read(gateway(), headers) == 200
        assert sandbox.sessions.opened == 1  # the token's one sign-in, never again


def test_password_token_is_not_signed_in_again_after_a_rotation(tmp_path: Path, store: str) -> None:
    with stack(tmp_path, store) as (sandbox, clock, gateway):
        url = gateway()
        headers = _token(url)
        assert _read(url, headers) == 200
        signed_in = sandbox.sessions.opened
        clock.now += INTERVAL
        assert _read(url, headers) == 200
        clock.now += GRACE
        assert _read(url, headers) == 200
        assert _rotations(sandbox) == 1
        assert sandbox.sessions.opened == signed_in
