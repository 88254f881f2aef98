"""Per-user caches of what rarely changes: field metadata, readable models, and the
field list a read sends when the client names none.

Odoo answers ``fields_get`` per user (fields restricted to groups the user lacks are
left out) and decides per user which models may be read, so every entry here is
keyed by database *and* user, and a failed fetch is only ever handed to concurrent
requests of that same user. Each fetch runs once per TTL, never per request.

Why the default field list: Odoo's own ``read``/``search_read`` with no field list
reads every field the user's ``fields_get`` lists, and fails for ordinary users
("Failed to read field res.partner.rtc_session_ids") as soon as one of them is
computed from a model the user may not read. Asking for the *stored*, *non-binary*
fields whose related model the user can read (plus ``display_name``) works for every
user and keeps base64 images out of default answers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Generic, TypeVar

from ..errors import OdooError, UnknownMethod
from .base import Credential, OdooClient

FieldsInfo = Mapping[str, Mapping[str, Any]]
"""A ``fields_get`` result: field name -> attributes (``type``, ``relation``, ...)."""

_ATTRIBUTES = ["type", "relation", "required", "readonly", "string", "selection", "store"]
ALL_FIELDS = "*"
_K = TypeVar("_K")
_V = TypeVar("_V")


class TtlCache(Generic[_K, _V]):
    """A bounded TTL cache with one in-flight fetch per key (errors are not cached)."""

    def __init__(
        self, *, ttl: float, max_entries: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._max = max_entries
        self._entries: dict[_K, tuple[float, _V]] = {}
        self._pending: dict[_K, asyncio.Future[_V]] = {}

    def peek(self, key: _K) -> _V | None:
        entry = self._entries.get(key)
        if entry is not None and entry[0] > self._clock():
            return entry[1]
        return None

    async def get(self, key: _K, fetch: Callable[[], Awaitable[_V]]) -> _V:
        found = self.peek(key)
        if found is not None:
            return found
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[_V] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            value = await fetch()
            if len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (self._clock() + self._ttl, value)
            future.set_result(value)
            return value
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            del self._pending[key]
            # The future holds the exception, whose traceback holds this frame: drop
            # the frame's reference so no cycle is left for the collector.
            del future

    def clear(self) -> None:
        self._entries.clear()


def _user(cred: Credential) -> tuple[str, int]:
    return (cred.db, cred.uid)


class Metadata:
    """Field metadata, readable models and default field lists, per database and user."""

    def __init__(
        self,
        client: OdooClient,
        *,
        ttl: float = 300.0,
        max_entries: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._client = client
        self._fields: TtlCache[tuple[str, int, str], FieldsInfo] = TtlCache(
            ttl=ttl, max_entries=max_entries, clock=clock
        )
        self._models: TtlCache[tuple[str, int], frozenset[str] | None] = TtlCache(
            ttl=ttl, max_entries=max_entries, clock=clock
        )
        self._readable: TtlCache[tuple[str, int, str], bool] = TtlCache(
            ttl=ttl, max_entries=max_entries * 8, clock=clock
        )
        self._lists: TtlCache[tuple[str, int, str, bool], list[str]] = TtlCache(
            ttl=ttl, max_entries=max_entries, clock=clock
        )

    # --- fields_get ---

    async def get(self, cred: Credential, model: str) -> FieldsInfo:
        """``fields_get`` of ``model`` as this user (cached)."""

        async def fetch() -> FieldsInfo:
            info = await self._client.call(
                cred, model, "fields_get", [], {"attributes": _ATTRIBUTES}
            )
            return info if isinstance(info, dict) else {}

        return await self._fields.get((*_user(cred), model), fetch)

    def lookup(self, cred: Credential) -> Callable[[str], Coroutine[Any, Any, FieldsInfo]]:
        """``model -> fields`` as that user, the form ``values.prepare_values`` asks for."""

        async def fields_of(model: str) -> FieldsInfo:
            return await self.get(cred, model)

        return fields_of

    # --- which models the user may read ---

    async def available_models(self, cred: Credential) -> frozenset[str] | None:
        """``ir.model.get_available_models()`` (Odoo 17+): None where it is missing or
        says nothing (portal users get an empty list), so callers ask per model."""

        async def fetch() -> frozenset[str] | None:
            try:
                rows = await self._client.call(cred, "ir.model", "get_available_models", [], {})
            except (UnknownMethod, OdooError):
                return None
            if not isinstance(rows, list):
                return None
            names = frozenset(
                row["model"] for row in rows if isinstance(row, dict) and "model" in row
            )
            return names or None

        return await self._models.get(_user(cred), fetch)

    async def can_read(self, cred: Credential, model: str) -> bool:
        available = await self.available_models(cred)
        if available is not None:
            return model in available

        async def fetch() -> bool:
            try:
                answer = await self._client.call(
                    cred,
                    model,
                    "check_access_rights",
                    [],
                    {"operation": "read", "raise_exception": False},
                )
            except UnknownMethod:
                return True  # neither probe exists: let Odoo judge the read itself
            except OdooError:
                return False  # no such model, or no right to ask
            return answer is True

        return await self._readable.get((*_user(cred), model), fetch)

    # --- the field list of a read that names none ---

    async def default_fields(
        self, cred: Credential, model: str, *, every: bool = False
    ) -> list[str]:
        """Stored, non-binary fields whose related model the user can read, and
        ``display_name``; with ``every`` (``fields=*``), every field of the user's
        ``fields_get`` whose related model the user can read, binaries and computed
        fields included."""

        async def fetch() -> list[str]:
            info = await self.get(cred, model)
            relations = {
                str(meta["relation"])
                for meta in info.values()
                if isinstance(meta, dict) and isinstance(meta.get("relation"), str)
            }
            checks = await asyncio.gather(*(self.can_read(cred, rel) for rel in relations))
            readable = {rel for rel, ok in zip(relations, checks, strict=True) if ok}
            names = [
                name
                for name, meta in info.items()
                if isinstance(meta, dict)
                and _wanted(meta, every=every)
                and (not isinstance(meta.get("relation"), str) or meta["relation"] in readable)
            ]
            if "display_name" in info and "display_name" not in names:
                names.append("display_name")
            return names or ["display_name"]

        return await self._lists.get((*_user(cred), model, every), fetch)

    def clear(self) -> None:
        for cache in (self._fields, self._models, self._readable, self._lists):
            cache.clear()


def _wanted(meta: dict[str, Any], *, every: bool) -> bool:
    if every:
        return True
    return meta.get("store", True) is not False and meta.get("type") != "binary"
