"""A binary field of one record as a file: read (``read`` of that one field) and write.

Odoo's fields_get says which fields hold files (type ``binary``; images are binary
fields too). An unknown field is a 404, a field that is not binary a 422, an
empty one a 404: there is no file to answer.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from ..errors import MissingError, NotABinaryField, UpstreamError
from ..gateway import Gateway
from ..odoo.base import Credential
from . import content
from .upload import Upload


@dataclass(frozen=True, slots=True)
class FileData:
    raw: bytes
    kind: str
    filename: str
    etag: str


async def check_binary(gw: Gateway, cred: Credential, model: str, fname: str) -> None:
    info = (await gw.fields.get(cred, model)).get(fname)
    if not isinstance(info, dict):
        raise MissingError(f"{model} has no field {fname!r} (or this user may not read it)")
    if info.get("type") != "binary":
        raise NotABinaryField(
            f"{model}.{fname} is a {info.get('type')} field, not a binary field: "
            f"read it with GET /api/{model}/<id>?fields={fname}"
        )


def decode(value: Any, what: str) -> bytes:
    """The bytes of a base64 value Odoo answered."""
    if not isinstance(value, str):
        raise UpstreamError(f"Odoo answered {what} that is not base64 text")
    try:
        return base64.b64decode(value)
    except (binascii.Error, ValueError):
        raise UpstreamError(f"Odoo answered {what} that is not valid base64") from None


async def read(
    gw: Gateway, cred: Credential, model: str, rid: int, fname: str, ctx: dict[str, Any]
) -> FileData:
    await check_binary(gw, cred, model, fname)
    rows = await gw.odoo.call(
        cred, model, "read", [[rid], [fname, "display_name"]], {"context": ctx}
    )
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        raise MissingError(f"{model} record {rid} does not exist or is not readable")
    row = rows[0]
    value = row.get(fname)
    if not value:
        raise MissingError(f"{model} record {rid} has no file in {fname!r}")
    raw = decode(value, f"{model}.{fname}")
    label = row.get("display_name")
    del value, row, rows
    kind = content.sniff(raw)
    if not isinstance(label, str) or not label.strip():
        label = f"{model.replace('.', '_')}-{rid}-{fname}"
    return FileData(raw, kind, f"{label}.{content.extension(kind)}", content.checksum(raw))


async def write(
    gw: Gateway,
    cred: Credential,
    model: str,
    rid: int,
    fname: str,
    upload: Upload,
    ctx: dict[str, Any],
) -> None:
    vals = {fname: upload.sink.fragment()}
    await gw.odoo.call(cred, model, "write", [[rid], vals], {"context": ctx})
