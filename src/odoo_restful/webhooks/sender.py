"""The sender: POSTs due deliveries, signed, and records each attempt.

- Every attempt resolves the receiver's host and checks the addresses against SSRF
  (``targets.resolve``), then connects to the address it checked (a resolver pinned
  to it: no second lookup a DNS rebinding could answer differently), one connection
  per attempt (a kept-alive one would skip the check).
- ``--webhook-timeout`` (5 s) for the whole exchange; redirects are never followed
  (a 3xx is a failure); 2xx is delivered, and only then is the row marked so
  (at-least-once: a crash between the two sends it again, with the same id).
- Failures are retried with exponential backoff and jitter (``--webhook-retry-first``
  x1, x6, x24, x120, then x720 each: 5 s, 30 s, 2 min, 10 min, 1 h by default) until
  ``--webhook-retry-for`` (a day) after the first attempt; then the row is failed.
- A slow or failing receiver holds only its own subscription's slots: at most
  ``PER_SUBSCRIPTION`` deliveries of one subscription run at once, ``TOTAL`` overall,
  each in its own task, off the request path.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import socket
import time
from collections.abc import Callable

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from ..config import Settings
from ..errors import BadRequest, InvalidToken
from ..metrics import DELIVERIES, DELIVERY_DELAY
from ..tokens.crypto import ServerSecrets
from ..tokens.deliveries import Delivery
from ..tokens.store import TokenStore
from ..tokens.subscriptions import Subscription
from . import signing, targets

log = logging.getLogger("odoo_restful.webhooks")

PER_SUBSCRIPTION = 4
TOTAL = 64
BACKOFF = (1, 6, 24, 120, 720)  # times --webhook-retry-first; the last one repeats
MAX_ERROR_CHARS = 300


def backoff(attempts: int, first: float, *, rand: Callable[[], float] = random.random) -> float:
    """Seconds before the retry following attempt number ``attempts`` (1-based), +-20%."""
    factor = BACKOFF[min(attempts, len(BACKOFF)) - 1]
    return first * factor * (0.8 + 0.4 * rand())


class _Pinned(AbstractResolver):
    """Answers every lookup with the one address the SSRF check approved."""

    def __init__(self, target: targets.Target) -> None:
        self.target = target

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        fam = socket.AF_INET6 if ":" in self.target.address else socket.AF_INET
        return [
            ResolveResult(
                hostname=host,
                host=self.target.address,
                port=port or self.target.port,
                family=fam,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        return None


class Sender:
    def __init__(
        self,
        store: TokenStore,
        secrets: ServerSecrets,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.secrets = secrets
        self.settings = settings
        self.clock = clock
        self.wake = asyncio.Event()
        self._flight: dict[str, asyncio.Task[None]] = {}  # delivery id -> its task
        # ids whose attempt ended since the last due query began: that query may have
        # read their row before the attempt was recorded (a stale row, due again)
        self._ended: set[str] = set()
        self._per_sub: dict[str, int] = {}
        self._signing: dict[str, str] = {}  # subscription id -> its whsec_ secret

    async def tick(self) -> int:
        """Start the due deliveries there is room for; returns how many were started."""
        room = TOTAL - len(self._flight)
        if room <= 0:
            return 0
        self._ended.clear()
        due = await self.store.due_deliveries(
            self.clock(), per_subscription=PER_SUBSCRIPTION, limit=TOTAL + len(self._flight)
        )
        subs: dict[str, Subscription | None] = {}
        started = 0
        for d in due:
            if d.id in self._flight or d.id in self._ended:
                continue
            if self._per_sub.get(d.subscription_id, 0) >= PER_SUBSCRIPTION:
                continue
            if d.subscription_id not in subs:
                subs[d.subscription_id] = await self.store.get_subscription(d.subscription_id)
            sub = subs[d.subscription_id]
            if sub is None or not sub.active:
                continue
            self._per_sub[sub.id] = self._per_sub.get(sub.id, 0) + 1
            task = asyncio.get_running_loop().create_task(self._attempt(sub, d))
            self._flight[d.id] = task
            task.add_done_callback(functools.partial(self._done, d))
            started += 1
            if started >= room:
                break
        return started

    def _done(self, d: Delivery, _task: object = None) -> None:
        self._flight.pop(d.id, None)
        self._ended.add(d.id)
        left = self._per_sub.get(d.subscription_id, 1) - 1
        if left > 0:
            self._per_sub[d.subscription_id] = left
        else:
            self._per_sub.pop(d.subscription_id, None)
        self.wake.set()  # a slot is free, and the record's next event may be due

    async def stop(self) -> None:
        """Cancel deliveries in flight (their rows stay pending: sent again later)."""
        tasks = list(self._flight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _attempt(self, sub: Subscription, d: Delivery) -> None:
        try:
            status, error = await self.send(sub, d)
        except Exception as exc:  # never let one delivery kill the sender
            log.exception("webhooks: delivery %s failed unexpectedly", d.id)
            status, error = None, f"internal error: {type(exc).__name__}"
        try:
            await self._record(d, status, error)
        except Exception:  # the store is down: the row stays pending, sent again later
            log.exception("webhooks: could not record the attempt of %s", d.id)

    async def _record(self, d: Delivery, status: int | None, error: str | None) -> None:
        now = self.clock()
        attempts = d.attempts + 1
        delivered = status is not None and 200 <= status < 300
        DELIVERIES.labels("delivered" if delivered else "failed_attempt").inc()
        if delivered:
            DELIVERY_DELAY.observe(max(0.0, now - d.created_at))
            await self.store.record_attempt(
                d.id,
                status="delivered",
                attempts=attempts,
                next_attempt_at=now,
                last_status=status,
                last_error=None,
                delivered_at=now,
            )
            return
        retry_at = now + backoff(attempts, self.settings.webhook_retry_first)
        final = retry_at > d.retry_from + self.settings.webhook_retry_for
        if final:
            DELIVERIES.labels("failed").inc()
        await self.store.record_attempt(
            d.id,
            status="failed" if final else "pending",
            attempts=attempts,
            next_attempt_at=now if final else retry_at,
            last_status=status,
            last_error=(error or "")[:MAX_ERROR_CHARS] or None,
            delivered_at=None,
        )

    async def send(self, sub: Subscription, d: Delivery) -> tuple[int | None, str | None]:
        """One attempt: ``(HTTP status or None, error or None)``."""
        try:
            secret = self._secret(sub)
        except (InvalidToken, BadRequest):
            return None, "the signing secret cannot be unsealed (retired server secret?)"
        try:
            target = await targets.resolve(
                sub.url, allow_private=self.settings.webhook_allow_private
            )
        except BadRequest as exc:
            return None, f"refused: {exc.message}"
        body = d.payload.encode()
        headers = signing.headers(secret, d.id, int(self.clock()), body)
        headers["user-agent"] = "odoo-restful-webhooks"
        connector = aiohttp.TCPConnector(
            resolver=_Pinned(target), force_close=True, use_dns_cache=False
        )
        timeout = aiohttp.ClientTimeout(total=self.settings.webhook_timeout)
        try:
            async with (
                aiohttp.ClientSession(connector=connector, timeout=timeout) as session,
                session.post(sub.url, data=body, headers=headers, allow_redirects=False) as resp,
            ):
                status = resp.status
        except TimeoutError:
            return None, f"timeout after {self.settings.webhook_timeout:g} s"
        except aiohttp.ClientError as exc:
            return None, f"{type(exc).__name__}: {exc}"
        if 200 <= status < 300:
            return status, None
        if 300 <= status < 400:
            return status, f"HTTP {status}: redirects are not followed"
        return status, f"HTTP {status}"

    def _secret(self, sub: Subscription) -> str:
        secret = self._signing.get(sub.id)
        if secret is None:
            key = self.secrets.by_key_id(sub.key_id)
            if key is None:
                raise InvalidToken("retired server secret")
            secret = signing.unseal(key, sub.id, sub.secret_enc)
            if len(self._signing) > 10_000:
                self._signing.clear()
            self._signing[sub.id] = secret
        return secret
