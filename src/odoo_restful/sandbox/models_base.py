"""Contacts, users, companies, reference data and products."""

from __future__ import annotations

import secrets
from typing import Any

from . import api, groups, profiles
from .errors import SqlConstraintError, UserError, ValidationError
from .fields import to_cache
from .models_mail import MailThread
from .orm import BaseModel

_RO = {"store": False}


def _recursion(model: BaseModel, rid: int, parent: str) -> bool:
    """Whether following ``parent`` from ``rid`` comes back to ``rid``."""
    seen = {rid}
    current = model.value(rid, parent)
    while current:
        if current in seen:
            return True
        seen.add(current)
        current = model.value(current, parent) if current in model.rows else False
    return False


class ResPartner(MailThread, BaseModel):
    _name = "res.partner"
    _description = "Contact"
    _order = "complete_name, id desc"
    _rec_name = "complete_name"
    _rec_names_search = ("complete_name", "email", "ref", "vat", "company_registry")
    _parent_name = "parent_id"
    _image_sizes = ("image_1024", "image_512", "image_256", "image_128")
    _avatar_sizes = ("avatar_1920", "avatar_1024", "avatar_512", "avatar_256", "avatar_128")
    _field_options = {
        "display_name": _RO,
        "complete_name": _RO,
        "child_ids": {"inverse_name": "parent_id"},
        "user_ids": {"inverse_name": "partner_id"},
        "sale_order_ids": {"inverse_name": "partner_id"},
        "company_type": {**_RO, "default": "person"},
        "commercial_partner_id": _RO,
        "commercial_company_name": _RO,
        "parent_name": {"related": ("parent_id", "name")},
        "country_code": {"related": ("country_id", "code")},
        "email_normalized": _RO,
        "email_formatted": _RO,
        "contact_address": _RO,
        "contact_address_inline": _RO,
        "type_address_label": _RO,
        "self": _RO,
        "partner_share": _RO,
        "main_user_id": _RO,
        "is_public": _RO,
        "tz_offset": _RO,
        "active_lang_count": _RO,
        "sale_order_count": _RO,
        **{size: _RO for size in (*_image_sizes, *_avatar_sizes)},
        "type": {"default": "contact"},
        "lang": {"default": "en_US"},
        "autopost_bills": {"default": "ask"},
        "trust": {"default": "normal"},
    }

    def _rewrite_vals(self, vals: dict[str, Any]) -> dict[str, Any]:
        if "company_type" in vals:
            kind = to_cache(self.fields()["company_type"], self._name, vals.pop("company_type"))
            vals.setdefault("is_company", kind == "company")
        return vals

    def _compute_display_name(self, rid: int) -> str:
        return str(self.value(rid, "complete_name"))

    def _compute_complete_name(self, rid: int) -> str:
        name = self.value(rid, "name") or ""
        kind = self.value(rid, "type")
        parent = self.value(rid, "parent_id")
        if parent:
            if not name and kind in ("invoice", "delivery", "other"):
                name = dict(self.fields()["type"].selection or [])[kind]
            if not self.value(rid, "is_company"):
                company = self.value(rid, "commercial_company_name") or self.value(parent, "name")
                name = f"{company}, {name}"
        return str(name).strip()

    def _compute_company_type(self, rid: int) -> str:
        return "company" if self.value(rid, "is_company") else "person"

    def _compute_commercial_partner_id(self, rid: int) -> int:
        current = rid
        while not self.value(current, "is_company") and self.value(current, "parent_id"):
            current = self.value(current, "parent_id")
        return current

    def _compute_commercial_company_name(self, rid: int) -> str | bool:
        commercial = self.value(rid, "commercial_partner_id")
        if self.value(commercial, "is_company"):
            return str(self.value(commercial, "name") or "") or False
        return self.value(rid, "company_name") or False

    def _compute_email_normalized(self, rid: int) -> str | bool:
        email = self.value(rid, "email")
        return str(email).strip().lower() if email else False

    def _compute_email_formatted(self, rid: int) -> str | bool:
        email = self.value(rid, "email")
        return f'"{self.value(rid, "name") or ""}" <{email}>' if email else False

    def _address_parts(self, rid: int) -> list[str]:
        parts = [self.value(rid, f) for f in ("street", "street2", "city", "zip")]
        state, country = self.value(rid, "state_id"), self.value(rid, "country_id")
        if state:
            parts.append(self.env.sudo()["res.country.state"].value(state, "name"))
        if country:
            parts.append(self.env.sudo()["res.country"].value(country, "name"))
        return [str(p) for p in parts if p]

    def _compute_contact_address(self, rid: int) -> str:
        return "\n".join([str(self.value(rid, "name") or ""), *self._address_parts(rid)])

    def _compute_contact_address_inline(self, rid: int) -> str:
        return ", ".join(self._address_parts(rid))

    def _compute_type_address_label(self, rid: int) -> str:
        kind = self.value(rid, "type") or "contact"
        return f"{dict(self.fields()['type'].selection or []).get(kind, '')} Address"

    def _compute_self(self, rid: int) -> int:
        return rid

    def _compute_partner_share(self, rid: int) -> bool:
        users = self.env.sudo()["res.users"]
        internal = [u for u in self.value(rid, "user_ids") if not users.value(u, "share")]
        return not internal

    def _compute_main_user_id(self, rid: int) -> int | bool:
        users = self.value(rid, "user_ids")
        return users[0] if users else False

    def _compute_is_public(self, rid: int) -> bool:
        return False

    def _compute_tz_offset(self, rid: int) -> str:
        return "+0000"

    def _compute_active_lang_count(self, rid: int) -> int:
        return 1

    def _compute_sale_order_count(self, rid: int) -> int:
        return len(self.value(rid, "sale_order_ids"))

    def _image(self, rid: int) -> Any:
        return self.value(rid, "image_1920")

    _compute_image_1024 = _compute_image_512 = _compute_image_256 = _compute_image_128 = _image
    _compute_avatar_1920 = _compute_avatar_1024 = _compute_avatar_512 = _image
    _compute_avatar_256 = _compute_avatar_128 = _image

    def _check_insert(self, rid: int, vals: dict[str, Any]) -> None:
        if vals.get("type", "contact") == "contact" and not vals.get("name"):
            raise SqlConstraintError("The operation cannot be completed: Contacts require a name")

    def _constrains(self, rid: int) -> None:
        if self.value(rid, "type") == "contact" and not self.value(rid, "name"):
            raise SqlConstraintError("The operation cannot be completed: Contacts require a name")
        if _recursion(self, rid, "parent_id"):
            raise ValidationError("You cannot create recursive Partner hierarchies.")

    def _after_write(self, vals: dict[str, Any]) -> None:
        """A company's write also moves its contacts' write_date (recorded: Odoo syncs them)."""
        parents = set(self.ids)
        children = [
            cid
            for cid, row in self.rows.items()
            if row.get("parent_id") in parents and cid not in parents and row.get("active", True)
        ]
        stamp = {"write_uid": self.env.uid, "write_date": self.env.registry.timestamp()}
        for child in children:
            for fname, value in stamp.items():
                self.store.set(self._name, child, fname, value)

    def _rule_domain(self, operation: str) -> list[Any] | None:
        if self.env.profile != "portal":
            return None
        partner = self.env.user.get("partner_id") or 0
        sudo = self.sudo()
        allowed = {partner}
        if partner in self.rows:
            allowed.add(sudo.value(partner, "commercial_partner_id"))
        company = self.env.user.get("company_id")
        if company:
            allowed.add(self.env.sudo()["res.company"].value(company, "partner_id"))
        return [("id", "in", sorted(allowed))]


