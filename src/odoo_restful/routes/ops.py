"""Operations routes: ``/readyz`` (Odoo and the store answer) and ``/metrics``.

``/healthz`` (app.py) is liveness only: the process answers. ``/readyz`` asks Odoo
(a real call to its version route, not the version cached at start) and the store
(one trivial query), each within ``--ready-timeout``, so a load balancer takes a
replica out while either is down. ``--ops-allow-ips`` keeps both routes off the
public listener: other clients get the same 404 as an unknown path.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response

from .. import metrics
from ..errors import GatewayError, RouteNotFound
from ..responses import json_response
from .common import gateway

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(allowed: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(a, strict=False) for a in allowed)


def _check_client(request: Request) -> None:
    allowed = gateway(request).settings.ops_allow_ips
    if not allowed:
        return
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise RouteNotFound(f"no route for {request.url.path}") from None
    if not any(address in net for net in _networks(allowed)):
        raise RouteNotFound(f"no route for {request.url.path}")


async def _problem(check: Awaitable[None], timeout: float) -> str | None:
    """None when the check passes, else why not (one line, no secrets)."""
    try:
        await asyncio.wait_for(check, timeout)
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except GatewayError as exc:
        return exc.message
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


async def ready(request: Request) -> Response:
    _check_client(request)
    gw = gateway(request)
    timeout = gw.settings.ready_timeout
    odoo, store = await asyncio.gather(
        _problem(gw.odoo.ping(), timeout), _problem(gw.tokens.store.ping(), timeout)
    )
    checks = {"odoo": odoo or "ok", "store": store or "ok"}
    if odoo or store:
        return json_response({"status": "unavailable", "checks": checks}, 503)
    return json_response({"status": "ready", "checks": checks})


async def metrics_page(request: Request) -> Response:
    _check_client(request)
    return Response(metrics.render(), media_type=metrics.CONTENT_TYPE)
