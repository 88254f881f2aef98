"""Create/write values: friendly x2many/many2one forms into Odoo commands."""

from __future__ import annotations

import asyncio
import copy
import random
from collections.abc import Mapping
from typing import Any

import pytest

from odoo_restful import values
from odoo_restful.errors import BadRequest, InvalidParameters, PayloadTooLarge
from odoo_restful.params import Body

METADATA: dict[str, dict[str, dict[str, Any]]] = {
    "sale.order": {
        "name": {"type": "char"},
        "partner_id": {"type": "many2one", "relation": "res.partner"},
        "order_line": {"type": "one2many", "relation": "sale.order.line"},
        "tag_ids": {"type": "many2many", "relation": "crm.tag"},
    },
    "sale.order.line": {
        "product_id": {"type": "many2one", "relation": "product.product"},
        "price_unit": {"type": "float"},
        "tax_id": {"type": "many2many", "relation": "account.tax"},
        "sub_line_ids": {"type": "one2many", "relation": "sale.order.line"},
    },
    "res.partner": {
        "name": {"type": "char"},
        "country_id": {"type": "many2one", "relation": "res.country"},
        "category_id": {"type": "many2many", "relation": "res.partner.category"},
        "child_ids": {"type": "one2many", "relation": "res.partner"},
        "parent_id": {"type": "many2one", "relation": "res.partner"},
        "data": {"type": "json"},
        "properties": {"type": "properties"},
        "broken_ids": {"type": "one2many"},
    },
}


