"""Replay the real Odoo 16 recordings (``../shared/odoo-wire-16``) against the 16 profile.

The recordings mirror the first Odoo 19 batch file by file; their README's
difference table is what :data:`odoo_restful.sandbox.profiles.ODOO_16` encodes.
The database (``demo16``, with Odoo 16's demo data) is another one than the
sandbox seed (a copy of the 19 database): ids, names and counts of demo records
differ, and those answers are listed in NOT_EXACT. The replay and the checks are
in :mod:`tests.wire_replay`.
"""

from __future__ import annotations

import json
from datetime import datetime

from .wire_replay import WireFolder, contract_tests, find_shared

#: 16-only recordings whose request names 16 ids: (16 text, seed text) replaced.
_IDS_16: dict[str, tuple[tuple[str, str], ...]] = {
    # base.res_partner_2 is 10 on 16, 9 in the seed
    "jsonrpc_name_get.json": (("[[1, 3, 10]]", "[[1, 3, 9]]"),),
    # the partner the cases created: 42 on 16, 46 in the seed's sequence
    "jsonrpc_search_read_no_fields_admin.json": (('"=", 42', '"=", 46'),),
    # nosales is uid 8 on 16, 7 in the seed
    "jsonrpc_search_read_no_fields_nosales.json": (
        ('"=", 42', '"=", 46'),
        ('"demo16", 8, "nosales"', '"demo16", 7, "nosales"'),
    ),
}
#: Twins whose 16 request must stay: it names 16's fields (product_uom, tax_id).
_OWN_REQUEST = frozenset({"jsonrpc_read_sale_order_line.json"})


def _adapted_bodies() -> dict[str, str]:
    """The requests replayed in place of the recorded ones (the one adaptation).

    A 16 recording with a twin in ``../odoo-wire/`` (same name, same method and
    arguments: README) is sent with the twin's ``params``, whose uids, record ids
    and API key are the seed's (a copy of that 19 database), and its own JSON-RPC
    ``id``; the few 16-only recordings naming 16 ids get them replaced.
    """
    here, twins = (
        find_shared("odoo-wire-16", "ODOO_WIRE_16_DIR"),
        find_shared("odoo-wire", "ODOO_WIRE_DIR"),
    )
    bodies: dict[str, str] = {}
    try:
        names = [entry["file"] for entry in json.loads((here / "_index.json").read_text())]
    except OSError:
        return bodies
    for name in names:
        raw = json.loads((here / name).read_text())["request"]["body_raw"] or ""
        for old, new in _IDS_16.get(name, ()):
            assert old in raw, (name, old)
            raw = raw.replace(old, new)
        twin = twins / name
        twin_body = json.loads(twin.read_text())["request"]["body"] if twin.is_file() else None
        if name not in _OWN_REQUEST and isinstance(twin_body, dict) and "params" in twin_body:
            body = json.loads(raw)
            body["params"] = twin_body["params"]
            raw = json.dumps(body)
        bodies[name] = raw
    return bodies


_FIELDS = "16 has other fields than the seed (copied from 19): 143 partner fields, not 163"
_SESSION_INFO = "16's session info has other keys (company_id, user_companies, web_tours...)"
_PAGE_404 = "16's 404 is the web client's full HTML page; the sandbox sends werkzeug's short one"
_XMLRPC = "XML-RPC (/xmlrpc/2/*) is not served by the sandbox"
_DEMO_DATA = "Odoo 16's demo data: other names, ids, counts and values than the seed's"
_SEED_IDS = "ids the seed's sequences give (or the messages naming them) differ from 16's"
_GROUP_LABELS = "16's group labels (Invoicing/Billing, Extra Rights/...) differ from the seed's"

WIRE = WireFolder(
    folder="odoo-wire-16",
    env_var="ODOO_WIRE_16_DIR",
    count=84,
    recorded_at=datetime(2026, 11, 29, 18, 41, 56),
    odoo_version=16,
    databases=("demo", "demo16"),
    not_replayed={
        "jsonrpc_fields_get_partner.json": _FIELDS,
        "jsonrpc_fields_get_sale_order.json": _FIELDS,
        "jsonrpc_search_read_no_fields_admin.json": _FIELDS,
        "jsonrpc_fields_get_subset_all_attributes.json": (
            "the seed's recorded attributes are 19's (groupable, allow_hierachy_operators)"
        ),
        "jsonrpc_read_group_sale_order_by_partner.json": (
            "the seed holds 19's demo orders: other customers, so other groups"
        ),
        "jsonrpc_db_list.json": "the lab's PostgreSQL role had two databases (demo, demo16)",
        "web_session_authenticate_ok.json": _SESSION_INFO,
        "web_session_get_session_info.json": _SESSION_INFO,
        "http_web_version.json": _PAGE_404,
        "http_json_version.json": _PAGE_404,
        "json2_search_read.json": _PAGE_404,
        "xmlrpc_common_version.json": _XMLRPC,
        "xmlrpc_fault_access_error.json": _XMLRPC,
        "xmlrpc_fault_bad_domain.json": _XMLRPC,
    },
    not_exact={
        **{
            name: _DEMO_DATA
            for name in (
                "jsonrpc_search_read_basic.json",
                "jsonrpc_search_read_domain_operators.json",
                "jsonrpc_search_ids.json",
                "jsonrpc_search_count.json",
                "jsonrpc_search_count_context_active_test.json",
                "jsonrpc_search_read_context_lang.json",
                "jsonrpc_read_partner_field_types.json",
                "jsonrpc_read_partner_bin_size.json",
                "jsonrpc_read_all_fields_small_model.json",
                "jsonrpc_read_sale_order_field_types.json",
                "jsonrpc_read_sale_order_line.json",
                "jsonrpc_name_get.json",
                "jsonrpc_web_search_read.json",
                "jsonrpc_read_created_partner.json",
                "jsonrpc_read_created_sale_order.json",
                "jsonrpc_read_after_confirm.json",
                "jsonrpc_execute_kw_with_api_key.json",
                "web_dataset_call_kw_search_read.json",
            )
        },
        **{
            name: _SEED_IDS
            for name in (
                "jsonrpc_create_partner_m2m_commands.json",
                "jsonrpc_create_partner_multi_m2m_id_list.json",
                "jsonrpc_create_sale_order_o2m_commands.json",
                "jsonrpc_create_partner_for_unlink.json",
                "jsonrpc_error_missing_write_deleted.json",
                "jsonrpc_error_missing_unlink_deleted.json",
                "web_dataset_call_kw_create.json",
                "jsonrpc_search_read_no_fields_nosales.json",
            )
        },
        "jsonrpc_error_access_no_sales_rights.json": _GROUP_LABELS,
        "jsonrpc_error_access_create_partner.json": _GROUP_LABELS,
        "jsonrpc_error_validation_required_missing.json": (
            "16 words the NOT NULL error otherwise (Model:/Field: layout); the sandbox keeps 19's"
        ),
        "jsonrpc_error_bad_kwarg.json": (
            "16 names BaseModel.read(), 19 BaseModel._read_format(): the sandbox names 19's"
        ),
    },
    adapted_bodies=_adapted_bodies(),
)


globals().update(contract_tests(WIRE, debug_at_least=4))
