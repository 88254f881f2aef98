"""Finished documents (and model lists) kept for a while, so a burst of page loads
asks Odoo once."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Generic, TypeVar

_V = TypeVar("_V")


class TtlCache(Generic[_V]):
    """Values by key, for ``ttl`` seconds; bounded, oldest out; one build per key."""

    def __init__(self, *, ttl: float = 300.0, max_entries: int = 256) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._entries: dict[Any, tuple[float, _V]] = {}
        self._locks: dict[Any, asyncio.Lock] = {}

    def get(self, key: Any) -> _V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            self._entries.pop(key, None)
            return None
        return entry[1]

    def put(self, key: Any, value: _V) -> None:
        self._entries.pop(key, None)
        while len(self._entries) >= self._max:
            self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (time.monotonic() + self._ttl, value)

    def lock(self, key: Any) -> asyncio.Lock:
        """One build at a time per key; the lock is dropped once nobody waits on it."""
        lock = self._locks.get(key)
        if lock is None:
            if len(self._locks) >= self._max:
                for stale in [k for k, v in self._locks.items() if not v.locked()]:
                    del self._locks[stale]
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def clear(self) -> None:
        self._entries.clear()


class DocumentCache(TtlCache[bytes]):
    """Finished documents, encoded."""
