"""Token generation, keyed hashing and encryption of the Odoo secret a token acts with.

The database holds only ``HMAC(server_secret, token)`` and the Odoo secret encrypted
under a key derived from *both* the token and the server secret: a stolen database
alone, or a stolen server secret alone, reveals neither tokens nor Odoo passwords.
Random 256-bit tokens need no slow password hash (argon2 would make every check a
denial-of-service vector).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import re
import secrets
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import SecretDecryptionError

__all__ = [
    "ENV_SECRET",
    "MIN_SECRET_BYTES",
    "TOKEN_PREFIX",
    "SecretDecryptionError",
    "ServerSecrets",
    "decrypt_secret",
    "encrypt_secret",
    "key_id",
    "new_token",
    "token_hash",
]

log = logging.getLogger(__name__)

TOKEN_PREFIX = "odr_"  # noqa: S105 (a marker, not a secret)
"""Marks gateway tokens so secret scanners (and people) can recognise a leaked one."""
MIN_SECRET_BYTES = 32
ENV_SECRET = "ODOO_RESTFUL_SECRET"  # noqa: S105 (a variable name)

_HKDF_SALT = b"odoo-restful/v1/hkdf-salt"
_HKDF_INFO = b"odoo-restful/v1/odoo-secret"
_BLOB_VERSION = b"\x01"
_NONCE_BYTES = 12
_HEX = re.compile(r"[0-9a-fA-F]+")


def new_token() -> str:
    """A fresh access token: 256 random bits, URL-safe, with a recognisable prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(secret: bytes, token: str) -> bytes:
    """The keyed hash stored in place of the token (HMAC-SHA256, 32 bytes)."""
    return hmac.new(secret, token.encode(), hashlib.sha256).digest()


def key_id(secret: bytes) -> str:
    """A short public name for a server secret, stored with each row to pick the key."""
    return hashlib.sha256(secret).hexdigest()[:8]


def _derive_key(token: str, server_secret: bytes) -> bytes:
    # Length-prefix the secret so (secret, token) pairs cannot collide by concatenation.
    ikm = len(server_secret).to_bytes(2, "big") + server_secret + token.encode()
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO)
    return hkdf.derive(ikm)


def encrypt_secret(token: str, server_secret: bytes, plaintext: str, aad: bytes) -> bytes:
    """Encrypt an Odoo password or API key so only the token holder can unlock it.

    Layout: version byte, 96-bit random nonce, AES-256-GCM ciphertext and tag.
    ``aad`` binds the blob to its row, so it cannot be moved to another one.
    """
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_derive_key(token, server_secret)).encrypt(nonce, plaintext.encode(), aad)
    return _BLOB_VERSION + nonce + sealed


def decrypt_secret(token: str, server_secret: bytes, blob: bytes, aad: bytes) -> str:
    """Reverse :func:`encrypt_secret`; any mismatch raises :class:`SecretDecryptionError`."""
    if len(blob) < 1 + _NONCE_BYTES + 16 or blob[:1] != _BLOB_VERSION:
        raise SecretDecryptionError("The access token's stored credentials are unreadable")
    nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    try:
        plain = AESGCM(_derive_key(token, server_secret)).decrypt(nonce, sealed, aad)
    except InvalidTag:
        raise SecretDecryptionError(
            "The access token cannot unlock its stored credentials"
        ) from None
    return plain.decode()


def _decode_secret(text: str) -> bytes:
    """Hex if it looks like hex (even length), else URL-safe base64 (padding optional)."""
    text = text.strip()
    try:
        if len(text) % 2 == 0 and _HEX.fullmatch(text):
            raw = bytes.fromhex(text)
        else:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error):
        raise ValueError("A server secret is neither hex nor URL-safe base64") from None
    if len(raw) < MIN_SECRET_BYTES:
        raise ValueError(f"A server secret must be at least {MIN_SECRET_BYTES} bytes")
    return raw


def _encode_secret(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class ServerSecrets:
    """The gateway's server secrets (pepper), newest first; never printable.

    The first secret hashes and encrypts new tokens. Older ones stay usable for
    lookup and decryption, so a new secret can be rolled in while tokens issued
    under the old one keep working until they expire.
    """

    __slots__ = ("_by_id", "_ids", "_secrets")

    def __init__(self, secrets_: Iterable[bytes]) -> None:
        values = tuple(bytes(s) for s in secrets_)
        if not values:
            raise ValueError("At least one server secret is required")
        if any(len(s) < MIN_SECRET_BYTES for s in values):
            raise ValueError(f"A server secret must be at least {MIN_SECRET_BYTES} bytes")
        self._secrets = values
        self._ids = tuple(key_id(s) for s in values)
        self._by_id = dict(zip(reversed(self._ids), reversed(values), strict=True))

    # --- loading ---

    @classmethod
    def from_strings(cls, values: str | Iterable[str]) -> ServerSecrets:
        """Parse a comma-separated string (as in the environment) or a list of strings."""
        items = values.split(",") if isinstance(values, str) else list(values)
        return cls(_decode_secret(v) for v in items if v.strip())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerSecrets:
        env = os.environ if environ is None else environ
        value = env.get(ENV_SECRET, "")
        if not value.strip():
            raise ValueError(f"{ENV_SECRET} is not set")
        return cls.from_strings(value)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, create: bool = True) -> ServerSecrets:
        """Read a key file (one secret per line, newest first; ``#`` comments allowed).

        A missing file is created with one fresh secret and mode 0600.
        """
        p = Path(path)
        if not p.exists():
            if not create:
                raise FileNotFoundError(f"Server secret file {p} does not exist")
            return cls.generate(p)
        mode = stat.S_IMODE(p.stat().st_mode)
        if mode & 0o077:
            log.warning("server secret file %s is readable by others (mode %o)", p, mode)
        lines = [ln.strip() for ln in p.read_text().splitlines()]
        values = [ln for ln in lines if ln and not ln.startswith("#")]
        if not values:
            raise ValueError(f"Server secret file {p} holds no secret")
        return cls.from_strings(values)

    @classmethod
    def generate(cls, path: str | os.PathLike[str]) -> ServerSecrets:
        """Add a new current secret as the first line of the key file (rotation).

        Older lines are kept so tokens issued under them still work; the file is
        replaced atomically and always written with mode 0600.
        """
        p = Path(path)
        old: list[str] = []
        if p.exists():
            old = [ln for ln in p.read_text().splitlines() if ln.strip()]
        new = _encode_secret(secrets.token_bytes(32))
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(f".{p.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write("\n".join([new, *old]) + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, p)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return cls.from_file(p, create=False)

    # --- use ---

    @property
    def current(self) -> bytes:
        return self._secrets[0]

    @property
    def current_key_id(self) -> str:
        return self._ids[0]

    @property
    def key_ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def all(self) -> tuple[bytes, ...]:
        """Every secret, current first (keys derived from them, e.g. cursors')."""
        return self._secrets

    def __len__(self) -> int:
        return len(self._secrets)

    def by_key_id(self, kid: str) -> bytes | None:
        """The secret a row was written under, or None if it has been retired."""
        return self._by_id.get(kid)

    def hashes(self, token: str) -> list[bytes]:
        """The token's keyed hash under every secret, current first, for one lookup query."""
        return [token_hash(s, token) for s in self._secrets]

    def __repr__(self) -> str:
        return f"ServerSecrets(<{len(self._secrets)} hidden, current {self._ids[0]}>)"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[Any, ...]:
        raise TypeError("ServerSecrets cannot be pickled")