class ResPartnerCategory(BaseModel):
    _name = "res.partner.category"
    _description = "Contact Tag"
    _order = "name"
    _parent_name = "parent_id"
    _field_options = {
        "display_name": _RO,
        "parent_path": _RO,
        "child_ids": {"inverse_name": "parent_id"},
        "partner_ids": {"m2m_of": ("res.partner", "category_id")},
        "parent_id": {"ondelete": "cascade"},
    }

    def _chain(self, rid: int) -> list[int]:
        chain = [rid]
        parent = self.value(rid, "parent_id")
        while parent and parent not in chain:
            chain.insert(0, parent)
            parent = self.value(parent, "parent_id")
        return chain

    def _compute_display_name(self, rid: int) -> str:
        return " / ".join(str(self.value(i, "name") or "") for i in self._chain(rid))

    def _compute_parent_path(self, rid: int) -> str:
        return "".join(f"{i}/" for i in self._chain(rid))

    def _constrains(self, rid: int) -> None:
        if _recursion(self, rid, "parent_id"):
            raise ValidationError("You can not create recursive tags.")


class ResCountry(BaseModel):
    _name = "res.country"
    _description = "Country"
    _order = "name"
    _field_options = {
        "display_name": _RO,
        "image_url": _RO,
        "state_ids": {"inverse_name": "country_id"},
        "name_position": {"default": "before"},
    }

    def _compute_image_url(self, rid: int) -> str:
        return f"/base/static/img/country_flags/{str(self.value(rid, 'code')).lower()}.png"

    def _constrains(self, rid: int) -> None:
        code = self.value(rid, "code")
        if any(self.value(other, "code") == code for other in self.rows if other != rid):
            raise ValidationError("The code of the country must be unique!")


