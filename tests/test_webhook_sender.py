"""The webhook sender on its own: the SSRF check on every delivery (after DNS, the
connection pinned to the checked address), the backoff, and the day of retries."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from odoo_restful.compose import open_store
from odoo_restful.config import Settings
from odoo_restful.tokens import ServerSecrets
from odoo_restful.tokens.subscriptions import Subscription
from odoo_restful.webhooks import events, signing, targets
from odoo_restful.webhooks.sender import Sender, backoff

from .webhook_receiver import receiver

SECRETS = ServerSecrets([b"k" * 32])


def _sub(url: str) -> tuple[Subscription, str]:
    secret = signing.new_secret()
    sub = Subscription(
        id="wh_s",
        db="sandbox",
        uid=2,
        model="res.partner",
        domain=[],
        fields=None,
        events=("created",),
        url=url,
        secret_enc=signing.seal(SECRETS.current, "wh_s", secret),
        key_id=SECRETS.current_key_id,
        active=True,
        created_at=time.time(),
    )
    return sub, secret


def test_backoff_grows_with_jitter_and_levels_off() -> None:
    assert backoff(1, 5.0, rand=lambda: 0.5) == 5.0
    assert backoff(2, 5.0, rand=lambda: 0.5) == 30.0
    assert backoff(5, 5.0, rand=lambda: 0.5) == 3600.0
    assert backoff(40, 5.0, rand=lambda: 0.5) == 3600.0
    assert backoff(1, 5.0, rand=lambda: 0.0) == 4.0
    assert abs(backoff(1, 5.0, rand=lambda: 1.0) - 6.0) < 1e-9


def test_loopback_is_refused_at_delivery_without_the_flag(tmp_path: Path) -> None:
    async def go() -> None:
        with receiver() as rx:
            port = rx.url.rsplit(":", 1)[1]
            store = open_store(str(tmp_path / "t.db"))
            await store.open()
            try:
                for host in ("localhost", "127.0.0.1"):
                    sub, _ = _sub(f"http://{host}:{port}/x")
                    d = events.delivery(sub.id, "created", "res.partner", 1, {"id": 1}, 0.0)
                    closed = Sender(store, SECRETS, Settings(webhook_allow_private=False))
                    status, error = await closed.send(sub, d)
                    assert status is None and error is not None and "loopback" in error
                    assert rx.got == []  # nothing left the gateway
                    opened = Sender(store, SECRETS, Settings(webhook_allow_private=True))
                    assert await opened.send(sub, d) == (200, None)
                    assert rx.got[-1].path == "/x" and rx.got[-1].id == d.id
                    rx.got.clear()
            finally:
                await store.close()

    asyncio.run(go())


def test_a_delivery_fails_after_its_day_of_retries(tmp_path: Path) -> None:
    async def go() -> None:
        with receiver() as rx:
            rx.answers["/down"] = [500] * 10
            store = open_store(str(tmp_path / "t.db"))
            await store.open()
            try:
                sub, secret = _sub(rx.url + "/down")
                assert await store.add_subscription(sub, cap=5)
                now = [1000.0]
                settings = Settings(webhook_allow_private=True, webhook_retry_for=100.0)
                sender = Sender(store, SECRETS, settings, clock=lambda: now[0])
                d = events.delivery(sub.id, "created", "res.partner", 1, {"id": 1}, now[0])
                await store.queue_deliveries(sub.id, [d], "{}")
                for _ in range(3):
                    assert await sender.tick() == 1
                    while sender._flight:
                        await asyncio.sleep(0.01)
                    (row,) = await store.list_deliveries(sub.id, limit=5)
                    if row.status == "failed":
                        break
                    assert row.status == "pending" and row.last_status == 500
                    assert row.next_attempt_at > now[0]
                    assert await sender.tick() == 0  # not due yet
                    now[0] = row.next_attempt_at
                assert row.status == "failed" and row.attempts == 3  # 5 s, 30 s, then 2 min > 100 s
                assert row.last_error == "HTTP 500"
                assert len({r.id for r in rx.got}) == 1
                signing_ok = signing.signature(
                    secret,
                    rx.got[0].id,
                    int(rx.got[0].headers["webhook-timestamp"]),
                    rx.got[0].body,
                )
                assert rx.got[0].headers["webhook-signature"] == signing_ok
            finally:
                await store.close()

    asyncio.run(go())


class _SlowDueQuery:
    """The store, with the due query held after it has read its rows: an attempt in
    flight ends meanwhile, as it may while PostgreSQL or SQLite's thread answers."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.gate: asyncio.Event | None = None
        self.read: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    async def due_deliveries(self, *args: Any, **kwargs: Any) -> Any:
        rows = await self.store.due_deliveries(*args, **kwargs)
        self.read = list(rows)
        if self.gate is not None:
            await self.gate.wait()
        return rows


def test_a_row_read_before_its_attempt_ended_is_not_sent_again(tmp_path: Path) -> None:
    """A due query that read a row while its attempt was in flight returns it after the
    attempt ended: sending it then would repeat a delivered event at once, recorded
    with a stale attempt count."""

    async def go() -> None:
        with receiver() as rx:
            store = open_store(str(tmp_path / "t.db"))
            await store.open()
            try:
                sub, _ = _sub(rx.url + "/x")
                assert await store.add_subscription(sub, cap=5)
                slow = _SlowDueQuery(store)
                sender = Sender(slow, SECRETS, Settings(webhook_allow_private=True))  # type: ignore[arg-type]
                d = events.delivery(sub.id, "created", "res.partner", 1, {"id": 1}, time.time())
                await store.queue_deliveries(sub.id, [d], "{}")
                assert await sender.tick() == 1  # the attempt is in flight
                slow.gate = asyncio.Event()
                second = asyncio.ensure_future(sender.tick())
                while not slow.read:
                    await asyncio.sleep(0.001)
                assert [r.id for r in slow.read] == [d.id] and slow.read[0].attempts == 0
                while sender._flight:  # the attempt ends and is recorded
                    await asyncio.sleep(0.01)
                slow.gate.set()
                assert await second == 0
                await asyncio.sleep(0.2)
                assert len(rx.got) == 1
                (row,) = await store.list_deliveries(sub.id, limit=5)
                assert row.status == "delivered" and row.attempts == 1
            finally:
                await store.close()

    asyncio.run(go())


def test_the_connection_goes_to_the_checked_address(tmp_path: Path, monkeypatch: Any) -> None:
    """The sender connects where the SSRF check looked, never resolving the name again
    (a DNS answer that changes between check and connect cannot redirect it)."""

    async def checked(url: str, *, allow_private: bool) -> targets.Target:
        assert allow_private
        return targets.Target(url, "http", "hook.invalid", port, "127.0.0.1")

    async def go() -> None:
        store = open_store(str(tmp_path / "t.db"))
        await store.open()
        try:
            sub, _ = _sub(f"http://hook.invalid:{port}/pinned")  # no DNS knows this name
            d = events.delivery(sub.id, "created", "res.partner", 1, {"id": 1}, 0.0)
            sender = Sender(store, SECRETS, Settings(webhook_allow_private=True))
            assert await sender.send(sub, d) == (200, None)
        finally:
            await store.close()

    with receiver() as rx:
        port = int(rx.url.rsplit(":", 1)[1])
        monkeypatch.setattr(targets, "resolve", checked)
        asyncio.run(go())
        assert rx.got[0].path == "/pinned" and rx.got[0].headers["host"].startswith("hook.invalid")
