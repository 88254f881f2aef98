"""The whole document, put together from the parts: pure, field metadata in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .bodies import values_schema
from .common import DocumentOptions, FieldsGet
from .components import _security_schemes, _shared_schemas
from .gateway_paths import _auth_paths, _meta_paths, _webhook_paths
from .model_paths import _model_paths
from .names import component_names
from .parameters import _common_parameters, _domain_param, _fields_param
from .records import record_schema
from .responses import _error_responses

OPENAPI_VERSION: Final = "3.1.0"
_SECURITY: Final[list[dict[str, list[str]]]] = [
    {"accessToken": []},
    {"bearer": []},
    {"accessTokenQuery": []},
]


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
    paths.update(_webhook_paths())
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
            {"name": "webhooks", "description": "Subscriptions to changes"},
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
