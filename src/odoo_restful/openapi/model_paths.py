"""The paths of one model: search and create, read/write/delete a record, call a method."""

from __future__ import annotations

from typing import Any, Final

from .. import params
from ..scopes import READ_METHODS
from .common import FORM_TOO, JSON, DocumentOptions, FieldsInfo
from .parameters import ref_param
from .responses import LINK_HEADER, envelope, json_ok, page_envelope, responses

_METHOD_PATTERN: Final = r"^[a-zA-Z][a-zA-Z0-9_]*$"

# Statuses documented on the routes that need a token and may call Odoo.
_ODOO_ERRORS: Final = ("400", "401", "403", "404", "413", "422", "429", "502", "503", "504")


def model_paths(
    model: str, name: str, fields: FieldsInfo, options: DocumentOptions
) -> dict[str, Any]:
    """The three paths of one model: collection, record, method call."""
    tag = [model]
    fields_param = ref_param(f"{name}Fields")
    record_ref = f"#/components/schemas/{name}"
    many = json_ok(f"{model} records.", envelope(record_ref))
    slug = model.replace(".", "_")
    collection: dict[str, Any] = {
        "get": {
            "tags": tag,
            "operationId": f"search_{slug}",
            "summary": f"Search and read {model} records",
            "parameters": [
                ref_param(f"{name}Domain"),
                fields_param,
                ref_param("order"),
                ref_param("limit"),
                ref_param("offset"),
                ref_param("total"),
                ref_param("cursor"),
                ref_param("after"),
                ref_param("context"),
            ],
            "responses": {
                "200": {
                    **json_ok(f"A page of {model} records.", page_envelope(record_ref)),
                    "headers": LINK_HEADER,
                },
                **responses(_ODOO_ERRORS),
            },
        }
    }
    record: dict[str, Any] = {
        "parameters": [ref_param("id")],
        "get": {
            "tags": tag,
            "operationId": f"read_{slug}",
            "summary": f"Read one {model} record",
            "parameters": [fields_param, ref_param("context")],
            "responses": {"200": many, **responses(_ODOO_ERRORS)},
        },
    }
    paths = {
        f"/api/{model}": collection,
        **_feed_paths(model, slug, name, fields_param, record_ref),
        f"/api/{model}/{{id}}": record,
    }
    method_schema: dict[str, Any] = {
        "type": "string",
        "pattern": _METHOD_PATTERN,
        "maxLength": params.MAX_METHOD_CHARS,
    }
    callable_ = None if options.methods is None else frozenset(options.methods)
    if options.read_only:
        callable_ = READ_METHODS if callable_ is None else callable_ & READ_METHODS
    if callable_ is not None:
        method_schema = {"enum": sorted(callable_)}
    if callable_ is None or callable_:
        record["post"] = _model_call(model, slug, method_schema)
    if options.read_only:
        return paths
    create_ref = {"$ref": f"#/components/schemas/{name}Create"}
    collection["post"] = {
        "tags": tag,
        "operationId": f"create_{slug}",
        "summary": f"Create {model} records (one object, or a list in one transaction)",
        "parameters": [fields_param, ref_param("context")],
        "requestBody": {
            "required": True,
            "content": {
                JSON: {
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
            "200": json_ok(
                "Upsert: every record matched and was written, read back.", envelope(record_ref)
            ),
            "201": json_ok(f"The created {model} records, read back.", envelope(record_ref)),
            **responses((*_ODOO_ERRORS, "409")),
        },
    }
    collection["post"]["parameters"][:0] = [ref_param("upsert"), ref_param("idempotencyKey")]
    for verb in ("put", "patch"):
        collection[verb] = {
            "tags": tag,
            "operationId": f"{'write' if verb == 'put' else 'patch'}_many_{slug}",
            "summary": f"Write one set of values to several {model} records (one call)",
            "parameters": [ref_param("ids"), fields_param, ref_param("context")],
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{name}Write"}}},
            },
            "responses": {"200": many, **responses(_ODOO_ERRORS)},
        }
    collection["delete"] = {
        "tags": tag,
        "operationId": f"delete_many_{slug}",
        "summary": f"Delete several {model} records (one call, all or none)",
        "parameters": [ref_param("ids"), ref_param("context")],
        "responses": {
            "200": json_ok("Deleted.", {"$ref": "#/components/schemas/DeletedMany"}),
            **responses(_ODOO_ERRORS),
        },
    }
    for verb in ("put", "patch"):
        record[verb] = {
            "tags": tag,
            "operationId": f"{'write' if verb == 'put' else 'patch'}_{slug}",
            "summary": f"Write a {model} record, then read it back",
            "parameters": [fields_param, ref_param("context")],
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{name}Write"}}},
            },
            "responses": {"200": many, **responses(_ODOO_ERRORS)},
        }
    record["delete"] = {
        "tags": tag,
        "operationId": f"delete_{slug}",
        "summary": f"Delete a {model} record",
        "parameters": [ref_param("context")],
        "responses": {
            "200": json_ok("Deleted.", {"$ref": "#/components/schemas/Deleted"}),
            **responses(_ODOO_ERRORS),
        },
    }
    if options.methods is not None and not options.methods:
        return paths  # the token may call no method at all
    call: dict[str, Any] = {
        "tags": tag,
        "summary": f"Call a public method on a {model} record",
        "requestBody": {
            "required": False,
            "description": FORM_TOO,
            "content": {
                JSON: {"schema": {"$ref": "#/components/schemas/MethodCall"}},
            },
        },
        "responses": {
            "200": json_ok("The method's result.", {"$ref": "#/components/schemas/MethodResult"}),
            **responses(_ODOO_ERRORS),
        },
    }
    paths[f"/api/{model}/{{id}}/{{method}}"] = {
        "parameters": [
            ref_param("id"),
            {
                "name": "method",
                "in": "path",
                "required": True,
                "description": "A public method (no leading underscore, not on the deny-list).",
                "schema": method_schema,
            },
        ],
        "post": {
            **call,
            "operationId": f"call_{slug}",
            "parameters": [ref_param("idempotencyKey")],
            "responses": {**call["responses"], **responses(("409",))},
        },
        "patch": {**call, "operationId": f"call_patch_{slug}"},
    }
    return paths


