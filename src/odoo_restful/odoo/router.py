"""Chooses the wire protocol per call, so route handlers never know which one is used.

``auto`` picks what costs Odoo least per call: on Odoo 19+ (the server serves
JSON-2) JSON-2 for an API key and the web session for a password, since 19's
``/jsonrpc`` checks the password and logs a deprecation warning on every call while
the session route does neither; on older servers JSON-RPC for every credential
while ``/jsonrpc`` is served, the web session otherwise. What the server offers is
probed once and cached; only a 4xx says a route is absent (a probe that fails
otherwise is asked again). A forced protocol (``--protocol``) skips the probe.

The probe also learns the server's major version (:meth:`OdooRouter.server_version`):
JSON-2's ``/json/version`` first (19+), then ``common.version`` (every version;
Odoo 16 has no ``/json/version``). A call of a method that Odoo added after the
server's version (:data:`METHOD_SINCE`) answers 501 naming both versions.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec

from ..errors import (
    NotImplementedOnVersion,
    RouteAbsent,
    UnknownMethod,
    UpstreamError,
)
from ..metrics import OdooCallTimer, odoo_call_timer
from .base import Credential, OdooClient
from .json2 import Json2Client
from .jsonrpc import JsonRpcClient
from .large import LargeCall, LargeResult
from .transport import Transport
from .websession import WebSessionClient

log = logging.getLogger("odoo_restful.odoo")
API_KEY = re.compile(r"^[0-9a-f]{40}$")
T = TypeVar("T")


#: Methods the gateway may call that older Odoo versions lack: name -> first major.
METHOD_SINCE: dict[str, int] = {
    "get_available_models": 17,
    "web_read": 17,
    "has_access": 18,
    "formatted_read_group": 19,
}


def major_of(info: dict[str, Any]) -> int | None:
    """The major version in a ``common.version`` or ``/json/version`` answer."""
    for key in ("server_version_info", "version_info"):
        value = info.get(key)
        if isinstance(value, list) and value and isinstance(value[0], int):
            return value[0]
    return None


def secret_kind(secret: str) -> str:
    """Odoo API keys are 40 hex characters (``secrets.token_hex(20)``)."""
    return "api_key" if API_KEY.match(secret) else "password"


class OdooRouter:
    """An ``OdooClient`` that delegates to the JSON-RPC, JSON-2 or web-session client."""

    def __init__(self, transport: Transport, protocol: str = "auto") -> None:
        self.protocol = protocol
        self._transport = transport
        self.jsonrpc = JsonRpcClient(transport)
        self.json2 = Json2Client(transport)
        self.web = WebSessionClient(transport)
        self._names = {id(self.jsonrpc): "jsonrpc", id(self.json2): "json2", id(self.web): "web"}
        self._offers: tuple[bool, bool] | None = None  # (has JSON-2, has /jsonrpc)
        self._major: int | None = None
        self._lock = asyncio.Lock()

    async def offers(self) -> tuple[bool, bool]:
        """Probe the server once: does it serve JSON-2, and ``/jsonrpc``?"""
        if self._offers is not None:
            return self._offers
        async with self._lock:
            if self._offers is None:
                has_json2 = has_jsonrpc = False
                try:
                    info = await self.json2.version()
                    major = major_of(info)
                    has_json2 = major is not None and major >= 19
                    self._major = major
                except RouteAbsent:
                    pass  # Odoo 18 or older; unreachable, failing or broken: ask again
                try:
                    info = await self.jsonrpc.version()
                    has_jsonrpc = True
                    self._major = major_of(info) or self._major
                except RouteAbsent:
                    pass  # switched off; unreachable, failing or broken: ask again
                self._offers = (has_json2, has_jsonrpc)
                log.info("Odoo offers JSON-2: %s, /jsonrpc: %s", has_json2, has_jsonrpc)
        assert self._offers is not None
        return self._offers

    async def server_version(self) -> int | None:
        """The server's major version (16, 19...), None where no probe told it."""
        if self._major is None:
            try:
                self._major = major_of(await self.version())
            except UpstreamError:
                return None
        return self._major

    async def _too_new(self, exc: UnknownMethod, model: str, method: str) -> Exception:
        """A 501 for a method newer than the server, else ``exc`` itself."""
        since = METHOD_SINCE.get(method)
        if since is None:
            return exc
        major = await self.server_version()  # a forced protocol has not probed yet
        if major is None or major >= since:
            return exc
        return NotImplementedOnVersion(
            f"{model}.{method} needs Odoo {since} or later; this server runs Odoo {major}",
            odoo_name=exc.odoo_name,
        )

    async def describe(self, *, keep_password: bool = True) -> str:
        """One line for the start-up log: the server's version and the protocol choice
        (``keep_password`` off: passwords over the web session, as :meth:`sign_in`)."""
        has_json2, has_jsonrpc = await self.offers()
        try:
            info = await (self.json2 if has_json2 else self.jsonrpc).version()
            version = info.get("server_version") or info.get("version") or "?"
        except UpstreamError:
            version = "?"
        if self.protocol != "auto":
            return f"Odoo {version}, protocol {self.protocol} (forced)"
        passwords = "web" if has_json2 or not has_jsonrpc or not keep_password else "jsonrpc"
        keys = "json2" if has_json2 else "web" if not has_jsonrpc else "jsonrpc"
        return f"Odoo {version}, protocol auto: {keys} for API keys, {passwords} for passwords"

    async def client_for(self, kind: str) -> OdooClient:
        if self.protocol == "jsonrpc":
            return self.jsonrpc
        if self.protocol == "json2":
            return self.json2
        if self.protocol == "web" or kind == "session":
            return self.web
        has_json2, has_jsonrpc = await self.offers()
        if has_json2:  # Odoo 19+: no per-call password check over the web session
            return self.json2 if kind == "api_key" else self.web
        return self.jsonrpc if has_jsonrpc else self.web

    async def version(self) -> dict[str, Any]:
        client = await self.client_for("password")
        return await client.version()

    async def ping(self) -> None:
        """A real, cheap call to Odoo (its version route) for ``/readyz``."""
        client = await self.client_for("password")
        with self._timed(client, "version"):
            await client.ping()

    async def server_major(self) -> int:
        """:meth:`server_version`, 0 when unknown: what nested reads and aggregates ask
        to choose their Odoo method."""
        return await self.server_version() or 0

    async def authenticate(self, db: str, login: str, secret: str) -> int:
        return (await self.sign_in(db, login, secret)).uid

    async def sign_in(
        self, db: str, login: str, secret: str, *, keep_password: bool = True
    ) -> Credential:
        """Check the credentials with Odoo; the Credential later calls run with.

        Over web sessions with ``keep_password`` off, the credential holds the Odoo
        session id instead of the password; ``auto`` then takes a password over the web
        session on every version (JSON-RPC would need the password kept).
        """
        kind = secret_kind(secret)
        client = await self.client_for(kind)
        if self.protocol == "auto" and kind == "password" and not keep_password:
            client = self.web
        if client is self.web and not keep_password:
            with self._timed(self.web, "authenticate"):
                uid, session = await self.web.login(db, login, secret)
            return Credential(db, uid, session, "session", login)
        with self._timed(client, "authenticate"):
            uid = await client.authenticate(db, login, secret)
        return Credential(db, uid, secret, kind, login)

    async def call_raw(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> bytes:
        return await self._through(
            cred, model, method, lambda c: c.call_raw(cred, model, method, args, kwargs)
        )

    async def call_page(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> list[msgspec.Raw]:
        return await self._through(
            cred, model, method, lambda c: c.call_page(cred, model, method, args, kwargs)
        )

    async def call(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        return await self._through(
            cred, model, method, lambda c: c.call(cred, model, method, args, kwargs)
        )

    async def call_large(self, call: LargeCall) -> LargeResult:
        """A call that moves a file, never copying it whole (``large.py``)."""
        return await self._through(call.cred, call.model, call.method, lambda c: c.call_large(call))

    async def _through(
        self, cred: Credential, model: str, method: str, run: Callable[[OdooClient], Awaitable[T]]
    ) -> T:
        """Every ORM call passes here: run on the credential's client, timed, a method
        newer than the server answered as a 501."""
        client = await self.client_for(cred.kind)
        try:
            with self._timed(client, method):
                return await run(client)
        except UnknownMethod as exc:
            raise await self._too_new(exc, model, method) from exc

    def _timed(self, client: OdooClient, method: str) -> OdooCallTimer:
        """Every call to Odoo passes here: its latency, by protocol and method."""
        return odoo_call_timer(self._names.get(id(client), "?"), method)

    async def close(self) -> None:
        await self._transport.close()
