"""The sandbox's web-client methods: nested reads, aggregates, ORM helpers, chatter.

Calls go through ``/jsonrpc`` (and JSON-2 where the named form matters), as
admin and as the ordinary users of the seed (nosales: no Sales rights; portal:
the customer of order 33). Shapes follow ``../shared/odoo-wire-19b``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from odoo_restful.sandbox import Sandbox

from .sandbox_fixtures import Client, OdooFault

NOW = datetime(2026, 11, 29, 18, 19, 34)
SPEC: dict[str, Any] = {
    "name": {},
    "partner_id": {"fields": {"display_name": {}, "email": {}}},
    "order_line": {"fields": {"product_id": {"fields": {"display_name": {}}}, "price_unit": {}}},
}
PRIVATE = "odoo.exceptions.AccessError"


def json2(
    sandbox: Sandbox, model: str, method: str, body: dict[str, Any], key: str
) -> tuple[int, Any]:
    status, _headers, raw = sandbox.handle(
        "POST",
        f"/json/2/{model}/{method}",
        {"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        json.dumps(body).encode(),
    )
    return status, json.loads(raw)


ADMIN_KEY = "70b6df629fce8d93489d66aa448a7cc136165301"
NOSALES_KEY = "cc45fd2c663fae4214a2cf7c65d2e66eef912c92"


# --- nested reads ----------------------------------------------------------------------


def test_web_search_read_nests_records(sb_admin: Client) -> None:
    result = sb_admin("sale.order", "web_search_read", [], SPEC, 0, 2, "id asc", 10000)
    assert result["length"] == sb_admin("sale.order", "search_count", [])
    first = result["records"][0]
    assert set(first) == {"id", "name", "partner_id", "order_line"}
    assert first["partner_id"] == {
        "id": 9,
        "display_name": "Acme Corporation",
        "email": "acme_corp@yourcompany.example.com",
    }
    assert [line["id"] for line in first["order_line"]] == [1, 2, 3]
    assert first["order_line"][0] == {
        "id": 1,
        "product_id": {"id": 38, "display_name": "[FURN_6667] Acoustic Bloc Screens (Black)"},
        "price_unit": 295.0,
    }


def test_web_search_read_length_is_offset_plus_page_when_not_full(sb_admin: Client) -> None:
    result = sb_admin("sale.order", "web_search_read", [("state", "=", "cancel")], {"name": {}})
    assert result == {"length": 1, "records": [{"id": 22, "name": "S00022"}]}
    capped = sb_admin("sale.order", "web_search_read", [], {}, 0, 1, None, 5)
    assert capped["length"] == 5


def test_web_search_read_named_over_json2(sandbox: Sandbox) -> None:
    body = {"domain": [], "specification": SPEC, "offset": 0, "limit": 2, "order": "id asc"}
    status, result = json2(sandbox, "sale.order", "web_search_read", body, ADMIN_KEY)
    assert status == 200
    assert [r["id"] for r in result["records"]] == [1, 2]
    status, error = json2(sandbox, "sale.order", "web_search_read", body, NOSALES_KEY)
    assert status == 403 and error["name"] == PRIVATE


def test_web_read_plain_values_and_ids(sb_admin: Client) -> None:
    (order,) = sb_admin(
        "sale.order", "web_read", [1], {"partner_id": {}, "order_line": {}, "state": {}}
    )
    assert order == {"id": 1, "partner_id": 9, "order_line": [1, 2, 3], "state": "draft"}


def test_web_read_x2many_limit_and_order(sb_admin: Client) -> None:
    spec = {"order_line": {"fields": {"price_unit": {}}, "order": "price_unit asc", "limit": 2}}
    (order,) = sb_admin("sale.order", "web_read", [1], spec)
    assert order["order_line"] == [{"id": 3, "price_unit": 65.0}, {"id": 2, "price_unit": 145.0}]


def test_web_read_three_levels_deep(sb_admin: Client) -> None:
    spec = {"order_line": {"fields": {"order_id": {"fields": {"partner_id": {"fields": {}}}}}}}
    (order,) = sb_admin("sale.order", "web_read", [5], spec)
    assert order["order_line"][0]["order_id"] == {"id": 5, "partner_id": {"id": 16}}


def test_web_read_rejects_unknown_field(sb_admin: Client) -> None:
    fault = sb_admin.fault("sale.order", "web_read", [1], {"nope": {}})
    assert fault.name == "builtins.ValueError"


def test_web_read_over_json2(sandbox: Sandbox) -> None:
    status, result = json2(
        sandbox, "sale.order", "web_read", {"ids": [1, 2], "specification": SPEC}, ADMIN_KEY
    )
    assert status == 200 and [r["id"] for r in result] == [1, 2]


def test_portal_many2one_display_name_only_is_read_with_sudo(sb_portal: Client) -> None:
    spec = {
        "name": {},
        "team_id": {"fields": {"display_name": {}}},
        "user_id": {},
        "order_line": {"fields": {"product_id": {"fields": {"display_name": {}}}}},
    }
    (order,) = sb_portal("sale.order", "web_read", [33], spec)
    assert order["team_id"] == {"id": 1, "display_name": "Sales"}
    assert order["user_id"] == sb_portal("sale.order", "read", [33], ["user_id"])[0]["user_id"][0]
    assert order["order_line"][0]["product_id"]["display_name"] == "[FURN_8888] Office Lamp"


def test_portal_many2one_other_field_fails_the_whole_call(sb_portal: Client) -> None:
    spec = {"name": {}, "team_id": {"fields": {"display_name": {}, "name": {}}}}
    fault = sb_portal.fault("sale.order", "web_read", [33], spec)
    assert fault.name == PRIVATE
    assert fault.message.startswith("You are not allowed to access 'Sales Team' (crm.team)")
    assert "\t- Sales/User: Own Documents Only\n\t- Role / User\n" in fault.message


def test_portal_web_read_of_another_order_is_a_rule_error(sb_portal: Client) -> None:
    fault = sb_portal.fault("sale.order", "web_read", [2], {"name": {}})
    assert fault.name == PRIVATE and "top-secret records" in fault.message
    counted = sb_portal("sale.order", "web_search_read", [], {"name": {}}, 0, 1)
    assert counted["length"] == len(sb_portal("sale.order", "search", []))


def test_nosales_web_read_is_an_acl_error(sb_nosales: Client) -> None:
    fault = sb_nosales.fault("sale.order", "web_read", [1], {"name": {}})
    assert fault.name == PRIVATE
    assert "'Sales Order' (sale.order)" in fault.message


# --- aggregates --------------------------------------------------------------------------


def _orders(sb_admin: Client, domain: list[Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = sb_admin(
        "sale.order", "search_read", domain, ["amount_total", "state", "partner_id"]
    )
    return rows


def test_read_group_legacy_keys(sb_admin: Client) -> None:
    groups = sb_admin("sale.order", "read_group", [], ["amount_total:sum"], ["state"])
    orders = _orders(sb_admin, [])
    assert [g["state"] for g in groups] == sorted({o["state"] for o in orders})
    draft = groups[[g["state"] for g in groups].index("draft")]
    drafts = [o for o in orders if o["state"] == "draft"]
    assert set(draft) == {"state", "state_count", "amount_total", "__domain"}
    assert draft["state_count"] == len(drafts)
    assert draft["amount_total"] == pytest.approx(sum(o["amount_total"] for o in drafts))
    assert draft["__domain"] == [["state", "=", "draft"]]


def test_read_group_lazy_and_domain(sb_admin: Client) -> None:
    domain = [["state", "=", "sale"]]
    lazy = sb_admin("sale.order", "read_group", domain, ["amount_total"], ["partner_id", "state"])
    assert lazy[0]["__context"] == {"group_by": ["state"]}
    assert "partner_id_count" in lazy[0] and "state" not in lazy[0]
    assert lazy[0]["__domain"] == ["&", ["partner_id", "=", lazy[0]["partner_id"][0]], *domain]
    full = sb_admin(
        "sale.order", "read_group", domain, ["amount_total"], ["partner_id", "state"], lazy=False
    )
    assert "__count" in full[0] and full[0]["state"] == "sale"


def test_read_group_legacy_orderby(sb_admin: Client) -> None:
    by_total = sb_admin(
        "sale.order", "read_group", [], ["amount_total"], ["state"], orderby="amount_total desc"
    )
    totals = [g["amount_total"] for g in by_total]
    assert totals == sorted(totals, reverse=True)
    by_count = sb_admin("sale.order", "read_group", [], [], ["state"], orderby="state_count")
    counts = [g["state_count"] for g in by_count]
    assert counts == sorted(counts)
    by_month = sb_admin("sale.order", "read_group", [["id", "in", [1, 5]]], [], ["date_order"])
    assert [g["date_order"] for g in by_month] == ["October 2026", "November 2026"]
    assert by_month[0]["__range"] == {
        "date_order": {"from": "2026-10-01 00:00:00", "to": "2026-11-01 00:00:00"}
    }


def test_read_group_wrong_keywords(sb_admin: Client, sandbox: Sandbox) -> None:
    fault = sb_admin.fault("sale.order", "read_group", [], groupby=["state"], aggregates=["x"])
    assert fault.message == "BaseModel.read_group() got an unexpected keyword argument 'aggregates'"
    fault = sb_admin.fault(
        "sale.order", "formatted_read_group", [], fields=["x"], groupby=["state"]
    )
    assert fault.message == (
        "Base.formatted_read_group() got an unexpected keyword argument 'fields'"
    )
    status, error = json2(
        sandbox, "sale.order", "_read_group", {"domain": [], "groupby": ["state"]}, ADMIN_KEY
    )
    assert status == 403
    assert error["message"] == (
        "Private methods (such as 'sale.order._read_group') cannot be called remotely."
    )


def test_formatted_read_group_many2one(sb_admin: Client) -> None:
    groups = sb_admin(
        "sale.order", "formatted_read_group", [], ["partner_id"], ["amount_total:sum", "__count"]
    )
    names = [g["partner_id"][1] for g in groups]
    assert names == sorted(names)  # res.partner's order: complete name
    acme = groups[0]
    assert acme["partner_id"] == [9, "Acme Corporation"]
    assert acme["__extra_domain"] == [["partner_id", "=", 9]]
    acme_orders = [o for o in _orders(sb_admin, []) if o["partner_id"][0] == 9]
    assert acme["__count"] == len(acme_orders)
    assert acme["amount_total:sum"] == pytest.approx(sum(o["amount_total"] for o in acme_orders))


def test_formatted_read_group_order_having_and_functions(sb_admin: Client) -> None:
    groups = sb_admin(
        "sale.order",
        "formatted_read_group",
        [],
        groupby=["state"],
        aggregates=[
            "__count",
            "amount_total:max",
            "amount_total:min",
            "amount_total:avg",
            "partner_id:count_distinct",
            "id:array_agg",
        ],
        having=[["__count", ">", 1]],
        order="__count desc",
    )
    counts = [g["__count"] for g in groups]
    assert counts == sorted(counts, reverse=True) and min(counts) > 1
    sale = next(g for g in groups if g["state"] == "sale")
    totals = [o["amount_total"] for o in _orders(sb_admin, [["state", "=", "sale"]])]
    assert sale["amount_total:max"] == max(totals)
    assert sale["amount_total:min"] == min(totals)
    assert sale["amount_total:avg"] == pytest.approx(sum(totals) / len(totals))
    assert sorted(sale["id:array_agg"]) == sorted(
        sb_admin("sale.order", "search", [["state", "=", "sale"]])
    )


def test_formatted_read_group_date_granularities(sb_admin: Client) -> None:
    domain = [["id", "in", [1, 2, 5]]]  # 2026-10-27, 2026-10-28, 2026-11-02
    month = sb_admin(
        "sale.order", "formatted_read_group", domain, ["date_order:month"], ["__count"]
    )
    assert month == [
        {
            "date_order:month": ["2026-10-01 00:00:00", "October 2026"],
            "__extra_domain": [
                "&",
                ["date_order", ">=", "2026-10-01 00:00:00"],
                ["date_order", "<", "2026-11-01 00:00:00"],
            ],
            "__count": 2,
        },
        {
            "date_order:month": ["2026-11-01 00:00:00", "November 2026"],
            "__extra_domain": [
                "&",
                ["date_order", ">=", "2026-11-01 00:00:00"],
                ["date_order", "<", "2026-12-01 00:00:00"],
            ],
            "__count": 1,
        },
    ]
    labels = {
        gran: [
            g[f"validity_date:{gran}"]
            for g in sb_admin(
                "sale.order", "formatted_read_group", domain, [f"validity_date:{gran}"], []
            )
        ]
        for gran in ("day", "week", "quarter", "year")
    }
    assert labels["day"][0] == ["2026-12-27", "27 Dec 2026"]
    # 2026-12-27 is a Sunday: the en_US week holding 1 January is week 1 of 2027
    assert labels["week"] == [["2026-12-27", "W1 2027"]]
    assert labels["quarter"] == [["2026-10-01", "Q4 2026"], ["2027-01-01", "Q1 2027"]]
    assert labels["year"] == [["2026-01-01", "2026"], ["2027-01-01", "2027"]]
    desc = sb_admin(
        "sale.order",
        "formatted_read_group",
        domain,
        ["date_order:day"],
        ["__count"],
        order="date_order:day desc",
    )
    assert [g["date_order:day"][1] for g in desc] == ["02 Nov 2026", "28 Oct 2026", "27 Oct 2026"]


def test_web_read_group_length_counts_all_groups(sandbox: Sandbox, sb_admin: Client) -> None:
    body = {
        "domain": [],
        "groupby": ["partner_id"],
        "aggregates": ["amount_total:sum", "__count"],
        "limit": 3,
    }
    status, result = json2(sandbox, "sale.order", "web_read_group", body, ADMIN_KEY)
    assert status == 200 and len(result["groups"]) == 3
    everything = sb_admin("sale.order", "formatted_read_group", [], ["partner_id"], ["__count"])
    assert result["length"] == len(everything)
    positional = sb_admin("sale.order", "web_read_group", [], ["state"], ["__count"])
    assert set(positional) == {"groups", "length"}


def test_groups_respect_access(sb_nosales: Client, sb_portal: Client) -> None:
    assert sb_nosales.fault("sale.order", "formatted_read_group", [], ["state"]).name == PRIVATE
    groups = sb_portal("sale.order", "formatted_read_group", [], [], ["__count"])
    assert groups == [
        {"__extra_domain": [[1, "=", 1]], "__count": len(sb_portal("sale.order", "search", []))}
    ]


def test_search_count_domain(sb_admin: Client) -> None:
    assert sb_admin("sale.order", "search_count", [["state", "=", "sale"]]) == len(
        sb_admin("sale.order", "search", [["state", "=", "sale"]])
    )


# --- ORM helpers ---------------------------------------------------------------------


def test_name_search_matches_email_and_name(sb_admin: Client) -> None:
    by_email = sb_admin("res.partner", "name_search", "nordic-trading.example", limit=5)
    assert by_email == [[42, "Nordic Trading"]]
    found = sb_admin("res.partner", "name_search", name="Ad", limit=5)
    assert [36, "Acme Corporation, Addison Olson"] in found and len(found) == 5


def test_name_create_and_copy(sb_admin: Client) -> None:
    rid, name = sb_admin("res.partner", "name_create", "Recorder Name Create")
    assert name == "Recorder Name Create"
    copies = sb_admin("res.partner", "copy", [26])
    assert isinstance(copies, list) and len(copies) == 1
    (copy,) = sb_admin("res.partner", "read", copies, ["name", "parent_id", "email"])
    (original,) = sb_admin("res.partner", "read", [26], ["name", "parent_id", "email"])
    assert copy["name"] == f"{original['name']} (copy)"
    assert copy["parent_id"] == original["parent_id"] and copy["email"] == original["email"]
    assert rid < copies[0]
    (order_copy,) = sb_admin("sale.order", "copy", [6])
    (order,) = sb_admin("sale.order", "read", [order_copy], ["state", "order_line", "name"])
    assert order["state"] == "draft" and len(order["order_line"]) == 2
    assert order["name"] != "S00006"


def test_default_get_only_fields_with_a_default(sb_admin: Client) -> None:
    fields = ["partner_id", "date_order", "state", "user_id", "team_id", "company_id"]
    defaults = sb_admin(
        "sale.order", "default_get", [*fields, "validity_date", "note", "order_line"]
    )
    # user_id, team_id and validity_date are computed in Odoo 19, not defaults (recorded)
    assert defaults == {"date_order": "2026-11-29 18:19:34", "state": "draft", "company_id": 1}


def test_onchange_sale_order_partner(sb_admin: Client) -> None:
    spec = {
        "partner_id": {"fields": {"display_name": {}}},
        "partner_invoice_id": {"fields": {"display_name": {}}},
        "partner_shipping_id": {"fields": {"display_name": {}}},
        "user_id": {"fields": {"display_name": {}}},
        "state": {},
    }
    result = sb_admin("sale.order", "onchange", [], {"partner_id": 9}, ["partner_id"], spec)
    assert result == {
        "value": {
            "partner_invoice_id": {"id": 9, "display_name": "Acme Corporation"},
            "partner_shipping_id": {"id": 9, "display_name": "Acme Corporation"},
            "user_id": {"id": 2, "display_name": "Mitchell Admin"},
        }
    }
    first = sb_admin("sale.order", "onchange", [], {}, [], {"state": {}, "partner_id": {}})
    assert first == {"value": {"state": "draft"}}


def _raw_call(sandbox: Sandbox, model: str, method: str, args: list[Any]) -> dict[str, Any]:
    params = ["sandbox", 2, "admin", model, method, args]
    body = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "call",
        "params": {"service": "object", "method": "execute_kw", "args": params},
    }
    _status, _headers, raw = sandbox.handle("POST", "/jsonrpc", {}, json.dumps(body).encode())
    reply: dict[str, Any] = json.loads(raw)
    return reply


def test_archive_replies_without_result(sandbox: Sandbox, sb_admin: Client) -> None:
    assert _raw_call(sandbox, "res.partner", "action_archive", [[26]]) == {
        "jsonrpc": "2.0",
        "id": 7,
    }
    assert sb_admin("res.partner", "search", [["id", "=", 26]]) == []
    assert sb_admin("res.partner", "search", [["id", "=", 26]], context={"active_test": False}) == [
        26
    ]
    assert _raw_call(sandbox, "res.partner", "action_unarchive", [[26]]) == {
        "jsonrpc": "2.0",
        "id": 7,
    }
    assert sb_admin("res.partner", "search", [["id", "=", 26]]) == [26]


def test_message_post(
    sandbox: Sandbox, sb_admin: Client, sb_nosales: Client, sb_portal: Client
) -> None:
    assert sb_admin("sale.order", "message_post", [2], body="hello", message_type="comment") == [
        441
    ]
    fault = sb_admin.fault("sale.order", "message_post", [2], "positional")
    assert fault.name == "builtins.TypeError"
    (message,) = sb_admin(
        "mail.message", "read", [441], ["body", "model", "res_id", "author_id", "message_type"]
    )
    assert message["model"] == "sale.order" and message["res_id"] == 2
    assert message["author_id"] == [3, "YourCompany, Mitchell Admin"]
    assert sb_nosales.fault("sale.order", "message_post", [2], body="x").name == PRIVATE
    assert sb_portal.fault("sale.order", "message_post", [33], body="x").name == PRIVATE
    assert sb_admin("res.partner", "message_post", [9], body="note") == [442]
    assert sb_admin.fault("res.country", "message_post", [1], body="x").name == (
        "builtins.AttributeError"
    )


# --- change feed --------------------------------------------------------------------------


def test_company_write_moves_contacts_write_date() -> None:
    clock = [datetime(2026, 11, 29, 18, 0, 0)]
    sandbox = Sandbox(now=lambda: clock[0])
    sb_admin = Client(sandbox)
    clock[0] = datetime(2026, 11, 29, 18, 19, 36, 900000)
    sb_admin("res.partner", "write", [15], {"phone": "+1 555-0199"})
    feed = sb_admin(
        "res.partner",
        "search_read",
        [["write_date", ">", "2026-11-29 18:18:36"]],
        ["id", "write_date"],
        order="write_date asc, id asc",
    )
    assert [row["id"] for row in feed] == [15, 27, 28, 34]
    assert {row["write_date"] for row in feed} == {"2026-11-29 18:19:36"}
    (untouched,) = sb_admin("res.partner", "read", [9], ["write_date"])
    assert untouched["write_date"] < "2026-11-29 18:00:01"
    with pytest.raises(OdooFault):
        sb_admin("res.partner", "write", [15], {"parent_id": 15})


# --- the salesperson (demo: own documents only) -------------------------------------------

DEMO_KEY = "3a11fb9eda906828d979e6f5a5c70b8a6d4dc0ef"


def test_demo_sees_own_orders_only(sandbox: Sandbox, sb_demo: Client, sb_admin: Client) -> None:
    own = sb_demo("sale.order", "search", [])
    assert 1 in own and 2 not in own and len(own) < sb_admin("sale.order", "search_count", [])
    page = sb_demo("sale.order", "web_search_read", [], SPEC, 0, 2, "id asc", 10000)
    assert page["length"] == len(own)
    assert [r["id"] for r in page["records"]] == sorted(own)[:2]
    status, mine = json2(
        sandbox, "sale.order", "web_read", {"ids": [1, 5], "specification": SPEC}, DEMO_KEY
    )
    assert status == 200 and [r["id"] for r in mine] == [1, 5]
    status, error = json2(
        sandbox, "sale.order", "web_read", {"ids": [2], "specification": SPEC}, DEMO_KEY
    )
    assert status == 403 and error["name"] == PRIVATE
    assert (
        "Sorry, Marc Demo (id=5) doesn't have 'read' access to:\n- Sales Order"
        in (error["message"])
    )
    groups = sb_demo("sale.order", "formatted_read_group", [], [], ["__count"])
    assert groups[0]["__count"] == len(own)


def test_demo_posts_and_attaches_on_own_orders_only(sb_demo: Client) -> None:
    (message,) = sb_demo("sale.order", "message_post", [1], body="hello", message_type="comment")
    assert sb_demo("mail.message", "read", [message], ["res_id"])[0]["res_id"] == 1
    assert sb_demo.fault("sale.order", "message_post", [2], body="hello").name == PRIVATE
    vals = {"name": "n.txt", "datas": "aGk=", "res_model": "sale.order"}
    attachment = sb_demo("ir.attachment", "create", {**vals, "res_id": 1})
    assert sb_demo("ir.attachment", "search", [["res_model", "=", "sale.order"]]) == [attachment]
    assert sb_demo.fault("ir.attachment", "create", {**vals, "res_id": 2}).name == PRIVATE
