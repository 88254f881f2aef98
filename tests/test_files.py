"""The pieces of the file routes: the streaming multipart reader and base64 sink, media
type sniffing, Content-Disposition, the upload body cap, the write deny-list on a
binary field, and a report's web session renewed when Odoo forgot it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import zipfile
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import orjson
import pytest
import requests

from odoo_restful.app import create_app, is_upload
from odoo_restful.errors import BadRequest
from odoo_restful.files import content
from odoo_restful.files.upload import Base64Sink, MultipartReader, read_files
from odoo_restful.odoo.large import LargeValue, encode_parts
from odoo_restful.odoo.transport import InProcessTransport, Reply
from odoo_restful.sandbox import Sandbox

from .conftest import gateway_settings
from .servers import serve_in_thread


def _text(large: LargeValue) -> str:
    value = orjson.loads(encode_parts([large])[1])
    assert isinstance(value, str)
    return value


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 100, 65537])
@pytest.mark.parametrize("step", [1, 2, 7, 4096])
def test_base64_sink_matches_base64(size: int, step: int) -> None:
    raw = bytes((i * 7) % 256 for i in range(size))
    sink = Base64Sink()
    for at in range(0, len(raw), step):
        sink.write(raw[at : at + step])
    assert sink.size == size
    assert sink.checksum == hashlib.sha1(raw, usedforsecurity=False).hexdigest()
    assert _text(sink.value()) == base64.b64encode(raw).decode()


def _multipart(boundary: str, parts: list[tuple[str, str | None, bytes]]) -> bytes:
    out = b"preamble\r\n"
    for name, filename, data in parts:
        disp = f'form-data; name="{name}"'
        if filename is not None:
            disp += f'; filename="{filename}"'
        out += f"--{boundary}\r\nContent-Disposition: {disp}\r\n".encode()
        out += b"Content-Type: application/x-test\r\n\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\nepilogue".encode()


@pytest.mark.parametrize("step", [1, 3, 64, 1 << 20])
def test_multipart_reader_any_chunking(step: int) -> None:
    boundary = "----b0und4ry"
    # content that looks like a boundary without being one
    tricky = b"x\r\n------b0und4r" + b"\r\n--" + b"y" * 300
    body = _multipart(
        boundary,
        [("a", "one.bin", tricky), ("field", None, b"ignored"), ("b", 'we\\"ird.txt', b"")],
    )
    reader = MultipartReader(boundary.encode(), max_files=5)
    for at in range(0, len(body), step):
        reader.feed(body[at : at + step])
    files = reader.finish()
    assert [f.filename for f in files] == ["one.bin", 'we"ird.txt']
    assert files[0].content_type == "application/x-test"
    assert _text(files[0].sink.value()) == base64.b64encode(tricky).decode()
    assert files[1].sink.size == 0


def test_multipart_reader_refuses_bad_bodies() -> None:
    reader = MultipartReader(b"b", max_files=1)
    reader.feed(b"--b\r\nContent-Disposition: form-data; name=a; filename=x\r\n\r\nabc")
    with pytest.raises(BadRequest):
        reader.finish()
    too_many = MultipartReader(b"b", max_files=1)
    body = _multipart("b", [("a", "1", b"1"), ("a", "2", b"2")])
    with pytest.raises(BadRequest):
        too_many.feed(body)
    with pytest.raises(BadRequest):
        MultipartReader(b"b", max_files=1).feed(b"--b\r\nX-Other: 1\r\n\r\n")


def test_read_files_raw_body_is_one_file() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"abc"
        yield b"def"

    files = asyncio.run(read_files(chunks(), "image/png", max_files=1))
    assert len(files) == 1
    assert files[0].content_type == "image/png"
    assert _text(files[0].sink.value()) == base64.b64encode(b"abcdef").decode()
    with pytest.raises(BadRequest):
        asyncio.run(read_files(chunks(), "multipart/form-data", max_files=1))


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"\x89PNG\r\n\x1a\nrest", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"GIF89a..", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b'<?xml version="1.0"?>\n<svg xmlns="x">', "image/svg+xml"),
        (b"  <svg>", "image/svg+xml"),
        (b"%PDF-1.7", "application/pdf"),
        (b"PK\x03\x04", "application/zip"),
        (b"PK\x03\x04" + b"\x00" * 60, "application/zip"),
        (b"hello", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_sniff(raw: bytes, kind: str) -> None:
    assert content.sniff(raw) == kind


def _zip(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for at, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and at == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return out.getvalue()


def test_sniff_tells_office_documents_from_zips() -> None:
    """As Odoo's own guess does: OpenDocument by its stored ``mimetype`` entry, Office
    Open XML by its content types and main part; any other ZIP stays a ZIP."""
    odt = "application/vnd.oasis.opendocument.text"
    odf = _zip([("mimetype", odt.encode()), ("content.xml", b"<x/>")], stored_first=True)
    assert content.sniff(odf) == odt
    ooxml = "application/vnd.openxmlformats-officedocument."
    for part, kind, ext in (
        ("word/document.xml", "wordprocessingml.document", "docx"),
        ("xl/workbook.xml", "spreadsheetml.sheet", "xlsx"),
        ("ppt/presentation.xml", "presentationml.presentation", "pptx"),
    ):
        raw = _zip([("[Content_Types].xml", b"<Types/>"), (part, b"<x/>" * 100)])
        assert content.sniff(bytearray(raw)) == ooxml + kind
        assert content.filename("Report", ooxml + kind) == f"Report.{ext}"
    plain = _zip([("notes.txt", b"hello"), ("word/document.xml", b"not office")])
    assert content.sniff(plain) == "application/zip"
    assert content.sniff(b"PK\x03\x04") == "application/zip"  # cut short: no crash


def test_disposition_is_safe() -> None:
    assert content.disposition("a.pdf", download=False) == 'inline; filename="a.pdf"'
    tricky = content.disposition('Fête "x"\r\n/../y.txt', download=True)
    assert tricky.startswith('attachment; filename="F_te _x____.._y.txt"; filename*=UTF-8')
    assert "\r" not in tricky and "\n" not in tricky
    assert content.media_type("text/plain; charset=utf-8") == "text/plain; charset=utf-8"
    assert content.media_type("text/html\r\nX: 1") is None


def test_if_none_match() -> None:
    assert content.matches('"abc"', "abc")
    assert content.matches('W/"abc", "def"', "abc")
    assert content.matches("*", "abc")
    assert not content.matches('"abcd"', "abc")
    assert not content.matches(None, "abc")
    assert not content.matches('"abc"', "")


def test_is_upload() -> None:
    assert is_upload("PUT", "/api/res.partner/3/image_1920")
    assert is_upload("POST", "/api/res.partner/3/attachments")
    assert not is_upload("PUT", "/api/res.partner/3")
    assert not is_upload("POST", "/api/res.partner/3/action_archive")
    assert not is_upload("POST", "/api/res.partner")


@pytest.fixture
def small_caps(tmp_path: Path) -> Iterator[tuple[str, Sandbox]]:
    """A gateway with a 2 KiB body cap, a 8 KiB file cap and a deny-listed binary field."""
    sandbox = Sandbox()
    settings = gateway_settings(
        tmp_path,
        sandbox=True,
        max_body_bytes=2048,
        max_file_bytes=8192,
        write_deny_fields=("res.partner.image_1920", "ir.attachment.res_id"),
    )
    app = create_app(settings, transport=InProcessTransport(sandbox))
    with serve_in_thread(app) as url:
        yield url, sandbox


def _token(url: str, login: str, secret: str) -> dict[str, str]:
    resp = requests.post(
        url + "/api/auth/token", json={"login": login, "password": secret}, timeout=30
    )
    assert resp.status_code == 200, resp.text
    return {"access-token": resp.json()["access_token"]}


def test_file_cap_and_body_cap(small_caps: tuple[str, Sandbox]) -> None:
    url, _ = small_caps
    admin = _token(url, "admin", "admin")
    made = requests.post(
        url + "/api/ir.attachment", json={"name": "f.bin"}, headers=admin, timeout=30
    )
    assert made.status_code == 201, made.text
    att = made.json()["data"][0]["id"]
    field = f"{url}/api/ir.attachment/{att}/datas"
    ok = requests.put(field, data=b"x" * 5000, headers=admin, timeout=30)
    assert ok.status_code == 200, ok.text  # over the body cap, under the file cap
    big = requests.put(field, data=b"x" * 9000, headers=admin, timeout=30)
    assert big.status_code == 413

    def chunked() -> Iterator[bytes]:
        for _ in range(10):
            yield b"y" * 1000

    streamed = requests.put(field, data=chunked(), headers=admin, timeout=30)
    assert streamed.status_code == 413
    json_body = requests.post(
        url + "/api/res.partner", json={"name": "x" * 5000}, headers=admin, timeout=30
    )
    assert json_body.status_code == 413  # other routes keep the body cap


def test_attachments_take_the_file_cap(tmp_path: Path) -> None:
    """An attachments upload is held to --max-file-bytes (its files together), not to
    the body cap, and a refused upload leaves nothing behind."""
    settings = gateway_settings(tmp_path, sandbox=True, max_body_bytes=2048, max_file_bytes=8192)
    with serve_in_thread(create_app(settings, transport=InProcessTransport(Sandbox()))) as url:
        admin = _token(url, "admin", "admin")
        attachments = url + "/api/res.partner/3/attachments"
        one = requests.post(
            attachments, files={"f": ("a.bin", b"a" * 5000)}, headers=admin, timeout=30
        )
        assert one.status_code == 201, one.text  # over the body cap, under the file cap
        two = [("f", ("b.bin", b"b" * 5000)), ("f", ("c.bin", b"c" * 5000))]
        over = requests.post(attachments, files=two, headers=admin, timeout=30)
        assert over.status_code == 413, over.text
        assert over.json()["type"] == "payload_too_large"
        listed = requests.get(attachments, headers=admin, timeout=30).json()["data"]
        assert [a["name"] for a in listed] == ["a.bin"]


def test_write_deny_list_applies_to_binary_fields(small_caps: tuple[str, Sandbox]) -> None:
    url, _ = small_caps
    admin = _token(url, "admin", "admin")
    resp = requests.put(
        url + "/api/res.partner/3/image_1920", data=b"\x89PNG\r\n\x1a\n", headers=admin, timeout=30
    )
    assert resp.status_code == 403
    assert resp.json()["type"] == "field_forbidden"
    attach = requests.post(
        url + "/api/res.partner/3/attachments",
        files={"f": ("a.txt", b"a")},
        headers=admin,
        timeout=30,
    )
    assert attach.status_code == 403
    assert attach.json()["type"] == "field_forbidden"


def test_report_session_is_renewed(small_caps: tuple[str, Sandbox]) -> None:
    url, sandbox = small_caps
    admin = _token(url, "admin", "admin")
    first = requests.get(url + "/api/report/sale.report_saleorder/2", headers=admin, timeout=30)
    assert first.status_code == 200, first.text
    sandbox.expire_sessions()  # Odoo forgot the session: signed in again, once
    again = requests.get(url + "/api/report/sale.report_saleorder/2", headers=admin, timeout=30)
    assert again.status_code == 200, again.text
    assert again.content.startswith(b"%PDF-")


def test_report_with_a_web_session_only_token(tmp_path: Path) -> None:
    """A ``--web-session-only`` token holds Odoo's session, not the password: the report
    uses that session; once Odoo forgets it, a clear 401 (it cannot be renewed)."""
    sandbox = Sandbox()
    settings = gateway_settings(tmp_path, sandbox=True, protocol="web", web_session_only=True)
    with serve_in_thread(create_app(settings, transport=InProcessTransport(sandbox))) as url:
        admin = _token(url, "admin", "admin")
        pdf = requests.get(url + "/api/report/sale.report_saleorder/2", headers=admin, timeout=30)
        assert pdf.status_code == 200, pdf.text
        assert pdf.content.startswith(b"%PDF-")
        sandbox.expire_sessions()
        gone = requests.get(url + "/api/report/sale.report_saleorder/2", headers=admin, timeout=30)
        assert gone.status_code == 401, gone.text
        assert gone.headers["content-type"] == "application/json"


@pytest.mark.parametrize("version", [19, 16])
def test_report_list_asks_the_users_groups_once_and_only_when_needed(
    tmp_path: Path, version: int
) -> None:
    """A list with no report restricted to groups costs what it did (a ``search`` and a
    ``search_read``); one with such a report one ``read`` more: the user's own row, with
    the field of this version (19's ``all_group_ids``, 16's ``groups_id``)."""
    sent: list[str] = []

    class Recording(InProcessTransport):
        async def request(
            self, method: str, path: str, body: bytes, headers: Mapping[str, str]
        ) -> Reply:
            if path == "/jsonrpc":
                sent.append(body.decode())
            return await super().request(method, path, body, headers)

    transport = Recording(Sandbox(odoo_version=version))
    settings = gateway_settings(tmp_path, db="sandbox", protocol="jsonrpc")
    with serve_in_thread(create_app(settings, transport=transport)) as url:
        for login in ("admin", "demo"):
            user = _token(url, login, login)
            sent.clear()
            plain = requests.get(url + "/api/sale.order/reports", headers=user, timeout=30)
            assert plain.status_code == 200, plain.text
            assert [_method(body) for body in sent] == ["search", "search_read"]
            sent.clear()
            partners = requests.get(url + "/api/res.partner/reports", headers=user, timeout=30)
            assert partners.status_code == 200, partners.text
            assert [_method(body) for body in sent] == ["search", "search_read", "read"]
            field = "all_group_ids" if version == 19 else "groups_id"
            call = orjson.loads(sent[-1])["params"]["args"][3:6]
            assert call == ["res.users", "read", [[_UIDS[login]], [field]]]
            names = [r["report_name"] for r in partners.json()["data"]]
            assert names == (["base.report_partner_card"] if login == "admin" else [])


_UIDS = {"admin": 2, "demo": 5}


def _method(body: str) -> str:
    """The ORM method of an ``execute_kw`` call (``db, uid, secret, model, method, ...``)."""
    method: str = orjson.loads(body)["params"]["args"][4]
    return method
