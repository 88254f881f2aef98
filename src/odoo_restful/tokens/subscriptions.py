"""Webhook subscriptions as the token store keeps them (both back ends share these).

The signing secret is stored encrypted (``crypto.encrypt_secret``) under the server
secret named by ``key_id``, never in clear; it is shown to its user once. So is the
Odoo credential the watcher reads with (``cred_enc``): a token's own copy of it can only
be unlocked with the token, which a background watcher does not have.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["SUB_COLUMNS", "Subscription", "subscription_from_row", "subscription_to_row"]

SUB_COLUMNS = (
    "id, db, uid, model, domain, fields, events, url, secret_enc, key_id, active, created_at, "
    "cred_enc, cred_kind, login, note"
)


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    db: str
    uid: int
    model: str
    domain: list[Any]
    fields: list[str] | None
    events: tuple[str, ...]
    url: str
    secret_enc: bytes
    key_id: str
    active: bool
    created_at: float
    cred_enc: bytes | None = None  # the Odoo secret, sealed like secret_enc
    cred_kind: str = ""  # password / api_key / session
    login: str = ""
    note: str = ""  # why the watcher stopped or holds it ('' when all is well)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def subscription_to_row(sub: Subscription) -> tuple[Any, ...]:
    """Column values in ``SUB_COLUMNS`` order (JSON as text)."""
    return (
        sub.id,
        sub.db,
        sub.uid,
        sub.model,
        _json(sub.domain),
        None if sub.fields is None else _json(sub.fields),
        _json(list(sub.events)),
        sub.url,
        sub.secret_enc,
        sub.key_id,
        sub.active,
        sub.created_at,
        sub.cred_enc,
        sub.cred_kind,
        sub.login,
        sub.note,
    )


def subscription_from_row(row: Sequence[Any]) -> Subscription:
    return Subscription(
        id=row[0],
        db=row[1],
        uid=int(row[2]),
        model=row[3],
        domain=json.loads(row[4]),
        fields=None if row[5] is None else json.loads(row[5]),
        events=tuple(json.loads(row[6])),
        url=row[7],
        secret_enc=bytes(row[8]),
        key_id=row[9],
        active=bool(row[10]),
        created_at=float(row[11]),
        cred_enc=None if row[12] is None else bytes(row[12]),
        cred_kind=row[13],
        login=row[14],
        note=row[15],
    )
