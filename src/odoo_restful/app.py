"""The ASGI application: routes, middleware, error handling and the lifespan that builds
the shared ``Gateway`` state."""

from __future__ import annotations

import contextlib
import gc
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from . import __version__, connections, metrics
from .compose import load_secrets, make_transport, open_store
from .config import Settings
from .errors import GatewayError, MethodNotAllowed, RouteNotFound
from .gateway import Gateway
from .middleware import BodyLimitMiddleware, RequestContextMiddleware
from .odoo.router import OdooRouter
from .odoo.transport import Transport
from .responses import error_response, json_response
from .routes import auth, docs, feed, files, ops, records, webhooks
from .routing import IndexedRouter
from .throttle import RATE_LIMIT_HEADERS
from .tokens.service import TokenService
from .tokens.store import TokenStore
from .webhooks.service import WebhookService

log = logging.getLogger("odoo_restful")


async def _gateway_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    if exc.status >= 500:
        log.warning("%s: %s", type(exc).__name__, exc.message)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        allow = dict(exc.headers or {}).get("Allow", "")
        return error_response(
            MethodNotAllowed(
                f"{request.method} is not allowed on this path",
                headers={"Allow": allow} if allow else None,
            )
        )
    if exc.status_code == 404:
        return error_response(RouteNotFound(f"no route for {request.url.path}"))
    return json_response({"type": "http_error", "message": str(exc.detail)}, exc.status_code)


async def _disconnected(request: Request, exc: Exception) -> Response:
    """The client went away mid-request (e.g. mid-upload): nothing to answer, nothing
    broken. One quiet line; the 499 (nginx's word for it) only reaches the access log."""
    log.info("client disconnected during %s %s", request.method, request.url.path)
    return Response(status_code=499)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return json_response({"type": "server_error", "message": "internal gateway error"}, 500)


async def health(request: Request) -> Response:
    return json_response({"status": "ok", "version": __version__})


_FIELD_PUT = re.compile(r"^/api/[^/]+/[^/]+/[^/]+$")
_ATTACHMENTS_POST = re.compile(r"^/api/[^/]+/[^/]+/attachments$")


def is_upload(method: str, path: str) -> bool:
    """The file uploads (PUT of a binary field, POST of attachments): the file cap applies."""
    if method == "PUT":
        return bool(_FIELD_PUT.match(path))
    return method == "POST" and bool(_ATTACHMENTS_POST.match(path))


#: The token routes and their methods: any other method there is a 405 with ``Allow``,
#: never a record route (``GET /api/auth/tokens`` is not record "tokens" of "auth").
_AUTH_METHODS: dict[str, tuple[str, ...]] = {
    "/api/auth/token": ("GET", "POST", "DELETE"),
    "/api/auth/token/refresh": ("POST",),
    "/api/auth/tokens": ("DELETE",),
}
_ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


#: The webhook routes and their methods: the same, so that ``PUT /api/webhooks/wh_x``
#: is a 405, not record "wh_x" of a model "webhooks".
_WEBHOOK_METHODS: dict[str, tuple[str, ...]] = {
    "/api/webhooks": ("GET", "POST"),
    "/api/webhooks/{id}": ("GET", "PATCH", "DELETE"),
    "/api/webhooks/{id}/deliveries": ("GET",),
    "/api/webhooks/{id}/deliveries/{delivery}/redeliver": ("POST",),
}


#: Literal segments after a model: PUT, PATCH or DELETE there would read the literal
#: as a record id (a 400 "id must be a positive integer"); they are 405s. POST stays
#: the call of Odoo's model method of that name (``POST /api/<model>/<method>``).
_MODEL_LITERAL_METHODS: dict[str, tuple[str, ...]] = {
    f"/api/{{model}}/{name}": ("GET", "POST")
    for name in ("aggregate", "changes", "exists", "reports")
}


_REFUSALS: set[Callable[[Request], Awaitable[Response]]] = set()


