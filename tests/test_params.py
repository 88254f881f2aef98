"""Request parameter parsing: every seed form, JSON forms, and every way to get a 400."""

from __future__ import annotations

import ast
import contextlib
import json
import random
import string
from typing import Any

import pytest

from odoo_restful import params
from odoo_restful.errors import BadRequest, MethodForbidden
from odoo_restful.params import Body


def bad(func: Any, *args: Any, match: str | None = None, **kwargs: Any) -> BadRequest:
    with pytest.raises(BadRequest, match=match) as info:
        func(*args, **kwargs)
    assert info.type is BadRequest or issubclass(info.type, BadRequest)
    assert info.value.status == 400
    return info.value


# --- decode_body / merge_sources ---------------------------------------------------


SEED_SEARCH = (
    b"{\"limit\": 20, \"fields\": \"['id', 'partner_id', 'name']\", "
    b"\"domain\":\"[('id', '>', '10')]\", \"offset\":3}"
)


class TestDecodeBody:
    def test_empty(self) -> None:
        assert params.decode_body(b"", None) == Body()
        assert params.decode_body(b"  \r\n", "application/json") == Body()

    def test_seed_json_under_form_content_type(self) -> None:
        body = params.decode_body(SEED_SEARCH, "application/x-www-form-urlencoded")
        assert body.items is None
        assert body.fields == {
            "limit": 20,
            "fields": "['id', 'partner_id', 'name']",
            "domain": "[('id', '>', '10')]",
            "offset": 3,
        }

    def test_seed_form_body_on_get(self) -> None:
        raw = b"login=admin&password=admin&db=demo_db"
        body = params.decode_body(raw, "application/x-www-form-urlencoded")
        assert body.fields == {"login": "admin", "password": "admin", "db": "demo_db"}

    def test_form_without_content_type_and_escapes(self) -> None:
        body = params.decode_body(b"a=1+2&b=%C3%A9&c=", None)
        assert body.fields == {"a": "1 2", "b": "é", "c": ""}

    def test_form_repeated_key_merges_lists_else_400(self) -> None:
        # issue #13: keeping the last value silently dropped what the client sent
        assert params.decode_body(b"fields=a&fields=b", None).fields == {"fields": "a,b"}
        with pytest.raises(BadRequest, match="'a' given more than once"):
            params.decode_body(b"a=1&a=2", None)

    def test_repeated_query_parameters(self) -> None:
        assert params.single_values([("ids", "1"), ("ids", "2,3"), ("limit", "5")]) == {
            "ids": "1,2,3",
            "limit": "5",
        }
        for pairs in (
            [("limit", "1"), ("limit", "2")],
            [("domain", "[]"), ("domain", "[]")],
            [("fields", '["a"]'), ("fields", "b")],
        ):
            with pytest.raises(BadRequest, match="given more than once"):
                params.single_values(pairs)

    def test_json_content_type_with_charset(self) -> None:
        body = params.decode_body(b' {"a": [1, {"b": null}]} ', "Application/JSON; charset=utf-8")
        assert body.fields == {"a": [1, {"b": None}]}

    def test_top_level_array(self) -> None:
        body = params.decode_body(b'[{"name": "a"}, {"name": "b"}]', "application/json")
        assert body.fields == {}
        assert body.items == [{"name": "a"}, {"name": "b"}]
        assert params.decode_body(b"[]", None).items == []

    @pytest.mark.parametrize(
        "raw",
        [b'{"a": 1', b"[1, 2", b"{'a': 1}", b'{"a": NaN}', b"[\xff]", b'{"a": 1}}'],
    )
    def test_invalid_json_when_clearly_json(self, raw: bytes) -> None:
        bad(params.decode_body, raw, "application/x-www-form-urlencoded", match="not valid JSON")

    def test_invalid_json_by_content_type(self) -> None:
        bad(params.decode_body, b"login=admin", "application/json", match="not valid JSON")
        bad(params.decode_body, b"oops", "application/vnd.api+json", match="not valid JSON")

    @pytest.mark.parametrize("raw", [b"5", b'"text"', b"null", b"true"])
    def test_json_scalar_body(self, raw: bytes) -> None:
        bad(params.decode_body, raw, "application/json", match="object or an array")

    def test_depth_cap(self) -> None:
        raw = b"[" * 33 + b"]" * 33
        bad(params.decode_body, raw, None, match="nested too deeply")
        assert params.decode_body(b"[" * 32 + b"]" * 32, None).items is not None
        nested = b'{"a":' * 40 + b"1" + b"}" * 40
        bad(params.decode_body, nested, None, match="nested too deeply")
        assert params.decode_body(nested, None, max_depth=40).fields

    def test_orjson_own_limit_is_a_400(self) -> None:
        bad(params.decode_body, b"[" * 10000 + b"]" * 10000, None, match="not valid JSON")

    def test_multipart_refused(self) -> None:
        bad(
            params.decode_body,
            b"--x\r\nContent-Disposition: form-data\r\n",
            "multipart/form-data; boundary=x",
            match="multipart",
        )

    @pytest.mark.parametrize("raw", [b"hello", b"a=1&&b=2", b"a=1&b", b"a=%ff"])
    def test_not_a_form(self, raw: bytes) -> None:
        bad(params.decode_body, raw, "application/x-www-form-urlencoded", match="neither JSON")

    def test_not_utf8(self) -> None:
        bad(params.decode_body, b"a=\xff", None, match="UTF-8")

    def test_too_many_form_fields(self) -> None:
        raw = "&".join(f"k{i}=v" for i in range(1001)).encode()
        bad(params.decode_body, raw, None, match="too many fields")
        raw = "&".join(f"k{i}=v" for i in range(1000)).encode()
        assert len(params.decode_body(raw, None).fields) == 1000


