"""Creating and showing a user's webhook subscriptions (the routes' logic)."""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from .. import params
from ..errors import BadRequest, Conflict, InvalidParameters
from ..params.lists import list_items
from ..tokens.deliveries import Delivery
from ..tokens.subscriptions import Subscription
from . import credential, signing, targets

if TYPE_CHECKING:
    from ..gateway import Gateway
    from ..tokens.service import Identity

EVENTS = ("created", "updated", "deleted")
_KEYS = frozenset({"model", "url", "domain", "fields", "events", "access_token"})


def parse_events(value: Any) -> tuple[str, ...]:
    if value in (None, ""):
        return EVENTS
    items = list_items(value, what="events", max_items=3, max_chars=64, noun="names")
    if not items or any(item not in EVENTS for item in items):
        raise BadRequest(f"events must be some of {', '.join(EVENTS)}")
    return tuple(e for e in EVENTS if e in items)


async def create(gw: Gateway, ident: Identity, body: dict[str, Any]) -> tuple[Subscription, str]:
    """A new subscription of the caller and its signing secret (shown this once).

    Odoo checks it first, as the caller: the fields must exist and one ``search`` with
    the domain must pass (fields, operators, external ids, read rights), so that a
    mistake is a 4xx now rather than a subscription that never delivers."""
    unknown = sorted(set(body) - _KEYS)
    if unknown:
        raise BadRequest(
            f"unknown key(s) {', '.join(map(repr, unknown))}: a subscription takes "
            f"{', '.join(sorted(_KEYS - {'access_token'}))}"
        )
    model = params.parse_model_name(str(body.get("model") or ""))
    ident.scopes.check(model, write=False)
    domain = params.parse_domain(body.get("domain"))
    fields = params.parse_fields(body.get("fields"))
    events = parse_events(body.get("events"))
    url = body.get("url")
    if not isinstance(url, str):
        raise BadRequest("url: the receiver's http(s) URL is required")
    await targets.resolve(url, allow_private=gw.settings.webhook_allow_private)
    known = await gw.fields.get(ident.cred, model)
    if "write_date" not in known:
        raise BadRequest(f"{model} keeps no write_date: its changes cannot be watched")
    strange = [f for f in fields or () if f not in known]
    if strange:
        raise InvalidParameters(f"Invalid field {strange[0]!r} on {model!r}")
    await _try_domain(gw, ident, model, domain)
    sub_id = "wh_" + secrets.token_urlsafe(12)
    secret = signing.new_secret()
    server = gw.tokens.server_secrets
    cred_enc, cred_kind, login = credential.seal(server.current, sub_id, ident.cred)
    sub = Subscription(
        id=sub_id,
        db=ident.cred.db,
        uid=ident.cred.uid,
        model=model,
        domain=domain,
        fields=fields,
        events=events,
        url=url.strip(),
        secret_enc=signing.seal(server.current, sub_id, secret),
        key_id=server.current_key_id,
        active=True,
        created_at=time.time(),
        cred_enc=cred_enc,
        cred_kind=cred_kind,
        login=login,
    )
    cap = gw.settings.webhook_max_per_user
    if not await gw.tokens.store.add_subscription(sub, cap=cap):
        raise Conflict(f"a user may hold at most {cap} webhook subscriptions: delete one first")
    return sub, secret


async def _try_domain(gw: Gateway, ident: Identity, model: str, domain: list[Any]) -> None:
    """One ``search`` (limit 1) as the caller: Odoo refuses a bad domain or a model the
    user may not read with its own 4xx, as the watcher's reads would be refused."""
    resolved = await gw.xmlids.resolve_domain(ident.cred, model, domain)
    await gw.odoo.call(
        ident.cred, model, "search", [resolved], {"limit": 1, "context": {"active_test": False}}
    )


def shown(sub: Subscription) -> dict[str, Any]:
    """A subscription as its user sees it (never the secret)."""
    return {
        "id": sub.id,
        "model": sub.model,
        "domain": sub.domain,
        "fields": sub.fields,
        "events": list(sub.events),
        "url": sub.url,
        "active": sub.active,
        "status": status(sub),
        "created_at": sub.created_at,
    }


def status(sub: Subscription) -> str:
    """``active``, ``paused``, or why the watcher stopped or holds it."""
    if sub.note:
        return sub.note
    return "active" if sub.active else "paused"


def shown_delivery(d: Delivery) -> dict[str, Any]:
    """One delivery as its subscription's user sees it (``next`` pages on ``seq``)."""
    return {
        "id": d.id,
        "seq": d.seq,
        "event": d.event,
        "record_id": d.record_id,
        "status": d.status,
        "attempts": d.attempts,
        "last_status": d.last_status,
        "last_error": d.last_error,
        "created_at": d.created_at,
        "next_attempt_at": d.next_attempt_at if d.status == "pending" else None,
        "delivered_at": d.delivered_at,
    }
