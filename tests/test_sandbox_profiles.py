"""The sandbox's version profiles (``sandbox/profiles.py``): what the 16 recordings
cannot show by themselves, and that the 19 profile stays 19."""

from __future__ import annotations

import json
from typing import Any

import pytest

from odoo_restful.config import Settings
from odoo_restful.sandbox import Sandbox


def rpc(sandbox: Sandbox, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["sandbox", 2, "admin", model, method, list(args), kwargs],
        },
    }
    status, _headers, raw = sandbox.handle("POST", "/jsonrpc", {}, json.dumps(body).encode())
    assert status == 200
    return json.loads(raw)


def test_field_names_and_selections_follow_the_version() -> None:
    for version, present, absent in (
        (16, {"product_uom", "tax_id", "__last_update"}, {"product_uom_id", "tax_ids"}),
        (19, {"product_uom_id", "tax_ids"}, {"product_uom", "tax_id", "__last_update"}),
    ):
        sandbox = Sandbox(odoo_version=version)
        names = set(
            rpc(sandbox, "sale.order.line", "fields_get", [], attributes=["type"])["result"]
        )
        assert present <= names and not absent & names, version
        state = rpc(sandbox, "sale.order", "fields_get", ["state"], attributes=["selection"])
        values = [value for value, _label in state["result"]["state"]["selection"]]
        assert ("done" in values) is (version == 16)
        # the seed's order lines carry their unit under this version's name
        lines = rpc(sandbox, "sale.order.line", "search_read", [], fields=[], limit=1)["result"]
        assert lines[0][("product_uom" if version == 16 else "product_uom_id")]


def test_name_get_and_error_code_per_version() -> None:
    old, new = Sandbox(odoo_version=16), Sandbox()
    assert rpc(old, "res.partner", "name_get", [1])["result"] == [[1, "YourCompany"]]
    error = rpc(new, "res.partner", "name_get", [1])["error"]
    assert error["code"] == 0 and error["data"]["name"] == "builtins.AttributeError"
    error = rpc(old, "res.partner", "web_read", [1], specification={})["error"]
    assert error["code"] == 200
    assert error["data"]["message"] == "type object 'res.partner' has no attribute 'web_read'"


def test_routes_missing_on_16() -> None:
    old, new = Sandbox(odoo_version=16), Sandbox()
    for path in ("/json/version", "/json/2/res.partner/search"):
        assert old.handle("GET" if "version" in path else "POST", path, {}, b"{}")[0] == 404
    assert new.handle("GET", "/json/version", {}, b"")[0] == 200


def test_unknown_versions_are_refused() -> None:
    with pytest.raises(ValueError, match="16, 19"):
        Sandbox(odoo_version=17)
    with pytest.raises(ValueError, match="16, 19"):
        Settings(sandbox=True, sandbox_version=15)


def test_session_cookie_per_version() -> None:
    """16: a 40-hex session id, not re-sent on call_kw; 19: 84 characters, re-sent."""
    for version, length, on_call_kw in ((16, 40, False), (19, 84, True)):
        sandbox = Sandbox(odoo_version=version)
        login = {"params": {"db": "sandbox", "login": "admin", "password": "admin"}}
        _status, headers, _body = sandbox.handle(
            "POST", "/web/session/authenticate", {}, json.dumps(login).encode()
        )
        sid = headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]
        assert len(sid) == length
        call = {"params": {"model": "res.partner", "method": "search_count", "args": [[]]}}
        _status, headers, body = sandbox.handle(
            "POST",
            "/web/dataset/call_kw",
            {"Cookie": f"session_id={sid}"},
            json.dumps(call).encode(),
        )
        assert "result" in json.loads(body)
        assert ("set-cookie" in headers) is on_call_kw
