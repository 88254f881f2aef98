"""A record's attachments (``ir.attachment`` with ``res_model``/``res_id``), as the user.

Odoo's rules apply: a user sees the attachments of the records they may read and
adds or removes them on records they may write. Every lookup of one attachment
names the record too, so an attachment id of another record is a 404 here.
"""

from __future__ import annotations

from typing import Any

import msgspec
import orjson

from ..errors import MissingError, NotABinaryField, UpstreamError
from ..gateway import Gateway
from ..odoo.base import Credential
from ..odoo.large import LargeCall
from . import content
from .binary import FileData, file_of, rows_of
from .upload import Upload

MODEL = "ir.attachment"
FIELDS = ["id", "name", "type", "url", "mimetype", "file_size", "checksum", "create_date"]
#: what every upload writes (the write deny-list is checked on them before reading)
WRITTEN = ("name", "res_model", "res_id", "datas")


def _of(model: str, rid: int) -> list[Any]:
    return [["res_model", "=", model], ["res_id", "=", rid]]


async def check_record(
    gw: Gateway, cred: Credential, model: str, rid: int, ctx: dict[str, Any]
) -> None:
    """The record exists and the user may read it (Odoo's 403 / 404 otherwise)."""
    rows = await gw.odoo.call(cred, model, "read", [[rid], ["display_name"]], {"context": ctx})
    if not rows:
        raise MissingError(f"{model} record {rid} does not exist or is not readable")


async def listing(
    gw: Gateway, cred: Credential, model: str, rid: int, ctx: dict[str, Any]
) -> list[msgspec.Raw]:
    await check_record(gw, cred, model, rid, ctx)
    kwargs = {"fields": FIELDS, "order": "id", "context": ctx}
    return await gw.odoo.call_page(cred, MODEL, "search_read", [_of(model, rid)], kwargs)


async def _find(
    gw: Gateway,
    cred: Credential,
    model: str,
    rid: int,
    att: int,
    fields: list[str],
    ctx: dict[str, Any],
) -> dict[str, Any]:
    domain = [["id", "=", att], *_of(model, rid)]
    rows = await gw.odoo.call(
        cred, MODEL, "search_read", [domain], {"fields": fields, "limit": 1, "context": ctx}
    )
    if not rows:
        await check_record(gw, cred, model, rid, ctx)  # 403 when the record is the reason
        raise MissingError(f"{model} record {rid} has no attachment {att}")
    row = rows[0]
    if not isinstance(row, dict):
        raise UpstreamError("Odoo's ir.attachment reply is not a record")
    return row


async def download(
    gw: Gateway,
    cred: Credential,
    model: str,
    rid: int,
    att: int,
    ctx: dict[str, Any],
    *,
    if_none_match: str | None,
) -> FileData | str:
    """The attachment's file, or only its ETag when the client may hold it already
    (then the content is not fetched unless it changed)."""
    meta = ["name", "type", "url", "mimetype", "checksum"]
    row = await _find(gw, cred, model, rid, att, meta, ctx)
    if row.get("type") == "url":
        # Odoo's web client follows the link; the gateway never redirects (a client would
        # carry its access-token header to the other host) and has no bytes to send
        raise NotABinaryField(
            f"attachment {att} is a link ({str(row.get('url') or '')[:500]}), not a stored "
            "file: there are no bytes to download"
        )
    if if_none_match:
        tag = str(row.get("checksum") or "")
        if content.matches(if_none_match, tag):
            return tag
    # the content alone, decoded in the reply's own buffer (see binary.file_of)
    found = await gw.odoo.call_large(
        LargeCall(cred, MODEL, "read", [[att], ["datas"]], {"context": ctx}, cut="datas")
    )
    rows = rows_of(found, f"attachment {att}")
    if not rows:
        raise MissingError(f"{model} record {rid} has no attachment {att}")
    raw = file_of(found, rows[0], "datas", f"attachment {att}")
    del rows, found
    kind = content.media_type(row.get("mimetype")) or content.sniff(raw)
    name = str(row.get("name") or f"attachment-{att}.{content.extension(kind)}")
    return FileData(raw, kind, name, content.checksum(raw))


async def upload(
    gw: Gateway,
    cred: Credential,
    model: str,
    rid: int,
    files: list[Upload],
    ctx: dict[str, Any],
) -> list[msgspec.Raw]:
    """Create one attachment per file in one ``create`` (all or none), and read them back."""
    vals_list: list[dict[str, Any]] = []
    for f in files:
        vals: dict[str, Any] = {
            "name": f.filename or f"upload-{len(vals_list) + 1}",
            "res_model": model,
            "res_id": rid,
            "datas": f.sink.value(),
        }
        kind = content.media_type(f.content_type)
        if kind and kind != content.OCTET_STREAM:
            gw.write_deny.check(MODEL, "mimetype")
            vals["mimetype"] = kind
        vals_list.append(vals)
    found = await gw.odoo.call_large(
        LargeCall(cred, MODEL, "create", [vals_list], {"context": ctx})
    )
    del vals_list
    created = orjson.loads(found.result)
    ids = [created] if isinstance(created, int) else created
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise UpstreamError("Odoo's create reply is not a list of ids")
    kwargs = {"fields": FIELDS, "order": "id", "context": ctx}
    return await gw.odoo.call_page(cred, MODEL, "search_read", [[["id", "in", ids]]], kwargs)


async def delete(
    gw: Gateway, cred: Credential, model: str, rid: int, att: int, ctx: dict[str, Any]
) -> None:
    await _find(gw, cred, model, rid, att, ["id"], ctx)
    await gw.odoo.call(cred, MODEL, "unlink", [[att]], {"context": ctx})
