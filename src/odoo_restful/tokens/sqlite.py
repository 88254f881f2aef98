"""SQLite token store: the embedded default for a single gateway process.

All SQL runs on one dedicated thread that owns the connection, so the event loop
never blocks and writes never contend with each other inside the process. WAL with
``synchronous=FULL``: once ``insert`` or ``revoke`` returns, it survives ``kill -9``
and power loss.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import os
import sqlite3
import stat
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

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

__all__ = ["SqliteStore", "upgrade_sqlite"]

log = logging.getLogger("odoo_restful.tokens")
T = TypeVar("T")

_INSERT = f"INSERT INTO tokens ({COLUMNS}) VALUES ({', '.join('?' * 14)})"  # noqa: S608
_TOUCH = (
    "UPDATE tokens SET last_used_at = ? "
    "WHERE token_hash = ? AND (last_used_at IS NULL OR last_used_at < ?)"
)
_INSERT_SUB = f"INSERT INTO webhook_subscriptions ({SUB_COLUMNS}) VALUES ({', '.join('?' * 16)})"  # noqa: S608
_INSERT_DELIVERY = (
    f"INSERT INTO webhook_deliveries ({INSERT_COLUMNS}) VALUES ({', '.join('?' * 13)})"  # noqa: S608
)
_SAVE_WATCH = (
    "INSERT INTO webhook_watch (subscription_id, state) VALUES (?, ?) "
    "ON CONFLICT (subscription_id) DO UPDATE SET state = excluded.state"
)
_COUNT_ATTEMPTS = "SELECT count(*), min(at) FROM login_attempts WHERE key_hash = ? AND at > ?"
_INSERT_ATTEMPT = "INSERT INTO login_attempts (key_hash, ticket, at) VALUES (?, ?, ?)"
# Stores open on the same file in this process, so a revocation reaches all of them.
_PEERS: dict[str, weakref.WeakSet[SqliteStore]] = {}


def _create_private(path: str) -> None:
    """Create the database file with mode 0600 before SQLite does (WAL/SHM inherit it)."""
    Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
    finally:
        os.close(fd)
    if mode & 0o077:
        log.warning("token database %s is readable by others (mode %o)", path, mode)


def _connect(path: str, busy_timeout: float) -> sqlite3.Connection:
    if path != ":memory:":
        _create_private(path)
    conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        _enable_wal(conn, busy_timeout)
        conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        conn.close()
        raise
    return conn


def _enable_wal(conn: sqlite3.Connection, busy_timeout: float) -> None:
    """Switch to WAL, retrying: SQLite does not wait (no busy handler) for this lock,
    so two processes creating the file together would otherwise fail at once."""
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(0.005)


def _statements(sql: str) -> Iterator[str]:
    """Split a migration file into statements (``sqlite3`` runs one per ``execute``)."""
    buf = ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            yield buf
            buf = ""
    if any(ln.strip() and not ln.strip().startswith("--") for ln in buf.splitlines()):
        raise ValueError("Migration ends with an incomplete SQL statement")


def _migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations in one write transaction (concurrent callers queue)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(SCHEMA_VERSION_DDL.format(real="REAL"))
        done = {row[0] for row in conn.execute("SELECT name FROM schema_version")}
        applied: list[str] = []
        for name, sql in load_migrations("sqlite"):
            if name in done:
                continue
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_version (name, applied_at) VALUES (?, ?)", (name, time.time())
            )
            applied.append(name)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return applied


def _store_error(exc: sqlite3.Error) -> TokenStoreError:
    log.error("token store (sqlite) failed: %r", exc)
    return TokenStoreError("The token store failed")


async def upgrade_sqlite(path: str, *, busy_timeout: float = 30.0) -> list[str]:
    """Apply pending migrations to a SQLite token database; returns the names applied."""

    def work() -> list[str]:
        conn = _connect(path, busy_timeout)
        try:
            return _migrate(conn)
        finally:
            conn.close()

    try:
        return await asyncio.to_thread(work)
    except sqlite3.Error as exc:
        raise _store_error(exc) from exc


class SqliteStore(BaseStore):
    """Token store in one SQLite file; see :class:`~odoo_restful.tokens.store.TokenStore`."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        touch_interval: float = 5.0,
        busy_timeout: float = 5.0,
    ) -> None:
        super().__init__(touch_interval=touch_interval)
        self._path = os.fspath(path)
        self._busy_timeout = busy_timeout
        self._key = f":memory:{id(self)}" if self._path == ":memory:" else os.path.realpath(path)
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None  # used on the executor thread only

    def __repr__(self) -> str:
        return f"SqliteStore({self._path!r})"

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            raise TokenStoreError("The token store is not open")
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc

    def _c(self) -> sqlite3.Connection:
        if self._conn is None:
            raise TokenStoreError("The token store is not open")
        return self._conn

    def _broadcast(self, event: Revocation) -> None:
        for peer in builtins.list(_PEERS.get(self._key, ())):
            peer._dispatch(event)

    # --- lifecycle ---

    def _open_sync(self) -> None:
        self._conn = _connect(self._path, self._busy_timeout)
        try:
            _migrate(self._conn)
        except BaseException:
            self._conn.close()
            self._conn = None
            raise

    async def open(self) -> None:
        if self._executor is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tokens-sqlite")
        try:
            await self._run(self._open_sync)
        except BaseException:
            self._executor.shutdown(wait=False)
            self._executor = None
            raise
        _PEERS.setdefault(self._key, weakref.WeakSet()).add(self)

    def _close_sync(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        if self._executor is None:
            return
        peers = _PEERS.get(self._key)
        if peers is not None:
            peers.discard(self)
            if not peers:
                del _PEERS[self._key]
        try:
            await self._stop_touches()
        finally:
            try:
                await self._run(self._close_sync)
            finally:
                self._executor.shutdown(wait=False)
                self._executor = None

    # --- queries (each *_sync runs on the store's thread) ---

    def _write_sync(self, sql: str, params: tuple[Any, ...]) -> int:
        return self._c().execute(sql, params).rowcount

    async def insert(self, rec: TokenRecord) -> None:
        await self._run(self._write_sync, _INSERT, record_to_row(rec))

    def _get_sync(self, hashes: Sequence[bytes]) -> TokenRecord | None:
        marks = ", ".join("?" * len(hashes))
        sql = f"SELECT {COLUMNS} FROM tokens WHERE token_hash IN ({marks})"  # noqa: S608
        rows = {bytes(r[0]): r for r in self._c().execute(sql, tuple(hashes))}
        for h in hashes:
            if h in rows:
                return record_from_row(rows[h])
        return None

    async def get(self, hashes: Sequence[bytes]) -> TokenRecord | None:
        if not hashes:
            return None
        return await self._run(self._get_sync, hashes)

    def _ping_sync(self) -> None:
        self._c().execute("SELECT count(*) FROM schema_version").fetchone()

    async def ping(self) -> None:
        await self._run(self._ping_sync)

    async def revoke(self, token_hash: bytes) -> bool:
        sql = "UPDATE tokens SET revoked = 1 WHERE token_hash = ? AND revoked = 0"
        done = await self._run(self._write_sync, sql, (token_hash,)) > 0
        if done:
            self._broadcast(Revocation(token_hash=token_hash))
        return done

    async def reseal(self, token_hash: bytes, old: bytes, new: bytes) -> bool:
        sql = (
            "UPDATE tokens SET secret_enc = ? "
            "WHERE token_hash = ? AND secret_enc = ? AND revoked = 0"
        )
        return await self._run(self._write_sync, sql, (new, token_hash, old)) > 0

    async def revoke_user(self, db: str, uid: int) -> int:
        sql = "UPDATE tokens SET revoked = 1 WHERE db = ? AND uid = ? AND revoked = 0"
        count = await self._run(self._write_sync, sql, (db, uid))
        if count:
            self._broadcast(Revocation(db=db, uid=uid))
        return count

    def _revoke_prefix_sync(self, prefix: str) -> builtins.list[bytes]:
        sql = "UPDATE tokens SET revoked = 1 WHERE prefix = ? AND revoked = 0 RETURNING token_hash"
        return [bytes(r[0]) for r in self._c().execute(sql, (prefix,)).fetchall()]

    async def revoke_prefix(self, prefix: str) -> int:
        hashes = await self._run(self._revoke_prefix_sync, prefix)
        for h in hashes:
            self._broadcast(Revocation(token_hash=h))
        return len(hashes)

    async def purge_expired(self, now: float) -> int:
        return await self._run(self._write_sync, "DELETE FROM tokens WHERE expires_at <= ?", (now,))

    def _touch_sync(self, items: dict[bytes, float]) -> None:
        conn = self._c()
        conn.execute("BEGIN")
        try:
            conn.executemany(_TOUCH, [(t, h, t) for h, t in items.items()])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    async def _write_touches(self, items: dict[bytes, float]) -> None:
        await self._run(self._touch_sync, items)

    def _reserve_sync(
        self, ticket: bytes, limits: Sequence[tuple[bytes, int]], now: float, window: float
    ) -> float | None:
        conn = self._c()
        # IMMEDIATE takes the file's write lock first: the count and the insert are one
        # step for every worker sharing the file.
        conn.execute("BEGIN IMMEDIATE")
        try:
            wait: float | None = None
            for key, limit in limits:
                count, oldest = conn.execute(_COUNT_ATTEMPTS, (key, now - window)).fetchone()
                if count >= limit:
                    wait = max(wait or 0.0, float(oldest) + window - now)
            if wait is None:
                conn.executemany(_INSERT_ATTEMPT, [(key, ticket, now) for key, _ in limits])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return wait

    async def reserve_attempt(
        self, ticket: bytes, limits: Sequence[tuple[bytes, int]], *, now: float, window: float
    ) -> float | None:
        return await self._run(self._reserve_sync, ticket, limits, now, window)

    async def forgive_attempt(self, ticket: bytes) -> None:
        await self._run(self._write_sync, "DELETE FROM login_attempts WHERE ticket = ?", (ticket,))

    def _claim_sync(
        self, key: bytes, request_hash: bytes, owner: bytes, now: float, ttl: float
    ) -> StoredReply | None:
        conn = self._c()
        sql = CLAIM_IDEMPOTENCY.format(*(f"?{i}" for i in range(1, 6)))
        args = (key, request_hash, owner, now, now + ttl)
        conn.execute("BEGIN IMMEDIATE")
        try:
            claimed = conn.execute(sql, args).rowcount > 0
            row = None
            if not claimed:
                row = conn.execute(
                    "SELECT request_hash, status, body FROM idempotency WHERE key_hash = ?", (key,)
                ).fetchone()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if row is None:
            return None
        return StoredReply(bytes(row[0]), row[1], None if row[2] is None else bytes(row[2]))

    async def claim_idempotency(
        self, key: bytes, request_hash: bytes, owner: bytes, *, now: float, ttl: float
    ) -> StoredReply | None:
        return await self._run(self._claim_sync, key, request_hash, owner, now, ttl)

    async def finish_idempotency(self, key: bytes, owner: bytes, status: int, body: bytes) -> None:
        sql = "UPDATE idempotency SET status = ?, body = ? WHERE key_hash = ? AND owner = ?"
        await self._run(self._write_sync, sql, (status, body, key, owner))

    async def release_idempotency(self, key: bytes, owner: bytes) -> None:
        sql = "DELETE FROM idempotency WHERE key_hash = ? AND owner = ? AND status IS NULL"
        await self._run(self._write_sync, sql, (key, owner))

    async def abandon_idempotency(
        self, key: bytes, *, before: float, status: int, body: bytes
    ) -> bool:
        sql = ABANDON_IDEMPOTENCY.format(*(f"?{i}" for i in range(1, 5)))
        return bool(await self._run(self._write_sync, sql, (key, before, status, body)))

    async def purge_idempotency(self, now: float) -> int:
        sql = "DELETE FROM idempotency WHERE expires_at <= ?"
        return await self._run(self._write_sync, sql, (now,))

    async def purge_attempts(self, before: float) -> int:
        sql = "DELETE FROM login_attempts WHERE at <= ?"
        return await self._run(self._write_sync, sql, (before,))

    def _list_sync(self, db: str | None, uid: int | None) -> builtins.list[TokenRecord]:
        sql = (
            f"SELECT {COLUMNS} FROM tokens WHERE (?1 IS NULL OR db = ?1) "  # noqa: S608
            "AND (?2 IS NULL OR uid = ?2) ORDER BY created_at, token_hash"
        )
        return [record_from_row(r) for r in self._c().execute(sql, (db, uid))]

    async def list(self, *, db: str | None = None, uid: int | None = None) -> list[TokenRecord]:
        return await self._run(self._list_sync, db, uid)

    def _live_by_key_sync(self, now: float) -> dict[str, int]:
        sql = "SELECT key_id, count(*) FROM tokens WHERE revoked = 0 AND expires_at > ? GROUP BY 1"
        return {str(kid): int(n) for kid, n in self._c().execute(sql, (now,))}

    async def live_tokens_by_key(self, now: float) -> dict[str, int]:
        return await self._run(self._live_by_key_sync, now)

    # --- webhook subscriptions ---

    def _add_subscription_sync(self, sub: Subscription, cap: int) -> bool:
        conn = self._c()
        conn.execute("BEGIN IMMEDIATE")  # count and insert as one step for every worker
        try:
            sql = "SELECT count(*) FROM webhook_subscriptions WHERE db = ? AND uid = ?"
            (count,) = conn.execute(sql, (sub.db, sub.uid)).fetchone()
            if count < cap:
                conn.execute(_INSERT_SUB, subscription_to_row(sub))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return bool(count < cap)

    async def add_subscription(self, sub: Subscription, *, cap: int) -> bool:
        return await self._run(self._add_subscription_sync, sub, cap)

    def _subscriptions_sync(
        self, where: str, params: tuple[Any, ...]
    ) -> builtins.list[Subscription]:
        sql = (
            f"SELECT {SUB_COLUMNS} FROM webhook_subscriptions WHERE {where} ORDER BY created_at, id"  # noqa: S608
        )
        return [subscription_from_row(r) for r in self._c().execute(sql, params)]

    async def get_subscription(self, sub_id: str) -> Subscription | None:
        found = await self._run(self._subscriptions_sync, "id = ?", (sub_id,))
        return found[0] if found else None

    async def list_subscriptions(
        self, *, db: str | None = None, uid: int | None = None
    ) -> builtins.list[Subscription]:
        where = "(?1 IS NULL OR db = ?1) AND (?2 IS NULL OR uid = ?2)"
        return await self._run(self._subscriptions_sync, where, (db, uid))

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
            "UPDATE webhook_subscriptions SET active = ?1, note = '', "
            "cred_enc = coalesce(?5, cred_enc), cred_kind = coalesce(?6, cred_kind), "
            "login = coalesce(?7, login) WHERE id = ?2 AND db = ?3 AND uid = ?4"
        )
        enc, kind, login = cred or (None, None, None)
        return (
            await self._run(self._write_sync, sql, (active, sub_id, db, uid, enc, kind, login)) > 0
        )

    def _delete_subscription_sync(self, sub_id: str, db: str, uid: int) -> bool:
        conn = self._c()
        conn.execute("BEGIN IMMEDIATE")
        try:
            sql = "DELETE FROM webhook_subscriptions WHERE id = ? AND db = ? AND uid = ?"
            done = conn.execute(sql, (sub_id, db, uid)).rowcount > 0
            if done:
                conn.execute("DELETE FROM webhook_deliveries WHERE subscription_id = ?", (sub_id,))
                conn.execute("DELETE FROM webhook_watch WHERE subscription_id = ?", (sub_id,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return done

    async def delete_subscription(self, sub_id: str, db: str, uid: int) -> bool:
        return await self._run(self._delete_subscription_sync, sub_id, db, uid)

    # --- webhook deliveries ---

    async def note_subscription(self, sub_id: str, note: str, *, stop: bool = False) -> None:
        sql = (
            "UPDATE webhook_subscriptions SET note = ?, "
            "active = CASE WHEN ? THEN 0 ELSE active END WHERE id = ?"
        )
        await self._run(self._write_sync, sql, (note, stop, sub_id))

    def _fetch_sync(self, sql: str, params: tuple[Any, ...]) -> builtins.list[Any]:
        return self._c().execute(sql, params).fetchall()

    async def load_watch(self, sub_id: str) -> str | None:
        sql = "SELECT state FROM webhook_watch WHERE subscription_id = ?"
        rows = await self._run(self._fetch_sync, sql, (sub_id,))
        return str(rows[0][0]) if rows else None

    def _queue_sync(self, sub_id: str, deliveries: Sequence[Delivery], state: str) -> None:
        conn = self._c()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(_INSERT_DELIVERY, [delivery_to_row(d) for d in deliveries])
            conn.execute(_SAVE_WATCH, (sub_id, state))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    async def queue_deliveries(
        self, sub_id: str, deliveries: Sequence[Delivery], state: str
    ) -> None:
        await self._run(self._queue_sync, sub_id, deliveries, state)

    async def pending_deliveries(self, sub_id: str) -> int:
        sql = (
            "SELECT count(*) FROM webhook_deliveries "
            "WHERE subscription_id = ? AND status = 'pending'"
        )
        rows = await self._run(self._fetch_sync, sql, (sub_id,))
        return int(rows[0][0])

    async def due_deliveries(
        self, now: float, *, per_subscription: int, limit: int
    ) -> builtins.list[Delivery]:
        sql = DUE_DELIVERIES.format("?", "?", per=int(per_subscription))
        rows = await self._run(self._fetch_sync, sql, (now, limit))
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
            "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, "
            "last_status = ?, last_error = ?, delivered_at = ? WHERE id = ?"
        )
        args = (status, attempts, next_attempt_at, last_status, last_error, delivered_at)
        await self._run(self._write_sync, sql, (*args, delivery_id))

    async def list_deliveries(
        self, sub_id: str, *, limit: int, before: int | None = None
    ) -> builtins.list[Delivery]:
        sql = (
            f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE subscription_id = ?1 "  # noqa: S608
            "AND (?2 IS NULL OR seq < ?2) ORDER BY seq DESC LIMIT ?3"
        )
        rows = await self._run(self._fetch_sync, sql, (sub_id, before, limit))
        return [delivery_from_row(r) for r in rows]

    async def redeliver(self, sub_id: str, delivery_id: str, now: float) -> Delivery | None:
        sql = (
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = "  # noqa: S608
            "?1, retry_from = ?1, delivered_at = NULL, attempts = 0 "
            "WHERE id = ?2 AND subscription_id = ?3 "
            "RETURNING " + DELIVERY_COLUMNS
        )
        rows = await self._run(self._fetch_sync, sql, (now, delivery_id, sub_id))
        return delivery_from_row(rows[0]) if rows else None

    async def claim_lease(self, name: str, holder: str, *, now: float, ttl: float) -> bool:
        sql = LEASE_CLAIM.format("?1", "?2", "?3", "?4")
        return await self._run(self._write_sync, sql, (name, holder, now + ttl, now)) > 0

    async def release_lease(self, name: str, holder: str) -> None:
        sql = "DELETE FROM webhook_leases WHERE name = ? AND holder = ?"
        await self._run(self._write_sync, sql, (name, holder))

    async def subscribe(self, callback: RevocationCallback) -> Callable[[], None]:
        """In-process only: reaches every store open on the same file in this process."""
        return self._add_callback(callback)
