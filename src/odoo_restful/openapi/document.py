"""The documents, put together from the parts: pure, field metadata in.

Three kinds: :func:`build_document` describes named models in full (their fields,
create and write bodies); :func:`build_index` lists every model a user can read
with the record routes in generic form (``/api/{model}``), small enough for a
browser on a database of hundreds of models, and points at each model's own full
document; :func:`build_start_document` holds only what needs no token (signing in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from .aggregate_paths import aggregate_path
from .bodies import values_schema
from .common import DocumentOptions, FieldsInfo
from .components import security_schemes, shared_schemas
from .files import file_paths, report_paths
from .gateway_paths import auth_paths, meta_paths
from .model_paths import model_paths
from .names import component_names
from .parameters import common_parameters, domain_param, fields_param
from .records import record_schema
from .responses import error_responses
from .webhook_paths import webhook_events, webhook_paths

OPENAPI_VERSION: Final = "3.1.0"
_SECURITY: Final[list[dict[str, list[str]]]] = [
    {"accessToken": []},
    {"bearer": []},
    {"accessTokenQuery": []},
]
_DESCRIPTION: Final = (
    "REST API over Odoo. Send the token from `POST /api/auth/token` in an "
    "`access-token` header, as `Authorization: Bearer <token>`, or as an "
    '`access_token` parameter. Success bodies are `{"count", "data"}`; errors are '
    '`{"type", "message"}`.'
)
#: Where each model's full document is served (``{model}`` is the model's name).
MODEL_DOCUMENT: Final = "/api/openapi/{model}.json"
GENERIC: Final = "Record"


def _frame(
    opts: DocumentOptions,
    server_url: str | None,
    *,
    paths: dict[str, Any],
    schemas: dict[str, Any],
    parameters: dict[str, Any],
    tags: list[dict[str, str]],
    description: str = "",
) -> dict[str, Any]:
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": opts.title,
            "version": opts.version,
            "description": opts.description or description or _DESCRIPTION,
        },
        "servers": [{"url": server_url or "/"}],
        "security": _SECURITY,
        "tags": [
            {"name": "auth", "description": "Tokens"},
            *tags,
            {"name": "meta", "description": "This document and liveness"},
        ],
        "paths": paths,
        "components": {
            "schemas": {**shared_schemas(), **schemas},
            "parameters": {**common_parameters(opts), **parameters},
            "responses": error_responses(),
            "securitySchemes": security_schemes(),
        },
    }


def build_document(
    models: Mapping[str, FieldsInfo],
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
    paths: dict[str, Any] = {**auth_paths()}
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
        paths.update(model_paths(model, name, fields, opts))
        paths.update(file_paths(model, fields, opts))
        paths.update(aggregate_path(model, name))
        parameters[f"{name}Fields"] = fields_param(fields)
        parameters[f"{name}Domain"] = domain_param(fields)
    paths.update(report_paths())
    paths.update(webhook_paths())
    paths.update(meta_paths())
    document = _frame(
        opts,
        server_url,
        paths=paths,
        schemas=schemas,
        parameters=parameters,
        tags=[
            *({"name": model} for model in models),
            {"name": "webhooks", "description": "Subscriptions to changes"},
        ],
    )
    document["webhooks"] = webhook_events()
    if opts.unavailable:
        document["x-odoo-unavailable-models"] = list(opts.unavailable)
    return document


def _generic_schemas(read_only: bool) -> dict[str, Any]:
    open_values = {
        "type": "object",
        "description": "Field values; the model's own document lists its fields.",
        "additionalProperties": True,
    }
    schemas: dict[str, Any] = {
        GENERIC: {
            "type": "object",
            "title": "A record of any model",
            "description": "Fields as Odoo reads them; the model's own document lists them.",
            "properties": {"id": {"type": "integer"}},
            "required": ["id"],
            "additionalProperties": True,
        }
    }
    if not read_only:
        schemas[f"{GENERIC}Create"] = {**open_values, "title": "create values"}
        schemas[f"{GENERIC}Write"] = {**open_values, "title": "write values", "minProperties": 1}
    return schemas


def _generic_paths(models: Sequence[str], opts: DocumentOptions) -> dict[str, Any]:
    """The record routes once, with the model as a path parameter (one of ``models``)."""
    model_param = {
        "name": "model",
        "in": "path",
        "required": True,
        "description": "The model; its own document (`/api/openapi/<model>.json`) "
        "describes its fields.",
        "schema": {"type": "string", "enum": list(models)},
    }
    out: dict[str, Any] = {}
    for path, item in model_paths("{model}", GENERIC, {}, opts).items():
        for key, op in item.items():
            if key == "parameters":
                continue
            op["tags"] = ["models"]
            op["operationId"] = op["operationId"].replace("{model}", "record")
            op["summary"] = op["summary"].replace("{model} ", "")
        item["parameters"] = [model_param, *item.get("parameters", [])]
        out[path] = item
    return out


def build_index(
    models: Sequence[str],
    *,
    server_url: str | None = None,
    options: DocumentOptions | None = None,
) -> dict[str, Any]:
    """Every model the user can read, with the record routes in generic form.

    ``x-odoo-models`` lists each model with the address of its full document.
    """
    opts = options or DocumentOptions()
    paths: dict[str, Any] = {**auth_paths()}
    if models:
        paths.update(_generic_paths(models, opts))
    paths.update(webhook_paths())  # the explorer opens on the index: webhooks show there
    paths.update(meta_paths())
    document = _frame(
        opts,
        server_url,
        paths=paths,
        schemas=_generic_schemas(opts.read_only),
        parameters={
            f"{GENERIC}Fields": fields_param({}),
            f"{GENERIC}Domain": domain_param({}),
        },
        tags=[
            {
                "name": "models",
                "description": f"Any of the {len(models)} models you can read: pick one "
                "to see its fields.",
            },
            {"name": "webhooks", "description": "Subscriptions to changes"},
        ],
    )
    document["webhooks"] = webhook_events()
    document["x-odoo-models"] = [
        {"model": model, "document": MODEL_DOCUMENT.format(model=model)} for model in models
    ]
    return document


def build_start_document(*, options: DocumentOptions | None = None) -> dict[str, Any]:
    """What needs no token: the token routes, so that a newcomer can sign in first."""
    opts = options or DocumentOptions()
    auth = auth_paths()
    paths = {"/api/auth/token": {"post": auth["/api/auth/token"]["post"]}}
    return _frame(
        opts,
        None,
        paths=paths,
        schemas={},
        parameters={},
        tags=[],
        description="Sign in with **POST /api/auth/token** (Try it out, then Execute): the "
        "token is applied to this page and the models your Odoo user can read appear. "
        "Or click **Authorize** and enter a token you already have.",
    )
