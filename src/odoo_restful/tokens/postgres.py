"""PostgreSQL token store: one store shared by several gateway replicas.

Revocations are announced with ``NOTIFY odoo_restful_revoked`` in the same
statement that revokes, so every replica's cache can drop the entry at once;
migrations run under an advisory lock so replicas starting together do not race.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

import asyncpg

from ._base import SCHEMA_VERSION_DDL, BaseStore, load_migrations
from .deliveries import (
    DELIVERY_COLUMNS,
    DUE_DELIVERIES,
    INSERT_COLUMNS,
    LEASE_CLAIM,
    Delivery,
    delivery_from_row,
    delivery_to_row,
)
from .store import (
    ABANDON_IDEMPOTENCY,
    CLAIM_IDEMPOTENCY,
    COLUMNS,
    NOTIFY_CHANNEL,
    Revocation,
    RevocationCallback,
    StoredReply,
    TokenRecord,
    TokenStoreError,
    record_from_row,
    record_to_row,
)
from .subscriptions import (
    SUB_COLUMNS,
    Subscription,
    subscription_from_row,
    subscription_to_row,
)

__all__ = ["ATTEMPT_LOCK_NAMESPACE", "MIGRATION_LOCK_KEY", "PostgresStore", "upgrade_postgres"]

log = logging.getLogger("odoo_restful.tokens")
T = TypeVar("T")

MIGRATION_LOCK_KEY = 0x6F646F6F72657374  # b"odoorest": one advisory lock per database
# InternalClientError: a pooled connection caught mid-operation by a server restart
_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
    asyncio.TimeoutError,
)

_INSERT = f"INSERT INTO tokens ({COLUMNS}) VALUES ({', '.join(f'${i}' for i in range(1, 15))})"  # noqa: S608
_GET = f"SELECT {COLUMNS} FROM tokens WHERE token_hash = ANY($1::bytea[])"  # noqa: S608
# Revoke and announce in one statement: the NOTIFY is sent exactly when the update commits.
_REVOKE_WHERE = (
    "WITH r AS (UPDATE tokens SET revoked = true WHERE {where} AND NOT revoked "  # noqa: S608
    "RETURNING token_hash) "
    f"SELECT pg_notify('{NOTIFY_CHANNEL}', encode(token_hash, 'hex')) FROM r"
)
_REVOKE = _REVOKE_WHERE.format(where="token_hash = $1")
_REVOKE_PREFIX = _REVOKE_WHERE.format(where="prefix = $1")
_REVOKE_USER = (
    "WITH r AS (UPDATE tokens SET revoked = true WHERE db = $1 AND uid = $2 AND NOT revoked "  # noqa: S608
    "RETURNING 1), c AS (SELECT count(*) AS n FROM r) "
    f"SELECT n, pg_notify('{NOTIFY_CHANNEL}', $1 || ':' || $2::text) FROM c WHERE n > 0"
)
# Login attempts: a transaction-scoped advisory lock per key (in its own namespace, apart
# from the migration lock) makes count-then-insert one step across replicas.
ATTEMPT_LOCK_NAMESPACE = 0x6F647261  # b"odra"
_COUNT_ATTEMPTS = (
    "SELECT count(*) AS n, min(at) AS oldest FROM login_attempts WHERE key_hash = $1 AND at > $2"
)
_INSERT_ATTEMPTS = (
    "INSERT INTO login_attempts (key_hash, ticket, at) "
    "SELECT k, $2, $3 FROM unnest($1::bytea[]) AS k"
)
_INSERT_SUB = (
    f"INSERT INTO webhook_subscriptions ({SUB_COLUMNS}) "  # noqa: S608
    f"VALUES ({', '.join(f'${i}' for i in range(1, 17))})"
)
_INSERT_DELIVERY = (
    f"INSERT INTO webhook_deliveries ({INSERT_COLUMNS}) "  # noqa: S608
    f"VALUES ({', '.join(f'${i}' for i in range(1, 14))})"
)
_SAVE_WATCH = (
    "INSERT INTO webhook_watch (subscription_id, state) VALUES ($1, $2) "
    "ON CONFLICT (subscription_id) DO UPDATE SET state = excluded.state"
)
_SELECT_SUBS = f"SELECT {SUB_COLUMNS} FROM webhook_subscriptions"  # noqa: S608
#: one advisory lock namespace for "count then insert" of a user's subscriptions
SUBSCRIPTION_LOCK_NAMESPACE = 0x6F647768  # b"odwh"
_TOUCH = (
    "UPDATE tokens AS t SET last_used_at = u.at "
    "FROM unnest($1::bytea[], $2::float8[]) AS u(h, at) "
    "WHERE t.token_hash = u.h AND (t.last_used_at IS NULL OR t.last_used_at < u.at)"
)


def _count(status: Any) -> int:
    """The row count of a command status such as ``UPDATE 3``."""
    return int(str(status).rsplit(" ", 1)[-1])


def _store_error(exc: BaseException) -> TokenStoreError:
    # Never log the DSN: it may carry a password.
    log.error("token store (postgres) failed: %s", type(exc).__name__)
    return TokenStoreError("The token store failed")


async def _migrate(conn: Any) -> list[str]:
    """Apply pending migrations while holding the database's migration advisory lock."""
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        await conn.execute(SCHEMA_VERSION_DDL.format(real="double precision"))
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_version")}
        applied: list[str] = []
        for name, sql in load_migrations("postgres"):
            if name in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_version (name, applied_at) VALUES ($1, $2)",
                    name,
                    time.time(),
                )
            applied.append(name)
        return applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)


