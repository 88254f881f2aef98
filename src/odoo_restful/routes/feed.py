"""``/api/{model}/changes`` (the change feed) and ``/api/{model}/exists`` (which ids are
gone): thin handlers over :mod:`odoo_restful.feed`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .. import feed, params
from ..responses import json_response
from .common import gateway, identify, request_params


def _context(base: dict[str, Any], value: Any) -> dict[str, Any]:
    ctx = dict(base)
    if value not in (None, ""):
        ctx.update(params.parse_context(value))
    return ctx


async def changes(request: Request) -> Response:
    ident = await identify(request)
    model = params.parse_model_name(request.path_params["model"])
    p = (await request_params(request)).values
    gw = gateway(request)
    domain = params.parse_domain(p.get("domain"))
    fields = params.parse_fields(p.get("fields"))
    limit, _ = params.parse_limit_offset(
        p.get("limit"),
        None,
        default_limit=gw.settings.default_limit,
        max_limit=gw.settings.max_limit,
    )
    ident.scopes.check(model, write=False)
    ctx = _context(ident.context, p.get("context"))
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
    ctx = _context(ident.context, p.get("context"))
    gone = await feed.missing(gw, ident.cred, model, ids, ctx)
    gone_set = set(gone)
    return json_response({"missing": gone, "existing": [i for i in ids if i not in gone_set]})
