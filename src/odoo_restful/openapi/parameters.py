"""Query and path parameters: paging, order, context, id, and each model's fields and domain."""

from __future__ import annotations

from typing import Any, Final

from .. import params
from .common import _JSON, DocumentOptions, FieldsGet, _id_schema

_NAME_PATTERN: Final = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
_ORDER_TERM: Final = (
    r"[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)?"
    r"( +(asc|desc|ASC|DESC))?( +(nulls|NULLS) +(first|last|FIRST|LAST))?"
)
_ORDER_PATTERN: Final = rf"^ *{_ORDER_TERM}( *, *{_ORDER_TERM})* *$"
_PATH_PATTERN: Final = r"^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)+$"


def _common_parameters(options: DocumentOptions) -> dict[str, Any]:
    return {
        "order": {
            "name": "order",
            "in": "query",
            "description": "ORDER BY: `field [asc|desc] [nulls first|last]`, comma-separated.",
            "schema": {
                "type": "string",
                "pattern": _ORDER_PATTERN,
                "maxLength": params.MAX_ORDER_CHARS,
            },
            "example": "id desc",
        },
        "limit": {
            "name": "limit",
            "in": "query",
            "description": "Page size.",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": options.max_limit,
                "default": options.default_limit,
            },
        },
        "offset": {
            "name": "offset",
            "in": "query",
            "description": "Records to skip.",
            "schema": {"type": "integer", "minimum": 0, "maximum": params.MAX_OFFSET, "default": 0},
        },
        "context": {
            "name": "context",
            "in": "query",
            "description": "Odoo context, merged over the user's own: a JSON object (or the "
            "guide's Python literal).",
            "content": {
                _JSON: {
                    "schema": {
                        "type": "object",
                        "maxProperties": params.MAX_CONTEXT_KEYS,
                        "propertyNames": {"pattern": _NAME_PATTERN, "maxLength": 256},
                        "properties": {
                            "lang": {"type": "string", "examples": ["en_US"]},
                            "tz": {"type": "string", "examples": ["Europe/Brussels"]},
                            "active_test": {"type": "boolean"},
                            "allowed_company_ids": {"type": "array", "items": _id_schema()},
                        },
                    },
                    "example": {"lang": "en_US"},
                }
            },
        },
        "id": {
            "name": "id",
            "in": "path",
            "required": True,
            "description": "Record id.",
            "schema": _id_schema(),
        },
    }


def _ref_param(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _domain_param(fields: FieldsGet) -> dict[str, Any]:
    """``domain`` as JSON: a list of ``[field, operator, value]`` and ``'&' '|' '!'``."""
    names = [name for name in fields if params.is_field_name(name)]
    dotted = {"type": "string", "pattern": _PATH_PATTERN, "maxLength": params.MAX_PATH_CHARS}
    path: dict[str, Any] = {"anyOf": [{"enum": names}, dotted]} if names else dotted
    scalar = {"type": ["string", "number", "boolean", "null"]}
    leaf = {
        "type": "array",
        "prefixItems": [
            path,
            {"enum": sorted(params.DOMAIN_OPERATORS)},
            {"anyOf": [scalar, {"type": "array", "items": scalar}]},
        ],
        "items": False,
        "minItems": 3,
        "maxItems": 3,
    }
    return {
        "name": "domain",
        "in": "query",
        "description": "Search domain in Odoo's prefix notation, as JSON (or the guide's "
        "Python literal, e.g. `[('id', '>', 10)]`). The value of `any` / `not any` is a "
        "domain on the related model.",
        "content": {
            _JSON: {
                "schema": {
                    "type": "array",
                    "maxItems": 256,
                    "items": {"anyOf": [{"enum": ["&", "|", "!"]}, leaf]},
                },
                "example": [["id", ">", 0]],
            }
        },
    }


def _fields_param(fields: FieldsGet) -> dict[str, Any]:
    names = [name for name in fields if params.is_field_name(name)]
    return {
        "name": "fields",
        "in": "query",
        "description": "Fields to return (a default list when absent), comma-separated. "
        "Related records' fields nest in braces, read in one Odoo call on Odoo 17+: "
        "`name,partner_id{name,email},order_line{product_id{display_name},price_unit}`, "
        'or the same as Odoo\'s specification JSON, `{"partner_id": {"fields": '
        '{"email": {}}}}`. A many2one with sub-fields comes back as an object '
        "`{id, ...}` (false when empty), an x2many as a list of objects; a many2one "
        f"without sub-fields stays `[id, name]`. At most {params.MAX_TREE_DEPTH} "
        f"levels and {params.MAX_TREE_FIELDS} names.",
        "style": "form",
        "explode": False,
        "schema": {
            "type": "array",
            "items": {"enum": names} if names else {"type": "string", "pattern": _NAME_PATTERN},
            "uniqueItems": True,
        },
    }
