"""Create and write bodies, and the many2one and x2many value forms they accept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .. import params, values
from .common import FALSE, ID_MAX, NULL, PAIR_ITEM, FieldsInfo, id_schema
from .records import (
    _DATE_PATTERN,
    _DATETIME_PATTERN,
    _TEXT_TYPES,
    _X2MANY,
    _annotate,
    _selection_schema,
)

_INT4_MIN: Final = -(2**31)
_INT4_MAX: Final = 2**31 - 1


def _write_value(meta: Mapping[str, Any]) -> dict[str, Any] | None:
    """The schema of a value a client may send for a field; None means any value.

    ``false`` and ``null`` empty a field, so a required field does not take them.
    """
    ftype = meta.get("type")
    if ftype == "boolean":
        return {"type": "boolean"}
    if ftype in _X2MANY:
        return {"$ref": "#/components/schemas/X2manyValue"}
    if ftype == "many2one":
        name = "Many2oneId" if meta.get("required") else "Many2oneValue"
        return {"$ref": f"#/components/schemas/{name}"}
    base: dict[str, Any]
    if ftype in _TEXT_TYPES or ftype == "reference":
        base = {"type": "string"}
    elif ftype == "integer":
        base = {"type": "integer", "minimum": _INT4_MIN, "maximum": _INT4_MAX}
    elif ftype in ("float", "monetary"):
        base = {"type": "number"}
    elif ftype == "date":
        base = {"type": "string", "format": "date", "pattern": _DATE_PATTERN}
    elif ftype == "datetime":
        base = {"type": "string", "pattern": _DATETIME_PATTERN}
    elif ftype == "selection":
        base = _selection_schema(meta)
    elif ftype == "binary":
        base = {"type": "string", "contentEncoding": "base64"}
    elif ftype == "many2one_reference":
        base = {"type": "integer", "minimum": 0, "maximum": ID_MAX}
    else:
        return None
    if meta.get("required"):
        return base
    return {"anyOf": [base, FALSE, NULL]}


def _required_on_create(meta: Mapping[str, Any]) -> bool:
    """Required by Odoo, and not filled by Odoo itself (no default, not computed)."""
    return bool(meta.get("required")) and not meta.get("depends") and not meta.get("has_default")


def values_schema(fields: FieldsInfo, *, create: bool) -> dict[str, Any]:
    """The body of a create (``create=True``) or write: writable fields only.

    Read-only fields are left out; on create, required fields are required unless
    Odoo fills them itself (``has_default``, set by :func:`collect_models`, or a
    computed field's ``depends``). The seed's ``__api__<field>`` keys (x2many
    commands as a Python literal) are allowed.
    """
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, meta in fields.items():
        if not isinstance(meta, Mapping) or name == "id" or meta.get("readonly"):
            continue
        if not params.is_field_name(name):
            continue
        value = _write_value(meta)
        # Annotations beside a $ref are fine in OpenAPI 3.1 (JSON Schema 2020-12).
        properties[name] = _annotate(value if value is not None else {}, meta, read=False)
        if create and _required_on_create(meta):
            required.append(name)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "patternProperties": {
            f"^{values.API_PREFIX}[a-zA-Z_][a-zA-Z0-9_]*$": {
                "type": "string",
                "description": "The seed's form: x2many commands as a Python literal, "
                "e.g. \"[(0, 0, {'name': 'x'})]\".",
            }
        },
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    if not create:
        schema["minProperties"] = 1
    return schema


def _command(code: int, *rest: dict[str, Any]) -> dict[str, Any]:
    items = [{"const": code}, *rest]
    return {
        "type": "array",
        "prefixItems": items,
        "items": {},
        "minItems": len(items),
        "maxItems": len(items),
    }


def value_schemas() -> dict[str, Any]:
    """The shared ``Many2one*`` and ``X2many*`` schemas that write values point at."""
    record_id = id_schema()
    ids = {"type": "array", "items": record_id, "maxItems": params.MAX_IDS}
    nested = {
        "type": "object",
        "description": "Field values of the related record (its model's write schema).",
    }
    return {
        "Many2oneId": {
            "description": 'The linked record: an id, `{"id": n}`, or the `[id, "name"]` pair '
            "that reads return.",
            "anyOf": [
                record_id,
                {
                    "type": "object",
                    "properties": {"id": record_id},
                    "required": ["id"],
                    "additionalProperties": False,
                },
                {
                    "type": "array",
                    "prefixItems": [record_id, {"anyOf": [{"type": "string"}, FALSE]}],
                    "items": PAIR_ITEM,
                    "minItems": 2,
                    "maxItems": 2,
                },
            ],
        },
        "Many2oneValue": {
            "description": "The linked record, or false/null to empty the field.",
            "anyOf": [{"$ref": "#/components/schemas/Many2oneId"}, FALSE, NULL],
        },
        "X2manyIds": {
            **ids,
            "description": "The new set of linked records (`[[6, 0, ids]]`).",
        },
        "X2manyCommands": {
            "type": "array",
            "description": "Odoo's own commands: `[0, 0, {...}]` create, `[1, id, {...}]` "
            "update, `[2, id]` delete, `[3, id]` unlink, `[4, id]` link, `[5, 0, 0]` clear, "
            "`[6, 0, ids]` replace.",
            "maxItems": params.MAX_IDS,
            "items": {
                "anyOf": [
                    _command(0, {"const": 0}, nested),
                    _command(1, record_id, nested),
                    _command(2, record_id),
                    _command(3, record_id),
                    _command(4, record_id),
                    _command(5, {"const": 0}, {"const": 0}),
                    _command(6, {"const": 0}, ids),
                ]
            },
        },
        "X2manyRecords": {
            "type": "array",
            "description": 'The new set, as objects: `{"id": n}` keeps or links n, '
            '`{"id": n, ...}` also updates it, `{...}` creates one. On a one2many write, '
            "lines left out are deleted.",
            "maxItems": params.MAX_IDS,
            "items": {
                "anyOf": [
                    record_id,
                    {"type": "object", "properties": {"id": record_id}},
                ]
            },
        },
        "X2manyOperations": {
            "type": "object",
            "description": "Partial edits of the relation.",
            "properties": {
                "clear": {"type": "boolean", "description": "Unlink every record first."},
                "set": {**ids, "description": "Replace the set with these ids."},
                "delete": {**ids, "description": "Delete these records."},
                "remove": {**ids, "description": "Take these records out of the relation."},
                "add": {**ids, "description": "Link these records."},
                "update": {
                    "type": "array",
                    "maxItems": params.MAX_IDS,
                    "items": {
                        "type": "object",
                        "properties": {"id": record_id},
                        "required": ["id"],
                    },
                },
                "create": {"type": "array", "maxItems": params.MAX_IDS, "items": nested},
            },
            "additionalProperties": False,
        },
        "X2manyValue": {
            "description": "A one2many or many2many value, in any of the accepted forms.",
            "anyOf": [
                {"$ref": "#/components/schemas/X2manyIds"},
                {"$ref": "#/components/schemas/X2manyCommands"},
                {"$ref": "#/components/schemas/X2manyRecords"},
                {"$ref": "#/components/schemas/X2manyOperations"},
            ],
        },
    }
