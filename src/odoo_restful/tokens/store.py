"""The token store interface and its record type; ``compose.open_store`` picks a back end.

Two back ends share one schema: SQLite (embedded default, one gateway process) and
PostgreSQL (several replicas). Both are raw SQL: an ORM would cost far more than
the lookup itself on the request path.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from ..errors import TokenStoreError
from ..scopes import Scopes
from .deliveries import Delivery
from .subscriptions import Subscription

__all__ = [
    "NOTIFY_CHANNEL",
    "Delivery",
    "Revocation",
    "RevocationCallback",
    "Scopes",
    "SecretKind",
    "StoredReply",
    "Subscription",
    "TokenRecord",
    "TokenStore",
    "TokenStoreError",
]

SecretKind = Literal["password", "api_key", "session"]
NOTIFY_CHANNEL = "odoo_restful_revoked"


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """One issued token as stored: never the token itself, never the secret in clear."""

    token_hash: bytes
    prefix: str  # the token's first characters, for listing and revoking by hand
    db: str
    uid: int
    login: str
    secret_enc: bytes  # Odoo password or API key, see crypto.encrypt_secret
    secret_kind: SecretKind
    scopes: Scopes
    user_info: dict[str, Any]  # facts returned at issue time (uid, company_id, ...)
    created_at: float
    expires_at: float
    last_used_at: float | None
    revoked: bool
    key_id: str  # which server secret hashed and encrypted this row

    def is_expired(self, now: float) -> bool:
        return now >= self.expires_at


COLUMNS = (
    "token_hash, prefix, db, uid, login, secret_enc, secret_kind, scopes, user_info, "
    "created_at, expires_at, last_used_at, revoked, key_id"
)


def record_to_row(rec: TokenRecord) -> tuple[Any, ...]:
    """Column values in ``COLUMNS`` order (JSON as text, revoked as bool)."""
    return (
        rec.token_hash,
        rec.prefix,
        rec.db,
        rec.uid,
        rec.login,
        rec.secret_enc,
        rec.secret_kind,
        rec.scopes.to_json(),
        json.dumps(rec.user_info, separators=(",", ":")),
        rec.created_at,
        rec.expires_at,
        rec.last_used_at,
        rec.revoked,
        rec.key_id,
    )


def record_from_row(row: Sequence[Any]) -> TokenRecord:
    """Inverse of :func:`record_to_row` for a row selected with ``COLUMNS``."""
    return TokenRecord(
        token_hash=bytes(row[0]),
        prefix=row[1],
        db=row[2],
        uid=int(row[3]),
        login=row[4],
        secret_enc=bytes(row[5]),
        secret_kind=row[6],
        scopes=Scopes.from_json(row[7]),
        user_info=json.loads(row[8]),
        created_at=float(row[9]),
        expires_at=float(row[10]),
        last_used_at=None if row[11] is None else float(row[11]),
        revoked=bool(row[12]),
        key_id=row[13],
    )


@dataclass(frozen=True, slots=True)
class Revocation:
    """What a cache must drop: one token, all tokens of one user, or ``everything``.

    "Everything" is sent after a replica lost its notification channel and may
    have missed revocations.
    """

    token_hash: bytes | None = None
    db: str | None = None
    uid: int | None = None
    everything: bool = False

    def payload(self) -> str:
        """The NOTIFY payload: hex hash, ``db:uid`` or ``*``."""
        if self.token_hash is not None:
            return self.token_hash.hex()
        if self.db is not None and self.uid is not None:
            return f"{self.db}:{self.uid}"
        return "*"

    @classmethod
    def from_payload(cls, payload: str) -> Revocation:
        if ":" in payload:
            db, _, uid = payload.rpartition(":")
            return cls(db=db, uid=int(uid))
        if payload == "*":
            return cls(everything=True)
        return cls(token_hash=bytes.fromhex(payload))


RevocationCallback = Callable[[Revocation], None]


@dataclass(frozen=True, slots=True)
class StoredReply:
    """An Idempotency-Key already claimed: by which request, and its answer if done."""

    request_hash: bytes
    status: int | None  # None while the first request is still running
    body: bytes | None


# Claim an idempotency key: insert, or take over a row whose 24 hours have passed. An
# unfinished claim is never taken over: its process may have reached Odoo before dying
# (see ``abandon_idempotency``). Both dialects (SQLite 3.24+ and PostgreSQL) spell the
# upsert alike; only the placeholders differ.
CLAIM_IDEMPOTENCY = (
    "INSERT INTO idempotency (key_hash, request_hash, owner, status, body, created_at, "
    "expires_at) VALUES ({0}, {1}, {2}, NULL, NULL, {3}, {4}) ON CONFLICT (key_hash) DO "
    "UPDATE SET request_hash = excluded.request_hash, owner = excluded.owner, status = NULL, "
    "body = NULL, created_at = excluded.created_at, expires_at = excluded.expires_at "
    "WHERE idempotency.expires_at <= {3}"
)


@runtime_checkable
class TokenStore(Protocol):
    """What the gateway needs from a token store; see ``sqlite`` and ``postgres``."""

    async def open(self) -> None:
        """Connect and apply pending migrations."""

    async def close(self) -> None:
        """Flush pending ``touch`` updates and disconnect."""

    async def insert(self, rec: TokenRecord) -> None:
        """Store a new token durably: when this returns, the token survives a crash."""

    async def get(self, hashes: Sequence[bytes]) -> TokenRecord | None:
        """The first row matching any hash (one per server secret), revoked/expired too."""

    async def revoke(self, token_hash: bytes) -> bool:
        """Revoke one token; True if it existed and was not revoked yet."""

    async def revoke_user(self, db: str, uid: int) -> int:
        """Revoke every token of one Odoo user; returns how many were revoked now."""

    async def reseal(self, token_hash: bytes, old: bytes, new: bytes) -> bool:
        """Replace a live token's sealed secret (a rotated Odoo session id), only if it
        is still ``old``: of two writers that saw the same row, one wins, and an older
        rotation never overwrites a newer one. True if this call replaced it."""

    async def touch(self, token_hash: bytes, when: float) -> None:
        """Record use; buffered and written in batches so lookups never wait on it."""

    async def list(self, *, db: str | None = None, uid: int | None = None) -> list[TokenRecord]:
        """All rows (revoked and expired included), oldest first, optionally filtered."""

    async def live_tokens_by_key(self, now: float) -> dict[str, int]:
        """How many live tokens (not revoked, not expired) each server-secret key id
        issued: one grouped count, whatever the size of the store."""

    async def revoke_prefix(self, prefix: str) -> int:
        """Revoke the tokens whose stored prefix equals ``prefix`` exactly (CLI)."""

    async def purge_expired(self, now: float) -> int:
        """Delete rows whose expiry has passed; returns how many."""

    async def reserve_attempt(
        self, ticket: bytes, limits: Sequence[tuple[bytes, int]], *, now: float, window: float
    ) -> float | None:
        """Count one login attempt under ``ticket`` for each ``(key, limit)``, atomically
        across every process sharing the store; None when counted.

        When a key already holds ``limit`` attempts newer than ``now - window``,
        nothing is counted and the seconds until its oldest one expires are returned.
        """

    async def forgive_attempt(self, ticket: bytes) -> None:
        """Take back the attempts counted under ``ticket`` (the login succeeded)."""

    async def purge_attempts(self, before: float) -> int:
        """Delete login attempts made before ``before``; returns how many."""

    async def ping(self) -> None:
        """One trivial query (readiness): returns, or raises ``TokenStoreError``."""

    async def claim_idempotency(
        self, key: bytes, request_hash: bytes, owner: bytes, *, now: float, ttl: float
    ) -> StoredReply | None:
        """Claim ``key`` for one request, atomically across every process on the store:
        None when claimed (run the request, then ``finish_idempotency``), else the row
        that holds it. Only an expired row is taken over."""

    async def abandon_idempotency(
        self, key: bytes, *, before: float, status: int, body: bytes
    ) -> bool:
        """Answer an unfinished claim made before ``before`` (its process died, maybe
        after calling Odoo) with ``status`` and ``body``, for good; True if it did."""

    async def finish_idempotency(self, key: bytes, owner: bytes, status: int, body: bytes) -> None:
        """Store the answer to the request that claimed ``key`` as ``owner``."""

    async def release_idempotency(self, key: bytes, owner: bytes) -> None:
        """Drop an unfinished claim (the request failed without an answer worth keeping)."""

    async def purge_idempotency(self, now: float) -> int:
        """Delete rows whose 24 hours have passed; returns how many."""

    async def add_subscription(self, sub: Subscription, *, cap: int) -> bool:
        """Store a webhook subscription unless its user already holds ``cap`` of them
        (checked and inserted in one step for every process); False when over."""

    async def get_subscription(self, sub_id: str) -> Subscription | None:
        """One subscription by id, active or paused."""

    async def list_subscriptions(
        self, *, db: str | None = None, uid: int | None = None
    ) -> builtins.list[Subscription]:
        """Subscriptions, oldest first, optionally of one user."""

    async def set_subscription_active(
        self,
        sub_id: str,
        db: str,
        uid: int,
        active: bool,
        *,
        cred: tuple[bytes, str, str] | None = None,
    ) -> bool:
        """Pause or resume a subscription of this user (its note cleared; ``cred``:
        a new sealed Odoo credential, its kind and login); False when not theirs."""

    async def reseal_subscription(self, sub_id: str, old: bytes, new: bytes) -> bool:
        """Replace a subscription's sealed Odoo credential (a rotated session id), only
        if it is still ``old``, as ``reseal`` does for a token. True if this call did."""

    async def delete_subscription(self, sub_id: str, db: str, uid: int) -> bool:
        """Delete a subscription of this user, its queue and its watch state; False
        when it is not theirs."""

    async def note_subscription(self, sub_id: str, note: str, *, stop: bool = False) -> None:
        """Say why the watcher holds (``note``) or stopped (``stop``: paused) it."""

    async def load_watch(self, sub_id: str) -> str | None:
        """The watcher's state of a subscription (JSON text), None before its first read."""

    async def queue_deliveries(
        self, sub_id: str, deliveries: Sequence[Delivery], state: str
    ) -> None:
        """Queue events and save the watcher's new state in one transaction: a crash
        leaves either both or neither, so the watcher resumes losing nothing."""

    async def pending_deliveries(self, sub_id: str) -> int:
        """How many deliveries of a subscription are pending (the queue cap)."""

    async def due_deliveries(
        self, now: float, *, per_subscription: int, limit: int
    ) -> builtins.list[Delivery]:
        """Pending deliveries due by ``now`` of active subscriptions, oldest first, at
        most ``per_subscription`` each, never a record's event behind a pending one."""

    async def record_attempt(
        self,
        delivery_id: str,
        *,
        status: str,
        attempts: int,
        next_attempt_at: float,
        last_status: int | None,
        last_error: str | None,
        delivered_at: float | None,
    ) -> None:
        """Store the outcome of one delivery attempt."""

    async def list_deliveries(
        self, sub_id: str, *, limit: int, before: int | None = None
    ) -> builtins.list[Delivery]:
        """A subscription's deliveries, newest first (``before``: a ``seq`` to page on)."""

    async def redeliver(self, sub_id: str, delivery_id: str, now: float) -> Delivery | None:
        """Queue a delivery again (same id), due now, its attempts counted from 0 and
        retried for a fresh day."""

    async def claim_lease(self, name: str, holder: str, *, now: float, ttl: float) -> bool:
        """Take or renew the lease ``name`` for ``holder`` until ``now + ttl``; False
        while another holder's lease is unexpired."""

    async def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up (a clean stop: another process takes over at once)."""

    async def subscribe(self, callback: RevocationCallback) -> Callable[[], None]:
        """Call ``callback`` on every revocation (this replica's and others'); returns
        a function that unsubscribes. Callbacks run on the event loop and must not block.
        """
