"""Reading an upload chunk by chunk straight into the base64 text Odoo stores.

The request body is never held whole: each chunk is hashed, counted and encoded
(``Base64Sink``), and a ``multipart/form-data`` body is split into its parts as
it streams (``MultipartReader``), so only the base64 text of the files grows.
That text is finished as a JSON string in place and handed over as a
``large.LargeValue``: the call that sends it to Odoo writes it as a part of the
request body of its own, never copied (``odoo/large.py``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ..errors import BadRequest
from ..odoo.large import LargeValue

_MAX_HEADER_BYTES = 16 * 1024
_MAX_FIELD_BYTES = 64 * 1024
_BOUNDARY = re.compile(r'boundary="?([0-9A-Za-z\'()+_,./:=? -]{1,70})"?', re.I)
_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class Base64Sink:
    """Encodes bytes as they come; keeps the size and SHA-1 of the decoded content."""

    def __init__(self) -> None:
        self._out = bytearray(b'"')
        self._rest = b""
        self._sha1 = hashlib.sha1(usedforsecurity=False)
        self.size = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        self._sha1.update(data)
        data = self._rest + data if self._rest else data
        cut = len(data) - len(data) % 3
        self._out += base64.b64encode(data[:cut])
        self._rest = data[cut:]

    @property
    def checksum(self) -> str:
        return self._sha1.hexdigest()

    def value(self) -> LargeValue:
        """The JSON string of the base64 text, in the sink's own buffer (no copy); the
        sink is empty afterwards."""
        self._out += base64.b64encode(self._rest)
        self._out += b'"'
        text, self._out, self._rest = self._out, bytearray(), b""
        return LargeValue(text)


@dataclass
class Upload:
    """One uploaded file: its name and media type as sent, and its content."""

    filename: str
    content_type: str | None
    sink: Base64Sink = field(default_factory=Base64Sink)


def boundary_of(content_type: str) -> bytes | None:
    """The boundary of a ``multipart/form-data`` Content-Type, else None."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    found = _BOUNDARY.search(content_type)
    if not found:
        raise BadRequest("multipart/form-data without a boundary")
    return found.group(1).strip().encode()


def _params(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in _PARAM.findall(header):
        value = value.strip()
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out[key.lower()] = value
    return out


class MultipartReader:
    """A streaming ``multipart/form-data`` splitter: file parts go to their own sink.

    Parts without a file name (plain form fields) are read up to 64 KiB and dropped:
    the token travels in a header or the query, never in an upload's form.
    """

    def __init__(self, boundary: bytes, max_files: int) -> None:
        self._delim = b"\r\n--" + boundary
        self._buf = bytearray(b"\r\n")  # the first boundary has no CRLF before it
        self._state = "preamble"
        self._part: Upload | None = None
        self._field_bytes = 0
        self._max_files = max_files
        self.files: list[Upload] = []

    def feed(self, chunk: bytes) -> None:
        self._buf += chunk
        while self._step():
            pass

    def finish(self) -> list[Upload]:
        if self._state != "done":
            raise BadRequest("the multipart body ends before its closing boundary")
        return self.files

    def _step(self) -> bool:
        buf, delim = self._buf, self._delim
        if self._state == "preamble":
            at = buf.find(delim)
            if at < 0:
                del buf[: max(0, len(buf) - len(delim))]
                return False
            del buf[: at + len(delim)]
            self._state = "boundary"
            return True
        if self._state == "boundary":
            if len(buf) < 2:
                return False
            if buf[:2] == b"--":
                self._state = "done"
                buf.clear()
                return False
            if buf[:2] != b"\r\n":
                raise BadRequest("malformed multipart boundary")
            del buf[:2]
            self._state = "headers"
            return True
        if self._state == "headers":
            at = buf.find(b"\r\n\r\n")
            if at < 0:
                if len(buf) > _MAX_HEADER_BYTES:
                    raise BadRequest("multipart part headers too large")
                return False
            self._start_part(bytes(buf[:at]))
            del buf[: at + 4]
            self._state = "body"
            return True
        if self._state == "body":
            at = buf.find(delim)
            end = at if at >= 0 else len(buf) - len(delim) + 1
            if end > 0:
                self._write(bytes(buf[:end]))
                del buf[:end]
            if at < 0:
                return False
            del buf[: len(delim)]
            self._state = "boundary"
            return True
        buf.clear()  # after the closing boundary: the epilogue is ignored
        return False

    def _start_part(self, raw: bytes) -> None:
        headers: dict[str, str] = {}
        for line in raw.decode("utf-8", "replace").split("\r\n"):
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        if not disposition.lower().startswith("form-data"):
            raise BadRequest("a multipart part without 'Content-Disposition: form-data'")
        filename = _params(disposition).get("filename")
        self._field_bytes = 0
        if filename is None:
            self._part = None
            return
        if len(self.files) >= self._max_files:
            raise BadRequest(f"at most {self._max_files} files per upload")
        self._part = Upload(
            filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1], headers.get("content-type")
        )
        self.files.append(self._part)

    def _write(self, data: bytes) -> None:
        if self._part is not None:
            self._part.sink.write(data)
            return
        self._field_bytes += len(data)
        if self._field_bytes > _MAX_FIELD_BYTES:
            raise BadRequest("a multipart form field is too large")


async def read_files(
    stream: AsyncIterator[bytes], content_type: str, *, max_files: int
) -> list[Upload]:
    """The files of a request body: every file part of a multipart body, else the body
    itself as one unnamed file."""
    boundary = boundary_of(content_type)
    if boundary is None:
        single = Upload("", content_type.split(";")[0].strip() or None)
        async for chunk in stream:
            single.sink.write(chunk)
        return [single] if single.sink.size else []
    reader = MultipartReader(boundary, max_files)
    async for chunk in stream:
        reader.feed(chunk)
    return [f for f in reader.finish() if f.sink.size or f.filename]
