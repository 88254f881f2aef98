"""Reports: the PDF (or HTML) Odoo renders for the token's user, and the list of a
model's reports.

Odoo 19 renders reports only on its web routes (``/report/pdf/<name>/<ids>``, with a
session cookie): the RPC method behind them (``_render_qweb_pdf``) is private. So
the gateway opens a web session for the token's user on any protocol
(``WebSessionClient.fetch``). Odoo's web sign-in takes passwords only (an API key
is refused on interactive logins), so a token made from an API key cannot print:
403 ``web_session_required``. Odoo's HTML error pages never reach the client: a
403 page becomes the gateway's JSON 403 with the AccessError text. A report
restricted to groups the user is in none of is neither listed nor printed
(:mod:`.report_groups`).
"""

from __future__ import annotations

import html
import re
from typing import Any

import msgspec

from ..errors import (
    AccessError,
    BadRequest,
    MissingError,
    UpstreamError,
    WebSessionRequired,
)
from ..gateway import Gateway
from ..odoo.base import Credential
from ..odoo.transport import Reply
from ..scopes import Scopes
from ..values.forms import is_xmlid
from . import report_groups

MODEL = "ir.actions.report"
FIELDS = ["id", "name", "report_name", "report_type", "model"]
FORMATS = {"pdf": "application/pdf", "html": "text/html"}
_REPORT_NAME = re.compile(r"^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)+$")
_PRE = re.compile(r"<pre[^>]*>(.*?)</pre>", re.S | re.I)
_ENCODE = msgspec.json.Encoder().encode


def parse_name(value: str) -> str:
    if len(value) > 128 or not _REPORT_NAME.match(value):
        raise BadRequest(f"{value[:64]!r} is not a report name like 'sale.report_saleorder'")
    return value


def parse_ids(value: str, *, most: int) -> list[int | str]:
    """Comma-separated positive integers or external ids (``sale.sale_order_1``); the
    external ids are resolved by :func:`render`, once the report's model is known."""
    refs: list[int | str] = []
    for part in value.split(","):
        part = part.strip()
        if is_xmlid(part):
            refs.append(part)
            continue
        if not part.isdigit() or len(part) > 12 or int(part) < 1:
            raise BadRequest(
                "report ids must be comma-separated positive integers or external ids "
                f"(module.name), not {part[:32]!r}"
            )
        refs.append(int(part))
    if len(refs) > most:
        raise BadRequest(f"at most {most} records per report")
    return list(dict.fromkeys(refs))


async def resolve_ids(
    gw: Gateway, cred: Credential, model: str | None, refs: list[int | str]
) -> list[int]:
    """The record ids, external ids resolved as the user by the API's one resolver: an
    unknown one is a 404 (as in any path), one of another model than the report's a 422."""
    ids = [
        ref
        if isinstance(ref, int)
        else await gw.xmlids.resolve(cred, model, ref, "report ids", path=True)
        for ref in refs
    ]
    return list(dict.fromkeys(ids))


def parse_format(value: str | None) -> str:
    fmt = (value or "pdf").lower()
    if fmt not in FORMATS:
        raise BadRequest("format must be 'pdf' or 'html'")
    return fmt


async def listing(
    gw: Gateway, cred: Credential, model: str, ctx: dict[str, Any]
) -> list[msgspec.Raw]:
    """The model's reports this user may print, for a user who may read the model:
    every internal user may read ``ir.actions.report``, but printing reads the records
    (Odoo's 403 otherwise), so a user without read rights on the model hears that here
    (one ``search`` of at most one id, as the user: Odoo's AccessError, also for
    transient models). Reports restricted to groups the user is in none of are left
    out (:mod:`.report_groups`: one more ``read`` when a report names groups)."""
    await gw.odoo.call(cred, model, "search", [[]], {"limit": 1, "context": ctx})
    fields = await report_groups.field_names(gw)
    kwargs = {"fields": [*FIELDS, fields[0]], "order": "name, id", "context": ctx}
    domain = [["model", "=", model]]
    rows = await gw.odoo.call(cred, MODEL, "search_read", [domain], kwargs)
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise UpstreamError(f"Odoo answered no list of {MODEL} records")
    shown = await report_groups.printable(gw, cred, rows, fields, ctx)
    return [
        msgspec.Raw(_ENCODE({key: value for key, value in row.items() if key != fields[0]}))
        for row in shown
    ]


async def render(
    gw: Gateway,
    cred: Credential,
    scopes: Scopes,
    name: str,
    refs: list[int | str],
    fmt: str,
    ctx: dict[str, Any],
) -> tuple[bytes, list[int]]:
    """The rendered report, and the ids of its records (external ids resolved)."""
    fields = await report_groups.field_names(gw)
    rows = await gw.odoo.call(
        cred,
        MODEL,
        "search_read",
        [[["report_name", "=", name]]],
        {"fields": ["model", "report_type", fields[0]], "limit": 1, "context": ctx},
    )
    if not rows or not isinstance(rows[0], dict):
        raise MissingError(f"no report named {name!r} (or this user may not see it)")
    model = rows[0].get("model")
    if isinstance(model, str):
        scopes.check(model, write=False)
    # after the scope check: a token outside its scope hears that first
    if cred.kind == "api_key":
        raise WebSessionRequired(
            "reports are rendered on Odoo's web routes, which need a web session, and "
            "Odoo signs in there with a password only: request a token with the user's "
            "password (not an API key) to print reports"
        )
    await report_groups.check(gw, cred, rows[0], name, fields, ctx)
    ids = await resolve_ids(gw, cred, model if isinstance(model, str) else None, refs)
    reply = await gw.odoo.web.fetch(cred, f"/report/{fmt}/{name}/{','.join(map(str, ids))}")
    return _body(reply, FORMATS[fmt], name), ids


def _body(reply: Reply, expected: str, name: str) -> bytes:
    kind = reply.headers.get("content-type", "").split(";")[0].strip().lower()
    if reply.status == 200 and kind == expected:
        return reply.body
    if reply.status == 403:
        raise AccessError(_message(reply.body) or f"this user may not print report {name!r}")
    if reply.status == 404:
        raise MissingError(_message(reply.body) or f"report {name!r} or its records not found")
    raise UpstreamError(f"Odoo answered {reply.status} ({kind or 'no type'}) for report {name!r}")


def _message(page: bytes) -> str:
    """The error text of Odoo's HTML error page (its ``<pre>``), as plain text."""
    found = _PRE.search(page[:65536].decode("utf-8", "replace"))
    if not found:
        return ""
    text = html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()
    return " ".join(text.split())[:500]
