"""What both stores share: migration files, buffered ``touch`` and revocation callbacks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from importlib import resources
from types import TracebackType
from typing import Literal

from .store import Revocation, RevocationCallback

log = logging.getLogger("odoo_restful.tokens")

SCHEMA_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "name TEXT NOT NULL PRIMARY KEY, applied_at {real} NOT NULL)"
)


def load_migrations(dialect: Literal["sqlite", "postgres"]) -> list[tuple[str, str]]:
    """``(name, sql)`` for each migration file of a dialect, in file-name order."""
    folder = resources.files("odoo_restful.tokens").joinpath("migrations", dialect)
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


class BaseStore:
    """Touch buffering and revocation fan-out; back ends add the SQL.

    ``touch`` only records the time in memory; a timer writes all pending times in
    one statement ``touch_interval`` seconds later (and ``close`` writes the rest),
    so the request path never waits for a write.
    """

    def __init__(self, *, touch_interval: float = 5.0) -> None:
        self._touch_interval = touch_interval
        self._pending: dict[bytes, float] = {}
        self._flush_task: asyncio.Task[None] | None = None
        self._callbacks: list[RevocationCallback] = []

    async def open(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> BaseStore:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # --- touch ---

    async def _write_touches(self, items: dict[bytes, float]) -> None:
        raise NotImplementedError

    async def touch(self, token_hash: bytes, when: float) -> None:
        if self._touch_interval <= 0:
            await self._write_touches({token_hash: when})
            return
        if when > self._pending.get(token_hash, 0.0):
            self._pending[token_hash] = when
        if self._flush_task is None:
            self._flush_task = asyncio.get_running_loop().create_task(self._flush_later())

    async def _flush_later(self) -> None:
        await asyncio.sleep(self._touch_interval)  # close() cancels only this sleep
        self._flush_task = None
        try:
            await self.flush_touches()
        except Exception:
            # last_used_at is informational: losing one batch must not kill anything.
            log.exception("could not record token use times")

    async def flush_touches(self) -> None:
        """Write buffered ``touch`` times now (also done by ``close``)."""
        if self._pending:
            items, self._pending = self._pending, {}
            await self._write_touches(items)

    async def _stop_touches(self) -> None:
        task, self._flush_task = self._flush_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.flush_touches()

    # --- revocation callbacks ---

    def _add_callback(self, callback: RevocationCallback) -> Callable[[], None]:
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    def _dispatch(self, event: Revocation) -> None:
        for callback in tuple(self._callbacks):
            try:
                callback(event)
            except Exception:
                log.exception("revocation callback failed")