class ResCountryState(BaseModel):
    _name = "res.country.state"
    _description = "Country state"
    _order = "country_id, name"
    _field_options = {"display_name": _RO, "country_id": {"ondelete": "cascade"}}

    def _compute_display_name(self, rid: int) -> str:
        country = self.value(rid, "country_id")
        code = self.env.sudo()["res.country"].value(country, "code") if country else ""
        return f"{self.value(rid, 'name')} ({code})"


class ResCurrency(BaseModel):
    _name = "res.currency"
    _description = "Currency"
    _order = "active desc, name"
    _field_options = {
        "display_name": _RO,
        "rate": {"default": 1.0},
        "rounding": {"default": 0.01},
        "decimal_places": _RO,
        "position": {"default": "after"},
    }

    def _compute_decimal_places(self, rid: int) -> int:
        rounding = float(self.value(rid, "rounding") or 0.01)
        return max(0, len(f"{rounding:.10f}".rstrip("0").split(".")[1]))


class ResCompany(BaseModel):
    _name = "res.company"
    _description = "Companies"
    _order = "sequence, name"
    _parent_name = "parent_id"
    _field_options = {
        "display_name": _RO,
        "child_ids": {"inverse_name": "parent_id"},
        "currency_id": {"default": 1},
        "sequence": {"default": 10},
    }


class ResUsers(BaseModel):
    _name = "res.users"
    _description = "User"
    _order = "name, login"
    _field_options = {
        "display_name": _RO,
        "name": {"related": ("partner_id", "name")},
        "email": {"related": ("partner_id", "email")},
        "share": _RO,
        "partner_id": {"ondelete": "restrict"},
        "company_id": {"default": 1},
        "company_ids": {"default": [1]},
        "lang": {"default": "en_US"},
        "notification_type": {"default": "email"},
        # the user's profile decides its rights (see access.py): its groups follow it
        "group_ids": {"store": False, "readonly": True},
        "all_group_ids": {"store": False},
    }

    def value(self, rid: int, fname: str) -> Any:
        if fname == "password":
            return ""  # stored, never read back
        return super().value(rid, fname)

    def _compute_share(self, rid: int) -> bool:
        return self.rows[rid].get("_profile") == "portal"

    def _compute_group_ids(self, rid: int) -> list[int]:
        """The groups given (19), or with the implied ones too (16's ``groups_id``)."""
        implied = profiles.current().user_groups_implied
        return groups.user_group_ids(self._profile_of(rid), implied=implied)

    _compute_groups_id = _compute_group_ids  # Odoo 16's name of the field

    def _compute_all_group_ids(self, rid: int) -> list[int]:
        return groups.user_group_ids(self._profile_of(rid), implied=True)

    def _profile_of(self, rid: int) -> str:
        return str(self.rows[rid].get("_profile", "system" if rid == 1 else "nosales"))

    def _before_insert(self, vals: dict[str, Any], related: dict[str, Any]) -> None:
        if vals.get("partner_id"):
            return
        partner_vals: dict[str, Any] = {
            key: related.pop(key) for key in ("name", "email") if key in related
        }
        partner_vals.setdefault("name", False)
        partner_vals["company_id"] = vals.get("company_id") or False
        (vals["partner_id"],) = self.env.sudo()["res.partner"].create([partner_vals])

    def _check_insert(self, rid: int, vals: dict[str, Any]) -> None:
        if any(row.get("login") == vals.get("login") for row in self.rows.values()):
            raise SqlConstraintError(profiles.current().unique_login_text)
        vals.setdefault("_profile", "user")
        vals["_api_keys"] = []

    def _after_write(self, vals: dict[str, Any]) -> None:
        for rid in self.ids:
            login = self.rows[rid].get("login")
            if any(r.get("login") == login for o, r in self.rows.items() if o != rid):
                raise SqlConstraintError(profiles.current().unique_login_text)

    def _rule_domain(self, operation: str) -> list[Any] | None:
        if self.env.profile == "portal":
            return [("id", "=", self.env.uid)]
        return None

    @api.model
    def context_get(self) -> dict[str, Any]:
        user = self.env.user
        return {
            "lang": user.get("lang") or "en_US",
            "tz": user.get("tz") or False,
            "uid": self.env.uid,
        }


