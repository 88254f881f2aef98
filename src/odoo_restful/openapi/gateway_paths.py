"""The paths that belong to no model: tokens, this document, and liveness."""

from __future__ import annotations

from typing import Any

from .common import DEFAULT_MODELS, FORM_TOO, JSON
from .responses import json_ok, responses

_READY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {"enum": ["ready", "unavailable"]},
        "checks": {
            "type": "object",
            "properties": {"odoo": {"type": "string"}, "store": {"type": "string"}},
        },
    },
    "required": ["status", "checks"],
}


def auth_paths() -> dict[str, Any]:
    token_ok = json_ok("A new token (shown once).", {"$ref": "#/components/schemas/Token"})
    issue_errors = responses(("400", "401", "403", "404", "413", "429", "502", "503", "504"))
    token_form = {"$ref": "#/components/schemas/TokenRequest"}
    query = [
        {"name": name, "in": "query", "schema": {"type": "string", "maxLength": 1024}}
        for name in ("login", "password", "db")
    ]
    token_errors = responses(("400", "401", "403", "413", "502", "503", "504"))
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
                    "description": FORM_TOO,
                    "content": {JSON: {"schema": token_form}},
                },
                "responses": {"200": token_ok, **issue_errors},
            },
            "delete": {
                "tags": ["auth"],
                "operationId": "revoke_token",
                "summary": "Revoke the token sent with the request",
                "responses": {
                    "200": json_ok("Revoked.", {"$ref": "#/components/schemas/Message"}),
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
                    "content": {JSON: {"schema": {"$ref": "#/components/schemas/Scopes"}}},
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
                    "200": json_ok("Revoked.", {"$ref": "#/components/schemas/Message"}),
                    **token_errors,
                },
            }
        },
    }


def meta_paths() -> dict[str, Any]:
    document = json_ok("An OpenAPI 3.1 document.", {"type": "object"})
    errors = responses(("400", "401", "403", "404", "413", "502", "503", "504"))
    return {
        "/api/openapi.json": {
            "get": {
                "tags": ["meta"],
                "operationId": "openapi",
                "summary": "Every model the token's user can read, with the routes in generic "
                "form (x-odoo-models); with `models`, those models in full",
                "parameters": [
                    {
                        "name": "models",
                        "in": "query",
                        "description": "Comma-separated models to describe in full, e.g. "
                        f"{','.join(DEFAULT_MODELS[:2])} (404 when none can be read).",
                        "schema": {"type": "string", "maxLength": 8192},
                    }
                ],
                "responses": {"200": document, **errors},
            }
        },
        "/api/openapi/{model}.json": {
            "get": {
                "tags": ["meta"],
                "operationId": "openapi_model",
                "summary": "One model in full: its fields, create and write bodies",
                "parameters": [
                    {
                        "name": "model",
                        "in": "path",
                        "required": True,
                        "description": "A model the token's user can read (else 404).",
                        "schema": {"type": "string", "maxLength": 256},
                    }
                ],
                "responses": {"200": document, **errors},
            }
        },
        "/healthz": {
            "get": {
                "tags": ["meta"],
                "operationId": "healthz",
                "summary": "Liveness",
                "security": [],
                "responses": {"200": json_ok("Alive.", {"$ref": "#/components/schemas/Health"})},
            }
        },
        "/readyz": {
            "get": {
                "tags": ["meta"],
                "operationId": "readyz",
                "summary": "Readiness: Odoo and the token store answer",
                "description": "A real call to Odoo's version route and one store query, "
                "each within --ready-timeout. Clients outside --ops-allow-ips get 404.",
                "security": [],
                "responses": {
                    "200": json_ok("Ready.", _READY),
                    "404": {"$ref": "#/components/responses/E404"},
                    "503": json_ok(
                        "Odoo or the store does not answer; the reason per check.", _READY
                    ),
                },
            }
        },
        "/metrics": {
            "get": {
                "tags": ["meta"],
                "operationId": "metrics",
                "summary": "Prometheus metrics",
                "description": "Clients outside --ops-allow-ips get 404.",
                "security": [],
                "responses": {
                    "200": {
                        "description": "Prometheus text exposition format.",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    "404": {"$ref": "#/components/responses/E404"},
                },
            }
        },
    }
