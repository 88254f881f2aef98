"""Odoo's JSON-2 protocol (Odoo 19+): ``POST /json/2/<model>/<method>`` with an API key.

JSON-2 takes named arguments only, so the positional ``args`` the route handlers
pass (the ``execute_kw`` convention) are mapped to parameter names here, per
method; what cannot be mapped is refused with a 422 instead of being guessed.
Errors come as HTTP statuses with a bare ``{name, message, ...}`` body.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
import orjson

from ..errors import DatabaseNotFound, InvalidParameters, RouteAbsent, UpstreamError
from .base import ClientBase, Credential
from .large import LargeCall, LargeResult, encode_parts, read_result
from .replies import (
    decode_json2,
    decode_json2_page,
    decode_json2_value,
    signed_in_uid,
    signing_in,
    wrong_login,
)
from .transport import Reply

# Positional parameter names of the ORM methods, after ``ids`` for record methods.
_MODEL_METHODS: dict[str, tuple[str, ...]] = {
    "search_read": ("domain", "fields", "offset", "limit", "order"),
    "search": ("domain", "offset", "limit", "order"),
    "search_count": ("domain", "limit"),
    "fields_get": ("allfields", "attributes"),
    "create": ("vals_list",),
    "name_search": ("name", "domain", "operator", "limit"),
    "default_get": ("fields",),
    "context_get": (),
    "name_create": ("name",),
    "check_object_reference": ("module", "xml_id", "raise_on_access_error"),
    "get_available_models": (),
    "display_name_for": ("models",),
    "check_access_rights": ("operation", "raise_exception"),
    "web_search_read": ("domain", "specification", "offset", "limit", "order", "count_limit"),
    "read_group": ("domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"),
    "formatted_read_group": (
        "domain",
        "groupby",
        "aggregates",
        "having",
        "offset",
        "limit",
        "order",
    ),
    "web_read_group": ("domain", "groupby", "aggregates", "limit", "offset", "order"),
}
_RECORD_METHODS: dict[str, tuple[str, ...]] = {
    "read": ("fields", "load"),
    "write": ("vals",),
    "unlink": (),
    "copy": ("default",),
    "exists": (),
    "get_external_id": (),
    "has_access": ("operation",),
    "web_read": ("specification",),
    "onchange": ("values", "field_names", "fields_spec"),
}


def known_kind(method: str) -> str | None:
    """``"model"`` or ``"records"`` for the ORM methods above, else None (unknown)."""
    if method in _MODEL_METHODS:
        return "model"
    return "records" if method in _RECORD_METHODS else None


# What may go into a header as an API key or a database name: visible ASCII only.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]{1,1024}")
_WHAT = "/json/2"


def named_arguments(method: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The JSON-2 body for ``method(*args, **kwargs)`` in the execute_kw convention."""
    body = dict(kwargs)
    if method in _MODEL_METHODS:
        names = _MODEL_METHODS[method]
        positional = list(args)
        if method == "create" and positional and isinstance(positional[0], dict):
            positional[0] = [positional[0]]
    else:
        if not args:
            if method in _RECORD_METHODS:
                raise InvalidParameters(f"{method} needs record ids")
            return body  # a model-level business method called with keywords only
        names = _RECORD_METHODS.get(method, ())
        body["ids"] = args[0]
        positional = list(args[1:])
    if len(positional) > len(names):
        raise InvalidParameters(
            f"Odoo's JSON-2 protocol takes named arguments only: pass the arguments of "
            f"{method!r} as kwargs"
        )
    for name, value in zip(names, positional, strict=False):
        if name in body:
            raise InvalidParameters(f"argument {name!r} given twice")
        body[name] = value
    return body


class Json2Client(ClientBase):
    """Talks to ``/json/2``: Odoo 19 and later, API keys only (no passwords)."""

    protocol = "json2"

    async def _post(
        self, cred_db: str, key: str, model: str, method: str, body: dict[str, Any]
    ) -> Reply:
        return await self._transport.request(
            "POST", f"/json/2/{model}/{method}", orjson.dumps(body), _headers(cred_db, key)
        )

    async def _fetch_version(self) -> bytes:
        reply = await self._transport.request("GET", "/json/version", b"", {})
        if 400 <= reply.status < 500:  # 404 before Odoo 19, or a front server refusing it
            raise RouteAbsent(f"Odoo answered /json/version with HTTP {reply.status}")
        if reply.status != 200:
            raise UpstreamError(f"Odoo answered /json/version with HTTP {reply.status}")
        return reply.body

    async def authenticate(self, db: str, login: str, secret: str) -> int:
        """JSON-2 has no login call: the key names its user, who must be ``login``."""
        with signing_in():
            reply = await self._post(db, secret, "res.users", "context_get", {})
            context = decode_json2_value(reply, _WHAT)
            uid = signed_in_uid(context.get("uid") if isinstance(context, dict) else None)
            reply = await self._post(
                db, secret, "res.users", "read", {"ids": [uid], "fields": ["login"]}
            )
            users = decode_json2_page(reply, _WHAT)
        user = orjson.loads(bytes(users[0])) if len(users) == 1 else None
        if not isinstance(user, dict):
            raise UpstreamError("Odoo's answer to reading the signed-in user is not one record")
        if user.get("login") != login:
            raise wrong_login()
        return uid

    async def _call(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Reply:
        body = named_arguments(method, args, kwargs)
        return await self._post(cred.db, cred.secret, model, method, body)

    async def call(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        value = decode_json2_value(await self._call(cred, model, method, args, kwargs), _WHAT)
        return _one_id(method, args, value)

    async def call_raw(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> bytes:
        raw = decode_json2(await self._call(cred, model, method, args, kwargs), _WHAT)
        if method == "create" and args and isinstance(args[0], dict):
            return orjson.dumps(_one_id(method, args, orjson.loads(raw)))
        return raw

    async def call_large(self, call: LargeCall) -> LargeResult:
        method, args = call.method, call.args
        parts = encode_parts(named_arguments(method, args, call.kwargs))
        headers = _headers(call.cred.db, call.cred.secret)
        reply = await self._transport.request_parts(
            "POST", f"/json/2/{call.model}/{method}", parts, headers
        )
        found = read_result(reply, call.cut, decode_json2, _WHAT)
        if method == "create" and args and isinstance(args[0], dict):
            return LargeResult(orjson.dumps(_one_id(method, args, orjson.loads(found.result))))
        return found

    async def call_page(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> list[msgspec.Raw]:
        return decode_json2_page(await self._call(cred, model, method, args, kwargs), _WHAT)


def _headers(cred_db: str, key: str) -> dict[str, str]:
    if not _HEADER_SAFE.fullmatch(key):
        # a password with spaces or control characters is no API key; and it must
        # never be spliced into a header
        raise wrong_login()
    if not _HEADER_SAFE.fullmatch(cred_db):
        raise DatabaseNotFound()
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Authorization": f"bearer {key}",
        "X-Odoo-Database": cred_db,
    }


def _one_id(method: str, args: list[Any], value: Any) -> Any:
    """JSON-RPC's ``create`` of one dict returns one id, JSON-2's a list of one: keep the former."""
    one_dict = method == "create" and args and isinstance(args[0], dict)
    if one_dict and isinstance(value, list) and len(value) == 1:
        return value[0]
    return value
