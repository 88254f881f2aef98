"""Unit tests of the sandbox's domain evaluation and ``order`` parsing.

They run against a tiny hand-made pair of tables (people and countries), so that
each expectation can be checked by eye; the seeded sandbox is not involved.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from odoo_restful.sandbox.domain import (
    FALSE,
    TRUE,
    Const,
    Junction,
    Leaf,
    Not,
    compile_domain,
    mentions,
    parse,
)
from odoo_restful.sandbox.errors import InvalidTextRepresentation, UserError
from odoo_restful.sandbox.fields import Field
from odoo_restful.sandbox.ordering import parse_order, sort_ids


class FakeTable:
    def __init__(
        self,
        name: str,
        fields: list[Field],
        rows: dict[int, dict[str, Any]],
        parent: str | None = None,
    ) -> None:
        self.name = name
        self.fields = {f.name: f for f in [Field("id", "integer", "ID"), *fields]}
        self.rows = rows
        self.parent = parent
        self.tables: dict[str, FakeTable] = {}

    @property
    def model_name(self) -> str:
        return self.name

    @property
    def parent_name(self) -> str | None:
        return self.parent

    def get_field(self, name: str) -> Field | None:
        return self.fields.get(name)

    def value(self, rid: int, fname: str) -> Any:
        if fname == "id":
            return rid
        return self.rows[rid].get(fname, self.fields[fname].empty())

    def display_name(self, rid: int) -> str:
        return str(self.rows[rid]["name"])

    def all_ids(self, active_test: bool) -> Iterable[int]:
        if active_test and "active" in self.fields:
            return [rid for rid, row in self.rows.items() if row.get("active", True)]
        return list(self.rows)

    def table(self, model: str) -> FakeTable | None:
        return self.tables.get(model)


@pytest.fixture
def people() -> FakeTable:
    countries = FakeTable(
        "test.country",
        [Field("name", "char", "Name"), Field("code", "char", "Code")],
        {1: {"name": "Belgium", "code": "BE"}, 2: {"name": "United States", "code": "US"}},
    )
    tags = FakeTable(
        "test.tag",
        [Field("name", "char", "Name"), Field("active", "boolean", "Active")],
        {1: {"name": "Gold"}, 2: {"name": "Silver"}, 3: {"name": "Old", "active": False}},
    )
    people = FakeTable(
        "test.person",
        [
            Field("name", "char", "Name"),
            Field("age", "integer", "Age"),
            Field("score", "float", "Score"),
            Field("active", "boolean", "Active"),
            Field("kind", "selection", "Kind", selection=[["a", "A"], ["b", "B"]]),
            Field("birthday", "date", "Birthday"),
            Field("country_id", "many2one", "Country", relation="test.country"),
            Field("parent_id", "many2one", "Parent", relation="test.person"),
            Field("tag_ids", "many2many", "Tags", relation="test.tag"),
        ],
        {
            1: {
                "name": "Alice",
                "age": 30,
                "score": 1.5,
                "active": True,
                "kind": "a",
                "birthday": "1995-04-01",
                "country_id": 1,
                "tag_ids": [1, 2],
            },
            2: {
                "name": "bob",
                "age": 12,
                "active": True,
                "kind": "b",
                "country_id": 2,
                "parent_id": 1,
                "tag_ids": [2],
            },
            3: {"name": "Carol", "age": 45, "active": False, "parent_id": 2, "tag_ids": [3]},
            4: {"name": "Dan_X", "age": 8, "active": True, "kind": False, "parent_id": 3},
            5: {"name": False, "age": 0, "active": True},
        },
        parent="parent_id",
    )
    people.tables = {"test.country": countries, "test.tag": tags, "test.person": people}
    return people


def matching(table: FakeTable, domain: Any) -> list[int]:
    predicate = compile_domain(domain, table)
    return [rid for rid in table.rows if predicate(rid)]


# --- structure ----------------------------------------------------------------


def test_parse_implicit_and_and_prefix_operators() -> None:
    node = parse(["&", ("a", "=", 1), "|", ["b", "=", 2], "!", ["c", "=", 3]])
    assert isinstance(node, Junction) and node.operator == "&"
    right = node.children[1]
    assert isinstance(right, Junction) and right.operator == "|"
    assert isinstance(right.children[1], Not)
    implicit = parse([("a", "=", 1), ("b", "=", 2), ("c", "=", 3)])
    assert isinstance(implicit, Junction) and len(implicit.children) == 3


def test_parse_true_false_leaves_and_empty() -> None:
    assert parse([]) == TRUE
    assert parse([(1, "=", 1)]) == TRUE
    assert parse([[0, "=", 1]]) == FALSE
    assert parse([True]) == Const(True)


def test_malformed_domain_message() -> None:
    with pytest.raises(ValueError) as info:
        parse(["|", ["name", "=", "x"]])
    assert str(info.value) == "Domain() malformed domain ['|', ['name', '=', 'x']]"


def test_invalid_item_message() -> None:
    with pytest.raises(ValueError) as info:
        parse([["name", "like"]])
    assert str(info.value) == "Domain() invalid item in domain: ['name', 'like']"
    with pytest.raises(ValueError, match="invalid item"):
        parse(["&&", ("a", "=", 1)])


def test_invalid_operator_message() -> None:
    with pytest.raises(ValueError) as info:
        parse([["name", "=like~", "x"]])
    assert str(info.value) == "Invalid operator in condition ('name', '=like~', 'x')"


def test_not_a_list_is_rejected() -> None:
    with pytest.raises(ValueError, match="invalid domain"):
        parse("[('id', '=', 1)]")


def test_operator_is_case_insensitive() -> None:
    node = parse([("name", "ILIKE", "x")])
    assert isinstance(node, Leaf) and node.operator == "ilike"


def test_mentions_finds_nested_leaves() -> None:
    node = parse(["|", ("name", "=", "x"), "!", ("active", "=", False)])
    assert mentions(node, "active")
    assert not mentions(node, "age")


def test_unknown_field_message(people: FakeTable) -> None:
    with pytest.raises(ValueError) as info:
        matching(people, [("nope", "=", 1)])
    assert str(info.value) == "Invalid field test.person.nope in condition ('nope', '=', 1)"
    with pytest.raises(ValueError, match=r"Invalid field test\.country\.nope"):
        matching(people, [("country_id.nope", "=", 1)])
    with pytest.raises(ValueError, match=r"Invalid field test\.person\.name\.x"):
        matching(people, [("name.x", "=", 1)])


# --- operators ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ([("age", "=", 30)], [1]),
        ([("age", "!=", 30)], [2, 3, 4, 5]),
        ([("age", "<>", 30)], [2, 3, 4, 5]),
        ([("age", ">", 12)], [1, 3]),
        ([("age", ">=", 12)], [1, 2, 3]),
        ([("age", "<", 12)], [4, 5]),
        ([("age", "<=", 12)], [2, 4, 5]),
        ([("age", "in", [8, 45])], [3, 4]),
        ([("age", "not in", [8, 45])], [1, 2, 5]),
        ([("id", ">", "3")], [4, 5]),
        ([("age", "in", ["30", "12"])], [1, 2]),
        ([("score", ">", "1")], [1]),
        ([("age", "=?", False)], [1, 2, 3, 4, 5]),
        ([("age", "=?", 8)], [4]),
    ],
)
def test_numeric_operators_and_coercion(
    people: FakeTable, domain: Any, expected: list[int]
) -> None:
    assert matching(people, domain) == expected


def test_uncoercible_value(people: FakeTable) -> None:
    with pytest.raises(ValueError, match="Invalid value 'abc'"):
        matching(people, [("age", ">", "abc")])
    # a text compared with id reaches PostgreSQL (odoo-wire-19b/..._domain_id_as_xmlid_demo)
    with pytest.raises(InvalidTextRepresentation, match=r'type integer: "base\.x"'):
        matching(people, [("id", "=", "base.x")])


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ([("name", "=", "Alice")], [1]),
        ([("name", "=", "alice")], []),
        ([("name", "like", "a")], [3, 4]),
        ([("name", "ilike", "a")], [1, 3, 4]),
        ([("name", "not ilike", "a")], [2, 5]),
        ([("name", "not like", "a")], [1, 2, 5]),
        ([("name", "=like", "B%")], []),
        ([("name", "=ilike", "B%")], [2]),
        ([("name", "=like", "Dan\\_X")], [4]),
        ([("name", "=like", "D_n%")], [4]),
        ([("name", "=", False)], [5]),
        ([("name", "!=", False)], [1, 2, 3, 4]),
        ([("name", "!=", "bob")], [1, 3, 4, 5]),
        ([("name", "in", ["bob", False])], [2, 5]),
        ([("name", "not in", ["bob"])], [1, 3, 4, 5]),
        ([("kind", "=", False)], [3, 4, 5]),
        ([("birthday", ">", "1990-01-01")], [1]),
        ([("birthday", "=", False)], [2, 3, 4, 5]),
    ],
)
def test_text_operators(people: FakeTable, domain: Any, expected: list[int]) -> None:
    assert matching(people, domain) == expected


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ([("active", "=", True)], [1, 2, 4, 5]),
        ([("active", "=", False)], [3]),
        ([("active", "!=", True)], [3]),
        ([("active", "=", 1)], [1, 2, 4, 5]),
        ([("active", "in", [True, False])], [1, 2, 3, 4, 5]),
    ],
)
def test_boolean_operators(people: FakeTable, domain: Any, expected: list[int]) -> None:
    assert matching(people, domain) == expected


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ([("country_id", "=", 1)], [1]),
        ([("country_id", "!=", 1)], [2, 3, 4, 5]),
        ([("country_id", "=", False)], [3, 4, 5]),
        ([("country_id", "!=", False)], [1, 2]),
        ([("country_id", "in", [1, 2])], [1, 2]),
        ([("country_id", "in", [1, False])], [1, 3, 4, 5]),
        ([("country_id", "not in", [1])], [2, 3, 4, 5]),
        ([("country_id", "=", "Belgium")], [1]),
        ([("country_id", "ilike", "united")], [2]),
        ([("country_id", "not ilike", "united")], [1, 3, 4, 5]),
        ([("country_id.code", "in", ["US", "BE"])], [1, 2]),
        ([("country_id.code", "!=", "US")], [1]),
        ([("parent_id.name", "ilike", "ali")], [2]),
        ([("parent_id.parent_id.name", "=", "Alice")], [3]),
        ([("country_id", "any", [("code", "=", "BE")])], [1]),
        ([("country_id", "not any", [("code", "=", "BE")])], [2, 3, 4, 5]),
        ([("country_id", ">", 1)], [2]),
    ],
)
def test_many2one_operators(people: FakeTable, domain: Any, expected: list[int]) -> None:
    assert matching(people, domain) == expected


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ([("tag_ids", "=", 2)], [1, 2]),
        ([("tag_ids", "in", [1, 3])], [1, 3]),
        ([("tag_ids", "not in", [2])], [3, 4, 5]),
        ([("tag_ids", "!=", 2)], [3, 4, 5]),
        ([("tag_ids", "=", False)], [4, 5]),
        ([("tag_ids", "!=", False)], [1, 2, 3]),
        ([("tag_ids", "ilike", "gol")], [1]),
        ([("tag_ids.name", "=", "Silver")], [1, 2]),
        ([("tag_ids.name", "=", "Old")], [3]),
        ([("tag_ids", "any", [("name", "=", "Old")])], []),
        ([("tag_ids", "any!", [("name", "=", "Old")])], [3]),
    ],
)
def test_many2many_operators(people: FakeTable, domain: Any, expected: list[int]) -> None:
    assert matching(people, domain) == expected


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ([("id", "child_of", 1)], [1, 2, 3, 4]),
        ([("id", "child_of", [2])], [2, 3, 4]),
        ([("id", "parent_of", 4)], [1, 2, 3, 4]),
        ([("id", "parent_of", [2])], [1, 2]),
        ([("parent_id", "child_of", 2)], [3, 4]),
        ([("id", "child_of", "bob")], [2, 3, 4]),
        ([("id", "child_of", "carol")], []),  # name lookups skip archived records
    ],
)
def test_hierarchy_operators(people: FakeTable, domain: Any, expected: list[int]) -> None:
    assert matching(people, domain) == expected


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        (["|", ("age", "=", 30), ("age", "=", 12)], [1, 2]),
        (["!", ("age", "=", 30)], [2, 3, 4, 5]),
        (
            [
                "&",
                ("active", "=", True),
                "|",
                ("country_id.code", "in", ["US"]),
                "!",
                ("name", "ilike", "a"),
            ],
            [2, 5],
        ),
        ([("active", "=", True), ("age", ">", 10)], [1, 2]),
        (["!", "|", ("age", "=", 30), ("age", "=", 12)], [3, 4, 5]),
        ([(1, "=", 1), ("age", "=", 8)], [4]),
        (["|", (0, "=", 1), ("age", "=", 8)], [4]),
        ([[0, "=", 1]], []),
    ],
)
def test_logic(people: FakeTable, domain: Any, expected: list[int]) -> None:
    assert matching(people, domain) == expected


def test_leaves_as_lists_or_tuples_are_equal(people: FakeTable) -> None:
    assert matching(people, [["age", ">", 10]]) == matching(people, [("age", ">", 10)])


# --- order ------------------------------------------------------------------------


def test_parse_order(people: FakeTable) -> None:
    terms = parse_order("name desc, id asc", people)
    assert [(t.field, t.descending) for t in terms] == [("name", True), ("id", False)]
    assert parse_order("age DESC NULLS LAST", people)[0].nulls_first is False
    assert parse_order("", people) == []


def test_order_unknown_field(people: FakeTable) -> None:
    with pytest.raises(ValueError) as info:
        parse_order("nope desc", people)
    assert str(info.value) == "Invalid field 'nope' on model 'test.person'"


def test_order_bad_syntax(people: FakeTable) -> None:
    """A UserError, as recorded (odoo-wire-19b/jsonrpc_error_order_injection)."""
    with pytest.raises(UserError, match='Invalid "order" specified'):
        parse_order("name; drop table", people)


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("age", [5, 4, 2, 1, 3]),
        ("age desc", [3, 1, 2, 4, 5]),
        ("name", [1, 2, 3, 4, 5]),
        ("name desc", [5, 4, 3, 2, 1]),
        ("name desc nulls last", [4, 3, 2, 1, 5]),
        ("country_id, id desc", [1, 2, 5, 4, 3]),
        ("active, age desc", [3, 1, 2, 4, 5]),
        ("kind desc, id", [3, 4, 5, 2, 1]),
    ],
)
def test_sort(people: FakeTable, order: str, expected: list[int]) -> None:
    assert sort_ids(people, people.rows, parse_order(order, people)) == expected