class TestMergeSources:
    def test_precedence_body_over_query_over_headers(self) -> None:
        body = Body(fields={"limit": 5, "access_token": "from-body"})
        merged = params.merge_sources(
            {"limit": "10", "offset": "2", "access_token": "from-query"},
            body,
            {"Access-Token": "from-header", "X-Other": "no"},
            ["access-token"],
        )
        assert merged == {"limit": 5, "offset": "2", "access_token": "from-body"}

    def test_header_used_when_alone(self) -> None:
        merged = params.merge_sources({}, Body(), {"access-token": "tok"}, ["Access-Token"])
        assert merged == {"access_token": "tok"}

    def test_items_not_merged_and_headers_optional(self) -> None:
        assert params.merge_sources({"a": "1"}, Body(items=[1, 2])) == {"a": "1"}
        assert params.merge_sources({}, Body(), None, ["access-token"]) == {}


# --- literals -----------------------------------------------------------------------


class TestParseLiteral:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("[('id', '>', '10')]", [["id", ">", "10"]]),
            ("['id', 'name']", ["id", "name"]),
            (
                "[(0, 0,  {'product_id': 1,'price_unit':4000})]",
                [[0, 0, {"product_id": 1, "price_unit": 4000}]],
            ),
            ('[["id", ">", 10]]', [["id", ">", 10]]),
            ("{'a': (1, (2, 3)), 'b': None, 'c': True, 'd': -1.5}", None),
            ("null", None),
            ("  [1]  ", [1]),
        ],
    )
    def test_accepted(self, text: str, expected: Any) -> None:
        result = params.parse_literal(text, what="x")
        if expected is not None or text == "null":
            assert result == expected
        else:
            assert result == {"a": [1, [2, 3]], "b": None, "c": True, "d": -1.5}

    @pytest.mark.parametrize(
        "text",
        [
            "__import__('os')",
            "__import__('os').system('id')",
            "open('/etc/passwd').read()",
            "os",
            "x.y",
            "(1).__class__",
            "lambda: 1",
            "[i for i in range(10)]",
            "1 + 1",
            "2 ** 1000",
            "{**{}}",
            "[*()]",
            "f'{1}'",
            "exec('1')",
            "not True",
            "1 if True else 2",
            "a = 1",
            "import os",
            "[1, 2",
            "{'a': 1,, }",
            "\x00",
            "'\\N{BOGUS}'",
        ],
    )
    def test_code_and_garbage_rejected(self, text: str) -> None:
        bad(params.parse_literal, text, what="domain", match="domain")

    @pytest.mark.parametrize(
        ("text", "match"),
        [
            ("{1, 2}", "set"),
            ("set()", "set"),
            ("b'x'", "bytes"),
            ("1+2j", "complex"),
            ("...", "ellipsis"),
            ("{1: 'a'}", "keys must be strings"),
            ("1e999", "finite"),
            ("-1e999", "finite"),
            (f"({2**64},)", "out of range"),
            (f"({-(2**63) - 1},)", "out of range"),
            ("9" * 5000, "not a valid literal"),
            ("'\\ud800'", "Unicode"),
            ("{'\\udfff': 1}", "Unicode"),
        ],
    )
    def test_non_plain_values_rejected(self, text: str, match: str) -> None:
        bad(params.parse_literal, text, what="value", match=match)

    @pytest.mark.parametrize(
        "text",
        [
            "[('is_company', '=', True), ('id', '>', -10)]",
            "['|', ('name', 'ilike', 'a\\'b'), ('x', 'in', (1, 2.5, -3e2, +4))]",
            "{'lang': 'fr_FR', 'tz': None, 'n': [1, (2, [3, {'k': False}])]}",
            "('é', \"\\u00e9\", r'\\d+', 'a' 'b')",
            "[[], (), {}, [[[]]]]",
            "-0.0",
        ],
    )
    def test_python_literals_read_as_ast_literal_eval_reads_them(self, text: str) -> None:
        expected = json.loads(json.dumps(ast.literal_eval(text)))
        assert params.parse_literal(text, what="value") == expected

    def test_size_cap_first(self) -> None:
        text = "[" + "1," * 5000 + "1]"
        bad(params.parse_literal, text, what="domain", match="too long")
        assert len(params.parse_literal(text, what="x", max_chars=20000)) == 5001

    @pytest.mark.parametrize(
        "text", ["[" * 10000, "(" * 5000, "[" * 300 + "]" * 300, "{'a':" * 500]
    )
    def test_deep_nesting(self, text: str) -> None:
        bad(params.parse_literal, text, what="domain", max_chars=20000)

    def test_depth_and_node_caps(self) -> None:
        bad(params.parse_literal, "[" * 40 + "]" * 40, what="v", match="nested too deeply")
        assert params.parse_literal("[" * 32 + "]" * 32, what="v") is not None
        bad(params.parse_literal, "[" + "0," * 3000 + "]", what="v", max_nodes=1000, match="large")

    def test_empty_and_non_string(self) -> None:
        bad(params.parse_literal, "  ", what="domain", match="empty")
        bad(params.parse_literal, 5, what="domain", match="must be a string")

    def test_invalid_escape_is_read_without_warning(self) -> None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert params.parse_literal("['a\\L']", what="x") == ["a\\L"]

    def test_to_plain_data(self) -> None:
        assert params.to_plain_data((1, [2, (3,)], {"a": (None,)}), what="v") == [
            1,
            [2, [3]],
            {"a": [None]},
        ]
        bad(params.to_plain_data, {"a": object()}, what="v", match="object")
        bad(params.to_plain_data, [float("nan")], what="v", match="finite")


