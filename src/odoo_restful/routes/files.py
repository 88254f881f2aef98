"""File routes: binary fields, a record's attachments, reports (see ``files/``).

Registered before the generic ``/api/{model}/{id}[/{method}]`` routes. Uploads are
streamed (never parsed as parameters), so their token comes from a header or the
query string.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from .. import params
from ..errors import BadRequest
from ..files import attachments, binary, content, reports
from ..files.upload import Upload, read_files
from ..responses import envelope, raw_page
from .common import call_context, gateway, identify


def _model(request: Request) -> str:
    return params.parse_model_name(request.path_params["model"])


def _id(request: Request, name: str = "id") -> int:
    return params.parse_id(request.path_params[name])


def _field(request: Request) -> str:
    name = request.path_params["field"]
    if not params.is_field_name(name):
        raise BadRequest(f"{name[:64]!r} is not a field name")
    return str(name)


def _ctx(request: Request, base: dict[str, Any]) -> dict[str, Any]:
    """The call's context without ``bin_size`` keys: with them Odoo answers a file's
    size as text ("290 bytes") instead of its content, and a file route needs the bytes."""
    ctx = call_context(base, request.query_params.get("context"))
    return {k: v for k, v in ctx.items() if not str(k).startswith("bin_size")}


def _download(request: Request) -> bool:
    return request.query_params.get("download", "").lower() in ("1", "true", "yes")


async def _uploads(request: Request, *, most: int) -> list[Upload]:
    files = await read_files(
        request.stream(), request.headers.get("content-type", ""), max_files=most
    )
    if not files:
        raise BadRequest("no file in the request body")
    return files


async def get_field(request: Request) -> Response:
    ident = await identify(request)
    model, rid, fname = _model(request), _id(request), _field(request)
    ident.scopes.check(model, write=False)
    f = await binary.read(
        gateway(request), ident.cred, model, rid, fname, _ctx(request, ident.context)
    )
    return content.file_response(
        f.raw, f.kind, f.etag, f.filename, download=_download(request), headers=request.headers
    )


async def put_field(request: Request) -> Response:
    ident = await identify(request, body=False)
    model, rid, fname = _model(request), _id(request), _field(request)
    gw = gateway(request)
    ident.scopes.check(model, write=True)
    gw.write_deny.check(model, fname)
    await binary.check_binary(gw, ident.cred, model, fname)
    (upload, *more) = await _uploads(request, most=1)
    if more:
        raise BadRequest("send one file to store in a binary field")
    if not upload.sink.size:  # an empty multipart file would clear the field
        raise BadRequest("the file is empty: nothing to store")
    size, checksum = upload.sink.size, upload.sink.checksum
    await binary.write(gw, ident.cred, model, rid, fname, upload, _ctx(request, ident.context))
    body = {"id": rid, "field": fname, "file_size": size, "checksum": checksum}
    return envelope(body, headers={"etag": f'"{checksum}"'})


async def list_attachments(request: Request) -> Response:
    ident = await identify(request)
    model, rid = _model(request), _id(request)
    ident.scopes.check(model, write=False)
    gw = gateway(request)
    items = await attachments.listing(gw, ident.cred, model, rid, _ctx(request, ident.context))
    return raw_page(items)


async def add_attachments(request: Request) -> Response:
    ident = await identify(request, body=False)
    model, rid = _model(request), _id(request)
    gw = gateway(request)
    ident.scopes.check(model, write=True)
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise BadRequest("send the files as multipart/form-data")
    for fname in attachments.WRITTEN:
        gw.write_deny.check(attachments.MODEL, fname)
    files = await _uploads(request, most=gw.settings.max_batch)
    ctx = _ctx(request, ident.context)

    async def upload() -> Response:
        return raw_page(await attachments.upload(gw, ident.cred, model, rid, files, ctx), 201)

    # a create like any other: an Idempotency-Key makes a retry answer as the first did
    return await gw.idempotency.run(request, ident.cred, upload, body=_files_digest(files))


def _files_digest(files: list[Upload]) -> bytes:
    """What a retry of an upload must send again: each file's name, type, size and hash
    (the body itself was streamed, never held)."""
    h = hashlib.sha256()
    for f in files:
        h.update(orjson.dumps([f.filename, f.content_type, f.sink.size, f.sink.checksum]))
    return h.digest()


async def get_attachment(request: Request) -> Response:
    ident = await identify(request)
    model, rid, att = _model(request), _id(request), _id(request, "att")
    ident.scopes.check(model, write=False)
    found = await attachments.download(
        gateway(request),
        ident.cred,
        model,
        rid,
        att,
        _ctx(request, ident.context),
        if_none_match=request.headers.get("if-none-match"),
    )
    if isinstance(found, str):
        return content.not_modified(found)
    return content.file_response(
        found.raw,
        found.kind,
        found.etag,
        found.filename,
        download=_download(request),
        headers=request.headers,
    )


async def delete_attachment(request: Request) -> Response:
    ident = await identify(request)
    model, rid, att = _model(request), _id(request), _id(request, "att")
    ident.scopes.check(model, write=True)
    ctx = _ctx(request, ident.context)
    await attachments.delete(gateway(request), ident.cred, model, rid, att, ctx)
    return envelope({"id": att, "deleted": True})


async def list_reports(request: Request) -> Response:
    ident = await identify(request)
    model = _model(request)
    ident.scopes.check(model, write=False)
    items = await reports.listing(gateway(request), ident.cred, model, _ctx(request, ident.context))
    return raw_page(items)


async def render_report(request: Request) -> Response:
    ident = await identify(request)
    gw = gateway(request)
    name = reports.parse_name(request.path_params["report_name"])
    refs = reports.parse_ids(request.path_params["ids"], most=gw.settings.max_batch)
    fmt = reports.parse_format(request.query_params.get("format"))
    ctx = _ctx(request, ident.context)
    body, ids = await reports.render(gw, ident.cred, ident.scopes, name, refs, fmt, ctx)
    filename = f"{name}-{'-'.join(map(str, ids))}.{fmt}"
    headers = {
        "content-disposition": content.disposition(filename, download=_download(request)),
        "cache-control": "private, no-store",
    }
    return Response(body, media_type=reports.FORMATS[fmt], headers=headers)