async def upgrade_postgres(dsn: str) -> list[str]:
    """Apply pending migrations to a PostgreSQL token database; returns the names applied."""
    try:
        conn = await asyncpg.connect(dsn)
        try:
            return await _migrate(conn)
        finally:
            await conn.close()
    except _ERRORS as exc:
        raise _store_error(exc) from exc


class PostgresStore(BaseStore):
    """Token store in PostgreSQL; see :class:`~odoo_restful.tokens.store.TokenStore`."""

    def __init__(
        self,
        dsn: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        command_timeout: float = 10.0,
        touch_interval: float = 5.0,
    ) -> None:
        super().__init__(touch_interval=touch_interval)
        self._dsn = dsn
        self._pool_args: dict[str, Any] = {
            "min_size": min_size,
            "max_size": max_size,
            "command_timeout": command_timeout,
        }
        self._pool: Any = None
        self._listen_conn: Any = None
        self._relisten_task: asyncio.Task[None] | None = None
        self._closing = False

    def __repr__(self) -> str:
        return "PostgresStore(<dsn hidden>)"

    async def _call(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        try:
            return await fn(*args)
        except _ERRORS as exc:
            raise _store_error(exc) from exc

    def _p(self) -> Any:
        if self._pool is None:
            raise TokenStoreError("The token store is not open")
        return self._pool

    # --- lifecycle ---

    async def _open(self) -> None:
        self._pool = await asyncpg.create_pool(self._dsn, **self._pool_args)
        async with self._pool.acquire() as conn:
            await _migrate(conn)

    async def open(self) -> None:
        if self._pool is not None:
            return
        self._closing = False
        try:
            await self._open()
        except _ERRORS as exc:
            if self._pool is not None:
                self._pool.terminate()
                self._pool = None
            raise _store_error(exc) from exc

    async def close(self) -> None:
        if self._pool is None:
            return
        self._closing = True
        try:
            await self._stop_touches()
        finally:
            if self._relisten_task is not None:
                self._relisten_task.cancel()
                self._relisten_task = None
            conn, self._listen_conn = self._listen_conn, None
            if conn is not None:
                await conn.close()
            pool, self._pool = self._pool, None
            await pool.close()

    # --- queries ---

    async def insert(self, rec: TokenRecord) -> None:
        await self._call(self._p().execute, _INSERT, *record_to_row(rec))

    async def get(self, hashes: Sequence[bytes]) -> TokenRecord | None:
        if not hashes:
            return None
        rows = await self._call(self._p().fetch, _GET, list(hashes))
        by_hash = {bytes(r[0]): r for r in rows}
        for h in hashes:
            if h in by_hash:
                return record_from_row(by_hash[h])
        return None

    async def ping(self) -> None:
        await self._call(self._p().fetchval, "SELECT 1")

    async def revoke(self, token_hash: bytes) -> bool:
        return len(await self._call(self._p().fetch, _REVOKE, token_hash)) > 0

    async def reseal(self, token_hash: bytes, old: bytes, new: bytes) -> bool:
        sql = (
            "UPDATE tokens SET secret_enc = $1 "
            "WHERE token_hash = $2 AND secret_enc = $3 AND NOT revoked"
        )
        status = await self._call(self._p().execute, sql, new, token_hash, old)
        return int(cast(str, status).rsplit(" ", 1)[-1]) > 0

    async def revoke_user(self, db: str, uid: int) -> int:
        row = await self._call(self._p().fetchrow, _REVOKE_USER, db, uid)
        return 0 if row is None else int(row["n"])

    async def revoke_prefix(self, prefix: str) -> int:
        return len(await self._call(self._p().fetch, _REVOKE_PREFIX, prefix))

    async def live_tokens_by_key(self, now: float) -> dict[str, int]:
        sql = "SELECT key_id, count(*) FROM tokens WHERE NOT revoked AND expires_at > $1 GROUP BY 1"
        rows = await self._call(self._p().fetch, sql, now)
        return {str(r[0]): int(r[1]) for r in rows}

    async def purge_expired(self, now: float) -> int:
        status = await self._call(
            self._p().execute, "DELETE FROM tokens WHERE expires_at <= $1", now
        )
        return int(cast(str, status).rsplit(" ", 1)[-1])

    async def reserve_attempt(
        self, ticket: bytes, limits: Sequence[tuple[bytes, int]], *, now: float, window: float
    ) -> float | None:
        try:
            async with self._p().acquire() as conn, conn.transaction():
                locks = sorted({int.from_bytes(key[:4], "big", signed=True) for key, _ in limits})
                for lock in locks:  # in one order: two sign-ins never wait on each other
                    await conn.execute(
                        "SELECT pg_advisory_xact_lock($1, $2)", ATTEMPT_LOCK_NAMESPACE, lock
                    )
                wait: float | None = None
                for key, limit in limits:
                    row = await conn.fetchrow(_COUNT_ATTEMPTS, key, now - window)
                    if row["n"] >= limit:
                        wait = max(wait or 0.0, float(row["oldest"]) + window - now)
                if wait is None:
                    await conn.execute(_INSERT_ATTEMPTS, [key for key, _ in limits], ticket, now)
                return wait
        except _ERRORS as exc:
            raise _store_error(exc) from exc

    async def claim_idempotency(
        self, key: bytes, request_hash: bytes, owner: bytes, *, now: float, ttl: float
    ) -> StoredReply | None:
        sql = CLAIM_IDEMPOTENCY.format(*(f"${i}" for i in range(1, 6))) + " RETURNING key_hash"
        args = (key, request_hash, owner, now, now + ttl)
        if await self._call(self._p().fetchval, sql, *args) is not None:
            return None
        row = await self._call(
            self._p().fetchrow,
            "SELECT request_hash, status, body FROM idempotency WHERE key_hash = $1",
            key,
        )
        if row is None:  # released between the two statements: still someone else's turn
            return StoredReply(request_hash, None, None)
        body = None if row["body"] is None else bytes(row["body"])
        return StoredReply(bytes(row["request_hash"]), row["status"], body)

    async def finish_idempotency(self, key: bytes, owner: bytes, status: int, body: bytes) -> None:
        sql = "UPDATE idempotency SET status = $1, body = $2 WHERE key_hash = $3 AND owner = $4"
        await self._call(self._p().execute, sql, status, body, key, owner)

    async def release_idempotency(self, key: bytes, owner: bytes) -> None:
        sql = "DELETE FROM idempotency WHERE key_hash = $1 AND owner = $2 AND status IS NULL"
        await self._call(self._p().execute, sql, key, owner)

    async def abandon_idempotency(
        self, key: bytes, *, before: float, status: int, body: bytes
    ) -> bool:
        sql = ABANDON_IDEMPOTENCY.format(*(f"${i}" for i in range(1, 5)))
        done = await self._call(self._p().execute, sql, key, before, status, body)
        return str(done).rsplit(" ", 1)[-1] != "0"

    async def purge_idempotency(self, now: float) -> int:
        status = await self._call(
            self._p().execute, "DELETE FROM idempotency WHERE expires_at <= $1", now
        )
        return int(str(status).rsplit(" ", 1)[-1])

    async def forgive_attempt(self, ticket: bytes) -> None:
        sql = "DELETE FROM login_attempts WHERE ticket = $1"
        await self._call(self._p().execute, sql, ticket)

    async def purge_attempts(self, before: float) -> int:
        sql = "DELETE FROM login_attempts WHERE at <= $1"
        status = await self._call(self._p().execute, sql, before)
        return int(cast(str, status).rsplit(" ", 1)[-1])

    async def _write_touches(self, items: dict[bytes, float]) -> None:
        await self._call(self._p().execute, _TOUCH, list(items), list(items.values()))

    async def list(self, *, db: str | None = None, uid: int | None = None) -> list[TokenRecord]:
        sql = (
            f"SELECT {COLUMNS} FROM tokens "  # noqa: S608
            "WHERE ($1::text IS NULL OR db = $1) AND ($2::integer IS NULL OR uid = $2) "
            "ORDER BY created_at, token_hash"
        )
        rows = await self._call(self._p().fetch, sql, db, uid)
        return [record_from_row(r) for r in rows]

    # --- webhook subscriptions ---

    async def add_subscription(self, sub: Subscription, *, cap: int) -> bool:
        try:
            async with self._p().acquire() as conn, conn.transaction():
                await conn.execute(
                    "SELECT pg_advisory_xact_lock($1, hashtext($2::text || ':' || $3::integer))",
                    SUBSCRIPTION_LOCK_NAMESPACE,
                    sub.db,
                    sub.uid,
                )
                count = await conn.fetchval(
                    "SELECT count(*) FROM webhook_subscriptions WHERE db = $1 AND uid = $2",
                    sub.db,
                    sub.uid,
                )
                if count >= cap:
                    return False
                await conn.execute(_INSERT_SUB, *subscription_to_row(sub))
                return True
        except _ERRORS as exc:
            raise _store_error(exc) from exc

    async def get_subscription(self, sub_id: str) -> Subscription | None:
        row = await self._call(self._p().fetchrow, f"{_SELECT_SUBS} WHERE id = $1", sub_id)
        return None if row is None else subscription_from_row(row)

    async def list_subscriptions(
        self, *, db: str | None = None, uid: int | None = None
    ) -> builtins.list[Subscription]:
        sql = (
            f"{_SELECT_SUBS} WHERE ($1::text IS NULL OR db = $1) "
            "AND ($2::integer IS NULL OR uid = $2) ORDER BY created_at, id"
        )
        return [subscription_from_row(r) for r in await self._call(self._p().fetch, sql, db, uid)]

    async def set_subscription_active(
        self,
        sub_id: str,
        db: str,
        uid: int,
        active: bool,
        *,
        cred: tuple[bytes, str, str] | None = None,
    ) -> bool:
        sql = (
            "UPDATE webhook_subscriptions SET active = $1, note = '', "
            "cred_enc = coalesce($5, cred_enc), cred_kind = coalesce($6, cred_kind), "
            "login = coalesce($7, login) WHERE id = $2 AND db = $3 AND uid = $4"
        )
        enc, kind, login = cred or (None, None, None)
        status = await self._call(self._p().execute, sql, active, sub_id, db, uid, enc, kind, login)
        return _count(status) > 0

    async def delete_subscription(self, sub_id: str, db: str, uid: int) -> bool:
        try:
            async with self._p().acquire() as conn, conn.transaction():
                sql = "DELETE FROM webhook_subscriptions WHERE id = $1 AND db = $2 AND uid = $3"
                if _count(await conn.execute(sql, sub_id, db, uid)) == 0:
                    return False
                sql = "DELETE FROM webhook_deliveries WHERE subscription_id = $1"
                await conn.execute(sql, sub_id)
                await conn.execute("DELETE FROM webhook_watch WHERE subscription_id = $1", sub_id)
                return True
        except _ERRORS as exc:
            raise _store_error(exc) from exc

    # --- webhook deliveries ---

    async def note_subscription(self, sub_id: str, note: str, *, stop: bool = False) -> None:
        sql = (
            "UPDATE webhook_subscriptions SET note = $1, "
            "active = CASE WHEN $2 THEN false ELSE active END WHERE id = $3"
        )
        await self._call(self._p().execute, sql, note, stop, sub_id)

    async def load_watch(self, sub_id: str) -> str | None:
        sql = "SELECT state FROM webhook_watch WHERE subscription_id = $1"
        value = await self._call(self._p().fetchval, sql, sub_id)
        return None if value is None else str(value)

    async def queue_deliveries(
        self, sub_id: str, deliveries: Sequence[Delivery], state: str
    ) -> None:
        try:
            async with self._p().acquire() as conn, conn.transaction():
                if deliveries:
                    await conn.executemany(
                        _INSERT_DELIVERY, [delivery_to_row(d) for d in deliveries]
                    )
                await conn.execute(_SAVE_WATCH, sub_id, state)
        except _ERRORS as exc:
            raise _store_error(exc) from exc

    async def pending_deliveries(self, sub_id: str) -> int:
        sql = (
            "SELECT count(*) FROM webhook_deliveries "
            "WHERE subscription_id = $1 AND status = 'pending'"
        )
        return int(await self._call(self._p().fetchval, sql, sub_id))

    async def due_deliveries(
        self, now: float, *, per_subscription: int, limit: int
    ) -> builtins.list[Delivery]:
        sql = DUE_DELIVERIES.format("$1", "$2", per=int(per_subscription))
        rows = await self._call(self._p().fetch, sql, now, limit)
        return [delivery_from_row(r) for r in rows]

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
        sql = (
            "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, "
            "last_status = $4, last_error = $5, delivered_at = $6 WHERE id = $7"
        )
        args = (status, attempts, next_attempt_at, last_status, last_error, delivered_at)
        await self._call(self._p().execute, sql, *args, delivery_id)

    async def list_deliveries(
        self, sub_id: str, *, limit: int, before: int | None = None
    ) -> builtins.list[Delivery]:
        sql = (
            f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE subscription_id = $1 "  # noqa: S608
            "AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3"
        )
        rows = await self._call(self._p().fetch, sql, sub_id, before, limit)
        return [delivery_from_row(r) for r in rows]

    async def redeliver(self, sub_id: str, delivery_id: str, now: float) -> Delivery | None:
        sql = (
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = "  # noqa: S608
            "$1, retry_from = $1, delivered_at = NULL, attempts = 0 "
            "WHERE id = $2 AND subscription_id = $3 "
            "RETURNING " + DELIVERY_COLUMNS
        )
        row = await self._call(self._p().fetchrow, sql, now, delivery_id, sub_id)
        return None if row is None else delivery_from_row(row)

    async def claim_lease(self, name: str, holder: str, *, now: float, ttl: float) -> bool:
        sql = LEASE_CLAIM.format("$1", "$2", "$3", "$4") + " RETURNING name"
        return await self._call(self._p().fetchval, sql, name, holder, now + ttl, now) is not None

    async def release_lease(self, name: str, holder: str) -> None:
        sql = "DELETE FROM webhook_leases WHERE name = $1 AND holder = $2"
        await self._call(self._p().execute, sql, name, holder)

    # --- revocation notifications ---

    async def subscribe(self, callback: RevocationCallback) -> Callable[[], None]:
        """Listen for revocations from every replica; returns once LISTEN is active."""
        self._p()
        unsubscribe = self._add_callback(callback)
        if self._listen_conn is None and self._relisten_task is None:
            try:
                await self._listen()
            except _ERRORS as exc:
                unsubscribe()
                raise _store_error(exc) from exc
        return unsubscribe

    async def _listen(self) -> None:
        conn = await asyncpg.connect(self._dsn)
        try:
            await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
        except BaseException:
            await conn.close()
            raise
        conn.add_termination_listener(self._on_listen_lost)
        self._listen_conn = conn

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            event = Revocation.from_payload(payload)
        except ValueError:
            log.warning("ignoring malformed revocation notice %r", payload[:100])
            return
        self._dispatch(event)

    def _on_listen_lost(self, _conn: Any) -> None:
        if self._closing or self._pool is None:
            return
        log.warning("lost the revocation channel; reconnecting")
        self._listen_conn = None
        if self._relisten_task is None:
            self._relisten_task = asyncio.get_running_loop().create_task(self._relisten())

    async def _relisten(self) -> None:
        """Reconnect with backoff, then tell caches to drop everything (notices were missed)."""
        delay = 0.2
        try:
            while not self._closing:
                try:
                    await self._listen()
                except _ERRORS as exc:
                    log.warning("revocation channel still down (%s)", type(exc).__name__)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 30.0)
                    continue
                self._dispatch(Revocation(everything=True))
                return
        finally:
            self._relisten_task = None

    @property
    def listening(self) -> bool:
        return self._listen_conn is not None
