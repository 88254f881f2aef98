"""``GET /api/<model>/aggregate``: grouped aggregates of one model (see ``aggregates``)."""

from __future__ import annotations

from typing import Any

from .. import params
from .common import JSON
from .parameters import ref_param
from .responses import json_ok, responses

_GROUP_KEY = r"^[a-zA-Z_][a-zA-Z0-9_]*(:(day|week|month|quarter|year))?$"
_AGGREGATE_KEY = r"^([a-zA-Z_][a-zA-Z0-9_]*:[a-z_]+|__count)$"
_STATUSES = ("400", "401", "403", "404", "422", "501", "502", "503", "504")


def _list_param(name: str, description: str, pattern: str, *, required: bool) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "style": "form",
        "explode": False,
        "schema": {"type": "array", "items": {"type": "string", "pattern": pattern}},
    }


def aggregate_path(model: str, name: str) -> dict[str, Any]:
    slug = model.replace(".", "_")
    group = {
        "type": "object",
        "description": "One group: each groupby and aggregate key as asked (a many2one "
        "as `[id, name]`, a date group as `[start, label]`), and `__domain`, the "
        "domain of the group's records.",
        "properties": {"__count": {"type": "integer"}, "__domain": {"type": "array", "items": {}}},
        "required": ["__domain"],
    }
    body = {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "data": {"type": "array", "items": group},
        },
        "required": ["count", "data"],
    }
    having = {
        "name": "having",
        "in": "query",
        "description": "A domain on this request's aggregates, e.g. "
        '`[["__count", ">", 2]]` (Odoo 19+; 501 on older versions).',
        "content": {JSON: {"schema": {"type": "array", "maxItems": 32, "items": {}}}},
    }
    return {
        f"/api/{model}/aggregate": {
            "get": {
                "tags": [model],
                "operationId": f"aggregate_{slug}",
                "summary": f"Grouped aggregates of {model} records (read-only)",
                "description": "Over `formatted_read_group` on Odoo 19, `read_group` "
                "before, with one answer shape. Groups are limited by `limit` (default "
                "and maximum: the gateway's maximum page size).",
                "parameters": [
                    _list_param(
                        "groupby",
                        "Fields to group by; dates take a granularity: "
                        "`partner_id,date_order:month` (day, week, month, quarter, year).",
                        _GROUP_KEY,
                        required=True,
                    ),
                    _list_param(
                        "aggregates",
                        "`field:aggregator` (sum, avg, min, max, count, count_distinct, "
                        "bool_and, bool_or, array_agg) or `__count` (the default).",
                        _AGGREGATE_KEY,
                        required=False,
                    ),
                    ref_param(f"{name}Domain"),
                    having,
                    {
                        "name": "order",
                        "in": "query",
                        "description": "Groupby or aggregate keys, each `asc` or `desc`: "
                        "`__count desc, partner_id`.",
                        "schema": {"type": "string", "maxLength": params.MAX_ORDER_CHARS},
                    },
                    ref_param("limit"),
                    ref_param("offset"),
                    ref_param("context"),
                ],
                "responses": {
                    "200": json_ok(f"{model} groups.", body),
                    **responses(_STATUSES),
                },
            }
        }
    }