def _feed_paths(
    model: str, slug: str, name: str, fields_param: dict[str, Any], record_ref: str
) -> dict[str, Any]:
    """``/changes`` (the change feed) and ``/exists`` (which ids are gone)."""
    since = {
        "name": "since",
        "in": "query",
        "required": False,
        "description": "The `next` cursor of the previous feed page; absent: from the start.",
        "schema": {"type": "string", "maxLength": 8192},
    }
    page = envelope(record_ref)
    page["properties"] = {
        "count": page["properties"]["count"],
        "next": {"type": "string", "description": "Cursor to pass as `since` next time."},
        "more": {"type": "boolean", "description": "The page was full: ask again at once."},
        "data": page["properties"]["data"],
    }
    ids = {
        "name": "ids",
        "in": "query",
        "required": True,
        "description": "Record ids, comma-separated.",
        "style": "form",
        "explode": False,
        "schema": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1},
    }
    gone = {
        "type": "object",
        "properties": {
            "missing": {"type": "array", "items": {"type": "integer"}},
            "existing": {"type": "array", "items": {"type": "integer"}},
        },
    }
    exists = {
        "tags": [model],
        "summary": f"Which {model} ids no longer exist (deleted, or hidden by record rules)",
        "responses": {
            "200": json_ok("Missing and existing ids.", gone),
            **responses(_ODOO_ERRORS),
        },
    }
    return {
        f"/api/{model}/changes": {
            "get": {
                "tags": [model],
                "operationId": f"changes_{slug}",
                "summary": f"{model} records created or changed since a cursor, oldest first "
                "(archived ones included, at-least-once)",
                "parameters": [
                    since,
                    ref_param(f"{name}Domain"),
                    fields_param,
                    ref_param("limit"),
                    ref_param("context"),
                ],
                "responses": {
                    "200": json_ok(f"{model} changes.", page),
                    **responses(_ODOO_ERRORS),
                },
            }
        },
        f"/api/{model}/exists": {
            "get": {**exists, "operationId": f"exists_{slug}", "parameters": [ids]},
        },
    }


def _method_call_body() -> dict[str, Any]:
    return {
        "required": False,
        "description": FORM_TOO,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/MethodCall"}}},
    }


def _model_call(model: str, slug: str, method_schema: dict[str, Any]) -> dict[str, Any]:
    """``POST /api/<model>/<method>``: the segment is a method name, not an id (OpenAPI
    has one template per path, so this operation renames the ``id`` parameter's use)."""
    return {
        "tags": [model],
        "operationId": f"call_model_{slug}",
        "summary": f"Call a public method on the {model} model (args as execute_kw)",
        "description": "The path segment is a method name here, e.g. `name_search`, "
        "`search_count`, `default_get`. `args` are passed as given: a record method takes "
        "its ids as the first argument. A read-only token may call only methods known to read.",
        "parameters": [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "description": "For POST: a public method name (not a record id).",
                "schema": method_schema,
            },
            ref_param("idempotencyKey"),
        ],
        "requestBody": _method_call_body(),
        "responses": {
            "200": json_ok("The method's result.", {"$ref": "#/components/schemas/MethodResult"}),
            **responses((*_ODOO_ERRORS, "405", "409")),
        },
    }
