"""A brute-force guard for the token endpoint: failed logins per client address and per login.

An attempt is counted *before* Odoo is asked (a reservation) and forgiven only when
the login succeeds, so attempts sent all at once count as much as attempts sent one
after another: the limit holds however they are timed.

The counts live in the token store (``TokenStore.reserve_attempt``), which counts and
inserts in one step for every process sharing it: the workers on one SQLite file and
the replicas on one PostgreSQL database share one limit.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections.abc import Awaitable, Callable

from .errors import TooManyRequests
from .tokens.store import TokenStore

Forgive = Callable[[], Awaitable[None]]
_PURGE_EVERY = 60.0


def attempt_key(kind: str, value: str) -> bytes:
    """What the store keeps for a client address or a login: a hash, never the text."""
    return hashlib.sha256(f"{kind}:{value}".encode("utf-8", "surrogatepass")).digest()


class LoginGuard:
    """Per client address and per login: reserve both before Odoo checks a password."""

    def __init__(
        self,
        store: TokenStore,
        *,
        per_client: int = 30,
        per_login: int = 10,
        window: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.per_client = per_client
        self.per_login = per_login
        self.window = window
        self._clock = clock  # wall time: shared with other processes through the store
        self._next_purge = 0.0

    async def reserve(self, client: str, login: str) -> Forgive:
        """Count an attempt for both keys, or raise 429 (with Retry-After) when either is
        spent; returns the coroutine function that forgives it."""
        now = self._clock()
        if now >= self._next_purge:
            self._next_purge = now + _PURGE_EVERY
            await self.store.purge_attempts(now - self.window)
        ticket = secrets.token_bytes(16)
        limits = [
            (attempt_key("client", client), self.per_client),
            (attempt_key("login", login.lower()), self.per_login),
        ]
        wait = await self.store.reserve_attempt(ticket, limits, now=now, window=self.window)
        if wait is not None:
            raise TooManyRequests(
                "too many failed logins; try again later",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )

        async def forgive() -> None:
            await self.store.forgive_attempt(ticket)

        return forgive
