"""Sales orders and their lines, with the business methods the recordings call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from . import api, crud
from .errors import UserError, ValidationError
from .models_mail import MailThread
from .orm import BaseModel

_RO = {"store": False}
_QUOTATION_STATES = ("draft", "sent")


class SaleOrder(MailThread, BaseModel):
    _name = "sale.order"
    _description = "Sales Order"
    _order = "date_order desc, id desc"
    #: Computed from the customer and the company in Odoo 19 (recorded default_get).
    _computed_defaults = frozenset({"user_id", "team_id", "validity_date"})
    _field_options = {
        "display_name": _RO,
        "order_line": {"inverse_name": "order_id"},
        "amount_untaxed": _RO,
        "amount_tax": _RO,
        "amount_total": _RO,
        "amount_undiscounted": _RO,
        "amount_to_invoice": _RO,
        "amount_invoiced": _RO,
        "invoice_count": _RO,
        "type_name": _RO,
        "access_url": _RO,
        "is_expired": _RO,
        "country_code": {"related": ("company_id", "country_id", "code")},
        "state": {"default": "draft"},
        "invoice_status": {"default": "no"},
        "company_id": {"default": 1},
        "currency_id": {"default": 1},
        "team_id": {"default": 1},
        "user_id": {"default": lambda model: model.env.uid},
        "date_order": {"default": lambda model: model.env.registry.timestamp()},
        "validity_date": {
            "default": lambda model: (model.env.registry.now() + timedelta(days=30)).strftime(
                "%Y-%m-%d"
            )
        },
        "prepayment_percent": {"default": 1.0},
        "require_signature": {"default": True},
        "terms_type": _RO,
    }

    def _lines(self, rid: int) -> list[int]:
        return list(self.value(rid, "order_line"))

    def _sum_lines(self, rid: int, fname: str) -> float:
        lines = self.env.sudo()["sale.order.line"]
        return round(sum(float(lines.value(line, fname)) for line in self._lines(rid)), 2)

    def _compute_amount_untaxed(self, rid: int) -> float:
        return self._sum_lines(rid, "price_subtotal")

    def _compute_amount_tax(self, rid: int) -> float:
        return self._sum_lines(rid, "price_tax")

    def _compute_amount_total(self, rid: int) -> float:
        return self._sum_lines(rid, "price_total")

    def _compute_amount_undiscounted(self, rid: int) -> float:
        lines = self.env.sudo()["sale.order.line"]
        total = sum(
            float(lines.value(line, "price_unit")) * float(lines.value(line, "product_uom_qty"))
            for line in self._lines(rid)
        )
        return round(total, 2)

    def _compute_amount_to_invoice(self, rid: int) -> float:
        return self._compute_amount_total(rid) if self.value(rid, "state") == "sale" else 0.0

    def _compute_amount_invoiced(self, rid: int) -> float:
        return 0.0

    def _compute_invoice_count(self, rid: int) -> int:
        return 0

    def _compute_type_name(self, rid: int) -> str:
        return "Sales Order" if self.value(rid, "state") == "sale" else "Quotation"

    def _compute_access_url(self, rid: int) -> str:
        return f"/my/orders/{rid}"

    def _compute_is_expired(self, rid: int) -> bool:
        validity = self.value(rid, "validity_date")
        today = self.env.registry.now().strftime("%Y-%m-%d")
        return bool(validity) and self.value(rid, "state") in _QUOTATION_STATES and validity < today

    def _compute_terms_type(self, rid: int) -> str:
        return "plain"

    def _complete_vals(self, vals: dict[str, Any]) -> None:
        partner = vals.get("partner_id")
        if partner:
            vals.setdefault("partner_invoice_id", partner)
            vals.setdefault("partner_shipping_id", partner)

    def _check_insert(self, rid: int, vals: dict[str, Any]) -> None:
        # Odoo takes the name from the "sale.order" sequence, consumed with the id.
        if not vals.get("name") or vals["name"] == "New":
            vals["name"] = f"S{rid:05d}"

    def _constrains(self, rid: int) -> None:
        percent = float(self.value(rid, "prepayment_percent"))
        if not 0 < percent <= 1.0:
            raise ValidationError("Prepayment percentage must be a valid percentage.")

    def _before_unlink(self) -> None:
        for rid in self.ids:
            if self.value(rid, "state") not in ("draft", "cancel"):
                raise UserError(
                    "You can not delete a sent quotation or a confirmed sales order. "
                    "You must first cancel it."
                )

    def _rule_domain(self, operation: str) -> list[Any] | None:
        if self.env.profile == "user":  # Sales / User: Own Documents Only
            return ["|", ("user_id", "=", self.env.uid), ("user_id", "=", False)]
        if self.env.profile != "portal":
            return None
        partners = self.env.sudo()["res.partner"]
        partner = self.env.user.get("partner_id") or 0
        commercial = (
            partners.value(partner, "commercial_partner_id") if partner in partners.rows else 0
        )
        return [("partner_id", "child_of", commercial)]

    # --- business methods ---

    def _set_state(self, state: str, **extra: Any) -> bool:
        return crud.write(self, {"state": state, **extra})

    @api.records
    def action_confirm(self) -> bool:
        self.check_access_operation("write")
        crud.check_existing(self)
        wrong = [rid for rid in self.ids if self.value(rid, "state") not in _QUOTATION_STATES]
        if wrong:
            names = ", ".join(self.display_name(rid) for rid in wrong)
            raise UserError(
                f"The following orders are not in a state requiring confirmation: {names}"
            )
        return self._set_state(
            "sale", date_order=self.env.registry.timestamp(), invoice_status="to invoice"
        )

    @api.records
    def action_quotation_sent(self) -> bool:
        self.check_access_operation("write")
        crud.check_existing(self)
        if any(self.value(rid, "state") != "draft" for rid in self.ids):
            raise UserError("Only draft orders can be marked as sent directly.")
        return self._set_state("sent")

    @api.records
    def action_cancel(self) -> bool:
        self.check_access_operation("write")
        crud.check_existing(self)
        if any(self.value(rid, "locked") for rid in self.ids):
            raise UserError("You cannot cancel a locked order. Please unlock it first.")
        return self._set_state("cancel", invoice_status="no")

    @api.records
    def action_draft(self) -> bool:
        self.check_access_operation("write")
        crud.check_existing(self)
        orders = self.browse(
            [rid for rid in self.ids if self.value(rid, "state") in ("cancel", "sent")]
        )
        if not orders.ids:
            return True
        return orders._set_state("draft", signature=False, signed_by=False, signed_on=False)


class SaleOrderLine(BaseModel):
    _name = "sale.order.line"
    _description = "Sales Order Line"
    _order = "order_id, sequence, id"
    _field_options = {
        "display_name": _RO,
        "order_id": {"ondelete": "cascade"},
        "company_id": {"related": ("order_id", "company_id")},
        "currency_id": {"related": ("order_id", "currency_id")},
        "order_partner_id": {"related": ("order_id", "partner_id")},
        "salesman_id": {"related": ("order_id", "user_id")},
        "state": {"related": ("order_id", "state")},
        "product_template_id": {"related": ("product_id", "product_tmpl_id")},
        "price_subtotal": _RO,
        "price_tax": _RO,
        "price_total": _RO,
        "price_reduce_taxexcl": _RO,
        "qty_to_invoice": _RO,
        "invoice_status": _RO,
        "sequence": {"default": 10},
        "product_uom_qty": {"default": 1.0},
    }

    def _compute_display_name(self, rid: int) -> str:
        order = self.value(rid, "order_id")
        order_name = self.env.sudo()["sale.order"].value(order, "name") if order else ""
        first_line = str(self.value(rid, "name") or "").split("\n")[0]
        return f"{order_name} - {first_line}"

    def _compute_price_reduce_taxexcl(self, rid: int) -> float:
        price = float(self.value(rid, "price_unit"))
        return round(price * (1 - float(self.value(rid, "discount")) / 100), 2)

    def _compute_price_subtotal(self, rid: int) -> float:
        quantity = float(self.value(rid, "product_uom_qty"))
        return round(self._compute_price_reduce_taxexcl(rid) * quantity, 2)

    def _compute_price_tax(self, rid: int) -> float:
        return 0.0

    def _compute_price_total(self, rid: int) -> float:
        return self._compute_price_subtotal(rid) + self._compute_price_tax(rid)

    def _compute_qty_to_invoice(self, rid: int) -> float:
        if self.value(rid, "state") != "sale":
            return 0.0
        return float(self.value(rid, "product_uom_qty")) - float(self.value(rid, "qty_invoiced"))

    def _compute_invoice_status(self, rid: int) -> str:
        return "to invoice" if self._compute_qty_to_invoice(rid) > 0 else "no"

    def _complete_vals(self, vals: dict[str, Any]) -> None:
        product = vals.get("product_id")
        products = self.env.sudo()["product.product"]
        if not product or product not in products.rows:
            return
        if not vals.get("name"):
            description = products.value(product, "description_sale")
            name = products.display_name(product)
            vals["name"] = f"{name}\n{description}" if description else name
        if "price_unit" not in vals:
            vals["price_unit"] = float(products.value(product, "lst_price"))
        if not vals.get("product_uom_id"):
            vals["product_uom_id"] = products.value(product, "uom_id")

    def _before_unlink(self) -> None:
        orders = self.env.sudo()["sale.order"]
        for rid in self.ids:
            order = self.value(rid, "order_id")
            if order and orders.value(order, "state") == "sale":
                raise UserError(
                    "Once a sales order is confirmed, you can't remove one of its lines (we need "
                    "to track if something gets invoiced or delivered).\n"
                    "Set the quantity to 0 instead."
                )

    def _rule_domain(self, operation: str) -> list[Any] | None:
        orders = self.env["sale.order"]
        rule = orders._rule_domain(operation)
        if rule is None:
            return None
        allowed = sorted(rid for rid in orders.sudo().search_ids(rule) if rid in orders.rows)
        return [("order_id", "in", allowed)]
