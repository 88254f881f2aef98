"""One suite for both token stores (SQLite and PostgreSQL), plus SQLite-only durability."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from odoo_restful.compose import open_store
from odoo_restful.compose import upgrade_store as upgrade
from odoo_restful.errors import GatewayError
from odoo_restful.tokens import (
    Revocation,
    Scopes,
    ServerSecrets,
    TokenRecord,
    TokenStore,
    TokenStoreError,
    decrypt_secret,
    encrypt_secret,
    new_token,
)
from odoo_restful.tokens.postgres import PostgresStore
from odoo_restful.tokens.sqlite import SqliteStore
from odoo_restful.tokens.store import StoredReply

try:  # tests/ may or may not be a package
    from .pg import fresh_database, pg_dsn
except ImportError:
    from pg import fresh_database, pg_dsn  # noqa: F401 (a fixture)

T = TypeVar("T")
NOW = 1_750_000_000.0
MIGRATIONS = [
    "0001_init",
    "0002_login_attempts",
    "0003_idempotency",
    "0004_webhook_subscriptions",
    "0005_webhook_deliveries",
]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a fresh, empty store lives: a file in tmp_path or a new PG database."""
    if request.param == "sqlite":
        yield str(tmp_path / "tokens.db")
        return
    with fresh_database(request.getfixturevalue("pg_dsn")) as dsn:
        yield dsn


def record(
    n: int,
    *,
    db: str = "db1",
    uid: int = 1,
    created: float = NOW,
    expires: float = NOW + 3600,
    prefix: str | None = None,
    scopes: Scopes | None = None,
) -> TokenRecord:
    return TokenRecord(
        token_hash=hashlib.sha256(b"token %d" % n).digest(),
        prefix=prefix or f"odr_{n:04d}",
        db=db,
        uid=uid,
        login=f"user{uid}@example.com",
        secret_enc=b"\x01" + hashlib.sha256(b"sealed %d" % n).digest(),
        secret_kind="password" if n % 2 else "api_key",
        scopes=scopes or Scopes(),
        user_info={"uid": uid, "company_id": 1, "user_context": {"lang": "en_US"}},
        created_at=created,
        expires_at=expires,
        last_used_at=None,
        revoked=False,
        key_id="0123abcd",
    )


async def opened(url: str, **options: Any) -> TokenStore:
    store = open_store(url, **options)
    await store.open()
    return store


def test_insert_get_roundtrip(url: str) -> None:
    async def body() -> None:
        store = await opened(url)
        scoped = Scopes(read_only=True, models=("res.partner", "sale.order"), methods=("read",))
        rec, other = record(1, scopes=scoped), record(2)
        await store.insert(rec)
        await store.insert(other)
        assert await store.get([rec.token_hash]) == rec
        assert await store.get([b"\x00" * 32, rec.token_hash]) == rec
        assert await store.get([other.token_hash, rec.token_hash]) == other  # order wins
        assert await store.get([b"\x00" * 32]) is None
        assert await store.get([]) is None
        await store.close()

    run(body())


def test_live_tokens_are_counted_per_key_in_one_query(url: str) -> None:
    """What the start-up warning on tokens under unknown secrets reads: revoked and
    expired tokens are not live; each key id has its own count."""

    async def body() -> None:
        from dataclasses import replace

        store = await opened(url)
        assert await store.live_tokens_by_key(NOW) == {}
        for n in range(3):
            await store.insert(record(n))
        await store.insert(replace(record(3), key_id="ffff0000"))
        await store.insert(replace(record(4), key_id="ffff0000", expires_at=NOW - 1))
        await store.insert(replace(record(5), key_id="ffff0000"))
        await store.revoke(record(5).token_hash)
        assert await store.live_tokens_by_key(NOW) == {"0123abcd": 3, "ffff0000": 1}
        assert await store.live_tokens_by_key(NOW + 7200) == {}
        await store.close()

    run(body())


