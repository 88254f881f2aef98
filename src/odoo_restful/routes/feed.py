"""``/api/{model}/changes`` (the change feed) and ``/api/{model}/exists`` (which ids are
gone): thin handlers over :mod:`odoo_restful.feed`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .. import feed, params
from ..errors import BadRequest
from ..responses import json_response
from .common import call_context, gateway, identify, request_params

#: Paging and ordering of ordinary searches: silently ignoring them would mislead.
_NOT_FOR_THE_FEED = ("offset", "order", "after", "cursor")


async def changes(request: Request) -> Response:
    ident = await identify(request)
    model = params.parse_model_name(request.path_params["model"])
    p = (await request_params(request)).values
    gw = gateway(request)
    for name in _NOT_FOR_THE_FEED:
        if p.get(name) not in (None, ""):
            raise BadRequest(
                f"{name} does not apply to the change feed: it pages with 'since' (the "
                "'next' cursor of the previous page), oldest change first"
            )
    domain = params.parse_domain(p.get("domain"))
    fields = params.parse_fields(p.get("fields"))
    limit, _ = params.parse_limit_offset(
        p.get("limit"),
        None,
        default_limit=gw.settings.default_limit,
        max_limit=gw.settings.max_limit,
    )
    ident.scopes.check(model, write=False)
    ctx = call_context(ident.context, p.get("context"))
    domain = await gw.xmlids.resolve_domain(ident.cred, model, domain)
    page = await feed.changes(
        gw,
        ident.cred,
        model,
        since=p.get("since"),
        fields=fields,
        domain=domain,
        limit=limit,
        context=ctx,
        binding_context=p.get("context"),
    )
    return json_response(
        {"count": len(page.records), "next": page.next, "more": page.more, "data": page.records}
    )


async def exists(request: Request) -> Response:
    ident = await identify(request)
    model = params.parse_model_name(request.path_params["model"])
    p = (await request_params(request)).values
    gw = gateway(request)
    ids = params.parse_ids(p.get("ids"), max_ids=gw.settings.max_limit)
    ident.scopes.check(model, write=False)
    ctx = call_context(ident.context, p.get("context"))
    gone = await feed.missing(gw, ident.cred, model, ids, ctx)
    gone_set = set(gone)
    return json_response({"missing": gone, "existing": [i for i in ids if i not in gone_set]})
