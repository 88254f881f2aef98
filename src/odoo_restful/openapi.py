"""The OpenAPI 3.1 document of the REST API, built from Odoo's ``fields_get``.

:func:`build_document` is pure: field metadata in, a JSON-ready ``dict`` out.
:func:`collect_models` asks Odoo, as the calling user, for the metadata of the
models that user can read; :class:`DocumentCache` keeps finished documents for a
while, per database, user, language and model list.

Schemas follow what Odoo really sends: ``false`` for most empty values (so every
non-boolean field is ``anyOf [<type>, {"const": false}]``), many2one as
``[id, "name"]``, x2many as lists of ids, datetimes as ``"YYYY-MM-DD HH:MM:SS"``
(UTC, not RFC 3339: a ``pattern`` says so rather than ``format: date-time``).
Create and write bodies accept every x2many form that ``values.py`` translates.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from . import __version__, params, values
from .errors import (
    AccessError,
    BadRequest,
    Forbidden,
    InvalidParameters,
    OdooError,
    UnknownModel,
)
from .odoo.base import Credential, OdooClient
from .odoo.router import ProtocolRouter

__all__ = [
    "DEFAULT_MODELS",
    "FIELD_ATTRIBUTES",
    "DocumentCache",
    "DocumentOptions",
    "FieldsGet",
    "build_document",
    "collect_models",
    "generate",
    "parse_models",
    "record_schema",
    "values_schema",
]

FieldsGet = Mapping[str, Mapping[str, Any]]
"""A ``fields_get`` result: field name -> attributes (``type``, ``string``...)."""

OPENAPI_VERSION: Final = "3.1.0"
#: Models described when the caller names none; each only if the user can read it.
DEFAULT_MODELS: Final = (
    "res.partner",
    "res.partner.category",
    "res.country",
    "res.users",
    "product.product",
    "sale.order",
    "sale.order.line",
)
#: What ``collect_models`` asks ``fields_get`` for.
FIELD_ATTRIBUTES: Final = (
    "type",
    "depends",
    "string",
    "help",
    "required",
    "readonly",
    "relation",
    "selection",
)
MAX_MODELS: Final = 100

_ID_MAX: Final = params.MAX_RECORD_ID
_INT4_MIN: Final = -(2**31)
_INT4_MAX: Final = 2**31 - 1
_DATE_PATTERN: Final = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_DATETIME_PATTERN: Final = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) "
    r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
)
_NAME_PATTERN: Final = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
_ORDER_TERM: Final = (
    r"[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)?"
    r"( +(asc|desc|ASC|DESC))?( +(nulls|NULLS) +(first|last|FIRST|LAST))?"
)
_ORDER_PATTERN: Final = rf"^ *{_ORDER_TERM}( *, *{_ORDER_TERM})* *$"
_METHOD_PATTERN: Final = r"^[a-zA-Z][a-zA-Z0-9_]*$"
_PATH_PATTERN: Final = r"^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)+$"
_TEXT_TYPES: Final = frozenset({"char", "text", "html"})
_X2MANY: Final = frozenset({"one2many", "many2many"})
_FALSE: Final = {"const": False}
_NULL: Final = {"type": "null"}
_JSON: Final = "application/json"
_FORM: Final = "application/x-www-form-urlencoded"
_SECURITY: Final[list[dict[str, list[str]]]] = [
    {"accessToken": []},
    {"bearer": []},
    {"accessTokenQuery": []},
]

# Statuses documented on the routes that need a token and may call Odoo.
_ODOO_ERRORS: Final = ("400", "401", "403", "404", "413", "422", "502", "503", "504")
_ERROR_TEXT: Final = {
    "400": "Malformed parameter, literal, JSON or id (`bad_request`, `missing_parameters`).",
    "401": "Missing, unknown, revoked or expired token, or credentials refused "
    "(`invalid_token`, `token_expired`, `invalid_credentials`).",
    "403": "Odoo's access rights or record rules, a private or denied method, or the "
    "token's scopes (`access_error`, `method_forbidden`, `scope_denied`).",
    "404": "Record gone or not readable; no such model, method, database or route "
    "(`missing_error`, `unknown_model`, `unknown_method`, `not_found`).",
    "405": "Wrong HTTP method (`method_not_allowed`).",
    "413": "Body over the size limit, or more records than the batch limit (`payload_too_large`).",
    "422": "Odoo refused the values or arguments: ValidationError, UserError, unknown "
    "field, bad value (`validation_error`, `user_error`, `invalid_parameters`).",
    "429": "Too many failed logins (`too_many_requests`); see `Retry-After`.",
    "502": "Odoo answered badly or failed (`bad_gateway`, `odoo_server_error`).",
    "503": "Odoo is unreachable (`odoo_unavailable`); see `Retry-After`.",
    "504": "Odoo took too long (`odoo_timeout`).",
}


_ERROR_EXAMPLES: Final = {
    "400": ("bad_request", "domain item 0: unknown operator '~'"),
    "401": ("invalid_token", "this access token is not valid"),
    "403": ("access_error", "You are not allowed to access 'Sales Order' (sale.order) records."),
    "404": ("missing_error", "res.partner record 42 does not exist or is not readable"),
    "405": ("method_not_allowed", "PUT is not allowed on this path"),
    "413": ("payload_too_large", "request body larger than 1048576 bytes"),
    "422": ("validation_error", "The operation cannot be completed: Contacts require a name"),
    "429": ("too_many_requests", "too many failed logins; retry later"),
    "502": ("bad_gateway", "Odoo's reply to /jsonrpc is not JSON-RPC"),
    "503": ("odoo_unavailable", "cannot reach Odoo: ClientConnectorError"),
    "504": ("odoo_timeout", "Odoo did not answer in time"),
}


@dataclass(frozen=True, slots=True)
class DocumentOptions:
    """What the document says beyond the models: limits, scopes and words."""

    title: str = "odoo-restful"
    description: str = ""
    version: str = __version__
    default_limit: int = 80
    max_limit: int = 1000
    max_batch: int = 100
    #: Leave out create, write, delete and method calls (a read-only token).
    read_only: bool = False
    #: When set, the only method names the method-call route accepts.
    methods: Collection[str] | None = None
    #: Models asked for but left out (unknown, or not readable by the user).
    unavailable: Sequence[str] = field(default_factory=tuple)


# --- field schemas ----------------------------------------------------------------


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


def _selection_schema(meta: Mapping[str, Any]) -> dict[str, Any]:
    keys = _selection_keys(meta)
    if not keys:  # a selection computed at run time that fields_get did not list
        return {"type": ["string", "integer"]}
    return {"enum": keys}


def _id_schema() -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": _ID_MAX}


def _many2one_read() -> dict[str, Any]:
    return {
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"anyOf": [{"type": "string"}, _FALSE]}],
        "items": False,
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
    return _annotate({"anyOf": [base, _FALSE]}, meta, read=True)


def record_schema(fields: FieldsGet) -> dict[str, Any]:
    """The schema of one record as ``read``/``search_read`` return it.

    Every field is optional (a ``fields`` list narrows the read) except ``id``.
    """
    properties = {
        name: _field_read_schema(name, meta)
        for name, meta in fields.items()
        if isinstance(meta, Mapping)
    }
    properties.setdefault("id", {"type": "integer"})
    return {"type": "object", "properties": properties, "required": ["id"]}


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
        base = {"type": "integer", "minimum": 0, "maximum": _ID_MAX}
    else:
        return None
    if meta.get("required"):
        return base
    return {"anyOf": [base, _FALSE, _NULL]}


def _required_on_create(meta: Mapping[str, Any]) -> bool:
    """Required by Odoo, and not filled by Odoo itself (no default, not computed)."""
    return bool(meta.get("required")) and not meta.get("depends") and not meta.get("has_default")


def values_schema(fields: FieldsGet, *, create: bool) -> dict[str, Any]:
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


# --- shared components --------------------------------------------------------------


def _command(code: int, *rest: dict[str, Any]) -> dict[str, Any]:
    items = [{"const": code}, *rest]
    return {
        "type": "array",
        "prefixItems": items,
        "items": False,
        "minItems": len(items),
        "maxItems": len(items),
    }


def _shared_schemas() -> dict[str, Any]:
    record_id = _id_schema()
    ids = {"type": "array", "items": record_id, "maxItems": params.MAX_IDS}
    nested = {
        "type": "object",
        "description": "Field values of the related record (its model's write schema).",
    }
    return {
        "Error": {
            "type": "object",
            "properties": {
                "type": {
                    "type": "string",
                    "description": "Stable, machine-readable error type.",
                    "examples": ["missing_error"],
                },
                "message": {"type": "string", "description": "What went wrong, in words."},
            },
            "required": ["type", "message"],
        },
        "Token": {
            "type": "object",
            "properties": {
                "access_token": {"type": "string"},
                "token_type": {"const": "Bearer"},
                "expires_in": {"type": "integer", "description": "Seconds."},
                "uid": {"type": "integer"},
                "user_context": {"type": "object"},
                "company_id": {"type": ["integer", "null"]},
                "company_ids": {"type": "array", "items": {"type": "integer"}},
                "partner_id": {"type": ["integer", "null"]},
                "name": {"type": ["string", "null"]},
                "login": {"type": ["string", "null"]},
                "company_name": {"type": ["string", "null"]},
                "country": {"type": ["string", "null"]},
                "contact_address": {"type": ["string", "null"]},
                "currency": {"type": ["string", "null"]},
            },
            "required": ["access_token", "token_type", "expires_in", "uid"],
        },
        "TokenRequest": {
            "type": "object",
            "properties": {
                "login": {"type": "string", "maxLength": 1024},
                "password": {
                    "type": "string",
                    "maxLength": 1024,
                    "description": "The Odoo password or an Odoo API key.",
                },
                "db": {"type": "string", "maxLength": 1024},
                "read_only": {"type": "boolean", "description": "Scope: reads only."},
                "models": {
                    "type": "string",
                    "description": "Scope: comma-separated models the token may use.",
                },
                "methods": {
                    "type": "string",
                    "description": "Scope: comma-separated methods it may call.",
                },
            },
        },
        "Scopes": {
            "type": "object",
            "properties": {
                "read_only": {"type": "boolean"},
                "models": {"type": "string"},
                "methods": {"type": "string"},
            },
        },
        "Message": {
            "type": "object",
            "properties": {
                "count": {"type": "integer", "minimum": 0},
                "data": {
                    "type": "object",
                    "properties": {
                        "message": {"type": "string"},
                        "revoked": {"type": "integer"},
                    },
                    "required": ["message"],
                },
            },
            "required": ["count", "data"],
        },
        "Deleted": {
            "type": "object",
            "properties": {
                "count": {"const": 1},
                "data": {
                    "type": "object",
                    "properties": {"id": record_id, "deleted": {"const": True}},
                    "required": ["id", "deleted"],
                },
            },
            "required": ["count", "data"],
        },
        "MethodResult": {
            "type": "object",
            "properties": {
                "count": {"type": "integer", "minimum": 0},
                "data": {"description": "Whatever the method returned."},
            },
            "required": ["count", "data"],
        },
        "MethodCall": {
            "type": "object",
            "properties": {
                "args": {
                    "description": "Positional arguments after the record ids: a JSON list "
                    "or a Python-literal string.",
                    "anyOf": [{"type": "array"}, {"type": "string"}],
                },
                "kwargs": {
                    "description": "Keyword arguments: a JSON object or a Python-literal string.",
                    "anyOf": [{"type": "object"}, {"type": "string"}],
                },
                "context": {
                    "description": "Odoo context, merged over the user's own.",
                    "anyOf": [{"type": "object"}, {"type": "string"}],
                },
            },
        },
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
                    "prefixItems": [record_id, {"anyOf": [{"type": "string"}, _FALSE]}],
                    "items": False,
                    "minItems": 2,
                    "maxItems": 2,
                },
            ],
        },
        "Many2oneValue": {
            "description": "The linked record, or false/null to empty the field.",
            "anyOf": [{"$ref": "#/components/schemas/Many2oneId"}, _FALSE, _NULL],
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
        "Health": {
            "type": "object",
            "properties": {"status": {"const": "ok"}, "version": {"type": "string"}},
            "required": ["status", "version"],
        },
    }


def _security_schemes() -> dict[str, Any]:
    return {
        "accessToken": {
            "type": "apiKey",
            "in": "header",
            "name": "access-token",
            "description": "The token from `/api/auth/token` (the seed module's header).",
        },
        "bearer": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer`."},
        "accessTokenQuery": {
            "type": "apiKey",
            "in": "query",
            "name": "access_token",
            "description": "The token as a query parameter (it may then land in proxy logs).",
        },
    }


def _responses(statuses: Iterable[str]) -> dict[str, Any]:
    return {status: {"$ref": f"#/components/responses/E{status}"} for status in statuses}


def _error_responses() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, text in _ERROR_TEXT.items():
        error_type, message = _ERROR_EXAMPLES[status]
        response: dict[str, Any] = {
            "description": text,
            "content": {
                _JSON: {
                    "schema": {"$ref": "#/components/schemas/Error"},
                    "example": {"type": error_type, "message": message},
                }
            },
        }
        if status == "400":
            # uvicorn itself refuses malformed HTTP, and request lines or headers over
            # 64 KiB, in plain text, before the gateway's code sees the request.
            response["content"]["text/plain"] = {
                "schema": {"type": "string"},
                "example": "Invalid HTTP request received.",
            }
        if status in ("429", "503"):
            response["headers"] = {
                "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
            }
        if status == "401":
            response["headers"] = {
                "WWW-Authenticate": {"description": "`Bearer`.", "schema": {"type": "string"}}
            }
        out[f"E{status}"] = response
    return out


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
        "description": "Fields to return (all when absent), comma-separated.",
        "style": "form",
        "explode": False,
        "schema": {
            "type": "array",
            "items": {"enum": names} if names else {"type": "string", "pattern": _NAME_PATTERN},
            "uniqueItems": True,
        },
    }


def _envelope(ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "data": {"type": "array", "items": {"$ref": ref}},
        },
        "required": ["count", "data"],
    }


def _json_ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": schema}}}


_SUFFIXES: Final = ("", "Create", "Write", "Fields", "Domain")


def component_names(models: Iterable[str]) -> dict[str, str]:
    """``res.partner`` -> ``ResPartner``; unique even when two models collapse alike.

    Each model also owns ``<name>Create``, ``<name>Write``, ``<name>Fields`` and
    ``<name>Domain``: no name is handed out that would clash with one of those.
    """
    out: dict[str, str] = {}
    used: set[str] = set(_RESERVED)
    for model in models:
        base = "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]", model) if part)
        base = base or "Model"
        name, n = base, 2
        while any(name + suffix in used for suffix in _SUFFIXES):
            name, n = f"{base}{n}", n + 1
        used.update(name + suffix for suffix in _SUFFIXES)
        out[model] = name
    return out


_RESERVED: Final = frozenset(
    {
        "Error",
        "Token",
        "TokenRequest",
        "Scopes",
        "Message",
        "Deleted",
        "MethodResult",
        "MethodCall",
        "Many2oneId",
        "Many2oneValue",
        "X2manyIds",
        "X2manyCommands",
        "X2manyRecords",
        "X2manyOperations",
        "X2manyValue",
        "Health",
    }
)


def _model_paths(
    model: str, name: str, fields: FieldsGet, options: DocumentOptions
) -> dict[str, Any]:
    """The three paths of one model: collection, record, method call."""
    tag = [model]
    fields_param = _ref_param(f"{name}Fields")
    record_ref = f"#/components/schemas/{name}"
    many = _json_ok(f"{model} records.", _envelope(record_ref))
    slug = model.replace(".", "_")
    collection: dict[str, Any] = {
        "get": {
            "tags": tag,
            "operationId": f"search_{slug}",
            "summary": f"Search and read {model} records",
            "parameters": [
                _ref_param(f"{name}Domain"),
                fields_param,
                _ref_param("order"),
                _ref_param("limit"),
                _ref_param("offset"),
                _ref_param("context"),
            ],
            "responses": {"200": many, **_responses(_ODOO_ERRORS)},
        }
    }
    record: dict[str, Any] = {
        "parameters": [_ref_param("id")],
        "get": {
            "tags": tag,
            "operationId": f"read_{slug}",
            "summary": f"Read one {model} record",
            "parameters": [fields_param, _ref_param("context")],
            "responses": {"200": many, **_responses(_ODOO_ERRORS)},
        },
    }
    paths = {f"/api/{model}": collection, f"/api/{model}/{{id}}": record}
    if options.read_only:
        return paths
    create_ref = {"$ref": f"#/components/schemas/{name}Create"}
    collection["post"] = {
        "tags": tag,
        "operationId": f"create_{slug}",
        "summary": f"Create {model} records (one object, or a list in one transaction)",
        "parameters": [fields_param, _ref_param("context")],
        "requestBody": {
            "required": True,
            "content": {
                _JSON: {
                    "schema": {
                        "anyOf": [
                            create_ref,
                            {
                                "type": "array",
                                "items": create_ref,
                                "minItems": 1,
                                "maxItems": options.max_batch,
                            },
                        ]
                    }
                }
            },
        },
        "responses": {
            "201": _json_ok(f"The created {model} records, read back.", _envelope(record_ref)),
            **_responses(_ODOO_ERRORS),
        },
    }
    for verb in ("put", "patch"):
        record[verb] = {
            "tags": tag,
            "operationId": f"{'write' if verb == 'put' else 'patch'}_{slug}",
            "summary": f"Write a {model} record, then read it back",
            "parameters": [fields_param, _ref_param("context")],
            "requestBody": {
                "required": True,
                "content": {_JSON: {"schema": {"$ref": f"#/components/schemas/{name}Write"}}},
            },
            "responses": {"200": many, **_responses(_ODOO_ERRORS)},
        }
    record["delete"] = {
        "tags": tag,
        "operationId": f"delete_{slug}",
        "summary": f"Delete a {model} record",
        "parameters": [_ref_param("context")],
        "responses": {
            "200": _json_ok("Deleted.", {"$ref": "#/components/schemas/Deleted"}),
            **_responses(_ODOO_ERRORS),
        },
    }
    method_schema: dict[str, Any] = {
        "type": "string",
        "pattern": _METHOD_PATTERN,
        "maxLength": params.MAX_METHOD_CHARS,
    }
    if options.methods is not None:
        if not options.methods:  # the token may call no method at all
            return paths
        method_schema = {"enum": sorted(options.methods)}
    call = {
        "tags": tag,
        "summary": f"Call a public method on a {model} record",
        "requestBody": {
            "required": False,
            "content": {
                _JSON: {"schema": {"$ref": "#/components/schemas/MethodCall"}},
                _FORM: {"schema": {"$ref": "#/components/schemas/MethodCall"}},
            },
        },
        "responses": {
            "200": _json_ok("The method's result.", {"$ref": "#/components/schemas/MethodResult"}),
            **_responses(_ODOO_ERRORS),
        },
    }
    paths[f"/api/{model}/{{id}}/{{method}}"] = {
        "parameters": [
            _ref_param("id"),
            {
                "name": "method",
                "in": "path",
                "required": True,
                "description": "A public method (no leading underscore, not on the deny-list).",
                "schema": method_schema,
            },
        ],
        "post": {**call, "operationId": f"call_{slug}"},
        "patch": {**call, "operationId": f"call_patch_{slug}"},
    }
    return paths


def _auth_paths() -> dict[str, Any]:
    token_ok = _json_ok("A new token (shown once).", {"$ref": "#/components/schemas/Token"})
    issue_errors = _responses(("400", "401", "403", "404", "413", "429", "502", "503", "504"))
    token_form = {"$ref": "#/components/schemas/TokenRequest"}
    query = [
        {"name": name, "in": "query", "schema": {"type": "string", "maxLength": 1024}}
        for name in ("login", "password", "db")
    ]
    token_errors = _responses(("400", "401", "403", "413", "502", "503", "504"))
    return {
        "/api/auth/token": {
            "get": {
                "tags": ["auth"],
                "operationId": "issue_token_get",
                "summary": "Issue a token (the seed's GET form; prefer POST)",
                "security": [],
                "parameters": query,
                "responses": {"200": token_ok, **issue_errors},
            },
            "post": {
                "tags": ["auth"],
                "operationId": "issue_token",
                "summary": "Issue a token for an Odoo login and password (or API key)",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {_JSON: {"schema": token_form}, _FORM: {"schema": token_form}},
                },
                "responses": {"200": token_ok, **issue_errors},
            },
            "delete": {
                "tags": ["auth"],
                "operationId": "revoke_token",
                "summary": "Revoke the token sent with the request",
                "responses": {
                    "200": _json_ok("Revoked.", {"$ref": "#/components/schemas/Message"}),
                    **token_errors,
                },
            },
        },
        "/api/auth/token/refresh": {
            "post": {
                "tags": ["auth"],
                "operationId": "refresh_token",
                "summary": "A new token for the same user (scopes only narrowed); the old one "
                "stops working",
                "requestBody": {
                    "required": False,
                    "content": {_JSON: {"schema": {"$ref": "#/components/schemas/Scopes"}}},
                },
                "responses": {"200": token_ok, **token_errors},
            }
        },
        "/api/auth/tokens": {
            "delete": {
                "tags": ["auth"],
                "operationId": "revoke_all_tokens",
                "summary": "Revoke every token of the calling user on this database",
                "responses": {
                    "200": _json_ok("Revoked.", {"$ref": "#/components/schemas/Message"}),
                    **token_errors,
                },
            }
        },
    }


def _meta_paths() -> dict[str, Any]:
    return {
        "/api/openapi.json": {
            "get": {
                "tags": ["meta"],
                "operationId": "openapi",
                "summary": "This document, for the models the token's user can read",
                "parameters": [
                    {
                        "name": "models",
                        "in": "query",
                        "description": "Comma-separated models to describe "
                        f"(default: {', '.join(DEFAULT_MODELS)}).",
                        "schema": {"type": "string", "maxLength": 8192},
                    }
                ],
                "responses": {
                    "200": _json_ok("An OpenAPI 3.1 document.", {"type": "object"}),
                    **_responses(("400", "401", "403", "404", "413", "502", "503", "504")),
                },
            }
        },
        "/healthz": {
            "get": {
                "tags": ["meta"],
                "operationId": "healthz",
                "summary": "Liveness",
                "security": [],
                "responses": {"200": _json_ok("Alive.", {"$ref": "#/components/schemas/Health"})},
            }
        },
    }


def build_document(
    models: Mapping[str, FieldsGet],
    *,
    server_url: str | None = None,
    options: DocumentOptions | None = None,
) -> dict[str, Any]:
    """The OpenAPI 3.1 document for these models (name -> ``fields_get`` result).

    ``server_url`` is the gateway's base URL; None gives ``/`` (the server that
    served the document).
    """
    opts = options or DocumentOptions()
    names = component_names(models)
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {**_auth_paths()}
    parameters: dict[str, Any] = {}
    for model, fields in models.items():
        name = names[model]
        schemas[name] = {**record_schema(fields), "title": f"{model} record"}
        if not opts.read_only:
            schemas[f"{name}Create"] = {
                **values_schema(fields, create=True),
                "title": f"{model} create values",
            }
            schemas[f"{name}Write"] = {
                **values_schema(fields, create=False),
                "title": f"{model} write values",
            }
        paths.update(_model_paths(model, name, fields, opts))
        parameters[f"{name}Fields"] = _fields_param(fields)
        parameters[f"{name}Domain"] = _domain_param(fields)
    paths.update(_meta_paths())
    shared = _shared_schemas()
    description = opts.description or (
        "REST API over Odoo. Send the token from `POST /api/auth/token` in an "
        "`access-token` header, as `Authorization: Bearer <token>`, or as an "
        '`access_token` parameter. Success bodies are `{"count", "data"}`; errors are '
        '`{"type", "message"}`.'
    )
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": opts.title, "version": opts.version, "description": description},
        "servers": [{"url": server_url or "/"}],
        "security": _SECURITY,
        "tags": [
            {"name": "auth", "description": "Tokens"},
            *({"name": model} for model in models),
            {"name": "meta", "description": "This document and liveness"},
        ],
        "paths": paths,
        "components": {
            "schemas": {**shared, **schemas},
            "parameters": {**_common_parameters(opts), **parameters},
            "responses": _error_responses(),
            "securitySchemes": _security_schemes(),
        },
    }
    if opts.unavailable:
        document["x-odoo-unavailable-models"] = list(opts.unavailable)
    return document


# --- asking Odoo, caching ---------------------------------------------------------------


def parse_models(value: Any) -> tuple[str, ...] | None:
    """The ``models`` parameter: comma-separated names or a JSON list; None when absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        text = value.strip()
        items: Any = (
            params.parse_literal(text, what="models") if text[0] in "[(" else text.split(",")
        )
    else:
        items = value
    if not isinstance(items, (list, tuple)):
        raise BadRequest("models must be a comma-separated list of model names")
    names: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise BadRequest("models must be a comma-separated list of model names")
        name = item.strip()
        if name:
            names[params.parse_model_name(name)] = None
    if len(names) > MAX_MODELS:
        raise BadRequest(f"models: at most {MAX_MODELS} models per document")
    return tuple(names) or None


