"""Odoo's web-client session routes: ``/web/session/authenticate`` then
``/web/dataset/call_kw`` with the ``session_id`` cookie.

For servers where ``/jsonrpc`` is gone and users log in with a password. Sessions
are kept in memory per (database, uid, secret); a credential of kind ``session``
carries the session id itself (the password was not kept), so it cannot be renewed
and an expired session is a 401. A credential of kind ``password`` is renewed once
when Odoo answers code 100 (session expired).

Odoo 19 rotates a signed-in session every 3 hours: the reply to the next request
sets a new ``session_id`` cookie, and the old id dies 120 seconds later. A reply to a
call made with our id that sets another live one is followed: the cached session
(password) or, through ``Credential.follow``, the token's sealed session id.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import msgspec
import orjson

from ..errors import (
    AccessDenied,
    InvalidCredentials,
    InvalidParameters,
    SessionExpired,
    UnknownModel,
    UpstreamError,
)
from .base import ClientBase, Credential
from .large import LargeCall, LargeResult, encode_parts, read_result
from .replies import decode_page, decode_reply, signed_in_uid, signing_in
from .transport import Reply, Transport

_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
_MAX_SESSIONS = 10_000
T = TypeVar("T")
log = logging.getLogger("odoo_restful.odoo")


# One Set-Cookie of session_id and its attributes, in Set-Cookie headers folded into
# one with commas; an Expires date holds ", " + digit.
_SESSION_SET = re.compile(r"(?:^|,)\s*session_id=([^;,\s]*)((?:;[^;,]*(?:,\s\d[^;,]*)?)*)")


def session_cookie(reply: Reply) -> str | None:
    """The ``session_id`` Odoo set at sign-in (the first that is not empty).

    Odoo may send the cookie twice, and other cookies (``frontend_lang``) beside it.
    """
    for value, _ in _SESSION_SET.findall(reply.headers.get("set-cookie", "")):
        if value:
            return str(value)
    return None


_MAX_AGE = re.compile(r";\s*max-age=(-?\d+)", re.IGNORECASE)
_EXPIRES = re.compile(r";\s*expires=([^;]*)", re.IGNORECASE)


def rotated_session(header: str | None, sent: str) -> str | None:
    """The new session id a reply's Set-Cookie carries, if it is not the one sent.

    The common case (no cookie, or the same id again) is one substring test. A
    cookie that deletes the session (empty, ``Max-Age=0``, an Expires in the past,
    as a sign-out sends) is no session to adopt.
    """
    if header is None or f"session_id={sent};" in header:
        return None
    found = _SESSION_SET.findall(header)
    if not found:
        return None
    value, attributes = found[-1]  # the last cookie of a name is the one that stays
    if not value or value == sent or not _alive(attributes):
        return None
    return str(value)


def _alive(attributes: str) -> bool:
    max_age = _MAX_AGE.search(attributes)
    if max_age:  # Max-Age wins over Expires (RFC 6265, 5.3)
        return int(max_age.group(1)) > 0
    expires = _EXPIRES.search(attributes)
    if not expires:
        return True
    try:
        return parsedate_to_datetime(expires.group(1).strip()).timestamp() > time.time()
    except (TypeError, ValueError):
        return False


class WebSessionClient(ClientBase):
    protocol = "web"

    def __init__(self, transport: Transport) -> None:
        super().__init__(transport)
        self._ids = itertools.count(1)
        self._sessions: OrderedDict[tuple[str, int, bytes], str] = OrderedDict()
        self._signing_in: dict[tuple[str, int, bytes], asyncio.Task[str]] = {}

    async def _post(self, path: str, params: dict[str, Any], session: str | None) -> Reply:
        body = orjson.dumps(
            {"jsonrpc": "2.0", "method": "call", "params": params, "id": next(self._ids)}
        )
        headers = {**_HEADERS, "Cookie": f"session_id={session}"} if session else _HEADERS
        return await self._transport.request("POST", path, body, headers)

    async def _rpc(
        self, path: str, params: dict[str, Any], session: str | None = None
    ) -> tuple[bytes, Reply]:
        reply = await self._post(path, params, session)
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

    async def _session(self, cred: Credential, *, stale: str | None = None) -> str:
        """The session to call with: the kept one unless it is ``stale`` (Odoo said it
        expired), else a new sign-in shared by every request waiting for it."""
        if cred.kind == "session":
            if stale is not None:
                raise SessionExpired("the Odoo session expired; request a new token")
            return cred.secret
        key = (cred.db, cred.uid, _digest(cred.secret))
        session = self._sessions.get(key)
        if session is not None and session != stale:
            return session
        if not cred.login:
            raise SessionExpired("the Odoo session expired; request a new token")
        task = self._signing_in.get(key)
        if task is None:
            task = asyncio.ensure_future(self._sign_in_again(key, cred))
            self._signing_in[key] = task
            task.add_done_callback(lambda done: self._signed_in(key, done))
        # shielded: a caller that goes away does not cancel the others' sign-in
        return await asyncio.shield(task)

    async def _sign_in_again(self, key: tuple[str, int, bytes], cred: Credential) -> str:
        assert cred.login is not None
        try:
            uid, session = await self.login(cred.db, cred.login, cred.secret)
        except InvalidCredentials:
            # the kept password changed since the token was made: what Odoo's /jsonrpc
            # and JSON-2 answer a call with a stale password or key, not a wrong login
            raise AccessDenied("Access Denied", odoo_name="odoo.exceptions.AccessDenied") from None
        if uid != cred.uid:
            raise InvalidCredentials("the Odoo credentials now belong to another user")
        self._remember(key, session)
        return session

    def _signed_in(self, key: tuple[str, int, bytes], task: asyncio.Task[str]) -> None:
        if self._signing_in.get(key) is task:
            del self._signing_in[key]
        if not task.cancelled():
            task.exception()  # seen by its waiters; no "never retrieved" warning if none

    async def _follow(self, cred: Credential, sent: str, headers: Mapping[str, str]) -> None:
        """Adopt the id Odoo rotated ``sent`` to, from its answer to a call made with it.

        Only after the call succeeded: an error reply's cookie may belong to a session
        Odoo has just signed out. Concurrent calls all see the same new id (Odoo keeps
        the old one a while and answers it with the new), so any of them may keep it.
        """
        new = rotated_session(headers.get("set-cookie"), sent)
        if new is None:
            return
        if cred.kind != "session":
            key = (cred.db, cred.uid, _digest(cred.secret))
            if self._sessions.get(key) == sent:
                self._remember(key, new)
            return
        if cred.follow is not None:
            try:
                await cred.follow(new)
            except Exception:  # the call succeeded; the next one can keep the id
                log.exception("could not keep the rotated Odoo session id of a token")

    async def call_raw(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> bytes:
        return await self._call_kw(cred, model, method, args, kwargs, decode_reply)

    async def call_page(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> list[msgspec.Raw]:
        """A list result in one pass over the reply, as over ``/jsonrpc``."""
        return await self._call_kw(cred, model, method, args, kwargs, decode_page)

    async def _call_kw(
        self,
        cred: Credential,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
        decode: Callable[[Reply, str], T],
    ) -> T:
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs}
        path = f"/web/dataset/call_kw/{model}/{method}"
        session = None
        for attempt in (0, 1):
            session = await self._session(cred, stale=session)
            try:
                reply = await self._post(path, params, session)
                result = decode(reply, path)
            except (InvalidParameters, SessionExpired) as exc:
                _again_or_raise(exc, cred, model, attempt)
            else:
                await self._follow(cred, session, reply.headers)
                return result
        raise AssertionError("unreachable")

    async def call_large(self, call: LargeCall) -> LargeResult:
        """``call_kw`` with the body in parts (see ``large.py``); sessions as above."""
        cred, model, method = call.cred, call.model, call.method
        params = {"model": model, "method": method, "args": call.args, "kwargs": call.kwargs}
        path = f"/web/dataset/call_kw/{model}/{method}"
        session = None
        for attempt in (0, 1):
            session = await self._session(cred, stale=session)
            parts = encode_parts(
                {"jsonrpc": "2.0", "method": "call", "params": params, "id": next(self._ids)}
            )
            headers = {**_HEADERS, "Cookie": f"session_id={session}"}
            try:
                reply = await self._transport.request_parts("POST", path, parts, headers)
                result = read_result(reply, call.cut, decode_reply, path)
            except (InvalidParameters, SessionExpired) as exc:
                _again_or_raise(exc, cred, model, attempt)
            else:
                await self._follow(cred, session, reply.headers)
                return result
        raise AssertionError("unreachable")

    async def fetch(self, cred: Credential, path: str) -> Reply:
        """GET one of Odoo's web pages (``/report/pdf/...``) with this user's session.

        The raw reply is the caller's to read. An expired session shows as a
        redirect to ``/web/login``; a password credential is signed in again once.
        """
        session = None
        for _ in (0, 1):
            session = await self._session(cred, stale=session)
            reply = await self._transport.request(
                "GET", path, b"", {"Cookie": f"session_id={session}"}
            )
            if not _to_login(reply):
                if reply.status < 400:
                    await self._follow(cred, session, reply.headers)
                return reply
            if cred.kind == "session":
                break
        raise SessionExpired("the Odoo session expired; request a new token")


def _again_or_raise(
    exc: InvalidParameters | SessionExpired, cred: Credential, model: str, attempt: int
) -> None:
    """Returns when a call may be tried again with a new session; else raises."""
    if isinstance(exc, InvalidParameters):
        # call_kw looks the model up in the registry: a KeyError naming it
        if exc.odoo_name == "builtins.KeyError" and exc.message.strip("'\"") == model:
            raise UnknownModel(f"model '{model}' does not exist") from None
        raise exc
    if attempt == 1 or cred.kind == "session":
        raise SessionExpired("the Odoo session expired; request a new token") from None


def _to_login(reply: Reply) -> bool:
    return 300 <= reply.status < 400 and "/web/login" in reply.headers.get("location", "")


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()