# --- domains ------------------------------------------------------------------------


class TestParseDomain:
    def test_seed_literal(self) -> None:
        assert params.parse_domain("[('id', '>', '10')]") == [["id", ">", "10"]]

    def test_empty(self) -> None:
        assert params.parse_domain(None) == []
        assert params.parse_domain("") == []
        assert params.parse_domain("  ") == []
        assert params.parse_domain("[]") == []
        assert params.parse_domain([]) == []

    def test_json_with_prefix_operators_and_paths(self) -> None:
        domain = [
            "&",
            ["active", "=", True],
            "|",
            ["country_id.code", "in", ["US", "BE"]],
            "!",
            ["name", "ILIKE", "a"],
        ]
        assert params.parse_domain(domain) == [
            "&",
            ["active", "=", True],
            "|",
            ["country_id.code", "in", ["US", "BE"]],
            "!",
            ["name", "ilike", "a"],
        ]

    def test_json_string(self) -> None:
        assert params.parse_domain('[["id", "in", [1, 2]]]') == [["id", "in", [1, 2]]]

    def test_tuples_and_implicit_and(self) -> None:
        value = [("a", "=", 1), ("b", "!=", None), ("c", "not in", (1, 2))]
        assert params.parse_domain(value) == [
            ["a", "=", 1],
            ["b", "!=", None],
            ["c", "not in", [1, 2]],
        ]

    def test_true_false_leaves(self) -> None:
        assert params.parse_domain("[(1, '=', 1)]") == [[1, "=", 1]]
        assert params.parse_domain([[0, "=", 1]]) == [[0, "=", 1]]
        bad(params.parse_domain, [[2, "=", 1]], match="field path")
        bad(params.parse_domain, [[1, "=", 2]], match="field path")
        bad(params.parse_domain, [[True, "=", True]], match="field path")

    def test_all_operators(self) -> None:
        for op in sorted(params.DOMAIN_OPERATORS):
            value: Any = [] if op in ("any", "not any") else "x"
            assert params.parse_domain([["f", op.upper(), value]]) == [["f", op, value]]

    def test_values_kept_as_given(self) -> None:
        assert params.parse_domain([["id", ">", "10"], ["x", "=", 1.5], ["y", "=", False]])[0] == [
            "id",
            ">",
            "10",
        ]

    def test_any_sub_domain(self) -> None:
        domain = (
            "[('order_line', 'any', [('product_id.name', 'ilike', 'desk'), '!', ('x', '=', 1)])]"
        )
        assert params.parse_domain(domain) == [
            ["order_line", "any", [["product_id.name", "ilike", "desk"], "!", ["x", "=", 1]]]
        ]
        bad(params.parse_domain, [["order_line", "any", "x"]], match="must be a domain")
        bad(params.parse_domain, [["order_line", "any", ["|", ["a", "=", 1]]]], match="needs 2")
        bad(params.parse_domain, [["order_line", "not any", [["a", "bad", 1]]]], match="operator")

    @pytest.mark.parametrize(
        ("domain", "match"),
        [
            (["|", ["a", "=", 1]], r"item 0: operator '\|' needs 2"),
            (["&"], "needs 2"),
            (["!"], "needs 1"),
            ([["a", "=", 1], "!"], "item 1: operator '!' needs 1"),
            (["|", "|", ["a", "=", 1], ["b", "=", 1]], "item 0"),
            (["or", ["a", "=", 1]], "expected a condition"),
            ([["a", "=", 1], 5], "item 1"),
            ([["a", "="]], "needs 3 items"),
            ([["a", "=", 1, 2]], "needs 3 items"),
            ([["a", "=like~", "x"]], "unknown operator"),
            ([["a", "any!", []]], "unknown operator"),
            ([["a", "==", 1]], "unknown operator"),
            ([["a", 5, 1]], "unknown operator"),
            ([["a", "in", [[1]]]], "plain values"),
            ([["a", "=", {"b": 1}]], "plain value"),
            ([["a; drop table x", "=", 1]], "field path"),
            ([["a.", "=", 1]], "field path"),
            ([[".a", "=", 1]], "field path"),
            ([["a..b", "=", 1]], "field path"),
            ([["1a", "=", 1]], "field path"),
            ([["a b", "=", 1]], "field path"),
            ([["é", "=", 1]], "field path"),
            ([["a" * 257, "=", 1]], "field path"),
            ([[None, "=", 1]], "field path"),
            (["name", "=", "x"], "wrap the condition"),
            ("('name', '=', 'x')", "wrap the condition"),
            ("{'a': 1}", "list of conditions"),
            ("5", "list of conditions"),
            (5, "list of conditions"),
            ({"a": 1}, "list of conditions"),
            ("[('id', '>', __import__('os'))]", "literals"),
        ],
    )
    def test_rejected(self, domain: Any, match: str) -> None:
        bad(params.parse_domain, domain, match=match)

    def test_path_length_limit_ok(self) -> None:
        assert params.parse_domain([["a" * 256, "=", 1]])

    def test_too_many_terms(self) -> None:
        domain = [["id", "=", i] for i in range(257)]
        bad(params.parse_domain, domain, match="too many terms")
        assert len(params.parse_domain(domain[:256])) == 256
        nested = [["a", "any", [["b", "=", i] for i in range(200)]]] + [
            ["c", "=", i] for i in range(60)
        ]
        bad(params.parse_domain, nested, match="too many terms")
        assert params.parse_domain(domain[:10], max_terms=10)

    def test_huge_literal_refused(self) -> None:
        text = "[" + "('id', '=', 1)," * 5000 + "]"
        bad(params.parse_domain, text, match="too long")


