"""Scopes and the write deny-list see every path a value takes to Odoo (issue #11,
findings 2 and 3): nested x2many commands, friendly lists, operations objects,
``default_*`` context keys and method arguments. Each refusal happens before Odoo
is called, so nothing is half-written; the sandbox is served over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.sandbox import Sandbox

from .conftest import gateway_settings
from .servers import serve_in_thread


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("nested")
    with serve_in_thread(Sandbox().asgi) as odoo_url:
        settings = gateway_settings(
            tmp,
            odoo_url=odoo_url,
            db="sandbox",
            write_deny_fields=("res.partner.email", "res.users.groups_id"),
        )
        with serve_in_thread(create_app(settings)) as gateway_url:
            yield gateway_url


def token(url: str, **scopes: Any) -> dict[str, str]:
    resp = requests.post(
        url + "/api/auth/token", json={"login": "admin", "password": "admin", **scopes}
    )
    assert resp.status_code == 200, resp.text
    return {"access-token": resp.json()["access_token"]}


def count(url: str, model: str, domain: list[Any]) -> int:
    resp = requests.get(
        f"{url}/api/{model}",
        params={"domain": json.dumps(domain), "fields": "id", "limit": 1000},
        headers=token(url),
    )
    assert resp.status_code == 200, resp.text
    n: int = resp.json()["count"]
    assert n < 1000, "the page limit caps this count: narrow the domain"
    return n


def refused(resp: requests.Response, status: int, type_: str, names: str) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["type"] == type_, body
    assert names in body["message"], body


PARTNER_ONLY = {"models": ["res.partner"]}


@pytest.mark.parametrize(
    ("field", "value", "model"),
    [
        ("sale_order_ids", [[0, 0, {"partner_id": 10}]], "sale.order"),
        ("category_id", [[0, 0, {"name": "nested-tag-cmd"}]], "res.partner.category"),
        ("category_id", [{"name": "nested-tag-friendly"}], "res.partner.category"),
        ("category_id", {"create": [{"name": "nested-tag-ops"}]}, "res.partner.category"),
        ("__api__category_id", "[(0, 0, {'name': 'nested-tag-lit'})]", "res.partner.category"),
        ("user_ids", [[1, 2, {"name": "renamed"}]], "res.users"),
        ("category_id", [[2, 1]], "res.partner.category"),
    ],
)
def test_model_scope_sees_nested_commands(url: str, field: str, value: Any, model: str) -> None:
    h = token(url, **PARTNER_ONLY)
    tags = count(url, "res.partner.category", [])
    orders = count(url, "sale.order", [])
    created = requests.post(
        url + "/api/res.partner", json={"name": "scoped", field: value}, headers=h
    )
    refused(created, 403, "scope_denied", model)
    written = requests.put(url + "/api/res.partner/10", json={field: value}, headers=h)
    refused(written, 403, "scope_denied", model)
    assert count(url, "res.partner", [["name", "=", "scoped"]]) == 0
    assert count(url, "res.partner.category", []) == tags
    assert count(url, "sale.order", []) == orders


def test_model_scope_still_allows_links_and_in_scope_children(url: str) -> None:
    h = token(url, **PARTNER_ONLY)
    resp = requests.post(
        url + "/api/res.partner",
        json={
            "name": "scoped ok",
            "is_company": True,
            "category_id": [1, 2],  # many2many link: only the partner's own field changes
            "child_ids": [[0, 0, {"name": "scoped child"}]],  # res.partner: in scope
        },
        headers=h,
    )
    assert resp.status_code == 201, resp.text


def test_one2many_link_of_another_model_is_a_write_on_it(url: str) -> None:
    """Linking an order to a partner rewrites the order's partner_id."""
    h = token(url, **PARTNER_ONLY)
    resp = requests.put(url + "/api/res.partner/10", json={"sale_order_ids": [[4, 1]]}, headers=h)
    refused(resp, 403, "scope_denied", "sale.order")
    resp = requests.put(url + "/api/res.partner/10", json={"sale_order_ids": [1, 2]}, headers=h)
    refused(resp, 403, "scope_denied", "sale.order")


