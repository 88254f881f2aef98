"""The sandbox's files: binary fields, ``ir.attachment``, ``/web/image``, ``/web/content``
and reports (``ir.actions.report``, ``/report/pdf|html``), as admin and ordinary users.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime

import pytest

from odoo_restful.sandbox import Sandbox
from odoo_restful.sandbox.groups import GROUP_IDS, with_implied

from .sandbox_fixtures import Client

NOW = datetime(2026, 11, 29, 18, 19, 34)
NOTE = b"Recorded by recorder2.py for the odoo-wire-19b fixtures....\n"
DENIED = "odoo.exceptions.AccessError"


def login(sandbox: Sandbox, user: str) -> str:
    body = {"jsonrpc": "2.0", "params": {"db": "sandbox", "login": user, "password": user}}
    _status, headers, _raw = sandbox.handle(
        "POST", "/web/session/authenticate", {}, json.dumps(body).encode()
    )
    return headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]


def get(sandbox: Sandbox, path: str, sid: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"Cookie": f"session_id={sid}"} if sid else {}
    return sandbox.handle("GET", path, headers, b"")


def attach(client: Client, model: str = "res.partner", rid: int = 9) -> int:
    data = base64.b64encode(NOTE).decode()
    vals = {"name": "recorder-note.txt", "datas": data, "res_model": model, "res_id": rid}
    new_id: int = client("ir.attachment", "create", vals)
    return new_id


# --- binaries and attachments ------------------------------------------------------------


def test_binary_field_reads_as_base64(sb_admin: Client) -> None:
    (row,) = sb_admin("res.partner", "read", [9], ["image_128"])
    assert base64.b64decode(row["image_128"]).startswith(b"\x89PNG\r\n\x1a\n")


def test_attachment_facts(sb_admin: Client) -> None:
    rid = attach(sb_admin)
    assert rid == 928  # the recorded database's next id
    (row,) = sb_admin(
        "ir.attachment", "read", [rid], ["name", "mimetype", "file_size", "datas", "checksum"]
    )
    assert row == {
        "id": rid,
        "name": "recorder-note.txt",
        "mimetype": "text/plain",
        "file_size": 60,
        "datas": base64.b64encode(NOTE).decode(),
        "checksum": "53792074a482e458b6505175a3e2c125bceb4f5b",
    }
    png = sb_admin(
        "ir.attachment",
        "create",
        {
            "name": "noext",
            "datas": sb_admin("res.partner", "read", [9], ["image_1920"])[0]["image_1920"],
        },
    )
    (image,) = sb_admin("ir.attachment", "read", [png], ["mimetype", "res_name"])
    assert image["mimetype"] == "image/png" and image["res_name"] is False
    # an attachment's display_name is its name, as in Odoo (computed, never stored)
    assert sb_admin("ir.attachment", "read", [rid, png], ["display_name"]) == [
        {"id": rid, "display_name": "recorder-note.txt"},
        {"id": png, "display_name": "noext"},
    ]
    sb_admin("ir.attachment", "write", [rid], {"datas": base64.b64encode(b"abc").decode()})
    (changed,) = sb_admin("ir.attachment", "read", [rid], ["file_size", "checksum"])
    assert changed == {"id": rid, "file_size": 3, "checksum": hashlib.sha1(b"abc").hexdigest()}
    assert sb_admin("ir.attachment", "unlink", [rid]) is True


def test_attachment_access_follows_the_record(
    sb_admin: Client, sb_nosales: Client, sb_portal: Client
) -> None:
    on_partner = attach(sb_admin, "res.partner", 9)
    on_order = attach(sb_admin, "sale.order", 2)
    assert [r["id"] for r in sb_nosales("ir.attachment", "read", [on_partner], ["name"])] == [
        on_partner
    ]
    assert sb_nosales("ir.attachment", "search", []) == [on_partner]
    assert sb_nosales.fault("ir.attachment", "read", [on_order], ["name"]).name == DENIED
    assert sb_nosales.fault("ir.attachment", "unlink", [on_partner]).name == DENIED
    fault = sb_nosales.fault(
        "ir.attachment", "create", {"name": "x", "res_model": "res.partner", "res_id": 9}
    )
    assert fault.name == DENIED
    own = sb_nosales("ir.attachment", "create", {"name": "mine.txt", "datas": "aGk="})
    assert own in sb_nosales("ir.attachment", "search", [])
    assert sb_admin("ir.attachment", "read", [own], ["name"])[0]["name"] == "mine.txt"
    assert sb_portal.fault("ir.attachment", "search", []).name == DENIED


# --- HTTP routes ---------------------------------------------------------------------------


def test_web_image_with_and_without_session(sandbox: Sandbox, sb_admin: Client) -> None:
    sid = login(sandbox, "admin")
    status, headers, body = get(sandbox, "/web/image/res.partner/9/image_128", sid)
    stored = base64.b64decode(sb_admin("res.partner", "read", [9], ["image_128"])[0]["image_128"])
    assert status == 200 and body == stored
    assert headers["content-type"] == "image/png"
    assert headers["content-disposition"] == 'inline; filename="Acme Corporation.png"'
    contact = get(sandbox, "/web/image/res.partner/3/image_128", sid)[1]["content-disposition"]
    assert contact == 'inline; filename="Mitchell Admin.png"'  # its name, not display name
    assert headers["cache-control"] == "no-cache, private"
    assert headers["etag"] == f'"{hashlib.sha1(stored).hexdigest()}"'
    status, headers, placeholder = get(sandbox, "/web/image/res.partner/9/image_128")
    assert status == 200 and placeholder.startswith(b"\x89PNG") and placeholder != stored
    assert headers["content-disposition"] == "inline; filename=placeholder.png"
    assert get(sandbox, "/web/image/res.partner/9/name", sid)[0] == 404
    assert get(sandbox, "/web/image/no.model/9/image_128", sid)[0] == 404


def test_web_image_of_an_unreadable_record_is_the_placeholder(sandbox: Sandbox) -> None:
    sid = login(sandbox, "portal")
    status, headers, _body = get(sandbox, "/web/image/res.partner/9/image_128", sid)
    assert status == 200 and headers["content-disposition"] == "inline; filename=placeholder.png"


def test_web_content_download(sandbox: Sandbox, sb_admin: Client) -> None:
    rid = attach(sb_admin)
    sid = login(sandbox, "admin")
    status, headers, body = get(sandbox, f"/web/content/{rid}?download=true", sid)
    assert status == 200 and body == NOTE
    assert headers["content-disposition"] == "attachment; filename=recorder-note.txt"
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert headers["etag"] == '"53792074a482e458b6505175a3e2c125bceb4f5b"'
    inline = get(sandbox, f"/web/content/{rid}", sid)[1]["content-disposition"]
    assert inline == "inline; filename=recorder-note.txt"
    status, headers, body = get(sandbox, f"/web/content/{rid}?download=true")
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert get(sandbox, "/web/content/99999?download=true", sid)[0] == 404
    on_order = attach(sb_admin, "sale.order", 2)
    assert get(sandbox, f"/web/content/{on_order}", login(sandbox, "nosales"))[0] == 404


def _check_pdf(body: bytes) -> None:
    """The cross-reference table points at each object: a reader can open the file."""
    assert body.startswith(b"%PDF-1.4\n") and body.endswith(b"%%EOF\n")
    startxref = int(re.findall(rb"startxref\n(\d+)\n", body)[-1])
    assert body[startxref:].startswith(b"xref\n")
    count = int(re.search(rb"xref\n0 (\d+)\n", body)[1])  # type: ignore[index]
    entries = re.findall(rb"(\d{10}) 00000 n \n", body[startxref:])
    assert len(entries) == count - 1
    for number, offset in enumerate(entries, start=1):
        assert body[int(offset) :].startswith(b"%d 0 obj\n" % number)
    length = int(re.search(rb"/Length (\d+) >>\nstream\n", body)[1])  # type: ignore[index]
    stream = body.split(b"stream\n", 1)[1]
    assert stream[length:].startswith(b"\nendstream")


def test_report_pdf(sandbox: Sandbox) -> None:
    sid = login(sandbox, "admin")
    status, headers, body = get(sandbox, "/report/pdf/sale.report_saleorder/2", sid)
    assert status == 200 and headers["content-type"] == "application/pdf"
    _check_pdf(body)
    assert b"(Quotation / Order) Tj" in body and b"(S00002) Tj" in body
    status, _headers, body = get(sandbox, "/report/pdf/sale.report_saleorder/2,3", sid)
    assert status == 200 and b"(S00003) Tj" in body
    html = get(sandbox, "/report/html/sale.report_saleorder/2", sid)
    assert html[0] == 200 and html[1]["content-type"].startswith("text/html")
    assert b"S00002" in html[2]
    assert get(sandbox, "/report/pdf/no.such_report/2", sid)[0] == 404
    assert get(sandbox, "/report/pdf/sale.report_saleorder/999", sid)[0] == 404
    status, headers, _body = get(sandbox, "/report/pdf/sale.report_saleorder/2")
    assert status == 303
    assert (
        headers["location"] == "/web/login?redirect=%2Freport%2Fpdf%2Fsale.report_saleorder%2F2%3F"
    )


def test_report_pdf_without_rights_is_403_html(sandbox: Sandbox) -> None:
    status, headers, body = get(
        sandbox, "/report/pdf/sale.report_saleorder/2", login(sandbox, "nosales")
    )
    assert status == 403 and headers["content-type"] == "text/html;charset=utf-8"
    page = body.decode()
    assert '<h1 class="mt-5">403: Forbidden</h1>' in page
    pre = page.split("<pre>", 1)[1].split("</pre>", 1)[0]
    assert pre.startswith("You are not allowed to access &#39;Sales Order&#39; (sale.order)")
    sb_portal = login(sandbox, "portal")
    assert get(sandbox, "/report/pdf/sale.report_saleorder/2", sb_portal)[0] == 403
    assert get(sandbox, "/report/pdf/sale.report_saleorder/33", sb_portal)[0] == 200


def test_report_actions_over_rpc(sb_admin: Client, sb_nosales: Client) -> None:
    reports = sb_nosales(
        "ir.actions.report",
        "search_read",
        [["model", "=", "sale.order"]],
        ["name", "report_name", "report_type", "model"],
    )
    assert reports == [
        {
            "id": 1,
            "name": "Quotation / Order",
            "report_name": "sale.report_saleorder",
            "report_type": "qweb-pdf",
            "model": "sale.order",
        }
    ]
    assert sb_admin("ir.actions.report", "search_count", [["model", "=", "res.partner"]]) == 1
    fault = sb_admin.fault(
        "ir.actions.report", "_render_qweb_pdf", [], "sale.report_saleorder", [2]
    )
    assert fault.message == (
        "Private methods (such as 'ir.actions.report._render_qweb_pdf') cannot be called remotely."
    )
    fault = sb_admin.fault("ir.actions.report", "render_qweb_pdf", [], "sale.report_saleorder", [2])
    assert fault.name == "builtins.AttributeError"
    assert fault.message == "The method 'ir.actions.report.render_qweb_pdf' does not exist"
    assert sb_nosales.fault("ir.actions.report", "write", [1], {"name": "x"}).name == DENIED


def test_report_as_the_salesperson(sandbox: Sandbox) -> None:
    sid = login(sandbox, "demo")
    assert get(sandbox, "/report/pdf/sale.report_saleorder/1", sid)[0] == 200
    status, _headers, body = get(sandbox, "/report/pdf/sale.report_saleorder/1,2", sid)
    assert status == 403 and b"top-secret records" in body


def test_a_report_restricted_to_groups_still_prints_for_anyone_as_in_odoo(
    sandbox: Sandbox, sb_nosales: Client
) -> None:
    """Odoo's /report route never looks at the report's groups (it reads the report with
    superuser rights, the records as the user): a user outside them prints it."""
    assert sb_nosales("ir.actions.report", "search_read", [["id", "=", 2]], ["group_ids"]) == [
        {"id": 2, "group_ids": [GROUP_IDS["sales_team.group_sale_salesman_all_leads"]]}
    ]
    for user in ("demo", "nosales"):
        status, _headers, body = get(
            sandbox, "/report/pdf/base.report_partner_card/3", login(sandbox, user)
        )
        assert status == 200 and body.startswith(b"%PDF-"), user


@pytest.mark.parametrize("version", [19, 16])
def test_the_groups_of_reports_and_users_by_version(version: int) -> None:
    """19 says ``group_ids`` on both, and keeps the implied groups in ``all_group_ids``;
    16 says ``groups_id``, which holds the implied groups too. Each user reads its own."""
    sandbox = Sandbox(odoo_version=version)
    admin, demo = Client(sandbox), Client(sandbox, 5, "demo")
    field = "group_ids" if version == 19 else "groups_id"
    wrong = "groups_id" if version == 19 else "group_ids"
    assert demo("ir.actions.report", "read", [2], [field])[0][field] == [21]
    assert demo.fault("ir.actions.report", "read", [2], [wrong]).name == "builtins.ValueError"
    given = {"base.group_system", "sales_team.group_sale_manager"}
    implied = with_implied(tuple(given))
    assert {"base.group_user", "sales_team.group_sale_salesman_all_leads"} <= implied
    ids = {name: GROUP_IDS[name] for name in implied}
    mine = admin("res.users", "read", [2], [field])[0][field]
    if version == 19:
        assert mine == sorted(ids[name] for name in given)
        everything = admin("res.users", "read", [2], ["all_group_ids"])[0]["all_group_ids"]
        assert everything == sorted(ids.values())
    else:
        assert mine == sorted(ids.values())
        assert admin.fault("res.users", "read", [2], ["all_group_ids"]).name == (
            "builtins.ValueError"
        )
    demo_all = "all_group_ids" if version == 19 else "groups_id"
    assert demo("res.users", "read", [5], [demo_all])[0][demo_all] == [
        GROUP_IDS["base.group_user"],
        GROUP_IDS["sales_team.group_sale_salesman"],
    ]
    assert admin("ir.model.data", "check_object_reference", "sales_team", "group_sale_manager") == [
        "res.groups",
        GROUP_IDS["sales_team.group_sale_manager"],
    ]


def test_reports_and_messages_have_a_display_name(sb_admin: Client) -> None:
    """Computed as in Odoo, never a stored false: a report's is its name, a message's
    its subject (else the name of the record it is on)."""
    reports = sb_admin("ir.actions.report", "search_read", [], fields=["name", "display_name"])
    assert reports and all(r["display_name"] == r["name"] for r in reports)
    mid = sb_admin("mail.message", "create", {"model": "res.partner", "res_id": 3, "subject": "Hi"})
    assert sb_admin("mail.message", "read", [mid], ["display_name"]) == [
        {"id": mid, "display_name": "Hi"}
    ]
