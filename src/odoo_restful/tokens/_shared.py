"""The token-store operations both SQL back ends run alike, written once.

Each is one statement whose text is the same in PostgreSQL and SQLite; it is spelled
with PostgreSQL's ``$n`` placeholders, which the SQLite store renames to its own
``?n`` (numbered, so a parameter may be used twice). A back end supplies only how a
statement runs (``_execute``, ``_fetch``); the operations whose locking or
notification differs (sign-in attempts, idempotency claims, revocation, the
transactions around subscriptions and queued deliveries) stay in each back end.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from ._base import BaseStore
from .deliveries import (
    DELIVERY_COLUMNS,
    DUE_DELIVERIES,
    INSERT_COLUMNS,
    LEASE_CLAIM,
    Delivery,
    delivery_from_row,
)
from .store import COLUMNS, TokenRecord, record_from_row, record_to_row
from .subscriptions import SUB_COLUMNS, Subscription, subscription_from_row

__all__ = [
    "COUNT_USER_SUBS",
    "DELETE_SUB",
    "DELETE_SUB_ROWS",
    "INSERT_DELIVERY",
    "INSERT_SUB",
    "SAVE_WATCH",
    "SELECT_REPLY",
    "Row",
    "SqlStore",
]

Row = Sequence[Any]


def _values(count: int) -> str:
    return ", ".join(f"${i}" for i in range(1, count + 1))


# Statements of the operations each back end wraps in a transaction of its own kind
# (an advisory lock, or SQLite's write lock): the same text in both.
SELECT_REPLY = "SELECT request_hash, status, body FROM idempotency WHERE key_hash = $1"
COUNT_USER_SUBS = "SELECT count(*) FROM webhook_subscriptions WHERE db = $1 AND uid = $2"
INSERT_SUB = f"INSERT INTO webhook_subscriptions ({SUB_COLUMNS}) VALUES ({_values(16)})"  # noqa: S608
DELETE_SUB = "DELETE FROM webhook_subscriptions WHERE id = $1 AND db = $2 AND uid = $3"
#: what goes with a deleted subscription ($1: its id)
DELETE_SUB_ROWS = (
    "DELETE FROM webhook_deliveries WHERE subscription_id = $1",
    "DELETE FROM webhook_watch WHERE subscription_id = $1",
)
INSERT_DELIVERY = f"INSERT INTO webhook_deliveries ({INSERT_COLUMNS}) VALUES ({_values(13)})"  # noqa: S608
SAVE_WATCH = (
    "INSERT INTO webhook_watch (subscription_id, state) VALUES ($1, $2) "
    "ON CONFLICT (subscription_id) DO UPDATE SET state = excluded.state"
)

_INSERT = f"INSERT INTO tokens ({COLUMNS}) VALUES ({_values(14)})"  # noqa: S608
# Replace a token's sealed secret only if it is still the one the caller loaded.
_RESEAL = (
    "UPDATE tokens SET secret_enc = $1 WHERE token_hash = $2 AND secret_enc = $3 AND NOT revoked"
)
_LIST_TOKENS = (
    f"SELECT {COLUMNS} FROM tokens "  # noqa: S608
    "WHERE (CAST($1 AS text) IS NULL OR db = $1) AND (CAST($2 AS integer) IS NULL OR uid = $2) "
    "ORDER BY created_at, token_hash"
)
# Give an unfinished claim older than $2 the answer $3, $4 (its holder died).
_ABANDON_IDEMPOTENCY = (
    "UPDATE idempotency SET status = $3, body = $4 "
    "WHERE key_hash = $1 AND status IS NULL AND created_at <= $2"
)
_SELECT_SUBS = f"SELECT {SUB_COLUMNS} FROM webhook_subscriptions"  # noqa: S608
_LIST_SUBS = (
    f"{_SELECT_SUBS} WHERE (CAST($1 AS text) IS NULL OR db = $1) "
    "AND (CAST($2 AS integer) IS NULL OR uid = $2) ORDER BY created_at, id"
)
_SET_ACTIVE = (
    "UPDATE webhook_subscriptions SET active = $1, note = '', "
    "cred_enc = coalesce($5, cred_enc), cred_kind = coalesce($6, cred_kind), "
    "login = coalesce($7, login) WHERE id = $2 AND db = $3 AND uid = $4"
)
# Replace a subscription's sealed Odoo credential only if it is still the one loaded.
_RESEAL_SUB = "UPDATE webhook_subscriptions SET cred_enc = $1 WHERE id = $2 AND cred_enc = $3"
_NOTE = (
    "UPDATE webhook_subscriptions SET note = $1, "
    "active = CASE WHEN $2 THEN false ELSE active END WHERE id = $3"
)
_PENDING = (
    "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1 AND status = 'pending'"
)
_RECORD_ATTEMPT = (
    "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, "
    "last_status = $4, last_error = $5, delivered_at = $6 WHERE id = $7"
)
_LIST_DELIVERIES = (
    f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE subscription_id = $1 "  # noqa: S608
    "AND (CAST($2 AS bigint) IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3"
)
_REDELIVER = (
    "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = "  # noqa: S608
    "$1, retry_from = $1, delivered_at = NULL, attempts = 0 "
    "WHERE id = $2 AND subscription_id = $3 "
    "RETURNING " + DELIVERY_COLUMNS
)
_CLAIM_LEASE = LEASE_CLAIM.format("$1", "$2", "$3", "$4")


class SqlStore(BaseStore):
    """The single-statement operations of ``TokenStore``; back ends add how SQL runs."""

    async def _execute(self, sql: str, *args: Any) -> int:
        """Run one statement; how many rows it changed."""
        raise NotImplementedError

    async def _fetch(self, sql: str, *args: Any) -> builtins.list[Row]:
        """Run one statement; the rows it returned."""
        raise NotImplementedError

    # --- tokens ---

    async def insert(self, rec: TokenRecord) -> None:
        await self._execute(_INSERT, *record_to_row(rec))

    async def reseal(self, token_hash: bytes, old: bytes, new: bytes) -> bool:
        return await self._execute(_RESEAL, new, token_hash, old) > 0

    async def list(self, *, db: str | None = None, uid: int | None = None) -> list[TokenRecord]:
        return [record_from_row(r) for r in await self._fetch(_LIST_TOKENS, db, uid)]

    async def purge_expired(self, now: float) -> int:
        return await self._execute("DELETE FROM tokens WHERE expires_at <= $1", now)

    # --- login attempts and idempotency keys ---

    async def forgive_attempt(self, ticket: bytes) -> None:
        await self._execute("DELETE FROM login_attempts WHERE ticket = $1", ticket)

    async def purge_attempts(self, before: float) -> int:
        return await self._execute("DELETE FROM login_attempts WHERE at <= $1", before)

    async def finish_idempotency(self, key: bytes, owner: bytes, status: int, body: bytes) -> None:
        sql = "UPDATE idempotency SET status = $1, body = $2 WHERE key_hash = $3 AND owner = $4"
        await self._execute(sql, status, body, key, owner)

    async def release_idempotency(self, key: bytes, owner: bytes) -> None:
        sql = "DELETE FROM idempotency WHERE key_hash = $1 AND owner = $2 AND status IS NULL"
        await self._execute(sql, key, owner)

    async def abandon_idempotency(
        self, key: bytes, *, before: float, status: int, body: bytes
    ) -> bool:
        return await self._execute(_ABANDON_IDEMPOTENCY, key, before, status, body) > 0

    async def purge_idempotency(self, now: float) -> int:
        return await self._execute("DELETE FROM idempotency WHERE expires_at <= $1", now)

    # --- webhook subscriptions ---

    async def get_subscription(self, sub_id: str) -> Subscription | None:
        rows = await self._fetch(f"{_SELECT_SUBS} WHERE id = $1", sub_id)
        return subscription_from_row(rows[0]) if rows else None

    async def list_subscriptions(
        self, *, db: str | None = None, uid: int | None = None
    ) -> builtins.list[Subscription]:
        return [subscription_from_row(r) for r in await self._fetch(_LIST_SUBS, db, uid)]

    async def set_subscription_active(
        self,
        sub_id: str,
        db: str,
        uid: int,
        active: bool,
        *,
        cred: tuple[bytes, str, str] | None = None,
    ) -> bool:
        enc, kind, login = cred or (None, None, None)
        return await self._execute(_SET_ACTIVE, active, sub_id, db, uid, enc, kind, login) > 0

    async def reseal_subscription(self, sub_id: str, old: bytes, new: bytes) -> bool:
        return await self._execute(_RESEAL_SUB, new, sub_id, old) > 0

    async def note_subscription(self, sub_id: str, note: str, *, stop: bool = False) -> None:
        await self._execute(_NOTE, note, stop, sub_id)

    # --- webhook deliveries ---

    async def load_watch(self, sub_id: str) -> str | None:
        sql = "SELECT state FROM webhook_watch WHERE subscription_id = $1"
        rows = await self._fetch(sql, sub_id)
        return str(rows[0][0]) if rows else None

    async def pending_deliveries(self, sub_id: str) -> int:
        return int((await self._fetch(_PENDING, sub_id))[0][0])

    async def due_deliveries(
        self, now: float, *, per_subscription: int, limit: int
    ) -> builtins.list[Delivery]:
        sql = DUE_DELIVERIES.format("$1", "$2", per=int(per_subscription))
        return [delivery_from_row(r) for r in await self._fetch(sql, now, limit)]

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
        args = (status, attempts, next_attempt_at, last_status, last_error, delivered_at)
        await self._execute(_RECORD_ATTEMPT, *args, delivery_id)

    async def list_deliveries(
        self, sub_id: str, *, limit: int, before: int | None = None
    ) -> builtins.list[Delivery]:
        rows = await self._fetch(_LIST_DELIVERIES, sub_id, before, limit)
        return [delivery_from_row(r) for r in rows]

    async def redeliver(self, sub_id: str, delivery_id: str, now: float) -> Delivery | None:
        rows = await self._fetch(_REDELIVER, now, delivery_id, sub_id)
        return delivery_from_row(rows[0]) if rows else None

    async def claim_lease(self, name: str, holder: str, *, now: float, ttl: float) -> bool:
        return await self._execute(_CLAIM_LEASE, name, holder, now + ttl, now) > 0

    async def release_lease(self, name: str, holder: str) -> None:
        sql = "DELETE FROM webhook_leases WHERE name = $1 AND holder = $2"
        await self._execute(sql, name, holder)
