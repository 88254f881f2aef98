"""Odoo's replies as the three protocol clients read them (``odoo/replies.py``): results,
pages, mapped errors, and signing in, from recorded Odoo replies and broken ones."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.errors import (
    DatabaseNotFound,
    GatewayError,
    InvalidCredentials,
    UpstreamError,
    ValidationError,
)
from odoo_restful.odoo.base import ClientBase, Credential
from odoo_restful.odoo.json2 import Json2Client
from odoo_restful.odoo.jsonrpc import JsonRpcClient
from odoo_restful.odoo.transport import InProcessTransport, Reply
from odoo_restful.odoo.websession import WebSessionClient
from odoo_restful.sandbox import Sandbox

from .conftest import SANDBOX_KEYS, gateway_settings
from .servers import serve_in_thread
from .test_sandbox_contract import WIRE
from .test_sandbox_contract_19b import WIRE as WIRE_19B

KEY = "70b6df629fce8d93489d66aa448a7cc136165301"
HTML = {"content-type": "text/html; charset=utf-8"}
JSON = {"content-type": "application/json; charset=utf-8"}
COOKIE = {**JSON, "set-cookie": "session_id=abc123; Path=/; HttpOnly"}
CLIENTS: dict[str, type[ClientBase]] = {
    "jsonrpc": JsonRpcClient,
    "json2": Json2Client,
    "web": WebSessionClient,
}


def recorded(name: str, folder: Path | None = None) -> Reply:
    """A reply exactly as a real Odoo 19 sent it (``../shared/odoo-wire``)."""
    path = (folder or WIRE.path) / name
    response = json.loads(path.read_text(encoding="utf-8"))["response"]
    headers = {k.lower(): v for k, v in response["headers"].items()}
    return Reply(response["status"], response["body_raw"].encode(), headers)


class Canned:
    """A transport that answers every request with the next scripted reply."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.sent: list[tuple[str, str, dict[str, str], bytes]] = []

    async def request(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply:
        self.sent.append((method, path, dict(headers), body))
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    async def close(self) -> None:
        return None


def rpc(result: Any) -> Reply:
    return Reply(200, json.dumps({"jsonrpc": "2.0", "id": 1, "result": result}).encode(), JSON)


def ok(protocol: str, result: Any) -> Reply:
    """A successful reply carrying ``result`` in the protocol's form."""
    if protocol == "json2":
        return Reply(200, json.dumps(result).encode(), JSON)
    return rpc(result)


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


CRED = {
    "jsonrpc": Credential("demo", 2, "admin"),
    "json2": Credential("demo", 2, KEY, "api_key"),
    "web": Credential("demo", 2, "sessionid", "session"),
}


# --- a reply that is not what its form promises is a 502 ---

NOT_JSON = [
    pytest.param(Reply(200, b"<html>hello</html>", HTML), id="html"),
    pytest.param(Reply(200, b'{"result": [1, 2', JSON), id="cut-json"),
    pytest.param(Reply(200, b"", JSON), id="empty"),
    pytest.param(Reply(200, b'{"result": [1]} trailing', JSON), id="json-then-junk"),
]


@pytest.mark.parametrize("protocol", CLIENTS)
@pytest.mark.parametrize("garbage", NOT_JSON)
@pytest.mark.parametrize("how", ["call", "call_raw", "call_page"])
def test_a_non_json_200_is_bad_gateway(protocol: str, garbage: Reply, how: str) -> None:
    client = CLIENTS[protocol](Canned(garbage))
    with pytest.raises(UpstreamError) as caught:
        run(getattr(client, how)(CRED[protocol], "res.partner", "search_read", [[]], {}))
    assert (caught.value.status, caught.value.type) == (502, "bad_gateway")


@pytest.mark.parametrize("protocol", CLIENTS)
@pytest.mark.parametrize("garbage", NOT_JSON)
def test_a_non_json_200_to_a_sign_in_is_bad_gateway(protocol: str, garbage: Reply) -> None:
    client = CLIENTS[protocol](Canned(garbage))
    with pytest.raises(UpstreamError) as caught:
        run(client.authenticate("demo", "admin", KEY))
    assert caught.value.status == 502


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(Reply(422, b"<html>oops</html>", JSON), id="html-said-json"),
        pytest.param(Reply(500, b'{"name": "builtins.ValueError", "mess', JSON), id="cut"),
        pytest.param(Reply(422, b'["odoo.exceptions.UserError"]', JSON), id="a-list"),
        pytest.param(Reply(403, b'{"name": 5, "message": []}', JSON), id="wrong-types"),
        pytest.param(Reply(500, b"Internal Server Error", HTML), id="html"),
        pytest.param(Reply(401, b"", {}), id="nothing"),
    ],
)
@pytest.mark.parametrize("how", ["call", "call_raw", "call_page"])
def test_a_json2_error_body_that_is_not_json_is_bad_gateway(garbage: Reply, how: str) -> None:
    client = Json2Client(Canned(garbage))
    with pytest.raises(UpstreamError) as caught:
        run(getattr(client, how)(CRED["json2"], "res.partner", "search_read", [[]], {}))
    assert (caught.value.status, caught.value.type) == (502, "bad_gateway")


