"""Webhook deliveries end to end: a gateway in front of the sandbox over HTTP, its
watcher polling every 0.2 s, and a receiver on loopback (``--webhook-allow-private``)
whose events are verified with the ``standardwebhooks`` package; on SQLite, then on
PostgreSQL."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.sandbox import Sandbox

from .conftest import STORES, gateway_settings, store_of
from .servers import serve_in_thread
from .webhook_receiver import Received, Receiver, receiver

MODEL = "res.partner"
_paths = itertools.count(1)
FAST = {
    "webhook_allow_private": True,
    "webhook_poll_seconds": 0.2,
    "webhook_retry_first": 0.3,
    "webhook_lease_seconds": 1.0,
}


def signed_in(url: str) -> requests.Session:
    """A session holding admin's token from the gateway at ``url``."""
    resp = requests.post(
        url + "/api/auth/token",
        json={"login": "admin", "password": "admin", "db": "sandbox"},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    s = requests.Session()
    s.headers["access-token"] = resp.json()["access_token"]
    return s


def odoo_call(odoo_url: str, model: str, method: str, *args: Any, **kw: Any) -> Any:
    """A call made straight to the sandbox as admin, behind the gateway's back."""
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["sandbox", 2, "admin", model, method, list(args), kw],
        },
    }
    reply = requests.post(odoo_url + "/jsonrpc", json=body, timeout=10).json()
    assert "error" not in reply, reply
    return reply["result"]


