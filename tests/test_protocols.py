"""Protocol choice and the parts of each protocol the shared end-to-end suite cannot show:
auto-detection, web-session renewal, JSON-2's named arguments, the database allow-list."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.errors import OdooTimeout, OdooUnavailable
from odoo_restful.odoo.router import OdooRouter
from odoo_restful.odoo.transport import InProcessTransport, Reply
from odoo_restful.sandbox import Sandbox

from .conftest import SANDBOX_KEYS, gateway_settings
from .servers import serve_in_thread


class CountingTransport(InProcessTransport):
    """The sandbox in-process, counting the paths the gateway calls; some may be cut off."""

    def __init__(self, sandbox: Sandbox, *, gone: tuple[str, ...] = (), delay: float = 0.0) -> None:
        super().__init__(sandbox)
        self.paths: Counter[str] = Counter()
        self.gone = gone
        self.delay = delay  # seconds each call takes, so that concurrent calls overlap
        self.gone_status = 404

    async def request(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply:
        self.paths[
            path.split("/")[1] + ("/" + path.split("/")[2] if path.count("/") > 1 else "")
        ] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if path.startswith(self.gone):
            return Reply(self.gone_status, b"<html>Gone</html>", {"content-type": "text/html"})
        return await super().request(method, path, body, headers)


@contextmanager
def gateway(tmp: Path, transport: CountingTransport, **settings: Any) -> Iterator[str]:
    tmp.mkdir(parents=True, exist_ok=True)
    app = create_app(gateway_settings(tmp, db="sandbox", **settings), transport=transport)
    with serve_in_thread(app) as url:
        yield url


def sign_in(url: str, password: str, login: str = "admin") -> dict[str, str]:
    resp = requests.post(url + "/api/auth/token", json={"login": login, "password": password})
    assert resp.status_code == 200, resp.text
    return {"access-token": resp.json()["access_token"]}


def test_auto_uses_json2_for_api_keys_and_web_sessions_for_passwords(tmp_path: Path) -> None:
    """Odoo 19+: ``/jsonrpc`` checks the password on every call; the session does not."""
    transport = CountingTransport(Sandbox())
    with gateway(tmp_path, transport) as url:
        by_key = sign_in(url, SANDBOX_KEYS["admin"])
        by_password = sign_in(url, "admin")
        for h in (by_key, by_password):  # the user's field list, fetched once per user
            assert requests.get(url + "/api/res.partner", headers=h).status_code == 200
        transport.paths.clear()
        for _ in range(3):
            assert requests.get(url + "/api/res.partner", headers=by_key).status_code == 200
        assert transport.paths["json/2"] == 3 and transport.paths["jsonrpc"] == 0
        for _ in range(3):
            assert requests.get(url + "/api/res.partner", headers=by_password).status_code == 200
        assert transport.paths["web/dataset"] == 3 and transport.paths["jsonrpc"] == 0
        assert transport.paths["web/session"] == 0  # signed in once, at token time
        # the server was probed once, at start: never per request
        assert transport.paths["json/version"] == 0


def test_auto_uses_jsonrpc_for_every_credential_before_odoo_19(tmp_path: Path) -> None:
    """Without JSON-2 (Odoo 18 and older), ``/jsonrpc`` serves passwords and keys alike."""
    transport = CountingTransport(Sandbox(), gone=("/json/",))
    with gateway(tmp_path, transport) as url:
        headers = [sign_in(url, SANDBOX_KEYS["admin"]), sign_in(url, "admin")]
        for h in headers:
            assert requests.get(url + "/api/res.partner", headers=h).status_code == 200
        transport.paths.clear()
        for h in headers:
            assert requests.get(url + "/api/res.partner", headers=h).status_code == 200
        assert transport.paths["jsonrpc"] == 2
        assert transport.paths["web/dataset"] == transport.paths["json/2"] == 0


@pytest.mark.parametrize("status", [404, 403])
def test_auto_falls_back_to_web_sessions_without_jsonrpc(tmp_path: Path, status: int) -> None:
    """/jsonrpc gone (404) or refused by a front server (403): the web session."""
    transport = CountingTransport(Sandbox(odoo_version=16), gone=("/jsonrpc",))
    transport.gone_status = status
    with gateway(tmp_path, transport) as url:
        h = sign_in(url, "admin")
        resp = requests.get(url + "/api/res.partner", headers=h, params={"limit": 2})
        assert resp.status_code == 200 and resp.json()["count"] == 2
    assert transport.paths["web/dataset"] >= 1


def test_web_session_is_renewed_when_odoo_expires_it(tmp_path: Path) -> None:
    sandbox = Sandbox()
    transport = CountingTransport(sandbox)
    with gateway(tmp_path, transport, protocol="web") as url:
        h = sign_in(url, "admin")
        assert requests.get(url + "/api/res.partner", headers=h).status_code == 200
        logins = transport.paths["web/session"]
        sandbox.expire_sessions()
        assert requests.get(url + "/api/res.partner", headers=h).status_code == 200
        assert transport.paths["web/session"] == logins + 1


def test_concurrent_requests_on_an_expired_session_sign_in_once(tmp_path: Path) -> None:
    """Requests that find the session expired together share one new sign-in; none fails."""
    sandbox = Sandbox()
    transport = CountingTransport(sandbox, delay=0.05)
    with gateway(tmp_path, transport) as url:  # auto: a password goes over the web session
        headers = [sign_in(url, "admin"), sign_in(url, "admin"), sign_in(url, "demo", "demo")]
        for h in headers:
            assert requests.get(url + "/api/res.partner", headers=h).status_code == 200
        for _ in range(2):
            sandbox.expire_sessions()
            logins = transport.paths["web/session"]
            with ThreadPoolExecutor(12) as pool:
                statuses = list(
                    pool.map(
                        lambda h: (
                            requests.get(
                                url + "/api/res.partner", headers=h, params={"limit": 3}
                            ).status_code
                        ),
                        headers * 4,
                    )
                )
            assert statuses == [200] * 12
            # admin's two tokens hold the same password: one session between them
            assert transport.paths["web/session"] == logins + 2


def test_a_password_changed_or_key_removed_since_sign_in_is_one_401_everywhere(
    tmp_path: Path,
) -> None:
    """The token's kept secret stops working: the same answer on every protocol and on
    what auto picks (it was ``invalid_credentials`` "wrong login" over the web session);
    requests that find it out together try one sign-in."""
    answers = set()
    for protocol, secret in (
        ("jsonrpc", "demo"),
        ("json2", SANDBOX_KEYS["demo"]),
        ("web", "demo"),
        ("auto", "demo"),
        ("auto", SANDBOX_KEYS["demo"]),
    ):
        sandbox = Sandbox()
        transport = CountingTransport(sandbox, delay=0.05)
        with gateway(tmp_path / protocol / secret, transport, protocol=protocol) as url:
            h = sign_in(url, secret, "demo")
            assert requests.get(url + "/api/res.partner", headers=h).status_code == 200
            demo = sandbox.registry.store.tables["res.users"][5]
            demo["password"], demo["_api_keys"] = "changed", ()
            sandbox.expire_sessions()  # as Odoo does when a password changes
            logins = transport.paths["web/session"]
            with ThreadPoolExecutor(6) as pool:
                replies = list(
                    pool.map(lambda _: requests.get(url + "/api/res.partner", headers=h), range(6))
                )
            answers |= {(r.status_code, r.json()["type"]) for r in replies}
            assert transport.paths["web/session"] - logins <= 1
    assert answers == {(401, "access_denied_by_odoo")}


@pytest.mark.parametrize(("protocol", "version"), [("web", 19), ("auto", 19), ("auto", 16)])
def test_web_session_only_keeps_no_password(tmp_path: Path, protocol: str, version: int) -> None:
    """Also under auto, on 16 too, where a password would otherwise go over /jsonrpc."""
    sandbox = Sandbox(odoo_version=version)
    with gateway(
        tmp_path, CountingTransport(sandbox), protocol=protocol, web_session_only=True
    ) as url:
        h = sign_in(url, "admin")
        assert requests.get(url + "/api/res.partner", headers=h).status_code == 200
        sandbox.expire_sessions()
        resp = requests.get(url + "/api/res.partner", headers=h)
        assert resp.status_code == 401
        assert resp.json()["type"] == "session_expired"
    with sqlite3.connect(tmp_path / "tokens.db") as db:
        kinds = {kind for (kind,) in db.execute("SELECT secret_kind FROM tokens")}
    assert kinds == {"session"}  # the Odoo session id, sealed; never the password


def test_json2_refuses_positional_arguments_it_cannot_name(tmp_path: Path) -> None:
    transport = CountingTransport(Sandbox())
    with gateway(tmp_path, transport, protocol="json2") as url:
        h = sign_in(url, SANDBOX_KEYS["admin"])
        resp = requests.post(
            url + "/api/res.partner/1/message_post", headers=h, json={"args": ["hello"]}
        )
        assert resp.status_code == 422
        assert "named arguments" in resp.json()["message"]
        ok = requests.post(url + "/api/res.partner/1/read", headers=h, json={"args": [["name"]]})
        assert ok.status_code == 200 and ok.json()["data"][0]["name"]


def test_password_over_forced_json2_is_refused(tmp_path: Path) -> None:
    with gateway(tmp_path, CountingTransport(Sandbox()), protocol="json2") as url:
        resp = requests.post(url + "/api/auth/token", json={"login": "admin", "password": "admin"})
        assert resp.status_code == 401


def test_database_allow_list_is_checked_before_odoo(tmp_path: Path) -> None:
    transport = CountingTransport(Sandbox())
    with gateway(tmp_path, transport, databases=("sandbox",)) as url:
        calls = sum(transport.paths.values())
        resp = requests.post(
            url + "/api/auth/token", json={"login": "admin", "password": "admin", "db": "demo"}
        )
        assert resp.status_code == 403 and resp.json()["type"] == "database_not_allowed"
        assert sum(transport.paths.values()) == calls
        assert sign_in(url, "admin")


SAME_ANSWERS = (
    ("admin", "GET", "/api/res.partner", {"params": {"limit": 5, "order": "id"}}),
    ("admin", "GET", "/api/sale.order/1", {"params": {"fields": "name,state,order_line"}}),
    ("admin", "GET", "/api/no.such.model", {}),
    ("admin", "GET", "/api/res.partner", {"params": {"fields": "nope"}}),
    ("admin", "POST", "/api/res.partner", {"json": {"name": "x", "type": "bogus"}}),
    ("admin", "PUT", "/api/res.partner/999999", {"json": {"name": "x"}}),
    ("admin", "POST", "/api/res.partner/1/no_such_method", {}),
    ("demo", "GET", "/api/sale.order", {"params": {"fields": "name,user_id", "order": "id"}}),
    ("demo", "PUT", "/api/res.users/2", {"json": {"name": "x"}}),
    ("nosales", "GET", "/api/sale.order", {"params": {"fields": "name"}}),
    ("nosales", "GET", "/api/res.partner", {"params": {"limit": 2, "fields": "name"}}),
)


@pytest.mark.parametrize("version", [19, 16])
def test_same_answers_on_every_protocol_and_what_auto_picks(tmp_path: Path, version: int) -> None:
    """A few requests, errors included, by an administrator, a salesperson and a user
    without Sales, answered identically over every protocol the version serves and over
    ``auto`` with a password and with an API key (19: the web session and JSON-2; 16:
    JSON-RPC for both)."""
    runs = [("jsonrpc", False), ("web", False), ("auto", False), ("auto", True)]
    if version >= 19:
        runs.append(("json2", True))
    answers = []
    for protocol, by_key in runs:
        transport = CountingTransport(Sandbox(odoo_version=version))
        with gateway(tmp_path / f"{protocol}-{by_key}", transport, protocol=protocol) as url:
            headers = {
                login: sign_in(url, SANDBOX_KEYS[login] if by_key else login, login)
                for login in ("admin", "demo", "nosales")
            }
            transport.paths.clear()
            got = []
            for login, method, path, kw in SAME_ANSWERS:
                resp = requests.request(method, url + path, headers=headers[login], **kw)
                got.append((resp.status_code, resp.json()))
            answers.append(got)
        if protocol == "auto":  # what auto picked served every call
            picked = "jsonrpc" if version < 19 else "json/2" if by_key else "web/dataset"
            assert transport.paths[picked] >= len(SAME_ANSWERS) - 2
            others = {"jsonrpc", "json/2", "web/dataset"} - {picked}
            assert all(transport.paths[other] == 0 for other in others), transport.paths
    assert [status for status, _ in answers[0]] == [
        200,
        200,
        404,
        422,
        422,
        404,
        404,
        200,
        403,
        403,
        200,
    ]
    for got in answers[1:]:
        assert got == answers[0]


def test_hostile_credentials_never_reach_a_header(tmp_path: Path) -> None:
    with gateway(tmp_path, CountingTransport(Sandbox()), protocol="json2") as url:
        for body in (
            {"login": "admin", "password": "x\r\nX-Evil: 1"},
            {"login": "admin", "password": "k", "db": "sand\r\nbox"},
            {"login": "admin", "password": "k", "db": "../etc"},
        ):
            resp = requests.post(url + "/api/auth/token", json=body)
            assert resp.status_code in (400, 401), resp.text


def test_start_up_line_names_what_auto_picks() -> None:
    def line(version: int, **kw: bool) -> str:
        router = OdooRouter(InProcessTransport(Sandbox(odoo_version=version)))
        return asyncio.run(router.describe(**kw))

    assert line(19).endswith("auto: json2 for API keys, web for passwords")
    assert line(16).endswith("auto: jsonrpc for API keys, jsonrpc for passwords")
    assert line(16, keep_password=False).endswith("jsonrpc for API keys, web for passwords")


class FlakyVersion(CountingTransport):
    """The version probe fails the first time: Odoo restarting, a proxy's 502/503."""

    def __init__(self, sandbox: Sandbox, failure: Exception | Reply, path: str) -> None:
        super().__init__(sandbox)
        self.failures = [failure]
        self.probe = path

    async def request(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply:
        if path == self.probe and self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        return await super().request(method, path, body, headers)


FAILED_PROBES = [
    OdooUnavailable("connection refused"),
    OdooTimeout("too slow"),
    Reply(503, b"<html>Service Unavailable</html>", {"content-type": "text/html"}),
    Reply(200, b"<html>not json", {"content-type": "text/html"}),
]


@pytest.mark.parametrize(
    "failure", FAILED_PROBES, ids=["unreachable", "timeout", "proxy-503", "broken"]
)
def test_a_failed_probe_is_asked_again_not_taken_for_no_json2(
    tmp_path: Path, failure: Exception | Reply
) -> None:
    """Odoo 19 down or behind a failing proxy at start: auto must not settle on
    JSON-RPC for every credential until the gateway restarts."""
    transport = FlakyVersion(Sandbox(), failure, "/json/version")
    with gateway(tmp_path, transport) as url:
        h = sign_in(url, "admin")
        assert requests.get(url + "/api/res.partner", headers=h).status_code == 200
        k = sign_in(url, SANDBOX_KEYS["admin"])
        assert requests.get(url + "/api/res.partner", headers=k).status_code == 200
    assert transport.paths["jsonrpc"] <= 2  # the probes of common.version, no call
    assert transport.paths["web/dataset"] >= 1 and transport.paths["json/2"] >= 1


@pytest.mark.parametrize(
    "failure", FAILED_PROBES, ids=["unreachable", "timeout", "proxy-503", "broken"]
)
def test_a_failed_probe_is_asked_again_not_taken_for_no_jsonrpc(
    tmp_path: Path, failure: Exception | Reply
) -> None:
    """Odoo 16 behind a failing proxy at start: auto must not settle on the web
    session for every credential."""
    transport = FlakyVersion(Sandbox(odoo_version=16), failure, "/jsonrpc")
    with gateway(tmp_path, transport) as url:
        for secret in ("admin", SANDBOX_KEYS["admin"]):
            h = sign_in(url, secret)
            assert requests.get(url + "/api/res.partner", headers=h).status_code == 200
    assert transport.paths["web/dataset"] == transport.paths["web/session"] == 0
