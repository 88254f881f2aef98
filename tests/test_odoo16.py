"""The gateway in front of Odoo 16 (the sandbox's 16 profile): what the shared
end-to-end suite cannot show. Version detection without ``/json/version``, the
protocol ``auto`` picks, 16's error forms mapped to the same REST answers as 19's,
and a 501 naming the version for what 16 lacks."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import requests

from odoo_restful.errors import (
    InvalidParameters,
    NotImplementedOnVersion,
    UnknownMethod,
    ValidationError,
    from_odoo,
)
from odoo_restful.odoo.router import OdooRouter
from odoo_restful.odoo.transport import InProcessTransport
from odoo_restful.sandbox import Sandbox

from .test_protocols import CountingTransport, gateway, sign_in

ADMIN_KEY = "70b6df629fce8d93489d66aa448a7cc136165301"


def test_version_is_detected_without_json_version() -> None:
    router = OdooRouter(InProcessTransport(Sandbox(odoo_version=16)))
    assert asyncio.run(router.offers()) == (False, True)  # no JSON-2, /jsonrpc served
    assert asyncio.run(router.server_version()) == 16
    router19 = OdooRouter(InProcessTransport(Sandbox()))
    assert asyncio.run(router19.server_version()) == 19


def test_auto_uses_jsonrpc_for_api_keys_on_16(tmp_path: Path) -> None:
    transport = CountingTransport(Sandbox(odoo_version=16))
    with gateway(tmp_path, transport) as url:
        for secret in (ADMIN_KEY, "admin"):
            h = sign_in(url, secret)
            resp = requests.get(url + "/api/res.partner", headers=h, params={"limit": 2})
            assert resp.status_code == 200 and resp.json()["count"] == 2
    assert transport.paths["json/2"] == 0 and transport.paths["jsonrpc"] >= 4


@pytest.mark.parametrize(
    ("name", "message", "cls", "status"),
    [
        (
            "builtins.AssertionError",
            "This domain is syntactically not correct: ['|', ['name', '=', 'x']]",
            InvalidParameters,
            422,
        ),
        (
            "builtins.AttributeError",
            "type object 'res.partner' has no attribute 'no_such_method'",
            UnknownMethod,
            404,
        ),
        ("psycopg2.ProgrammingError", "can't adapt type 'dict'", InvalidParameters, 422),
        ("builtins.KeyError", "lang", ValidationError, 422),
    ],
)
def test_16_error_forms(name: str, message: str, cls: type, status: int) -> None:
    error = from_odoo(name, message)
    assert type(error) is cls and error.status == status


def test_16_unknown_method_names_it() -> None:
    error = from_odoo(
        "builtins.AttributeError", "type object 'res.partner' has no attribute 'no_such_method'"
    )
    assert error.message == "method 'res.partner.no_such_method' does not exist"


def test_same_rest_answers_for_16_errors(tmp_path: Path) -> None:
    with gateway(tmp_path, CountingTransport(Sandbox(odoo_version=16))) as url:
        h = sign_in(url, "admin")
        # a SQL constraint over /jsonrpc: Odoo 16 says KeyError 'lang', the gateway 422
        dup = requests.post(url + "/api/res.users", headers=h, json={"name": "d", "login": "admin"})
        assert dup.status_code == 422 and dup.json()["type"] == "validation_error", dup.text
        unknown = requests.post(url + "/api/res.partner/1/no_such_method", headers=h)
        assert unknown.status_code == 404 and unknown.json()["type"] == "unknown_method"
        # a method 16 does not have: 501 naming the versions, never a 500
        newer = requests.post(
            url + "/api/res.partner/1/web_read", headers=h, json={"kwargs": {"specification": {}}}
        )
        assert newer.status_code == 501, newer.text
        assert newer.json()["type"] == NotImplementedOnVersion.type
        assert "Odoo 17" in newer.text and "Odoo 16" in newer.text
        # name_get exists on 16 (and not on 19)
        named = requests.post(url + "/api/res.partner/1/name_get", headers=h)
        assert named.status_code == 200, named.text


def test_default_fields_for_an_ordinary_user_on_16(tmp_path: Path) -> None:
    """No get_available_models on 16: the gateway asks check_access_rights per model,
    and its default field list reads as nosales where a read of every field fails."""
    with gateway(tmp_path, CountingTransport(Sandbox(odoo_version=16))) as url:
        h = sign_in(url, "nosales", login="nosales")
        resp = requests.get(url + "/api/res.partner", headers=h, params={"limit": 1})
        assert resp.status_code == 200, resp.text
        assert "name" in resp.json()["data"][0]


def test_forced_protocol_still_names_the_version(tmp_path: Path) -> None:
    """--protocol skips the start-up probe: the version is asked when it matters."""
    transport = CountingTransport(Sandbox(odoo_version=16))
    with gateway(tmp_path, transport, protocol="web") as url:
        h = sign_in(url, "admin")
        newer = requests.post(
            url + "/api/res.partner/1/has_access", headers=h, json={"args": ["read"]}
        )
        assert newer.status_code == 501, newer.text
        assert "Odoo 18" in newer.text and "Odoo 16" in newer.text
