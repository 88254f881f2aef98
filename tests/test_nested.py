"""Nested reads: the ``fields`` tree parser, both read strategies and their one shape.

Odoo's own answers come from the 19b recordings (web_search_read with a
specification); the batched strategy is checked against a fake Odoo that counts
calls, so "never one call per record" is a tested property.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from odoo_restful.errors import AccessError, BadRequest, UnknownMethod
from odoo_restful.nested import read_tree, resolve
from odoo_restful.nested.shape import from_web_read, specification
from odoo_restful.odoo.base import Credential
from odoo_restful.params import parse_field_tree
from odoo_restful.params.fields_spec import MAX_TREE_DEPTH, MAX_TREE_FIELDS

WIRE = Path(__file__).resolve().parents[2] / "shared" / "odoo-wire-19b"
if not WIRE.is_dir():
    WIRE = Path("/work/shared/odoo-wire-19b")

SPEC = "name,partner_id{display_name,email},order_line{product_id{display_name},price_unit}"

FIELDS: dict[str, dict[str, dict[str, Any]]] = {
    "sale.order": {
        "id": {"type": "integer"},
        "name": {"type": "char"},
        "partner_id": {"type": "many2one", "relation": "res.partner"},
        "user_id": {"type": "many2one", "relation": "res.users"},
        "team_id": {"type": "many2one", "relation": "crm.team"},
        "order_line": {"type": "one2many", "relation": "sale.order.line"},
        "tag_ids": {"type": "many2many", "relation": "crm.tag"},
    },
    "sale.order.line": {
        "price_unit": {"type": "float"},
        "product_id": {"type": "many2one", "relation": "product.product"},
        "order_id": {"type": "many2one", "relation": "sale.order"},
    },
    "res.partner": {"name": {"type": "char"}, "email": {"type": "char"}},
    "product.product": {"display_name": {"type": "char"}},
    "crm.team": {"name": {"type": "char"}, "display_name": {"type": "char"}},
    "crm.tag": {"name": {"type": "char"}, "display_name": {"type": "char"}},
}
CRED = Credential("demo", 2, "admin", "password", "admin")


async def fields_of(model: str) -> dict[str, dict[str, Any]]:
    return FIELDS.get(model, {})


# --- the parser ----------------------------------------------------------------------


def test_parses_the_brace_form() -> None:
    assert parse_field_tree(SPEC) == {
        "name": None,
        "partner_id": {"display_name": None, "email": None},
        "order_line": {"product_id": {"display_name": None}, "price_unit": None},
    }
    assert parse_field_tree(" a , b { c } ") == {"a": None, "b": {"c": None}}


def test_the_json_form_is_the_same_tree() -> None:
    as_json = {
        "name": {},
        "partner_id": {"fields": {"display_name": {}, "email": {}}},
        "order_line": {
            "fields": {"product_id": {"fields": {"display_name": {}}}, "price_unit": {}}
        },
    }
    assert parse_field_tree(as_json) == parse_field_tree(SPEC)
    assert parse_field_tree(json.dumps(as_json)) == parse_field_tree(SPEC)


@pytest.mark.parametrize("flat", [None, "", "name,email", ["name"], "['name']", "*"])
def test_flat_lists_are_not_nested(flat: Any) -> None:
    assert parse_field_tree(flat) is None


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("a{", "missing"),
        ("a{}", "missing"),
        ("a}", "unexpected"),
        ("a{b}}", "unexpected"),
        ("a,,b{c}", "missing"),
        ("a{b},a", "twice"),
        ("a{b-c}", "unexpected"),
        ("a{b.c}", "unexpected"),
        ('{"a": 1}', "must map"),
        ('{"a": {"fields": {}}}', "non-empty"),
        ('{"a": {"fields": {"b": {}}, "limit": 3}}', "must map"),
        ('{"1a": {}}', "invalid field name"),
        ("{not json", "JSON"),
    ],
)
def test_bad_trees_are_clear_400s(bad: str, says: str) -> None:
    with pytest.raises(BadRequest, match=says):
        parse_field_tree(bad)


def test_depth_and_width_are_capped() -> None:
    deep = "a{" * (MAX_TREE_DEPTH + 1) + "b" + "}" * (MAX_TREE_DEPTH + 1)
    with pytest.raises(BadRequest, match="too deep"):
        parse_field_tree(deep)
    ok = "a{" * MAX_TREE_DEPTH + "b" + "}" * MAX_TREE_DEPTH
    assert parse_field_tree(ok) is not None
    spec: Any = {}
    for _ in range(MAX_TREE_DEPTH + 2):
        spec = {"a": {"fields": spec or {"b": {}}}}
    with pytest.raises(BadRequest, match="too deep"):
        parse_field_tree(spec)
    wide = "x{" + ",".join(f"f{i}" for i in range(MAX_TREE_FIELDS + 1)) + "}"
    with pytest.raises(BadRequest, match="too many"):
        parse_field_tree(wide)
    # hostile nesting never reaches Python's recursion limit
    with pytest.raises(BadRequest):
        parse_field_tree("a{" * 5000)


def test_sub_fields_need_a_relation() -> None:
    with pytest.raises(BadRequest, match="not a relation"):
        asyncio.run(resolve(fields_of, "sale.order", {"name": {"x": None}}))
    with pytest.raises(BadRequest, match="no field 'nope'"):
        asyncio.run(resolve(fields_of, "sale.order", {"nope": {"x": None}}))


# --- Odoo 17+: one web_search_read, normalised ------------------------------------------


def _recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((WIRE / name).read_text())
    return data


def test_specification_matches_what_odoo_was_sent() -> None:
    sent = _recorded("json2_web_search_read_sale_order_admin.json")["request"]["body"]
    level = asyncio.run(resolve(fields_of, "sale.order", parse_field_tree(SPEC) or {}))
    assert specification(level) == sent["specification"]


def test_web_read_answer_shape_and_plain_many2one_pairs() -> None:
    reply = _recorded("jsonrpc_web_search_read_sale_order_admin.json")["response"]["body"]
    level = asyncio.run(resolve(fields_of, "sale.order", parse_field_tree(SPEC) or {}))
    first = from_web_read(level, reply["result"]["records"][0])
    assert list(first) == ["id", "name", "partner_id", "order_line"]
    assert first["partner_id"] == {
        "id": 9,
        "display_name": "Acme Corporation",
        "email": "acme_corp@yourcompany.example.com",
    }
    assert list(first["partner_id"]) == ["id", "display_name", "email"]  # the order asked
    assert first["order_line"][0] == {
        "id": 1,
        "product_id": {"id": 38, "display_name": "[FURN_6667] Acoustic Bloc Screens (Black)"},
        "price_unit": 295.0,
    }
    plain = asyncio.run(
        resolve(fields_of, "sale.order", {"user_id": None, "partner_id": {"email": None}})
    )
    assert specification(plain)["user_id"] == {"fields": {"display_name": {}}}
    got = from_web_read(
        plain, {"id": 1, "user_id": {"id": 2, "display_name": "Mitchell"}, "partner_id": False}
    )
    assert got == {"id": 1, "user_id": [2, "Mitchell"], "partner_id": False}


# --- a fake Odoo for the strategies -----------------------------------------------------


class FakeOdoo:
    """80 orders with a customer each and three lines each; counts every call."""

    def __init__(self, major: int, *, has_web_read: bool = True, forbidden: set[str] = set()):
        self.major = major
        self.has_web_read = has_web_read
        self.forbidden = forbidden
        self.calls: list[tuple[str, str]] = []
        self.orders = {
            i: {
                "id": i,
                "name": f"S{i:05}",
                "partner_id": [100 + i % 7, f"Partner {i % 7}"],
                "team_id": [1, "Sales"],
                "user_id": False,
                "order_line": [i * 10 + k for k in range(3)],
                "tag_ids": [1, 2],
            }
            for i in range(1, 81)
        }
        self.lines = {
            i * 10 + k: {"id": i * 10 + k, "price_unit": float(k), "product_id": [k + 1, f"P{k}"]}
            for i in range(1, 81)
            for k in range(3)
        }
        self.partners = {
            100 + j: {"id": 100 + j, "name": f"Partner {j}", "email": f"p{j}@x"} for j in range(7)
        }
        self.products = {k + 1: {"id": k + 1, "display_name": f"P{k}"} for k in range(3)}
        self.tables = {
            "sale.order": self.orders,
            "sale.order.line": self.lines,
            "res.partner": self.partners,
            "product.product": self.products,
            "crm.team": {1: {"id": 1, "name": "Sales", "display_name": "Sales"}},
            "crm.tag": {1: {"id": 1, "display_name": "A"}, 2: {"id": 2, "display_name": "B"}},
        }

    async def server_major(self) -> int:
        return self.major

    async def call(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        self.calls.append((model, method))
        if model in self.forbidden:
            raise AccessError(f"no access to {model}")
        if method == "web_search_read":
            if not self.has_web_read:
                raise UnknownMethod("The method does not exist")
            return {"length": 80, "records": [{"id": 1, "name": "S00001"}]}
        table = self.tables[model]
        if method == "search_read":
            rows = list(table.values())[kwargs["offset"] : kwargs["offset"] + kwargs["limit"]]
            ids = [r["id"] for r in rows]
        else:
            assert method == "read"
            ids = args[0]
            for fname in kwargs["fields"]:
                assert (
                    fname != "display_name" or model != "crm.tag" or "crm.tag" not in self.forbidden
                )
        return [
            {"id": i, **{f: table[i].get(f, False) for f in kwargs["fields"] if f != "id"}}
            for i in ids
        ]


def _read(odoo: FakeOdoo, tree: str, limit: int = 80) -> list[dict[str, Any]]:
    return asyncio.run(
        read_tree(
            odoo,
            fields_of,
            CRED,
            "sale.order",
            parse_field_tree(tree) or {},
            domain=[],
            limit=limit,
            context={},
        )
    )


def test_odoo_17_and_later_make_one_call() -> None:
    odoo = FakeOdoo(19)
    assert _read(odoo, SPEC) == [
        {"id": 1, "name": "S00001", "partner_id": False, "order_line": False}
    ]
    assert odoo.calls == [("sale.order", "web_search_read")]


def test_odoo_16_reads_once_per_relation_level_never_per_record() -> None:
    odoo = FakeOdoo(16)
    rows = _read(odoo, SPEC)
    assert len(rows) == 80
    assert sorted(odoo.calls) == sorted(
        [
            ("sale.order", "search_read"),
            ("res.partner", "read"),
            ("sale.order.line", "read"),
            # product_id{display_name}: read's [id, name] pair already says it
        ]
    )
    odoo = FakeOdoo(16)
    _read(odoo, "order_line{product_id{display_name,id}},partner_id{name}")
    assert len(odoo.calls) == 3
    odoo = FakeOdoo(16)
    deeper = _read(odoo, "order_line{product_id{display_name,name}}", limit=3)
    assert len(odoo.calls) == 3  # one per level: orders, lines, products
    assert deeper[2]["order_line"][1]["product_id"] == {
        "id": 2,
        "display_name": "P1",
        "name": False,
    }
    assert rows[0] == {
        "id": 1,
        "name": "S00001",
        "partner_id": {"id": 101, "display_name": False, "email": "p1@x"},
        "order_line": [
            {"id": 10, "product_id": {"id": 1, "display_name": "P0"}, "price_unit": 0.0},
            {"id": 11, "product_id": {"id": 2, "display_name": "P1"}, "price_unit": 1.0},
            {"id": 12, "product_id": {"id": 3, "display_name": "P2"}, "price_unit": 2.0},
        ],
    }


def test_missing_web_search_read_falls_back_to_batched_reads() -> None:
    odoo = FakeOdoo(19, has_web_read=False)
    rows = _read(odoo, "name,partner_id{email}", limit=5)
    assert [r["partner_id"]["email"] for r in rows] == ["p1@x", "p2@x", "p3@x", "p4@x", "p5@x"]
    assert odoo.calls == [
        ("sale.order", "web_search_read"),
        ("sale.order", "search_read"),
        ("res.partner", "read"),
    ]


def test_unreadable_many2one_display_name_only_is_answered_more_fails() -> None:
    odoo = FakeOdoo(16, forbidden={"crm.team"})
    rows = _read(odoo, "name,team_id{display_name}", limit=2)
    assert rows[0]["team_id"] == {"id": 1, "display_name": "Sales"}
    assert ("crm.team", "read") not in odoo.calls
    with pytest.raises(AccessError):
        _read(FakeOdoo(16, forbidden={"crm.team"}), "name,team_id{display_name,name}", limit=2)


def test_unreadable_x2many_display_name_only_never_fails_the_answer() -> None:
    odoo = FakeOdoo(16, forbidden={"crm.tag"})
    rows = _read(odoo, "tag_ids{display_name}", limit=1)
    assert rows == [
        {"id": 1, "tag_ids": [{"id": 1, "display_name": None}, {"id": 2, "display_name": None}]}
    ]
    with pytest.raises(AccessError):
        _read(FakeOdoo(16, forbidden={"crm.tag"}), "tag_ids{name}", limit=1)
