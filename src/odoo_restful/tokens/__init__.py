"""Access tokens: hashing, secret encryption and the stores that keep them."""

from .crypto import (
    SecretDecryptionError,
    ServerSecrets,
    decrypt_secret,
    encrypt_secret,
    key_id,
    new_token,
    token_hash,
)
from .store import (
    Revocation,
    RevocationCallback,
    Scopes,
    TokenRecord,
    TokenStore,
    TokenStoreError,
)

__all__ = [
    "Revocation",
    "RevocationCallback",
    "Scopes",
    "SecretDecryptionError",
    "ServerSecrets",
    "TokenRecord",
    "TokenStore",
    "TokenStoreError",
    "decrypt_secret",
    "encrypt_secret",
    "key_id",
    "new_token",
    "token_hash",
]
