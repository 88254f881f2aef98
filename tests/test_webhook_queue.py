"""The webhook delivery queue in the token store, on SQLite and PostgreSQL: events
queued with the watcher's state in one step, due rows in order per record and capped
per subscription, attempts recorded, redelivery with the same id, the lease."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from odoo_restful.compose import open_store
from odoo_restful.tokens.deliveries import Delivery
from odoo_restful.tokens.store import TokenStore

from .pg import pg_dsn  # noqa: F401 (a fixture)
from .test_tokens_store import NOW, run, url  # noqa: F401 (url: a fixture)
from .test_webhook_store import _sub


def _delivery(n: int, record: int, sub: str = "wh_1", *, at: float = NOW) -> Delivery:
    return Delivery(
        id=f"msg_{sub}_{n}",
        subscription_id=sub,
        record_id=record,
        event="updated",
        payload=f'{{"n": {n}}}',
        status="pending",
        attempts=0,
        next_attempt_at=at,
        retry_from=at,
        last_status=None,
        last_error=None,
        created_at=at,
        delivered_at=None,
    )


async def _opened(where: str) -> TokenStore:
    store = open_store(where)
    await store.open()
    assert await store.add_subscription(_sub(1), cap=10)
    assert await store.add_subscription(_sub(2), cap=10)
    return store


def test_queue_in_order_per_record_and_capped_per_subscription(url: str) -> None:  # noqa: F811
    async def go() -> None:
        store = await _opened(url)
        try:
            assert await store.load_watch("wh_1") is None
            batch = [_delivery(0, 10), _delivery(1, 11), _delivery(2, 10), _delivery(3, 12)]
            await store.queue_deliveries("wh_1", batch, '{"pos": 1}')
            await store.queue_deliveries("wh_2", [_delivery(0, 10, "wh_2")], '{"pos": 2}')
            assert await store.load_watch("wh_1") == '{"pos": 1}'
            assert await store.pending_deliveries("wh_1") == 4
            due = await store.due_deliveries(NOW, per_subscription=10, limit=100)
            # record 10's second event waits for its first
            assert [d.id for d in due] == ["msg_wh_1_0", "msg_wh_1_1", "msg_wh_1_3", "msg_wh_2_0"]
            assert due[0].seq < due[1].seq and due[0].payload == '{"n": 0}'
            capped = await store.due_deliveries(NOW, per_subscription=1, limit=100)
            assert [d.id for d in capped] == ["msg_wh_1_0", "msg_wh_2_0"]
            assert await store.due_deliveries(NOW - 1, per_subscription=10, limit=100) == []
            await store.record_attempt(
                "msg_wh_1_0",
                status="delivered",
                attempts=1,
                next_attempt_at=NOW,
                last_status=200,
                last_error=None,
                delivered_at=NOW + 1,
            )
            due = await store.due_deliveries(NOW, per_subscription=10, limit=2)
            assert [d.id for d in due] == ["msg_wh_1_1", "msg_wh_1_2"]
            await store.record_attempt(
                "msg_wh_1_1",
                status="pending",
                attempts=1,
                next_attempt_at=NOW + 30,
                last_status=500,
                last_error="HTTP 500",
                delivered_at=None,
            )
            recent = await store.list_deliveries("wh_1", limit=10)
            assert [d.id for d in recent] == [f"msg_wh_1_{n}" for n in (3, 2, 1, 0)]
            assert recent[2].last_status == 500 and recent[2].last_error == "HTTP 500"
            assert recent[3].status == "delivered" and recent[3].delivered_at == NOW + 1
            older = await store.list_deliveries("wh_1", limit=10, before=recent[1].seq)
            assert [d.id for d in older] == ["msg_wh_1_1", "msg_wh_1_0"]
            # paused subscriptions deliver nothing
            assert await store.set_subscription_active("wh_2", "demo", 2, False)
            due = await store.due_deliveries(NOW + 60, per_subscription=10, limit=100)
            assert "msg_wh_2_0" not in [d.id for d in due]
        finally:
            await store.close()

    run(go())


def test_redeliver_notes_and_delete(url: str) -> None:  # noqa: F811
    async def go() -> None:
        store = await _opened(url)
        try:
            await store.queue_deliveries("wh_1", [_delivery(0, 10)], "{}")
            await store.record_attempt(
                "msg_wh_1_0",
                status="failed",
                attempts=9,
                next_attempt_at=NOW,
                last_status=None,
                last_error="timeout",
                delivered_at=None,
            )
            assert await store.redeliver("wh_2", "msg_wh_1_0", NOW + 5) is None  # not its own
            again = await store.redeliver("wh_1", "msg_wh_1_0", NOW + 5)
            assert again is not None and again.id == "msg_wh_1_0" and again.status == "pending"
            assert again.retry_from == NOW + 5 and again.attempts == 0
            await store.note_subscription("wh_1", "queue full")
            sub = await store.get_subscription("wh_1")
            assert sub is not None and sub.note == "queue full" and sub.active
            await store.note_subscription("wh_1", "stopped: revoked", stop=True)
            sub = await store.get_subscription("wh_1")
            assert sub is not None and not sub.active and sub.note == "stopped: revoked"
            cred = (b"sealed", "api_key", "admin")
            assert await store.set_subscription_active("wh_1", "demo", 2, True, cred=cred)
            sub = await store.get_subscription("wh_1")
            assert sub is not None and sub.active and sub.note == ""
            assert (sub.cred_enc, sub.cred_kind, sub.login) == cred
            assert await store.delete_subscription("wh_1", "demo", 2)
            assert await store.list_deliveries("wh_1", limit=10) == []
            assert await store.load_watch("wh_1") is None
        finally:
            await store.close()

    run(go())


def test_one_lease_holder_at_a_time(url: str) -> None:  # noqa: F811
    async def go() -> None:
        a, b = open_store(url), open_store(url)
        await a.open()
        await b.open()
        try:
            got = await asyncio.gather(
                a.claim_lease("watcher", "A", now=NOW, ttl=5),
                b.claim_lease("watcher", "B", now=NOW, ttl=5),
            )
            assert sorted(got) == [False, True]
            winner, loser = ("A", "B") if got[0] else ("B", "A")
            assert await a.claim_lease("watcher", winner, now=NOW + 2, ttl=5)  # renewed
            assert not await b.claim_lease("watcher", loser, now=NOW + 6, ttl=5)
            assert await b.claim_lease("watcher", loser, now=NOW + 7.5, ttl=5)  # expired
            await a.release_lease("watcher", winner)  # not its lease any more: no effect
            assert not await a.claim_lease("watcher", winner, now=NOW + 8, ttl=5)
            await b.release_lease("watcher", loser)
            assert await a.claim_lease("watcher", winner, now=NOW + 8, ttl=5)
        finally:
            await a.close()
            await b.close()

    run(go())


def test_operators_see_deliveries_and_pause_resume_delete(tmp_path: Path) -> None:
    path = str(tmp_path / "tokens.db")

    async def seed() -> None:
        store = await _opened(path)
        try:
            await store.queue_deliveries("wh_1", [_delivery(0, 10), _delivery(1, 11)], "{}")
            await store.record_attempt(
                "msg_wh_1_0",
                status="pending",
                attempts=2,
                next_attempt_at=NOW + 9,
                last_status=502,
                last_error="HTTP 502",
                delivered_at=None,
            )
        finally:
            await store.close()

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "odoo_restful", "webhooks", *args, "--store", path]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60)

    run(seed())
    out = cli("deliveries", "wh_1")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "EVENT", "RECORD", "STATUS"]
    assert lines[1].split()[0] == "msg_wh_1_1" and "502 HTTP 502" in lines[2]
    assert cli("pause", "wh_1").stdout.strip() == "paused wh_1"
    assert cli("list").stdout.splitlines()[1].endswith("paused")
    assert cli("resume", "wh_1").stdout.strip() == "resumed wh_1"
    assert cli("list").stdout.splitlines()[1].endswith("active")
    assert cli("delete", "wh_1").stdout.strip() == "deleted wh_1"
    assert "wh_1" not in cli("list").stdout
    for action in ("pause", "deliveries"):  # deliveries printed an empty table here
        missing = cli(action, "wh_1")
        assert missing.returncode != 0 and "no webhook subscription" in missing.stderr
