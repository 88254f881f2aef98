"""Field definitions of every sandbox model, as ``fields_get`` shows them.

``res.partner`` and ``sale.order`` come from ``data/fields_*.json``, generated from
the recordings by ``_build_fields.py``. The other models are described here by
hand, in a compact form: ``(name, type, string, flags, extra)`` where ``flags``
holds ``r`` (readonly) and/or ``q`` (required) and ``extra`` is the relation of a
relational field, the selection of a selection field, or ``"@model.field"`` to
reuse the selection of another model's field. Every hand-made model gets Odoo's
magic fields (``id``, ``display_name``, ``create_uid``...).
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

from .fields import Field

Spec = tuple[str, str, str, str, Any]

_RECORDED = {"res.partner": "fields_res_partner.json", "sale.order": "fields_sale_order.json"}
_HEAD: list[Spec] = [
    ("id", "integer", "ID", "r", None),
    ("display_name", "char", "Display Name", "r", None),
]
_TAIL: list[Spec] = [
    ("create_uid", "many2one", "Created by", "r", "res.users"),
    ("create_date", "datetime", "Created on", "r", None),
    ("write_uid", "many2one", "Last Updated by", "r", "res.users"),
    ("write_date", "datetime", "Last Updated on", "r", None),
]
_POSITION = [["after", "After Amount"], ["before", "Before Amount"]]
_INVOICE_STATUS = [
    ["upselling", "Upselling Opportunity"],
    ["invoiced", "Fully Invoiced"],
    ["to invoice", "To Invoice"],
    ["no", "Nothing to Invoice"],
]

_SMALL: dict[str, list[Spec]] = {
    "ir.model": [
        ("name", "char", "Model Description", "q", None),
        ("model", "char", "Model", "q", None),
        ("order", "char", "Order", "q", None),
        ("info", "text", "Information", "", None),
        ("state", "selection", "Type", "r", [["manual", "Custom Object"], ["base", "Base Object"]]),
        ("access_ids", "one2many", "Access", "", "ir.model.access"),
        ("transient", "boolean", "Transient Model", "", None),
        ("abstract", "boolean", "Abstract Model", "", None),
        ("modules", "char", "In Apps", "r", None),
    ],
    "ir.model.data": [
        ("name", "char", "External Identifier", "q", None),
        ("complete_name", "char", "Complete ID", "r", None),
        ("model", "char", "Model Name", "q", None),
        ("module", "char", "Module", "q", None),
        ("res_id", "many2one_reference", "Record ID", "", None),
        ("noupdate", "boolean", "Non Updatable", "", None),
    ],
    "ir.model.access": [
        ("name", "char", "Name", "q", None),
        ("active", "boolean", "Active", "", None),
        ("model_id", "many2one", "Model", "q", "ir.model"),
        ("group_id", "many2one", "Group", "", "res.groups"),
        ("perm_read", "boolean", "Read Access", "", None),
        ("perm_write", "boolean", "Write Access", "", None),
        ("perm_create", "boolean", "Create Access", "", None),
        ("perm_unlink", "boolean", "Delete Access", "", None),
    ],
    "res.partner.category": [
        ("name", "char", "Tag Name", "q", None),
        ("color", "integer", "Color", "", None),
        ("parent_id", "many2one", "Parent Category", "", "res.partner.category"),
        ("child_ids", "one2many", "Child Tags", "", "res.partner.category"),
        ("active", "boolean", "Active", "", None),
        ("parent_path", "char", "Parent Path", "", None),
        ("partner_ids", "many2many", "Partners", "", "res.partner"),
    ],
    "res.country": [
        ("name", "char", "Country Name", "q", None),
        ("code", "char", "Country Code", "q", None),
        ("address_format", "text", "Layout in Reports", "", None),
        ("currency_id", "many2one", "Currency", "", "res.currency"),
        ("image_url", "char", "Flag", "r", None),
        ("phone_code", "integer", "Country Calling Code", "", None),
        ("state_ids", "one2many", "States", "", "res.country.state"),
        (
            "name_position",
            "selection",
            "Customer Name Position",
            "",
            [["before", "Before Address"], ["after", "After Address"]],
        ),
        ("vat_label", "char", "Vat Label", "", None),
        ("state_required", "boolean", "State Required", "", None),
        ("zip_required", "boolean", "Zip Required", "", None),
    ],
    "res.country.state": [
        ("country_id", "many2one", "Country", "q", "res.country"),
        ("name", "char", "State Name", "q", None),
        ("code", "char", "State Code", "q", None),
    ],
    "res.currency": [
        ("name", "char", "Currency", "q", None),
        ("iso_numeric", "integer", "Currency numeric code.", "", None),
        ("full_name", "char", "Name", "", None),
        ("symbol", "char", "Symbol", "q", None),
        ("rate", "float", "Current Rate", "r", None),
        ("rounding", "float", "Rounding Factor", "", None),
        ("decimal_places", "integer", "Decimal Places", "r", None),
        ("active", "boolean", "Active", "", None),
        ("position", "selection", "Symbol Position", "", _POSITION),
        ("currency_unit_label", "char", "Currency Unit", "", None),
        ("currency_subunit_label", "char", "Currency Subunit", "", None),
    ],
    "res.company": [
        ("name", "char", "Company Name", "q", None),
        ("active", "boolean", "Active", "", None),
        ("sequence", "integer", "Sequence", "", None),
        ("parent_id", "many2one", "Parent Company", "", "res.company"),
        ("child_ids", "one2many", "Branches", "", "res.company"),
        ("partner_id", "many2one", "Partner", "q", "res.partner"),
        ("currency_id", "many2one", "Currency", "q", "res.currency"),
        ("email", "char", "Email", "", None),
        ("phone", "char", "Phone", "", None),
        ("website", "char", "Website Link", "", None),
        ("vat", "char", "Tax ID", "", None),
        ("street", "char", "Street", "", None),
        ("city", "char", "City", "", None),
        ("zip", "char", "Zip", "", None),
        ("state_id", "many2one", "Fed. State", "", "res.country.state"),
        ("country_id", "many2one", "Country", "", "res.country"),
    ],
    "res.users": [
        ("partner_id", "many2one", "Related Partner", "q", "res.partner"),
        ("login", "char", "Login", "q", None),
        ("password", "char", "Password", "", None),
        ("name", "char", "Name", "", None),
        ("email", "char", "Email", "", None),
        ("signature", "html", "Email Signature", "", None),
        ("active", "boolean", "Active", "", None),
        ("share", "boolean", "Share User", "r", None),
        ("company_id", "many2one", "Company", "q", "res.company"),
        ("company_ids", "many2many", "Companies", "", "res.company"),
        ("tz", "selection", "Timezone", "", "@res.partner.tz"),
        ("lang", "selection", "Language", "", "@res.partner.lang"),
        ("login_date", "datetime", "Latest Login", "r", None),
        ("log_ids", "one2many", "User log entries", "", "res.users.log"),
        (
            "notification_type",
            "selection",
            "Notification",
            "q",
            [["email", "Handle by Emails"], ["inbox", "Handle in Odoo"]],
        ),
        ("group_ids", "many2many", "Groups", "", "res.groups"),
        ("all_group_ids", "many2many", "Groups and implied groups", "r", "res.groups"),
    ],
    "res.users.apikeys.description": [
        ("name", "char", "Description", "q", None),
        (
            "duration",
            "selection",
            "Duration",
            "",
            [
                ["1", "1 Day"],
                ["7", "1 Week"],
                ["30", "1 Month"],
                ["90", "3 Months"],
                ["180", "6 Months"],
                ["365", "1 Year"],
                ["0", "Persistent Key"],
            ],
        ),
    ],
    "crm.team": [
        ("name", "char", "Sales Team", "q", None),
        ("sequence", "integer", "Sequence", "", None),
        ("active", "boolean", "Active", "", None),
        ("company_id", "many2one", "Company", "", "res.company"),
        ("user_id", "many2one", "Team Leader", "", "res.users"),
    ],
    "uom.uom": [
        ("name", "char", "Unit Name", "q", None),
        ("active", "boolean", "Active", "", None),
        ("relative_factor", "float", "Contains", "q", None),
        ("rounding", "float", "Rounding Precision", "q", None),
    ],
    "product.category": [
        ("name", "char", "Name", "q", None),
        ("complete_name", "char", "Complete Name", "r", None),
        ("parent_id", "many2one", "Parent Category", "", "product.category"),
        ("child_id", "one2many", "Child Categories", "", "product.category"),
    ],
    "product.template": [
        ("name", "char", "Name", "q", None),
        ("sequence", "integer", "Sequence", "", None),
        ("description", "html", "Description", "", None),
        ("description_sale", "text", "Sales Description", "", None),
        (
            "type",
            "selection",
            "Product Type",
            "q",
            [["consu", "Goods"], ["service", "Service"], ["combo", "Combo"]],
        ),
        ("categ_id", "many2one", "Product Category", "", "product.category"),
        ("currency_id", "many2one", "Currency", "r", "res.currency"),
        ("list_price", "float", "Sales Price", "", None),
        ("standard_price", "float", "Cost", "", None),
        ("sale_ok", "boolean", "Sales", "", None),
        ("purchase_ok", "boolean", "Purchase", "", None),
        ("uom_id", "many2one", "Unit", "q", "uom.uom"),
        ("company_id", "many2one", "Company", "", "res.company"),
        ("active", "boolean", "Active", "", None),
        ("default_code", "char", "Internal Reference", "", None),
        ("barcode", "char", "Barcode", "", None),
        ("product_variant_ids", "one2many", "Products", "", "product.product"),
        ("product_variant_count", "integer", "# Product Variants", "r", None),
    ],
    "product.product": [
        ("product_tmpl_id", "many2one", "Product Template", "q", "product.template"),
        ("name", "char", "Name", "q", None),
        ("default_code", "char", "Internal Reference", "", None),
        ("barcode", "char", "Barcode", "", None),
        ("active", "boolean", "Active", "", None),
        ("description_sale", "text", "Sales Description", "", None),
        (
            "type",
            "selection",
            "Product Type",
            "q",
            [["consu", "Goods"], ["service", "Service"], ["combo", "Combo"]],
        ),
        ("categ_id", "many2one", "Product Category", "", "product.category"),
        ("currency_id", "many2one", "Currency", "r", "res.currency"),
        ("list_price", "float", "Sales Price", "", None),
        ("lst_price", "float", "Sales Price", "r", None),
        ("standard_price", "float", "Cost", "", None),
        ("sale_ok", "boolean", "Sales", "", None),
        ("purchase_ok", "boolean", "Purchase", "", None),
        ("uom_id", "many2one", "Unit", "q", "uom.uom"),
        ("company_id", "many2one", "Company", "", "res.company"),
    ],
    "sale.order.line": [
        ("order_id", "many2one", "Order Reference", "q", "sale.order"),
        ("sequence", "integer", "Sequence", "", None),
        ("company_id", "many2one", "Company", "r", "res.company"),
        ("currency_id", "many2one", "Currency", "r", "res.currency"),
        ("order_partner_id", "many2one", "Customer", "r", "res.partner"),
        ("salesman_id", "many2one", "Salesperson", "r", "res.users"),
        ("state", "selection", "Order Status", "r", "@sale.order.state"),
        (
            "display_type",
            "selection",
            "Display Type",
            "",
            [["line_section", "Section"], ["line_subsection", "Subsection"], ["line_note", "Note"]],
        ),
        ("is_downpayment", "boolean", "Is a down payment", "", None),
        ("product_id", "many2one", "Product", "", "product.product"),
        ("product_template_id", "many2one", "Product Template", "r", "product.template"),
        ("name", "text", "Description", "q", None),
        ("product_uom_qty", "float", "Quantity", "", None),
        ("product_uom_id", "many2one", "Unit", "", "uom.uom"),
        ("price_unit", "float", "Unit Price", "", None),
        ("discount", "float", "Discount (%)", "", None),
        ("tax_ids", "many2many", "Taxes", "", "account.tax"),
        ("price_subtotal", "monetary", "Subtotal", "r", None),
        ("price_tax", "float", "Total Tax", "r", None),
        ("price_total", "monetary", "Total", "r", None),
        ("price_reduce_taxexcl", "monetary", "Price Reduce Tax excl", "r", None),
        ("qty_delivered", "float", "Delivery Quantity", "", None),
        ("analytic_line_ids", "one2many", "Analytic lines", "", "account.analytic.line"),
        ("qty_invoiced", "float", "Invoiced Quantity", "r", None),
        ("qty_to_invoice", "float", "Quantity To Invoice", "r", None),
        ("invoice_status", "selection", "Invoice Status", "r", _INVOICE_STATUS),
        ("customer_lead", "float", "Lead Time", "q", None),
    ],
}


@cache
def _recorded(model: str) -> dict[str, dict[str, Any]]:
    text = (resources.files("odoo_restful.sandbox") / "data" / _RECORDED[model]).read_text("utf-8")
    fields: dict[str, dict[str, Any]] = json.loads(text)["fields"]
    return fields


def _from_attributes(name: str, attrs: dict[str, Any]) -> Field:
    return Field(
        name=name,
        type=attrs["type"],
        string=attrs["string"],
        required=bool(attrs.get("required")),
        readonly=bool(attrs.get("readonly")),
        relation=attrs.get("relation"),
        selection=attrs.get("selection"),
        recorded=dict(attrs),
        help=attrs.get("help"),
    )


def _from_spec(spec: Spec) -> Field:
    name, kind, string, flags, extra = spec
    relation = extra if isinstance(extra, str) and not extra.startswith("@") else None
    selection = extra if isinstance(extra, list) else None
    if isinstance(extra, str) and extra.startswith("@"):
        model, _, fname = extra[1:].rpartition(".")
        selection = _recorded(model)[fname]["selection"]
    return Field(
        name=name,
        type=kind,
        string=string,
        required="q" in flags,
        readonly="r" in flags,
        relation=relation,
        selection=selection,
    )


@cache
def _load(model: str) -> tuple[Field, ...]:
    if model in _RECORDED:
        fields = [_from_attributes(name, attrs) for name, attrs in _recorded(model).items()]
    else:
        fields = [_from_spec(spec) for spec in (*_HEAD, *_SMALL[model], *_TAIL)]
    for fld in fields:
        if fld.name == "active" and fld.type == "boolean":
            fld.default = True
    return tuple(fields)


def load_fields(model: str) -> list[Field]:
    """Fresh copies of ``model``'s field definitions, in Odoo's order."""
    return [replace(fld) for fld in _load(model)]


def models() -> list[str]:
    return [*_RECORDED, *_SMALL]


def register(model: str, specs: list[Spec]) -> None:
    """Describe a model defined in another module, in the compact form of ``_SMALL``."""
    _SMALL[model] = specs
