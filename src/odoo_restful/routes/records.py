"""``/api/{model}[/{id}[/{method}]]``: search, read, create, write, unlink and method calls.

Each handler reads like the data flow: identify, parse, call Odoo, shape.
"""

from __future__ import annotations

import functools
from typing import Any

import msgspec
import orjson
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import Response

from .. import aggregates, nested, paging, params, values
from ..errors import (
    BadRequest,
    Conflict,
    InvalidParameters,
    MethodNotAllowed,
    MissingError,
    UpstreamError,
)
from ..gateway import Gateway
from ..guards import check_context, check_method_arguments, values_guard
from ..odoo import json2
from ..odoo.base import Credential
from ..odoo.xmlids import XMLID_FIELD
from ..responses import envelope, raw_page
from ..scopes import Scopes
from ..tokens.service import Identity
from ..values.forms import is_xmlid
from .common import TOKEN_PARAM, call_context, gateway, identify, request_params


def _model(request: Request) -> str:
    return params.parse_model_name(request.path_params["model"])


async def _record_id(request: Request, cred: Credential, model: str) -> int:
    """The record a path names: an id, or an external id (``base.main_partner``)."""
    segment = request.path_params["id"]
    if is_xmlid(segment):
        return await gateway(request).xmlids.resolve(cred, model, segment, "path", path=True)
    return params.parse_id(segment)


Fields = list[str] | params.FieldTree | None
"""A flat field list (None: the default list), or a nested tree (see ``nested``)."""


def _fields(value: Any) -> Fields:
    """``fields`` as a nested tree when it names related fields, else a flat list."""
    tree = params.parse_field_tree(value)
    return tree if tree is not None else params.parse_fields(value)


async def _read_kwargs(
    request: Request, cred: Credential, model: str, fields: list[str] | None, ctx: dict[str, Any]
) -> dict[str, Any]:
    """``fields`` and ``context`` for a read: never without a field list (see
    ``odoo.metadata``: Odoo's own default fails for ordinary users)."""
    if fields is not None and XMLID_FIELD in fields:  # answered by get_external_id
        fields = [name for name in fields if name != XMLID_FIELD] or ["id"]
    if fields is None or fields == ["*"]:
        fields = await gateway(request).fields.default_fields(cred, model, every=fields is not None)
    return {"fields": fields, "context": ctx}


async def _with_xmlids(
    request: Request,
    cred: Credential,
    model: str,
    records: list[dict[str, Any]],
    fields: list[str] | None,
    ctx: dict[str, Any],
) -> list[dict[str, Any]]:
    """``records`` with their ``__xmlid`` when ``fields`` asks for it (one call)."""
    if fields is None or XMLID_FIELD not in fields:
        return records
    found = await gateway(request).xmlids.of_records(cred, model, [r["id"] for r in records], ctx)
    return [{**r, XMLID_FIELD: found.get(r["id"])} for r in records]


async def _read_back(
    request: Request,
    cred: Credential,
    model: str,
    ids: list[int],
    fields: Fields,
    ctx: dict[str, Any],
    scopes: Scopes,
) -> list[dict[str, Any]]:
    """The records just created or written, read back as the user (in ``ids``' order)."""
    if isinstance(fields, dict):
        found = await nested.read_tree(
            gateway(request).odoo,
            gateway(request).fields.lookup(cred),
            cred,
            model,
            fields,
            domain=[["id", "in", ids]],
            limit=len(ids),
            context={**ctx, "active_test": False},
            check_model=lambda related: scopes.check(related, write=False),
        )
        by_id = {r["id"]: r for r in found}
        return [by_id[i] for i in ids if i in by_id]
    kwargs = await _read_kwargs(request, cred, model, fields, ctx)
    records = await gateway(request).odoo.call(cred, model, "read", [ids], kwargs)
    if not isinstance(records, list):
        raise UpstreamError("Odoo's read reply is not a list of records")
    return await _with_xmlids(request, cred, model, records, fields, ctx)


