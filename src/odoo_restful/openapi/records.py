"""Each Odoo field type as JSON Schema, the way ``read`` returns it: the record schema."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from .common import FALSE, PAIR_ITEM, FieldsInfo

_DATE_PATTERN: Final = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_DATETIME_PATTERN: Final = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) "
    r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
)
_TEXT_TYPES: Final = frozenset({"char", "text", "html"})
_X2MANY: Final = frozenset({"one2many", "many2many"})


def _annotate(schema: dict[str, Any], meta: Mapping[str, Any], *, read: bool) -> dict[str, Any]:
    title = meta.get("string")
    if isinstance(title, str) and title:
        schema["title"] = title
    help_text = meta.get("help")
    if isinstance(help_text, str) and help_text:
        schema["description"] = help_text
    ftype = meta.get("type")
    if isinstance(ftype, str):
        schema["x-odoo-type"] = ftype
    relation = meta.get("relation")
    if isinstance(relation, str) and relation:
        schema["x-odoo-relation"] = relation
    if read and meta.get("readonly"):
        schema["readOnly"] = True
    return schema


def _selection_keys(meta: Mapping[str, Any]) -> list[Any]:
    keys: list[Any] = []
    selection = meta.get("selection")
    if isinstance(selection, (list, tuple)):
        for item in selection:
            if (
                isinstance(item, (list, tuple))
                and item
                and isinstance(item[0], (str, int))
                and item[0] not in keys
            ):
                keys.append(item[0])
    return keys


def _enum_member(key: str | int) -> str:
    """The member name a client generator derives from a value, at its most lenient."""
    return re.sub(r"[^A-Za-z0-9]", "", str(key)).upper()


def _selection_schema(meta: Mapping[str, Any]) -> dict[str, Any]:
    """An ``enum`` of the keys, unless a client generator could not name its members.

    Generators turn an enum into a class whose member names come from the values;
    values that differ only in case or punctuation (``tz``: ``GMT0``, ``Gmt0``...)
    or mix types would give it duplicate or clashing names, so those stay a string.
    """
    keys = _selection_keys(meta)
    if not keys:  # a selection computed at run time that fields_get did not list
        return {"type": ["string", "integer"]}
    kinds = {type(key) for key in keys}
    members = {_enum_member(key) for key in keys}
    if len(kinds) > 1 or len(members) < len(keys) or "" in members:
        return {"type": "string" if kinds == {str} else ["string", "integer"]}
    return {"type": "string" if kinds == {str} else "integer", "enum": keys}


def _many2one_read() -> dict[str, Any]:
    return {
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"anyOf": [{"type": "string"}, FALSE]}],
        "items": PAIR_ITEM,
        "minItems": 2,
        "maxItems": 2,
        "description": 'The linked record as `[id, "display name"]`.',
    }


def _read_value(meta: Mapping[str, Any]) -> dict[str, Any] | None:
    """The JSON Schema of a value as Odoo reads it, before ``false`` is allowed.

    None means "any JSON value" (json fields and unknown types).
    """
    ftype = meta.get("type")
    if ftype in _TEXT_TYPES:
        return {"type": "string"}
    if ftype == "integer":
        return {"type": "integer"}
    if ftype in ("float", "monetary"):
        return {"type": "number"}
    if ftype == "date":
        return {"type": "string", "format": "date", "pattern": _DATE_PATTERN}
    if ftype == "datetime":
        return {
            "type": "string",
            "pattern": _DATETIME_PATTERN,
            "description": 'UTC, as "YYYY-MM-DD HH:MM:SS".',
        }
    if ftype == "selection":
        return _selection_schema(meta)
    if ftype == "many2one":
        return _many2one_read()
    if ftype in _X2MANY:
        return {"type": "array", "items": {"type": "integer"}}
    if ftype == "binary":
        return {"type": "string", "contentEncoding": "base64"}
    if ftype == "reference":
        return {"type": "string", "description": 'A "model,id" reference.'}
    if ftype == "many2one_reference":
        return {"type": "integer"}
    if ftype in ("properties", "properties_definition"):
        return {"type": "array", "items": {"type": "object"}}
    return None


def _field_read_schema(name: str, meta: Mapping[str, Any]) -> dict[str, Any]:
    if name == "id":
        return _annotate({"type": "integer"}, meta, read=True)
    if meta.get("type") == "boolean":
        return _annotate({"type": "boolean"}, meta, read=True)
    base = _read_value(meta)
    if base is None:
        return _annotate({}, meta, read=True)
    return _annotate({"anyOf": [base, FALSE]}, meta, read=True)


def record_schema(fields: FieldsInfo) -> dict[str, Any]:
    """The schema of one record as ``read``/``search_read`` return it.

    Every field is optional (a ``fields`` list narrows the read) except ``id``.
    """
    properties = {
        name: _field_read_schema(name, meta)
        for name, meta in fields.items()
        if isinstance(meta, Mapping)
    }
    properties.setdefault("id", {"type": "integer"})
    properties["__xmlid"] = {
        "type": ["string", "null"],
        "description": "The record's external id (`module.name`), when `fields` names "
        "`__xmlid`; null without one.",
    }
    return {"type": "object", "properties": properties, "required": ["id"]}