def only_refuses(endpoint: object) -> bool:
    """Whether a route's endpoint only answers 405 (it needs no OpenAPI entry)."""
    return endpoint in _REFUSALS


def _method_not_allowed(allowed: tuple[str, ...]) -> Callable[[Request], Awaitable[Response]]:
    async def refuse(request: Request) -> Response:
        raise MethodNotAllowed(
            f"{request.method} is not allowed on this path", headers={"Allow": ", ".join(allowed)}
        )

    _REFUSALS.add(refuse)
    return refuse


def _refused(table: dict[str, tuple[str, ...]]) -> list[BaseRoute]:
    """405 routes for every method a path does not take (HEAD goes with GET)."""
    return [
        Route(
            path,
            _method_not_allowed(ok),
            methods=[m for m in _ANY_METHOD if m not in ok and not (m == "HEAD" and "GET" in ok)],
        )
        for path, ok in table.items()
    ]


def routes() -> list[BaseRoute]:
    refused = _refused(_AUTH_METHODS)
    return [
        Route("/healthz", health, methods=["GET"]),
        Route("/readyz", ops.ready, methods=["GET"]),
        Route("/metrics", ops.metrics_page, methods=["GET"]),
        Route("/api/auth/token", auth.issue, methods=["GET", "POST"]),
        Route("/api/auth/token", auth.revoke, methods=["DELETE"]),
        Route("/api/auth/token/refresh", auth.refresh, methods=["POST"]),
        Route("/api/auth/tokens", auth.revoke_all, methods=["DELETE"]),
        *refused,
        Route("/api/openapi.json", docs.openapi_json, methods=["GET"]),
        Route("/api/openapi/{model}.json", docs.openapi_model, methods=["GET"]),
        Route("/api/docs", docs.docs_page, methods=["GET"]),
        Route("/api/docs/openapi.json", docs.start_json, methods=["GET"]),
        Mount("/api/docs/static", app=docs.static_assets()),
        # before the file routes, which would take "deliveries" for a field
        Route("/api/webhooks/{id}/deliveries", webhooks.deliveries, methods=["GET"]),
        Route(
            "/api/webhooks/{id}/deliveries/{delivery}/redeliver",
            webhooks.redeliver,
            methods=["POST"],
        ),
        *_refused(_WEBHOOK_METHODS),
        # file routes first: they are more specific than /api/{model}/{id}[/{method}]
        Route("/api/report/{report_name}/{ids}", files.render_report, methods=["GET"]),
        Route("/api/{model}/reports", files.list_reports, methods=["GET"]),
        Route("/api/{model}/{id}/attachments", files.list_attachments, methods=["GET"]),
        Route("/api/{model}/{id}/attachments", files.add_attachments, methods=["POST"]),
        Route("/api/{model}/{id}/attachments/{att}", files.get_attachment, methods=["GET"]),
        Route("/api/{model}/{id}/attachments/{att}", files.delete_attachment, methods=["DELETE"]),
        Route("/api/{model}/{id}/{field}", files.get_field, methods=["GET"]),
        Route("/api/{model}/{id}/{field}", files.put_field, methods=["PUT"]),
        # before /api/{model}: "webhooks" is no Odoo model
        Route("/api/webhooks", webhooks.create, methods=["POST"]),
        Route("/api/webhooks", webhooks.list_, methods=["GET"]),
        Route("/api/webhooks/{id}", webhooks.read, methods=["GET"]),
        Route("/api/webhooks/{id}", webhooks.update, methods=["PATCH"]),
        Route("/api/webhooks/{id}", webhooks.delete, methods=["DELETE"]),
        Route("/api/{model}", records.search, methods=["GET"]),
        Route("/api/{model}", records.create, methods=["POST"]),
        Route("/api/{model}", records.write_many, methods=["PUT", "PATCH"]),
        Route("/api/{model}", records.delete_many, methods=["DELETE"]),
        # a literal segment, before the id route that would read it as an id
        Route("/api/{model}/aggregate", records.aggregate, methods=["GET"]),
        # before /api/{model}/{id}, which would take "changes" and "exists" for ids (GET
        # only: POST /api/{model}/exists stays Odoo's model method route)
        Route("/api/{model}/changes", feed.changes, methods=["GET"]),
        Route("/api/{model}/exists", feed.exists, methods=["GET"]),
        *_refused(_MODEL_LITERAL_METHODS),
        Route("/api/{model}/{id}", records.read_one, methods=["GET"]),
        Route("/api/{model}/{id}", records.call_model_method, methods=["POST"]),
        Route("/api/{model}/{id}", records.write, methods=["PUT", "PATCH"]),
        Route("/api/{model}/{id}", records.delete, methods=["DELETE"]),
        Route("/api/{model}/{id}/{method}", records.call_method, methods=["POST", "PATCH"]),
    ]


