"""Nested reads and grouped aggregates end to end, over every protocol.

Each answer is checked against what the plain calls a client would otherwise make
return, as the administrator and as the ordinary salesperson (own orders only).
A second gateway, told its Odoo is version 16, runs the same features through the
older strategies (batched ``read`` calls, ``read_group``) on the same sandbox.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.sandbox import Sandbox

from .conftest import Target, gateway_settings
from .servers import serve_in_thread

NESTED = "name,partner_id{name,email},order_line{product_id{display_name},price_unit}"
SPEC = {
    "name": {},
    "partner_id": {"fields": {"name": {}, "email": {}}},
    "order_line": {"fields": {"product_id": {"fields": {"display_name": {}}}, "price_unit": {}}},
}
PORTAL_KEY = "b1f4d7a0c3e6f9a2b5c8d1e4f7a0b3c6d9e2f5a8"


def _session(target: Target, role: str, **scopes: Any) -> requests.Session:
    if role not in target.users:
        pytest.skip(f"no {role} user configured for this target")
    login, secret = target.users[role]
    resp = requests.post(
        target.url + "/api/auth/token",
        json={"login": login, "password": secret, "db": target.db, **scopes},
        timeout=30,
    )
    if resp.status_code == 401 and role == "sales" and target.name == "json2":
        # The 19b salesperson key comes with the sandbox's ordinary users (branch
        # sb-users); a sandbox without them cannot sign this user in over JSON-2.
        pytest.skip("this sandbox has no JSON-2 key for the salesperson")
    assert resp.status_code == 200, resp.text
    return target.session(resp.json()["access_token"])


def _get(s: requests.Session, url: str, status: int = 200, **query: Any) -> Any:
    resp = s.get(url, params=query, timeout=60)
    assert resp.status_code == status, resp.text
    return resp.json()


def _by_id(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in rows}


def _three_plain_calls(s: requests.Session, url: str, limit: int) -> list[dict[str, Any]]:
    """What a client does without nested reads: orders, customers, lines, then joins."""
    orders = _get(
        s, url + "/api/sale.order", fields="name,partner_id,order_line", limit=limit, order="id"
    )["data"]
    partner_ids = sorted({o["partner_id"][0] for o in orders if o["partner_id"]})
    line_ids = sorted({i for o in orders for i in o["order_line"]})
    partners = _by_id(
        _get(
            s,
            url + "/api/res.partner",
            domain=json.dumps([["id", "in", partner_ids]]),
            fields="name,email",
            limit=1000,
            context=json.dumps({"active_test": False}),
        )["data"]
    )
    lines = _by_id(
        _get(
            s,
            url + "/api/sale.order.line",
            domain=json.dumps([["id", "in", line_ids]]),
            fields="product_id,price_unit",
            limit=1000,
        )["data"]
    )
    return [
        {
            "id": o["id"],
            "name": o["name"],
            "partner_id": {
                "id": o["partner_id"][0],
                "name": partners[o["partner_id"][0]]["name"],
                "email": partners[o["partner_id"][0]]["email"],
            }
            if o["partner_id"]
            else False,
            "order_line": [
                {
                    "id": i,
                    "product_id": {
                        "id": lines[i]["product_id"][0],
                        "display_name": lines[i]["product_id"][1],
                    }
                    if lines[i]["product_id"]
                    else False,
                    "price_unit": lines[i]["price_unit"],
                }
                for i in o["order_line"]
            ],
        }
        for o in orders
    ]


# --- nested reads ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "sales"])
def test_nested_read_is_the_join_of_the_plain_calls(target: Target, role: str) -> None:
    s = _session(target, role)
    nested = _get(s, target.url + "/api/sale.order", fields=NESTED, limit=10, order="id")
    assert nested["count"] == len(nested["data"]) > 0
    assert nested["data"] == _three_plain_calls(s, target.url, 10)
    first = nested["data"][0]
    assert list(first) == ["id", "name", "partner_id", "order_line"]
    as_json = _get(s, target.url + "/api/sale.order", fields=json.dumps(SPEC), limit=10, order="id")
    assert as_json == nested


def test_the_salesperson_sees_what_flat_reads_show(target: Target) -> None:
    """The same records as flat reads (record rules apply alike), and an order hidden
    from the user is not found nested either."""
    s = _session(target, "sales")
    admin = _session(target, "admin")
    mine = _get(s, target.url + "/api/sale.order", fields="user_id{display_name},name", limit=500)
    flat = _get(s, target.url + "/api/sale.order", fields="user_id,name", limit=500)
    assert [o["id"] for o in mine["data"]] == [o["id"] for o in flat["data"]]
    for nested_row, flat_row in zip(mine["data"], flat["data"], strict=True):
        if flat_row["user_id"]:
            assert nested_row["user_id"] == dict(
                zip(("id", "display_name"), flat_row["user_id"], strict=True)
            )
    everyone = _get(admin, target.url + "/api/sale.order", fields="id", limit=500)["data"]
    hidden = {o["id"] for o in everyone} - {o["id"] for o in flat["data"]}
    if hidden:  # own-documents record rules (real Odoo, and sandboxes that have them)
        _get(s, f"{target.url}/api/sale.order/{min(hidden)}", 404, fields=NESTED)
    own = mine["data"][0]["id"]
    one = _get(s, f"{target.url}/api/sale.order/{own}", fields=NESTED)
    assert one["count"] == 1 and one["data"][0]["id"] == own
    assert isinstance(one["data"][0]["order_line"], list)
    _get(s, f"{target.url}/api/sale.order/999999", 404, fields=NESTED)


def test_plain_many2one_stays_a_pair_beside_nested_ones(target: Target) -> None:
    s = _session(target, "admin")
    rows = _get(
        s, target.url + "/api/sale.order", fields="user_id,partner_id{display_name}", limit=3
    )["data"]
    flat = _by_id(
        _get(s, target.url + "/api/sale.order", fields="user_id,partner_id", limit=3)["data"]
    )
    for row in rows:
        assert row["user_id"] == flat[row["id"]]["user_id"]
        assert row["partner_id"] == {
            "id": flat[row["id"]]["partner_id"][0],
            "display_name": flat[row["id"]]["partner_id"][1],
        }


@pytest.mark.parametrize(
    "fields",
    [
        "name{x}",
        "partner_id{",
        "partner_id{name}}",
        "a{b{c{d{e{f}}}}}",
        '{"name": 3}',
        "name,partner_id{__xmlid}",
    ],
)
def test_bad_nested_fields_are_400(target: Target, fields: str) -> None:
    s = _session(target, "admin")
    body = _get(s, target.url + "/api/sale.order", 400, fields=fields)
    assert body["type"] == "bad_request" and "fields" in body["message"]


def test_model_scopes_cover_related_models(target: Target) -> None:
    """A token scoped to sale.order may not read customers' fields through a nested
    read; their names (shown by flat reads anyway) stay readable."""
    s = _session(target, "admin", models=["sale.order"])
    denied = _get(s, target.url + "/api/sale.order", 403, fields="name,partner_id{email}")
    assert denied["type"] == "scope_denied" and "res.partner" in denied["message"]
    oid = _get(s, target.url + "/api/sale.order", fields="id", limit=1)["data"][0]["id"]
    _get(s, f"{target.url}/api/sale.order/{oid}", 403, fields="order_line{price_unit}")
    names = _get(s, target.url + "/api/sale.order", fields="partner_id{display_name}", limit=2)
    assert names["count"] == 2


def test_nested_pages_carry_total_and_links(target: Target) -> None:
    s = _session(target, "admin")
    resp = s.get(
        target.url + "/api/sale.order",
        params={"fields": "name,partner_id{name}", "limit": 2, "offset": 2, "total": "true"},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    flat = _get(s, target.url + "/api/sale.order", fields="name", limit=1000)
    assert body["total"] == flat["count"] and body["count"] == 2
    assert 'rel="next"' in resp.headers["Link"] and 'rel="prev"' in resp.headers["Link"]
    refused = _get(s, target.url + "/api/sale.order", 400, fields="partner_id{name}", cursor="true")
    assert "offset" in refused["message"]


def test_write_reads_back_nested(target: Target) -> None:
    s = _session(target, "admin")
    partner = _get(s, target.url + "/api/res.partner", fields="id,name", limit=1, order="id desc")
    pid = partner["data"][0]["id"]
    resp = s.put(
        f"{target.url}/api/res.partner/{pid}",
        params={"fields": "name,country_id{code,name}"},
        json={"country_id": 21},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    got = resp.json()["data"][0]
    assert got["country_id"]["id"] == 21 and list(got["country_id"]) == ["id", "code", "name"]
    created = s.post(
        target.url + "/api/res.partner",
        params={"fields": "name,country_id{code}"},
        json=[{"name": "Nested B", "country_id": 21}, {"name": "Nested A"}],
        timeout=30,
    )
    assert created.status_code == 201, created.text
    rows = created.json()["data"]
    assert [r["name"] for r in rows] == ["Nested B", "Nested A"]  # in creation order
    assert rows[0]["country_id"] == {"id": 21, "code": got["country_id"]["code"]}
    assert rows[1]["country_id"] is False
    for row in rows:
        assert s.delete(f"{target.url}/api/res.partner/{row['id']}", timeout=30).ok


def test_related_records_the_user_may_not_read(target: Target) -> None:
    """Odoo's portal case: a many2one asking only display_name is answered, asking
    more fails the whole read."""
    if target.live:
        pytest.skip("the portal and nosales facts are the sandbox's recorded users")
    portal = ("portal", PORTAL_KEY if target.name == "json2" else "portal")
    s = requests.Session()
    token = requests.post(
        target.url + "/api/auth/token",
        json={"login": portal[0], "password": portal[1], "db": target.db},
        timeout=30,
    ).json()["access_token"]
    s.headers["access-token"] = token
    rows = _get(s, target.url + "/api/sale.order", fields="name,team_id{display_name}")["data"]
    assert rows and rows[0]["team_id"] == {"id": 1, "display_name": "Sales"}
    denied = _get(s, target.url + "/api/sale.order", 403, fields="name,team_id{display_name,name}")
    assert "crm.team" in denied["message"]
    # An x2many on a model the user may not read at all: Odoo refuses the field
    # itself (flat reads too), so the nested read answers as the flat one does.
    nosales = _session(target, "nosales")
    query = {"domain": json.dumps([["sale_order_ids", "!=", False]]), "limit": 2}
    flat = nosales.get(
        target.url + "/api/res.partner", params={"fields": "name,sale_order_ids", **query}
    )
    nested = nosales.get(
        target.url + "/api/res.partner",
        params={"fields": "name,sale_order_ids{display_name}", **query},
    )
    assert nested.status_code == flat.status_code, nested.text
    if flat.ok:
        assert all(
            set(o) == {"id", "display_name"}
            for p in nested.json()["data"]
            for o in p["sale_order_ids"]
        )
    else:
        assert nested.json()["type"] == flat.json()["type"] == "access_error"


# --- aggregates -------------------------------------------------------------------------


def _sums(rows: list[dict[str, Any]]) -> dict[Any, tuple[float, int]]:
    out: dict[Any, tuple[float, int]] = {}
    for r in rows:
        key = r["partner_id"][0] if r["partner_id"] else False
        total, count = out.get(key, (0.0, 0))
        out[key] = (total + r["amount_total"], count + 1)
    return out


@pytest.mark.parametrize("role", ["admin", "sales"])
def test_aggregates_agree_with_the_records(target: Target, role: str) -> None:
    s = _session(target, role, read_only=True)  # a read scope is enough
    body = _get(
        s,
        target.url + "/api/sale.order/aggregate",
        groupby="partner_id",
        aggregates="amount_total:sum,__count",
    )
    records = _get(s, target.url + "/api/sale.order", fields="partner_id,amount_total", limit=1000)
    expected = _sums(records["data"])
    assert body["count"] == len(body["data"]) == len(expected)
    for group in body["data"]:
        assert set(group) == {"partner_id", "amount_total:sum", "__count", "__domain"}
        total, count = expected[group["partner_id"][0] if group["partner_id"] else False]
        assert group["__count"] == count
        assert group["amount_total:sum"] == pytest.approx(total)
        # __domain selects exactly the group's records
        inside = _get(
            s,
            target.url + "/api/sale.order",
            fields="id",
            limit=1000,
            domain=json.dumps(group["__domain"]),
        )
        assert inside["count"] == count


def test_aggregates_order_limit_having_and_dates(target: Target) -> None:
    s = _session(target, "admin")
    url = target.url + "/api/sale.order/aggregate"
    groups = _get(s, url, groupby="partner_id", aggregates="__count", order="__count desc")["data"]
    counts = [g["__count"] for g in groups]
    assert counts == sorted(counts, reverse=True)
    page = _get(
        s, url, groupby="partner_id", aggregates="__count", order="__count desc", limit=2, offset=1
    )
    assert page["count"] == 2 and page["data"][0]["__count"] == counts[1]
    having_query = {"groupby": "partner_id", "aggregates": "__count"}
    having_query["having"] = json.dumps([["__count", ">", 2]])
    if target.odoo_version < 19:  # read_group has no having: a 501 naming the version
        resp = s.get(url, params=having_query)
        assert resp.status_code == 501, resp.text
        assert resp.json()["type"] == "not_implemented_on_version"
        assert f"Odoo {target.odoo_version}" in resp.json()["message"]
    else:
        having = _get(s, url, **having_query)["data"]
        assert having and all(g["__count"] > 2 for g in having)
        assert len(having) == sum(1 for c in counts if c > 2)
    by_month = _get(s, url, groupby="date_order:month", aggregates="amount_total:sum,__count")
    assert sum(g["__count"] for g in by_month["data"]) == sum(counts)
    for g in by_month["data"]:
        assert isinstance(g["date_order:month"], list) and len(g["date_order:month"]) == 2
    for granularity in ("day", "week", "quarter", "year"):
        _get(s, url, groupby=f"date_order:{granularity}")
    # no aggregates: the count alone
    assert set(_get(s, url, groupby="state")["data"][0]) == {"state", "__count", "__domain"}


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({}, "groupby is required"),
        ({"groupby": "date_order:fortnight"}, "granularity"),
        ({"groupby": "state", "aggregates": "amount_total"}, "needs an aggregator"),
        ({"groupby": "state", "aggregates": "amount_total:median"}, "unknown aggregator"),
        ({"groupby": "state", "order": "name desc"}, "neither a groupby"),
        ({"groupby": "state", "having": '[["amount_total:sum", ">", 1]]'}, "not one of"),
        ({"groupby": "state", "having": '[["__count", "like", 1]]'}, "operator"),
        ({"groupby": "state; drop"}, "invalid entry"),
    ],
)
def test_bad_aggregate_parameters_are_400(target: Target, query: dict[str, str], says: str) -> None:
    s = _session(target, "admin")
    body = _get(s, target.url + "/api/sale.order/aggregate", 400, **query)
    assert says in body["message"]


def test_aggregates_need_model_read_access(target: Target) -> None:
    s = _session(target, "nosales")
    _get(s, target.url + "/api/sale.order/aggregate", 403, groupby="state")
    # the literal segment is not taken for an id, and other methods are not routed
    admin = _session(target, "admin")
    assert admin.post(
        target.url + "/api/sale.order/aggregate", json={}, timeout=30
    ).status_code in (
        404,
        405,
    )


# --- the Odoo <= 16 strategies on the same sandbox ---------------------------------------


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Sandbox]]:
    """A gateway that believes its Odoo is 16: batched reads and read_group."""
    sandbox = Sandbox()
    with serve_in_thread(sandbox.asgi) as odoo_url:
        settings = gateway_settings(
            Path(tmp_path_factory.mktemp("legacy")),
            odoo_url=odoo_url,
            db="sandbox",
            protocol="jsonrpc",
        )
        app = create_app(settings)
        with serve_in_thread(app) as url:
            app.state.gateway.odoo._major = 16  # after start-up, before any request
            yield url, sandbox


@pytest.fixture(scope="module")
def paired(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Two gateways over ONE sandbox: one that believes its Odoo is 16 (read_group), one
    that knows it is 19 (formatted_read_group), so their answers can be compared."""
    sandbox = Sandbox()
    with serve_in_thread(sandbox.asgi) as odoo_url:
        urls = []
        with contextlib.ExitStack() as stack:
            for major in (16, 19):
                settings = gateway_settings(
                    Path(tmp_path_factory.mktemp(f"paired{major}")),
                    odoo_url=odoo_url,
                    db="sandbox",
                    protocol="jsonrpc",
                )
                app = create_app(settings)
                urls.append(stack.enter_context(serve_in_thread(app)))
                app.state.gateway.odoo._major = major
            yield urls[0], urls[1]


