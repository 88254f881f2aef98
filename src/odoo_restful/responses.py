"""JSON responses in the seed module's shapes, encoded with orjson.

Success: ``{"count": n, "data": ...}``; errors: ``{"type": ..., "message": ...}``.
``raw_page`` splices Odoo's record bytes in without decoding them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
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


def raw_page(
    items: Sequence[msgspec.Raw],
    status: int = 200,
    *,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``{"count": n, ..., "data": [...]}`` from the records' raw JSON (spliced, not
    re-encoded); ``extra`` keys (``total``, ``next``) go between the two."""
    middle = b"".join(
        b"%s:%s," % (orjson.dumps(k), orjson.dumps(v)) for k, v in (extra or {}).items()
    )
    body = b'{"count":%d,%s"data":[%s]}' % (len(items), middle, b",".join(items))
    return Response(body, status_code=status, headers=dict(headers or {}), media_type=JSON)


def error_response(exc: GatewayError) -> Response:
    return json_response(exc.body(), exc.status, exc.headers)
