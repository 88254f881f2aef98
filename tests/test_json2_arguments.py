"""JSON-2's named-argument mapping for the model and record methods the query routes use."""

from __future__ import annotations

import pytest

from odoo_restful.errors import InvalidParameters
from odoo_restful.odoo.json2 import known_kind, named_arguments


def test_model_methods_map_positional_arguments_by_name() -> None:
    assert named_arguments("check_object_reference", ["base", "main_company"], {}) == {
        "module": "base",
        "xml_id": "main_company",
    }
    assert named_arguments("name_search", ["Ad"], {"limit": 5}) == {"name": "Ad", "limit": 5}
    assert named_arguments("get_available_models", [], {}) == {}
    body = named_arguments("formatted_read_group", [[], ["state"], ["__count"]], {})
    assert body == {"domain": [], "groupby": ["state"], "aggregates": ["__count"]}


def test_record_methods_take_ids_first() -> None:
    assert named_arguments("has_access", [[], "read"], {}) == {"ids": [], "operation": "read"}
    assert named_arguments("get_external_id", [[1, 3]], {}) == {"ids": [1, 3]}
    assert named_arguments("web_read", [[1], {"name": {}}], {}) == {
        "ids": [1],
        "specification": {"name": {}},
    }
    with pytest.raises(InvalidParameters):
        named_arguments("get_external_id", [], {})
    with pytest.raises(InvalidParameters):
        named_arguments("check_object_reference", ["a", "b", False, "extra"], {})


def test_known_kinds() -> None:
    assert known_kind("name_search") == "model"
    assert known_kind("has_access") == "records"
    assert known_kind("action_confirm") is None