def test_duplicate_insert_is_a_store_error(url: str) -> None:
    async def body() -> None:
        store = await opened(url)
        await store.insert(record(1))
        with pytest.raises(TokenStoreError) as info:
            await store.insert(record(1))
        assert isinstance(info.value, GatewayError) and info.value.status == 503
        await store.close()

    run(body())


def test_closed_store_raises(url: str) -> None:
    async def body() -> None:
        store = open_store(url)
        with pytest.raises(TokenStoreError):
            await store.get([b"x" * 32])

    run(body())


def test_revoke(url: str) -> None:
    async def body() -> None:
        store = await opened(url)
        rec = record(1)
        await store.insert(rec)
        assert await store.revoke(rec.token_hash) is True
        got = await store.get([rec.token_hash])
        assert got is not None and got.revoked
        assert await store.revoke(rec.token_hash) is False  # already revoked
        assert await store.revoke(b"\x00" * 32) is False
        await store.close()

    run(body())


def test_reseal_replaces_the_sealed_secret_only_while_it_is_unchanged(url: str) -> None:
    """A rotated Odoo session id re-sealed: of two writers that saw the same row only
    the first replaces it; a revoked token keeps what it had."""

    async def body() -> None:
        store = await opened(url)
        rec, other = record(1), record(2)
        await store.insert(rec)
        await store.insert(other)
        assert await store.reseal(rec.token_hash, rec.secret_enc, b"\x01new") is True
        assert await store.reseal(rec.token_hash, rec.secret_enc, b"\x01late") is False
        got = await store.get([rec.token_hash])
        assert got is not None and got.secret_enc == b"\x01new"
        untouched = await store.get([other.token_hash])
        assert untouched is not None and untouched.secret_enc == other.secret_enc
        await store.revoke(other.token_hash)
        assert await store.reseal(other.token_hash, other.secret_enc, b"\x01x") is False
        assert await store.reseal(b"\x00" * 32, b"", b"\x01x") is False
        await store.close()

    run(body())


def test_revoke_user_and_prefix(url: str) -> None:
    async def body() -> None:
        store = await opened(url)
        mine = [record(i, uid=7) for i in range(3)]
        others = [record(10, uid=8), record(11, db="db2", uid=7)]
        for rec in mine + others:
            await store.insert(rec)
        assert await store.revoke_user("db1", 7) == 3
        assert await store.revoke_user("db1", 7) == 0
        states = {r.token_hash: r.revoked for r in await store.list()}
        assert all(states[r.token_hash] for r in mine)
        assert not any(states[r.token_hash] for r in others)

        await store.insert(record(20, prefix="odr_Same"))
        await store.insert(record(21, prefix="odr_Same"))
        assert await store.revoke_prefix("odr_") == 0  # exact match only, never a LIKE
        assert await store.revoke_prefix("odr_Same") == 2
        assert await store.revoke_prefix("odr_Same") == 0
        await store.close()

    run(body())


def test_purge_expired(url: str) -> None:
    async def body() -> None:
        store = await opened(url)
        old, edge, fresh = record(1, expires=NOW - 10), record(2, expires=NOW), record(3)
        for rec in (old, edge, fresh):
            await store.insert(rec)
        assert await store.purge_expired(NOW) == 2
        assert [r.token_hash for r in await store.list()] == [fresh.token_hash]
        assert await store.purge_expired(NOW) == 0
        await store.close()

    run(body())


def test_list_filters_and_order(url: str) -> None:
    async def body() -> None:
        store = await opened(url)
        recs = [
            record(1, db="a", uid=1, created=NOW + 3),
            record(2, db="a", uid=2, created=NOW + 1),
            record(3, db="b", uid=1, created=NOW + 2),
        ]
        for rec in recs:
            await store.insert(rec)

        def ns(rows: list[TokenRecord]) -> list[str]:
            return [r.prefix for r in rows]

        assert ns(await store.list()) == ["odr_0002", "odr_0003", "odr_0001"]
        assert ns(await store.list(db="a")) == ["odr_0002", "odr_0001"]
        assert ns(await store.list(uid=1)) == ["odr_0003", "odr_0001"]
        assert ns(await store.list(db="a", uid=1)) == ["odr_0001"]
        assert await store.list(db="zzz") == []
        await store.close()

    run(body())


