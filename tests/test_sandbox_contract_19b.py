"""Replay the second batch of real Odoo 19 recordings (``../shared/odoo-wire-19b``).

Recorded as ordinary users (demo uid 5, a "Sales / User: Own Documents Only"
salesperson; nosales uid 7, an internal user without Sales; portal uid 6) and as
admin, on ANOTHER database than the first batch: ids, names and counts of the
demo data differ from the seed, which copies the first batch's database. Those
differences are listed in NOT_EXACT. The replay and the checks are in
:mod:`tests.wire_replay`.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from .wire_replay import Outcome, WireFolder, check, check_debug_is_fake

_SB_WEB = "served by the sb-web branch (ORM helpers/files)"
_XMLRPC = "XML-RPC (/xmlrpc/2/*) is not served by the sandbox"

WIRE = WireFolder(
    folder="odoo-wire-19b",
    env_var="ODOO_WIRE_19B_DIR",
    count=104,
    recorded_at=datetime(2026, 11, 29, 18, 19, 33),
    not_replayed={
        **{
            name: _SB_WEB
            for name in (
                "jsonrpc_web_search_read_sale_order_admin.json",
                "json2_web_search_read_sale_order_admin.json",
                "jsonrpc_web_search_read_sale_order_demo.json",
                "json2_web_search_read_sale_order_demo.json",
                "jsonrpc_web_read_sale_order_admin.json",
                "json2_web_read_sale_order_admin.json",
                "json2_web_read_sale_order_demo_own.json",
                "json2_web_read_sale_order_demo_other_users_order.json",
                "jsonrpc_web_read_portal_unreadable_m2o_display_name_only.json",
                "jsonrpc_web_read_portal_unreadable_m2o_extra_field.json",
                "jsonrpc_read_group_sale_order_partner.json",
                "jsonrpc_read_group_sale_order_state.json",
                "json2_read_group_sale_order_state.json",
                "jsonrpc_formatted_read_group_sale_order_partner.json",
                "jsonrpc_formatted_read_group_sale_order_state.json",
                "json2_formatted_read_group_sale_order_partner.json",
                "jsonrpc_web_read_group_sale_order_state.json",
                "json2_web_read_group_sale_order_partner.json",
                "jsonrpc_name_create_partner.json",
                "jsonrpc_default_get_sale_order.json",
                "jsonrpc_onchange_sale_order_partner.json",
                "jsonrpc_copy_partner.json",
                "http_web_image_partner_image_128_session.json",
                "http_web_image_partner_image_128_no_session.json",
                "http_report_pdf_sale_order_admin.json",
                "http_report_pdf_sale_order_nosales.json",
                "jsonrpc_search_read_change_feed.json",
            )
        },
        "xmlrpc_object_search_read_partner.json": _XMLRPC,
        "xmlrpc_db_list.json": _XMLRPC,
        "http_doc_bearer_partner_json.json": "/doc-bearer/ is the api_doc module's, not served",
        "jsonrpc_search_read_default_fields_account_move_demo.json": (
            "account.move is not a sandbox model"
        ),
        "jsonrpc_search_read_default_fields_product_template_demo.json": (
            "the sandbox's product.template has a small subset of Odoo's fields"
        ),
    },
    not_exact={
        "jsonrpc_search_read_default_fields_partner_admin.json": "other database: other partners",
        "json2_search_read_default_fields_partner_admin.json": "other database: other partners",
        "jsonrpc_search_count_domain.json": "other database: other orders",
        "jsonrpc_name_search_partner.json": "other database: other partners",
        "jsonrpc_read_partner_image_128.json": "image_128 is a generated placeholder",
        "web_session_authenticate_admin.json": "registry hash, access tokens, settings id differ",
        "jsonrpc_db_list.json": "the sandbox's database is named 'sandbox' ('demo' is an alias)",
        "web_session_authenticate_nosales.json": (
            "other database: nosales is partner 43 'No Sales User' there; registry hash, "
            "access tokens, settings id differ"
        ),
        "jsonrpc_error_domain_id_as_xmlid_demo.json": (
            "PostgreSQL's excerpt of the SQL statement (LINE 1: ...) is not reproduced"
        ),
    },
)


@pytest.fixture(scope="module")
def replay() -> dict[str, Outcome]:
    return WIRE.replay()


def test_recordings_present() -> None:
    WIRE.check_present()


def test_lists_name_recordings() -> None:
    WIRE.check_lists()


def test_not_replayed_and_not_exact_are_exact(replay: dict[str, Outcome]) -> None:
    WIRE.check_not_replayed_still_fail(replay)


@pytest.mark.parametrize("name", WIRE.replayed_names())
def test_replay(name: str, replay: dict[str, Outcome]) -> None:
    check(replay[name], exact=name not in WIRE.not_exact)


def test_debug_is_a_short_fake_traceback(replay: dict[str, Outcome]) -> None:
    check_debug_is_fake(replay, at_least=4)
