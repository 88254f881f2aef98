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

from .wire_replay import WireFolder, contract_tests

_OTHER_ORDERS = "other database: other orders, lines, customers and amounts"
_NOT_CANCELLED = (
    "the seed has a cancelled order the recorded database lacks: the replay leaves its "
    "group out (domain, or offset 1 for the legacy read_group whose __domain would change); "
)
_PORTAL_ORDER = "the seed's portal customer has order 33 (19 in the recorded database)"
_XMLRPC = "XML-RPC (/xmlrpc/2/*) is not served by the sandbox"

WIRE = WireFolder(
    folder="odoo-wire-19b",
    env_var="ODOO_WIRE_19B_DIR",
    count=104,
    recorded_at=datetime(2026, 11, 29, 18, 19, 33),
    not_replayed={
        "jsonrpc_read_group_sale_order_partner.json": (
            "other database: 6 customers have orders there, 14 in the seed (the limited "
            "formatted_read_group / web_read_group cases by partner are replayed)"
        ),
        "jsonrpc_formatted_read_group_sale_order_partner.json": (
            "other database: 6 customers have orders there, 14 in the seed"
        ),
        "jsonrpc_onchange_sale_order_partner.json": (
            "payment terms and fiscal positions (account.payment.term, account.fiscal.position) "
            "are not sandbox models: the customer's terms are not set (tests/test_sandbox_web.py "
            "checks the addresses and salesperson it sets)"
        ),
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
        "jsonrpc_web_search_read_sale_order_admin.json": _OTHER_ORDERS,
        "json2_web_search_read_sale_order_admin.json": _OTHER_ORDERS,
        "jsonrpc_web_search_read_sale_order_demo.json": _OTHER_ORDERS,
        "json2_web_search_read_sale_order_demo.json": _OTHER_ORDERS,
        "jsonrpc_web_read_sale_order_admin.json": _OTHER_ORDERS,
        "json2_web_read_sale_order_admin.json": _OTHER_ORDERS,
        "json2_web_read_sale_order_demo_own.json": _OTHER_ORDERS,
        "jsonrpc_web_read_portal_unreadable_m2o_display_name_only.json": (
            f"{_PORTAL_ORDER}: the replay asks for it; its lines and salesperson differ"
        ),
        "jsonrpc_read_group_sale_order_state.json": _NOT_CANCELLED + _OTHER_ORDERS,
        "json2_read_group_sale_order_state.json": _NOT_CANCELLED + _OTHER_ORDERS,
        "jsonrpc_formatted_read_group_sale_order_state.json": _NOT_CANCELLED + _OTHER_ORDERS,
        "json2_formatted_read_group_sale_order_partner.json": _OTHER_ORDERS,
        "jsonrpc_web_read_group_sale_order_state.json": _NOT_CANCELLED + _OTHER_ORDERS,
        "json2_web_read_group_sale_order_partner.json": _OTHER_ORDERS,
        "jsonrpc_name_create_partner.json": "other database: the next partner id is 46, not 73",
        "jsonrpc_copy_partner.json": "other database: the next partner id is 47, not 74",
        "jsonrpc_default_get_sale_order.json": (
            "date_order is the replay's clock (one second before the recorded reply)"
        ),
        "jsonrpc_search_read_change_feed.json": (
            "the replay's clock stands still (one write_date for all) and the seed's partner "
            "26 is another contact; the same feed is checked in tests/test_sandbox_web.py"
        ),
        "http_web_image_partner_image_128_session.json": (
            "the seed's image of partner 3 is a generated PNG (other bytes, length, ETag)"
        ),
        "http_web_image_partner_image_128_no_session.json": (
            "the placeholder is a generated PNG, not Odoo's placeholder.png"
        ),
        "http_report_pdf_sale_order_admin.json": (
            "a one-page PDF written by the sandbox, not wkhtmltopdf's rendering"
        ),
        "http_report_pdf_sale_order_nosales.json": (
            "the 403 page is reduced to the title and the <pre> with the error (no assets, "
            "menus, CSRF token)"
        ),
    },
    # Requests adapted to the seed: the portal customer's order is 33 there (both portal
    # web_read cases), and the group of the seed's cancelled order is left out.
    adapted_bodies={
        "jsonrpc_web_read_portal_unreadable_m2o_display_name_only.json": (
            '{"jsonrpc": "2.0", "method": "call", "params": {"service": "object", "method": '
            '"execute_kw", "args": ["demo", 6, "portal", "sale.order", "web_read", [[33], '
            '{"name": {}, "team_id": {"fields": {"display_name": {}}}, "user_id": {}, '
            '"order_line": {"fields": {"product_id": {"fields": {"display_name": {}}}}}}]]}, '
            '"id": 31}'
        ),
        "jsonrpc_web_read_portal_unreadable_m2o_extra_field.json": (
            '{"jsonrpc": "2.0", "method": "call", "params": {"service": "object", "method": '
            '"execute_kw", "args": ["demo", 6, "portal", "sale.order", "web_read", [[33], '
            '{"name": {}, "team_id": {"fields": {"display_name": {}, "name": {}}}}]]}, "id": 32}'
        ),
        "jsonrpc_read_group_sale_order_state.json": (
            '{"jsonrpc": "2.0", "method": "call", "params": {"service": "object", "method": '
            '"execute_kw", "args": ["demo", 2, "admin", "sale.order", "read_group", '
            '[[], ["amount_total:sum"], ["state"]], {"lazy": true, "offset": 1, "limit": 3}]}, '
            '"id": 34}'
        ),
        "json2_read_group_sale_order_state.json": (
            '{"domain": [], "fields": ["amount_total:sum"], "groupby": ["state"], '
            '"offset": 1, "limit": 3}'
        ),
        "jsonrpc_formatted_read_group_sale_order_state.json": (
            '{"jsonrpc": "2.0", "method": "call", "params": {"service": "object", "method": '
            '"execute_kw", "args": ["demo", 2, "admin", "sale.order", "formatted_read_group", '
            '[[["state", "!=", "cancel"]]], {"groupby": ["state"], "aggregates": '
            '["amount_total:sum", "__count"], "order": "state asc"}]}, "id": 36}'
        ),
        "jsonrpc_web_read_group_sale_order_state.json": (
            '{"jsonrpc": "2.0", "method": "call", "params": {"service": "object", "method": '
            '"execute_kw", "args": ["demo", 2, "admin", "sale.order", "web_read_group", '
            '[[["state", "!=", "cancel"]], ["state"], ["amount_total:sum", "__count"]]]}, '
            '"id": 37}'
        ),
    },
)


globals().update(contract_tests(WIRE, debug_at_least=4))
