"""Webhook subscriptions in the token store, on SQLite and PostgreSQL: stored with
their secret encrypted, listed per user, paused, deleted, capped per user."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from odoo_restful.compose import open_store
from odoo_restful.tokens import ServerSecrets
from odoo_restful.tokens.subscriptions import Subscription
from odoo_restful.webhooks import signing

from .pg import pg_dsn  # noqa: F401 (a fixture)
from .test_tokens_store import NOW, run, url  # noqa: F401 (url: a fixture)

SECRETS = ServerSecrets([b"k" * 32])


def _sub(n: int, uid: int = 2, secret: str = "") -> Subscription:
    enc = signing.seal(SECRETS.current, f"wh_{n}", secret or signing.new_secret())
    return Subscription(
        id=f"wh_{n}",
        db="demo",
        uid=uid,
        model="res.partner",
        domain=[["is_company", "=", True]],
        fields=["name"] if n % 2 else None,
        events=("created", "updated"),
        url=f"https://example.com/hook/{n}",
        secret_enc=enc,
        key_id=SECRETS.current_key_id,
        active=True,
        created_at=NOW + n,
    )


def test_subscriptions_round_trip_and_belong_to_their_user(url: str) -> None:  # noqa: F811
    async def go() -> None:
        store = open_store(url)
        await store.open()
        try:
            secret = signing.new_secret()
            assert await store.add_subscription(_sub(1, secret=secret), cap=10)
            assert await store.add_subscription(_sub(2), cap=10)
            assert await store.add_subscription(_sub(3, uid=7), cap=10)
            got = await store.get_subscription("wh_1")
            assert (
                got is not None and got.id == "wh_1" and got.domain == [["is_company", "=", True]]
            )
            assert got.fields == ["name"] and got.events == ("created", "updated")
            assert secret.encode() not in got.secret_enc  # stored encrypted
            assert signing.unseal(SECRETS.current, "wh_1", got.secret_enc) == secret
            assert (await store.get_subscription("wh_2")).fields is None  # type: ignore[union-attr]
            assert await store.get_subscription("wh_nope") is None
            mine = await store.list_subscriptions(db="demo", uid=2)
            assert [s.id for s in mine] == ["wh_1", "wh_2"]
            assert len(await store.list_subscriptions()) == 3
            # another user can neither pause nor delete it
            assert not await store.set_subscription_active("wh_1", "demo", 7, False)
            assert not await store.delete_subscription("wh_1", "demo", 7)
            assert await store.set_subscription_active("wh_1", "demo", 2, False)
            assert (await store.get_subscription("wh_1")).active is False  # type: ignore[union-attr]
            assert await store.delete_subscription("wh_1", "demo", 2)
            assert await store.get_subscription("wh_1") is None
        finally:
            await store.close()

    run(go())


def test_the_cap_per_user_holds_under_concurrency(url: str) -> None:  # noqa: F811
    async def go() -> None:
        stores = [open_store(url) for _ in range(3)]
        for store in stores:
            await store.open()
        try:
            subs = [replace(_sub(n), id=f"wh_c{n}") for n in range(12)]
            done = await asyncio.gather(
                *(stores[n % 3].add_subscription(s, cap=5) for n, s in enumerate(subs))
            )
            assert sum(done) == 5
            assert len(await stores[0].list_subscriptions(db="demo", uid=2)) == 5
            assert await stores[0].add_subscription(_sub(99, uid=8), cap=5)  # per user
        finally:
            for store in stores:
                await store.close()

    run(go())


def test_a_rotated_session_is_resealed_only_over_the_credential_loaded(url: str) -> None:  # noqa: F811
    async def go() -> None:
        store = open_store(url)
        await store.open()
        try:
            assert await store.add_subscription(replace(_sub(1), cred_enc=b"old"), cap=10)
            assert await store.add_subscription(replace(_sub(2), cred_enc=b"old"), cap=10)
            assert await store.reseal_subscription("wh_1", b"old", b"new")
            # a second writer that loaded the same row loses: the newer id stays
            assert not await store.reseal_subscription("wh_1", b"old", b"other")
            assert not await store.reseal_subscription("wh_9", b"old", b"new")
            assert (await store.get_subscription("wh_1")).cred_enc == b"new"  # type: ignore[union-attr]
            assert (await store.get_subscription("wh_2")).cred_enc == b"old"  # type: ignore[union-attr]
        finally:
            await store.close()

    run(go())


def test_operators_list_subscriptions_without_secrets(tmp_path: Path) -> None:
    path = str(tmp_path / "tokens.db")
    secret = signing.new_secret()

    async def seed() -> None:
        store = open_store(path)
        await store.open()
        try:
            assert await store.add_subscription(_sub(1, secret=secret), cap=5)
            assert await store.add_subscription(_sub(2, uid=7), cap=5)
            assert await store.set_subscription_active("wh_2", "demo", 7, False)
        finally:
            await store.close()

    run(seed())
    out = subprocess.run(
        [sys.executable, "-m", "odoo_restful", "webhooks", "list", "--store", path, "--uid", "7"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "DB", "UID", "MODEL"]
    assert len(lines) == 2 and lines[1].split()[0] == "wh_2" and lines[1].endswith("paused")
    assert "created,updated" in lines[1] and "https://example.com/hook/2" in lines[1]
    every = subprocess.run(
        [sys.executable, "-m", "odoo_restful", "webhooks", "list", "--store", path],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "wh_1" in every and "active" in every and secret not in every
