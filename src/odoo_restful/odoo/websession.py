"""Odoo's web-client session routes: ``/web/session/authenticate`` then
``/web/dataset/call_kw`` with the ``session_id`` cookie.

For servers where ``/jsonrpc`` is gone and users log in with a password. Sessions
are kept in memory per (database, uid, secret); a credential of kind ``session``
carries the session id itself (the password was not kept), so it cannot be renewed
and an expired session is a 401. A credential of kind ``password`` is renewed once
when Odoo answers code 100 (session expired).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import OrderedDict
from typing import Any

import orjson

from ..errors import (
    InvalidCredentials,
    InvalidParameters,
    SessionExpired,
    UnknownModel,
    UpstreamError,
)
from .base import ClientBase, Credential
from .replies import decode_reply, signed_in_uid, signing_in
from .transport import Reply, Transport

_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
_MAX_SESSIONS = 10_000


_SESSION_COOKIE = re.compile(r"(?:^|,)\s*session_id=([^;,\s]+)")


def session_cookie(reply: Reply) -> str | None:
    """The ``session_id`` Odoo set, from Set-Cookie headers folded into one with commas.

    Odoo may send the cookie twice, and other cookies (``frontend_lang``) beside it.
    """
    found = _SESSION_COOKIE.search(reply.headers.get("set-cookie", ""))
    return found.group(1) if found else None


class WebSessionClient(ClientBase):
    protocol = "web"

    def __init__(self, transport: Transport) -> None:
        super().__init__(transport)
        self._ids = itertools.count(1)
        self._sessions: OrderedDict[tuple[str, int, bytes], str] = OrderedDict()

    async def _rpc(
        self, path: str, params: dict[str, Any], session: str | None = None
    ) -> tuple[bytes, Reply]:
        body = orjson.dumps(
            {"jsonrpc": "2.0", "method": "call", "params": params, "id": next(self._ids)}
        )
        headers = dict(_HEADERS)
        if session:
            headers["Cookie"] = f"session_id={session}"
        reply = await self._transport.request("POST", path, body, headers)
        return decode_reply(reply, path), reply

    async def login(self, db: str, login: str, password: str) -> tuple[int, str]:
        """(uid, session id) for these credentials."""
        with signing_in():
            raw, reply = await self._rpc(
                "/web/session/authenticate", {"db": db, "login": login, "password": password}
            )
        info = orjson.loads(raw)
        uid = signed_in_uid(info.get("uid") if isinstance(info, dict) else None)
        session = session_cookie(reply)
        if not session:
            raise UpstreamError("Odoo signed in without setting a session cookie")
        return uid, session

    async def _fetch_version(self) -> bytes:
        raw, _ = await self._rpc("/web/webclient/version_info", {})
        return raw

    async def authenticate(self, db: str, login: str, secret: str) -> int:
        uid, session = await self.login(db, login, secret)
        self._remember((db, uid, _digest(secret)), session)
        return uid

    def _remember(self, key: tuple[str, int, bytes], session: str) -> None:
        self._sessions[key] = session
        self._sessions.move_to_end(key)
        while len(self._sessions) > _MAX_SESSIONS:
            self._sessions.popitem(last=False)

    async def _session(self, cred: Credential, *, renew: bool) -> str:
        if cred.kind == "session":
            return cred.secret
        key = (cred.db, cred.uid, _digest(cred.secret))
        session = None if renew else self._sessions.get(key)
        if session is None:
            if not cred.login:
                raise SessionExpired("the Odoo session expired; request a new token")
            uid, session = await self.login(cred.db, cred.login, cred.secret)
            if uid != cred.uid:
                raise InvalidCredentials("the Odoo credentials now belong to another user")
            self._remember(key, session)
        return session

    async def call_raw(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> bytes:
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs}
        path = f"/web/dataset/call_kw/{model}/{method}"
        for attempt in (0, 1):
            session = await self._session(cred, renew=attempt == 1)
            try:
                raw, _ = await self._rpc(path, params, session)
                return raw
            except InvalidParameters as exc:
                # call_kw looks the model up in the registry: a KeyError naming it
                if exc.odoo_name == "builtins.KeyError" and exc.message.strip("'\"") == model:
                    raise UnknownModel(f"model '{model}' does not exist") from None
                raise
            except SessionExpired:
                if attempt == 1 or cred.kind == "session":
                    raise SessionExpired("the Odoo session expired; request a new token") from None
        raise AssertionError("unreachable")


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()