# --- fields, order ------------------------------------------------------------------


class TestParseFields:
    def test_forms(self) -> None:
        assert params.parse_fields("['id', 'partner_id', 'name']") == ["id", "partner_id", "name"]
        assert params.parse_fields(" id , name ") == ["id", "name"]
        assert params.parse_fields(["id", "name", "id"]) == ["id", "name"]
        assert params.parse_fields('["id"]') == ["id"]
        assert params.parse_fields("('id', 'name')") == ["id", "name"]
        assert params.parse_fields("id") == ["id"]

    def test_all_fields(self) -> None:
        assert params.parse_fields(None) is None
        assert params.parse_fields("") is None
        assert params.parse_fields("[]") is None
        assert params.parse_fields([]) is None

    @pytest.mark.parametrize(
        ("value", "match"),
        [
            ("partner_id.name", "dotted"),
            (["partner_id.name"], "dotted"),
            ("id,,name", "invalid field name"),
            ("id,", "invalid field name"),
            ("id;drop", "invalid field name"),
            ([1], "invalid field name"),
            ([None], "invalid field name"),
            (["a b"], "invalid field name"),
            ("('id')", "list of field names"),
            ("{'id': 1}", "invalid field name"),
            (5, "list of field names"),
            ("[__import__('os')]", "literals"),
            ([["id"]], "invalid field name"),
        ],
    )
    def test_rejected(self, value: Any, match: str) -> None:
        bad(params.parse_fields, value, match=match)

    def test_cap(self) -> None:
        names = [f"f{i}" for i in range(1001)]
        bad(params.parse_fields, names, match="too many")
        bad(params.parse_fields, ",".join(names), match="too many")
        assert params.parse_fields(names[:1000]) == names[:1000]