def _legacy_session(url: str, login: str) -> requests.Session:
    s = requests.Session()
    resp = requests.post(
        url + "/api/auth/token",
        json={"login": login, "password": login, "db": "sandbox"},
        timeout=30,
    )
    s.headers["access-token"] = resp.json()["access_token"]
    return s


@pytest.mark.parametrize("login", ["admin", "demo"])
def test_batched_reads_give_the_same_answer(legacy: tuple[str, Sandbox], login: str) -> None:
    url, _ = legacy
    s = _legacy_session(url, login)
    nested = _get(s, url + "/api/sale.order", fields=NESTED, limit=10, order="id")
    assert nested["data"] == _three_plain_calls(s, url, 10)


def test_read_group_gives_the_same_shape(paired: tuple[str, str]) -> None:
    url, new_url = paired
    old = _legacy_session(url, "admin")
    new = _legacy_session(new_url, "admin")
    for query in (
        {
            "groupby": "partner_id",
            "aggregates": "amount_total:sum,__count",
            "order": "__count desc",
        },
        {
            "groupby": "partner_id,date_order:month",
            "aggregates": "amount_total:sum,amount_untaxed:max,__count",
        },
        {"groupby": "state", "limit": "2", "offset": "1", "order": "state"},
    ):
        a = _get(old, url + "/api/sale.order/aggregate", **query)
        b = _get(new, new_url + "/api/sale.order/aggregate", **query)
        assert [{k: v for k, v in g.items() if k != "__domain"} for g in a["data"]] == [
            {k: v for k, v in g.items() if k != "__domain"} for g in b["data"]
        ]
    body = _get(
        old,
        url + "/api/sale.order/aggregate",
        501,
        groupby="state",
        having=json.dumps([["__count", ">", 1]]),
    )
    assert body["type"] == "not_implemented_on_version" and "Odoo 16" in body["message"]
