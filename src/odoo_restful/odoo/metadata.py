"""Per-database caches of what rarely changes: model field types.

``fields_get`` costs Odoo a full model introspection; the gateway needs field
types only to translate x2many values, so it fetches them once per TTL per
(database, model), never per request, and shares one in-flight fetch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

from .base import Credential, OdooClient

FieldsInfo = dict[str, dict[str, Any]]
_ATTRIBUTES = ["type", "relation", "required", "readonly", "string", "selection"]


class FieldsCache:
    def __init__(self, client: OdooClient, *, ttl: float = 300.0, max_entries: int = 4096) -> None:
        self._client = client
        self._ttl = ttl
        self._max = max_entries
        self._entries: dict[tuple[str, str], tuple[float, FieldsInfo]] = {}
        self._pending: dict[tuple[str, str], asyncio.Future[FieldsInfo]] = {}

    async def get(self, cred: Credential, model: str) -> FieldsInfo:
        key = (cred.db, model)
        entry = self._entries.get(key)
        now = time.monotonic()
        if entry is not None and entry[0] > now:
            return entry[1]
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[FieldsInfo] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            info = await self._client.call(
                cred, model, "fields_get", [], {"attributes": _ATTRIBUTES}
            )
            if not isinstance(info, dict):
                info = {}
            if len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (now + self._ttl, info)
            future.set_result(info)
            return info
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            del self._pending[key]

    def lookup(self, cred: Credential) -> Callable[[str], Coroutine[Any, Any, FieldsInfo]]:
        """``model -> fields`` as that user, the form ``values.prepare_values`` asks for."""

        async def fields_of(model: str) -> FieldsInfo:
            return await self.get(cred, model)

        return fields_of

    def clear(self) -> None:
        self._entries.clear()
