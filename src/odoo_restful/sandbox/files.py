"""The HTTP routes that serve files with a web session cookie, as Odoo 19 answers them.

* ``GET /web/image/<model>/<id>/<field>``: the image bytes of a binary field
  (Odoo's headers: inline disposition named after the record, ETag, no-cache).
  Without a session, or when the user may not read the record or the field is
  empty, Odoo still answers 200 with a placeholder PNG (recorded);
* ``GET /web/content/<attachment id>[?download=true]``: an attachment's bytes,
  ``Content-Disposition: attachment`` when downloading; 404 without access
  (recorded without a session);
* ``GET /report/pdf|html/<report_name>/<ids>``: a report of records the user may
  read (a small PDF made by :mod:`.pdf`), else 403 with the AccessError text in
  a ``<pre>`` (recorded for a user without Sales rights); without a session, a
  303 to the login page, as for Odoo's other ``auth="user"`` routes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import string
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import cast
from urllib.parse import parse_qs, quote

from . import data, pdf
from .errors import AccessError, MissingError
from .models_attachment import decode
from .models_report import IrActionsReport
from .orm import BaseModel, Env
from .service import Service
from .websession import Sessions, session_id
from .wire import NOT_FOUND_PAGE, Reply, html_reply, redirect_reply

_IMAGE = re.compile(r"^/web/image/([\w.]+)/(\d+)/(\w+)/?$")
_CONTENT = re.compile(r"^/web/content/(\d+)(?:/[^/]*)?/?$")
_REPORT = re.compile(r"^/report/(pdf|html)/([\w.]+)/([\d,]+)/?$")
_TOKEN = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")
_SECURITY = {"x-content-type-options": "nosniff", "content-security-policy": "default-src 'none'"}
PLACEHOLDER_COLOR = "d9d9d9"


def is_file_route(path: str) -> bool:
    return bool(_IMAGE.match(path) or _CONTENT.match(path) or _REPORT.match(path))


def handle(
    service: Service,
    sessions: Sessions,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
) -> Reply:
    if method not in ("GET", "HEAD"):
        return html_reply(405, "Method Not Allowed")
    session = sessions.get(session_id(headers))
    env = service.env(session.uid) if session is not None else None
    image = _IMAGE.match(path)
    if image:
        return _image(service, env, image[1], int(image[2]), image[3])
    content = _CONTENT.match(path)
    if content:
        download = parse_qs(query).get("download", [""])[0].lower() in ("1", "true")
        return _content(env, int(content[1]), download)
    report = _REPORT.match(path)
    if report and env is None:
        return _login_redirect(f"{path}?{query}")
    if report and env is not None:
        ids = [int(i) for i in report[3].split(",") if i]
        return _report(env, report[1], report[2], ids)
    return html_reply(404, NOT_FOUND_PAGE)


def _login_redirect(target: str) -> Reply:
    """Routes of signed-in users send a visitor to the login page."""
    return redirect_reply(f"/web/login?redirect={quote(target, safe='')}")


def _filename(name: str) -> str:
    """A ``filename=`` parameter, quoted when it is not a plain token (as werkzeug does)."""
    if name and all(ch in _TOKEN for ch in name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _http_date(stamp: str | bool) -> str:
    moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else datetime(2026, 1, 1)
    return format_datetime(moment.replace(tzinfo=UTC), usegmt=True)


def _file_reply(
    raw: bytes, content_type: str, disposition: str, last_modified: str | bool, etag: str
) -> Reply:
    headers = {
        "content-disposition": disposition,
        "content-type": content_type,
        "last-modified": _http_date(last_modified),
        "cache-control": "no-cache, private",
        "etag": f'"{etag}"',
        **_SECURITY,
    }
    return 200, headers, raw


def _placeholder() -> Reply:
    raw = base64.b64decode(data.placeholder_png(PLACEHOLDER_COLOR))
    return _file_reply(
        raw,
        "image/png",
        "inline; filename=placeholder.png",
        False,
        hashlib.sha1(raw, usedforsecurity=False).hexdigest(),
    )


def _image(service: Service, env: Env | None, model: str, rid: int, fname: str) -> Reply:
    cls = service.registry.models.get(model)
    fld = cls.fields().get(fname) if cls is not None else None
    if cls is None or fld is None or fld.type != "binary":
        return html_reply(404, NOT_FOUND_PAGE)
    if env is None:
        return _placeholder()  # the public user may not read the record
    label = "name" if "name" in cls.fields() else "display_name"
    try:
        (row,) = cls(env).browse([rid]).read([fname, label, "write_date"])
    except (AccessError, MissingError, ValueError):  # ValueError: no such record
        return _placeholder()
    raw = decode(row[fname]) if row[fname] else b""
    if not raw:
        return _placeholder()
    kind = _image_type(raw)
    name = f"{row[label]}.{kind.split('/')[1]}"  # recorded: the name, not the display name
    etag = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
    return _file_reply(raw, kind, f"inline; filename={_filename(name)}", row["write_date"], etag)


def _image_type(raw: bytes) -> str:
    if raw.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if raw.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if raw.lstrip().startswith((b"<svg", b"<?xml")):
        return "image/svg+xml"
    return "image/png"


def _content(env: Env | None, rid: int, download: bool) -> Reply:
    if env is None:
        return html_reply(404, NOT_FOUND_PAGE)
    attachments = env["ir.attachment"].browse([rid])
    try:
        (row,) = attachments.read(["name", "datas", "mimetype", "checksum", "write_date"])
    except (AccessError, MissingError, ValueError):
        return html_reply(404, NOT_FOUND_PAGE)
    raw = decode(row["datas"])
    kind = str(row["mimetype"] or "application/octet-stream")
    if kind.startswith("text/") and "charset" not in kind:
        kind += "; charset=utf-8"
    disposition = "attachment" if download else "inline"
    name = _filename(str(row["name"] or f"attachment-{rid}"))
    etag = str(row["checksum"] or hashlib.sha1(raw, usedforsecurity=False).hexdigest())
    return _file_reply(raw, kind, f"{disposition}; filename={name}", row["write_date"], etag)


def _report(env: Env, kind: str, report_name: str, ids: list[int]) -> Reply:
    reports = cast(IrActionsReport, env.sudo()["ir.actions.report"])
    report_id = reports.find(report_name)
    if report_id is None:
        return html_reply(404, NOT_FOUND_PAGE)
    model = env.get(str(reports.value(report_id, "model")))
    if model is None:
        return html_reply(404, NOT_FOUND_PAGE)
    records: BaseModel = model.browse(ids)
    try:
        names = [row["display_name"] for row in records.read(["display_name"])]
        if len(names) != len(set(ids)):
            raise MissingError("Record does not exist or has been deleted.")
    except (AccessError, MissingError) as exc:
        status = 403 if isinstance(exc, AccessError) else 404
        return status, {"content-type": "text/html;charset=utf-8"}, _error_page(env, exc)
    title = str(reports.value(report_id, "name"))
    if kind == "pdf":
        return 200, {"content-type": "application/pdf"}, pdf.render(title, names)
    body = "".join(f'<div class="page"><h2>{html.escape(n)}</h2></div>' for n in names)
    page = f"<!DOCTYPE html>\n<html><head><title>{html.escape(title)}</title></head>"
    return html_reply(200, f"{page}<body>{body}</body></html>\n")


def _error_page(env: Env, exc: Exception) -> bytes:
    """Odoo's frontend error page, reduced to what a client reads from it."""
    status = "403: Forbidden" if isinstance(exc, AccessError) else "404: Not Found"
    message = html.escape(str(exc.args[0]) if exc.args else str(exc)).replace("&#x27;", "&#39;")
    return (
        '<!DOCTYPE html>\n<html>\n    <head>\n        <meta charset="utf-8"/>\n'
        "        <title>Odoo</title>\n    </head>\n    <body>\n"
        f'        <div id="wrap">\n            <h1 class="mt-5">{status}</h1>\n'
        "            <p>The page you were looking for could not be authorized.</p>\n"
        "            <p>\n                <strong>Error message:</strong>\n"
        f"                <pre>{message}</pre>\n            </p>\n        </div>\n"
        "    </body>\n</html>"
    ).encode()