async def _describe(
    odoo: OdooClient, cred: Credential, model: str, context: Mapping[str, Any]
) -> FieldsGet | None:
    """``fields_get`` as the user, or None when the model is unknown or not readable.

    ``fields_get`` alone does not check read access in Odoo, so a one-row
    ``search_read`` (what ``GET /api/<model>`` runs) proves the user may read.
    Required fields that Odoo fills itself (a default, or a computed field) are
    marked ``has_default`` so that create bodies need not send them.
    """
    ctx = dict(context)
    try:
        info, _ = await asyncio.gather(
            odoo.call(
                cred,
                model,
                "fields_get",
                [],
                {"attributes": list(FIELD_ATTRIBUTES), "context": ctx},
            ),
            odoo.call_raw(
                cred, model, "search_read", [[]], {"fields": ["id"], "limit": 1, "context": ctx}
            ),
        )
    except (AccessError, UnknownModel, Forbidden):
        return None
    except InvalidParameters as exc:
        if exc.odoo_name == "builtins.KeyError":  # an unknown model, over /web/dataset/call_kw
            return None
        raise
    if not isinstance(info, dict):
        return None
    fields = {name: dict(meta) for name, meta in info.items() if isinstance(meta, dict)}
    required = [
        name
        for name, meta in fields.items()
        if meta.get("required") and not meta.get("readonly") and not meta.get("depends")
    ]
    if required:
        try:
            defaults = await odoo.call(cred, model, "default_get", [required], {"context": ctx})
        except OdooError:
            defaults = {}
        if isinstance(defaults, dict):
            for name, value in defaults.items():
                if name in fields and value is not None and value is not False:
                    fields[name]["has_default"] = True
    return fields


