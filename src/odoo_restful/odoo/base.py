"""The one interface route handlers use to talk to Odoo, whatever the wire protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Credential:
    """Who a call runs as: the token owner's uid and Odoo secret (password or API key)."""

    db: str
    uid: int
    secret: str
    kind: str = "password"  # "password", "api_key", or "session" (a web session id)
    login: str = ""

    def __repr__(self) -> str:  # never print the secret
        return f"Credential(db={self.db!r}, uid={self.uid}, kind={self.kind!r})"


class OdooClient(Protocol):
    """Calls Odoo's ORM as one user; errors come out as ``errors.GatewayError`` subclasses."""

    protocol: str

    async def version(self) -> dict[str, Any]: ...

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

    async def close(self) -> None: ...
