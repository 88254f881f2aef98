"""``/api/webhooks[/{id}]``: a token's user manages its webhook subscriptions.

Deliveries are not sent yet (the watcher and sender are still to be written)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .. import params
from ..errors import BadRequest, MissingError
from ..responses import json_response
from ..tokens.service import Identity
from ..tokens.subscriptions import Subscription
from ..webhooks import manage
from .common import gateway, identify, request_params


def _body(body: params.Body) -> dict[str, object]:
    if body.items is not None:
        raise BadRequest("the body must be one JSON object")
    return dict(body.fields)


async def _own(request: Request, ident: Identity) -> Subscription:
    sub_id = request.path_params["id"]
    sub = await gateway(request).tokens.store.get_subscription(sub_id)
    if sub is None or (sub.db, sub.uid) != (ident.cred.db, ident.cred.uid):
        raise MissingError(f"no webhook subscription {sub_id!r} of yours")
    return sub


async def create(request: Request) -> Response:
    ident = await identify(request)
    body = _body((await request_params(request)).body)
    sub, secret = await manage.create(gateway(request), ident, body)
    return json_response({**manage.shown(sub), "secret": secret}, 201)


async def list_(request: Request) -> Response:
    ident = await identify(request)
    store = gateway(request).tokens.store
    subs = await store.list_subscriptions(db=ident.cred.db, uid=ident.cred.uid)
    return json_response({"count": len(subs), "data": [manage.shown(s) for s in subs]})


async def read(request: Request) -> Response:
    ident = await identify(request)
    return json_response(manage.shown(await _own(request, ident)))


async def update(request: Request) -> Response:
    ident = await identify(request)
    sub = await _own(request, ident)
    body = _body((await request_params(request)).body)
    if set(body) - {"active", "access_token"} or "active" not in body:
        raise BadRequest("only 'active' (true to resume, false to pause) can be changed")
    active = params.parse_flag(body["active"], name="active")
    store = gateway(request).tokens.store
    await store.set_subscription_active(sub.id, sub.db, sub.uid, active)
    return json_response(manage.shown(await _own(request, ident)))


async def delete(request: Request) -> Response:
    ident = await identify(request)
    sub = await _own(request, ident)
    await gateway(request).tokens.store.delete_subscription(sub.id, sub.db, sub.uid)
    return json_response({"deleted": sub.id})
