"""Signing a user in: check the credentials with Odoo, gather the user's facts, issue
a token. One home for the token route and the ``tokens create`` command."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from . import params
from .errors import BadRequest, OdooError
from .odoo.base import Credential, OdooClient
from .odoo.router import ProtocolRouter
from .tokens.service import TokenService
from .tokens.store import Scopes


@dataclass(frozen=True, slots=True)
class Issued:
    token: str
    expires_in: int
    facts: dict[str, Any]

    def body(self) -> dict[str, Any]:
        return {
            "access_token": self.token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            **self.facts,
        }


async def sign_in(
    odoo: ProtocolRouter,
    tokens: TokenService,
    *,
    db: str,
    login: str,
    secret: str,
    scopes: Scopes | None = None,
    keep_password: bool = True,
) -> Issued:
    cred = await odoo.sign_in(db, login, secret, keep_password=keep_password)
    facts = await user_facts(odoo, cred)
    token, expires_in = await tokens.issue(cred, login=login, user_info=facts, scopes=scopes)
    return Issued(token, expires_in, facts)


def _names(value: Any, what: str, check: Any) -> tuple[str, ...] | None:
    if value is None or value == "":
        return None
    items: Iterable[Any]
    if isinstance(value, str) and not value.lstrip().startswith("["):
        items = [p.strip() for p in value.split(",") if p.strip()]
    else:
        parsed = params.parse_literal(value, what=what) if isinstance(value, str) else value
        if not isinstance(parsed, list):
            raise BadRequest(f"'{what}' must be a list of names")
        items = parsed
    names = []
    for item in items:
        if not isinstance(item, str):
            raise BadRequest(f"'{what}' must be a list of names")
        check(item)
        names.append(item)
    if len(names) > 1000:
        raise BadRequest(f"'{what}' may name at most 1000 entries")
    return tuple(dict.fromkeys(names))


def _method(name: str) -> None:
    params.check_method_name(name, deny=(), allow=None)


def parse_scopes(values: dict[str, Any]) -> Scopes:
    """Scopes asked for at issue time: ``read_only``, ``models`` and ``methods``."""
    read_only = values.get("read_only", False)
    if isinstance(read_only, str):
        if read_only.lower() not in ("", "0", "1", "true", "false", "yes", "no"):
            raise BadRequest("'read_only' must be true or false")
        read_only = read_only.lower() in ("1", "true", "yes")
    if not isinstance(read_only, bool):
        raise BadRequest("'read_only' must be true or false")
    return Scopes(
        read_only=read_only,
        models=_names(values.get("models"), "models", params.parse_model_name),
        methods=_names(values.get("methods"), "methods", _method),
    )


def narrower(asked: Scopes, held: Scopes) -> Scopes:
    """``asked`` limited to what ``held`` allows: scopes are never widened."""

    def meet(a: tuple[str, ...] | None, h: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if h is None:
            return a
        if a is None:
            return h
        return tuple(n for n in a if n in h)

    return Scopes(
        read_only=asked.read_only or held.read_only,
        models=meet(asked.models, held.models),
        methods=meet(asked.methods, held.methods),
    )


async def user_facts(odoo: OdooClient, cred: Credential) -> dict[str, Any]:
    """What the seed module returned about the user, read as that user.

    The extras (country, currency, address) are best-effort: a portal user may not
    read its company, and older Odoo versions may lack a field.
    """
    user_fields = ["name", "login", "partner_id", "company_id", "company_ids", "tz", "lang"]
    users, context = await asyncio.gather(
        odoo.call(cred, "res.users", "read", [[cred.uid], user_fields], {}),
        odoo.call(cred, "res.users", "context_get", [], {}),
    )
    user = users[0] if users else {}
    partner_id = _m2o_id(user.get("partner_id"))
    company_id = _m2o_id(user.get("company_id"))
    facts: dict[str, Any] = {
        "uid": cred.uid,
        "user_context": context if isinstance(context, dict) else {},
        "company_id": company_id,
        "company_ids": user.get("company_ids") or [],
        "partner_id": partner_id,
        "name": user.get("name") or None,
        "login": user.get("login") or None,
        "company_name": _m2o_name(user.get("company_id")),
    }
    partner, company = await asyncio.gather(
        _best_effort(odoo, cred, "res.partner", partner_id, ["country_id", "contact_address"]),
        _best_effort(odoo, cred, "res.company", company_id, ["currency_id"]),
    )
    facts["country"] = _m2o_name(partner.get("country_id"))
    facts["contact_address"] = partner.get("contact_address") or None
    facts["currency"] = _m2o_name(company.get("currency_id"))
    return facts


async def _best_effort(
    odoo: OdooClient, cred: Credential, model: str, rid: int | None, fields: list[str]
) -> dict[str, Any]:
    if not rid:
        return {}
    try:
        rows = await odoo.call(cred, model, "read", [[rid], fields], {})
    except OdooError:  # no right, or a field an older Odoo lacks
        return {}
    return rows[0] if rows and isinstance(rows[0], dict) else {}


def _m2o_id(value: Any) -> int | None:
    return value[0] if isinstance(value, list) and value else None


def _m2o_name(value: Any) -> str | None:
    return value[1] if isinstance(value, list) and len(value) > 1 else None
