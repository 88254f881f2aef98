"""``/api/auth/token``: issue, refresh and revoke tokens; ``/api/auth/tokens``: revoke all."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..errors import BadRequest, InvalidToken, MissingParameters, ScopeDenied
from ..responses import envelope, json_response
from ..scopes import parse_scopes
from ..signin import Issued, issue_token
from .common import client_address, gateway, identify, request_params

_CREDENTIALS = ("login", "password", "db")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_MAX_CREDENTIAL = 1024


def _credential(request: Request, values: dict[str, Any], name: str) -> str | None:
    value = values.get(name)
    if value is None or value == "":
        value = request.headers.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > _MAX_CREDENTIAL:
        raise MissingParameters(f"'{name}' must be a string of at most {_MAX_CREDENTIAL} chars")
    return value


async def issue(request: Request) -> Response:
    """Odoo credentials in, a token out; optional scopes narrow what it may do."""
    gw = gateway(request)
    values = (await request_params(request)).values
    login = _credential(request, values, "login")
    password = _credential(request, values, "password")
    db = _credential(request, values, "db") or gw.settings.default_db
    missing = [n for n, v in zip(_CREDENTIALS, (login, password, db), strict=True) if not v]
    if missing:
        raise MissingParameters(f"missing {', '.join(missing)}")
    assert login and password and db
    issued = await issue_token(
        gw,
        db=db,
        login=login,
        secret=password,
        scopes=parse_scopes(values),
        client=client_address(request),
    )
    return json_response(issued.body(), headers=_NO_STORE)


async def refresh(request: Request) -> Response:
    """A new token for the same user and (at most) the same scopes; the old one stops."""
    ident = await identify(request)
    gw = gateway(request)
    rp = await request_params(request)
    if rp.body.items is not None:
        raise BadRequest("the body must be a JSON object (scopes), not a list")
    scopes = parse_scopes(rp.values).meet(ident.scopes)
    # Revoke first, and only the call that revoked it issues: of concurrent refreshes
    # of one token exactly one wins (the store's revoke is a conditional update).
    if not await gw.tokens.revoke_hash(ident.token_hash):
        raise InvalidToken("invalid or revoked access token")
    token, expires_in = await gw.tokens.issue(
        ident.cred, login=ident.login, user_info=ident.user_info, scopes=scopes
    )
    return json_response(Issued(token, expires_in, ident.user_info).body(), headers=_NO_STORE)


async def revoke(request: Request) -> Response:
    """Revoke the token sent with the request (401 if it is already unusable)."""
    ident = await identify(request)
    await gateway(request).tokens.revoke_hash(ident.token_hash)
    return envelope({"message": "access token revoked"}, headers=_NO_STORE)


async def revoke_all(request: Request) -> Response:
    """Revoke every token of the calling user on this database.

    Only an unscoped token may: a read-only or model/method-scoped token acts for part
    of its user, so it may revoke itself (``DELETE /api/auth/token``), not the others.
    """
    ident = await identify(request)
    if ident.scopes.narrowed:
        raise ScopeDenied("a scoped token may revoke itself, not all tokens of its user")
    count = await gateway(request).tokens.revoke_user(ident.cred.db, ident.cred.uid)
    return envelope(
        {"message": "all access tokens of this user revoked", "revoked": count}, headers=_NO_STORE
    )
