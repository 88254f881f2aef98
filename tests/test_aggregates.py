"""Grouped aggregates: parameter checks and the translation to each Odoo version's
method, with Odoo's recorded answers (19b) as the replies."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from odoo_restful.aggregates import GroupQuery, read_groups
from odoo_restful.errors import BadRequest, NotImplementedOnVersion, UnknownMethod
from odoo_restful.odoo.base import Credential
from odoo_restful.params import parse_aggregates, parse_group_order, parse_groupby, parse_having

WIRE = Path("/work/shared/odoo-wire-19b")
CRED = Credential("demo", 2, "admin", "password", "admin")


def _recorded(name: str) -> Any:
    return json.loads((WIRE / name).read_text())["response"]["body"]["result"]


class FakeOdoo:
    def __init__(self, major: int, replies: dict[str, Any]) -> None:
        self.major = major
        self.replies = replies
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def server_major(self) -> int:
        return self.major

    async def call(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        self.sent.append((method, kwargs))
        if method not in self.replies:
            raise UnknownMethod(f"The method '{model}.{method}' does not exist")
        return self.replies[method]


def _query(**over: Any) -> GroupQuery:
    base: dict[str, Any] = {
        "domain": [["state", "!=", "cancel"]],
        "groupby": ["partner_id"],
        "aggregates": ["amount_total:sum", "__count"],
        "having": [],
        "limit": 80,
        "offset": 0,
        "order": None,
    }
    base.update(over)
    return GroupQuery(**base)


def test_params() -> None:
    assert parse_groupby("partner_id, date_order:month") == ["partner_id", "date_order:month"]
    assert parse_groupby(["state"]) == ["state"]
    assert parse_aggregates(None) == ["__count"]
    assert parse_aggregates("amount_total:sum,__count") == ["amount_total:sum", "__count"]
    keys = ["partner_id", "amount_total:sum", "__count"]
    assert parse_group_order("__count DESC, partner_id", keys=keys) == "__count desc, partner_id"
    assert parse_having('[["__count", ">", 2]]', aggregates=keys) == [["__count", ">", 2]]
    assert parse_having(["|", ["__count", ">", 2], ["amount_total:sum", "<", 9.5]], aggregates=keys)
    for bad in ("", "a:b:c", "x;y", "partner_id:month:year", "date_order:hour"):
        with pytest.raises(BadRequest):
            parse_groupby(bad)
    for bad in ("amount_total", "amount_total:median", "__count:sum"):
        with pytest.raises(BadRequest):
            parse_aggregates(bad)
    with pytest.raises(BadRequest):
        parse_group_order("amount_total desc", keys=keys)
    with pytest.raises(BadRequest):
        parse_having('[["__count", ">", "2"]]', aggregates=keys)
    with pytest.raises(BadRequest):
        parse_having('[["__count", ">"]]', aggregates=keys)


def test_odoo_19_formatted_read_group_and_the_whole_group_domain() -> None:
    odoo = FakeOdoo(
        19,
        {"formatted_read_group": _recorded("jsonrpc_formatted_read_group_sale_order_partner.json")},
    )
    groups = asyncio.run(
        read_groups(odoo, CRED, "sale.order", _query(order="__count desc"), context={})
    )
    method, sent = odoo.sent[0]
    assert method == "formatted_read_group" and len(odoo.sent) == 1
    assert sent["groupby"] == ["partner_id"] and sent["aggregates"] == [
        "amount_total:sum",
        "__count",
    ]
    assert sent["order"] == "__count desc" and "having" not in sent
    assert groups[0] == {
        "partner_id": [9, "Acme Corporation"],
        "amount_total:sum": 33895.0,
        "__count": 12,
        "__domain": [["state", "!=", "cancel"], ["partner_id", "=", 9]],
    }


def test_older_versions_read_group_in_the_same_shape() -> None:
    odoo = FakeOdoo(16, {"read_group": _recorded("jsonrpc_read_group_sale_order_partner.json")})
    groups = asyncio.run(read_groups(odoo, CRED, "sale.order", _query(), context={}))
    method, sent = odoo.sent[0]
    assert method == "read_group" and sent["lazy"] is False
    assert sent["fields"] == ["amount_total:sum"] and sent["groupby"] == ["partner_id"]
    # the recorded lazy answer keys its count <groupby>_count: read as __count
    assert groups[0] == {
        "partner_id": [9, "Acme Corporation"],
        "amount_total:sum": 33895.0,
        "__count": 12,
        "__domain": [["partner_id", "=", 9]],
    }


def test_read_group_aliases_a_field_aggregated_twice_and_orders_by_its_keys() -> None:
    reply = [
        {
            "date_order:month": "November 2026",
            "__range": {"date_order:month": {"from": "2026-11-01", "to": "2026-12-01"}},
            "amount_total_sum": 10.0,
            "amount_total_max": 7.0,
            "__count": 2,
            "__domain": [],
        }
    ]
    odoo = FakeOdoo(16, {"read_group": reply})
    q = _query(
        groupby=["date_order:month"],
        aggregates=["amount_total:sum", "amount_total:max", "__count"],
        order="amount_total:max desc, date_order:month",
    )
    groups = asyncio.run(read_groups(odoo, CRED, "sale.order", q, context={}))
    sent = odoo.sent[0][1]
    assert sent["fields"] == [
        "amount_total_sum:sum(amount_total)",
        "amount_total_max:max(amount_total)",
    ]
    assert sent["orderby"] == "amount_total_max desc, date_order:month"
    assert groups == [
        {
            "date_order:month": ["2026-11-01", "November 2026"],
            "amount_total:sum": 10.0,
            "amount_total:max": 7.0,
            "__count": 2,
            "__domain": [],
        }
    ]


def test_what_a_version_cannot_do_is_501_naming_it() -> None:
    odoo = FakeOdoo(16, {"read_group": []})
    with pytest.raises(NotImplementedOnVersion, match="Odoo 16"):
        asyncio.run(read_groups(odoo, CRED, "m", _query(having=[["__count", ">", 1]]), context={}))
    assert odoo.sent == []
    with pytest.raises(NotImplementedOnVersion, match="Odoo 12"):
        asyncio.run(read_groups(FakeOdoo(12, {}), CRED, "m", _query(), context={}))
    # a 19 without formatted_read_group falls back to read_group
    fallback = FakeOdoo(19, {"read_group": []})
    assert asyncio.run(read_groups(fallback, CRED, "m", _query(), context={})) == []
    assert [m for m, _ in fallback.sent] == ["formatted_read_group", "read_group"]
