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

from ..errors import (
    AccessDenied,
    DatabaseNotFound,
    InvalidCredentials,
    InvalidParameters,
    UpstreamError,
    from_odoo,
)
from .base import ClientBase, Credential

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


_HEADER_SAFE = re.compile(r"[\x21-\x7e]{1,1024}")


class _Failure(msgspec.Struct):
    name: str = ""
    message: str = ""


_failure = msgspec.json.Decoder(_Failure)


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
    ) -> bytes:
        if not _HEADER_SAFE.fullmatch(key):
            # a password with spaces or control characters is no API key; and it must
            # never be spliced into a header
            raise InvalidCredentials("wrong login or password")
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"bearer {key}",
            "X-Odoo-Database": cred_db,
        }
        reply = await self._transport.request(
            "POST", f"/json/2/{model}/{method}", orjson.dumps(body), headers
        )
        if reply.status == 200:
            return reply.body
        content_type = reply.headers.get("content-type", "")
        if reply.status == 404 and "json" not in content_type:
            raise DatabaseNotFound("this database does not exist on the Odoo server")
        if "json" not in content_type:
            raise UpstreamError(f"Odoo answered /json/2 with HTTP {reply.status}")
        try:
            failure = _failure.decode(reply.body)
        except msgspec.DecodeError as exc:
            raise UpstreamError(f"Odoo answered /json/2 with HTTP {reply.status}") from exc
        raise from_odoo(failure.name, failure.message)

    async def _fetch_version(self) -> bytes:
        reply = await self._transport.request("GET", "/json/version", b"", {})
        if reply.status != 200:
            raise UpstreamError(f"Odoo answered /json/version with HTTP {reply.status}")
        return reply.body

    async def authenticate(self, db: str, login: str, secret: str) -> int:
        """JSON-2 has no login call: the key names its user, who must be ``login``."""
        try:
            raw = await self._post(db, secret, "res.users", "context_get", {})
            context = orjson.loads(raw)
            uid = context.get("uid") if isinstance(context, dict) else None
            if not isinstance(uid, int) or isinstance(uid, bool):
                raise InvalidCredentials("wrong login or password")
            users = orjson.loads(
                await self._post(
                    db, secret, "res.users", "read", {"ids": [uid], "fields": ["login"]}
                )
            )
        except AccessDenied as exc:
            raise InvalidCredentials("wrong login or password") from exc
        if not users or users[0].get("login") != login:
            raise InvalidCredentials("wrong login or password")
        return uid

    async def call_raw(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> bytes:
        raw = await self._post(
            cred.db, cred.secret, model, method, named_arguments(method, args, kwargs)
        )
        if method == "create" and args and isinstance(args[0], dict):
            ids = orjson.loads(raw)  # JSON-RPC returns one id for one dict: keep that
            if isinstance(ids, list) and len(ids) == 1:
                return orjson.dumps(ids[0])
        return raw