def test_touch_is_buffered_then_written(url: str) -> None:
    async def body() -> None:
        store = await opened(url, touch_interval=3600)
        rec = record(1)
        await store.insert(rec)
        await store.touch(rec.token_hash, NOW + 5)
        await store.touch(rec.token_hash, NOW + 2)  # older: ignored
        assert (await store.get([rec.token_hash])).last_used_at is None  # type: ignore[union-attr]
        await store.flush_touches()  # type: ignore[attr-defined]
        assert (await store.get([rec.token_hash])).last_used_at == NOW + 5  # type: ignore[union-attr]
        await store.touch(rec.token_hash, NOW + 1)  # never goes backwards in the DB either
        await store.touch(rec.token_hash, NOW + 9)
        await store.close()  # close writes what is pending
        store = await opened(url, touch_interval=0.05)
        assert (await store.get([rec.token_hash])).last_used_at == NOW + 9  # type: ignore[union-attr]
        await store.touch(rec.token_hash, NOW + 20)
        await asyncio.sleep(0.3)  # the timer flushes without anyone asking
        assert (await store.get([rec.token_hash])).last_used_at == NOW + 20  # type: ignore[union-attr]
        await store.close()

    run(body())


def test_concurrent_inserts(url: str) -> None:
    async def body() -> None:
        store = await opened(url)
        recs = [record(i, uid=i % 5) for i in range(200)]
        await asyncio.gather(*(store.insert(r) for r in recs))
        found = await asyncio.gather(*(store.get([r.token_hash]) for r in recs))
        assert found == recs
        assert len(await store.list()) == 200
        await store.close()

    run(body())


def test_reopen_keeps_tokens(url: str) -> None:
    async def body() -> None:
        store = await opened(url)
        rec = record(1)
        await store.insert(rec)
        await store.close()
        await store.close()  # idempotent
        again = await opened(url)
        assert await again.get([rec.token_hash]) == rec
        await again.close()

    run(body())


def test_migrations_are_idempotent(url: str) -> None:
    async def body() -> None:
        assert await upgrade(url) == MIGRATIONS
        assert await upgrade(url) == []
        store = await opened(url)  # open() migrates again: nothing to do
        await store.insert(record(1))
        await store.close()
        assert await upgrade(url) == []

    run(body())


def test_parallel_upgrades_apply_once(url: str) -> None:
    async def body() -> None:
        results = await asyncio.gather(*(upgrade(url) for _ in range(4)))
        assert sorted(results) == [[], [], [], MIGRATIONS]
        stores = [open_store(url) for _ in range(3)]  # replicas starting together
        await asyncio.gather(*(s.open() for s in stores))
        await asyncio.gather(*(s.close() for s in stores))

    run(body())


def test_revocation_reaches_other_instances(url: str) -> None:
    async def body() -> None:
        issuer, replica = await opened(url), await opened(url)
        events: asyncio.Queue[Revocation] = asyncio.Queue()
        unsubscribe = await replica.subscribe(events.put_nowait)
        recs = [record(1), record(2, uid=9), record(3, uid=9), record(4, prefix="odr_Pfx")]
        for rec in recs:
            await issuer.insert(rec)

        await issuer.revoke(recs[0].token_hash)
        event = await asyncio.wait_for(events.get(), 1.0)
        assert event == Revocation(token_hash=recs[0].token_hash)

        assert await issuer.revoke_user("db1", 9) == 2
        assert await asyncio.wait_for(events.get(), 1.0) == Revocation(db="db1", uid=9)

        assert await issuer.revoke_prefix("odr_Pfx") == 1
        event = await asyncio.wait_for(events.get(), 1.0)
        assert event == Revocation(token_hash=recs[3].token_hash)

        await issuer.revoke(recs[0].token_hash)  # no change: no notice
        unsubscribe()
        await issuer.insert(record(5))
        await issuer.revoke(record(5).token_hash)
        await asyncio.sleep(0.2)
        assert events.empty()
        await issuer.close()
        await replica.close()

    run(body())