class Lookup:
    """A FieldsLookup over METADATA that records which models were asked for."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, model: str) -> values.FieldsInfo:
        self.calls.append(model)
        return METADATA.get(model, {})


class Lines:
    """A CurrentLines bound to one record: fixed line ids per field."""

    def __init__(self, **lines: list[int]) -> None:
        self.lines = lines
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, model: str, field: str) -> list[int]:
        self.calls.append((model, field))
        return self.lines.get(field, [])


def prepare(
    model: str,
    vals: Mapping[str, Any],
    *,
    current: values.CurrentLines | None = None,
    lookup: Lookup | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    return asyncio.run(
        values.prepare_values(model, vals, fields=lookup or Lookup(), current=current, **kwargs)
    )


def bad(model: str, vals: Any, match: str, **kwargs: Any) -> BadRequest:
    with pytest.raises(BadRequest, match=match) as info:
        prepare(model, vals, **kwargs)
    assert info.value.status == 400
    return info.value


# --- the seed -----------------------------------------------------------------------


def test_seed_api_prefix_literal() -> None:
    vals = {"partner_id": 10, "__api__order_line": "[(0, 0,  {'product_id': 1,'price_unit':4000})]"}
    assert prepare("sale.order", vals) == {
        "partner_id": 10,
        "order_line": [[0, 0, {"product_id": 1, "price_unit": 4000}]],
    }


def test_seed_put_category_friendly_form() -> None:
    vals = {"name": "John Doe", "country_id": 107, "category_id": [{"id": 10}]}
    expected = {"name": "John Doe", "country_id": 107, "category_id": [[6, 0, [10]]]}
    assert prepare("res.partner", vals, current=Lines()) == expected
    assert prepare("res.partner", vals) == expected


# --- needs_metadata and lookups -----------------------------------------------------


def test_needs_metadata() -> None:
    assert not values.needs_metadata({})
    assert not values.needs_metadata({"name": "x", "partner_id": 3, "parent_id": None, "a": False})
    assert values.needs_metadata({"__api__order_line": "[]"})
    assert values.needs_metadata({"category_id": [1]})
    assert values.needs_metadata({"category_id": []})
    assert values.needs_metadata({"partner_id": {"id": 1}})
    assert values.needs_metadata({"order_line": ((0, 0, {}),)})


def test_plain_values_skip_the_lookup() -> None:
    lookup = Lookup()
    vals = {"name": "x", "partner_id": 3}
    assert prepare("sale.order", vals, lookup=lookup) == vals
    assert lookup.calls == []


def test_nested_lookup_only_when_needed() -> None:
    lookup = Lookup()
    prepare("sale.order", {"order_line": [[0, 0, {"product_id": 1}]]}, lookup=lookup)
    assert lookup.calls == ["sale.order"]
    lookup = Lookup()
    prepare("sale.order", {"order_line": [[0, 0, {"tax_id": [1]}]]}, lookup=lookup)
    assert lookup.calls == ["sale.order", "sale.order.line"]


def test_input_not_mutated() -> None:
    vals = {"order_line": [{"product_id": {"id": 1}, "tax_id": [1]}], "__api__tag_ids": "[(4, 1)]"}
    before = copy.deepcopy(vals)
    prepare("sale.order", vals)
    assert vals == before


# --- pass-through -------------------------------------------------------------------


def test_unknown_and_non_relational_fields_pass_through() -> None:
    vals = {
        "nope": {"id": 1},
        "other": [{"a": 1}],
        "name": ["not", "a", "name"],
        "data": {"nested": {"x": [1, {"y": 2}]}},
        "properties": [{"name": "p", "value": 1}],
    }
    assert prepare("res.partner", vals) == vals
    assert prepare("unknown.model", vals) == vals


def test_relation_without_metadata_passes_nested_values() -> None:
    vals = {"broken_ids": [[0, 0, {"x": [{"id": 1}]}]]}
    assert prepare("res.partner", vals) == vals


# --- many2one -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7, 7),
        ({"id": 7}, 7),
        ([7, "Azure Interior"], 7),
        ((7, "Azure Interior"), 7),
        ([7, False], 7),
    ],
)
def test_many2one(value: Any, expected: Any) -> None:
    assert prepare("res.partner", {"parent_id": value}) == {"parent_id": expected}
    # Same answer whether or not another field needed the metadata.
    both = prepare("res.partner", {"parent_id": value, "category_id": [1]})
    assert both == {"parent_id": expected, "category_id": [[6, 0, [1]]]}


@pytest.mark.parametrize("value", [None, False, True, "7", 7.0, 0])
def test_scalars_on_relational_fields_pass_through(value: Any) -> None:
    for name in ("parent_id", "category_id", "child_ids"):
        assert prepare("res.partner", {name: value}) == {name: value}
        both = prepare("res.partner", {name: value, "country_id": {"id": 1}})
        assert both == {name: value, "country_id": 1}


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ({"id": 7, "name": "x"}, "may only hold 'id'"),
        ({"name": "x"}, "may only hold 'id'"),
        ({"id": "7"}, "positive integers"),
        ({"id": True}, "positive integers"),
        ({"id": 0}, "positive integers"),
        ([7], "expected an id"),
        ([7, "a", "b"], "expected an id"),
        (["7", "a"], "positive integers"),
    ],
)
def test_many2one_rejected(value: Any, match: str) -> None:
    err = bad("res.partner", {"parent_id": value}, match)
    assert "parent_id" in err.message


# --- lists of ids, raw commands -----------------------------------------------------


def test_list_of_ids_is_the_new_set() -> None:
    assert prepare("res.partner", {"category_id": [1, 2]}) == {"category_id": [[6, 0, [1, 2]]]}
    assert prepare("sale.order", {"order_line": [3, 4]}) == {"order_line": [[6, 0, [3, 4]]]}
    assert prepare("res.partner", {"category_id": []}) == {"category_id": [[6, 0, []]]}


def test_raw_commands_pass_through() -> None:
    commands = [
        [0, 0, {"name": "new"}],
        [1, 5, {"name": "renamed"}],
        [2, 6],
        [3, 7],
        [4, 8],
        [4, 8, 0],
        [5],
        [5, 0, 0],
        [6, 0, [1, 2]],
        [6, False, []],
    ]
    assert prepare("res.partner", {"child_ids": commands}) == {"child_ids": commands}


def test_raw_commands_from_tuples_and_nested_translation() -> None:
    vals = {
        "order_line": (
            (0, 0, {"product_id": {"id": 1}, "tax_id": [{"id": 3}], "price_unit": 4000}),
            (1, 45, {"product_id": [2, "Desk"], "tax_id": {"add": [4]}}),
            (2, 46),
        )
    }
    assert prepare("sale.order", vals) == {
        "order_line": [
            [0, 0, {"product_id": 1, "tax_id": [[6, 0, [3]]], "price_unit": 4000}],
            [1, 45, {"product_id": 2, "tax_id": [[4, 4]]}],
            [2, 46],
        ]
    }


@pytest.mark.parametrize(
    ("commands", "match"),
    [
        ([[7, 1]], "code from 0 to 6"),
        ([[-1, 1]], "code from 0 to 6"),
        ([[True, 1]], "code from 0 to 6"),
        ([["4", 1]], "code from 0 to 6"),
        ([[]], "code from 0 to 6"),
        ([[0, 0]], "command 0 needs 3"),
        ([[0, 0, {}, 1]], "command 0 needs 3"),
        ([[1, 5]], "command 1 needs 3"),
        ([[6, 0]], "command 6 needs 3"),
        ([[4]], "command 4 needs 2"),
        ([[2, 1, 0, 0]], "command 2 needs 2"),
        ([[5, 0, 0, 0]], "command 5 takes no arguments"),
        ([[4, "7"]], "positive integers"),
        ([[4, True]], "positive integers"),
        ([[4, 0]], "positive integers"),
        ([[4, 2**31]], "positive integers"),
        ([[1, None, {}]], "positive integers"),
        ([[3, [1]]], "malformed command"),
        ([[4, 1, {"a": 1}]], "malformed command"),
        ([[5, [1]]], "malformed command"),
        ([[0, {}, {}]], "malformed command"),
        ([[0, 0, "vals"]], "must be an object"),
        ([[1, 5, [1]]], "must be an object"),
        ([[6, 0, "1,2"]], "list of ids"),
        ([[6, 0, [1, "2"]]], "positive integers"),
        ([[6, 0, [True]]], "positive integers"),
    ],
)
def test_raw_commands_rejected(commands: Any, match: str) -> None:
    err = bad("res.partner", {"child_ids": commands}, match)
    assert "child_ids" in err.message


def test_nested_errors_name_the_path() -> None:
    vals = {"order_line": [[0, 0, {"tax_id": [1]}], [0, 0, {"product_id": ["x"]}]]}
    err = bad("sale.order", vals, "many2one")
    assert "order_line[1].product_id" in err.message


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ([6, 0, [1, 2]], r"mixed list.*\[\[6, 0, \[1, 2\]\]\]"),
        ([1, [4, 2]], "mixed list"),
        (["a", "b"], "mixed list"),
        ([1, None], "mixed list"),
        ([True], "mixed list"),
        ([0], "positive integers"),
        ([-3], "positive integers"),
    ],
)
def test_x2many_value_shapes_rejected(value: Any, match: str) -> None:
    bad("res.partner", {"category_id": value}, match)


# --- friendly list of objects -------------------------------------------------------


def test_friendly_many2many() -> None:
    vals = {"category_id": [{"id": 1}, {"id": 2, "name": "Renamed"}, {"name": "New"}, 3]}
    assert prepare("res.partner", vals) == {
        "category_id": [[6, 0, [1, 2, 3]], [1, 2, {"name": "Renamed"}], [0, 0, {"name": "New"}]]
    }
    assert prepare("res.partner", {"category_id": [{"name": "Only new"}]}) == {
        "category_id": [[6, 0, []], [0, 0, {"name": "Only new"}]]
    }


def test_friendly_one2many_on_create() -> None:
    vals = {"order_line": [{"id": 5}, {"id": 6, "price_unit": 2.5}, {"product_id": {"id": 1}}]}
    assert prepare("sale.order", vals) == {
        "order_line": [[4, 5], [4, 6], [1, 6, {"price_unit": 2.5}], [0, 0, {"product_id": 1}]]
    }


def test_friendly_one2many_on_write_deletes_left_out_lines() -> None:
    lines = Lines(order_line=[5, 7, 8])
    vals = {"order_line": [{"id": 5}, {"id": 7, "price_unit": 3}, {"id": 9}, {"product_id": 2}]}
    assert prepare("sale.order", vals, current=lines) == {
        "order_line": [[2, 8], [1, 7, {"price_unit": 3}], [4, 9], [0, 0, {"product_id": 2}]]
    }
    assert lines.calls == [("sale.order", "order_line")]


def test_friendly_one2many_on_write_unchanged_is_empty() -> None:
    lines = Lines(order_line=[5, 7])
    assert prepare("sale.order", {"order_line": [{"id": 5}, 7]}, current=lines) == {
        "order_line": []
    }


def test_friendly_id_null_means_new() -> None:
    vals = {"category_id": [{"id": None, "name": "a"}, {"id": False, "name": "b"}]}
    assert prepare("res.partner", vals) == {
        "category_id": [[6, 0, []], [0, 0, {"name": "a"}], [0, 0, {"name": "b"}]]
    }


def test_friendly_nested_one2many_inside_create() -> None:
    vals = {"order_line": [{"product_id": 1, "sub_line_ids": [{"product_id": 2}]}]}
    assert prepare("sale.order", vals, current=Lines()) == {
        "order_line": [[0, 0, {"product_id": 1, "sub_line_ids": [[0, 0, {"product_id": 2}]]}]]
    }


def test_friendly_nested_one2many_inside_update_is_refused() -> None:
    vals = {"order_line": [{"id": 5, "sub_line_ids": [{"product_id": 2}]}]}
    err = bad("sale.order", vals, "only supported on the record being written")
    assert "order_line[0].sub_line_ids" in err.message
    # ... but the operations object and raw commands work there.
    commands = {"order_line": [[1, 5, {"sub_line_ids": {"create": [{"product_id": 2}]}}]]}
    assert prepare("sale.order", commands) == {
        "order_line": [[1, 5, {"sub_line_ids": [[0, 0, {"product_id": 2}]]}]]
    }


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ([{"id": 1}, {"id": 1}], "appears twice"),
        ([1, {"id": 1, "name": "x"}], "appears twice"),
        ([{"id": "1"}], "positive integers"),
        ([{"id": True}], "positive integers"),
        ([{"id": 1.0}], "positive integers"),
    ],
)
def test_friendly_rejected(value: Any, match: str) -> None:
    err = bad("res.partner", {"category_id": value}, match)
    assert "category_id[" in err.message


# --- operations object --------------------------------------------------------------


def test_operations_many2many() -> None:
    ops = {
        "create": [{"name": "New"}],
        "update": [{"id": 4, "name": "Renamed"}],
        "add": [1, 2],
        "remove": [3],
        "delete": [9],
        "set": [10],
        "clear": True,
    }
    assert prepare("res.partner", {"category_id": ops}) == {
        "category_id": [
            [5, 0, 0],
            [6, 0, [10]],
            [2, 9],
            [3, 3],
            [4, 1],
            [4, 2],
            [1, 4, {"name": "Renamed"}],
            [0, 0, {"name": "New"}],
        ]
    }


def test_operations_one2many_remove_is_unlink_command() -> None:
    assert prepare("sale.order", {"order_line": {"remove": [5], "delete": [6]}}) == {
        "order_line": [[2, 6], [3, 5]]
    }


def test_operations_empty_and_clear_false() -> None:
    assert prepare("res.partner", {"category_id": {}}) == {"category_id": []}
    assert prepare("res.partner", {"category_id": {"clear": False, "set": []}}) == {
        "category_id": [[6, 0, []]]
    }


def test_operations_nested_translation() -> None:
    ops = {
        "create": [{"product_id": {"id": 3}, "tax_id": [1]}],
        "update": [{"id": 2, "tax_id": []}],
    }
    assert prepare("sale.order", {"order_line": ops}, current=Lines(order_line=[2])) == {
        "order_line": [
            [1, 2, {"tax_id": [[6, 0, []]]}],
            [0, 0, {"product_id": 3, "tax_id": [[6, 0, [1]]]}],
        ]
    }


@pytest.mark.parametrize(
    ("ops", "match"),
    [
        (
            {"add": [1], "append": [2], "link": [3]},
            "unknown operation.*append, link; "
            "allowed: add, clear, create, delete, remove, set, update",
        ),
        ({"clear": 1}, "'clear' must be true or false"),
        ({"clear": "yes"}, "'clear' must be true or false"),
        ({"add": 1}, "expected a list of ids"),
        ({"add": [1, "2"]}, "positive integers"),
        ({"remove": [True]}, "positive integers"),
        ({"set": None}, "expected a list of ids"),
        ({"create": {"name": "x"}}, "expected a list of objects"),
        ({"create": [1]}, "expected an object"),
        ({"update": [{"name": "x"}]}, "needs an 'id'"),
        ({"update": [{"id": 0}]}, "positive integers"),
        ({"update": "x"}, "expected a list of objects"),
    ],
)
def test_operations_rejected(ops: Any, match: str) -> None:
    err = bad("res.partner", {"category_id": ops}, match)
    assert "category_id" in err.message


# --- __api__ keys -------------------------------------------------------------------


def test_api_prefix_forms() -> None:
    assert prepare("sale.order", {"__api__tag_ids": [(6, 0, (1, 2))]}) == {
        "tag_ids": [[6, 0, [1, 2]]]
    }
    assert prepare("sale.order", {"__api__tag_ids": "[[4, 1]]"}) == {"tag_ids": [[4, 1]]}
    assert prepare("sale.order", {"__api__partner_id": "7"}) == {"partner_id": 7}
    with pytest.raises(InvalidParameters, match="unknown field 'unknown'"):
        # refused before its literal is read: made-up names buy no parsing work
        prepare("sale.order", {"__api__unknown": "{'a': (1,)}"})
    nested = {"__api__order_line": "[(0, 0, {'__api__tax_id': '[(6, 0, [1])]'})]"}
    assert prepare("sale.order", nested) == {"order_line": [[0, 0, {"tax_id": [[6, 0, [1]]]}]]}


@pytest.mark.parametrize(
    ("vals", "match"),
    [
        (
            {"__api__order_line": "[]", "order_line": []},
            "both '__api__order_line' and 'order_line'",
        ),
        ({"__api__": "[]"}, "expected a field name"),
        ({"__api__a.b": "[]"}, "expected a field name"),
        ({"__api__order_line": "[(0, 0, {'product_id': 1})"}, "not a valid literal"),
        ({"__api__order_line": "[__import__('os').system('id')]"}, "may only contain literals"),
        ({"__api__order_line": "[(0, 0, {1, 2})]"}, "set"),
        ({"__api__order_line": "x" * 9000}, "too long"),
        ({"__api__order_line": "[" * 5000}, "__api__order_line"),
        ({"__api__order_line": "[(9, 0, 0)]"}, "code from 0 to 6"),
        ({"__api__order_line": [{1, 2}]}, "set"),
    ],
)
def test_api_prefix_rejected(vals: Any, match: str) -> None:
    bad("sale.order", vals, match)


# --- caps and shapes ----------------------------------------------------------------


def test_depth_cap() -> None:
    def nest(levels: int) -> dict[str, Any]:
        vals: dict[str, Any] = {"product_id": 1}
        for _ in range(levels):
            vals = {"sub_line_ids": [[0, 0, vals]]}
        return vals

    assert prepare("sale.order.line", nest(4))
    bad("sale.order.line", nest(5), "nested deeper than 4 levels")
    assert prepare("sale.order.line", nest(5), max_depth=5)


def test_command_cap() -> None:
    bad("res.partner", {"category_id": list(range(1, 1001))}, "too many x2many commands")
    assert prepare("res.partner", {"category_id": list(range(1, 1000))})
    many = [[4, i] for i in range(1, 600)]
    bad("res.partner", {"category_id": many, "child_ids": many}, "too many x2many commands")
    bad("res.partner", {"category_id": {"add": list(range(1, 1001))}}, "too many", max_commands=500)
    lines = Lines(child_ids=list(range(1, 2000)))
    bad("res.partner", {"child_ids": [{"name": "x"}]}, "too many", current=lines)


@pytest.mark.parametrize("vals", [[{"a": 1}], "x", None, 5])
def test_values_must_be_an_object(vals: Any) -> None:
    bad("res.partner", vals, "must be an object")


def test_nested_keys_must_be_strings() -> None:
    bad("res.partner", {"child_ids": [[0, 0, {1: "x"}]]}, "field names must be strings")


# --- normalise_create_payload -------------------------------------------------------


def test_create_payload_forms() -> None:
    assert values.normalise_create_payload(max_records=100, body={"name": "a"}) == [{"name": "a"}]
    assert values.normalise_create_payload(max_records=100, body={}) == [{}]
    assert values.normalise_create_payload(
        max_records=100, body=[{"name": "a"}, {"name": "b"}]
    ) == [
        {"name": "a"},
        {"name": "b"},
    ]
    assert values.normalise_create_payload(max_records=100, body=Body(fields={"name": "a"})) == [
        {"name": "a"}
    ]
    assert values.normalise_create_payload(max_records=100, body=Body(items=[{"name": "a"}])) == [
        {"name": "a"}
    ]


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ([], "at least one record"),
        (Body(items=[]), "at least one record"),
        ([{"name": "a"}, 5], "record 1 must be an object, got a number"),
        ([{"name": "a"}, [1]], "record 1 must be an object, got a list"),
        ([None], "record 0 must be an object, got null"),
        ("name=a", "an object or a list of objects"),
        (5, "an object or a list of objects"),
        (None, "an object or a list of objects"),
    ],
)
def test_create_payload_rejected(body: Any, match: str) -> None:
    with pytest.raises(BadRequest, match=match):
        values.normalise_create_payload(max_records=100, body=body)


def test_create_payload_over_the_batch_cap_is_413() -> None:
    values.normalise_create_payload([{}] * 100, max_records=100)
    with pytest.raises(PayloadTooLarge, match="at most 100 records"):
        values.normalise_create_payload([{}] * 101, max_records=100)


# --- fuzz: only success or a 4xx ---------------------------------------------------


_FIELDS = ["name", "partner_id", "order_line", "tag_ids", "__api__order_line", "nope"]
_LINE_FIELDS = ["product_id", "tax_id", "sub_line_ids", "price_unit", "__api__tax_id"]


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 5 or roll < 0.35:
        return rng.choice([None, True, False, 0, 1, 2, -1, 7, 2**40, 1.5, "x", "[(4, 1)]", "[", ""])
    if roll < 0.6:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if roll < 0.75:
        code = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, True])
        return [[code, *(_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3)))]]
    if roll < 0.9:
        keys = rng.sample([*_LINE_FIELDS, "id", "add", "create", "update", "clear"], 2)
        return {key: _random_value(rng, depth + 1) for key in keys}
    return {"id": rng.choice([1, 2, "1", None, True])}


def test_fuzz_only_bad_request() -> None:
    rng = random.Random(424242)

    async def run() -> None:
        for _ in range(2000):
            vals = {key: _random_value(rng) for key in rng.sample(_FIELDS, rng.randint(1, 3))}
            current = Lines(order_line=[1, 2, 3]) if rng.random() < 0.5 else None
            try:
                out = await values.prepare_values(
                    "sale.order", vals, fields=Lookup(), current=current
                )
            except (BadRequest, InvalidParameters):  # 400, or 422 for an unknown __api__ field
                continue
            assert isinstance(out, dict)

    asyncio.run(run())


# --- external ids through the resolver hook ------------------------------------------

REFS = {"m.tag": ("crm.tag", 7), "m.tag2": ("crm.tag", 8), "m.line": ("sale.order.line", 5)}
REFS |= {"m.partner": ("res.partner", 3), "m.product": ("product.product", 9)}


class Refs:
    """A Resolver over REFS that records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str | None, tuple[str, ...]]] = []

    async def __call__(self, model: str | None, refs: Any, where: str) -> dict[str, int]:
        self.calls.append((model, tuple(refs)))
        out = {}
        for ref in refs:
            found = REFS.get(ref)
            if found is None or found[0] != model:
                raise InvalidParameters(f"field '{where}': bad external id {ref!r}")
            out[ref] = found[1]
        return out


