"""Webhooks across process deaths: the gateway SIGKILLed with events pending comes back
and delivers every one (duplicates only under one ``webhook-id``), and with two
replicas on one PostgreSQL store the survivor takes over when the leader is killed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import asyncpg
import pytest
import requests

from odoo_restful.sandbox import Sandbox

from .pg import fresh_database, pg_dsn  # noqa: F401 (a fixture)
from .servers import free_port, serve_cli, serve_in_thread
from .test_webhook_delivery import odoo_call, signed_in
from .webhook_receiver import Received, receiver

MODEL = "res.partner"
SECRET = "ef" * 32


def _args(odoo_url: str, store: str) -> list[str]:
    return [
        "serve",
        "--odoo-url",
        odoo_url,
        "--db",
        "sandbox",
        "--store",
        store,
        "--webhook-allow-private",
        "--webhook-poll-seconds",
        "0.2",
        "--webhook-retry-first",
        "0.1",
        "--webhook-lease-seconds",
        "1",
        "--log-level",
        "warning",
    ]


def _subscribe(s: requests.Session, url: str, target: str) -> tuple[str, str]:
    resp = s.post(f"{url}/api/webhooks", json={"model": MODEL, "url": target, "fields": ["name"]})
    assert resp.status_code == 201, resp.text
    return resp.json()["id"], resp.json()["secret"]


def _wait(what: str, check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _state(got: list[Received]) -> dict[int, str]:
    """Each record's newest name, as the events received say."""
    names: dict[int, str] = {}
    for r in got:
        data = r.json()["data"]
        names[data["id"]] = (data.get("record") or {}).get("name", "<deleted>")
    return names


def _one_id_per_event(got: list[Received]) -> None:
    """Duplicates only with the same webhook-id: one body per id, one id per body."""
    by_id: dict[str, bytes] = {}
    for r in got:
        assert by_id.setdefault(r.id, r.body) == r.body
    data = [str(json.loads(b)["data"]) for b in by_id.values()]
    assert len(data) == len(set(data)), "the same event under two webhook-ids"


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    # served by the test process: its data outlives every gateway process
    with serve_in_thread(Sandbox().asgi) as url:
        yield url


def test_sigkill_with_events_pending_loses_nothing(store: str, sandbox_url: str) -> None:
    env = {"ODOO_RESTFUL_SECRET": SECRET}
    port = free_port()  # the receiver is down: nothing listens there yet
    target = f"http://127.0.0.1:{port}/hook"
    with serve_cli(_args(sandbox_url, store), env=env) as (url, proc):
        s = signed_in(url)
        sub, secret = _subscribe(s, url, target)
        time.sleep(0.6)
        made = [s.post(f"{url}/api/{MODEL}", json={"name": f"Kill {n}"}) for n in range(3)]
        ids = [r.json()["data"][0]["id"] for r in made]
        odoo_call(sandbox_url, MODEL, "write", [ids[0]], {"name": "Kill 0 renamed"})

        def queued() -> bool:
            rows = s.get(f"{url}/api/webhooks/{sub}/deliveries").json()["data"]
            done = {(d["record_id"], d["attempts"] > 0) for d in rows}
            return all((i, True) in done for i in ids)

        _wait("events queued and tried", queued)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    # changed while no gateway runs: the watcher's saved position finds it
    odoo_call(sandbox_url, MODEL, "write", [ids[1]], {"name": "Kill 1 renamed"})
    expected = {ids[0]: "Kill 0 renamed", ids[1]: "Kill 1 renamed", ids[2]: "Kill 2"}
    with receiver(port) as rx, serve_cli(_args(sandbox_url, store), env=env):
        got = rx.wait("/hook", lambda got: _state(got) == expected, timeout=30)
        time.sleep(1.0)  # anything more would be a duplicate: let it come
        got = rx.on("/hook")
        events = rx.events("/hook", secret)  # every signature verified
        assert {e["data"]["id"] for e in events} == set(ids)
        _one_id_per_event(got)
        created = [e["data"]["id"] for e in events if e["type"] == "record.created"]
        assert sorted(set(created)) == sorted(ids)


async def _leader_pid(dsn: str) -> int | None:
    conn = await asyncpg.connect(dsn)
    try:
        holder = await conn.fetchval(
            "SELECT holder FROM webhook_leases WHERE name = 'webhooks' AND expires_at > $1",
            time.time(),
        )
    finally:
        await conn.close()
    return None if holder is None else int(str(holder).split("-")[0])


def test_a_second_replica_takes_over_when_the_leader_dies(
    pg_dsn: str,  # noqa: F811
    sandbox_url: str,
) -> None:
    env = {"ODOO_RESTFUL_SECRET": SECRET}
    with fresh_database(pg_dsn) as dsn, receiver() as rx, ExitStack() as stack:
        a_url, a = stack.enter_context(serve_cli(_args(sandbox_url, dsn), env=env))
        _, b = stack.enter_context(serve_cli(_args(sandbox_url, dsn), env=env))
        s = signed_in(a_url)
        _, secret = _subscribe(s, a_url, rx.url + "/hook")
        time.sleep(0.6)
        first = odoo_call(sandbox_url, MODEL, "create", [{"name": "Replica 1"}])[0]
        rx.wait("/hook", lambda got: first in _state(got))
        leader = _wait("a leader", lambda: asyncio.run(_leader_pid(dsn)))
        assert leader in (a.pid, b.pid)
        os.kill(leader, signal.SIGKILL)
        second = odoo_call(sandbox_url, MODEL, "create", [{"name": "Replica 2"}])[0]
        started = time.monotonic()
        rx.wait("/hook", lambda got: second in _state(got), timeout=20)
        assert time.monotonic() - started < 10  # the lease is 1 s
        survivor = b.pid if leader == a.pid else a.pid
        assert _wait("the new leader", lambda: asyncio.run(_leader_pid(dsn))) == survivor
        assert {e["data"]["id"] for e in rx.events("/hook", secret)} == {first, second}