class ApiKeyDescription(BaseModel):
    _name = "res.users.apikeys.description"
    _description = "API Key Description"
    _field_options = {"display_name": _RO, "duration": {"default": "0"}}

    @api.records
    def make_key(self) -> dict[str, Any]:
        if not self.env.http_session:
            raise UserError("This method can only be accessed over HTTP")
        key = secrets.token_hex(20)
        users = self.env.sudo()["res.users"]
        keys = list(users.rows[self.env.uid].get("_api_keys", []))
        users.store.set("res.users", self.env.uid, "_api_keys", [*keys, key])
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.users.apikeys.show",
            "name": "API Key Ready",
            "views": [[False, "form"]],
            "target": "new",
            "context": {"default_key": key},
        }


class CrmTeam(BaseModel):
    _name = "crm.team"
    _description = "Sales Team"
    _order = "sequence, name"
    _field_options = {"display_name": _RO}


class UomUom(BaseModel):
    _name = "uom.uom"
    _description = "Product Unit of Measure"
    _field_options = {
        "display_name": _RO,
        "relative_factor": {"default": 1.0},
        "rounding": {"default": 0.01},
    }


class ProductCategory(BaseModel):
    _name = "product.category"
    _description = "Product Category"
    _order = "complete_name"
    _rec_name = "complete_name"
    _parent_name = "parent_id"
    _field_options = {
        "display_name": _RO,
        "complete_name": _RO,
        "child_id": {"inverse_name": "parent_id"},
        "parent_id": {"ondelete": "cascade"},
    }

    def _compute_complete_name(self, rid: int) -> str:
        parent = self.value(rid, "parent_id")
        name = str(self.value(rid, "name") or "")
        return f"{self.value(parent, 'complete_name')} / {name}" if parent else name

    def _constrains(self, rid: int) -> None:
        if _recursion(self, rid, "parent_id"):
            raise ValidationError("You cannot create recursive categories.")


def _product_name(model: BaseModel, rid: int) -> str:
    code = model.value(rid, "default_code")
    name = model.value(rid, "name") or ""
    return f"[{code}] {name}" if code else str(name)


class ProductTemplate(BaseModel):
    _name = "product.template"
    _description = "Product"
    _order = "name, id"
    _field_options = {
        "display_name": _RO,
        "product_variant_ids": {"inverse_name": "product_tmpl_id"},
        "product_variant_count": _RO,
        "type": {"default": "consu"},
        "sale_ok": {"default": True},
        "purchase_ok": {"default": True},
        "list_price": {"default": 1.0},
        "uom_id": {"default": 1},
        "currency_id": {"default": 1},
        "categ_id": {"default": 1},
    }

    def _compute_display_name(self, rid: int) -> str:
        return _product_name(self, rid)

    def _compute_product_variant_count(self, rid: int) -> int:
        return len(self.value(rid, "product_variant_ids"))

    def _after_create(self, rid: int) -> None:
        if not self.env.context.get("create_product_product", True):
            return
        code = self.value(rid, "default_code") or False
        self.env.sudo()["product.product"].with_env(
            self.env.sudo().with_context(create_product_product=False)
        ).create([{"product_tmpl_id": rid, "default_code": code}])


class ProductProduct(BaseModel):
    _name = "product.product"
    _description = "Product Variant"
    _order = "default_code, name, id"
    _field_options = {
        "display_name": _RO,
        "lst_price": _RO,
        "product_tmpl_id": {"ondelete": "cascade"},
        **{
            name: {"related": ("product_tmpl_id", name)}
            for name in (
                "name",
                "description_sale",
                "type",
                "categ_id",
                "currency_id",
                "list_price",
                "sale_ok",
                "purchase_ok",
                "uom_id",
                "company_id",
            )
        },
    }

    def _compute_display_name(self, rid: int) -> str:
        return _product_name(self, rid)

    def _compute_lst_price(self, rid: int) -> float:
        return float(self.value(rid, "list_price") or 0.0)

    def _before_insert(self, vals: dict[str, Any], related: dict[str, Any]) -> None:
        if vals.get("product_tmpl_id"):
            return
        template = self.env["product.template"].with_env(
            self.env.with_context(create_product_product=False)
        )
        template_vals = {**related, "default_code": vals.get("default_code") or False}
        (vals["product_tmpl_id"],) = template.create([template_vals])
        related.clear()
