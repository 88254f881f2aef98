"""The paths of one model: search and create, read/write/delete a record, call a method."""

from __future__ import annotations

from typing import Any, Final

from .. import params
from .common import _FORM_TOO, _JSON, DocumentOptions, FieldsGet
from .parameters import _ref_param
from .responses import _envelope, _json_ok, _responses

_METHOD_PATTERN: Final = r"^[a-zA-Z][a-zA-Z0-9_]*$"

# Statuses documented on the routes that need a token and may call Odoo.
_ODOO_ERRORS: Final = ("400", "401", "403", "404", "413", "422", "502", "503", "504")


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
            "description": _FORM_TOO,
            "content": {
                _JSON: {"schema": {"$ref": "#/components/schemas/MethodCall"}},
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
