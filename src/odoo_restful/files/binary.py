"""A binary field of one record as a file: read (``read`` of that one field) and write.

Odoo's fields_get says which fields hold files (type ``binary``; images are binary
fields too). An unknown field is a 404, a field that is not binary a 422, an
empty one a 404: there is no file to answer. The media type is Odoo's where it keeps
one (an ``ir.attachment``'s ``mimetype``, read in the same call, as Odoo's own
``/web/content`` does), else sniffed from the bytes (what Odoo stores for a field's
attachment is guessed from them too).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import msgspec

from ..errors import MissingError, NotABinaryField, UpstreamError
from ..gateway import Gateway
from ..odoo.base import Credential
from ..odoo.large import LargeCall, LargeResult
from . import content
from .upload import Upload


@dataclass(frozen=True, slots=True)
class FileData:
    raw: bytes | bytearray  # a bytearray: the reply's buffer, decoded in place
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


ROWS = msgspec.json.Decoder(list[dict[str, msgspec.Raw]])


def decode_raw(value: msgspec.Raw | None, what: str) -> bytes:
    """The bytes of a base64 JSON string, decoded from Odoo's reply without a ``str``
    copy of it (``false`` or nothing: no file)."""
    if value is None:
        return b""
    view = memoryview(value)
    if bytes(view[:1]) != b'"':
        if bytes(view) in (b"false", b"null", b'""'):
            return b""
        raise UpstreamError(f"Odoo answered {what} that is not base64 text")
    try:
        # JSON may escape "/" as "\/": a non-validating decode skips the backslash
        return binascii.a2b_base64(view[1:-1])
    except (binascii.Error, ValueError):
        raise UpstreamError(f"Odoo answered {what} that is not valid base64") from None


def rows_of(found: LargeResult, what: str) -> list[dict[str, msgspec.Raw]]:
    try:
        return ROWS.decode(found.result)
    except (msgspec.DecodeError, msgspec.ValidationError):
        raise UpstreamError(f"Odoo's read of {what} is not a list of records") from None


def file_of(
    found: LargeResult, row: dict[str, msgspec.Raw], fname: str, what: str
) -> bytes | bytearray:
    """The file in a ``read`` of ``fname`` made with ``cut=fname``: decoded in place in
    the reply's buffer when its base64 was cut out (the row then holds ``""`` there),
    else from the row (``false``: no file)."""
    value = row.get(fname)
    if found.cut is None:
        return decode_raw(value, what)
    if value is None or bytes(value) != b'""':  # the cut was not this field's value
        raise UpstreamError(f"Odoo's read of {what} is not laid out as a record's field")
    return found.cut.decode_base64()


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
    wanted = [fname, "display_name"]
    if content.typed_by_odoo(model, fname):
        wanted.append(content.MIMETYPE)
    found = await gw.odoo.call_large(
        LargeCall(cred, model, "read", [[rid], wanted], {"context": ctx}, cut=fname)
    )
    rows = rows_of(found, f"{model}.{fname}")
    if not rows:
        raise MissingError(f"{model} record {rid} does not exist or is not readable")
    raw = file_of(found, rows[0], fname, f"{model}.{fname}")
    label, typed = (_small(rows[0], key) for key in ("display_name", content.MIMETYPE))
    del rows, found
    if not raw:
        raise MissingError(f"{model} record {rid} has no file in {fname!r}")
    kind = content.media_type(typed) or content.sniff(raw)
    if not isinstance(label, str) or not label.strip():
        label = f"{model.replace('.', '_')}-{rid}-{fname}"
    return FileData(raw, kind, content.filename(label, kind), content.checksum(raw))


def _small(row: dict[str, msgspec.Raw], key: str) -> Any:
    """A short value of the read row (a name, a media type), decoded; None when absent
    or not JSON."""
    if key not in row:
        return None
    try:
        return msgspec.json.decode(row[key])
    except msgspec.DecodeError:
        return None


async def write(
    gw: Gateway,
    cred: Credential,
    model: str,
    rid: int,
    fname: str,
    upload: Upload,
    ctx: dict[str, Any],
) -> None:
    vals = {fname: upload.sink.value()}
    await gw.odoo.call_large(LargeCall(cred, model, "write", [[rid], vals], {"context": ctx}))