@dataclass
class Env:
    url: str
    odoo_url: str
    s: requests.Session
    rx: Receiver

    def subscribe(self, **body: Any) -> tuple[str, str, str]:
        """A new subscription to a fresh receiver path: ``(id, secret, path)``."""
        path = f"/hook/{next(_paths)}"
        body = {"model": MODEL, "url": self.rx.url + path, **body}
        resp = self.s.post(f"{self.url}/api/webhooks", json=body)
        assert resp.status_code == 201, resp.text
        made = resp.json()
        return made["id"], made["secret"], path

    def create(self, **vals: Any) -> int:
        resp = self.s.post(f"{self.url}/api/{MODEL}", json=vals)
        assert resp.status_code == 201, resp.text
        rid: int = resp.json()["data"][0]["id"]
        return rid

    def deliveries(self, sub_id: str, **query: Any) -> list[dict[str, Any]]:
        resp = self.s.get(f"{self.url}/api/webhooks/{sub_id}/deliveries", params=query)
        assert resp.status_code == 200, resp.text
        data: list[dict[str, Any]] = resp.json()["data"]
        return data

    def wait_deliveries(self, sub_id: str, until: Any, timeout: float = 15.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.deliveries(sub_id)
            if until(got):
                return got
            time.sleep(0.1)
        raise AssertionError(f"deliveries of {sub_id}: {got}")


@pytest.fixture(scope="module", params=STORES)
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """One gateway per token store (SQLite, then PostgreSQL) for the module's tests."""
    tmp = tmp_path_factory.mktemp("webhooks")
    with (
        store_of(request.param, tmp, request) as store,
        receiver() as rx,
        serve_in_thread(Sandbox().asgi) as odoo_url,
    ):
        settings = gateway_settings(tmp, odoo_url=odoo_url, db="sandbox", store=store, **FAST)
        with serve_in_thread(create_app(settings)) as url:
            yield Env(url, odoo_url, signed_in(url), rx)


def _type(r: Received) -> str:
    kind: str = r.json()["type"]
    return kind


def _has(got: list[Received], rid: int, **values: Any) -> bool:
    """An event for ``rid`` showing ``values`` arrived."""
    for r in got:
        data = r.json()["data"]
        record = data.get("record") or {}
        if data["id"] == rid and all(record.get(k) == v for k, v in values.items()):
            return True
    return False


def _of(got: list[Received], rid: int) -> list[Received]:
    return [r for r in got if r.json()["data"]["id"] == rid]


def _kinds(events: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(e["type"], e["data"]["id"]) for e in events]


def test_signed_events_for_gateway_and_direct_changes(env: Env) -> None:
    sub, secret, path = env.subscribe(fields=["name", "email"])
    time.sleep(0.5)  # the watcher's first read: the subscription's start
    a = env.create(name="Hook A", email="a@example.com")
    resp = env.s.patch(f"{env.url}/api/{MODEL}/{a}", json={"email": "a2@example.com"})
    assert resp.status_code == 200, resp.text
    env.rx.wait(path, lambda got: _has(got, a, email="a2@example.com"))
    b = odoo_call(env.odoo_url, MODEL, "create", [{"name": "Hook B"}])[0]
    env.rx.wait(path, lambda got: _has(got, b, name="Hook B"))
    odoo_call(env.odoo_url, MODEL, "write", [b], {"name": "Hook B2"})
    env.rx.wait(path, lambda got: _has(got, b, name="Hook B2"))
    odoo_call(env.odoo_url, MODEL, "unlink", [b])
    assert env.s.delete(f"{env.url}/api/{MODEL}/{a}").status_code == 200
    got = env.rx.wait(path, lambda got: sum(_type(r) == "record.deleted" for r in got) >= 2)
    events = env.rx.events(path, secret)  # every signature verified
    kinds = _kinds(events)
    # a create and its quick edit may be read together (one created event, newest data)
    assert kinds[0] == ("record.created", a)
    assert ("record.created", b) in kinds and ("record.updated", b) in kinds
    assert kinds.index(("record.created", b)) < kinds.index(("record.updated", b))
    assert set(kinds[-2:]) == {("record.deleted", a), ("record.deleted", b)}
    first = events[0]
    assert first["data"]["model"] == MODEL and set(first["data"]["record"]) >= {"id", "name"}
    assert "timestamp" in first and "record" not in events[-1]["data"]
    last_a = [e for e in events if e["data"]["id"] == a and e["type"] != "record.deleted"][-1]
    assert last_a["data"]["record"]["email"] == "a2@example.com"
    assert len({r.id for r in got}) == len(got)  # one webhook-id per event
    shown = env.deliveries(sub)
    assert shown[0]["status"] == "delivered" and shown[0]["last_status"] == 200
    assert {d["id"] for d in shown} == {r.id for r in got}
    page = env.s.get(f"{env.url}/api/webhooks/{sub}/deliveries", params={"limit": 2}).json()
    assert [d["id"] for d in page["data"]] == [d["id"] for d in shown[:2]]
    after = env.deliveries(sub, limit=2, before=page["next"])
    assert [d["id"] for d in after] == [d["id"] for d in shown[2:4]]
    assert env.s.get(f"{env.url}/api/webhooks/{sub}/deliveries?limit=0").status_code == 400
    other = env.s.get(f"{env.url}/api/webhooks/wh_nope/deliveries")
    assert other.status_code == 404


def test_failures_are_retried_with_the_same_id_in_order_per_record(env: Env) -> None:
    sub, secret, path = env.subscribe(fields=["name"], events=["created", "updated"])
    time.sleep(0.5)
    env.rx.answers[path] = [500, 503]
    rid = env.create(name="Retry 1")
    env.rx.wait(path, lambda got: len(got) >= 1)  # the created event, refused
    resp = env.s.patch(f"{env.url}/api/{MODEL}/{rid}", json={"name": "Retry 2"})
    assert resp.status_code == 200
    got = env.rx.wait(path, lambda got: len(_of(got, rid)) >= 4)
    mine = _of(got, rid)
    assert mine[0].id == mine[1].id == mine[2].id != mine[3].id  # 500, 503, 200: one id
    events = [e for e in env.rx.events(path, secret) if e["data"]["id"] == rid]
    assert [e["type"] for e in events] == ["record.created"] * 3 + ["record.updated"]
    assert events[3]["data"]["record"]["name"] == "Retry 2"  # only after the create
    shown = env.wait_deliveries(
        sub, lambda d: [x["status"] for x in d if x["record_id"] == rid] == ["delivered"] * 2
    )
    assert [d["attempts"] for d in shown if d["record_id"] == rid] == [1, 3]  # newest first


def test_redirects_are_not_followed_and_redeliver_keeps_the_id(env: Env) -> None:
    sub, _, path = env.subscribe(fields=["name"], events=["created"])
    time.sleep(0.5)
    env.rx.answers[path] = [307, 302]  # 307 would repeat the POST at the new place
    rid = env.create(name="Redirected")
    got = env.rx.wait(path, lambda got: len(_of(got, rid)) >= 3)
    assert not env.rx.on("/elsewhere")
    assert len({r.id for r in _of(got, rid)}) == 1
    shown = env.wait_deliveries(
        sub, lambda d: any(x["record_id"] == rid and x["status"] == "delivered" for x in d)
    )
    first = next(x for x in shown if x["record_id"] == rid)
    assert first["attempts"] == 3 and first["last_status"] == 200
    resp = env.s.post(f"{env.url}/api/webhooks/{sub}/deliveries/{first['id']}/redeliver")
    assert resp.status_code == 200, resp.text
    got = env.rx.wait(path, lambda got: len(_of(got, rid)) >= 4)
    assert _of(got, rid)[-1].id == first["id"]
    missing = env.s.post(f"{env.url}/api/webhooks/{sub}/deliveries/msg_nope/redeliver")
    assert missing.status_code == 404
    other = requests.post(
        f"{env.url}/api/webhooks/{sub}/deliveries/{first['id']}/redeliver", timeout=10
    )
    assert other.status_code == 401


def test_a_slow_receiver_holds_only_its_own_subscription(env: Env) -> None:
    slow_sub, _, slow = env.subscribe(fields=["name"], events=["created"])
    _, _, fast = env.subscribe(fields=["name"], events=["created"])
    env.rx.stall[slow] = 3.0
    time.sleep(0.5)
    rids = [env.create(name=f"Slow or not {n}") for n in range(6)]  # more than its slots
    started = time.monotonic()
    env.rx.wait(fast, lambda got: all(_of(got, r) for r in rids))
    assert time.monotonic() - started < 2.5  # not queued behind the stalled receiver
    assert env.s.get(f"{env.url}/healthz").status_code == 200
    env.rx.stall[slow] = 0.0
    env.rx.wait(slow, lambda got: all(_of(got, r) for r in rids))
    env.wait_deliveries(slow_sub, lambda d: all(x["status"] == "delivered" for x in d))
