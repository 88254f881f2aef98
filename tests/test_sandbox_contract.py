"""Replay the first batch of real Odoo 19 recordings (``../shared/odoo-wire``).

Recorded as admin (mostly) on the database the seed copies: the seed has the ids
and id sequences of that database, so created records get the recorded ids. The
replay and the checks are in :mod:`tests.wire_replay`.
"""

from __future__ import annotations

from datetime import datetime

from .wire_replay import WireFolder, contract_tests

_XMLRPC = "XML-RPC (/xmlrpc/2/*) is not served by the sandbox"

WIRE = WireFolder(
    folder="odoo-wire",
    env_var="ODOO_WIRE_DIR",
    count=131,
    recorded_at=datetime(2026, 11, 27, 2, 11, 35),
    not_replayed={
        name: _XMLRPC
        for name in (
            "xmlrpc_common_version.json",
            "xmlrpc_common_authenticate_ok.json",
            "xmlrpc_common_authenticate_wrong_password.json",
            "xmlrpc_common_authenticate_wrong_db.json",
            "xmlrpc_object_search_read.json",
            "xmlrpc_object_read_sale_order.json",
            "xmlrpc_object_search_count.json",
            "xmlrpc_object_create_partner.json",
            "xmlrpc_fault_access_error.json",
            "xmlrpc_fault_access_denied.json",
            "xmlrpc_fault_validation_error.json",
            "xmlrpc_fault_missing_error.json",
            "xmlrpc_fault_unknown_model.json",
            "xmlrpc_fault_bad_domain.json",
            "xmlrpc_fault_private_method.json",
        )
    },
    not_exact={
        "jsonrpc_search_count_context_active_test.json": "count includes extra seed partners 60-68",
        "json2_search_count_context.json": "count includes extra seed partners 60-68",
        "jsonrpc_read_partner_field_types.json": "image_128 is a generated placeholder; write_date",
        "json2_read_partner_field_types.json": "image_128 is a generated placeholder; write_date",
        "jsonrpc_read_partner_bin_size.json": "size of the placeholder image",
        "web_session_authenticate_ok.json": "registry hash, access tokens, settings id differ",
        "web_session_get_session_info.json": "registry hash, access tokens, settings id differ",
    },
)


globals().update(contract_tests(WIRE, debug_at_least=41))


def test_only_xml_rpc_is_not_replayed() -> None:
    assert all(name.startswith("xmlrpc_") for name in WIRE.not_replayed)
