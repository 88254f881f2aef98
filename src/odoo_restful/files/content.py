"""What a download answers: the media type, a strong ETag, the disposition, 304s.

Odoo gives a media type for attachments only (``mimetype``); a binary field's
bytes are sniffed from their first bytes, like Odoo's own ``guess_mimetype``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.responses import Response, StreamingResponse

OCTET_STREAM = "application/octet-stream"
#: the binary fields whose media type Odoo keeps: ``ir.attachment``'s content, typed by
#: its ``mimetype`` field (Odoo's ``/web/content`` answers that type too)
_TYPED: dict[str, frozenset[str]] = {"ir.attachment": frozenset({"datas", "raw", "db_datas"})}
MIMETYPE = "mimetype"
_SLICE = 256 * 1024
_ODF = "application/vnd.oasis.opendocument."
_OOXML = "application/vnd.openxmlformats-officedocument."
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BM", "image/bmp"),
)
_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
    "image/bmp": "bmp",
    "application/pdf": "pdf",
    "application/zip": "zip",
    _OOXML + "wordprocessingml.document": "docx",
    _OOXML + "spreadsheetml.sheet": "xlsx",
    _OOXML + "presentationml.presentation": "pptx",
    _ODF + "text": "odt",
    _ODF + "spreadsheet": "ods",
    _ODF + "presentation": "odp",
    "application/gzip": "gz",
    "text/html": "html",
    "text/plain": "txt",
}
_SVG = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]", re.S
)
_OWN_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/]')
#: a media type as ``type/subtype`` with optional parameters, nothing else
_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+(?:\s*;\s*[\w.+-]+=[\w.+\"-]+)*$")


#: Office Open XML packages by the part only each kind holds (a name long enough not to
#: turn up by chance in compressed data)
_OOXML_PARTS: tuple[tuple[bytes, str], ...] = (
    (b"word/document.xml", _OOXML + "wordprocessingml.document"),
    (b"xl/workbook.xml", _OOXML + "spreadsheetml.sheet"),
    (b"ppt/presentation.xml", _OOXML + "presentationml.presentation"),
)


def _zip_kind(raw: bytes | bytearray) -> str:
    """What a ZIP holds, as Odoo's own guess tells office documents apart: an
    OpenDocument file names its type in a first, stored entry ``mimetype``; an Office
    Open XML file has ``[Content_Types].xml`` and its main part. Else a plain ZIP."""
    name_len = int.from_bytes(raw[26:28], "little")
    extra_len = int.from_bytes(raw[28:30], "little")
    size = int.from_bytes(raw[18:22], "little")
    if raw[30 : 30 + name_len] == b"mimetype" and size <= 128:
        start = 30 + name_len + extra_len
        kind = bytes(raw[start : start + size]).decode("ascii", "replace")
        if kind.startswith(_ODF) and _MEDIA_TYPE.match(kind):
            return kind
    if raw.find(b"[Content_Types].xml") >= 0:
        for part, kind in _OOXML_PARTS:
            if raw.find(part) >= 0:
                return kind
    return "application/zip"


def sniff(raw: bytes | bytearray) -> str:
    """The media type of ``raw`` from its magic bytes; octet-stream when unknown."""
    if raw.startswith(b"PK\x03\x04"):
        return _zip_kind(raw)
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            return kind
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    if _SVG.match(raw[:1024]):
        return "image/svg+xml"
    return OCTET_STREAM


def typed_by_odoo(model: str, fname: str) -> bool:
    """Whether Odoo keeps the media type of this binary field (in ``MIMETYPE``)."""
    return fname in _TYPED.get(model, ())


def media_type(value: object) -> str | None:
    """Odoo's ``mimetype`` when it is a well-formed media type (else None)."""
    if isinstance(value, str) and len(value) <= 255 and _MEDIA_TYPE.match(value):
        return value
    return None


def extension(kind: str) -> str:
    return _EXTENSIONS.get(kind.split(";")[0].strip(), "bin")


def filename(label: str, kind: str) -> str:
    """``label`` with the extension of ``kind``, unless it ends with it already (an
    attachment's own name such as ``scan.pdf``), or ``kind`` is unknown and ``label``
    has an extension of its own."""
    ext = extension(kind)
    if label.lower().endswith(f".{ext}") or (ext == "bin" and _OWN_EXTENSION.search(label)):
        return label
    return f"{label}.{ext}"


def checksum(raw: bytes | bytearray) -> str:
    """SHA-1 of the bytes, hex: what Odoo stores as an attachment's ``checksum``."""
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()


def disposition(filename: str, *, download: bool) -> str:
    """``inline`` or ``attachment`` with an ASCII fallback name and RFC 5987 ``filename*``."""
    name = _UNSAFE_NAME.sub("_", filename).strip() or "file"
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    kind = "attachment" if download else "inline"
    value = f'{kind}; filename="{ascii_name}"'
    if ascii_name != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def matches(headers: Headers | str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` (the headers, or its value) names this entity tag (or
    ``*``); weak comparison, as RFC 9110 asks for this header."""
    wanted = headers.get("if-none-match") if isinstance(headers, Headers) else headers
    if not wanted or not etag:
        return False
    for tag in wanted.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == f'"{etag}"':
            return True
    return False


def file_response(
    raw: bytes | bytearray, kind: str, etag: str, filename: str, *, download: bool, headers: Headers
) -> Response:
    """200 with the bytes, or 304 when the client holds this version already."""
    common = {"etag": f'"{etag}"', "cache-control": "private, no-cache"}
    if matches(headers, etag):
        return Response(status_code=304, headers=common)
    common["content-disposition"] = disposition(filename, download=download)
    common["content-length"] = str(len(raw))
    return StreamingResponse(_slices(raw), media_type=kind, headers=common)


async def _slices(raw: bytes | bytearray) -> AsyncIterator[memoryview]:
    """The bytes in slices that share their memory: the server sends one at a time
    and waits for the socket, so a large file is never copied into its write buffer."""
    view = memoryview(raw)
    for at in range(0, len(view), _SLICE):
        yield view[at : at + _SLICE]


def not_modified(etag: str) -> Response:
    return Response(
        status_code=304, headers={"etag": f'"{etag}"', "cache-control": "private, no-cache"}
    )
