"""HTTP replies as Odoo 19 shapes them: JSON-RPC envelopes, JSON-2 bodies, HTML pages.

Header names are lower-case, as the gateway's transports hand them over.
"""

from __future__ import annotations

import html
import json
from typing import Any

import orjson

from .errors import OdooError, Unauthorized, json2_status, serialize

Reply = tuple[int, dict[str, str], bytes]

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"

NOT_FOUND_PAGE = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server. If you entered the URL manually "
    "please check your spelling and try again.</p>\n"
)
METHOD_NOT_ALLOWED_PAGE = (
    "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
    "<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n"
)
NO_DATABASE_PAGE = (
    "<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>No database is selected and the requested URL was not found in the server-wide "
    "controllers.</p>\n<p>Please verify the hostname, <a href=/web/login>login</a> and try "
    "again.</p>\n\n<!-- Alternatively, use the X-Odoo-Database header. -->\n"
)


def dumps(payload: Any) -> bytes:
    return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)


def loads(body: bytes) -> Any:
    """Parse a request body; ValueError (with Python's message) if it is not JSON."""
    return json.loads(body.decode("utf-8") if body else "")


def rpc_request(body: bytes) -> dict[str, Any] | None:
    """A JSON-RPC request object, or None where Odoo answers 400 "Invalid JSON data"."""
    try:
        request = loads(body)
    except ValueError:
        return None
    return request if isinstance(request, dict) else None


def json_reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return status, {"content-type": JSON_TYPE, **(headers or {})}, dumps(payload)


def html_reply(status: int, text: str) -> Reply:
    return status, {"content-type": HTML_TYPE}, text.encode("utf-8")


def redirect_reply(location: str, status: int = 303) -> Reply:
    """A redirect with werkzeug's small HTML page, as Odoo sends it."""
    escaped = html.escape(location)
    page = (
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
        "<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target "
        f'URL: <a href="{escaped}">{escaped}</a>. If not, click the link.\n'
    )
    return status, {"content-type": HTML_TYPE, "location": location}, page.encode("utf-8")


def invalid_json() -> Reply:
    """Odoo's answer to a JSON-RPC body that is not a JSON object."""
    return html_reply(400, "Invalid JSON data")


def rpc_result(request_id: Any, result: Any, headers: dict[str, str] | None = None) -> Reply:
    """A JSON-RPC success; Odoo leaves ``result`` out when the method returned None."""
    payload: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
    if result is not None:
        payload["result"] = result
    return json_reply(payload, headers=headers)


def rpc_error(request_id: Any, exc: BaseException) -> Reply:
    """The JSON-RPC error envelope: HTTP 200, ``error.code`` 0 (100 session, 404 not found)."""
    code, message = 0, "Odoo Server Error"
    if isinstance(exc, OdooError):
        code, message = exc.rpc_code, exc.rpc_message
    error = {"code": code, "message": message, "data": serialize(exc)}
    return json_reply({"jsonrpc": "2.0", "id": request_id, "error": error})


def json2_error(exc: BaseException) -> Reply:
    """A JSON-2 error: the bare error object, with the HTTP status of its kind."""
    headers = {"www-authenticate": "Bearer "} if isinstance(exc, Unauthorized) else None
    return json_reply(serialize(exc), json2_status(exc), headers)
