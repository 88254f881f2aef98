"""``onchange(values, field_names, fields_spec)`` (Odoo 17+ signature), kept minimal.

The answer is ``{"value": {...}}`` with only the fields of ``fields_spec`` whose
value the change modified, formatted like ``web_read``. With no ``field_names``
(a new form) the defaults are returned. The business rules are a small table:
changing a sales order's customer sets its invoice and delivery addresses, its
salesperson and, when the customer has them, its payment terms and fiscal
position (what the recording shows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import crud
from .fields import to_cache
from .web_read import format_value

if TYPE_CHECKING:
    from .orm import BaseModel

Rule = Callable[["BaseModel", dict[str, Any]], dict[str, Any]]


def _address(partners: BaseModel, partner: int, kind: str) -> int:
    """The child contact of type ``kind`` of ``partner`` (the partner itself if none)."""
    for child in partners.value(partner, "child_ids"):
        if partners.value(child, "type") == kind:
            return int(child)
    return partner


def _sale_order_partner(model: BaseModel, values: dict[str, Any]) -> dict[str, Any]:
    partner = values.get("partner_id")
    partners = model.env.sudo()["res.partner"]
    if not partner or partner not in partners.rows:
        return {"partner_invoice_id": False, "partner_shipping_id": False}
    changes: dict[str, Any] = {
        "partner_invoice_id": _address(partners, partner, "invoice"),
        "partner_shipping_id": _address(partners, partner, "delivery"),
        "user_id": partners.value(partner, "user_id") or model.env.uid,
    }
    for source, target in (
        ("property_payment_term_id", "payment_term_id"),
        ("property_account_position_id", "fiscal_position_id"),
    ):
        if source in partners.fields() and partners.value(partner, source):
            changes[target] = partners.value(partner, source)
    return changes


RULES: dict[tuple[str, str], Rule] = {("sale.order", "partner_id"): _sale_order_partner}


def onchange(model: BaseModel, values: Any, field_names: Any, fields_spec: Any) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise TypeError(f"values must be a dict, not {type(values).__name__}")
    if not isinstance(fields_spec, dict):
        raise TypeError(f"fields_spec must be a dict, not {type(fields_spec).__name__}")
    names = [field_names] if isinstance(field_names, str) else list(field_names or [])
    fields = model.fields()
    for fname in [*values, *names, *fields_spec]:
        if fname not in fields:
            raise ValueError(f"Invalid field {fname!r} on model {model._name!r}")
    model.check_access_operation("read")
    current = {
        fname: to_cache(fields[fname], model._name, value)
        for fname, value in values.items()
        if fields[fname].type not in ("one2many", "many2many")
    }
    if not names:
        changes = {
            key: value
            for key, value in crud.defaults(model, list(fields_spec)).items()
            if key not in values
        }
    else:
        changes = {}
        for fname in names:
            rule = RULES.get((model._name, fname))
            if rule is not None:
                changes.update(rule(model, {**current, **changes}))
    result: dict[str, Any] = {}
    for fname, value in changes.items():
        if fname not in fields_spec or (fname in current and current[fname] == value):
            continue
        sub = fields_spec[fname] if isinstance(fields_spec[fname], dict) else {}
        result[fname] = format_value(model, fields[fname], value, sub)
    return {"value": result}