async def _page_with_xmlids(
    request: Request,
    cred: Credential,
    model: str,
    items: list[msgspec.Raw],
    fields: list[str] | None,
    ctx: dict[str, Any],
) -> list[msgspec.Raw]:
    """A raw page with ``__xmlid`` added when asked for (decoded only then)."""
    if fields is None or XMLID_FIELD not in fields:
        return items
    records = [orjson.loads(memoryview(item)) for item in items]
    records = await _with_xmlids(request, cred, model, records, fields, ctx)
    return [msgspec.Raw(orjson.dumps(r)) for r in records]


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
    return raw_page(await _page_with_xmlids(request, cred, model, items, fields, ctx))


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
    want_total = params.parse_flag(p.get("total"), name="total")
    after = p.get("after")
    keyset = after not in (None, "") or params.parse_flag(p.get("cursor"), name="cursor")
    ident.scopes.check(model, write=False)
    ctx = call_context(ident.context, p.get("context"))
    if isinstance(fields, dict):
        if keyset:
            raise BadRequest(
                "cursor paging (after/cursor) does not combine with nested fields: page with offset"
            )
        domain = await gw.xmlids.resolve_domain(ident.cred, model, domain)
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
        rows = [msgspec.Raw(orjson.dumps(r)) for r in records]
        return await _offset_page(
            request, ident.cred, model, rows, domain, limit, offset, want_total=want_total, ctx=ctx
        )
    kwargs = await _read_kwargs(request, ident.cred, model, fields, ctx)
    domain = await gw.xmlids.resolve_domain(ident.cred, model, domain)
    page_domain = domain
    terms: list[paging.Term] = []
    binding = ""
    if keyset:
        if offset:
            raise BadRequest("offset and cursor paging (after/cursor) do not mix")
        terms = paging.keyed_terms(
            paging.order_terms(order), await gw.fields.get(ident.cred, model)
        )
        order = ", ".join(t.sql() for t in terms)
        binding = gw.cursors.binding(
            ident.cred.db, ident.cred.uid, model, order, domain, p.get("context")
        )
        if after not in (None, ""):
            values = gw.cursors.open(after, binding, len(terms))
            page_domain = [*domain, *paging.after_domain(terms, values)]
    kwargs["limit"] = limit
    kwargs["offset"] = offset
    if order:
        kwargs["order"] = order
    items = await gw.odoo.call_page(ident.cred, model, "search_read", [page_domain], kwargs)
    extra: dict[str, Any] = {}
    if want_total:
        extra["total"] = await gw.odoo.call(
            ident.cred, model, "search_count", [domain], {"context": ctx}
        )
    more = len(items) == limit
    rels: dict[str, dict[str, str]] = {}
    if keyset:
        rels["first"] = {"after": "", "cursor": "true"}
        if more:
            values = await _last_values(request, ident.cred, model, items[-1], terms, ctx)
            extra["next"] = gw.cursors.seal(binding, values)
            rels["next"] = {"after": extra["next"], "cursor": ""}
    items = await _page_with_xmlids(request, ident.cred, model, items, fields, ctx)
    link = _link(request, rels) if keyset else _offset_link(request, offset, limit, more)
    return raw_page(items, extra=extra, headers={"Link": link})


def _offset_rels(offset: int, limit: int, more: bool) -> dict[str, dict[str, str]]:
    """``next``, ``prev`` and ``first`` of offset paging, as query changes."""
    rels: dict[str, dict[str, str]] = {}
    if more:
        rels["next"] = {"offset": str(offset + limit)}
    if offset:
        rels["prev"] = {"offset": str(max(0, offset - limit)) if offset > limit else ""}
    rels["first"] = {"offset": ""}
    return rels


def _link(request: Request, rels: dict[str, dict[str, str]]) -> str:
    return paging.link_header(
        _base_url(request),
        request.scope["query_string"].decode("latin-1"),
        rels,
        drop=(TOKEN_PARAM,),
    )


def _offset_link(request: Request, offset: int, limit: int, more: bool) -> str:
    """The ``Link`` header of an offset page: the same query strings recur (a client
    polling, paging), so it is built once per query, page and length."""
    query: bytes = request.scope["query_string"]
    if len(query) > 512:
        return _link(request, _offset_rels(offset, limit, more))
    return _offset_link_of(_base_url(request), query, offset, limit, more)