@pytest.mark.parametrize(
    "vals",
    [
        {"name": "p", "child_ids": [[0, 0, {"name": "c", "email": "c@example.com"}]]},
        {"name": "p", "child_ids": [{"name": "c", "email": "c@example.com"}]},
        {"name": "p", "child_ids": {"create": [{"name": "c", "email": "c@example.com"}]}},
        {"name": "p", "__api__child_ids": "[(0, 0, {'name': 'c', 'email': 'c@x.com'})]"},
        {"name": "p", "email": "top@example.com"},
    ],
)
def test_deny_list_sees_nested_values(url: str, vals: dict[str, Any]) -> None:
    h = token(url)
    before = count(url, "res.partner", [])
    refused(
        requests.post(url + "/api/res.partner", json=vals, headers=h),
        403,
        "field_forbidden",
        "email",
    )
    assert count(url, "res.partner", []) == before


def test_deny_list_sees_nested_updates(url: str) -> None:
    h = token(url)
    parent = requests.post(
        url + "/api/res.partner",
        json={"name": "parent", "is_company": True, "child_ids": [[0, 0, {"name": "kid"}]]},
        headers=h,
    ).json()["data"][0]
    kid = parent["child_ids"][0]
    for value in (
        [[1, kid, {"email": "new@example.com"}]],
        {"update": [{"id": kid, "email": "new@example.com"}]},
    ):
        resp = requests.put(
            f"{url}/api/res.partner/{parent['id']}", json={"child_ids": value}, headers=h
        )
        refused(resp, 403, "field_forbidden", "email")
    kid_now = requests.get(f"{url}/api/res.partner/{kid}", params={"fields": "email"}, headers=h)
    assert kid_now.json()["data"][0]["email"] is False


def test_deny_list_sees_context_defaults(url: str) -> None:
    h = token(url)
    ctx = json.dumps({"default_email": "ctx@example.com"})
    resp = requests.post(
        url + "/api/res.partner", params={"context": ctx}, json={"name": "ctx"}, headers=h
    )
    refused(resp, 403, "field_forbidden", "email")
    resp = requests.put(
        url + "/api/res.partner/10", params={"context": ctx}, json={"name": "n"}, headers=h
    )
    refused(resp, 403, "field_forbidden", "email")
    resp = requests.post(
        url + "/api/res.partner/10/copy",
        json={"kwargs": {"context": {"default_email": "x"}}},
        headers=h,
    )
    refused(resp, 403, "field_forbidden", "email")
    assert count(url, "res.partner", [["name", "=", "ctx"]]) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"kwargs": {"default": {"email": "copy@example.com"}}},
        {"args": [{"email": "copy@example.com"}]},
        {"args": [{"child_ids": [[0, 0, {"name": "k", "email": "x@example.com"}]]}]},
    ],
)
def test_deny_list_sees_method_arguments(url: str, body: dict[str, Any]) -> None:
    h = token(url)
    before = count(url, "res.partner", [])
    resp = requests.post(url + "/api/res.partner/10/copy", json=body, headers=h)
    refused(resp, 403, "field_forbidden", "email")
    assert count(url, "res.partner", []) == before


def test_model_scope_sees_commands_in_method_arguments(url: str) -> None:
    h = token(url, **PARTNER_ONLY)
    before = count(url, "sale.order", [])
    resp = requests.post(
        url + "/api/res.partner/10/copy",
        json={"kwargs": {"default": {"sale_order_ids": [[0, 0, {"partner_id": 10}]]}}},
        headers=h,
    )
    refused(resp, 403, "scope_denied", "x2many commands")
    assert count(url, "sale.order", []) == before
    ok = requests.post(
        url + "/api/res.partner/10/read", json={"kwargs": {"fields": ["name"]}}, headers=h
    )
    assert ok.status_code == 200, ok.text