class TestParseOrder:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("name desc, id asc", "name desc, id asc"),
            ("  name   DESC ,id", "name desc, id"),
            ("date_order desc NULLS LAST", "date_order desc nulls last"),
            ("name nulls first", "name nulls first"),
            ("partner_id.name asc", "partner_id.name asc"),
            ("id", "id"),
            (None, None),
            ("", None),
            ("  ", None),
        ],
    )
    def test_accepted(self, value: Any, expected: str | None) -> None:
        assert params.parse_order(value) == expected

    @pytest.mark.parametrize(
        "value",
        [
            "id; drop table res_partner",
            "id desc, (select 1)",
            "id desc,",
            ",id",
            "id desc desc",
            "id asc nulls",
            "id nulls middle",
            "(id)",
            '"id"',
            "id--",
            "id /* x */",
            "a.b.c",
            "id\ndesc; select",
            "case when 1=1 then id end",
            'id collate "C"',
            "1",
            "id::text",
            ["id"],
            5,
        ],
    )
    def test_rejected(self, value: Any) -> None:
        bad(params.parse_order, value, match="order")

    def test_caps(self) -> None:
        bad(params.parse_order, ", ".join(["id"] * 33), match="too many terms")
        bad(params.parse_order, "a" * 1025, match="too long")