@functools.lru_cache(maxsize=1024)
def _offset_link_of(base: str, query: bytes, offset: int, limit: int, more: bool) -> str:
    return paging.link_header(
        base, query.decode("latin-1"), _offset_rels(offset, limit, more), drop=(TOKEN_PARAM,)
    )


async def _offset_page(
    request: Request,
    cred: Credential,
    model: str,
    rows: list[msgspec.Raw],
    domain: list[Any],
    limit: int,
    offset: int,
    *,
    want_total: bool,
    ctx: dict[str, Any],
) -> Response:
    """A page read some other way than ``search_read`` (nested reads), with the same
    ``total`` and ``Link`` headers as a flat page."""
    extra: dict[str, Any] = {}
    if want_total:
        extra["total"] = await gateway(request).odoo.call(
            cred, model, "search_count", [domain], {"context": ctx}
        )
    link = _offset_link(request, offset, limit, len(rows) == limit)
    return raw_page(rows, extra=extra, headers={"Link": link})


def _base_url(request: Request) -> str:
    """This request's URL without its query (what ``Link`` headers point to)."""
    scope = request.scope
    host = next((value for key, value in scope["headers"] if key == b"host"), None)
    server = scope.get("server")
    return _base_of(
        scope.get("scheme", "http"), tuple(server) if server else None, scope["path"], host
    )


@functools.lru_cache(maxsize=1024)
def _base_of(scheme: str, server: tuple[str, int] | None, path: str, host: bytes | None) -> str:
    """Starlette's URL of these parts, built once per (host, path): the same few recur
    and building it is a fifth of the gateway's own CPU of a search."""
    headers = [(b"host", host)] if host is not None else []
    url = URL(scope={"scheme": scheme, "server": server, "path": path, "headers": headers})
    return f"{url.scheme}://{url.netloc}{url.path}"


async def _last_values(
    request: Request,
    cred: Credential,
    model: str,
    item: Any,
    terms: list[paging.Term],
    ctx: dict[str, Any],
) -> list[Any]:
    """The order terms' values of a page's last record (read again if not in the page)."""
    record = orjson.loads(memoryview(item))
    missing = [t.field for t in terms if t.field not in record]
    if missing:
        rows = await gateway(request).odoo.call(
            cred, model, "read", [[record["id"]], missing], {"context": ctx}
        )
        if not rows:  # deleted between the search and this read: its values are gone
            raise UpstreamError(
                "the page's last record was deleted while the page was read; ask again"
            )
        record.update(rows[0])
    return [record.get(t.field, False) for t in terms]


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
    ctx = call_context(ident.context, p.get("context"))
    groups = await aggregates.read_groups(gw.odoo, ident.cred, model, query, context=ctx)
    return envelope(groups)


async def _target(
    request: Request, *, write: bool, batch: bool = False
) -> tuple[Identity, str, list[int]]:
    """How a handler on given records opens: who asks, the path's model checked against
    the token's scopes (``write`` or read), then the records: the path's one, or a
    batch's ``ids`` (the order decides which error a bad request sees first)."""
    ident = await identify(request)
    model = _model(request)
    ident.scopes.check(model, write=write)
    if batch:
        return ident, model, await _batch_ids(request, ident.cred, model)
    return ident, model, [await _record_id(request, ident.cred, model)]


async def read_one(request: Request) -> Response:
    ident, model, (rid,) = await _target(request, write=False)
    p = (await request_params(request)).values
    fields = _fields(p.get("fields"))
    ctx = call_context(ident.context, p.get("context"))
    return await _read_one(request, ident.cred, model, rid, fields, ctx, ident.scopes)


async def create(request: Request) -> Response:
    """Create (or upsert); an ``Idempotency-Key`` makes a retry answer as the first did."""
    ident = await identify(request)
    return await gateway(request).idempotency.run(
        request, ident.cred, lambda: _create_records(request, ident)
    )


