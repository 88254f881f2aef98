"""Pure-ASGI middleware: request id, access log, security headers and the body-size cap.

Pure ASGI (not BaseHTTPMiddleware) because it is faster and streams untouched.
The access log writes the path without its query string: queries may carry
``access_token`` or ``password`` and must never reach a log.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import PayloadTooLarge
from .metrics import IN_FLIGHT, observe_request
from .responses import error_response
from .throttle import RATE_LIMIT_HEADERS_KEY

log = logging.getLogger("odoo_restful.access")

# Request ids: a random prefix per process and a counter: unique, not secret, and
# without a getrandom() system call per request.
_ID_PREFIX = secrets.token_hex(4).encode()
_ids = itertools.count(1)
_SAFE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_API_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
]
_API_EXTRA = _SECURITY_HEADERS + _API_HEADERS
_EXTRA_NAMES = frozenset(name for name, _ in _API_EXTRA)


class RequestContextMiddleware:
    """Gives each request an id, adds security headers (and the rate-limit headers it
    earned), writes one access-log line and counts it in the metrics: one wrapper of
    ``send`` per request for all of these (each wrapper costs on the hot path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = b""
        for name, value in scope["headers"]:
            if name == b"x-request-id" and _SAFE_REQUEST_ID.match(value):
                request_id = value
                break
        if not request_id:
            request_id = b"%s%08x" % (_ID_PREFIX, next(_ids) & 0xFFFFFFFF)
        scope.setdefault("state", {})["request_id"] = request_id.decode()
        started = time.perf_counter()
        status = 500
        is_api = scope["path"].startswith("/api/") and not scope["path"].startswith("/api/docs")

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                extra = _API_EXTRA if is_api else _SECURITY_HEADERS
                if any(name.lower() in _EXTRA_NAMES for name, _ in headers):  # a route set one
                    present = {name.lower() for name, _ in headers}
                    extra = [h for h in extra if h[0] not in present]
                headers += extra
                headers.append((b"x-request-id", request_id))
                earned: dict[str, str] | None = scope.get(RATE_LIMIT_HEADERS_KEY)
                if earned:
                    headers += [(k.lower().encode(), v.encode()) for k, v in earned.items()]
                message["headers"] = headers
            await send(message)

        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            IN_FLIGHT.dec()
            observe_request(scope, status, time.perf_counter() - started)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    '%s "%s %s" %d %.1fms id=%s',
                    _client(scope),
                    scope["method"],
                    scope["path"],
                    status,
                    (time.perf_counter() - started) * 1000,
                    request_id.decode(),
                )


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "-"


class BodyLimitMiddleware:
    """Refuses bodies over ``max_bytes``: by Content-Length up front, else while streaming.

    File uploads (``is_upload(method, path)``) get the larger ``file_max_bytes``.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        file_max_bytes: int | None = None,
        is_upload: Callable[[str, str], bool] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.file_max_bytes = file_max_bytes or max_bytes
        self.is_upload = is_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.max_bytes
        if self.is_upload is not None and self.is_upload(scope["method"], scope["path"]):
            cap = self.file_max_bytes
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    too_big = int(value) > cap
                except ValueError:
                    too_big = False
                if too_big:
                    await error_response(_error(cap))(scope, receive, send)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise _error(cap)
            return message

        await self.app(scope, limited_receive, send)


def _error(cap: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"request body larger than {cap} bytes")