# --- numbers and ids ----------------------------------------------------------------


class TestNumbers:
    def test_parse_int(self) -> None:
        assert params.parse_int(5, name="n") == 5
        assert params.parse_int(" 7 ", name="n") == 7
        assert params.parse_int("+7", name="n") == 7
        assert params.parse_int(None, name="n", default=3) == 3
        assert params.parse_int("", name="n") is None
        assert params.parse_int("-2", name="n", minimum=-5) == -2

    @pytest.mark.parametrize(
        ("value", "match"),
        [
            (True, "must be an integer"),
            (False, "must be an integer"),
            ("true", "must be an integer"),
            (1.5, "must be an integer"),
            (2.0, "must be an integer"),
            ("1.0", "must be an integer"),
            ("1e3", "must be an integer"),
            ("0x10", "must be an integer"),
            ("\u0661\u0662", "must be an integer"),
            ("9" * 30, "must be an integer"),
            ([1], "must be an integer"),
            ("-1", "at least 0"),
            (11, "at most 10"),
        ],
    )
    def test_parse_int_rejected(self, value: Any, match: str) -> None:
        err = bad(params.parse_int, value, name="count", maximum=10, match=match)
        assert "count" in err.message

    def test_limit_offset(self) -> None:
        assert params.parse_limit_offset(None, None) == (80, 0)
        assert params.parse_limit_offset(20, 3) == (20, 3)
        assert params.parse_limit_offset("1000", "0") == (1000, 0)
        assert params.parse_limit_offset(None, None, default_limit=10, max_limit=50) == (10, 0)

    @pytest.mark.parametrize(
        ("limit", "offset", "match"),
        [
            # one message for every limit out of range (issue #13: 0 and -1 disagreed)
            (0, 0, "limit must be between 1 and 1000, got 0"),
            ("0", None, "Odoo's 0"),
            (1001, 0, "limit must be between 1 and 1000, got 1001"),
            (-1, 0, "limit must be between 1 and 1000, got -1"),
            (True, 0, "limit must be an integer"),
            (10, -1, "offset must be at least 0"),
            (10, "x", "offset must be an integer"),
            (10, 2**31, "offset must be at most"),
        ],
    )
    def test_limit_offset_rejected(self, limit: Any, offset: Any, match: str) -> None:
        bad(params.parse_limit_offset, limit, offset, match=match)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            # Python's message keeps its opening quote
            ("[('a", "domain is not a valid literal: unterminated string literal"),
            ("[('a', '=', 1)", "domain is not a valid literal: '[' was never closed"),
            # malformed JSON is reported as JSON
            ('[["a", "=",', "domain is not valid JSON: "),
            ('[["a", "=", true', "domain is not valid JSON: "),
        ],
    )
    def test_syntax_errors_say_what_is_wrong(self, text: str, message: str) -> None:
        with pytest.raises(BadRequest) as caught:
            params.parse_literal(text, what="domain")
        assert caught.value.message.startswith(message), caught.value.message

    def test_parse_id(self) -> None:
        assert params.parse_id("68") == 68
        assert params.parse_id("007") == 7
        assert params.parse_id(str(2**31 - 1)) == 2**31 - 1

    @pytest.mark.parametrize(
        "text",
        ["0", "-1", "abc", "1.0", "", " 1", "1 ", "+1", "2147483648", "99999999999", "\u0661"],
    )
    def test_parse_id_rejected(self, text: str) -> None:
        bad(params.parse_id, text, match="id must be a positive integer")

    def test_parse_id_non_string(self) -> None:
        bad(params.parse_id, True, match="id must be a positive integer")
        bad(params.parse_id, None, match="id must be a positive integer")

    def test_parse_ids(self) -> None:
        assert params.parse_ids("1,2,3") == [1, 2, 3]
        assert params.parse_ids(" 3, 1 ,3") == [3, 1]
        assert params.parse_ids([1, 2]) == [1, 2]
        assert params.parse_ids("[1, 2]") == [1, 2]
        assert params.parse_ids("(1, 2)") == [1, 2]
        assert params.parse_ids(7) == [7]
        assert params.parse_ids(None) == []
        assert params.parse_ids("") == []

    @pytest.mark.parametrize(
        "value",
        [
            "1,a",
            "1,,2",
            "1,",
            "[1, '2']",
            "[True]",
            [True],
            [1.0],
            ["1"],
            [0],
            "-1",
            {"a": 1},
            0,
            "[[1]]",
            "{1}",
        ],
    )
    def test_parse_ids_rejected(self, value: Any) -> None:
        err = bad(params.parse_ids, value)
        assert "ids" in err.message

    def test_parse_ids_cap(self) -> None:
        bad(params.parse_ids, list(range(1, 1002)), match="too many")
        bad(params.parse_ids, ",".join(map(str, range(1, 1002))), match="too many")
        assert len(params.parse_ids(list(range(1, 1001)))) == 1000