async def _create_records(request: Request, ident: Identity) -> Response:
    model = _model(request)
    gw = gateway(request)
    ident.scopes.check(model, write=True)
    rp = await request_params(request)
    payload: Any = rp.body.items if rp.body.items is not None else _values(rp.body)
    items = [
        _without_token(item)
        for item in values.normalise_create_payload(payload, max_records=gw.settings.max_batch)
    ]
    if not items:
        raise BadRequest("nothing to create: send an object or a list of objects")
    ctx = call_context(ident.context, request.query_params.get("context"))
    check_context(ctx, gw.write_deny)
    fields = _fields(request.query_params.get("fields"))
    upsert = params.parse_fields(request.query_params.get("upsert"))
    if upsert is not None:
        return await _upsert(request, ident.cred, ident.scopes, model, items, upsert, ctx, fields)
    ids = await _create(request, ident.cred, ident.scopes, model, items, ctx)
    records = await _read_back(request, ident.cred, model, ids, fields, ctx, ident.scopes)
    return envelope(records, status=201)


async def _create(
    request: Request,
    cred: Credential,
    scopes: Scopes,
    model: str,
    items: list[dict[str, Any]],
    ctx: dict[str, Any],
) -> list[int]:
    """Create ``items`` in one call, so Odoo creates all of them in one transaction or none."""
    gw = gateway(request)
    lookup = gw.fields.lookup(cred)
    guard = values_guard(scopes, gw.write_deny)
    vals_list = [
        await values.prepare_values(
            model, item, fields=lookup, guard=guard, resolve=gw.xmlids.resolver(cred)
        )
        for item in items
    ]
    arg: Any = vals_list[0] if len(vals_list) == 1 else vals_list
    created = await gw.odoo.call(cred, model, "create", [arg], {"context": ctx})
    ids = [created] if isinstance(created, int) else created
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise UpstreamError("Odoo's create reply is not a list of ids")
    return ids


def _key_value(item: dict[str, Any], key: str) -> Any:
    if key not in item:
        raise BadRequest(f"upsert: every record needs its key field {key!r}")
    value = item[key]
    if value is None:
        return False
    if not isinstance(value, str | int | float | bool):
        raise BadRequest(f"upsert: key field {key!r} must hold a plain value (text, number)")
    return value


async def _key_id(gw: Gateway, cred: Credential, meta: Any, value: str, name: str) -> Any:
    """A many2one key named by external id: its id (a text would be a name search)."""
    if meta.get("type") != "many2one":
        return value
    return await gw.xmlids.resolve(cred, meta.get("relation"), value, f"upsert key {name!r}")


async def _upsert(
    request: Request,
    cred: Credential,
    scopes: Scopes,
    model: str,
    items: list[dict[str, Any]],
    keys: list[str],
    ctx: dict[str, Any],
    fields: Fields,
) -> Response:
    """Create or update each record by its natural key: one search per record, then one
    write per match and one create for the rest. Every lookup is done before anything
    is written, so a 409 changes nothing; the writes and the create are separate calls
    (separate transactions)."""
    gw = gateway(request)
    seen: set[tuple[Any, ...]] = set()
    matches: list[int | None] = []
    info = await gw.fields.get(cred, model)
    for name in keys:
        meta = info.get(name)
        ftype = meta.get("type") if isinstance(meta, dict) else None
        if ftype is None or ftype in ("one2many", "many2many", "binary"):
            raise BadRequest(f"upsert: {name!r} cannot be a key of {model} (unknown or {ftype})")
    for item in items:
        key = tuple(_key_value(item, k) for k in keys)
        named = dict(zip(keys, key, strict=True))
        if key in seen:
            raise BadRequest(f"upsert: two records have the same key {named}")
        seen.add(key)
        domain = [
            [k, "=", await _key_id(gw, cred, info[k], v, k) if is_xmlid(v) else v]
            for k, v in zip(keys, key, strict=True)
        ]
        found = await gw.odoo.call(cred, model, "search", [domain], {"limit": 10, "context": ctx})
        if not isinstance(found, list):
            raise UpstreamError("Odoo's search reply is not a list of ids")
        if len(found) > 1:
            shown = ", ".join(str(i) for i in found[:9]) + (", ..." if len(found) > 9 else "")
            raise Conflict(
                f"upsert: {named} matches several {model} records "
                f"(ids {shown}); make the key unique or write them by id"
            )
        matches.append(found[0] if found else None)
    guard = values_guard(scopes, gw.write_deny)
    for item, rid in zip(items, matches, strict=True):
        if rid is not None:
            prepared = await values.prepare_values(
                model,
                item,
                fields=gw.fields.lookup(cred),
                guard=guard,
                current=_current_lines(request, cred, rid, ctx),
                resolve=gw.xmlids.resolver(cred),
            )
            await gw.odoo.call(cred, model, "write", [[rid], prepared], {"context": ctx})
    fresh = [item for item, rid in zip(items, matches, strict=True) if rid is None]
    created = iter(await _create(request, cred, scopes, model, fresh, ctx) if fresh else [])
    ids = [rid if rid is not None else next(created) for rid in matches]
    records = await _read_back(request, cred, model, ids, fields, ctx, scopes)
    return envelope(records, status=201 if fresh else 200)


