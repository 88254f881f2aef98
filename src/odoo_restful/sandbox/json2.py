"""``POST /json/2/<model>/<method>``: Odoo 19's JSON-2 API (bearer API keys).

The steps run in Odoo's order: database (``X-Odoo-Database``, else the default
one), route, API key, body, model, method, arguments. Errors use the HTTP status
and a bare ``{"name", "message", "arguments", "context", "debug"}`` body.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import BadRequest, NotFound, Unauthorized
from .service import Service
from .wire import NO_DATABASE_PAGE, Reply, html_reply, json2_error, json_reply, loads

PREFIX = "/json/2"


def handle(
    service: Service, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> Reply:
    database = headers.get("x-odoo-database")
    if database is not None and not service.has_db(database):
        return html_reply(404, NO_DATABASE_PAGE)
    parts = path[len(PREFIX) :].strip("/").split("/")
    if method != "POST" or len(parts) != 2 or not all(parts):
        return json2_error(NotFound("Did you mean POST /json/2/<model>/<method>?"))
    model, name = parts
    scheme, _, key = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return json2_error(
            Unauthorized(
                "User not authenticated, use an API Key with a Bearer Authorization header."
            )
        )
    uid = service.uid_for_api_key(key.strip())
    if uid is None:
        return json2_error(Unauthorized("Invalid apikey"))
    try:
        params = loads(body)
    except ValueError as exc:
        return json2_error(BadRequest(f"could not parse the body as json: {exc}"))
    if not isinstance(params, dict):
        return json2_error(BadRequest("could not parse the body as json: an object is expected"))
    try:
        result = service.call_json2(service.env(uid), model, name, params)
    except Exception as exc:
        return json2_error(exc)
    return json_reply(result)