async def collect_models(
    odoo: OdooClient,
    cred: Credential,
    models: Iterable[str],
    *,
    context: Mapping[str, Any] | None = None,
) -> tuple[dict[str, FieldsGet], list[str]]:
    """The field metadata of each model the user can read, and the names left out."""
    names = list(dict.fromkeys(models))
    results = await asyncio.gather(
        *(_describe(odoo, cred, model, context or {}) for model in names)
    )
    found: dict[str, FieldsGet] = {}
    missing: list[str] = []
    for model, info in zip(names, results, strict=True):
        if info is None:
            missing.append(model)
        else:
            found[model] = info
    return found, missing


class DocumentCache:
    """Finished documents (encoded) by key, for ``ttl`` seconds; bounded, oldest out."""

    def __init__(self, *, ttl: float = 300.0, max_entries: int = 256) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._entries: dict[Any, tuple[float, bytes]] = {}
        self._locks: dict[Any, asyncio.Lock] = {}

    def get(self, key: Any) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            self._entries.pop(key, None)
            return None
        return entry[1]

    def put(self, key: Any, body: bytes) -> None:
        self._entries.pop(key, None)
        while len(self._entries) >= self._max:
            self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (time.monotonic() + self._ttl, body)

    def lock(self, key: Any) -> asyncio.Lock:
        """One build at a time per key; the lock is dropped once nobody waits on it."""
        lock = self._locks.get(key)
        if lock is None:
            if len(self._locks) >= self._max:
                for stale in [k for k, v in self._locks.items() if not v.locked()]:
                    del self._locks[stale]
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def clear(self) -> None:
        self._entries.clear()


async def generate(
    odoo: ProtocolRouter,
    *,
    db: str,
    login: str,
    secret: str,
    models: Sequence[str] | None = None,
    server_url: str | None = None,
    options: DocumentOptions | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Sign in as ``login`` and build the document for the models it can read.

    For ``odoo-restful openapi``; returns the document and the models left out.
    """
    cred = await odoo.sign_in(db, login, secret)
    wanted = list(models or DEFAULT_MODELS)
    found, missing = await collect_models(odoo, cred, wanted)
    opts = options or DocumentOptions()
    opts = replace(opts, unavailable=[*opts.unavailable, *missing])
    return build_document(found, server_url=server_url, options=opts), missing