def _current_lines(
    request: Request, cred: Credential, rid: int, ctx: dict[str, Any]
) -> values.CurrentLines:
    """The current one2many lines of record ``rid`` (friendly line lists replace them)."""

    async def current(model: str, field: str) -> list[int]:
        rows = await gateway(request).odoo.call(
            cred, model, "read", [[rid], [field]], {"context": ctx}
        )
        if not rows:
            raise MissingError(f"{model} record {rid} does not exist or is not readable")
        lines = rows[0].get(field) or []
        return [i for i in lines if isinstance(i, int)]

    return current


async def _write_values(
    request: Request,
    ident: Identity,
    model: str,
    ctx: dict[str, Any],
    *,
    current: values.CurrentLines | None,
) -> dict[str, Any]:
    """The body's values for a write, checked and translated in the one values walk:
    with ``current`` for one record (friendly one2many lists replace its lines), in
    update mode for a batch."""
    gw = gateway(request)
    vals = _values((await request_params(request)).body)
    if not vals:
        raise BadRequest("nothing to write: send an object of field values")
    check_context(ctx, gw.write_deny)
    return await values.prepare_values(
        model,
        vals,
        fields=gw.fields.lookup(ident.cred),
        current=current,
        guard=values_guard(ident.scopes, gw.write_deny),
        resolve=gw.xmlids.resolver(ident.cred),
        mode="write" if current is not None else "update",
    )


async def write(request: Request) -> Response:
    ident, model, (rid,) = await _target(request, write=True)
    gw = gateway(request)
    ctx = call_context(ident.context, request.query_params.get("context"))
    fields = _fields(request.query_params.get("fields"))
    current = _current_lines(request, ident.cred, rid, ctx)
    prepared = await _write_values(request, ident, model, ctx, current=current)
    await gw.odoo.call(ident.cred, model, "write", [[rid], prepared], {"context": ctx})
    return await _read_one(request, ident.cred, model, rid, fields, ctx, ident.scopes)


async def delete(request: Request) -> Response:
    ident, model, (rid,) = await _target(request, write=True)
    gw = gateway(request)
    ctx = call_context(ident.context, request.query_params.get("context"))
    await gw.odoo.call(ident.cred, model, "unlink", [[rid]], {"context": ctx})
    return envelope({"id": rid, "deleted": True})


async def _batch_ids(request: Request, cred: Credential, model: str) -> list[int]:
    """The ``ids`` query parameter of a batch write or delete: ``1,2,3`` or a list,
    external ids allowed in the comma-separated form."""
    raw = request.query_params.get("ids")
    gw = gateway(request)
    parts = [] if raw is None or raw.lstrip().startswith("[") else raw.split(",")
    if any(is_xmlid(part.strip()) for part in parts):
        if len(parts) > gw.settings.max_batch:
            raise BadRequest(f"ids: at most {gw.settings.max_batch} records")
        found = [
            await gw.xmlids.resolve(cred, model, part.strip(), "ids")
            if is_xmlid(part.strip())
            else params.parse_id(part.strip())
            for part in parts
        ]
        ids = list(dict.fromkeys(found))
    else:
        ids = params.parse_ids(raw, max_ids=gw.settings.max_batch)
    if not ids:
        raise BadRequest("name the records in the 'ids' query parameter (ids=1,2,3)")
    return ids


