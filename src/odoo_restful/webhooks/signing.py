"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

A receiver checks ``webhook-signature: v1,<base64 HMAC-SHA256>`` of
``"<webhook-id>.<webhook-timestamp>.<body>"`` under the secret ``whsec_<base64>``
it was given once; ``webhook-id`` stays the same on every redelivery of one event,
so receivers dedupe on it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from ..errors import BadRequest
from ..tokens.crypto import decrypt_secret, encrypt_secret

PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret in the spec's ``whsec_<base64>`` form."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    if not secret.startswith(PREFIX):
        raise BadRequest("a webhook secret looks like whsec_<base64>")
    try:
        key = base64.b64decode(secret[len(PREFIX) :], validate=True)
    except ValueError as exc:
        raise BadRequest("a webhook secret looks like whsec_<base64>") from exc
    if len(key) < 16:
        raise BadRequest("a webhook secret must hold at least 16 bytes")
    return key


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers of one delivery attempt (``timestamp``: Unix seconds, now)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }


def seal(server_secret: bytes, sub_id: str, secret: str) -> bytes:
    """The signing secret encrypted for the store (AES-GCM, as the Odoo secrets are),
    under a key derived from the server secret and bound to its subscription's row."""
    return encrypt_secret(_SEAL_PREFIX + sub_id, server_secret, secret, sub_id.encode())


def unseal(server_secret: bytes, sub_id: str, blob: bytes) -> str:
    return decrypt_secret(_SEAL_PREFIX + sub_id, server_secret, blob, sub_id.encode())


_SEAL_PREFIX = "webhook:"