# --- context, method calls, names ---------------------------------------------------


class TestContext:
    def test_forms(self) -> None:
        ctx = {
            "lang": "fr_FR",
            "tz": "Europe/Brussels",
            "active_test": False,
            "allowed_company_ids": [1],
        }
        assert params.parse_context(ctx) == ctx
        assert params.parse_context('{"lang": "en_US", "bin_size": true}') == {
            "lang": "en_US",
            "bin_size": True,
        }
        assert params.parse_context("{'active_test': False}") == {"active_test": False}
        assert params.parse_context(None) == {}
        assert params.parse_context("") == {}

    @pytest.mark.parametrize(
        ("value", "match"),
        [
            ("[1]", "object"),
            ([("lang", "fr")], "object"),
            (5, "object"),
            ({"bad key": 1}, "invalid key"),
            ({"1a": 1}, "invalid key"),
            ({"": 1}, "invalid key"),
            ({"a": {1, 2}}, "set"),
            ({f"k{i}": i for i in range(65)}, "too many keys"),
            ({"a": [[[[[[[[[1]]]]]]]]]}, "nested too deeply"),
            ("{'a': __import__('os')}", "literals"),
        ],
    )
    def test_rejected(self, value: Any, match: str) -> None:
        bad(params.parse_context, value, match=match)


class TestArgsKwargs:
    def test_forms(self) -> None:
        assert params.parse_args_kwargs(None, None) == ([], {})
        assert params.parse_args_kwargs([1, (2, 3)], {"limit": 5}) == ([1, [2, 3]], {"limit": 5})
        assert params.parse_args_kwargs("[1, 'a']", "{'raise_exception': False}") == (
            [1, "a"],
            {"raise_exception": False},
        )
        assert params.parse_args_kwargs('[{"a": 1}]', '{"context": {"lang": "fr_FR"}}') == (
            [{"a": 1}],
            {"context": {"lang": "fr_FR"}},
        )

    @pytest.mark.parametrize(
        ("args", "kwargs", "match"),
        [
            ("{'a': 1}", None, "args must be a list"),
            (5, None, "args must be a list"),
            (None, "[1]", "kwargs must be an object"),
            (None, {"a-b": 1}, "invalid argument name"),
            (None, {"1": 1}, "invalid argument name"),
            (None, {"context": "[1]"}, "context must be an object"),
            (None, {"context": {"a b": 1}}, "context: invalid key"),
            ("[os.system('id')]", None, "literals"),
            ("[1, {2}]", None, "set"),
        ],
    )
    def test_rejected(self, args: Any, kwargs: Any, match: str) -> None:
        bad(params.parse_args_kwargs, args, kwargs, match=match)


