"""One watcher and sender across every worker and replica: a lease in the token store.

Each process tries to take the lease ``webhooks`` every third of
``--webhook-lease-seconds``; the one that holds it runs the watcher and the sender,
the others wait. A holder that dies stops renewing, and another process takes the
lease once it expires (within ``--webhook-lease-seconds``); a clean stop gives it up
at once. A lease row, not a PostgreSQL advisory lock, so SQLite stores (several
workers on one file) elect one too. Leases compare wall clocks: keep replicas'
clocks in sync (NTP); skew shortens or lengthens the takeover by as much. A holder
that loses the lease stops starting deliveries; ones already in flight may finish
(at-least-once: the receiver dedupes on ``webhook-id``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .sender import Sender
from .watcher import Watcher

if TYPE_CHECKING:
    from ..gateway import Gateway

log = logging.getLogger("odoo_restful.webhooks")

LEASE = "webhooks"


class WebhookService:
    def __init__(self, gw: Gateway, *, clock: Callable[[], float] = time.time) -> None:
        self.gw = gw
        self.settings = gw.settings
        self.store = gw.tokens.store
        self.clock = clock
        # the pid tells an operator (and the takeover test) which process leads
        self.holder = f"{os.getpid()}-{secrets.token_hex(6)}"
        self.watcher = Watcher(gw, clock=clock)
        self.sender = Sender(self.store, gw.tokens.server_secrets, gw.settings, clock=clock)
        self._task: asyncio.Task[None] | None = None
        self._work: list[asyncio.Task[None]] = []

    @property
    def leading(self) -> bool:
        return bool(self._work)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._elect())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.leading:
            await self._step_down()
            with contextlib.suppress(Exception):
                await self.store.release_lease(LEASE, self.holder)

    async def _elect(self) -> None:
        ttl = self.settings.webhook_lease_seconds
        while True:
            try:
                held = await self.store.claim_lease(LEASE, self.holder, now=self.clock(), ttl=ttl)
            except Exception as exc:  # the store is down: nobody may be sure to lead
                log.warning("webhooks: cannot renew the lease (%s)", exc)
                held = False
            if held and not self.leading:
                log.info("webhooks: this process watches and delivers (lease %s)", self.holder)
                self._work = [
                    asyncio.get_running_loop().create_task(self._watch()),
                    asyncio.get_running_loop().create_task(self._send()),
                ]
            elif not held and self.leading:
                log.info("webhooks: lease lost; another process delivers")
                await self._step_down()
            await asyncio.sleep(ttl / 3)

    async def _step_down(self) -> None:
        work, self._work = self._work, []
        for task in work:
            task.cancel()
        await asyncio.gather(*work, return_exceptions=True)
        await self.sender.stop()

    async def _watch(self) -> None:
        pause = self.settings.webhook_poll_seconds
        while True:
            more = False
            try:
                queued, more = await self.watcher.poll()
                if queued:
                    self.sender.wake.set()
            except Exception:
                log.exception("webhooks: the watcher's poll failed")
            await asyncio.sleep(0 if more else pause)

    async def _send(self) -> None:
        pause = min(1.0, self.settings.webhook_poll_seconds)
        while True:
            self.sender.wake.clear()
            try:
                await self.sender.tick()
            except Exception:
                log.exception("webhooks: the sender failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.sender.wake.wait(), pause)
