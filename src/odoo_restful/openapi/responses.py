"""Error responses, one per status, and the helpers operations use for their responses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from ..throttle import RATE_LIMIT_HEADERS
from .common import JSON

_ERROR_TEXT: Final = {
    "400": "Malformed parameter, literal, JSON or id (`bad_request`, `missing_parameters`).",
    "401": "Missing, unknown, revoked or expired token, or credentials refused "
    "(`invalid_token`, `token_expired`, `invalid_credentials`); the token's Odoo password "
    "or API key no longer accepted (`access_denied_by_odoo`) or its kept Odoo session "
    "ended (`session_expired`): request a new token.",
    "403": "Odoo's access rights or record rules, a private or denied method, or the "
    "token's scopes (`access_error`, `method_forbidden`, `scope_denied`).",
    "404": "Record gone or not readable; no such model, method, database or route "
    "(`missing_error`, `unknown_model`, `unknown_method`, `not_found`).",
    "405": "Wrong HTTP method (`method_not_allowed`).",
    "409": "An upsert key matches several records (`conflict`), or a request with this "
    "Idempotency-Key is still running (`idempotency_key_in_use`; see `Retry-After`).",
    "413": "Body over the size limit, or more records than the batch limit (`payload_too_large`).",
    "422": "Odoo refused the values or arguments: ValidationError, UserError, unknown "
    "field, bad value (`validation_error`, `user_error`, `invalid_parameters`); or the "
    "Idempotency-Key came with another request (`idempotency_key_reused`).",
    "429": "Too many failed logins, or the token's or user's request rate limit spent "
    "(`too_many_requests`); see `Retry-After` and the `RateLimit` headers.",
    "502": "Odoo answered badly or failed (`bad_gateway`, `odoo_server_error`); or the "
    "first request with this Idempotency-Key was cut off after it may have reached Odoo "
    "(`outcome_unknown`).",
    "503": "Odoo or the token store is unreachable (`odoo_unavailable`, "
    "`token_store_unavailable`); see `Retry-After`.",
    "504": "Odoo took too long (`odoo_timeout`).",
    "501": "The connected Odoo version cannot do this (`not_implemented_on_version`; the "
    "message names the version).",
}


#: One real message per status, as this gateway (over the sandbox) says it; a test
#: provokes each and compares.
_ERROR_EXAMPLES: Final = {
    "400": ("bad_request", "domain item 0: unknown operator '~'"),
    "401": ("invalid_token", "invalid or revoked access token"),
    "403": ("method_forbidden", "private methods cannot be called"),
    "404": ("missing_error", "res.partner record 424242 does not exist or is not readable"),
    "405": ("method_not_allowed", "PUT is not allowed on this path"),
    "409": ("conflict", "upsert: {'ref': 'A1'} matches several res.partner records (ids 7, 9)"),
    "413": ("payload_too_large", "request body larger than 1048576 bytes"),
    "422": ("validation_error", "The operation cannot be completed: Contacts require a name"),
    "429": ("too_many_requests", "too many failed logins; retry later"),
    "502": ("bad_gateway", "Odoo's reply to /jsonrpc is not JSON-RPC"),
    "503": ("odoo_unavailable", "cannot reach Odoo: ConnectionRefusedError"),
    "504": ("odoo_timeout", "Odoo did not answer in time"),
    "501": (
        "not_implemented_on_version",
        "having needs formatted_read_group (Odoo 19+); this server is Odoo 16",
    ),
}


def responses(statuses: Iterable[str]) -> dict[str, Any]:
    return {status: {"$ref": f"#/components/responses/E{status}"} for status in statuses}


def error_responses() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, text in _ERROR_TEXT.items():
        error_type, message = _ERROR_EXAMPLES[status]
        response: dict[str, Any] = {
            "description": text,
            "content": {
                JSON: {
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
        if status in ("409", "429", "503"):
            response["headers"] = {
                "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
            }
        if status == "429":  # a request rate limit also says which and how soon
            response["headers"].update(
                {
                    name: {
                        "description": "IETF draft rate-limit header.",
                        "schema": {"type": "string"},
                    }
                    for name in RATE_LIMIT_HEADERS
                }
            )
        if status == "401":
            response["headers"] = {
                "WWW-Authenticate": {"description": "`Bearer`.", "schema": {"type": "string"}}
            }
        out[f"E{status}"] = response
    return out


def envelope(ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "data": {"type": "array", "items": {"$ref": ref}},
        },
        "required": ["count", "data"],
    }


def page_envelope(ref: str) -> dict[str, Any]:
    """A search page: ``total`` when asked for, ``next`` (a cursor) when there may be more."""
    schema = envelope(ref)
    schema["properties"] = {
        "count": schema["properties"]["count"],
        "total": {"type": "integer", "minimum": 0, "description": "Matching records (total=true)."},
        "next": {"type": "string", "description": "Cursor of the next page (pass as `after`)."},
        "data": schema["properties"]["data"],
    }
    return schema


LINK_HEADER: Final = {
    "Link": {
        "description": "RFC 8288 links to the `next`, `prev` (offset paging) and `first` pages: "
        "the same query with another offset or cursor (never the access token).",
        "schema": {"type": "string"},
    }
}


def json_ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}
