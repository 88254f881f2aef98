"""``/api/webhooks[/{id}[/deliveries]]``: a token's user manages its webhook
subscriptions and sees (and redelivers) their recent deliveries."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from .. import params
from ..errors import BadRequest, Conflict, MissingError
from ..responses import json_response
from ..tokens.service import Identity
from ..tokens.subscriptions import Subscription
from ..webhooks import credential, manage
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
    gw = gateway(request)
    cred = None
    if active:  # resuming watches with the caller's credential (the old one may have died)
        key = gw.tokens.server_secrets.by_key_id(sub.key_id)
        if key is None:
            raise Conflict("this subscription was sealed under a retired server secret: delete it")
        cred = credential.seal(key, sub.id, ident.cred)
    await gw.tokens.store.set_subscription_active(sub.id, sub.db, sub.uid, active, cred=cred)
    return json_response(manage.shown(await _own(request, ident)))


async def delete(request: Request) -> Response:
    ident = await identify(request)
    sub = await _own(request, ident)
    await gateway(request).tokens.store.delete_subscription(sub.id, sub.db, sub.uid)
    return json_response({"deleted": sub.id})


async def deliveries(request: Request) -> Response:
    ident = await identify(request)
    sub = await _own(request, ident)
    p = (await request_params(request)).values
    limit = params.parse_int(p.get("limit"), name="limit", minimum=1, maximum=200, default=50)
    before = params.parse_int(p.get("before"), name="before", minimum=1)
    assert limit is not None
    rows = await gateway(request).tokens.store.list_deliveries(sub.id, limit=limit, before=before)
    more = len(rows) == limit
    return json_response(
        {
            "count": len(rows),
            "next": rows[-1].seq if more else None,
            "data": [manage.shown_delivery(d) for d in rows],
        }
    )


async def redeliver(request: Request) -> Response:
    ident = await identify(request)
    sub = await _own(request, ident)
    gw = gateway(request)
    delivery_id = request.path_params["delivery"]
    again = await gw.tokens.store.redeliver(sub.id, delivery_id, time.time())
    if again is None:
        raise MissingError(f"no delivery {delivery_id!r} of webhook subscription {sub.id!r}")
    return json_response(manage.shown_delivery(again))
