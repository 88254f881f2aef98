"""The ASGI application: routes, middleware, error handling and the lifespan that builds
the shared ``Gateway`` state."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from . import __version__, connections
from .compose import load_secrets, make_transport, open_store
from .config import Settings
from .errors import GatewayError, MethodNotAllowed, RouteNotFound
from .gateway import Gateway
from .middleware import BodyLimitMiddleware, RequestContextMiddleware
from .odoo.router import OdooRouter
from .odoo.transport import Transport
from .responses import error_response, json_response
from .routes import auth, docs, feed, records, webhooks
from .tokens.service import TokenService
from .tokens.store import TokenStore

log = logging.getLogger("odoo_restful")


async def _gateway_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    if exc.status >= 500:
        log.warning("%s: %s", type(exc).__name__, exc.message)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(MethodNotAllowed(f"{request.method} is not allowed on this path"))
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


def routes() -> list[Route]:
    return [
        Route("/healthz", health, methods=["GET"]),
        Route("/api/auth/token", auth.issue, methods=["GET", "POST"]),
        Route("/api/auth/token", auth.revoke, methods=["DELETE"]),
        Route("/api/auth/token/refresh", auth.refresh, methods=["POST"]),
        Route("/api/auth/tokens", auth.revoke_all, methods=["DELETE"]),
        Route("/api/openapi.json", docs.openapi_json, methods=["GET"]),
        Route("/api/docs", docs.docs_page, methods=["GET"]),
        Route("/api/docs/static/{name}", docs.docs_static, methods=["GET"]),
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
        # before /api/{model}/{id}, which would take "changes" and "exists" for ids (GET
        # only: POST /api/{model}/exists stays Odoo's model method route)
        Route("/api/{model}/changes", feed.changes, methods=["GET"]),
        Route("/api/{model}/exists", feed.exists, methods=["GET"]),
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
        app.state.gateway = Gateway(settings, odoo, tokens)
        try:
            log.info("%s", await odoo.describe())
        except GatewayError as exc:  # Odoo may come up later: probe again on first use
            log.warning("Odoo not reachable yet (%s); will retry on first request", exc.message)
        try:
            yield
        finally:
            await tokens.close()
            await odoo.close()

    middleware = [Middleware(RequestContextMiddleware)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=["authorization", "access-token", "content-type"],
            )
        )
    middleware.append(Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes))
    handlers: dict[Any, Callable[[Request, Exception], Any]] = {
        GatewayError: _gateway_error,
        HTTPException: _http_error,
        ClientDisconnect: _disconnected,
        Exception: _unexpected,
    }
    app = Starlette(
        routes=routes(), middleware=middleware, exception_handlers=handlers, lifespan=lifespan
    )
    # No redirects, ever: Starlette's trailing-slash redirect builds its Location from the
    # client's Host header and keeps the query string (tokens, passwords). A JSON 404.
    app.router.redirect_slashes = False
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