def test_a_json2_error_body_is_mapped_by_name() -> None:
    client = Json2Client(Canned(recorded("json2_error_validation_constraint.json")))
    with pytest.raises(ValidationError):
        run(client.call(CRED["json2"], "res.partner", "create", [{"name": False}], {}))


def test_a_method_returning_none_has_no_result_key() -> None:
    """Odoo 19 leaves ``result`` out when a method returns None (recorded for
    action_archive); an object that is not JSON-RPC at all is still a 502."""
    reply = recorded("jsonrpc_action_archive_partner.json", WIRE_19B.path)
    assert b'"result"' not in reply.body
    for protocol in ("jsonrpc", "web"):
        client = CLIENTS[protocol](Canned(reply))
        assert run(client.call(CRED[protocol], "res.partner", "action_archive", [[26]], {})) is None
        other = CLIENTS[protocol](Canned(Reply(200, b'{"id": 1}', JSON)))
        with pytest.raises(UpstreamError, match="neither result nor error"):
            run(other.call(CRED[protocol], "res.partner", "action_archive", [[26]], {}))


def test_a_page_that_is_not_a_list_is_bad_gateway() -> None:
    for protocol in CLIENTS:
        client = CLIENTS[protocol](Canned(ok(protocol, {"id": 1})))
        with pytest.raises(UpstreamError, match="not a list of records"):
            run(client.call_page(CRED[protocol], "res.partner", "search_read", [[]], {}))


def test_pages_pass_through_undecoded() -> None:
    records = '[{"id": 1, "name": "A\\u00e9"}, {"id": 2, "name": "B"}]'
    for protocol in CLIENTS:
        body = records if protocol == "json2" else f'{{"jsonrpc": "2.0", "result": {records}}}'
        client = CLIENTS[protocol](Canned(Reply(200, body.encode(), JSON)))
        page = run(client.call_page(CRED[protocol], "res.partner", "search_read", [[]], {}))
        assert [bytes(item) for item in page] == [
            b'{"id": 1, "name": "A\\u00e9"}',
            b'{"id": 2, "name": "B"}',
        ]


# --- signing in: one mapping whatever the protocol ---

SIGN_IN: list[Any] = [
    # protocol, Odoo's replies (a recording's name where one has the case), outcome
    ("jsonrpc", ["jsonrpc_common_authenticate_ok.json"], 2),
    ("jsonrpc", ["jsonrpc_common_authenticate_wrong_password.json"], InvalidCredentials),
    ("jsonrpc", ["jsonrpc_common_authenticate_wrong_db.json"], DatabaseNotFound),
    ("json2", [ok("json2", {"uid": 2}), ok("json2", [{"id": 2, "login": "admin"}])], 2),
    (
        "json2",
        [ok("json2", {"uid": 2}), ok("json2", [{"id": 2, "login": "bob"}])],
        InvalidCredentials,
    ),
    ("json2", ["json2_error_bad_api_key.json"], InvalidCredentials),
    ("json2", ["json2_error_no_authorization_header.json"], InvalidCredentials),
    ("json2", ["json2_error_unknown_database_header.json"], DatabaseNotFound),
    ("web", ["web_session_authenticate_ok.json"], 2),
    ("web", ["web_session_authenticate_wrong_password.json"], InvalidCredentials),
    ("web", ["web_session_authenticate_wrong_db.json"], DatabaseNotFound),
    # the uid check: false or nothing is a wrong login, anything else not a uid a 502
    ("jsonrpc", [rpc(None)], InvalidCredentials),
    ("jsonrpc", [rpc(True)], UpstreamError),
    ("jsonrpc", [rpc("2")], UpstreamError),
    ("jsonrpc", [rpc(-1)], UpstreamError),
    ("json2", [ok("json2", {"uid": False})], InvalidCredentials),
    ("json2", [ok("json2", {"uid": True})], UpstreamError),
    ("json2", [ok("json2", ["not", "a", "context"])], InvalidCredentials),
    ("json2", [ok("json2", {"uid": 2}), ok("json2", [])], UpstreamError),
    ("web", [Reply(200, rpc({"uid": False}).body, COOKIE)], InvalidCredentials),
    ("web", [Reply(200, rpc({"uid": 0.5}).body, COOKIE)], UpstreamError),
    ("web", [rpc({"uid": 2})], UpstreamError),  # signed in, yet no session cookie
]


