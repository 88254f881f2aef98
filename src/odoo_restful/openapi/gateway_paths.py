"""The paths that belong to no model: tokens, this document, and liveness."""

from __future__ import annotations

from typing import Any

from .common import _FORM, _JSON, DEFAULT_MODELS
from .responses import _json_ok, _responses


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


def _webhook_paths() -> dict[str, Any]:
    """Subscriptions of the token's user (deliveries are not sent yet)."""
    errors = _responses(("400", "401", "403", "404", "409", "413", "502", "503", "504"))
    props: dict[str, Any] = {
        "id": {"type": "string"},
        "model": {"type": "string"},
        "domain": {"type": "array"},
        "fields": {"type": ["array", "null"], "items": {"type": "string"}},
        "events": {
            "type": "array",
            "items": {"enum": ["created", "updated", "deleted"]},
        },
        "url": {"type": "string"},
        "active": {"type": "boolean"},
        "created_at": {"type": "number"},
    }
    sub = {"type": "object", "properties": props}
    new = {
        "type": "object",
        "required": ["model", "url"],
        "properties": {
            "model": {"type": "string"},
            "url": {"type": "string", "maxLength": 2048},
            "domain": {"type": "array"},
            "fields": {"type": "array", "items": {"type": "string"}},
            "events": {
                "type": "array",
                "items": {"enum": ["created", "updated", "deleted"]},
            },
        },
    }
    created = {"type": "object", "properties": {**props, "secret": {"type": "string"}}}
    listed = {
        "type": "object",
        "properties": {"count": {"type": "integer"}, "data": {"type": "array", "items": sub}},
    }
    path_id = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        "/api/webhooks": {
            "post": {
                "tags": ["webhooks"],
                "operationId": "create_webhook",
                "summary": "Subscribe to a model's changes (the signing secret is shown once)",
                "requestBody": {"required": True, "content": {_JSON: {"schema": new}}},
                "responses": {
                    "201": _json_ok("The subscription and its secret.", created),
                    **errors,
                },
            },
            "get": {
                "tags": ["webhooks"],
                "operationId": "list_webhooks",
                "summary": "The caller's webhook subscriptions",
                "responses": {"200": _json_ok("Subscriptions.", listed), **errors},
            },
        },
        "/api/webhooks/{id}": {
            "parameters": path_id,
            "get": {
                "tags": ["webhooks"],
                "operationId": "read_webhook",
                "summary": "One of the caller's subscriptions",
                "responses": {"200": _json_ok("The subscription.", sub), **errors},
            },
            "patch": {
                "tags": ["webhooks"],
                "operationId": "pause_webhook",
                "summary": "Pause (active false) or resume (active true) a subscription",
                "requestBody": {
                    "required": True,
                    "content": {
                        _JSON: {
                            "schema": {
                                "type": "object",
                                "required": ["active"],
                                "properties": {"active": {"type": "boolean"}},
                            }
                        }
                    },
                },
                "responses": {"200": _json_ok("The subscription.", sub), **errors},
            },
            "delete": {
                "tags": ["webhooks"],
                "operationId": "delete_webhook",
                "summary": "Delete a subscription",
                "responses": {"200": _json_ok("Deleted.", {"type": "object"}), **errors},
            },
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
