"""The documents a caller may see, built once per database, user and token scopes.

The route handlers stay thin: they identify the caller and hand over here. Which
models a user may read comes from ``gateway.fields`` (``ir.model.get_available_models``
on Odoo 17+, cached per database and user); where Odoo cannot say, from ``ir.model``
if the user may read it, else from :data:`FALLBACK_MODELS`, each checked with
``check_access_rights``. The token's scopes narrow every list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import orjson

from .. import params
from ..errors import BadRequest, OdooError, UnknownModel
from ..odoo.base import Credential
from ..scopes import intersect
from .cache import DocumentCache, TtlCache
from .collect import collect_models
from .common import FALLBACK_MODELS, DocumentOptions
from .document import build_document, build_index, build_start_document

if TYPE_CHECKING:
    from ..gateway import Gateway
    from ..tokens.service import Identity

DOCUMENT_TTL: Final = 300.0
#: At most this many ``check_access_rights`` calls at once while listing models.
_PROBES: Final = 8


class OpenApiService:
    """Index, per-model and named-models documents, cached per caller's view."""

    def __init__(self, gw: Gateway, *, ttl: float = DOCUMENT_TTL) -> None:
        self._gw = gw
        self._documents = DocumentCache(ttl=ttl)
        self._models: TtlCache[tuple[str, ...]] = TtlCache(ttl=ttl, max_entries=1024)
        self._start: bytes | None = None

    # --- which models ---

    async def readable_models(self, cred: Credential) -> tuple[str, ...]:
        """Every model this user may read, sorted (not narrowed by token scopes)."""
        key = (cred.db, cred.uid)
        found = self._models.get(key)
        if found is not None:
            return found
        async with self._models.lock(key):
            found = self._models.get(key)
            if found is None:
                found = await self._list_models(cred)
                self._models.put(key, found)
        return found

    async def _list_models(self, cred: Credential) -> tuple[str, ...]:
        metadata = self._gw.fields
        available = await metadata.available_models(cred)
        if available is not None:
            return tuple(sorted(available))
        candidates = await self._ir_models(cred) or FALLBACK_MODELS
        gate = asyncio.Semaphore(_PROBES)

        async def probe(model: str) -> bool:
            async with gate:
                return await metadata.can_read(cred, model)

        checks = await asyncio.gather(*(probe(m) for m in candidates))
        return tuple(sorted(m for m, ok in zip(candidates, checks, strict=True) if ok))

    async def _ir_models(self, cred: Credential) -> list[str] | None:
        """Odoo 16 and older, for users who may read ``ir.model`` (administrators)."""
        try:
            rows = await self._gw.odoo.call(
                cred,
                "ir.model",
                "search_read",
                [[("transient", "=", False)]],
                {"fields": ["model"], "order": "model"},
            )
        except OdooError:
            return None
        if not isinstance(rows, list):
            return None
        names = [
            r["model"] for r in rows if isinstance(r, dict) and isinstance(r.get("model"), str)
        ]
        return [n for n in names if _model_name(n)] or None

    # --- documents ---

    def _options(self, ident: Identity, unavailable: Sequence[str] = ()) -> DocumentOptions:
        settings = self._gw.settings
        return DocumentOptions(
            default_limit=settings.default_limit,
            max_limit=settings.max_limit,
            max_batch=settings.max_batch,
            read_only=ident.scopes.read_only,
            methods=intersect(self._gw.method_allow, ident.scopes.methods),
            unavailable=tuple(unavailable),
        )

    def _key(self, ident: Identity, what: Any) -> tuple[Any, ...]:
        scopes = ident.scopes
        return (
            what,
            ident.cred.db,
            ident.cred.uid,
            str(ident.context.get("lang", "")),
            scopes.read_only,
            scopes.models,
            intersect(self._gw.method_allow, scopes.methods),
        )

    async def _cached(self, key: tuple[Any, ...], build: Any) -> bytes:
        body = self._documents.get(key)
        if body is None:
            async with self._documents.lock(key):
                body = self._documents.get(key)
                if body is None:
                    body = orjson.dumps(await build())
                    self._documents.put(key, body)
        return body

    async def index(self, ident: Identity) -> bytes:
        """Every model the caller may read (and its token may use), routes in generic form."""

        async def build() -> dict[str, Any]:
            models = await self.readable_models(ident.cred)
            allowed = ident.scopes.models
            if allowed is not None:
                models = tuple(m for m in models if m in allowed)
            return build_index(models, options=self._options(ident))

        return await self._cached(self._key(ident, "index"), build)

    async def models(self, ident: Identity, wanted: Sequence[str]) -> bytes:
        """These models in full; the ones the caller may not read are listed as such.

        :raises UnknownModel: when none of them can be described (404).
        """

        async def build() -> dict[str, Any]:
            allowed = ident.scopes.models
            usable = [m for m in wanted if allowed is None or m in allowed]
            found, _ = await collect_models(
                self._gw.odoo, ident.cred, usable, context=ident.context
            )
            if not found:
                raise UnknownModel(
                    f"no model you can read among: {', '.join(wanted)}"
                    if len(wanted) > 1
                    else f"no model {wanted[0]!r} that you can read"
                )
            missing = [m for m in wanted if m not in found]
            return build_document(found, options=self._options(ident, missing))

        return await self._cached(self._key(ident, tuple(wanted)), build)

    async def model(self, ident: Identity, model: str) -> bytes:
        """One model in full; 403 outside the token's scopes, 404 when not readable."""
        ident.scopes.check(model, write=False)
        return await self.models(ident, (model,))

    def start(self) -> bytes:
        """The explorer's first document: signing in, no token needed."""
        if self._start is None:
            self._start = orjson.dumps(build_start_document())
        return self._start


def _model_name(name: str) -> bool:
    try:
        params.parse_model_name(name)
    except BadRequest:
        return False
    return True
