"""The webhook routes (subscriptions, deliveries) and the event payload, in the
OpenAPI 3.1 ``webhooks`` section: what a receiver gets."""

from __future__ import annotations

from typing import Any

from .common import JSON
from .responses import json_ok, responses

EVENTS = ["created", "updated", "deleted"]
DELIVERY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "The webhook-id, the same on every attempt"},
        "seq": {"type": "integer"},
        "event": {"enum": EVENTS},
        "record_id": {"type": "integer"},
        "status": {"enum": ["pending", "delivered", "failed"]},
        "attempts": {"type": "integer"},
        "last_status": {"type": ["integer", "null"]},
        "last_error": {"type": ["string", "null"]},
        "created_at": {"type": "number"},
        "next_attempt_at": {"type": ["number", "null"]},
        "delivered_at": {"type": ["number", "null"]},
    },
}
EVENT: dict[str, Any] = {
    "type": "object",
    "title": "A webhook event",
    "required": ["type", "timestamp", "data"],
    "properties": {
        "type": {"enum": [f"record.{e}" for e in EVENTS]},
        "timestamp": {"type": "string", "format": "date-time"},
        "data": {
            "type": "object",
            "required": ["model", "id"],
            "properties": {
                "model": {"type": "string"},
                "id": {"type": "integer"},
                "record": {
                    "type": "object",
                    "description": "The subscription's fields, with id and write_date "
                    "(absent from record.deleted)",
                    "additionalProperties": True,
                },
            },
        },
    },
}
_SIGNED = (
    "POSTed to the subscription's URL, signed as Standard Webhooks says: `webhook-id` "
    "(the same on every retry and redelivery: dedupe on it), `webhook-timestamp` (Unix "
    "seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>` "
    "under the subscription's `whsec_` secret). Answer 2xx within the timeout; anything "
    "else (redirects too) is retried with backoff for a day. At least once, in order per "
    "record."
)


def webhook_events() -> dict[str, Any]:
    """The ``webhooks`` section: the one request every receiver gets."""
    headers = {
        name: {"required": True, "schema": {"type": "string"}}
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    }
    return {
        "recordChange": {
            "post": {
                "summary": "A record was created, updated or deleted",
                "description": _SIGNED,
                "parameters": [
                    {"name": name, "in": "header", **spec} for name, spec in headers.items()
                ],
                "requestBody": {"required": True, "content": {JSON: {"schema": EVENT}}},
                "responses": {
                    "200": {"description": "Received (any 2xx)."},
                    "default": {"description": "Not received: retried later."},
                },
            }
        }
    }


def webhook_paths() -> dict[str, Any]:
    """Subscriptions of the token's user and their deliveries."""
    errors = responses(("400", "401", "403", "404", "409", "413", "502", "503", "504"))
    props: dict[str, Any] = {
        "id": {"type": "string"},
        "model": {"type": "string"},
        "domain": {"type": "array", "items": {}},
        "fields": {"type": ["array", "null"], "items": {"type": "string"}},
        "events": {
            "type": "array",
            "items": {"enum": ["created", "updated", "deleted"]},
        },
        "url": {"type": "string"},
        "active": {"type": "boolean"},
        "status": {
            "type": "string",
            "description": "active, paused, or why the watcher stopped (stopped: ...) or "
            "holds it (queue full: ...)",
        },
        "created_at": {"type": "number"},
    }
    sub = {"type": "object", "properties": props}
    new = {
        "type": "object",
        "required": ["model", "url"],
        "additionalProperties": False,
        "description": "Odoo checks the fields, the domain and the read right first, as the "
        "caller (422 or 403 now rather than a subscription that never delivers).",
        "properties": {
            "model": {"type": "string"},
            "url": {"type": "string", "maxLength": 2048},
            "domain": {"type": "array", "items": {}},
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
    delivery_page = {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "next": {"type": ["integer", "null"], "description": "`before` of the next page"},
            "data": {"type": "array", "items": DELIVERY},
        },
    }
    return {
        "/api/webhooks": {
            "post": {
                "tags": ["webhooks"],
                "operationId": "create_webhook",
                "summary": "Subscribe to a model's changes (the signing secret is shown once)",
                "requestBody": {"required": True, "content": {JSON: {"schema": new}}},
                "responses": {
                    "201": json_ok("The subscription and its secret.", created),
                    **errors,
                    **responses(("422",)),
                },
            },
            "get": {
                "tags": ["webhooks"],
                "operationId": "list_webhooks",
                "summary": "The caller's webhook subscriptions",
                "responses": {"200": json_ok("Subscriptions.", listed), **errors},
            },
        },
        "/api/webhooks/{id}": {
            "parameters": path_id,
            "get": {
                "tags": ["webhooks"],
                "operationId": "read_webhook",
                "summary": "One of the caller's subscriptions",
                "responses": {"200": json_ok("The subscription.", sub), **errors},
            },
            "patch": {
                "tags": ["webhooks"],
                "operationId": "pause_webhook",
                "summary": "Pause (active false) or resume (active true) a subscription",
                "description": "Resuming watches with the caller's Odoo credential again, "
                "which also restarts a subscription the watcher stopped.",
                "requestBody": {
                    "required": True,
                    "content": {
                        JSON: {
                            "schema": {
                                "type": "object",
                                "required": ["active"],
                                "properties": {"active": {"type": "boolean"}},
                            }
                        }
                    },
                },
                "responses": {"200": json_ok("The subscription.", sub), **errors},
            },
            "delete": {
                "tags": ["webhooks"],
                "operationId": "delete_webhook",
                "summary": "Delete a subscription",
                "responses": {"200": json_ok("Deleted.", {"type": "object"}), **errors},
            },
        },
        "/api/webhooks/{id}/deliveries": {
            "parameters": path_id,
            "get": {
                "tags": ["webhooks"],
                "operationId": "list_webhook_deliveries",
                "summary": "A subscription's recent deliveries, newest first",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                    },
                    {
                        "name": "before",
                        "in": "query",
                        "description": "The `next` of the previous page.",
                        "schema": {"type": "integer", "minimum": 1},
                    },
                ],
                "responses": {"200": json_ok("Deliveries.", delivery_page), **errors},
            },
        },
        "/api/webhooks/{id}/deliveries/{delivery}/redeliver": {
            "parameters": [
                *path_id,
                {"name": "delivery", "in": "path", "required": True, "schema": {"type": "string"}},
            ],
            "post": {
                "tags": ["webhooks"],
                "operationId": "redeliver_webhook",
                "summary": "Send a delivery again, under the same webhook-id",
                "responses": {"200": json_ok("The delivery, pending.", DELIVERY), **errors},
            },
        },
    }
