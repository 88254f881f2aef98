"""The one interface route handlers use to talk to Odoo, whatever the wire protocol."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import msgspec
import orjson

from ..errors import UpstreamError

if TYPE_CHECKING:
    from .large import LargeCall, LargeResult
    from .transport import Transport


@dataclass(frozen=True, slots=True)
class Credential:
    """Who a call runs as: the token owner's uid and Odoo secret (password or API key)."""

    db: str
    uid: int
    secret: str
    kind: str = "password"  # "password", "api_key", or "session" (a web session id)
    login: str = ""
    #: For kind "session": keeps the new id when Odoo rotates the session (the token
    #: store re-seals it), so the token outlives the old id.
    follow: Callable[[str], Awaitable[None]] | None = field(default=None, compare=False, repr=False)

    def __repr__(self) -> str:  # never print the secret
        return f"Credential(db={self.db!r}, uid={self.uid}, kind={self.kind!r})"


class OdooClient(Protocol):
    """Calls Odoo's ORM as one user; errors come out as ``errors.GatewayError`` subclasses."""

    protocol: str

    async def version(self) -> dict[str, Any]: ...

    async def ping(self) -> None: ...

    async def authenticate(self, db: str, login: str, secret: str) -> int:
        """The uid for these credentials; raises InvalidCredentials or DatabaseNotFound."""
        ...

    async def call(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        """Call ``model.method(*args, **kwargs)`` and return the decoded result."""
        ...

    async def call_raw(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> bytes:
        """Same as ``call`` but return the result's JSON bytes undecoded (for pass-through)."""
        ...

    async def call_page(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> list[msgspec.Raw]:
        """A list result (search_read) as its records' raw JSON (for pass-through)."""
        ...

    async def call_large(self, call: LargeCall) -> LargeResult:
        """A call that moves a file, never copying it whole (see ``large.LargeCall``)."""
        ...

    async def close(self) -> None: ...


_records = msgspec.json.Decoder(list[msgspec.Raw])


class ClientBase:
    """What the protocol clients share: the transport, decoded calls, a cached version."""

    protocol = ""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._version: dict[str, Any] | None = None

    async def call_raw(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> bytes:
        raise NotImplementedError

    async def call(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        return orjson.loads(await self.call_raw(cred, model, method, args, kwargs))

    async def call_page(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> list[msgspec.Raw]:
        """A list result (search_read) as its records' raw JSON, never decoded further."""
        raw = await self.call_raw(cred, model, method, args, kwargs)
        try:
            return _records.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise UpstreamError(f"Odoo's {method} reply is not a list of records") from exc

    async def _fetch_version(self) -> bytes:
        """The version reply's JSON; each protocol asks its own route."""
        raise NotImplementedError

    async def version(self) -> dict[str, Any]:
        """Asked once per client, then cached: never fetched per request."""
        if self._version is None:
            try:
                value = orjson.loads(await self._fetch_version())
            except orjson.JSONDecodeError:
                value = None
            if not isinstance(value, dict):
                raise UpstreamError(f"Odoo's {self.protocol} version reply is not a JSON object")
            self._version = value
        return self._version

    async def ping(self) -> None:
        """One real round trip to Odoo (readiness), never the cached version."""
        await self._fetch_version()

    async def close(self) -> None:
        await self._transport.close()
