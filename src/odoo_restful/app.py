"""The ASGI application: routes, middleware, error handling and the shared ``Gateway`` state."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import __version__, params
from .config import Settings
from .errors import Forbidden, GatewayError, MethodNotAllowed, RouteNotFound
from .middleware import BodyLimitMiddleware, RequestContextMiddleware
from .odoo.metadata import FieldsCache
from .odoo.router import ProtocolRouter
from .odoo.transport import InProcessTransport, Transport, http_transport
from .ratelimit import FailureLimiter
from .responses import error_response, json_response
from .routes import auth, docs, records
from .tokens.crypto import ENV_SECRET, ServerSecrets
from .tokens.service import Identity, TokenService
from .tokens.store import TokenStore, open_store

log = logging.getLogger("odoo_restful")


class ScopeError(Forbidden):
    type = "scope_denied"


class FieldForbidden(Forbidden):
    type = "field_forbidden"


class Gateway:
    """What handlers share: settings, the Odoo client, tokens, caches and guards."""

    def __init__(self, settings: Settings, odoo: ProtocolRouter, tokens: TokenService) -> None:
        self.settings = settings
        self.odoo = odoo
        self.tokens = tokens
        self.fields = FieldsCache(odoo)
        self.method_deny = params.DEFAULT_METHOD_DENY | frozenset(settings.method_deny)
        self.method_allow = frozenset(settings.method_allow) or None
        self._deny_any = frozenset(f for f in settings.write_deny_fields if "." not in f)
        self._deny_model = frozenset(
            tuple(f.rsplit(".", 1)) for f in settings.write_deny_fields if "." in f
        )
        self._by_client = FailureLimiter(limit=30, window=300.0)
        self._by_login = FailureLimiter(limit=10, window=300.0)

    async def guard_login(self, request: Request, login: str) -> None:
        self._by_client.check(_client_key(request))
        self._by_login.check(login.lower())

    def login_failed(self, request: Request, login: str) -> None:
        self._by_client.failed(_client_key(request))
        self._by_login.failed(login.lower())

    def check_writable(self, model: str, vals: dict[str, Any]) -> None:
        """Mass-assignment guard: refuse fields on the configured write deny-list."""
        if not (self._deny_any or self._deny_model):
            return
        for key in vals:
            name = key.removeprefix("__api__")
            if name in self._deny_any or (model, name) in self._deny_model:
                raise FieldForbidden(f"field {name!r} of {model} may not be written here")

    def scope_check(
        self, ident: Identity, model: str, *, write: bool, method: str | None = None
    ) -> None:
        """Refuse, before Odoo is called, what the token's scopes do not allow."""
        scopes = ident.scopes
        if write and scopes.read_only:
            raise ScopeError("this token is read-only (scope: read_only)")
        if scopes.models is not None and model not in scopes.models:
            raise ScopeError(f"this token's scope does not include model {model!r}")
        if method is not None and scopes.methods is not None and method not in scopes.methods:
            raise ScopeError(f"this token's scope does not include method {method!r}")


def _client_key(request: Request) -> str:
    return request.client.host if request.client else "-"


def load_secrets(settings: Settings) -> ServerSecrets:
    """``ODOO_RESTFUL_SECRET`` when set (several replicas), else the key file (made if absent)."""
    if os.environ.get(ENV_SECRET, "").strip():
        return ServerSecrets.from_env()
    return ServerSecrets.from_file(settings.secret_file)


def make_transport(settings: Settings) -> Transport:
    if settings.sandbox:
        from .sandbox import Sandbox

        return InProcessTransport(Sandbox())
    return http_transport(
        settings.odoo_url, client=settings.odoo_client, timeout=settings.odoo_timeout
    )


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
        Route("/api/{model}", records.search, methods=["GET"]),
        Route("/api/{model}", records.create, methods=["POST"]),
        Route("/api/{model}/{id}", records.read_one, methods=["GET"]),
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
        odoo = ProtocolRouter(transport or make_transport(settings), settings.protocol)
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
        Exception: _unexpected,
    }
    return Starlette(
        routes=routes(), middleware=middleware, exception_handlers=handlers, lifespan=lifespan
    )


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
    app = create_app(Settings.from_env())
    tune_gc()
    return app
