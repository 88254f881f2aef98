"""JSON responses in the seed module's shapes, encoded with orjson.

Success: ``{"count": n, "data": ...}``; errors: ``{"type": ..., "message": ...}``.
``raw_envelope`` splices Odoo's result bytes in without decoding them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

from .errors import GatewayError

JSON = "application/json"


def json_response(
    content: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS),
        status_code=status,
        headers=dict(headers or {}),
        media_type=JSON,
    )


def envelope(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    count = len(data) if isinstance(data, list) else (0 if data is None else 1)
    return json_response({"count": count, "data": data}, status, headers)


def raw_envelope(count: int, data: bytes, status: int = 200) -> Response:
    """``{"count": n, "data": <data>}`` where ``data`` is already-encoded JSON."""
    body = b'{"count":%d,"data":%s}' % (count, data)
    return Response(body, status_code=status, media_type=JSON)


def error_response(exc: GatewayError) -> Response:
    return json_response(exc.body(), exc.status, exc.headers)