def test_open_store_picks_backend(tmp_path: Path) -> None:
    assert isinstance(open_store(str(tmp_path / "a.db")), SqliteStore)
    assert isinstance(open_store(f"sqlite:///{tmp_path}/a.db"), SqliteStore)
    assert isinstance(open_store("postgresql://u@h/db"), PostgresStore)
    assert isinstance(open_store("postgres://u@h/db"), PostgresStore)
    assert "secret" not in repr(open_store("postgresql://u:secret@h/db"))
    with pytest.raises(ValueError):
        open_store("mysql://u@h/db")


def test_sqlite_url_path_forms(tmp_path: Path) -> None:
    async def body() -> None:
        path = tmp_path / "abs.db"
        store = await opened(f"sqlite:///{path}")  # sqlite:////abs/path
        await store.insert(record(1))
        await store.close()
        assert path.exists()

    run(body())


# --- PostgreSQL only ---


def test_pg_listener_reconnects_and_flushes_caches(pg_dsn: str) -> None:
    async def body(dsn: str) -> None:
        import asyncpg

        store = await opened(dsn)
        events: asyncio.Queue[Revocation] = asyncio.Queue()
        await store.subscribe(events.put_nowait)
        admin = await asyncpg.connect(dsn)
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query LIKE 'LISTEN%' "
            "AND pid <> pg_backend_pid()"
        )
        # Notices may have been missed while down: caches are told to drop everything.
        assert await asyncio.wait_for(events.get(), 5.0) == Revocation(everything=True)
        await store.insert(record(1))
        await store.revoke(record(1).token_hash)
        assert await asyncio.wait_for(events.get(), 1.0) == Revocation(
            token_hash=record(1).token_hash
        )
        await admin.close()
        await store.close()

    with fresh_database(pg_dsn) as dsn:
        run(body(dsn))


# --- SQLite only: what is on disk ---


def test_sqlite_file_holds_no_cleartext(tmp_path: Path) -> None:
    secrets = ServerSecrets([os.urandom(32)])
    token, odoo_password = new_token(), "Sup3r-Secret-Odoo-Passw0rd!"
    hashed = secrets.hashes(token)[0]
    rec = TokenRecord(
        token_hash=hashed,
        prefix=token[:8],
        db="db1",
        uid=2,
        login="admin",
        secret_enc=encrypt_secret(token, secrets.current, odoo_password, hashed),
        secret_kind="password",
        scopes=Scopes(),
        user_info={"uid": 2},
        created_at=NOW,
        expires_at=NOW + 60,
        last_used_at=None,
        revoked=False,
        key_id=secrets.current_key_id,
    )
    path = tmp_path / "tokens.db"

    def files() -> list[Path]:
        return [p for p in tmp_path.iterdir() if p.name.startswith("tokens.db")]

    def assert_clean() -> None:
        for p in files():
            data = p.read_bytes()
            for needle in (token, token[8:], odoo_password):
                assert needle.encode() not in data, f"{needle!r} found in {p.name}"

    async def body() -> None:
        store = await opened(str(path))
        await store.insert(rec)
        assert any(p.name.endswith("-wal") for p in files())
        assert_clean()  # while open: the row sits in the WAL
        for p in files():
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name
        got = await store.get(secrets.hashes(token))
        assert got is not None
        assert decrypt_secret(token, secrets.current, got.secret_enc, got.token_hash) == (
            odoo_password
        )
        await store.close()
        assert_clean()  # after the checkpoint: the row is in the main file

    run(body())


