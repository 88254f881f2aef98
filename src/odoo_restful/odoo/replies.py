"""Odoo's replies, read in one place for the three protocol clients.

Odoo answers in two forms. The JSON-RPC envelope (``/jsonrpc`` and the web-session
routes): HTTP 200 with ``{"result": ...}`` or ``{"error": {"code", "message",
"data": {"name", "message"}}}``. JSON-2's bare form: the result itself on 200, and
an error as its HTTP status with a bare ``{"name", "message"}`` body. Either way a
reply becomes the result's JSON bytes (or, for a page, its records' raw bytes, never
decoded further) or one gateway error: a reply that is not what its form promises
is a 502, never a 500. Signing in, whatever the protocol, ends here too: the uid
check and the mapping of Odoo's refusals to "wrong login or password" and
"database not found".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
import orjson

from ..errors import (
    AccessDenied,
    AccessError,
    DatabaseNotFound,
    GatewayError,
    InvalidCredentials,
    RouteAbsent,
    UpstreamError,
    from_odoo,
)
from .transport import Reply

WRONG_LOGIN = "wrong login or password"


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
    jsonrpc: str | None = None


class _PageEnvelope(msgspec.Struct):
    result: list[msgspec.Raw] | None = None
    error: _Error | None = None


_envelope = msgspec.json.Decoder(_Envelope)
_page_envelope = msgspec.json.Decoder(_PageEnvelope)
_bare = msgspec.json.Decoder(msgspec.Raw)  # checks a whole body is JSON, decodes nothing
_bare_page = msgspec.json.Decoder(list[msgspec.Raw])
_failure = msgspec.json.Decoder(_ErrorData)


# --- the JSON-RPC envelope ---


def rpc_error(error: _Error) -> GatewayError:
    """Map a JSON-RPC ``error`` member to the gateway's exception tree."""
    data = error.data or _ErrorData()
    if error.code == 100 and not data.name:
        data = _ErrorData("odoo.http.SessionExpiredException", error.message)
    return from_odoo(data.name, data.message or error.message)


def _rpc_status(reply: Reply, what: str) -> UpstreamError:
    if reply.status == 404:
        return RouteAbsent(f"Odoo has no {what} endpoint at this address (HTTP 404)")
    if 400 <= reply.status < 500:  # a front server refusing the route (403, 410...)
        return RouteAbsent(f"Odoo answered {what} with HTTP {reply.status}")
    return UpstreamError(f"Odoo answered {what} with HTTP {reply.status}")


def decode_reply(reply: Reply, what: str) -> bytes:
    """The raw ``result`` of a JSON-RPC reply, or the mapped error."""
    if reply.status != 200:
        raise _rpc_status(reply, what)
    try:
        envelope = _envelope.decode(reply.body)
    except msgspec.DecodeError as exc:  # ValidationError included
        raise UpstreamError(f"Odoo's reply to {what} is not JSON-RPC") from exc
    if envelope.error is not None:
        raise rpc_error(envelope.error)
    if not envelope.result:
        if envelope.jsonrpc is not None:
            # Odoo leaves ``result`` out when a method returns None (action_archive...)
            return b"null"
        raise UpstreamError(f"Odoo's reply to {what} has neither result nor error")
    return bytes(envelope.result)


def decode_page(reply: Reply, what: str) -> list[msgspec.Raw]:
    """A JSON-RPC reply whose result is a list, as its records' raw bytes, in one pass."""
    if reply.status != 200:
        raise _rpc_status(reply, what)
    try:
        envelope = _page_envelope.decode(reply.body)
    except msgspec.ValidationError as exc:
        raise UpstreamError(f"Odoo's reply to {what} is not a list of records") from exc
    except msgspec.DecodeError as exc:
        raise UpstreamError(f"Odoo's reply to {what} is not JSON-RPC") from exc
    if envelope.error is not None:
        raise rpc_error(envelope.error)
    if envelope.result is None:
        raise UpstreamError(f"Odoo's reply to {what} has neither result nor error")
    return envelope.result


# --- JSON-2's bare form ---


def json2_error(reply: Reply, what: str) -> GatewayError:
    """The gateway error for a JSON-2 reply that is not a 200."""
    if "json" not in reply.headers.get("content-type", ""):
        if reply.status == 404:  # Odoo's HTML page for an X-Odoo-Database it does not have
            return DatabaseNotFound()
        return UpstreamError(f"Odoo answered {what} with HTTP {reply.status}")
    try:
        failure = _failure.decode(reply.body)
    except msgspec.DecodeError:  # ValidationError included
        return UpstreamError(f"Odoo answered {what} with HTTP {reply.status}, not a JSON error")
    return from_odoo(failure.name, failure.message)


def decode_json2(reply: Reply, what: str) -> bytes:
    """The JSON bytes of a JSON-2 result, checked to be JSON, or the mapped error."""
    if reply.status != 200:
        raise json2_error(reply, what)
    try:
        _bare.decode(reply.body)
    except msgspec.DecodeError as exc:
        raise UpstreamError(f"Odoo's reply to {what} is not JSON") from exc
    return reply.body


def decode_json2_value(reply: Reply, what: str) -> Any:
    """A JSON-2 result decoded, in one pass (the route handlers' ``call``)."""
    if reply.status != 200:
        raise json2_error(reply, what)
    try:
        return orjson.loads(reply.body)
    except orjson.JSONDecodeError as exc:
        raise UpstreamError(f"Odoo's reply to {what} is not JSON") from exc


def decode_json2_page(reply: Reply, what: str) -> list[msgspec.Raw]:
    """A JSON-2 list result as its records' raw bytes, in one pass."""
    if reply.status != 200:
        raise json2_error(reply, what)
    try:
        return _bare_page.decode(reply.body)
    except msgspec.ValidationError as exc:
        raise UpstreamError(f"Odoo's reply to {what} is not a list of records") from exc
    except msgspec.DecodeError as exc:
        raise UpstreamError(f"Odoo's reply to {what} is not JSON") from exc


# --- signing in ---


@contextmanager
def signing_in() -> Iterator[None]:
    """Odoo's refusals of a sign-in, alike whatever the protocol said them with."""
    try:
        yield
    except AccessDenied as exc:  # a wrong password or API key
        raise InvalidCredentials(WRONG_LOGIN) from exc
    except AccessError as exc:  # the web session's words for an unknown database
        if "database" in exc.message.lower():
            raise DatabaseNotFound() from exc
        raise


def wrong_login() -> InvalidCredentials:
    return InvalidCredentials(WRONG_LOGIN)


def signed_in_uid(value: Any) -> int:
    """The uid a sign-in answered: ``false`` (or nothing) means wrong credentials."""
    if value is None or value is False:
        raise wrong_login()
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise UpstreamError("Odoo's answer to a sign-in holds no valid uid")
    return value
