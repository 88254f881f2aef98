"""The Odoo credential a subscription is watched with, sealed for the token store.

A token's own copy of the Odoo secret is encrypted under a key derived from the token
itself, so only a request carrying the token can unlock it; the watcher runs with no
request. A subscription therefore keeps its own copy, encrypted (AES-GCM) under the
server secret and bound to the subscription's id: whoever holds the server secret and
the store can read it, as they could every token's row with the token. It is replaced
whenever its user resumes the subscription, and dropped with it.
"""

from __future__ import annotations

from ..odoo.base import Credential
from ..tokens.crypto import decrypt_secret, encrypt_secret
from ..tokens.subscriptions import Subscription

_PREFIX = "webhook-credential:"


def seal(server_secret: bytes, sub_id: str, cred: Credential) -> tuple[bytes, str, str]:
    """``(sealed secret, kind, login)`` as ``set_subscription_active(cred=...)`` takes."""
    blob = encrypt_secret(_PREFIX + sub_id, server_secret, cred.secret, sub_id.encode())
    return blob, cred.kind, cred.login


def unseal(server_secret: bytes, sub: Subscription) -> Credential | None:
    """The credential of ``sub``; None when it has none (made before deliveries existed)."""
    if sub.cred_enc is None:
        return None
    secret = decrypt_secret(_PREFIX + sub.id, server_secret, sub.cred_enc, sub.id.encode())
    return Credential(sub.db, sub.uid, secret, sub.cred_kind or "password", sub.login)