class TestMethodName:
    def test_allowed(self) -> None:
        params.check_method_name("action_confirm", deny=params.DEFAULT_METHOD_DENY, allow=None)
        params.check_method_name("search_read", deny=params.DEFAULT_METHOD_DENY, allow=None)
        params.check_method_name("read", deny=(), allow={"read"})

    @pytest.mark.parametrize("name", ["_compute_x", "__init__", "_", "__class__"])
    def test_private(self, name: str) -> None:
        with pytest.raises(MethodForbidden, match="private methods cannot be called") as info:
            params.check_method_name(name, deny=(), allow=None)
        assert info.value.status == 403

    @pytest.mark.parametrize(
        "name", ["sudo", "with_user", "with_context", "unlink", "write", "load"]
    )
    def test_denied(self, name: str) -> None:
        with pytest.raises(MethodForbidden) as info:
            params.check_method_name(name, deny=params.DEFAULT_METHOD_DENY, allow=None)
        assert info.value.status == 403

    def test_not_in_allow_list(self) -> None:
        with pytest.raises(MethodForbidden, match="allowed"):
            params.check_method_name("action_confirm", deny=(), allow=["read"])

    @pytest.mark.parametrize("name", ["", "1abc", "a-b", "a.b", "a b", "é", "a" * 129, "x\n"])
    def test_malformed(self, name: str) -> None:
        err = bad(params.check_method_name, name, deny=(), allow=None)
        assert not isinstance(err, MethodForbidden)


class TestModelName:
    @pytest.mark.parametrize(
        "name", ["sale.order", "res.partner", "x_custom", "ir.model.fields", "_a"]
    )
    def test_accepted(self, name: str) -> None:
        assert params.parse_model_name(name) == name

    @pytest.mark.parametrize(
        "name",
        [
            "",
            "Sale.Order",
            "sale..order",
            "sale.",
            ".sale",
            "sale order",
            "1.a" * 0 + "a/b",
            "a" * 129,
            "a\n",
            "a.B",
        ],
    )
    def test_rejected(self, name: str) -> None:
        bad(params.parse_model_name, name, match="invalid model name")


# --- fuzz: only success or BadRequest, never another exception ----------------------


_ALPHABET = string.printable + "éü\u00a0\u2028"
_PIECES = [
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    ",",
    ":",
    "'",
    '"',
    "0",
    "1",
    "-",
    ".",
    "e",
    "j",
    "'id'",
    "'='",
    "'|'",
    "'&'",
    "'!'",
    "'in'",
    "'any'",
    "True",
    "None",
    "__import__",
    "lambda",
    "b'",
    "1e999",
    "*",
    "**",
    " ",
    "\\",
    "\\x00",
    "'a.b'",
    "'name desc'",
    "nulls",
    "desc",
]


def _random_text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 40)))
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 60)))


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.4:
        return rng.choice(
            [
                None,
                True,
                False,
                0,
                1,
                -1,
                10,
                2**40,
                1.5,
                "id",
                "=",
                "|",
                "!",
                "&",
                "in",
                "a.b",
                "",
                "x y",
            ]
        )
    if roll < 0.7:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if roll < 0.8:
        return tuple(_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    if roll < 0.9:
        return {
            rng.choice(["id", "a", "lang", "x y"]): _random_value(rng, depth + 1) for _ in range(2)
        }
    return _random_text(rng)


_PARSERS: list[Any] = [
    lambda v: params.parse_domain(v),
    lambda v: params.parse_fields(v),
    lambda v: params.parse_order(v),
    lambda v: params.parse_context(v),
    lambda v: params.parse_ids(v),
    lambda v: params.parse_args_kwargs(v, v),
    lambda v: params.parse_int(v, name="n"),
    lambda v: params.parse_limit_offset(v, v),
    lambda v: params.parse_literal(v, what="x") if isinstance(v, str) else None,
    lambda v: params.parse_id(v) if isinstance(v, str) else None,
    lambda v: params.parse_model_name(v) if isinstance(v, str) else None,
    lambda v: (
        params.decode_body(v.encode("utf-8", "surrogatepass"), None) if isinstance(v, str) else None
    ),
]


def test_fuzz_only_bad_request() -> None:
    rng = random.Random(20240611)
    for case in range(2000):
        value = _random_text(rng) if case % 2 else _random_value(rng)
        for parse in _PARSERS:
            with contextlib.suppress(BadRequest):
                parse(value)
