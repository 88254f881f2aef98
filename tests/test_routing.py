"""The indexed router picks the same route as Starlette's own router for every path
shape and method the gateway serves (and the same 404 / 405 for the rest)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.routing import Route, Router
from starlette.types import Message, Scope

from odoo_restful import app as app_module
from odoo_restful.metrics import _CALL_CHILDREN, _MAX_METHODS, odoo_call_timer
from odoo_restful.routing import IndexedRouter

PATHS = [
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/auth/token",
    "/api/auth/token/refresh",
    "/api/auth/tokens",
    "/api/openapi.json",
    "/api/openapi/res.partner.json",
    "/api/docs",
    "/api/docs/openapi.json",
    "/api/docs/static/app.js",
    "/api/docs/static/a/b/c.css",
    "/api/report/sale.report_saleorder/1,2",
    "/api/res.partner",
    "/api/res.partner/",
    "/api/res.partner/reports",
    "/api/res.partner/aggregate",
    "/api/res.partner/changes",
    "/api/res.partner/exists",
    "/api/res.partner/7",
    "/api/res.partner/base.main_partner",
    "/api/res.partner/7/image_128",
    "/api/res.partner/7/attachments",
    "/api/res.partner/7/attachments/3",
    "/api/res.partner/7/attachments/3/x",
    "/api/webhooks",
    "/api/webhooks/wh_abc",
    "/api/webhooks/wh_abc/deliveries",
    "/api",
    "/",
    "/nothing/here/at/all",
    "//api//res.partner",
]
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _chosen(router: Router, method: str, path: str) -> tuple[Any, dict[str, Any], int]:
    """The route the router hands the request to (None: its 404), its path parameters,
    and the status it answers when it is a 405 or 404 of its own."""
    picked: dict[str, Any] = {}
    sent: list[Message] = []

    async def run() -> None:
        scope: Scope = {
            "type": "http",
            "method": method,
            "path": path,
            "root_path": "",
            "query_string": b"",
            "headers": [],
            "app": None,
        }

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        for route in router.routes:  # record the winner instead of running it
            if isinstance(route, Route):
                route.app = _recorder(route, picked)
        try:
            await router.app(scope, receive, send)
        except Exception as exc:  # a 405 is raised as HTTPException by Route.handle
            picked.setdefault("status", getattr(exc, "status_code", 500))
        picked.setdefault("params", scope.get("path_params", {}))

    asyncio.run(run())
    status = picked.get("status") or next(
        (m["status"] for m in sent if m["type"] == "http.response.start"), 0
    )
    return picked.get("route"), picked["params"], status


def _recorder(route: Route, picked: dict[str, Any]) -> Any:
    async def record(scope: Scope, receive: Any, send: Any) -> None:
        picked["route"] = (route.path, route.name, tuple(sorted(route.methods or ())))

    return record


@pytest.mark.parametrize("method", METHODS)
def test_the_same_route_as_starlettes_router(method: str) -> None:
    plain = Router(app_module.routes(), redirect_slashes=False)
    indexed = IndexedRouter(app_module.routes())
    for path in PATHS:
        assert _chosen(indexed, method, path) == _chosen(plain, method, path), (method, path)


def test_the_hot_path_tries_few_routes() -> None:
    indexed = IndexedRouter(app_module.routes())
    assert len(indexed.routes) > 30
    assert len(indexed._candidates("/api/res.partner".count("/"))) <= 12


def test_odoo_call_metrics_stay_bounded_when_clients_name_many_methods() -> None:
    for i in range(_MAX_METHODS * 4):
        with odoo_call_timer("jsonrpc", f"method_{i}"):
            pass
    assert len(_CALL_CHILDREN) <= _MAX_METHODS * 3
