"""Query and path parameters: paging, order, context, id, and each model's fields and domain."""

from __future__ import annotations

from typing import Any, Final

from .. import params
from .common import DocumentOptions, FieldsInfo, id_schema

_NAME_PATTERN: Final = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
_ORDER_TERM: Final = (
    r"[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)?"
    r"( +(asc|desc|ASC|DESC))?( +(nulls|NULLS) +(first|last|FIRST|LAST))?"
)
_ORDER_PATTERN: Final = rf"^ *{_ORDER_TERM}( *, *{_ORDER_TERM})* *$"
XMLID_PATTERN: Final = r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z0-9_][A-Za-z0-9_.-]*$"
_PATH_PATTERN: Final = r"^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)+$"
_ANY_PATH_PATTERN: Final = r"^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)*$"


def common_parameters(options: DocumentOptions) -> dict[str, Any]:
    return {
        "idempotencyKey": {
            "name": "Idempotency-Key",
            "in": "header",
            "description": "Makes a retry safe: the same key, user and request (method, path, "
            "query, body) within 24 hours gets the first answer (with `Idempotent-Replayed: "
            "true`) without calling Odoo again; another request with the key is 422 "
            "`idempotency_key_reused`, a retry while the first runs is 409 "
            "`idempotency_key_in_use`.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
        },
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
        "total": {
            "name": "total",
            "in": "query",
            "description": "Also answer `total`, the number of matching records (one more "
            "`search_count`).",
            "schema": {"type": "boolean", "default": False},
        },
        "cursor": {
            "name": "cursor",
            "in": "query",
            "description": "Start keyset paging: the answer carries `next`, a cursor for the "
            "following page. `id` is added as the last order term; order terms must be stored "
            "fields of plain types (not many2one).",
            "schema": {"type": "boolean", "default": False},
        },
        "after": {
            "name": "after",
            "in": "query",
            "description": "The `next` cursor of the previous page (same domain, order and "
            "context): records after it, none skipped or repeated while data changes.",
            "schema": {"type": "string", "maxLength": 8192},
        },
        "ids": {
            "name": "ids",
            "in": "query",
            "required": True,
            "description": "Records to change, comma-separated (ids or external ids): one "
            "Odoo call, one transaction.",
            "style": "form",
            "explode": False,
            "schema": {
                "type": "array",
                "items": id_schema(),
                "minItems": 1,
                "maxItems": options.max_batch,
            },
        },
        "upsert": {
            "name": "upsert",
            "in": "query",
            "description": "Create or update by natural key: the fields (comma-separated) each "
            "record is looked up by. One match is written (200), none created (201), several "
            "is a 409. One search per record, then one call per write and one create.",
            "schema": {"type": "string", "maxLength": 1024, "example": "ref"},
        },
        "context": {
            "name": "context",
            "in": "query",
            "description": "Odoo context, merged over the user's own: a JSON object (or the "
            "guide's Python literal).",
            "schema": _json_text(
                {
                    "type": "object",
                    "maxProperties": params.MAX_CONTEXT_KEYS,
                    "propertyNames": {"pattern": _NAME_PATTERN, "maxLength": 256},
                    "properties": {
                        "lang": {"type": "string", "examples": ["en_US"]},
                        "tz": {"type": "string", "examples": ["Europe/Brussels"]},
                        "active_test": {"type": "boolean"},
                        "allowed_company_ids": {"type": "array", "items": id_schema()},
                    },
                }
            ),
            "example": '{"lang": "en_US"}',
        },
        "id": {
            "name": "id",
            "in": "path",
            "required": True,
            "description": "Record id, or an external id (`module.name`, e.g. "
            "`base.main_partner`) resolved as the user.",
            "schema": {
                "anyOf": [
                    id_schema(),
                    {"type": "string", "pattern": XMLID_PATTERN, "maxLength": 256},
                ]
            },
        },
    }


def _json_text(schema: dict[str, Any]) -> dict[str, Any]:
    """A query value that is JSON text: a plain string, since client generators do not
    all take parameters given with ``content`` and Swagger UI shows a string with a
    ``contentMediaType`` as a file upload; the JSON's shape is in ``x-json-schema``."""
    return {"type": "string", "x-json-schema": schema}


def ref_param(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def domain_param(fields: FieldsInfo) -> dict[str, Any]:
    """``domain`` as JSON: a list of ``[field, operator, value]`` and ``'&' '|' '!'``."""
    names = [name for name in fields if params.is_field_name(name)]
    dotted = {"type": "string", "pattern": _PATH_PATTERN, "maxLength": params.MAX_PATH_CHARS}
    any_path = {"type": "string", "pattern": _ANY_PATH_PATTERN, "maxLength": params.MAX_PATH_CHARS}
    path: dict[str, Any] = {"anyOf": [{"enum": names}, dotted]} if names else any_path
    scalar = {"type": ["string", "number", "boolean", "null"]}
    leaf = {
        "type": "array",
        "prefixItems": [
            path,
            {"enum": sorted(params.DOMAIN_OPERATORS)},
            {"anyOf": [scalar, {"type": "array", "items": scalar}]},
        ],
        "items": {},
        "minItems": 3,
        "maxItems": 3,
    }
    return {
        "name": "domain",
        "in": "query",
        "description": "Search domain in Odoo's prefix notation, as JSON (or the guide's "
        "Python literal, e.g. `[('id', '>', 10)]`). The value of `any` / `not any` is a "
        "domain on the related model.",
        "schema": _json_text(
            {
                "type": "array",
                "maxItems": 256,
                "items": {"anyOf": [{"enum": ["&", "|", "!"]}, leaf]},
            }
        ),
        "example": '[["id", ">", 0]]',
    }


def fields_param(fields: FieldsInfo) -> dict[str, Any]:
    names = [name for name in fields if params.is_field_name(name)]
    if names:
        names.append("__xmlid")  # the record's external id (get_external_id)
    return {
        "name": "fields",
        "in": "query",
        "description": "Fields to return (a default list when absent), comma-separated; `__xmlid` "
        "adds each record's external id (flat reads). "
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