def _resolved(vals: dict[str, Any], model: str = "sale.order") -> dict[str, Any]:
    return asyncio.run(
        values.prepare_values(model, vals, fields=Lookup(), resolve=Refs(), guard=None)
    )


def test_external_ids_become_ids_in_every_id_position() -> None:
    assert _resolved({"partner_id": "m.partner"}) == {"partner_id": 3}
    assert _resolved({"partner_id": {"id": "m.partner"}}) == {"partner_id": 3}
    assert _resolved({"tag_ids": ["m.tag", 4]}) == {"tag_ids": [[6, 0, [7, 4]]]}
    assert _resolved({"tag_ids": [[4, "m.tag"], [3, "m.tag2"], [6, 0, ["m.tag"]]]}) == {
        "tag_ids": [[4, 7], [3, 8], [6, 0, [7]]]
    }
    assert _resolved({"tag_ids": {"add": ["m.tag"], "remove": ["m.tag2"]}}) == {
        "tag_ids": [[3, 8], [4, 7]]
    }
    nested = _resolved({"order_line": {"update": [{"id": "m.line", "product_id": "m.product"}]}})
    assert nested == {"order_line": [[1, 5, {"product_id": 9}]]}
    assert _resolved({"order_line": [[0, 0, {"product_id": "m.product"}]]}) == {
        "order_line": [[0, 0, {"product_id": 9}]]
    }


def test_external_ids_of_another_model_or_on_plain_fields() -> None:
    with pytest.raises(InvalidParameters):
        _resolved({"partner_id": "m.tag"})
    with pytest.raises(InvalidParameters):
        _resolved({"tag_ids": ["m.partner"]})
    # a text that looks like an external id on a char field is just text
    assert _resolved({"name": "m.partner"}) == {"name": "m.partner"}
    # without a resolver nothing is looked up
    plain = asyncio.run(
        values.prepare_values("sale.order", {"partner_id": "m.partner"}, fields=Lookup())
    )
    assert plain == {"partner_id": "m.partner"}