async def write_many(request: Request) -> Response:
    """``PUT/PATCH /api/<model>?ids=1,2,3``: one set of values written to every record,
    in one Odoo call (one transaction: all or none)."""
    ident, model, ids = await _target(request, write=True, batch=True)
    gw = gateway(request)
    ctx = call_context(ident.context, request.query_params.get("context"))
    fields = _fields(request.query_params.get("fields"))
    # no current lines: a friendly one2many list (replace all lines) needs one record
    prepared = await _write_values(request, ident, model, ctx, current=None)
    await gw.odoo.call(ident.cred, model, "write", [ids, prepared], {"context": ctx})
    return envelope(await _read_back(request, ident.cred, model, ids, fields, ctx, ident.scopes))


async def delete_many(request: Request) -> Response:
    """``DELETE /api/<model>?ids=1,2,3``: one ``unlink`` (one transaction: all or none)."""
    ident, model, ids = await _target(request, write=True, batch=True)
    gw = gateway(request)
    ctx = call_context(ident.context, request.query_params.get("context"))
    await gw.odoo.call(ident.cred, model, "unlink", [ids], {"context": ctx})
    return envelope([{"id": rid, "deleted": True} for rid in ids])


async def call_method(request: Request) -> Response:
    """``POST /api/<model>/<id>/<method>``: a record method on one record."""
    ident = await identify(request)
    model, method = _model(request), request.path_params["method"]
    if json2.known_kind(method) == "model":
        raise InvalidParameters(
            f"{model}.{method} is a model method (@api.model): call it as "
            f"POST /api/{model}/{method}, without record ids"
        )
    rid = await _record_id(request, ident.cred, model)
    return await _call(request, ident, model, method, [[rid]])


async def call_model_method(request: Request) -> Response:
    """``POST /api/<model>/<method>``: a method called on the model; ``args`` are passed
    as given (execute_kw), so a record method takes its ids as the first argument."""
    model, segment = _model(request), request.path_params["id"]
    if segment.isdigit() or "." in segment:
        raise MethodNotAllowed(
            "POST is not allowed on a record: use PUT/PATCH to write it, or "
            f"POST /api/{model}/<id>/<method> to call a method"
        )
    ident = await identify(request)
    try:
        return await _call(request, ident, model, segment, [])
    except InvalidParameters as exc:
        if exc.odoo_name not in _ARGUMENT_ERRORS:
            raise
        raise InvalidParameters(
            f"{model}.{segment} rejected its arguments ({exc.message}). Model methods are "
            f"called as POST /api/{model}/<method>; record methods as "
            f"POST /api/{model}/<id>/<method>, or here with a list of ids as the first "
            "of 'args'",
            odoo_name=exc.odoo_name,
        ) from exc


_ARGUMENT_ERRORS = frozenset(
    {"builtins.TypeError", "builtins.IndexError", "werkzeug.exceptions.UnprocessableEntity"}
)


async def _call(
    request: Request, ident: Identity, model: str, method: str, head: list[Any]
) -> Response:
    """The one method-call path: name rules, scopes (read methods are reads), guards."""
    gw = gateway(request)
    params.check_method_name(method, deny=gw.method_deny, allow=gw.method_allow)
    ident.scopes.check_call(model, method)
    p = (await request_params(request)).values
    args, kwargs = params.parse_args_kwargs(p.get("args"), p.get("kwargs"))
    if not head and not args and json2.known_kind(method) == "records":
        raise InvalidParameters(
            f"{model}.{method} is a record method: call it as POST /api/{model}/<id>/{method}, "
            "or pass a list of ids as the first of 'args'"
        )
    kwargs["context"] = call_context(ident.context, kwargs.get("context") or p.get("context"))
    check_context(kwargs["context"], gw.write_deny)
    check_method_arguments([args, kwargs], ident.scopes, gw.write_deny)

    async def run() -> Response:
        return envelope(await gw.odoo.call(ident.cred, model, method, [*head, *args], kwargs))

    if request.method != "POST":  # PATCH: no Idempotency-Key semantics
        return await run()
    return await gw.idempotency.run(request, ident.cred, run)