@pytest.mark.parametrize(("protocol", "replies", "outcome"), SIGN_IN)
def test_sign_in_mapping(protocol: str, replies: list[Reply | str], outcome: Any) -> None:
    client = CLIENTS[protocol](Canned(*(recorded(r) if isinstance(r, str) else r for r in replies)))
    secret = KEY if protocol == "json2" else "admin"
    if isinstance(outcome, int):
        assert run(client.authenticate("demo", "admin", secret)) == outcome
        return
    with pytest.raises(GatewayError) as caught:
        run(client.authenticate("demo", "admin", secret))
    assert type(caught.value) is outcome
    if outcome is InvalidCredentials:
        assert (caught.value.status, caught.value.message) == (401, "wrong login or password")
    if outcome is DatabaseNotFound:
        assert caught.value.status == 404
    if outcome is UpstreamError:
        assert caught.value.status == 502


# --- JSON-2: what is not an API key never reaches a header ---


@pytest.mark.parametrize(
    "key",
    ["k\r\nX-Admin: 1", "two words", "tab\there", "", "k" * 1025, "cl\u00e9", "k\x7f"],
)
def test_json2_keys_unfit_for_a_header_are_refused_unsent(key: str) -> None:
    transport = Canned(ok("json2", {"uid": 2}))
    client = Json2Client(transport)
    with pytest.raises(InvalidCredentials, match="wrong login or password"):
        run(client.authenticate("demo", "admin", key))
    cred = Credential("demo", 2, key, "api_key")
    with pytest.raises(InvalidCredentials):
        run(client.call(cred, "res.partner", "search_count", [[]], {}))
    assert transport.sent == []


def test_json2_sends_a_good_key_as_a_bearer_header() -> None:
    transport = Canned(ok("json2", 7))
    assert (
        run(Json2Client(transport).call(CRED["json2"], "res.partner", "search_count", [[]], {}))
        == 7
    )
    ((_, path, headers, _),) = transport.sent
    assert path == "/json/2/res.partner/search_count"
    assert headers["Authorization"] == f"bearer {KEY}"
    assert headers["X-Odoo-Database"] == "demo"


# --- through the gateway: a non-JSON 200 is a 502 on every protocol ---


class Spoiling(InProcessTransport):
    """The sandbox, until ``spoil`` is set: then every call answers an HTML 200."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self.spoil = False

    async def request(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply:
        if self.spoil:
            return Reply(200, b"<html>Odoo is being updated</html>", HTML)
        return await super().request(method, path, body, headers)


@contextmanager
def gateway(tmp: Path, transport: Spoiling, protocol: str) -> Iterator[str]:
    tmp.mkdir(parents=True, exist_ok=True)
    settings = gateway_settings(tmp, db="sandbox", protocol=protocol)
    with serve_in_thread(create_app(settings, transport=transport)) as url:
        yield url


@pytest.mark.parametrize("protocol", CLIENTS)
def test_the_gateway_answers_502_to_a_non_json_200(tmp_path: Path, protocol: str) -> None:
    transport = Spoiling(Sandbox())
    password = SANDBOX_KEYS["admin"] if protocol == "json2" else "admin"
    with gateway(tmp_path, transport, protocol) as url:
        resp = requests.post(url + "/api/auth/token", json={"login": "admin", "password": password})
        assert resp.status_code == 200, resp.text
        h = {"access-token": resp.json()["access_token"]}
        transport.spoil = True
        calls: list[Callable[[], requests.Response]] = [
            lambda: requests.get(url + "/api/res.partner", headers=h),
            lambda: requests.get(url + "/api/res.partner/1", headers=h),
            lambda: requests.post(url + "/api/res.partner", headers=h, json={"name": "x"}),
            lambda: requests.put(url + "/api/res.partner/1", headers=h, json={"name": "x"}),
            lambda: requests.post(
                url + "/api/auth/token", json={"login": "admin", "password": password}
            ),
        ]
        for make in calls:
            got = make()
            assert got.status_code == 502, got.text
            assert got.json()["type"] == "bad_gateway"
