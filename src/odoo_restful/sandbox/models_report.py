"""``ir.actions.report``: the report actions, readable over RPC so a client can list them.

Rendering is the HTTP route ``/report/pdf|html/<report_name>/<ids>`` (see
:mod:`.files`); Odoo 19 keeps ``_render_qweb_pdf`` private and has no
``render_qweb_pdf`` any more, which the generic method checks already answer.
The seed has the sales order report of the recordings and a partner report
(a sandbox example, so that a model with several reports can be tried).

``group_ids`` (``groups_id`` before Odoo 19) restricts a report to groups. Odoo
uses it to hide the report from the Print menu of the other users
(``ir.actions.actions.get_bindings``); the ``/report`` route does not check it (the
report is looked up with superuser rights, the records read as the user), and
neither does the sandbox. The partner report is restricted to "Sales / User: All
Documents", which the administrators have (implied by "Sales / Administrator") and
the salesperson demo and nosales do not.
"""

from __future__ import annotations

from typing import Any, ClassVar

from . import groups, schema
from .orm import BaseModel

_REPORT_TYPES = [["qweb-html", "HTML"], ["qweb-pdf", "PDF"], ["qweb-text", "Text"]]

schema.register(
    "ir.actions.report",
    [
        ("name", "char", "Action Name", "q", None),
        ("type", "char", "Action Type", "q", None),
        ("model", "char", "Model Name", "q", None),
        ("report_type", "selection", "Report Type", "q", _REPORT_TYPES),
        ("report_name", "char", "Template Name", "q", None),
        ("report_file", "char", "Report File", "", None),
        ("print_report_name", "char", "Printed Report Name", "", None),
        (
            "binding_type",
            "selection",
            "Binding Type",
            "q",
            [["action", "Action"], ["report", "Report"]],
        ),
        ("attachment_use", "boolean", "Reload from Attachment", "", None),
        ("attachment", "char", "Save as Attachment Prefix", "", None),
        ("group_ids", "many2many", "Groups", "", "res.groups"),
    ],
)

SEED: tuple[dict[str, Any], ...] = (
    {
        "id": 1,
        "name": "Quotation / Order",
        "model": "sale.order",
        "report_name": "sale.report_saleorder",
        "report_file": "sale.report_saleorder",
        "print_report_name": (
            "(object.state in ('draft', 'sent') and 'Quotation - %s' % (object.name)) "
            "or 'Order - %s' % (object.name)"
        ),
    },
    {
        "id": 2,
        "name": "Contact Card",
        "model": "res.partner",
        "report_name": "base.report_partner_card",
        "report_file": "base.report_partner_card",
        "print_report_name": "'Contact - %s' % (object.name)",
        "group_ids": [groups.GROUP_IDS["sales_team.group_sale_salesman_all_leads"]],
    },
)


class IrActionsReport(BaseModel):
    _name = "ir.actions.report"
    _description = "Report Action"
    _order = "name, id"
    _seed_rows = SEED
    _field_options: ClassVar[dict[str, dict[str, Any]]] = {
        "display_name": {"store": False},  # computed, as in Odoo (never stored)
        "type": {"default": "ir.actions.report"},
        "report_type": {"default": "qweb-pdf"},
        "binding_type": {"default": "report"},
        "attachment_use": {"default": False},
    }

    @classmethod
    def acl_allows(cls, profile: str, operation: str) -> bool:
        """Internal users read report actions; only administrators change them."""
        return profile == "system" or (operation == "read" and profile in ("user", "nosales"))

    def find(self, report_name: str) -> int | None:
        """The id of the report action called ``report_name`` (None if there is none)."""
        for rid, row in self.rows.items():
            if row.get("report_name") == report_name:
                return rid
        return None
