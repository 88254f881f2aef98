"""Tokens, keyed hashes, server secrets and the sealing of Odoo secrets."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import pickle
import stat
from pathlib import Path

import pytest

from odoo_restful.compose import open_store
from odoo_restful.errors import InvalidToken
from odoo_restful.tokens import (
    Scopes,
    SecretDecryptionError,
    ServerSecrets,
    TokenRecord,
    decrypt_secret,
    encrypt_secret,
    key_id,
    new_token,
    token_hash,
)

K1, K2 = b"\x11" * 32, b"\x22" * 32


def test_new_token_shape() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    for tok in list(tokens)[:50]:
        assert tok.startswith("odr_")
        body = tok[4:]
        assert len(body) == 43  # 32 bytes, URL-safe base64 without padding
        assert len(base64.urlsafe_b64decode(body + "=")) == 32


def test_token_hash_is_stable_hmac_sha256() -> None:
    # A fixed vector: changing the hash would orphan every issued token.
    expected = "2a665a9656e73d34085f7a432f240bb52044e1b352bcba300ccf78b3c42eb7c5"
    assert token_hash(K1, "odr_example").hex() == expected
    assert token_hash(K1, "odr_example") == hmac.new(K1, b"odr_example", "sha256").digest()
    assert token_hash(K1, "odr_example") != token_hash(K2, "odr_example")
    assert ServerSecrets([K2, K1]).hashes("odr_example")[1].hex() == expected
    assert key_id(K1) == hashlib.sha256(K1).hexdigest()[:8]


def test_server_secrets_parse_hex_and_base64() -> None:
    hex_form, b64_form = K1.hex(), base64.urlsafe_b64encode(K2).decode().rstrip("=")
    secrets = ServerSecrets.from_strings(f" {hex_form} , {b64_form} ")
    assert secrets.current == K1 and secrets.key_ids == (key_id(K1), key_id(K2))
    assert ServerSecrets.from_env({"ODOO_RESTFUL_SECRET": b64_form}).current == K2
    for bad in ("", "short", "ab" * 16 + "zz!", (b"\x01" * 16).hex()):
        with pytest.raises(ValueError):
            ServerSecrets.from_strings(bad)
    with pytest.raises(ValueError):
        ServerSecrets.from_env({})


def test_secrets_never_printed_or_pickled() -> None:
    secrets = ServerSecrets([K1, K2])
    for text in (repr(secrets), str(secrets), f"{secrets}"):
        assert K1.hex() not in text and K1.decode("latin-1") not in text
        assert "hidden" in text
    with pytest.raises(TypeError):
        pickle.dumps(secrets)


def test_secret_file_created_0600_and_rotated(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "secret.key"
    first = ServerSecrets.from_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ServerSecrets.from_file(path).current == first.current  # stable across restarts
    rotated = ServerSecrets.generate(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(rotated) == 2 and rotated.current != first.current
    assert rotated.key_ids[1] == first.current_key_id  # the old one is kept, second
    assert rotated.by_key_id(first.current_key_id) == first.current
    assert not [p for p in path.parent.iterdir() if p.name != "secret.key"]  # no temp left
    with pytest.raises(FileNotFoundError):
        ServerSecrets.from_file(tmp_path / "missing.key", create=False)


def test_loose_secret_file_mode_is_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "secret.key"
    path.write_text("# comment\n" + K1.hex() + "\n\n")
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        assert ServerSecrets.from_file(path).current == K1
    assert "readable by others" in caplog.text
    assert K1.hex() not in caplog.text


def test_encrypt_roundtrip_and_randomised() -> None:
    tok, aad = new_token(), b"row-hash"
    a = encrypt_secret(tok, K1, "pässword", aad)
    b = encrypt_secret(tok, K1, "pässword", aad)
    assert a != b  # fresh nonce each time
    assert b"p\xc3\xa4ssword" not in a
    assert decrypt_secret(tok, K1, a, aad) == "pässword"


def test_wrong_token_or_server_secret_cannot_decrypt() -> None:
    tok, aad = new_token(), b"row"
    blob = encrypt_secret(tok, K1, "pw", aad)
    with pytest.raises(SecretDecryptionError) as info:
        decrypt_secret(new_token(), K1, blob, aad)  # stolen server secret alone
    assert isinstance(info.value, InvalidToken) and info.value.status == 401
    with pytest.raises(SecretDecryptionError):
        decrypt_secret(tok, K2, blob, aad)  # stolen database + token guess, wrong key


def test_tampering_is_detected() -> None:
    tok, aad = new_token(), b"row"
    blob = encrypt_secret(tok, K1, "pw", aad)
    for i in (0, 1, 12, 13, len(blob) - 1):  # version, nonce, ciphertext, tag
        bad = bytearray(blob)
        bad[i] ^= 0x01
        with pytest.raises(SecretDecryptionError):
            decrypt_secret(tok, K1, bytes(bad), aad)
    for broken in (blob[:10], b"", blob[:-1]):
        with pytest.raises(SecretDecryptionError):
            decrypt_secret(tok, K1, broken, aad)
    with pytest.raises(SecretDecryptionError):
        decrypt_secret(tok, K1, blob, b"other-row")  # moved to another row


def test_hashes_are_keyed_current_secret_first() -> None:
    tok = new_token()
    assert ServerSecrets([K1]).hashes(tok) == [token_hash(K1, tok)]
    assert ServerSecrets([K2, K1]).hashes(tok) == [token_hash(K2, tok), token_hash(K1, tok)]
    assert token_hash(K1, new_token()) != token_hash(K1, tok)


def test_rotation_keeps_old_tokens_working(tmp_path: Path) -> None:
    """A token issued under the old secret is found and unlocked after a new one is added."""
    key_file = tmp_path / "secret.key"
    old = ServerSecrets.from_file(key_file)
    tok = new_token()
    hashed = old.hashes(tok)[0]
    rec = TokenRecord(
        token_hash=hashed,
        prefix=tok[:8],
        db="db1",
        uid=2,
        login="admin",
        secret_enc=encrypt_secret(tok, old.current, "odoo-pw", hashed),
        secret_kind="password",
        scopes=Scopes(),
        user_info={},
        created_at=0.0,
        expires_at=1e12,
        last_used_at=None,
        revoked=False,
        key_id=old.current_key_id,
    )

    async def body() -> None:
        store = open_store(str(tmp_path / "tokens.db"))
        await store.open()
        await store.insert(rec)
        new = ServerSecrets.generate(key_file)
        hashes = new.hashes(tok)
        assert hashes[0] != hashed and hashes[1] == hashed  # current first, old still tried
        got = await store.get(hashes)
        assert got is not None and got.key_id == old.current_key_id
        assert got.token_hash == token_hash(old.current, tok)
        key = new.by_key_id(got.key_id)
        assert key is not None
        assert decrypt_secret(tok, key, got.secret_enc, got.token_hash) == "odoo-pw"
        # Once the old secret is retired, the token no longer resolves.
        retired = ServerSecrets([new.current])
        assert await store.get(retired.hashes(tok)) is None
        await store.close()

    asyncio.run(body())


def test_urandom_secret_file_line_is_url_safe_base64(tmp_path: Path) -> None:
    path = tmp_path / "k"
    ServerSecrets.generate(path)
    line = path.read_text().strip()
    assert len(base64.urlsafe_b64decode(line + "=")) == 32
    assert os.stat(path).st_mode & 0o077 == 0
