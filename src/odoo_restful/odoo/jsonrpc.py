"""Odoo's JSON-RPC protocol (``POST /jsonrpc``, services ``common`` and ``object``).

Replies are read by ``replies.py`` into an envelope whose ``result`` stays raw
bytes, so a ``search_read`` page can pass through to the client undecoded.
"""

from __future__ import annotations

import itertools
from typing import Any

import msgspec
import orjson

from .base import ClientBase, Credential
from .large import LargeCall, LargeResult, encode_parts, read_result
from .replies import decode_page, decode_reply, signed_in_uid, signing_in
from .transport import Reply, Transport

_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class JsonRpcClient(ClientBase):
    """Talks to ``/jsonrpc``: works on Odoo 8 to 19 (deprecated from 19, still served)."""

    protocol = "jsonrpc"

    def __init__(self, transport: Transport) -> None:
        super().__init__(transport)
        self._ids = itertools.count(1)

    async def _post(self, service: str, method: str, args: list[Any]) -> Reply:
        body = orjson.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"service": service, "method": method, "args": args},
                "id": next(self._ids),
            }
        )
        return await self._transport.request("POST", "/jsonrpc", body, _HEADERS)

    async def call_large(self, call: LargeCall) -> LargeResult:
        cred = call.cred
        execute = [cred.db, cred.uid, cred.secret, call.model, call.method, call.args, call.kwargs]
        params = {"service": "object", "method": "execute_kw", "args": execute}
        parts = encode_parts(
            {"jsonrpc": "2.0", "method": "call", "params": params, "id": next(self._ids)}
        )
        reply = await self._transport.request_parts("POST", "/jsonrpc", parts, _HEADERS)
        return read_result(reply, call.cut, decode_reply, "/jsonrpc")

    async def _rpc(self, service: str, method: str, args: list[Any]) -> bytes:
        return decode_reply(await self._post(service, method, args), "/jsonrpc")

    async def _fetch_version(self) -> bytes:
        return await self._rpc("common", "version", [])

    async def authenticate(self, db: str, login: str, secret: str) -> int:
        with signing_in():
            raw = await self._rpc("common", "authenticate", [db, login, secret, {}])
        return signed_in_uid(orjson.loads(raw))  # false for a wrong password

    async def call_raw(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> bytes:
        return await self._rpc(
            "object", "execute_kw", [cred.db, cred.uid, cred.secret, model, method, args, kwargs]
        )

    async def call_page(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> list[msgspec.Raw]:
        reply = await self._post(
            "object", "execute_kw", [cred.db, cred.uid, cred.secret, model, method, args, kwargs]
        )
        return decode_page(reply, "/jsonrpc")
