"""What every route needs: the parsed request parameters and the caller's identity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from .. import params
from ..errors import InvalidToken

if TYPE_CHECKING:
    from ..gateway import Gateway
    from ..tokens.service import Identity

TOKEN_HEADERS = ("access-token", "access_token")
TOKEN_PARAM = "access_token"  # noqa: S105 (a parameter name)
_PARAMS_KEY = "odoo_restful.params"


@dataclass(slots=True)
class RequestParams:
    """Query string and body merged (body wins), plus the body as sent."""

    values: dict[str, Any]
    body: params.Body
    budget: params.ParseBudget


def gateway(request: Request) -> Gateway:
    gw: Gateway = request.app.state.gateway
    return gw


async def request_params(request: Request) -> RequestParams:
    """Parse once per request: the body is JSON whatever the Content-Type says, or a form.

    Opens the request's parse budget: every literal read while serving it (domain,
    fields, args, kwargs, context, ``__api__`` values) is charged to it.
    """
    cached: RequestParams | None = request.scope.get(_PARAMS_KEY)
    if cached is not None:
        return cached
    budget = params.open_budget()
    headers = request.headers
    # HTTP/1.1 frames a request body with one of these two; without them there is none,
    # and most GETs are spared a trip through the receive channel.
    framed = "content-length" in headers or "transfer-encoding" in headers
    body = (
        params.decode_body(await request.body(), headers.get("content-type"))
        if framed
        else params.Body()
    )
    raw = request.scope["query_string"]
    # what Starlette's query_params would hold, without building its multi-dict
    query = params.single_values(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))
    parsed = RequestParams(params.merge_sources(query, body), body, budget)
    request.scope[_PARAMS_KEY] = parsed
    return parsed


def call_context(base: dict[str, Any], value: Any) -> dict[str, Any]:
    """The user's own context (lang, tz) from the token, overridden by the request's."""
    ctx = dict(base)
    if value not in (None, ""):
        ctx.update(params.parse_context(value))
    return ctx


def client_address(request: Request) -> str:
    """The client's address (from a trusted proxy's X-Forwarded-For when configured)."""
    return request.client.host if request.client else "-"


def token_from_headers(request: Request) -> str | None:
    for name in TOKEN_HEADERS:
        value = request.headers.get(name)
        if value:
            return value.strip()
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def find_token(request: Request, *, body: bool = True) -> str | None:
    """The access token from a header (seed: ``access-token``), else the query or body.

    ``body=False`` for uploads: their body is a file, streamed, never parsed as parameters.
    """
    token = token_from_headers(request)
    if token:
        return token
    token = request.query_params.get(TOKEN_PARAM)
    if token:
        return token.strip()
    if not body:
        return None
    value = (await request_params(request)).body.fields.get(TOKEN_PARAM)
    return value.strip() if isinstance(value, str) and value.strip() else None


async def identify(request: Request, *, body: bool = True) -> Identity:
    """The identity behind the request's token; 401 when missing, unknown, expired or revoked."""
    token = await find_token(request, body=body)
    if not token:
        raise InvalidToken(
            "missing access token: send it in an 'access-token' header, "
            "'Authorization: Bearer <token>' or an 'access_token' parameter"
        )
    gw = gateway(request)
    ident = await gw.tokens.resolve(token)
    await gw.throttle.check(request.scope, ident)
    return ident