def create_app(
    settings: Settings,
    *,
    transport: Transport | None = None,
    store: TokenStore | None = None,
) -> Starlette:
    """Build the gateway; ``transport`` and ``store`` may be injected (tests, benchmarks)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        token_store = store or open_store(settings.store)
        await token_store.open()
        odoo = OdooRouter(transport or make_transport(settings), settings.protocol)
        tokens = TokenService(
            token_store,
            load_secrets(settings),
            ttl=settings.token_ttl,
            cache_ttl=settings.token_cache_ttl,
        )
        await tokens.start()
        gw = app.state.gateway = Gateway(settings, odoo, tokens)
        hooks = WebhookService(gw)
        try:
            log.info("%s", await odoo.describe(keep_password=not settings.web_session_only))
        except GatewayError as exc:  # Odoo may come up later: probe again on first use
            log.warning("Odoo not reachable yet (%s); will retry on first request", exc.message)
        hooks.start()
        try:
            yield
        finally:
            await hooks.stop()
            await gw.idempotency.close()
            await tokens.close()
            await odoo.close()
            metrics.process_exited()
            log.info("stopped: token store and Odoo connections closed")

    middleware = [Middleware(RequestContextMiddleware)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=["authorization", "access-token", "content-type", "idempotency-key"],
                # what a browser client needs to read to retry and pace itself
                expose_headers=[
                    "Retry-After",
                    "Idempotent-Replayed",
                    "X-Request-Id",
                    *RATE_LIMIT_HEADERS,
                ],
            )
        )
    middleware.append(
        Middleware(
            BodyLimitMiddleware,
            max_bytes=settings.max_body_bytes,
            file_max_bytes=settings.max_file_bytes,
            is_upload=is_upload,
        )
    )
    handlers: dict[Any, Callable[[Request, Exception], Any]] = {
        GatewayError: _gateway_error,
        HTTPException: _http_error,
        ClientDisconnect: _disconnected,
        Exception: _unexpected,
    }
    app = Starlette(middleware=middleware, exception_handlers=handlers)
    # No redirects, ever: Starlette's trailing-slash redirect builds its Location from the
    # client's Host header and keeps the query string (tokens, passwords). A JSON 404.
    app.router = IndexedRouter(routes(), lifespan=lifespan)
    return app


def tune_gc() -> None:
    """Take the long-lived heap (modules, classes, the app) out of the collector's
    sight, and stop young collections from running every few requests.

    Nearly every object a request makes is freed by reference counting. With the
    default threshold (700) and dozens of requests in flight, a young collection
    runs every few requests and walks all their live objects for nothing: about
    15% of a worker's CPU under load (benchmarks/README.md).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def create_app_from_env() -> Starlette:
    """Factory for uvicorn workers: each rebuilds the settings from ``ODOO_RESTFUL_*``."""
    settings = Settings.from_env()
    connections.configure(settings)
    app = create_app(settings)
    tune_gc()
    return app
