"""Odoo's JSON-RPC protocol (``POST /jsonrpc``, services ``common`` and ``object``).

Replies are decoded with msgspec into an envelope whose ``result`` stays raw
bytes, so a ``search_read`` page can pass through to the client undecoded.
"""

from __future__ import annotations

import itertools
from typing import Any

import msgspec
import orjson

from ..errors import AccessDenied, GatewayError, InvalidCredentials, UpstreamError, from_odoo
from .base import ClientBase, Credential
from .transport import Reply, Transport

_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class _ErrorData(msgspec.Struct):
    name: str = ""
    message: str = ""


class _Error(msgspec.Struct):
    code: int = 0
    message: str = ""
    data: _ErrorData | None = None


class _Envelope(msgspec.Struct):
    result: msgspec.Raw = msgspec.Raw()
    error: _Error | None = None


_decoder = msgspec.json.Decoder(_Envelope)


def rpc_error(error: _Error) -> GatewayError:
    """Map a JSON-RPC ``error`` member to the gateway's exception tree."""
    data = error.data or _ErrorData()
    if error.code == 100 and not data.name:
        data = _ErrorData("odoo.http.SessionExpiredException", error.message)
    return from_odoo(data.name, data.message or error.message)


def decode_reply(reply: Reply, what: str) -> bytes:
    """The raw ``result`` of a JSON-RPC reply, or the mapped error."""
    if reply.status != 200:
        if reply.status == 404:
            raise UpstreamError(f"Odoo has no {what} endpoint at this address (HTTP 404)")
        raise UpstreamError(f"Odoo answered {what} with HTTP {reply.status}")
    try:
        envelope = _decoder.decode(reply.body)
    except msgspec.DecodeError as exc:
        raise UpstreamError(f"Odoo's reply to {what} is not JSON-RPC") from exc
    if envelope.error is not None:
        raise rpc_error(envelope.error)
    if not envelope.result:
        raise UpstreamError(f"Odoo's reply to {what} has neither result nor error")
    return bytes(envelope.result)


class _PageEnvelope(msgspec.Struct):
    result: list[msgspec.Raw] | None = None
    error: _Error | None = None


_page_decoder = msgspec.json.Decoder(_PageEnvelope)


def decode_page(reply: Reply, what: str) -> list[msgspec.Raw]:
    """A reply whose result is a list, as its records' raw bytes, in one pass."""
    if reply.status != 200:
        decode_reply(reply, what)  # raises the mapped error
    try:
        envelope = _page_decoder.decode(reply.body)
    except msgspec.ValidationError as exc:
        raise UpstreamError(f"Odoo's reply to {what} is not a list of records") from exc
    except msgspec.DecodeError as exc:
        raise UpstreamError(f"Odoo's reply to {what} is not JSON-RPC") from exc
    if envelope.error is not None:
        raise rpc_error(envelope.error)
    if envelope.result is None:
        raise UpstreamError(f"Odoo's reply to {what} has neither result nor error")
    return envelope.result


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

    async def _rpc(self, service: str, method: str, args: list[Any]) -> bytes:
        return decode_reply(await self._post(service, method, args), "/jsonrpc")

    async def _fetch_version(self) -> bytes:
        return await self._rpc("common", "version", [])

    async def authenticate(self, db: str, login: str, secret: str) -> int:
        try:
            raw = await self._rpc("common", "authenticate", [db, login, secret, {}])
        except AccessDenied as exc:
            raise InvalidCredentials("wrong login or password") from exc
        uid = orjson.loads(raw)
        if not isinstance(uid, int) or isinstance(uid, bool) or uid <= 0:
            raise InvalidCredentials("wrong login or password")
        return uid

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
