"""Every request of the seed guide (../shared/seed), sent as written, through real HTTP.

Runs against the sandbox and, when the live variables are set, against a real Odoo.
Ids the guide hard-codes (partner 10, product 1, country 107, tag 10) are used as
written on the sandbox and looked up on a live Odoo. The partner the guide writes and
then deletes (68) is a fresh one each test creates, so every test owns what it changes
and the tests pass in any order.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from .conftest import LIVE, LIVE_SKIP, Target


def test_live_odoo_is_configured() -> None:
    """The whole end-to-end suite also runs against a real Odoo when configured."""
    if not LIVE:
        pytest.skip(LIVE_SKIP)


def first_id(s: requests.Session, target: Target, model: str, domain: str = "[]") -> int:
    resp = s.get(
        f"{target.url}/api/{model}",
        params={"domain": domain, "fields": "id", "limit": 1, "order": "id"},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["count"] == 1, f"no {model} record on this Odoo"
    rid: int = resp.json()["data"][0]["id"]
    return rid


def seed_ids(s: requests.Session, target: Target) -> dict[str, int]:
    if not target.live:
        return {"partner": 10, "product": 1, "country": 107, "category": 10}
    return {
        "partner": first_id(s, target, "res.partner"),
        "product": first_id(s, target, "product.product", "[('sale_ok', '=', True)]"),
        "country": first_id(s, target, "res.country"),
        "category": first_id(s, target, "res.partner.category"),
    }


def seed_token(target: Target) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    """The guide's first example, verbatim: a form body on a GET."""
    headers = {"charset": "utf-8", "content-type": "application/x-www-form-urlencoded"}
    data = {"login": target.login, "password": target.password, "db": target.db}
    req = requests.get(f"{target.url}/api/auth/token", data=data, headers=headers)
    assert req.status_code == 200, req.text
    content = json.loads(req.content.decode("utf-8"))
    headers["access-token"] = content.get("access_token")
    return headers, data, content


def test_token_request_as_written(target: Target) -> None:
    headers, _, content = seed_token(target)
    assert content["access_token"] == headers["access-token"]
    assert content["token_type"] == "Bearer"
    assert content["expires_in"] > 0
    assert isinstance(content["uid"], int)
    assert isinstance(content["company_id"], int)
    assert content["company_id"] in content["company_ids"]
    assert isinstance(content["partner_id"], int)
    assert isinstance(content["user_context"], dict) and "lang" in content["user_context"]
    assert content["login"] == target.login
    for key in ("company_name", "currency", "country", "contact_address", "name"):
        assert key in content
    assert "password" not in content
    assert target.password not in json.dumps({k: v for k, v in content.items() if k != "login"})


def test_token_response_is_not_cached(target: Target) -> None:
    resp = requests.post(
        f"{target.url}/api/auth/token",
        data={"login": target.login, "password": target.password, "db": target.db},
    )
    assert resp.status_code == 200
    assert resp.headers["cache-control"] == "no-store"


def test_search_read_with_json_body_on_get(target: Target) -> None:
    headers, _, _ = seed_token(target)
    url = f"{target.url}/api/sale.order"
    payload = (
        "{\"limit\": 20, \"fields\": \"['id', 'partner_id', 'name']\", "
        "\"domain\":\"[('id', '>', '10')]\", \"offset\":3}"
    )
    headers = {"access-token": headers["access-token"], "content-type": "application/json"}
    response = requests.request("GET", url, data=payload, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["data"]) > 0
    assert body["count"] <= 20
    for rec in body["data"]:
        assert set(rec) == {"id", "partner_id", "name"}
        assert rec["id"] > 10
        assert isinstance(rec["partner_id"], list) and len(rec["partner_id"]) == 2
    # offset 3 really skipped three records of the same search
    # (the same search from offset 0, three records longer, so both slices have the
    # same length whatever the number of matching records)
    from_start = payload.replace('"offset":3', '"offset":0').replace('"limit": 20', '"limit": 23')
    no_offset = requests.request("GET", url, headers=headers, data=from_start).json()["data"]
    assert [r["id"] for r in no_offset[3 : 3 + body["count"]]] == [r["id"] for r in body["data"]]


def test_create_with_api_prefixed_literal_commands(target: Target) -> None:
    headers, _, _ = seed_token(target)
    ids = seed_ids(target.session(headers["access-token"]), target)
    url = f"{target.url}/api/sale.order"
    payload = (
        (
            '{"partner_id": PARTNER, "__api__order_line":"[(0, 0,  {\'product_id\': PRODUCT,'
            "'price_unit':4000})]\"}"
        )
        .replace("PARTNER", str(ids["partner"]))
        .replace("PRODUCT", str(ids["product"]))
    )
    headers = {"content-type": "application/json", "access-token": headers["access-token"]}
    response = requests.request("POST", url, data=payload, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["count"] == 1
    order = body["data"][0]
    assert order["partner_id"][0] == ids["partner"]
    assert len(order["order_line"]) == 1
    line = requests.get(
        f"{target.url}/api/sale.order.line/{order['order_line'][0]}",
        headers=headers,
        params={"fields": "price_unit,product_id"},
    ).json()
    assert line["data"][0]["price_unit"] == 4000
    assert line["data"][0]["product_id"][0] == ids["product"]


def _own_partner(target: Target, s: requests.Session) -> int:
    """The guide writes, then deletes, partner 68: a partner of the test's own stands in."""
    resp = s.post(f"{target.url}/api/res.partner", json={"name": "odoo-restful e2e"})
    assert resp.status_code == 201, resp.text
    rid: int = resp.json()["data"][0]["id"]
    return rid


def test_put_with_friendly_many2many_under_form_content_type(target: Target) -> None:
    headers, _, _ = seed_token(target)  # still carries the form content-type header
    s = target.session(headers["access-token"])
    ids = seed_ids(s, target)
    pid = _own_partner(target, s)
    p = requests.put(
        f"{target.url}/api/res.partner/{pid}",
        headers=headers,
        data=json.dumps(
            {
                "name": "John Doe",
                "country_id": ids["country"],
                "category_id": [{"id": ids["category"]}],
            }
        ),
    )
    assert p.status_code == 200, p.content
    rec = p.json()["data"][0]
    assert rec["name"] == "John Doe"
    assert rec["country_id"][0] == ids["country"]
    assert rec["category_id"] == [ids["category"]]


def test_delete_record_then_it_is_gone(target: Target) -> None:
    headers, _, _ = seed_token(target)
    s = target.session(headers["access-token"])
    pid = _own_partner(target, s)
    assert s.get(f"{target.url}/api/res.partner/{pid}").status_code == 200
    p = requests.delete(f"{target.url}/api/res.partner/{pid}", headers=headers)
    assert p.status_code == 200, p.content
    assert p.json()["data"] == {"id": pid, "deleted": True}
    gone = s.get(f"{target.url}/api/res.partner/{pid}")
    assert gone.status_code == 404
    assert gone.json()["type"] == "missing_error"


def test_delete_token_as_written_revokes_it_at_once(target: Target) -> None:
    headers, data, _ = seed_token(target)
    ok = requests.get(f"{target.url}/api/res.partner", headers=headers, params={"limit": 1})
    assert ok.status_code == 200
    req = requests.delete(f"{target.url}/api/auth/token", data=data, headers=headers)
    assert req.status_code == 200, req.text
    after = requests.get(f"{target.url}/api/res.partner", headers=headers, params={"limit": 1})
    assert after.status_code == 401
    assert after.json()["type"] == "invalid_token"
    again = requests.delete(f"{target.url}/api/auth/token", headers=headers)
    assert again.status_code == 401
