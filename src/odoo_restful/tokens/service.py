"""Issue, resolve and revoke access tokens, with a bounded TTL cache in front of the store.

A cache hit costs a dict lookup and an HMAC; the store is read at most once per
``cache_ttl`` per token, and unknown tokens are remembered briefly so a flood of
bad tokens does not reach the store either. Revocations drop cache entries at once
in this process and, through the store's ``subscribe``, in every other replica.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from ..errors import InvalidToken, TokenExpired
from ..metrics import TOKEN_CACHE, timed_store
from ..odoo.base import Credential
from .crypto import ServerSecrets, decrypt_secret, encrypt_secret, new_token
from .store import Revocation, Scopes, SecretKind, TokenRecord, TokenStore

log = logging.getLogger("odoo_restful.tokens")
_TOUCH_EVERY = 60.0
_MAX_TOKEN_CHARS = 256


def _secret_kind(kind: str) -> SecretKind:
    if kind == "api_key":
        return "api_key"
    return "session" if kind == "session" else "password"


class _Expired:
    """Marks a cached token that exists but has expired."""


_EXPIRED = _Expired()


@dataclass(frozen=True, slots=True)
class Identity:
    """The caller behind a valid token: whom to call Odoo as, and what it may do."""

    cred: Credential
    login: str
    scopes: Scopes
    context: dict[str, Any]
    user_info: dict[str, Any]
    token_hash: bytes
    expires_at: float


class TokenService:
    def __init__(
        self,
        store: TokenStore,
        secrets: ServerSecrets,
        *,
        ttl: int,
        cache_ttl: float = 1.0,
        negative_ttl: float = 1.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """``clock`` times the cache, ``wall_clock`` the tokens' lifetimes (tests inject both)."""
        self.store = store
        self._clock = clock
        self._wall_clock = wall_clock
        self.server_secrets = secrets
        self.ttl = ttl
        self._cache_ttl = cache_ttl
        self._negative_ttl = negative_ttl
        self._max = max_entries
        # token -> (cache deadline, identity, _EXPIRED, or None for unknown/revoked)
        self._cache: OrderedDict[str, tuple[float, Identity | _Expired | None]] = OrderedDict()
        self._touched: dict[bytes, float] = {}
        self._unsubscribe: Callable[[], None] | None = None

    async def start(self) -> None:
        self._unsubscribe = await self.store.subscribe(self._on_revocation)
        orphans = await self.orphaned_tokens()
        if orphans:
            log.warning(
                "THE TOKEN STORE HOLDS %d LIVE TOKEN(S) ISSUED UNDER SERVER SECRETS THIS "
                "PROCESS DOES NOT HAVE: they all answer 401. Start with the same secret "
                "(secret file or ODOO_RESTFUL_SECRET) as the process that issued them.",
                orphans,
            )

    async def orphaned_tokens(self) -> int:
        """Live tokens (not revoked, not expired) whose key id none of our secrets has:
        the sign of a gateway started with a different secret than the one that issued
        them (e.g. a new key file made in another working directory)."""
        known = set(self.server_secrets.key_ids)
        counts = await self.store.live_tokens_by_key(self._wall_clock())
        return sum(n for kid, n in counts.items() if kid not in known)

    async def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        await self.store.close()

    async def issue(
        self,
        cred: Credential,
        *,
        login: str,
        user_info: dict[str, Any],
        scopes: Scopes | None = None,
        ttl: int | None = None,
    ) -> tuple[str, int]:
        """A new token for ``cred``; returns it (shown once) and its lifetime in seconds."""
        token = new_token()
        lifetime = min(ttl or self.ttl, self.ttl)
        now = self._wall_clock()
        hashed = self.server_secrets.hashes(token)[0]
        record = TokenRecord(
            token_hash=hashed,
            prefix=token[:12],
            db=cred.db,
            uid=cred.uid,
            login=login,
            secret_enc=encrypt_secret(token, self.server_secrets.current, cred.secret, hashed),
            secret_kind=_secret_kind(cred.kind),
            scopes=scopes or Scopes(),
            user_info=user_info,
            created_at=now,
            expires_at=now + lifetime,
            last_used_at=None,
            revoked=False,
            key_id=self.server_secrets.current_key_id,
        )
        with timed_store("insert"):
            await self.store.insert(record)
        self._cache.pop(token, None)
        return token, lifetime

    async def resolve(self, token: str) -> Identity:
        """The identity of a valid token; 401 (``invalid_token`` / ``token_expired``) else.

        Unknown, revoked and expired tokens are cached too (briefly), so replaying
        them does not reach the store on every request.
        """
        now = self._clock()
        entry = self._cache.get(token)
        loaded = entry is None or entry[0] <= now
        TOKEN_CACHE.labels("miss" if loaded else "hit").inc()
        if loaded:
            state = await self._load(token)
            ttl = self._cache_ttl if isinstance(state, Identity) else self._negative_ttl
            self._remember(token, state, now + ttl)
        else:
            assert entry is not None
            state = entry[1]
        if state is None:
            raise InvalidToken("invalid or revoked access token")
        if not isinstance(state, Identity):
            raise TokenExpired("access token expired; request a new one")
        if state.expires_at <= self._wall_clock():
            self._remember(token, _EXPIRED, now + self._negative_ttl)
            raise TokenExpired("access token expired; request a new one")
        if loaded:
            await self._touch(state.token_hash)
        return state

    async def _load(self, token: str) -> Identity | _Expired | None:
        if not token or len(token) > _MAX_TOKEN_CHARS:
            return None
        with timed_store("get"):
            record = await self.store.get(self.server_secrets.hashes(token))
        if record is None or record.revoked:
            return None
        if record.is_expired(self._wall_clock()):
            return _EXPIRED
        secret_key = self.server_secrets.by_key_id(record.key_id)
        if secret_key is None:
            return None  # issued under a server secret that has since been retired
        try:
            secret = decrypt_secret(token, secret_key, record.secret_enc, record.token_hash)
        except InvalidToken:  # tampered row or wrong key: treat as unknown
            return None
        user_context = record.user_info.get("user_context") or {}
        context = {k: user_context[k] for k in ("lang", "tz") if user_context.get(k)}
        follow = None
        if record.secret_kind == "session":  # noqa: S105  (a kind of secret, not one)
            follow = partial(self._follow_session, token, record, record.secret_enc)
        return Identity(
            cred=Credential(
                record.db, record.uid, secret, record.secret_kind, record.login, follow
            ),
            login=record.login,
            scopes=record.scopes,
            context=context,
            user_info=record.user_info,
            token_hash=record.token_hash,
            expires_at=record.expires_at,
        )

    async def _follow_session(
        self, token: str, record: TokenRecord, sealed: bytes, new_session: str
    ) -> None:
        """Odoo rotated the session id this token holds: seal the new one in the store
        (every worker and replica reads it from there) and in this process's cache.
        Concurrent calls that saw the same rotation write once: the store replaces
        ``sealed`` only while it is still there."""
        secret_key = self.server_secrets.by_key_id(record.key_id)
        if secret_key is None:
            return
        entry = self._cache.get(token)
        ident = entry[1] if entry is not None else None
        if isinstance(ident, Identity) and ident.cred.secret == new_session:
            return  # a concurrent call followed this rotation first
        resealed = encrypt_secret(token, secret_key, new_session, record.token_hash)
        if entry is not None and isinstance(ident, Identity):
            follow = partial(self._follow_session, token, record, resealed)
            cred = replace(ident.cred, secret=new_session, follow=follow)
            self._cache[token] = (entry[0], replace(ident, cred=cred))
        with timed_store("reseal"):
            await self.store.reseal(record.token_hash, sealed, resealed)

    def _remember(self, token: str, ident: Identity | _Expired | None, deadline: float) -> None:
        self._cache[token] = (deadline, ident)
        self._cache.move_to_end(token)
        while len(self._cache) > self._max:
            self._cache.popitem(last=False)

    async def _touch(self, token_hash: bytes) -> None:
        """Record use at most once a minute per token; the store batches the writes."""
        now = self._wall_clock()
        if now - self._touched.get(token_hash, 0.0) < _TOUCH_EVERY:
            return
        self._touched[token_hash] = now
        if len(self._touched) > self._max:
            self._touched.clear()
        await self.store.touch(token_hash, now)

    async def revoke(self, token: str) -> bool:
        record = await self.store.get(self.server_secrets.hashes(token))
        self._cache.pop(token, None)
        return record is not None and await self.revoke_hash(record.token_hash)

    async def revoke_hash(self, token_hash: bytes) -> bool:
        """Revoke one token; the cache forgets it here at once (other replicas via notify)."""
        with timed_store("revoke"):
            revoked = await self.store.revoke(token_hash)
        self._on_revocation(Revocation(token_hash=token_hash))
        return revoked

    async def revoke_user(self, db: str, uid: int) -> int:
        count = await self.store.revoke_user(db, uid)
        self._on_revocation(Revocation(db=db, uid=uid))
        return count

    def _on_revocation(self, event: Revocation) -> None:
        if event.everything:
            self._cache.clear()
            return
        for token, (_, ident) in list(self._cache.items()):
            if not isinstance(ident, Identity):
                continue
            same_token = event.token_hash is not None and ident.token_hash == event.token_hash
            same_user = event.uid is not None and (ident.cred.db, ident.cred.uid) == (
                event.db,
                event.uid,
            )
            if same_token or same_user:
                del self._cache[token]
