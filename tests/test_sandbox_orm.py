"""Unit tests of the sandbox's in-memory ORM: values, commands, validations, access.

Calls go through ``/jsonrpc`` ``execute_kw`` (the path every protocol shares), so
the expectations are what a client of the sandbox sees.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from odoo_restful.sandbox import Sandbox

from .sandbox_fixtures import Client

NOW = datetime(2026, 11, 27, 10, 0, 0)


def tags_of(sb_admin: Client, partner: int) -> list[int]:
    tags: list[int] = sb_admin("res.partner", "read", [partner], ["category_id"])[0]["category_id"]
    return tags


def lines_of(sb_admin: Client, order: int) -> list[int]:
    lines: list[int] = sb_admin("sale.order", "read", [order], ["order_line"])[0]["order_line"]
    return lines


# --- seed and ids ------------------------------------------------------------


def test_seed_is_deterministic() -> None:
    first, second = Client(Sandbox(now=lambda: NOW)), Client(Sandbox(now=lambda: NOW))
    for model in ("res.partner", "sale.order", "sale.order.line", "res.partner.category"):
        domain = [("active", "in", [True, False])] if model == "res.partner" else []
        assert first(model, "search_read", domain) == second(model, "search_read", domain)


def test_seed_contents(sb_admin: Client) -> None:
    assert sb_admin("res.partner", "search_count", [], context={"active_test": False}) >= 40
    assert sb_admin("sale.order", "search_count", []) >= 25
    assert sb_admin("res.partner.category", "search_count", []) >= 10
    assert sb_admin("res.country", "search_count", []) == 250
    us, be = sb_admin("res.country", "read", [233, 20], ["code", "name"])
    assert (us["code"], us["name"], be["code"]) == ("US", "United States", "BE")
    product = sb_admin("product.product", "read", [1], ["sale_ok", "active", "lst_price"])[0]
    assert product["sale_ok"] and product["active"]
    assert sb_admin("res.partner", "read", [68, 10], ["id"]) == [{"id": 68}, {"id": 10}]
    assert sb_admin("res.partner.category", "read", [10], ["name"])[0]["name"] == "VIP"
    order = sb_admin("sale.order", "read", [1], ["state", "amount_total", "order_line"])[0]
    assert order == {"id": 1, "state": "draft", "amount_total": 1740.0, "order_line": [1, 2, 3]}


def test_new_ids_follow_the_recorded_sequences(sb_admin: Client) -> None:
    assert sb_admin("res.partner", "create", {"name": "A"}) == 46
    assert sb_admin("res.partner.category", "create", {"name": "T"}) == 8
    assert sb_admin("sale.order", "create", {"partner_id": 9}) == 23
    assert sb_admin("sale.order.line", "create", {"order_id": 23, "product_id": 1}) == 45
    assert sb_admin("res.users", "create", {"name": "U", "login": "u"}) == 8


def test_sequences_skip_seeded_ids(sb_admin: Client) -> None:
    ids = sb_admin("res.partner", "create", [{"name": f"P{i}"} for i in range(15)])
    assert ids == [*range(46, 60), 69]


def test_failed_create_consumes_its_id(sb_admin: Client) -> None:
    fault = sb_admin.fault("sale.order", "create", {"client_order_ref": "x"})
    assert fault.name == "odoo.exceptions.ValidationError"
    assert "Missing required value for the field 'Customer' (partner_id)" in fault.message
    assert sb_admin("sale.order", "create", {"partner_id": 9}) == 24


def test_failed_field_check_does_not_consume_an_id(sb_admin: Client) -> None:
    sb_admin.fault("res.partner", "create", {"name": "x", "nope": 1})
    sb_admin.fault("res.partner", "create", {"name": "x", "type": "bogus"})
    assert sb_admin("res.partner", "create", {"name": "x"}) == 46


def test_create_returns_an_int_for_a_dict_and_a_list_for_a_list(sb_admin: Client) -> None:
    assert isinstance(sb_admin("res.partner", "create", {"name": "one"}), int)
    assert sb_admin("res.partner", "create", [{"name": "a"}, {"name": "b"}]) == [47, 48]
    assert sb_admin("res.partner", "create", []) == []


# --- values and coercion ---------------------------------------------------------


def test_read_value_shapes(sb_admin: Client) -> None:
    row = sb_admin(
        "res.partner",
        "read",
        [27],
        [
            "parent_id",
            "child_ids",
            "category_id",
            "comment",
            "credit",
            "create_date",
            "active",
            "country_id",
        ],
    )[0]
    assert row["parent_id"] == [15, "Azure Interior"]
    assert row["child_ids"] == [] and row["category_id"] == []
    assert row["comment"] is False
    assert row["credit"] == 0.0 and isinstance(row["credit"], float)
    assert row["create_date"] == "2026-11-27 02:06:43"
    assert row["country_id"] == [233, "United States"]
    order = sb_admin("sale.order", "read", [1], ["validity_date", "date_order", "commitment_date"])[
        0
    ]
    assert order["validity_date"] == "2026-12-27"
    assert order["date_order"] == "2026-10-27 02:07:00"
    assert order["commitment_date"] is False


def test_read_without_fields_returns_every_field(sb_admin: Client) -> None:
    fields = sb_admin("res.partner", "fields_get", attributes=["type"])
    row = sb_admin("res.partner", "read", [9])[0]
    assert set(row) == set(fields)
    assert len(row) == 163
    assert next(iter(row)) == "id"


def test_read_drops_missing_ids_and_load_none(sb_admin: Client) -> None:
    assert [r["id"] for r in sb_admin("res.partner", "read", [1, 999999, 3], ["name"])] == [1, 3]
    row = sb_admin("res.partner", "read", [27], ["parent_id"], load=None)[0]
    assert row["parent_id"] == 15


def test_bin_size(sb_admin: Client) -> None:
    image = sb_admin("res.partner", "read", [9], ["image_128"])[0]["image_128"]
    assert image.startswith("iVBORw0KGgo")  # a base64 PNG
    size = sb_admin("res.partner", "read", [9], ["image_128"], context={"bin_size": True})
    assert size[0]["image_128"].endswith((" bytes", " Kb"))
    assert sb_admin("res.partner", "read", [27], ["image_128"])[0]["image_128"] is False


def test_write_coercion(sb_admin: Client) -> None:
    sb_admin(
        "res.partner",
        "write",
        [27],
        {"color": "5", "partner_latitude": "1.5", "ref": 42, "is_company": 0},
    )
    row = sb_admin("res.partner", "read", [27], ["color", "partner_latitude", "ref", "is_company"])[
        0
    ]
    assert row == {"id": 27, "color": 5, "partner_latitude": 1.5, "ref": "42", "is_company": False}
    sb_admin(
        "sale.order",
        "write",
        [1],
        {"commitment_date": "2027-01-02", "validity_date": "2027-01-05 10:00:00"},
    )
    row = sb_admin("sale.order", "read", [1], ["commitment_date", "validity_date"])[0]
    assert row["commitment_date"] == "2027-01-02 00:00:00"
    assert row["validity_date"] == "2027-01-05"


@pytest.mark.parametrize(
    ("vals", "name", "message"),
    [
        ({"type": "bogus"}, "builtins.ValueError", "Wrong value for res.partner.type: 'bogus'"),
        ({"nope": 1}, "builtins.ValueError", "Invalid field 'nope' on model 'res.partner'"),
        ({"color": "x"}, "builtins.ValueError", "invalid literal for int() with base 10: 'x'"),
        (
            {"parent_id": "Acme"},
            "builtins.ValueError",
            "Wrong value for res.partner.parent_id: 'Acme'",
        ),
        ({"category_id": [{"id": 10}]}, "builtins.TypeError", "unhashable type: 'dict'"),
        (
            {"category_id": "abc"},
            "builtins.ValueError",
            "Wrong value for res.partner.category_id: 'abc'",
        ),
        (
            {"category_id": [[9, 1]]},
            "builtins.ValueError",
            "Wrong value for res.partner.category_id: (9, 1)",
        ),
    ],
)
def test_write_errors(sb_admin: Client, vals: dict[str, Any], name: str, message: str) -> None:
    fault = sb_admin.fault("res.partner", "write", [27], vals)
    assert (fault.name, fault.message) == (name, message)


def test_create_unknown_field_message(sb_admin: Client) -> None:
    fault = sb_admin.fault("res.partner", "create", {"name": "x", "nope": 1})
    assert fault.message == "Invalid field 'nope' in 'res.partner'"


def test_bad_date(sb_admin: Client) -> None:
    fault = sb_admin.fault("sale.order", "write", [1], {"validity_date": "27/12/2026"})
    assert fault.name == "builtins.ValueError"


def test_many2one_to_a_missing_record(sb_admin: Client) -> None:
    fault = sb_admin.fault("res.partner", "write", [27], {"parent_id": 999999})
    assert fault.name == "odoo.exceptions.ValidationError"


def test_computed_and_related_fields(sb_admin: Client) -> None:
    row = sb_admin(
        "res.partner",
        "read",
        [27],
        ["display_name", "commercial_partner_id", "company_type", "parent_name", "country_code"],
    )[0]
    assert row["display_name"] == "Azure Interior, Brandon Freeman"
    assert row["commercial_partner_id"] == [15, "Azure Interior"]
    assert (row["company_type"], row["parent_name"], row["country_code"]) == (
        "person",
        "Azure Interior",
        "US",
    )
    sb_admin("res.partner", "write", [27], {"company_type": "company"})
    assert sb_admin("res.partner", "read", [27], ["is_company"])[0]["is_company"] is True
    line = sb_admin("sale.order.line", "read", [1], ["currency_id", "state", "order_partner_id"])[0]
    assert line["currency_id"] == [1, "USD"] and line["state"] == "draft"
    assert line["order_partner_id"] == [9, "Acme Corporation"]


# --- x2many commands ---------------------------------------------------------------


def test_many2many_commands(sb_admin: Client) -> None:
    sb_admin("res.partner", "write", [27], {"category_id": [[6, 0, [2, 5]]]})
    assert tags_of(sb_admin, 27) == [2, 5]  # ordered by tag name: Prospects, Services
    sb_admin("res.partner", "write", [27], {"category_id": [[4, 4], [3, 2]]})
    assert tags_of(sb_admin, 27) == [4, 5]
    sb_admin("res.partner", "write", [27], {"category_id": [[0, 0, {"name": "Brand New"}]]})
    assert tags_of(sb_admin, 27) == [8, 4, 5]
    sb_admin("res.partner", "write", [27], {"category_id": [[1, 8, {"name": "Zeta"}]]})
    assert tags_of(sb_admin, 27) == [4, 5, 8]
    sb_admin("res.partner", "write", [27], {"category_id": [[2, 8]]})
    assert sb_admin("res.partner.category", "search", [("id", "=", 8)]) == []
    assert tags_of(sb_admin, 27) == [4, 5]
    sb_admin("res.partner", "write", [27], {"category_id": [[5, 0, 0]]})
    assert tags_of(sb_admin, 27) == []
    sb_admin("res.partner", "write", [27], {"category_id": [1, 3]})  # plain ids: set
    assert tags_of(sb_admin, 27) == [3, 1]
    sb_admin("res.partner", "write", [27], {"category_id": False})
    assert tags_of(sb_admin, 27) == []


def test_many2many_inverse_side(sb_admin: Client) -> None:
    assert sb_admin("res.partner.category", "read", [5], ["partner_ids"])[0]["partner_ids"] == [
        15,
        10,
    ]
    sb_admin("res.partner.category", "write", [5], {"partner_ids": [[4, 27], [3, 10]]})
    assert sb_admin("res.partner.category", "read", [5], ["partner_ids"])[0]["partner_ids"] == [
        15,
        27,
    ]
    assert tags_of(sb_admin, 27) == [5]
    assert tags_of(sb_admin, 10) == []


def test_one2many_commands_keep_the_inverse(sb_admin: Client) -> None:
    order = sb_admin(
        "sale.order",
        "create",
        {
            "partner_id": 9,
            "order_line": [
                [0, 0, {"product_id": 19, "product_uom_qty": 2}],
                [0, 0, {"product_id": 20, "price_unit": 300.0}],
            ],
        },
    )
    assert lines_of(sb_admin, order) == [45, 46]
    line = sb_admin(
        "sale.order.line", "read", [45], ["order_id", "name", "price_unit", "product_uom_id"]
    )[0]
    assert line["order_id"] == [order, "S00023"]
    assert (
        line["name"]
        == "[FURN_7800] Desk Combination\nDesk combination, black-brown: chair + desk + drawer."
    )
    assert line["price_unit"] == 147.0 and line["product_uom_id"] == [1, "Units"]
    assert sb_admin("sale.order", "read", [order], ["amount_total"])[0]["amount_total"] == 594.0
    sb_admin(
        "sale.order",
        "write",
        [order],
        {
            "order_line": [
                [1, 45, {"product_uom_qty": 5}],
                [2, 46],
                [0, 0, {"product_id": 21, "product_uom_qty": 3}],
            ]
        },
    )
    assert lines_of(sb_admin, order) == [45, 47]
    assert sb_admin("sale.order", "read", [order], ["amount_total"])[0]["amount_total"] == 782.4
    sb_admin("sale.order", "write", [order], {"order_line": [[4, 1]]})  # move a line of order 1
    assert lines_of(sb_admin, order) == [1, 45, 47]
    assert lines_of(sb_admin, 1) == [2, 3]
    sb_admin("sale.order", "write", [order], {"order_line": [[3, 1]]})  # required inverse: deleted
    assert sb_admin("sale.order.line", "search", [("id", "=", 1)]) == []
    sb_admin("sale.order", "write", [order], {"order_line": [[6, 0, [45, 2]]]})
    assert lines_of(sb_admin, order) == [2, 45]
    assert sb_admin("sale.order.line", "search", [("id", "=", 47)]) == []
    sb_admin("sale.order", "write", [order], {"order_line": [[5]]})
    assert lines_of(sb_admin, order) == []


def test_one2many_of_an_optional_inverse(sb_admin: Client) -> None:
    sb_admin("res.partner", "write", [15], {"child_ids": [[3, 27]]})
    assert sb_admin("res.partner", "read", [27], ["parent_id"])[0]["parent_id"] is False
    sb_admin("res.partner", "write", [15], {"child_ids": [[4, 27], [0, 0, {"name": "Newcomer"}]]})
    assert sb_admin("res.partner", "read", [15], ["child_ids"])[0]["child_ids"] == [27, 34, 46, 28]


def test_dict_form_x2many_is_refused(sb_admin: Client) -> None:
    fault = sb_admin.fault(
        "sale.order", "create", {"partner_id": 9, "order_line": [{"product_id": 19}]}
    )
    assert (fault.name, fault.message) == ("builtins.TypeError", "unhashable type: 'dict'")


# --- validations and rollback ------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "method", "args", "name", "message"),
    [
        (
            "res.partner",
            "write",
            ([15], {"parent_id": 15}),
            "odoo.exceptions.ValidationError",
            "You cannot create recursive Partner hierarchies.",
        ),
        (
            "res.partner",
            "write",
            ([15], {"parent_id": 27}),
            "odoo.exceptions.ValidationError",
            "You cannot create recursive Partner hierarchies.",
        ),
        (
            "res.partner.category",
            "write",
            ([1], {"parent_id": 6}),
            "odoo.exceptions.ValidationError",
            "You can not create recursive tags.",
        ),
        (
            "sale.order",
            "write",
            ([1], {"prepayment_percent": 5}),
            "odoo.exceptions.ValidationError",
            "Prepayment percentage must be a valid percentage.",
        ),
        (
            "sale.order",
            "write",
            ([1], {"prepayment_percent": 0}),
            "odoo.exceptions.ValidationError",
            "Prepayment percentage must be a valid percentage.",
        ),
        (
            "res.users",
            "create",
            ({"name": "dup", "login": "admin"},),
            "odoo.exceptions.ValidationError",
            "The operation cannot be completed: You can not have two users with the same login!",
        ),
        (
            "res.partner",
            "create",
            ({"email": "a@b.c"},),
            "odoo.exceptions.ValidationError",
            "The operation cannot be completed: Contacts require a name",
        ),
        (
            "res.partner",
            "write",
            ([27], {"name": False}),
            "odoo.exceptions.ValidationError",
            "The operation cannot be completed: Contacts require a name",
        ),
        (
            "sale.order",
            "unlink",
            ([6],),
            "odoo.exceptions.UserError",
            "You can not delete a sent quotation or a confirmed sales order. "
            "You must first cancel it.",
        ),
        (
            "sale.order",
            "action_confirm",
            ([6],),
            "odoo.exceptions.UserError",
            "The following orders are not in a state requiring confirmation: S00006",
        ),
        (
            "res.partner",
            "write",
            ([999, 27], {"name": "x"}),
            "odoo.exceptions.MissingError",
            "Record does not exist or has been deleted.\n(Record: res.partner(999,), User: 2)",
        ),
        (
            "res.partner",
            "unlink",
            ([998, 999],),
            "odoo.exceptions.MissingError",
            "Record does not exist or has been deleted.\n(Record: res.partner(998, 999), User: 2)",
        ),
    ],
)
def test_validations(
    sb_admin: Client, model: str, method: str, args: tuple[Any, ...], name: str, message: str
) -> None:
    fault = sb_admin.fault(model, method, *args)
    assert (fault.name, fault.message) == (name, message)


def test_partner_of_another_type_may_have_no_name(sb_admin: Client) -> None:
    rid = sb_admin("res.partner", "create", {"type": "invoice", "parent_id": 15})
    assert sb_admin("res.partner", "read", [rid], ["display_name"])[0]["display_name"] == (
        "Azure Interior, Invoice"
    )


def test_required_field_set_to_false(sb_admin: Client) -> None:
    fault = sb_admin.fault("sale.order", "write", [1], {"partner_id": False})
    assert "Missing required value for the field 'Customer' (partner_id)" in fault.message


def test_unlink_cascades_and_restricts(sb_admin: Client) -> None:
    assert sb_admin("sale.order", "unlink", [1]) is True
    assert sb_admin("sale.order.line", "search", [("id", "in", [1, 2, 3])]) == []
    fault = sb_admin.fault("res.partner", "unlink", [9])  # customer of sales orders
    assert fault.name == "odoo.exceptions.ValidationError"
    sb_admin("res.partner", "unlink", [36])  # a contact of Acme: it leaves child_ids
    assert sb_admin("res.partner", "read", [9], ["child_ids"])[0]["child_ids"] == [19, 20]


def test_failed_write_changes_nothing(sb_admin: Client) -> None:
    sb_admin.fault("res.partner", "write", [27], {"phone": "changed", "parent_id": 27})
    assert (
        sb_admin("res.partner", "read", [27], ["phone", "parent_id"])[0]["phone"]
        == "(355)-687-3262"
    )
    sb_admin.fault("res.partner", "write", [27, 28], {"email": "x@y.z", "category_id": [[4, 999]]})
    assert (
        sb_admin("res.partner", "read", [27], ["email"])[0]["email"]
        == "brandon.freeman55@example.com"
    )


def test_failed_create_leaves_nothing_behind(sb_admin: Client) -> None:
    before = sb_admin("res.partner.category", "search_count", [])
    sb_admin.fault(
        "res.partner",
        "create",
        {
            "name": "Loop",
            "category_id": [[0, 0, {"name": "T"}]],
            "child_ids": [[0, 0, {"name": "Kid"}]],
            "parent_id": 9999,
        },
    )
    sb_admin.fault("res.partner", "create", [{"name": "ok"}, {"email": "no name"}])
    assert sb_admin("res.partner.category", "search_count", []) == before
    assert sb_admin("res.partner", "search", [("name", "in", ["Loop", "Kid", "ok"])]) == []
    lines = sb_admin("sale.order.line", "search_count", [])
    sb_admin.fault(
        "sale.order", "create", {"partner_id": 9, "order_line": [[0, 0, {"product_id": 99999}]]}
    )
    assert sb_admin("sale.order.line", "search_count", []) == lines
    assert sb_admin("sale.order", "search", [("id", ">", 22), ("id", "<", 30)]) == []


# --- business methods ---------------------------------------------------------------


def test_sale_order_workflow(sb_admin: Client) -> None:
    assert sb_admin("sale.order", "action_quotation_sent", [1]) is True
    assert sb_admin("sale.order", "action_confirm", [1]) is True
    row = sb_admin(
        "sale.order", "read", [1], ["state", "date_order", "invoice_status", "type_name"]
    )[0]
    assert row == {
        "id": 1,
        "state": "sale",
        "date_order": "2026-11-27 10:00:00",
        "invoice_status": "to invoice",
        "type_name": "Sales Order",
    }
    fault = sb_admin.fault("sale.order.line", "unlink", [1])
    assert fault.name == "odoo.exceptions.UserError"
    assert sb_admin("sale.order", "action_cancel", [1]) is True
    assert sb_admin("sale.order", "action_draft", [1]) is True
    assert sb_admin("sale.order", "read", [1], ["state"])[0]["state"] == "draft"
    assert sb_admin("sale.order", "unlink", [1]) is True


def test_new_order_defaults(sb_admin: Client) -> None:
    order = sb_admin("sale.order", "create", {"partner_id": 27})
    row = sb_admin(
        "sale.order",
        "read",
        [order],
        [
            "name",
            "state",
            "user_id",
            "team_id",
            "date_order",
            "validity_date",
            "partner_invoice_id",
            "currency_id",
        ],
    )[0]
    assert row == {
        "id": order,
        "name": "S00023",
        "state": "draft",
        "user_id": [2, "Mitchell Admin"],
        "team_id": [1, "Sales"],
        "date_order": "2026-11-27 10:00:00",
        "validity_date": "2026-12-27",
        "partner_invoice_id": [27, "Azure Interior, Brandon Freeman"],
        "currency_id": [1, "USD"],
    }


def test_generic_model_methods(sb_admin: Client) -> None:
    assert sb_admin("res.users", "context_get") == {
        "lang": "en_US",
        "tz": "Europe/Brussels",
        "uid": 2,
    }
    assert sb_admin("res.partner", "name_search", "azure") == [
        [15, "Azure Interior"],
        [27, "Azure Interior, Brandon Freeman"],
        [34, "Azure Interior, Colleen Diaz"],
        [28, "Azure Interior, Nicole Ford"],
    ]
    assert sb_admin("res.partner", "default_get", ["type", "active", "name"]) == {
        "type": "contact",
        "active": True,
    }
    assert sb_admin("res.partner", "check_access_rights", "write") is True
    assert sb_admin("res.partner", "exists", [1, 999]) == [1]
    assert sb_admin("res.partner.category", "name_create", "Quick")[1] == "Quick"
    assert sb_admin("res.partner", "action_archive", [27]) is None
    assert sb_admin("res.partner", "search", [("id", "=", 27)]) == []


def test_fields_get(sb_admin: Client) -> None:
    described = sb_admin("res.partner", "fields_get", ["type", "child_ids"])
    assert set(described) == {"type", "child_ids"}
    assert described["child_ids"]["relation_field"] == "parent_id"
    assert described["type"]["selection"][0] == ["contact", "Contact"]
    small = sb_admin("sale.order.line", "fields_get", attributes=["type", "relation", "required"])
    assert small["order_id"] == {"type": "many2one", "relation": "sale.order", "required": True}
    assert small["price_unit"] == {"type": "float", "required": False}


# --- search and active records -----------------------------------------------------


def test_active_test(sb_admin: Client) -> None:
    active = sb_admin("res.partner", "search_count", [])
    everything = sb_admin("res.partner", "search_count", [], context={"active_test": False})
    assert everything - active == 4
    assert sb_admin("res.partner", "search", [("active", "=", False)]) == [41, 2, 6, 4]
    assert 41 not in sb_admin("res.partner", "read", [13], ["child_ids"])[0]["child_ids"]
    assert sb_admin("res.partner", "read", [41], ["name"])[0]["name"] == "Dwayne Newman"


def test_search_order_limit_offset(sb_admin: Client) -> None:
    ids = sb_admin(
        "res.partner", "search", [("is_company", "=", True)], order="id desc", limit=3, offset=1
    )
    assert ids == [16, 15, 14]
    assert sb_admin("res.partner", "search", [("id", ">", "60")], limit="2") == [63, 64]
    fault = sb_admin.fault("res.partner", "search", [], order="nope")
    assert fault.message == "Invalid field 'nope' on model 'res.partner'"


# --- access ---------------------------------------------------------------------------


def test_user_without_sales_rights(sb_nosales: Client) -> None:
    fault = sb_nosales.fault("sale.order", "search_read", [], fields=["name"])
    assert fault.name == "odoo.exceptions.AccessError"
    assert fault.message.startswith(
        "You are not allowed to access 'Sales Order' (sale.order) records."
    )
    fault = sb_nosales.fault("res.partner", "create", {"name": "nope"})
    assert fault.message.startswith(
        "You are not allowed to create 'Contact' (res.partner) records."
    )
    assert "\t- Contact/Creation\n\t- Sales/Administrator" in fault.message
    assert (
        sb_nosales.fault("res.partner", "write", [1], {"name": "x"}).name
        == "odoo.exceptions.AccessError"
    )
    assert sb_nosales.fault("sale.order.line", "read", [1]).name == "odoo.exceptions.AccessError"
    assert sb_nosales("res.partner", "read", [9], ["name"]) == [
        {"id": 9, "name": "Acme Corporation"}
    ]
    assert (
        sb_nosales("res.partner", "check_access_rights", "create", raise_exception=False) is False
    )


def test_portal_record_rules(sb_portal: Client) -> None:
    fault = sb_portal.fault("res.partner", "read", [9], ["name"])
    assert fault.name == "odoo.exceptions.AccessError"
    assert "Sorry, Joel Willis (id=6) doesn't have 'read' access to:\n- Contact (res.partner)" in (
        fault.message
    )
    assert sb_portal("res.partner", "search", []) == [8, 1]
    assert sb_portal("sale.order", "search_read", [], fields=["name"]) == [
        {"id": 33, "name": "S00033"}
    ]
    assert sb_portal.fault("sale.order", "read", [1]).name == "odoo.exceptions.AccessError"
    assert sb_portal("sale.order.line", "search", []) == [66, 67]
    assert (
        sb_portal.fault("res.partner", "write", [8], {"phone": "1"}).name
        == "odoo.exceptions.AccessError"
    )
    assert (
        sb_portal.fault("res.partner.category", "search", []).name == "odoo.exceptions.AccessError"
    )
    assert sb_portal("res.users", "search", []) == [6]


def test_new_user_can_log_in_with_its_password(sandbox: Sandbox, sb_admin: Client) -> None:
    uid = sb_admin("res.users", "create", {"name": "New Guy", "login": "newguy", "password": "pw"})
    row = sb_admin(
        "res.users", "read", [uid], ["name", "login", "password", "partner_id", "share"]
    )[0]
    assert row["password"] == "" and row["name"] == "New Guy" and row["share"] is False
    assert row["partner_id"][1] == "New Guy"
    assert Client(sandbox, uid, "pw")("res.partner", "search_count", [("id", "=", 1)]) == 1
    assert Client(sandbox, uid, "wrong").fault("res.partner", "search", []).name == (
        "odoo.exceptions.AccessDenied"
    )
