"""The schemas and security schemes that every document carries, whatever the models."""

from __future__ import annotations

from typing import Any

from .bodies import value_schemas
from .common import id_schema


def shared_schemas() -> dict[str, Any]:
    record_id = id_schema()
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
        "DeletedMany": {
            "type": "object",
            "properties": {
                "count": {"type": "integer", "minimum": 1},
                "data": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"id": record_id, "deleted": {"const": True}},
                        "required": ["id", "deleted"],
                    },
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
                    "anyOf": [{"type": "array", "items": {}}, {"type": "string"}],
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
        **value_schemas(),
        "Health": {
            "type": "object",
            "properties": {"status": {"const": "ok"}, "version": {"type": "string"}},
            "required": ["status", "version"],
        },
    }


def security_schemes() -> dict[str, Any]:
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
