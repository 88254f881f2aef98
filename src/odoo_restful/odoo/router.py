"""Chooses the wire protocol per call, so route handlers never know which one is used.

``auto``: JSON-2 when the server has it (Odoo 19+) and the credential is an API
key; JSON-RPC when the server still serves ``/jsonrpc``; the web-session routes
otherwise. What the server offers is probed once and cached. A forced protocol
(``--protocol``) skips the probe.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import msgspec

from ..errors import BadReply, UpstreamError
from .base import Credential, OdooClient
from .json2 import Json2Client
from .jsonrpc import JsonRpcClient
from .transport import Transport
from .websession import WebSessionClient

log = logging.getLogger("odoo_restful.odoo")
API_KEY = re.compile(r"^[0-9a-f]{40}$")


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
                    major = (info.get("version_info") or [0])[0]
                    has_json2 = isinstance(major, int) and major >= 19
                except UpstreamError:
                    pass
                try:
                    await self.jsonrpc.version()
                    has_jsonrpc = True
                except UpstreamError as exc:
                    if exc.status != 502 or isinstance(exc, BadReply):
                        raise  # unreachable, too slow or a broken reply: try again next call
                self._offers = (has_json2, has_jsonrpc)
                log.info("Odoo offers JSON-2: %s, /jsonrpc: %s", has_json2, has_jsonrpc)
        assert self._offers is not None
        return self._offers

    async def describe(self) -> str:
        """One line for the start-up log: the server's version and the protocol choice."""
        has_json2, has_jsonrpc = await self.offers()
        try:
            info = await (self.json2 if has_json2 else self.jsonrpc).version()
            version = info.get("server_version") or info.get("version") or "?"
        except UpstreamError:
            version = "?"
        if self.protocol != "auto":
            return f"Odoo {version}, protocol {self.protocol} (forced)"
        default = "jsonrpc" if has_jsonrpc else "web"
        keys = "json2" if has_json2 else default
        return f"Odoo {version}, protocol auto: {keys} for API keys, {default} for passwords"

    async def client_for(self, kind: str) -> OdooClient:
        if self.protocol == "jsonrpc":
            return self.jsonrpc
        if self.protocol == "json2":
            return self.json2
        if self.protocol == "web" or kind == "session":
            return self.web
        has_json2, has_jsonrpc = await self.offers()
        if has_json2 and kind == "api_key":
            return self.json2
        if has_jsonrpc:
            return self.jsonrpc
        return self.web

    async def version(self) -> dict[str, Any]:
        client = await self.client_for("password")
        return await client.version()

    async def server_major(self) -> int:
        """The server's major version (19 for Odoo 19.0), asked once; 0 if unknown.

        Features that differ by version (nested reads, grouped aggregates) choose
        their Odoo method by it.
        """
        if self._major is None:
            info = await self.version()
            raw = info.get("server_version_info") or info.get("version_info") or [0]
            major = raw[0] if isinstance(raw, list) and raw else 0
            self._major = major if isinstance(major, int) else 0
        return self._major

    async def authenticate(self, db: str, login: str, secret: str) -> int:
        return (await self.sign_in(db, login, secret)).uid

    async def sign_in(
        self, db: str, login: str, secret: str, *, keep_password: bool = True
    ) -> Credential:
        """Check the credentials with Odoo; the Credential later calls run with.

        Over web sessions with ``keep_password`` off, the credential holds the Odoo
        session id instead of the password.
        """
        kind = secret_kind(secret)
        client = await self.client_for(kind)
        if client is self.web and not keep_password:
            uid, session = await self.web.login(db, login, secret)
            return Credential(db, uid, session, "session", login)
        uid = await client.authenticate(db, login, secret)
        return Credential(db, uid, secret, kind, login)

    async def call_raw(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> bytes:
        client = await self.client_for(cred.kind)
        return await client.call_raw(cred, model, method, args, kwargs)

    async def call_page(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> list[msgspec.Raw]:
        client = await self.client_for(cred.kind)
        return await client.call_page(cred, model, method, args, kwargs)

    async def call(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        client = await self.client_for(cred.kind)
        return await client.call(cred, model, method, args, kwargs)

    async def close(self) -> None:
        await self._transport.close()
