"""What the gateway itself refuses, shown with a transport that records every call to
Odoo: a refusal must come before Odoo is asked, not from Odoo (the sandbox refuses
many of the same requests, so a status code alone would not tell who refused)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.odoo.transport import InProcessTransport, Reply
from odoo_restful.sandbox import Sandbox

from .conftest import SANDBOX_KEYS, gateway_settings
from .servers import serve_in_thread

MAX_BODY = 4096


class RecordingTransport(InProcessTransport):
    """The sandbox in-process; keeps path, headers and body of every call the gateway makes."""

    def __init__(self) -> None:
        super().__init__(Sandbox())
        self.calls: list[str] = []
        self.methods: list[str] = []  # the ORM methods called, in order

    async def request(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply:
        sent = " ".join(f"{k}: {v}" for k, v in headers.items())
        self.calls.append(f"{path} {sent} {body.decode('utf-8', 'replace')}")
        if path.startswith("/json/2/"):
            self.methods.append(path.rsplit("/", 1)[-1])
        elif path == "/jsonrpc":
            args = json.loads(body)["params"].get("args", [])
            if len(args) > 4:  # execute_kw(db, uid, secret, model, method, ...)
                self.methods.append(args[4])
        return await super().request(method, path, body, headers)

    def saw(self, text: str) -> bool:
        return any(text in call for call in self.calls)


@dataclass
class Gateway:
    url: str
    headers: dict[str, str]  # an admin token
    odoo: RecordingTransport
    protocol: str


@pytest.fixture(scope="module", params=["jsonrpc", "json2"])
def gw(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    """A gateway with a small body cap and an extra denied method, per protocol."""
    protocol = request.param
    settings = gateway_settings(
        tmp_path_factory.mktemp("refused"),
        db="sandbox",
        protocol=protocol,
        max_body_bytes=MAX_BODY,
        method_deny=("action_archive",),
    )
    secret = SANDBOX_KEYS["admin"] if protocol == "json2" else "admin"
    odoo = RecordingTransport()
    with serve_in_thread(create_app(settings, transport=odoo)) as url:
        resp = requests.post(url + "/api/auth/token", json={"login": "admin", "password": secret})
        assert resp.status_code == 200, resp.text
        yield Gateway(url, {"access-token": resp.json()["access_token"]}, odoo, protocol)


def test_the_recorder_sees_a_method_that_reaches_odoo(gw: Gateway) -> None:
    """The check below can fail: a public method's name does show in the recorded calls."""
    url, h, odoo = gw.url, gw.headers, gw.odoo
    resp = requests.post(url + "/api/res.partner/1/name_get_or_so", headers=h)
    assert resp.status_code == 404 and resp.json()["type"] == "unknown_method", resp.text
    assert odoo.methods[-1] == "name_get_or_so"


@pytest.mark.parametrize(
    "method",
    ["_compute_display_name", "__init__", "_read", "sudo", "with_user", "unlink", "action_archive"],
)
def test_private_and_denied_methods_never_reach_odoo(gw: Gateway, method: str) -> None:
    url, h, odoo = gw.url, gw.headers, gw.odoo
    resp = requests.post(url + f"/api/res.partner/1/{method}", headers=h, json={"args": []})
    assert resp.status_code == 403, resp.text
    assert resp.json()["type"] == "method_forbidden"
    assert method not in odoo.methods, f"{method} was sent to Odoo"


def test_a_chunked_body_over_the_cap_is_413_and_never_reaches_odoo(gw: Gateway) -> None:
    """No Content-Length to check up front: the cap must hold while the body streams."""
    url, h, odoo = gw.url, gw.headers, gw.odoo
    name = "chunked-" + "x" * MAX_BODY
    body = json.dumps({"name": name}).encode()

    def chunks() -> Iterator[bytes]:  # a generator: requests sends it chunked
        for i in range(0, len(body), 512):
            yield body[i : i + 512]

    resp = requests.post(
        url + "/api/res.partner",
        headers={**h, "content-type": "application/json"},
        data=chunks(),
    )
    assert resp.status_code == 413, resp.text
    assert resp.json()["type"] == "payload_too_large"
    assert not odoo.saw("chunked-")
    # the same body under the cap, chunked too, goes through
    small = json.dumps({"name": "chunked-small"}).encode()
    resp = requests.post(
        url + "/api/res.partner",
        headers={**h, "content-type": "application/json"},
        data=iter([small[:10], small[10:]]),
    )
    assert resp.status_code == 201, resp.text
    assert odoo.saw("chunked-small")


@pytest.mark.parametrize("secret", ["key\r\nX-Evil: 1", "key with spaces", "k\x7fey"])
def test_a_secret_unfit_for_a_header_is_never_sent(gw: Gateway, secret: str) -> None:
    """JSON-2 carries the API key in a header: a secret that could not be one is a wrong
    login for the gateway, and Odoo never sees it (JSON-RPC carries it in the body)."""
    resp = requests.post(gw.url + "/api/auth/token", json={"login": "admin", "password": secret})
    assert resp.status_code == 401, resp.text
    assert resp.json()["type"] == "invalid_credentials"
    if gw.protocol == "json2":
        assert not gw.odoo.saw(secret), "the secret was sent to Odoo in a header"


def test_a_report_restricted_to_groups_is_never_rendered_for_others(gw: Gateway) -> None:
    """Odoo would print it (its /report route ignores the report's groups, as the
    sandbox does): the gateway's 403 comes before the page is asked for. The
    salesperson's own order report does reach Odoo."""
    secret = SANDBOX_KEYS["demo"] if gw.protocol == "json2" else "demo"
    resp = requests.post(gw.url + "/api/auth/token", json={"login": "demo", "password": secret})
    assert resp.status_code == 200, resp.text
    demo = {"access-token": resp.json()["access_token"]}
    denied = requests.get(gw.url + "/api/report/base.report_partner_card/3", headers=demo)
    assert denied.status_code == 403, denied.text
    assert not gw.odoo.saw("/report/pdf/base.report_partner_card")
    if gw.protocol == "json2":  # an API key opens no web session: refused for that first
        assert denied.json()["type"] == "web_session_required"
        return
    assert denied.json()["type"] == "access_error"
    own = requests.get(gw.url + "/api/report/sale.report_saleorder/1", headers=demo)
    assert own.status_code == 200, own.text
    assert gw.odoo.saw("/report/pdf/sale.report_saleorder/1")
