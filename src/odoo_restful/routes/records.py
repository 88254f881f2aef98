"""``/api/{model}[/{id}[/{method}]]``: search, read, create, write, unlink and method calls.

Each handler reads like the data flow: identify, parse, call Odoo, shape.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .. import aggregates, nested, params, values
from ..errors import BadRequest, MissingError, UpstreamError
from ..guards import check_context, check_method_arguments, values_guard
from ..odoo.base import Credential
from ..responses import envelope, raw_page
from ..scopes import Scopes
from .common import TOKEN_PARAM, gateway, identify, request_params


def _model(request: Request) -> str:
    return params.parse_model_name(request.path_params["model"])


def _path_id(request: Request) -> int:
    return params.parse_id(request.path_params["id"])


Fields = list[str] | params.FieldTree | None
"""A flat field list (None: the default list), or a nested tree (see ``nested``)."""


def _fields(value: Any) -> Fields:
    """``fields`` as a nested tree when it names related fields, else a flat list."""
    tree = params.parse_field_tree(value)
    return tree if tree is not None else params.parse_fields(value)


def _context(base: dict[str, Any], value: Any) -> dict[str, Any]:
    """The user's own context (lang, tz) from the token, overridden by the request's."""
    ctx = dict(base)
    if value not in (None, ""):
        ctx.update(params.parse_context(value))
    return ctx


async def _read_kwargs(
    request: Request, cred: Credential, model: str, fields: list[str] | None, ctx: dict[str, Any]
) -> dict[str, Any]:
    """``fields`` and ``context`` for a read: never without a field list (see
    ``odoo.metadata``: Odoo's own default fails for ordinary users)."""
    if fields is None or fields == ["*"]:
        fields = await gateway(request).fields.default_fields(cred, model, every=fields is not None)
    return {"fields": fields, "context": ctx}


async def _read_one(
    request: Request,
    cred: Credential,
    model: str,
    rid: int,
    fields: Fields,
    ctx: dict[str, Any],
    scopes: Scopes,
) -> Response:
    """One record as ``{"count": 1, "data": [record]}``; 404 when absent or not readable.

    ``search_read`` on the id (as the seed did) lets record rules hide a record
    instead of failing, so a record the user may not see is simply not found.
    Model-level access errors still surface as 403.
    """
    gw = gateway(request)
    domain: list[Any] = [["id", "=", rid]]
    if "active" in await gw.fields.get(cred, model):
        # Naming ``active`` in the domain turns Odoo's archive filter off for this
        # lookup only: an id names one record, archived or not.
        domain.append(["active", "in", [True, False]])
    if isinstance(fields, dict):
        records = await nested.read_tree(
            gw.odoo,
            gw.fields.lookup(cred),
            cred,
            model,
            fields,
            domain=domain,
            limit=1,
            context=ctx,
            check_model=lambda related: scopes.check(related, write=False),
        )
        if not records:
            raise MissingError(f"{model} record {rid} does not exist or is not readable")
        return envelope(records)
    kwargs = await _read_kwargs(request, cred, model, fields, ctx)
    items = await gw.odoo.call_page(cred, model, "search_read", [domain], kwargs)
    if not items:
        raise MissingError(f"{model} record {rid} does not exist or is not readable")
    return raw_page(items)


def _without_token(vals: dict[str, Any]) -> dict[str, Any]:
    """Field values as sent, less the ``access_token`` a client may put beside them."""
    return {k: v for k, v in vals.items() if k != TOKEN_PARAM}


def _values(body: params.Body) -> dict[str, Any]:
    if body.items is not None:
        raise BadRequest("the body must be one JSON object of field values")
    return _without_token(body.fields)


async def search(request: Request) -> Response:
    ident = await identify(request)
    model = _model(request)
    p = (await request_params(request)).values
    gw = gateway(request)
    domain = params.parse_domain(p.get("domain"))
    fields = _fields(p.get("fields"))
    order = params.parse_order(p.get("order"))
    limit, offset = params.parse_limit_offset(
        p.get("limit"),
        p.get("offset"),
        default_limit=gw.settings.default_limit,
        max_limit=gw.settings.max_limit,
    )
    ident.scopes.check(model, write=False)
    ctx = _context(ident.context, p.get("context"))
    if isinstance(fields, dict):
        records = await nested.read_tree(
            gw.odoo,
            gw.fields.lookup(ident.cred),
            ident.cred,
            model,
            fields,
            domain=domain,
            limit=limit,
            offset=offset,
            order=order,
            context=ctx,
            check_model=lambda related: ident.scopes.check(related, write=False),
        )
        return envelope(records)
    kwargs = await _read_kwargs(request, ident.cred, model, fields, ctx)
    kwargs["limit"] = limit
    kwargs["offset"] = offset
    if order:
        kwargs["order"] = order
    items = await gw.odoo.call_page(ident.cred, model, "search_read", [domain], kwargs)
    return raw_page(items)


async def aggregate(request: Request) -> Response:
    """``GET /api/<model>/aggregate``: grouped aggregates, read-only (see ``aggregates``)."""
    ident = await identify(request)
    model = _model(request)
    p = (await request_params(request)).values
    gw = gateway(request)
    groupby = params.parse_groupby(p.get("groupby"))
    specs = params.parse_aggregates(p.get("aggregates"))
    limit, offset = params.parse_limit_offset(
        p.get("limit"),
        p.get("offset"),
        default_limit=gw.settings.max_limit,
        max_limit=gw.settings.max_limit,
    )
    query = aggregates.GroupQuery(
        domain=params.parse_domain(p.get("domain")),
        groupby=groupby,
        aggregates=specs,
        having=params.parse_having(p.get("having"), aggregates=specs),
        limit=limit,
        offset=offset,
        order=params.parse_group_order(p.get("order"), keys=[*groupby, *specs]),
    )
    ident.scopes.check(model, write=False)
    ctx = _context(ident.context, p.get("context"))
    groups = await aggregates.read_groups(gw.odoo, ident.cred, model, query, context=ctx)
    return envelope(groups)


async def read_one(request: Request) -> Response:
    ident = await identify(request)
    model, rid = _model(request), _path_id(request)
    p = (await request_params(request)).values
    ident.scopes.check(model, write=False)
    fields = _fields(p.get("fields"))
    ctx = _context(ident.context, p.get("context"))
    return await _read_one(request, ident.cred, model, rid, fields, ctx, ident.scopes)


async def create(request: Request) -> Response:
    ident = await identify(request)
    model = _model(request)
    gw = gateway(request)
    ident.scopes.check(model, write=True)
    rp = await request_params(request)
    payload: Any = rp.body.items if rp.body.items is not None else _values(rp.body)
    items = values.normalise_create_payload(payload, max_records=gw.settings.max_batch)
    ctx = _context(ident.context, request.query_params.get("context"))
    check_context(ctx, gw.write_deny)
    fields = _fields(request.query_params.get("fields"))

    lookup = gw.fields.lookup(ident.cred)
    guard = values_guard(ident.scopes, gw.write_deny)
    vals_list = [
        await values.prepare_values(model, _without_token(item), fields=lookup, guard=guard)
        for item in items
    ]
    if not vals_list:
        raise BadRequest("nothing to create: send an object or a list of objects")
    # One call, so Odoo creates all records in one transaction or none of them.
    arg: Any = vals_list[0] if len(vals_list) == 1 else vals_list
    created = await gw.odoo.call(ident.cred, model, "create", [arg], {"context": ctx})
    ids = [created] if isinstance(created, int) else created
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise UpstreamError("Odoo's create reply is not a list of ids")
    if isinstance(fields, dict):
        found = await nested.read_tree(
            gw.odoo,
            lookup,
            ident.cred,
            model,
            fields,
            domain=[["id", "in", ids]],
            limit=len(ids),
            context={**ctx, "active_test": False},
            check_model=lambda related: ident.scopes.check(related, write=False),
        )
        by_id = {r["id"]: r for r in found}
        return envelope([by_id[i] for i in ids if i in by_id], status=201)
    kwargs = await _read_kwargs(request, ident.cred, model, fields, ctx)
    records = await gw.odoo.call(ident.cred, model, "read", [ids], kwargs)
    return envelope(records, status=201)


async def write(request: Request) -> Response:
    ident = await identify(request)
    model, rid = _model(request), _path_id(request)
    gw = gateway(request)
    ident.scopes.check(model, write=True)
    vals = _values((await request_params(request)).body)
    if not vals:
        raise BadRequest("nothing to write: send an object of field values")
    ctx = _context(ident.context, request.query_params.get("context"))
    check_context(ctx, gw.write_deny)
    fields = _fields(request.query_params.get("fields"))

    async def current(model: str, field: str) -> list[int]:
        rows = await gw.odoo.call(ident.cred, model, "read", [[rid], [field]], {"context": ctx})
        if not rows:
            raise MissingError(f"{model} record {rid} does not exist or is not readable")
        lines = rows[0].get(field) or []
        return [i for i in lines if isinstance(i, int)]

    prepared = await values.prepare_values(
        model,
        vals,
        fields=gw.fields.lookup(ident.cred),
        current=current,
        guard=values_guard(ident.scopes, gw.write_deny),
    )
    await gw.odoo.call(ident.cred, model, "write", [[rid], prepared], {"context": ctx})
    return await _read_one(request, ident.cred, model, rid, fields, ctx, ident.scopes)


async def delete(request: Request) -> Response:
    ident = await identify(request)
    model, rid = _model(request), _path_id(request)
    gw = gateway(request)
    ident.scopes.check(model, write=True)
    ctx = _context(ident.context, request.query_params.get("context"))
    await gw.odoo.call(ident.cred, model, "unlink", [[rid]], {"context": ctx})
    return envelope({"id": rid, "deleted": True})


async def call_method(request: Request) -> Response:
    ident = await identify(request)
    model, rid = _model(request), _path_id(request)
    method = request.path_params["method"]
    gw = gateway(request)
    params.check_method_name(method, deny=gw.method_deny, allow=gw.method_allow)
    ident.scopes.check(model, write=True, method=method)
    p = (await request_params(request)).values
    args, kwargs = params.parse_args_kwargs(p.get("args"), p.get("kwargs"))
    kwargs["context"] = _context(ident.context, kwargs.get("context") or p.get("context"))
    check_context(kwargs["context"], gw.write_deny)
    check_method_arguments([args, kwargs], ident.scopes, gw.write_deny)
    result = await gw.odoo.call(ident.cred, model, method, [[rid], *args], kwargs)
    return envelope(result)
