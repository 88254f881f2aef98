"""Signing a user in: check the credentials with Odoo, gather the user's facts, issue
a token. One home for the token route and the ``tokens create`` command."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import BadRequest, DatabaseNotAllowed, InvalidCredentials, OdooError
from .odoo.base import Credential, OdooClient
from .scopes import Scopes

if TYPE_CHECKING:
    from .gateway import Gateway


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


# Odoo's own rule for database names (it refuses others at creation).
_DB_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}", re.ASCII)


async def issue_token(
    gw: Gateway,
    *,
    db: str,
    login: str,
    secret: str,
    scopes: Scopes | None = None,
    client: str = "-",
) -> Issued:
    """The one sign-in policy, for the token route and ``tokens create`` alike.

    The database name and allow-list are checked before Odoo is called; the attempt
    is counted against the login guard before Odoo checks the password (and
    forgiven when it succeeds); ``--web-session-only`` keeps no password.
    """
    if not _DB_NAME.fullmatch(db):
        raise BadRequest("'db' is not a valid Odoo database name")
    if gw.settings.databases and db not in gw.settings.databases:
        raise DatabaseNotAllowed(f"database {db!r} is not served by this gateway")
    forgive = await gw.logins.reserve(client, login)
    try:
        cred = await gw.odoo.sign_in(
            db, login, secret, keep_password=not gw.settings.web_session_only
        )
    except InvalidCredentials:
        raise  # the reservation stays: it was a failed attempt
    except Exception:
        await forgive()  # Odoo unreachable, unknown database...: not a guess at a password
        raise
    await forgive()
    facts = await user_facts(gw.odoo, cred)
    token, expires_in = await gw.tokens.issue(cred, login=login, user_info=facts, scopes=scopes)
    return Issued(token, expires_in, facts)


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