def test_sqlite_insert_survives_kill_9(tmp_path: Path) -> None:
    path = str(tmp_path / "tokens.db")
    rec = record(42)
    script = textwrap.dedent(
        f"""
        import asyncio
        from odoo_restful.compose import open_store
        from odoo_restful.tokens import Scopes, TokenRecord

        async def main():
            store = open_store({path!r})
            await store.open()
            await store.insert(TokenRecord(
                token_hash=bytes.fromhex({rec.token_hash.hex()!r}), prefix={rec.prefix!r},
                db={rec.db!r}, uid={rec.uid!r}, login={rec.login!r},
                secret_enc=bytes.fromhex({rec.secret_enc.hex()!r}),
                secret_kind={rec.secret_kind!r}, scopes=Scopes(), user_info={rec.user_info!r},
                created_at={rec.created_at!r}, expires_at={rec.expires_at!r},
                last_used_at=None, revoked=False, key_id={rec.key_id!r}))
            print("ok", flush=True)
            await asyncio.sleep(120)

        asyncio.run(main())
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ok"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL

    async def body() -> None:
        store = await opened(path)
        assert await store.get([rec.token_hash]) == rec
        await store.close()

    run(body())


def test_sqlite_in_memory_store() -> None:
    async def body() -> None:
        store = await opened("sqlite://")
        await store.insert(record(1))
        assert await store.get([record(1).token_hash]) == record(1)
        await store.close()

    run(body())


def test_sqlite_touch_flush_uses_one_thread(tmp_path: Path) -> None:
    """Many touches cost one write, done by the store's own thread."""

    async def body() -> None:
        store = await opened(str(tmp_path / "t.db"), touch_interval=3600)
        recs = [record(i) for i in range(50)]
        for rec in recs:
            await store.insert(rec)
        start = time.perf_counter()
        for i, rec in enumerate(recs):
            await store.touch(rec.token_hash, NOW + i)
        assert time.perf_counter() - start < 0.05  # no I/O on the request path
        await store.close()
        store = await opened(str(tmp_path / "t.db"))
        rows = {r.token_hash: r.last_used_at for r in await store.list()}
        assert [rows[r.token_hash] for r in recs] == [NOW + i for i in range(50)]
        await store.close()

    run(body())


def test_login_attempts_reserve_forgive_purge(url: str) -> None:
    """Count-then-insert is one step: concurrent reservations never pass the limit."""

    async def body() -> None:
        stores = [await opened(url), await opened(url)]  # two processes' worth of stores
        key, other = b"k" * 32, b"o" * 32
        tickets = [bytes([i]) * 16 for i in range(40)]
        verdicts = await asyncio.gather(
            *(
                stores[i % 2].reserve_attempt(t, [(key, 5), (other, 100)], now=NOW, window=60)
                for i, t in enumerate(tickets)
            )
        )
        granted = [t for t, v in zip(tickets, verdicts, strict=True) if v is None]
        assert len(granted) == 5
        assert all(0 < v <= 60 for v in verdicts if v is not None)
        # forgiving a success frees its place, for both keys
        await stores[1].forgive_attempt(granted[0])
        assert (
            await stores[0].reserve_attempt(b"x" * 16, [(key, 5)], now=NOW + 1, window=60) is None
        )
        assert await stores[0].reserve_attempt(b"y" * 16, [(key, 5)], now=NOW + 1, window=60) == 59
        # outside the window, old attempts no longer count; purge deletes them
        assert (
            await stores[0].reserve_attempt(b"z" * 16, [(key, 5)], now=NOW + 61, window=60) is None
        )
        # 4 left on each key at NOW, and "x" at NOW + 1
        assert await stores[1].purge_attempts(NOW + 30) == 4 + 4 + 1
        for store in stores:
            await store.close()

    run(body())


def test_idempotency_claims_answers_expiry_and_abandon(url: str) -> None:
    async def body() -> None:
        store = await opened(url)
        try:
            key, req, other = b"k" * 32, b"r" * 32, b"o" * 32
            claim = store.claim_idempotency
            assert await claim(key, req, b"a" * 16, now=NOW, ttl=100) is None
            held = await claim(key, req, b"b" * 16, now=NOW + 1, ttl=100)
            assert held == StoredReply(req, None, None)  # still running
            # only the holder fills it in
            await store.finish_idempotency(key, b"b" * 16, 201, b"nope")
            assert await claim(key, req, b"c" * 16, now=NOW + 2, ttl=100) == held
            await store.finish_idempotency(key, b"a" * 16, 201, b'{"id":1}')
            done = StoredReply(req, 201, b'{"id":1}')
            assert await claim(key, other, b"d" * 16, now=NOW + 50, ttl=100) == done
            # an answered key is never taken over by the lease, only by expiry
            assert await claim(key, other, b"e" * 16, now=NOW + 100, ttl=100) is None
            await store.release_idempotency(key, b"d" * 16)  # not the holder: no effect
            assert await claim(key, req, b"f" * 16, now=NOW + 101, ttl=100) is not None
            await store.release_idempotency(key, b"e" * 16)
            assert await claim(key, req, b"f" * 16, now=NOW + 102, ttl=100) is None
            # an unfinished claim is never taken over (its process may have reached Odoo
            # before dying): once older than the lease it is given an answer for good
            gone = store.abandon_idempotency
            assert not await gone(key, before=NOW + 101, status=502, body=b"unknown")
            assert await claim(key, req, b"g" * 16, now=NOW + 150, ttl=100) == StoredReply(
                req, None, None
            )
            assert await gone(key, before=NOW + 102, status=502, body=b"unknown")
            assert not await gone(key, before=NOW + 103, status=502, body=b"again")
            await store.finish_idempotency(key, b"f" * 16, 201, b'{"id":2}')  # the late owner
            assert await claim(key, req, b"h" * 16, now=NOW + 160, ttl=100) == StoredReply(
                req, 201, b'{"id":2}'
            )
            assert await store.purge_idempotency(NOW + 1000) == 1
            await store.ping()
        finally:
            await store.close()

    run(body())


class _BrokenPool:
    """A pool whose connection is caught mid-operation, as after a server restart."""

    async def fetch(self, *args: Any) -> Any:
        import asyncpg

        raise asyncpg.InternalClientError("cannot switch to state 12; another operation")


def test_pg_client_state_errors_are_store_errors() -> None:
    """asyncpg's InternalClientError (seen when PostgreSQL restarts under load) is a
    503 ``token_store_unavailable`` like any store failure, never a 500."""
    store = PostgresStore("postgresql://unused@127.0.0.1:1/none")
    store._pool = _BrokenPool()
    with pytest.raises(TokenStoreError):
        run(store.get([b"h" * 32]))


def test_pg_store_survives_a_server_restart_under_load() -> None:
    """PostgreSQL stopped and started again (same port) while lookups run: every
    failure is a ``TokenStoreError``, and the same pool serves again within seconds."""
    try:
        from .pg import pg_cluster
    except ImportError:
        from pg import pg_cluster

    async def body(dsn: str, restart: Any) -> float:
        store = PostgresStore(dsn)
        await store.open()
        stop = asyncio.Event()
        others: list[BaseException] = []

        async def lookups() -> None:
            while not stop.is_set():
                try:
                    await store.get([b"h" * 32])
                except TokenStoreError:
                    await asyncio.sleep(0.01)
                except Exception as exc:
                    others.append(exc)

        try:
            tasks = [asyncio.create_task(lookups()) for _ in range(8)]
            await asyncio.sleep(0.3)
            await asyncio.to_thread(restart)
            back = time.monotonic()
            while True:
                try:
                    await store.get([b"h" * 32])
                    break
                except TokenStoreError:
                    assert time.monotonic() - back < 10, "the pool did not reconnect"
                    await asyncio.sleep(0.05)
            recovered = time.monotonic() - back
            await asyncio.sleep(0.3)
            stop.set()
            await asyncio.gather(*tasks)
        finally:
            await store.close()
        assert not others, others
        return recovered

    with pg_cluster() as cluster, fresh_database(cluster.dsn) as dsn:

        def restart() -> None:
            cluster.stop()
            cluster.start()

        assert run(body(dsn, restart)) < 10
