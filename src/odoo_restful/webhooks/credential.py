"""The Odoo credential a subscription is watched with, sealed for the token store.

A token's own copy of the Odoo secret is encrypted under a key derived from the token
itself, so only a request carrying the token can unlock it; the watcher runs with no
request. A subscription therefore keeps its own copy, encrypted (AES-GCM) under the
server secret and bound to the subscription's id: whoever holds the server secret and
the store can read it, as they could every token's row with the token. It is replaced
whenever its user resumes the subscription, and dropped with it. A web session id
(``--web-session-only``) is re-sealed when Odoo 19 rotates it (``Rotation``): the old
id dies 120 s after the rotation, and with it the subscription's deliveries.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import InvalidToken
from ..odoo.base import Credential
from ..tokens.crypto import ServerSecrets, decrypt_secret, encrypt_secret
from ..tokens.store import TokenStore
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


class Rotation:
    """``Credential.follow`` for a watched group: Odoo rotated the session id its
    credential holds, so re-seal the new id in every subscription of the group that
    holds the old one, each only if its stored credential is still the one loaded
    (a resume with a fresh credential in between wins). ``subs`` is the watcher's
    copy of the group, kept in step with the store."""

    def __init__(
        self, store: TokenStore, secrets: ServerSecrets, subs: list[Subscription], current: str
    ) -> None:
        self.store = store
        self.secrets = secrets
        self.subs = subs
        self.current = current

    async def __call__(self, new: str) -> None:
        old, self.current = self.current, new
        if new == old:  # another call of the same poll saw this rotation first
            return
        for i, sub in enumerate(self.subs):
            key = self.secrets.by_key_id(sub.key_id)
            if key is None or sub.cred_enc is None or sub.cred_kind != "session":
                continue
            try:
                held = unseal(key, sub)
            except InvalidToken:
                continue
            if held is None or held.secret != old:
                continue
            blob, _, _ = seal(key, sub.id, replace(held, secret=new))
            if await self.store.reseal_subscription(sub.id, sub.cred_enc, blob):
                self.subs[i] = replace(sub, cred_enc=blob)
