"""The sandbox as ORDINARY users see Odoo 19 (facts of ``../shared/odoo-wire-19b``).

demo (uid 5) is a "Sales / User: Own Documents Only" salesperson, nosales (uid 7)
an internal user without Sales, portal (uid 6) a portal user; admin (uid 2) is
there for comparison.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from odoo_restful.sandbox import Sandbox

from .sandbox_fixtures import Client, OdooFault

DEMO_KEY = "3a11fb9eda906828d979e6f5a5c70b8a6d4dc0ef"
DEMO_ORDERS = [1, 5, *range(8, 19)]
RTC_ERROR = (
    "Failed to read field res.partner.rtc_session_ids\nYou are not allowed to access "
    "'Mail RTC session' (discuss.channel.rtc.session) records.\n\nThis operation is allowed "
    "for the following groups:\n\t- Role / Administrator\n\nContact your administrator to "
    "request access if necessary."
)
ACCESS = "odoo.exceptions.AccessError"


def json2(sandbox: Sandbox, key: str, path: str, payload: Any) -> tuple[int, Any]:
    headers = {"Authorization": f"bearer {key}", "Content-Type": "application/json"}
    status, _headers, raw = sandbox.handle("POST", path, headers, json.dumps(payload).encode())
    return status, json.loads(raw)


# --- users and record rules ---------------------------------------------------------------


def test_demo_is_an_own_documents_salesperson(
    sandbox: Sandbox, sb_admin: Client, sb_demo: Client, sb_nosales: Client
) -> None:
    assert sorted(sb_demo("sale.order", "search", [])) == DEMO_ORDERS
    assert len(sb_admin("sale.order", "search", [])) == 26
    assert sb_demo("sale.order", "search_count", []) == 13
    # the 19b API key of demo
    assert json2(sandbox, DEMO_KEY, "/json/2/sale.order/search_count", {"domain": []}) == (200, 13)
    lines = sb_demo("sale.order.line", "search_read", [], fields=["order_id"])
    assert {line["order_id"][0] for line in lines} == set(DEMO_ORDERS)
    assert sb_demo("sale.order", "has_access", [], "read") is True
    assert sb_demo("sale.order", "has_access", [2], "read") is False
    assert sb_demo("sale.order", "has_access", [1], "read") is True
    fault = sb_demo.fault("sale.order", "read", [2], ["name"])
    assert fault.name == ACCESS and "doesn't have 'read' access to" in fault.message
    assert sb_demo.fault("sale.order", "write", [2], {"note": "x"}).name == ACCESS
    # an order without salesperson is visible to every salesperson
    sb_admin("sale.order", "write", [2], {"user_id": False})
    assert 2 in sb_demo("sale.order", "search", [])
    assert sb_nosales.fault("sale.order", "search", []).name == ACCESS


# --- field groups -------------------------------------------------------------------------


def test_fields_get_hides_fields_of_groups_the_user_lacks(
    sb_admin: Client, sb_demo: Client, sb_nosales: Client, sb_portal: Client
) -> None:
    every = sb_admin("res.partner", "fields_get", attributes=["groups"])
    seen = sb_demo("res.partner", "fields_get", attributes=["groups"])
    assert (len(every), len(seen)) == (163, 153)
    assert every["credit_limit"]["groups"] == (
        "account.group_account_invoice,account.group_account_readonly"
    )
    assert "credit_limit" not in seen and "sale_order_count" in seen
    assert seen["message_follower_ids"] == {"groups": "base.group_user"}
    assert seen["rtc_session_ids"] == {}  # listed, yet unreadable (see below)
    assert "sale_order_count" not in sb_nosales("res.partner", "fields_get")
    assert "activity_ids" not in sb_portal("res.partner", "fields_get")


def test_group_restricted_field_refused_in_read_and_domain(
    sb_admin: Client, sb_demo: Client
) -> None:
    message = (
        'You do not have enough rights to access the field "credit_limit" on Contact '
        "(res.partner). Please contact your system administrator.\n\nOperation: read\nUser: 5\n"
        "Groups: allowed for groups 'Show Accounting Features - Readonly', 'Accounting / Invoicing'"
    )
    for call in (
        lambda: sb_demo("res.partner", "read", [3], ["name", "credit_limit"]),
        lambda: sb_demo("res.partner", "search_read", [["credit_limit", ">", 0]], fields=["name"]),
        lambda: sb_demo(
            "res.partner", "search_count", ["|", ["id", "=", 1], ["credit_limit", "=", 0]]
        ),
    ):
        with pytest.raises(OdooFault) as info:
            call()
        assert (info.value.name, info.value.message) == (ACCESS, message)
    assert sb_admin("res.partner", "read", [3], ["credit_limit"]) == [
        {"id": 3, "credit_limit": 0.0}
    ]
    fault = sb_demo.fault("sale.order", "search", [["partner_id.credit_limit", ">", 0]])
    assert fault.message == message
    fault = sb_demo.fault("res.partner", "write", [9], {"credit_limit": 10.0})
    assert fault.message == message.replace("Operation: read", "Operation: write")
    assert sb_admin("sale.order", "search", [["partner_id.credit_limit", ">", 0]]) == []


# --- default reads ------------------------------------------------------------------------


def test_default_reads_fail_on_unreadable_comodels(
    sb_admin: Client, sb_demo: Client, sb_nosales: Client
) -> None:
    for user in (sb_demo, sb_nosales):
        fault = user.fault("res.partner", "search_read", [], limit=2)
        assert (fault.name, fault.message) == (ACCESS, RTC_ERROR)
        assert user.fault("res.partner", "read", [3]).message == RTC_ERROR
        # explicitly asking for the field fails the same way; no record, no read, no error
        assert user.fault("res.partner", "read", [3], ["rtc_session_ids"]).message == RTC_ERROR
        assert user("res.partner", "search_read", [["id", "=", -1]]) == []
    assert sb_demo.fault("res.users", "search_read", [], limit=2).message.startswith(
        "Failed to read field res.users.log_ids\nYou are not allowed to access 'Users Log' "
        "(res.users.log) records."
    )
    assert sb_demo.fault("sale.order.line", "search_read", [], limit=2).message.startswith(
        "Failed to read field sale.order.line.analytic_line_ids\nYou are not allowed to access "
        "'Analytic Line' (account.analytic.line) records.\n\nThis operation is allowed for the "
        "following groups:\n\t- Accounting/Administrator\n"
    )
    # a many2one to an unreadable model is read as [id, name] (superuser display name)
    assert sb_nosales("res.partner", "read", [9], ["user_id"]) == [{"id": 9, "user_id": False}]
    records = sb_admin("res.partner", "search_read", [], limit=2)
    assert len(records) == 2 and len(records[0]) == 163  # every field (id among them)


def _safe_fields(user: Client, model: str) -> list[str]:
    """Stored, non-binary fields whose co-model the user may read, with id and display_name."""
    described = user(model, "fields_get", attributes=["type", "store", "relation"])
    names = ["id", "display_name"]
    for fname, attrs in described.items():
        if fname in names or not attrs.get("store") or attrs["type"] == "binary":
            continue
        relation = attrs.get("relation")
        if relation and not user("ir.model.access", "check", relation, "read", False):
            continue
        names.append(fname)
    return names


@pytest.mark.parametrize("login", ["admin", "demo", "nosales", "portal"])
def test_stored_readable_fields_can_always_be_read(sandbox: Sandbox, login: str) -> None:
    """What the gateway asks for instead of the default field list works for everyone."""
    uid = {"admin": 2, "demo": 5, "nosales": 7, "portal": 6}[login]
    user = Client(sandbox, uid, login)
    readable = 0
    for model in sandbox.registry.models:
        if not user(model, "has_access", [], "read"):
            assert user.fault(model, "search_read", [], fields=["id"], limit=1).name == ACCESS
            continue
        readable += 1
        fields = _safe_fields(user, model)
        records = user(model, "search_read", [], fields=fields, limit=5)
        assert all(set(record) == set(fields) for record in records), model
        ids = [record["id"] for record in records]
        assert [r["id"] for r in user(model, "read", ids, fields)] == ids
    assert readable >= {"admin": 18, "demo": 14, "nosales": 12, "portal": 10}[login]


# --- which models may a user read ---------------------------------------------------------


def test_ir_model(sb_admin: Client, sb_demo: Client, sb_nosales: Client, sb_portal: Client) -> None:
    available = sb_demo("ir.model", "get_available_models")
    assert len(available) == 127 and available[4] == {
        "display_name": "Contact",
        "model": "res.partner",
    }
    others = sb_nosales("ir.model", "get_available_models")
    assert len(others) == 116 and "sale.order" not in {m["model"] for m in others}
    assert sb_portal("ir.model", "get_available_models") == []
    assert {"display_name": "Models", "model": "ir.model"} in sb_admin(
        "ir.model", "get_available_models"
    )
    names = sb_demo(
        "ir.model", "display_name_for", ["res.partner", "sale.order", "ir.model", "nope"]
    )
    assert [n["display_name"] for n in names] == ["Contact", "Sales Order", "ir.model", "nope"]
    assert (
        sb_nosales("ir.model", "display_name_for", ["sale.order"])[0]["display_name"]
        == "sale.order"
    )
    for user in (sb_demo, sb_nosales, sb_portal):
        fault = user.fault("ir.model", "search_read", [], fields=["model"])
        assert fault.message.startswith(
            "You are not allowed to access 'Models' (ir.model) records.\n\nThis operation is "
            "allowed for the following groups:\n\t- Access Rights\n"
        )
    models = sb_admin("ir.model", "search_read", [], fields=["model", "transient"], limit=500)
    assert len(models) == 370 and models[1]["model"] == "account.account"


def test_access_checks(sandbox: Sandbox, sb_demo: Client, sb_nosales: Client) -> None:
    assert sb_demo("ir.model", "has_access", [], "read") is False
    assert sb_nosales("res.partner", "has_access", [], "create") is False
    assert sb_demo("res.partner", "has_access", [], "create") is True
    assert sb_demo("ir.model", "check_access_rights", "read", raise_exception=False) is False
    assert sb_demo.fault("ir.model", "check_access_rights", "read").name == ACCESS
    assert sb_demo("sale.order", "check_access_rights", "read") is True
    fault = sb_demo.fault("sale.order", "check_access", [1], "read")
    assert (
        fault.message
        == "Private methods (such as 'sale.order.check_access') cannot be called remotely."
    )
    status, body = json2(
        sandbox, DEMO_KEY, "/json/2/sale.order/check_access", {"operation": "read"}
    )
    assert (status, body["name"]) == (403, ACCESS)
    status, body = json2(
        sandbox, DEMO_KEY, "/json/2/sale.order/has_access", {"ids": [2], "operation": "read"}
    )
    assert (status, body) == (200, False)
    assert sb_demo("ir.model.access", "check", "account.journal", "read", False) is True
    assert sb_nosales("ir.model.access", "check", "account.journal", "read", False) is False
    assert sb_nosales("ir.model.access", "check", "sale.order", "read", False) is False
    assert sb_nosales.fault("ir.model.access", "check", "sale.order", "read").name == ACCESS
    assert sb_nosales("ir.model.access", "group_names_with_access", "sale.order", "read") == [
        "Accounting/Invoicing",
        "Sales/Administrator",
        "Sales/User: Own Documents Only",
        "Role / Portal",
        "Show Accounting Features - Readonly",
        "Show Full Accounting Features",
    ]


# --- external ids ---------------------------------------------------------------------------


def test_external_ids(sb_admin: Client, sb_demo: Client, sb_nosales: Client) -> None:
    assert sb_demo("ir.model.data", "check_object_reference", "base", "main_company") == [
        "res.company",
        1,
    ]
    assert sb_nosales("ir.model.data", "check_object_reference", "base", "us") == [
        "res.country",
        233,
    ]
    assert sb_demo.fault("ir.model.data", "check_object_reference", "base", "nope").name == (
        "builtins.ValueError"
    )
    assert sb_demo("res.partner", "get_external_id", [1, 3, 10]) == {
        "1": "base.main_partner",
        "3": "base.partner_admin",
        "10": "",
    }
    assert sb_demo("res.users", "get_external_id", [2]) == {"2": "base.user_admin"}
    assert sb_demo.fault("res.partner", "_get_external_ids", [1]).name == ACCESS
    domain = [["module", "=", "base"], ["name", "=", "main_company"]]
    assert sb_admin(
        "ir.model.data", "search_read", domain, fields=["module", "name", "model", "res_id"]
    ) == [{"id": 2, "module": "base", "name": "main_company", "model": "res.company", "res_id": 1}]
    for user in (sb_demo, sb_nosales):
        fault = user.fault("ir.model.data", "search_read", domain, fields=["name"])
        assert "'Model Data' (ir.model.data)" in fault.message
    fault = sb_demo.fault("res.partner", "search", [["id", "=", "base.main_partner"]])
    assert fault.name == "psycopg2.errors.InvalidTextRepresentation"
    assert fault.message.startswith('invalid input syntax for type integer: "base.main_partner"')


# --- read(load=...) -------------------------------------------------------------------------


@pytest.mark.parametrize("load", ["_classic_write", None, ""])
def test_load_other_than_classic_read_gives_bare_ids(
    sb_admin: Client, sb_demo: Client, load: Any
) -> None:
    for user in (sb_admin, sb_demo):
        assert user("sale.order", "read", [1], ["partner_id"], load=load) == [
            {"id": 1, "partner_id": 9}
        ]
        found = user(
            "sale.order", "search_read", [["id", "=", 1]], fields=["partner_id"], load=load
        )
        assert found == [{"id": 1, "partner_id": 9}]
    assert sb_admin("sale.order", "read", [1], ["partner_id"]) == [
        {"id": 1, "partner_id": [9, "Acme Corporation"]}
    ]


# --- domains with the user's rights -------------------------------------------------------


def test_dotted_paths_and_any_apply_the_users_rights(
    sb_admin: Client, sb_demo: Client, sb_nosales: Client
) -> None:
    mine = [["sale_order_ids.user_id", "=", 5]]
    others = [["sale_order_ids.user_id", "=", 2]]
    assert sb_admin("res.partner", "search", others) and sb_admin("res.partner", "search", mine)
    assert sb_demo("res.partner", "search", others) == []  # admin's orders are not demo's to see
    assert sb_demo("res.partner", "search", mine) == sb_admin("res.partner", "search", mine)
    anyone = [["sale_order_ids", "any", [["state", "=", "cancel"]]]]
    assert sb_admin("res.partner", "search", anyone) == [5]
    assert sb_demo("res.partner", "search", anyone) == []
    assert sb_demo("res.partner", "search", [["sale_order_ids", "not any", [["user_id", "=", 2]]]])
    for domain in (others, anyone, [["sale_order_ids.name", "=", "S00001"]]):
        fault = sb_nosales.fault("res.partner", "search", domain)
        assert fault.name == ACCESS and "'Sales Order' (sale.order)" in fault.message
    assert sb_demo("sale.order.line", "search_count", [["order_id.user_id", "=", 2]]) == 0
    assert sb_admin("sale.order.line", "search_count", [["order_id.user_id", "=", 2]]) > 0


# --- bad inputs ---------------------------------------------------------------------------


def test_bad_inputs_as_recorded(sb_admin: Client, sb_demo: Client) -> None:
    fault = sb_admin.fault("res.partner.category", "search_read", [], fields=["name"], limit=-1)
    assert (fault.name, fault.message) == (
        "psycopg2.errors.InvalidRowCountInLimitClause",
        "LIMIT must not be negative\n",
    )
    for user in (sb_admin, sb_demo):
        fault = user.fault(
            "sale.order", "search_read", [], fields=["name"], context={"allowed_company_ids": [999]}
        )
        assert (fault.name, fault.message) == (
            ACCESS,
            "Access to unauthorized or invalid companies.",
        )
    assert sb_admin("sale.order", "search_count", [], context={"allowed_company_ids": [1, 2]}) == 26
    assert (
        sb_demo.fault("res.partner", "search", [], context={"allowed_company_ids": [2]}).name
        == ACCESS
    )
    fault = sb_admin.fault(
        "res.partner", "search_read", [], fields=["name"], order="name; drop table x"
    )
    assert fault.name == "odoo.exceptions.UserError"
    assert fault.message.startswith('Invalid "order" specified (name; drop table x).')
    fault = sb_admin.fault(
        "res.partner", "search_read", [["name", "contains", "a"]], fields=["name"]
    )
    assert (fault.name, fault.message) == (
        "builtins.ValueError",
        "Invalid operator in condition ('name', 'contains', 'a')",
    )


# --- sessions, services, pages ------------------------------------------------------------


def test_pages_and_services_without_a_session(sandbox: Sandbox) -> None:
    for path, location in (
        ("/", "/odoo"),
        ("/web", "/web/login?redirect=%2Fweb%3F"),
        ("/doc", "/web/login?redirect=%2Fdoc%3F"),
        ("/web?debug=1", "/web/login?redirect=%2Fweb%3Fdebug%3D1"),
    ):
        status, headers, body = sandbox.handle("GET", path, {}, b"")
        assert (status, headers["location"]) == (303, location)
        assert f'<a href="{location}">' in body.decode()
    status, _headers, raw = sandbox.handle(
        "POST", "/web/session/get_session_info", {}, b'{"jsonrpc": "2.0", "params": {}, "id": 3}'
    )
    reply = json.loads(raw)
    assert reply["id"] is None and reply["error"]["code"] == 100

    def call(service: str, method: str, *args: Any) -> Any:
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "params": {"service": service, "method": method, "args": list(args)},
        }
        return json.loads(sandbox.handle("POST", "/jsonrpc", {}, json.dumps(body).encode())[2])[
            "result"
        ]

    langs = call("db", "list_lang")
    assert ["en_US", "English (US)"] in langs and len(langs) > 80
    assert call("db", "list") == ["sandbox"]
    assert call("db", "server_version") == "19.0"
    assert call("common", "about") == "See http://openerp.com"


def test_session_info_of_an_ordinary_user(sandbox: Sandbox) -> None:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "params": {"db": "sandbox", "login": "nosales", "password": "nosales"},
    }
    raw = sandbox.handle("POST", "/web/session/authenticate", {}, json.dumps(body).encode())[2]
    info = json.loads(raw)["result"]
    assert info["is_admin"] is False and "iap_company_enrich" not in info
    assert info["groups"] == {"base.group_allow_export": False}
