"""Request rate limits per token and per Odoo user (429 with ``Retry-After`` and the
IETF draft ``RateLimit`` headers), made with the ``limits`` library.

Counters live in process memory by default (each worker counts alone), or in Redis
(``--rate-limit-storage redis://...``) so that every worker and replica shares them.
A token's limit depends on its scopes: ``read_only=`` and ``scoped=`` entries of
``--rate-limit-scopes`` override ``--rate-limit`` for read-only and otherwise
narrowed tokens. If the counter storage fails, requests are let through (logged):
a rate limit must never take the API down.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence

import limits
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.types import Scope

from .config import Settings
from .errors import TooManyRequests
from .metrics import RATE_LIMITED
from .tokens.service import Identity

log = logging.getLogger("odoo_restful.throttle")
RATE_LIMIT_HEADERS_KEY = "odoo_restful.ratelimit"
SCOPE_KINDS = ("read_only", "scoped")
#: The IETF draft headers a limited response carries (also exposed to CORS clients).
RATE_LIMIT_HEADERS = (
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
    "RateLimit",
)


def parse_limits(text: str) -> tuple[limits.RateLimitItem, ...]:
    """``100/minute;1000/hour`` (the ``limits`` notation); empty: no limit."""
    return tuple(limits.parse_many(text)) if text.strip() else ()


def parse_scope_limits(entries: Sequence[str]) -> dict[str, tuple[limits.RateLimitItem, ...]]:
    """``read_only=600/minute`` and ``scoped=100/minute`` entries."""
    found: dict[str, tuple[limits.RateLimitItem, ...]] = {}
    for entry in entries:
        kind, sep, text = entry.partition("=")
        if not sep or kind.strip() not in SCOPE_KINDS:
            raise ValueError(f"rate_limit_scopes: {entry!r} is not read_only=... or scoped=...")
        found[kind.strip()] = parse_limits(text)
    return found


def storage_url(url: str) -> str:
    """The ``limits`` async storage for ``memory://`` or ``redis://`` (``rediss://``)."""
    return url if url.startswith("async+") else "async+" + url


class Throttle:
    """Counts each authenticated request against its token's and its user's limits."""

    def __init__(self, settings: Settings) -> None:
        self.per_token = parse_limits(settings.rate_limit)
        self.per_user = parse_limits(settings.rate_limit_per_user)
        self.by_scope = parse_scope_limits(settings.rate_limit_scopes)
        self.enabled = bool(self.per_token or self.per_user or any(self.by_scope.values()))
        url = settings.rate_limit_storage
        # redis-py (the ``limits[redis]`` extra) rather than the default coredis; short
        # timeouts so that a Redis outage delays a request by little before letting it by.
        options: dict[str, float | str] = (
            {"implementation": "redispy", "socket_timeout": 0.5, "socket_connect_timeout": 0.5}
            if url.startswith(("redis://", "rediss://"))
            else {}
        )
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url(url), **options))
        self._failing_since = 0.0

    def _token_limits(self, ident: Identity) -> tuple[limits.RateLimitItem, ...]:
        if ident.scopes.read_only and "read_only" in self.by_scope:
            return self.by_scope["read_only"]
        if ident.scopes.narrowed and "scoped" in self.by_scope:
            return self.by_scope["scoped"]
        return self.per_token

    async def check(self, scope: Scope, ident: Identity) -> None:
        """Count the request; 429 when a limit is spent. Headers describe the tightest."""
        if not self.enabled:
            return
        checks = [(item, "token", ident.token_hash.hex()) for item in self._token_limits(ident)]
        user = f"{ident.cred.db}:{ident.cred.uid}"
        checks += [(item, "user", user) for item in self.per_user]
        tightest: tuple[int, float, limits.RateLimitItem] | None = None
        refused: str | None = None
        try:
            for item, kind, who in checks:
                allowed = await self._limiter.hit(item, kind, who)
                stats = await self._limiter.get_window_stats(item, kind, who)
                if not allowed and refused is None:
                    refused = kind
                if tightest is None or stats.remaining < tightest[0]:
                    tightest = (stats.remaining, stats.reset_time, item)
        except Exception as exc:  # any storage failure: let the request through
            now = time.monotonic()
            if now - self._failing_since > 60:
                self._failing_since = now
                log.warning("rate-limit storage failed, not limiting: %r", exc)
            return
        if tightest is None:
            return
        remaining, reset_at, item = tightest
        reset = max(0, math.ceil(reset_at - time.time()))
        window = item.get_expiry()
        headers = {
            "RateLimit-Limit": str(item.amount),
            "RateLimit-Remaining": str(max(0, remaining)),
            "RateLimit-Reset": str(reset),
            "RateLimit-Policy": f"{item.amount};w={window}",
            "RateLimit": f"limit={item.amount}, remaining={max(0, remaining)}, reset={reset}",
        }
        if refused is not None:
            RATE_LIMITED.labels(refused).inc()
            headers["Retry-After"] = str(max(1, reset))
            raise TooManyRequests(f"rate limit exceeded for this {refused}", headers=headers)
        scope[RATE_LIMIT_HEADERS_KEY] = headers
