"""Loading the seed data (``data/*.json``) into a fresh registry.

The seed is deterministic: every ``Sandbox()`` starts with the same records, with
the ids the recordings use (see ``data/seed.json``), and the id sequences where
the recorded database had them.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from functools import cache
from importlib import resources
from typing import Any

from . import models_ir, profiles
from .crud import defaults
from .orm import BaseModel, Env, Registry

SEED_DATE = "2026-11-27 02:06:43"
ORDER_DATE = "2026-11-27 02:07:35"


@cache
def _json(name: str) -> Any:
    return json.loads((resources.files("odoo_restful.sandbox") / "data" / name).read_text("utf-8"))


def _rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    columns = spec["columns"]
    return [
        {key: value for key, value in zip(columns, row, strict=True) if value is not None}
        for row in spec["rows"]
    ]


def _put(model: BaseModel, vals: dict[str, Any], stamp: str = SEED_DATE) -> None:
    """Insert a seed row as it is (no access check, no undo), with defaults and stamps."""
    rid = vals.pop("id")
    row = {**defaults(model), **vals}
    fields = model.fields()
    for fname, value in (
        ("create_uid", 1),
        ("write_uid", 1),
        ("create_date", stamp),
        ("write_date", stamp),
    ):
        if fname in fields:
            row.setdefault(fname, value)
    for fname, value in row.items():
        if isinstance(value, list):
            row[fname] = list(value)
    model.rows[rid] = row


def load(registry: Registry) -> None:
    env = Env(registry, uid=1, su=True)
    seed = _json("seed.json")
    countries = _json("countries.json")
    for rid, code, name, phone in countries["countries"]:
        _put(env["res.country"], {"id": rid, "code": code, "name": name, "phone_code": phone})
    by_code = {code: rid for rid, code, _name, _phone in countries["countries"]}
    env["res.country"].rows[by_code["US"]]["currency_id"] = 1  # USD
    for rid, country, code, name in countries["states"]:
        _put(
            env["res.country.state"],
            {"id": rid, "country_id": by_code[country], "code": code, "name": name},
        )
    for model in ("res.currency", "res.company", "res.partner.category", "crm.team", "uom.uom"):
        for vals in _rows(seed[model]):
            _put(env[model], vals)
    for vals in _rows(seed["product.category"]):
        _put(env["product.category"], vals)
    for vals in _rows(seed["res.partner"]):
        color = vals.pop("image", None)
        if color:
            vals["image_1920"] = _png(color)
        _put(env["res.partner"], vals)
    for vals in _rows(seed["res.users"]):
        _put(env["res.users"], vals)
    _load_products(env, seed["product"])
    _load_orders(env, seed["sale.order"])
    models_ir.load(env)
    profile = profiles.current()
    for model, cls in registry.models.items():
        # Models defined with their own small seed (report actions) and first ids.
        for vals in getattr(cls, "_seed_rows", ()):
            # written with the 19 field names, stored under this version's
            _put(env[model], {profile.field_name(model, k): v for k, v in vals.items()})
        first_id = getattr(cls, "_first_id", None)
        if first_id:
            registry.store.set_sequence(model, first_id)
    for model, next_id in seed["sequences"].items():
        registry.store.set_sequence(model, next_id)


def _load_products(env: Env, spec: dict[str, Any]) -> None:
    variant_keys = {"id", "default_code", "active", "standard_price"}
    for vals in _rows(spec):
        _put(env["product.template"], dict(vals))
        variant = {key: value for key, value in vals.items() if key in variant_keys}
        _put(env["product.product"], {**variant, "product_tmpl_id": vals["id"]})


def _load_orders(env: Env, spec: dict[str, Any]) -> None:
    products = env["product.product"]
    next_line = 1
    for vals in _rows(spec):
        lines = vals.pop("lines")
        rid = vals["id"]
        partner = vals["partner_id"]
        confirmed = vals["state"] == "sale"
        _put(
            env["sale.order"],
            {
                **vals,
                "name": f"S{rid:05d}",
                "partner_invoice_id": partner,
                "partner_shipping_id": partner,
                "invoice_status": "to invoice" if confirmed else "no",
            },
            ORDER_DATE,
        )
        if rid > 22 and next_line < 60:
            next_line = 60  # lines of the extra orders stay clear of the recorded ids
        for product, quantity, price, discount in lines:
            description = products.value(product, "description_sale")
            name = products.display_name(product)
            line = {
                "id": next_line,
                "order_id": rid,
                "product_id": product,
                "name": f"{name}\n{description}" if description else name,
                "product_uom_qty": float(quantity),
                profiles.current().field_name("sale.order.line", "product_uom_id"): products.value(
                    product, "uom_id"
                ),
                "price_unit": float(
                    price if price is not None else products.value(product, "list_price")
                ),
                "discount": float(discount),
            }
            _put(env["sale.order.line"], line, ORDER_DATE)
            next_line += 1


def placeholder_png(color: str) -> str:
    """A plain generated PNG (base64) in ``color``, e.g. for images that are not there."""
    return _png(color)


@cache
def _png(color: str, size: int = 128) -> str:
    """A small deterministic PNG (a square on a coloured background), base64-encoded."""
    background = bytes.fromhex(color)
    square = bytes(min(255, c + 70) for c in background)
    edge = size // 4
    plain = b"\x00" + background * size
    framed = b"\x00" + background * edge + square * (size - 2 * edge) + background * edge
    raw = b"".join(framed if edge <= y < size - edge else plain for y in range(size))

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
    return base64.b64encode(data + chunk(b"IEND", b"")).decode("ascii")
