"""Prometheus metrics: the one home of every metric the gateway exports at ``/metrics``.

Made with ``prometheus-client``. With several workers ``serve`` sets
``PROMETHEUS_MULTIPROC_DIR`` (emptied at start) before any worker imports this module,
so each worker writes its samples to files there and ``/metrics``, whichever worker
answers, sums them all.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import Scope

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_SLOW = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

REQUESTS = Counter(
    "odoo_restful_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
REQUEST_SECONDS = Histogram(
    "odoo_restful_request_seconds",
    "Time to answer an HTTP request",
    ["method", "route", "status"],
    buckets=_SLOW,
)
IN_FLIGHT = Gauge(
    "odoo_restful_requests_in_flight",
    "HTTP requests being served now",
    multiprocess_mode="livesum",
)
ODOO_SECONDS = Histogram(
    "odoo_restful_odoo_call_seconds",
    "Time of one call to Odoo (failed calls included)",
    ["protocol", "method"],
    buckets=_SLOW,
)
TOKEN_CACHE = Counter(
    "odoo_restful_token_cache_total",
    "Token checks answered from the process cache (hit) or the store (miss)",
    ["result"],
)
STORE_SECONDS = Histogram(
    "odoo_restful_store_seconds", "Time of one token-store operation", ["operation"], buckets=_FAST
)
RATE_LIMITED = Counter(
    "odoo_restful_rate_limited_total", "Requests refused with 429 by a limit", ["limit"]
)
DELIVERIES = Counter(
    "odoo_restful_webhook_deliveries_total",
    "Webhook delivery attempts: delivered, failed_attempt (retried), failed (given up)",
    ["outcome"],
)
DELIVERY_DELAY = Histogram(
    "odoo_restful_webhook_delivery_seconds",
    "From an event queued to its delivery (retries included)",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400),
)


# Clients name the methods they call: past this many distinct names a process labels
# the rest "(other)", so a client cannot grow the registry without bound.
_MAX_METHODS = 200


def render() -> bytes:
    """The exposition text: this process's registry, or every worker's files."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()


def process_exited() -> None:
    """Drop this worker's live gauges (in-flight) from the shared files."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


@contextlib.contextmanager
def timed_store(operation: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        STORE_SECONDS.labels(operation).observe(time.perf_counter() - started)


class OdooCallTimer:
    """Times one Odoo call into its (protocol, method) histogram. A class, not a
    generator context manager, and the labelled child kept: it runs on every call."""

    __slots__ = ("_child", "_started")

    def __init__(self, child: Any) -> None:
        self._child = child
        self._started = 0.0

    def __enter__(self) -> None:
        self._started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self._child.observe(time.perf_counter() - self._started)


_CALL_CHILDREN: dict[tuple[str, str], Any] = {}


def odoo_call_timer(protocol: str, method: str) -> OdooCallTimer:
    """Odoo call latency. Past ``_MAX_METHODS`` distinct method names a process labels
    the rest "(other)", so clients naming methods cannot grow the registry."""
    child = _CALL_CHILDREN.get((protocol, method))
    if child is None:
        name = method if len(_CALL_CHILDREN) < _MAX_METHODS * 3 else "(other)"
        child = ODOO_SECONDS.labels(protocol, name)
        if name == method:
            _CALL_CHILDREN[(protocol, method)] = child
    return OdooCallTimer(child)


def route_template(scope: Scope) -> str:
    """The matched route's template (``/api/{model}``), never the raw path: raw paths
    would make one time series per record id and let clients grow the registry."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "(unmatched)"


_CHILDREN: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def observe_request(scope: Scope, status: int, seconds: float) -> None:
    """Count one request by method, route template and status (called by the access-log
    middleware, which already knows all three: one wrapper per request, not two). The
    labelled children are kept, so a request costs two updates and no label lookup."""
    labels = (scope["method"], route_template(scope), str(status))
    pair = _CHILDREN.get(labels)
    if pair is None:
        if len(_CHILDREN) >= 10_000:  # bounded: templates x methods x statuses
            _CHILDREN.clear()
        pair = _CHILDREN[labels] = (REQUESTS.labels(*labels), REQUEST_SECONDS.labels(*labels))
    pair[0].inc()
    pair[1].observe(seconds)
