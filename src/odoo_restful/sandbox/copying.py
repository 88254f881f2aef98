"""``copy(default=None)``: duplicate records, answering the list of new ids (Odoo 19).

What is copied follows Odoo's defaults: stored values and many2many links, not
one2many lines (except a sales order's lines, which Odoo copies), nor the magic
fields. Per-model adjustments: a partner's name gets `` (copy)``; a sales order
gets a fresh number and starts again as a quotation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import crud
from .fields import MISSING

if TYPE_CHECKING:
    from .orm import BaseModel

_MAGIC = frozenset({"id", "display_name", "create_uid", "create_date", "write_uid", "write_date"})
_NOT_COPIED: dict[str, frozenset[str]] = {
    "res.partner": frozenset({"user_ids", "signup_type"}),
    "sale.order": frozenset({"name", "state", "signature", "signed_by", "signed_on"}),
    "res.users": frozenset({"login", "partner_id"}),
}


def _partner(model: BaseModel, rid: int, vals: dict[str, Any]) -> None:
    name = model.value(rid, "name")
    if name:
        vals["name"] = f"{name} (copy)"


def _sale_order(model: BaseModel, rid: int, vals: dict[str, Any]) -> None:
    lines = model.env["sale.order.line"]
    keep = ("product_id", "name", "product_uom_qty", "product_uom_id", "price_unit", "discount")
    vals["order_line"] = [
        (0, 0, {fname: lines.value(line, fname) for fname in keep if fname in lines.fields()})
        for line in model.value(rid, "order_line")
    ]


_ADJUST: dict[str, Callable[[BaseModel, int, dict[str, Any]], None]] = {
    "res.partner": _partner,
    "sale.order": _sale_order,
}


def copy_values(model: BaseModel, rid: int) -> dict[str, Any]:
    skipped = _MAGIC | _NOT_COPIED.get(model._name, frozenset())
    vals: dict[str, Any] = {}
    row = model.rows[rid]
    for fname, fld in model.fields().items():
        if fname in skipped or not fld.store or fld.related or fld.type == "one2many":
            continue
        if fld.m2m_of:
            continue
        value = row.get(fname, MISSING)
        if value is MISSING:
            continue
        vals[fname] = [(6, 0, list(value))] if fld.type == "many2many" else value
    adjust = _ADJUST.get(model._name)
    if adjust is not None:
        adjust(model, rid, vals)
    return vals


def copy(model: BaseModel, default: Any = None) -> list[int]:
    if default is not None and not isinstance(default, dict):
        raise TypeError(f"default must be a dict, not {type(default).__name__}")
    model.check_access_operation("read")
    crud.check_existing(model)
    model.check_rules("read")
    vals_list = [{**copy_values(model, rid), **(default or {})} for rid in model.ids]
    return crud.create(model, vals_list)
