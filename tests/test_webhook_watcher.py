"""The webhook watcher in process, over the sandbox, on SQLite and PostgreSQL: one
Odoo read per user and model whatever the number of subscriptions, each subscription's
domain applied by Odoo, events as their kinds say, the queue cap, and subscriptions
stopped when their user's tokens are gone or Odoo refuses the credential."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from odoo_restful.compose import open_store
from odoo_restful.gateway import Gateway
from odoo_restful.odoo.base import Credential
from odoo_restful.odoo.router import OdooRouter
from odoo_restful.odoo.transport import InProcessTransport, Reply
from odoo_restful.openapi.webhook_paths import EVENT
from odoo_restful.sandbox import Sandbox
from odoo_restful.tokens import ServerSecrets
from odoo_restful.tokens.service import Identity, TokenService
from odoo_restful.webhooks import credential, manage
from odoo_restful.webhooks.watcher import Watcher

from .conftest import gateway_settings

PUBLIC = "https://93.184.215.14/hook"  # a literal public address: no DNS in tests
MODEL = "res.partner"
ADMIN = Credential("sandbox", 2, "admin", "password", "admin")


class Counting(InProcessTransport):
    """The sandbox in process, counting the ORM calls by method."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self.calls: list[str] = []

    async def request(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply:
        if body:
            params = json.loads(body).get("params", {})
            args = params.get("args") or []
            if params.get("method") == "execute_kw" and len(args) > 4:
                self.calls.append(f"{args[3]}.{args[4]}")
        return await super().request(method, path, body, headers)


class World:
    def __init__(self, gw: Gateway, transport: Counting) -> None:
        self.gw = gw
        self.transport = transport
        self.store = gw.tokens.store
        self.watcher = Watcher(gw)

    async def ident(self) -> Identity:
        token, _ = await self.gw.tokens.issue(ADMIN, login="admin", user_info={})
        return await self.gw.tokens.resolve(token)

    async def subscribe(self, ident: Identity, **body: Any) -> str:
        sub, _ = await manage.create(self.gw, ident, {"model": MODEL, "url": PUBLIC, **body})
        return sub.id

    async def plant(self, sub_id: str, **changes: Any) -> None:
        """Change a stored subscription behind the routes' checks (a domain that went
        bad after it was made: a field or an external id removed from Odoo since)."""
        sub = await self.store.get_subscription(sub_id)
        assert sub is not None
        await self.store.delete_subscription(sub.id, sub.db, sub.uid)
        assert await self.store.add_subscription(replace(sub, **changes), cap=100)

    async def odoo(self, method: str, *args: Any, **kw: Any) -> Any:
        return await self.gw.odoo.call(ADMIN, MODEL, method, list(args), kw)

    async def events(self, sub_id: str) -> list[tuple[str, int]]:
        rows = await self.store.list_deliveries(sub_id, limit=1000)
        return [(d.event, d.record_id) for d in reversed(rows)]

    async def poll(self) -> list[str]:
        """One watcher poll; the Odoo calls it made."""
        self.transport.calls.clear()
        await self.watcher.poll()
        return [c for c in self.transport.calls if not c.endswith("fields_get")]


@pytest.fixture
def world(tmp_path: Path, store: str) -> Callable[..., Any]:
    """Each test on both token stores (conftest's ``store``)."""

    def make(**settings: Any) -> Any:
        async def scoped(test: Callable[[World], Coroutine[Any, Any, None]]) -> None:
            async for w in _world(tmp_path, store=store, **settings):
                await test(w)

        return scoped

    return make


async def _world(tmp: Path, **overrides: Any) -> AsyncIterator[World]:
    settings = gateway_settings(tmp, odoo_url="http://sandbox.invalid", db="sandbox", **overrides)
    store = open_store(settings.store)
    await store.open()
    transport = Counting(Sandbox())
    tokens = TokenService(store, ServerSecrets([b"s" * 32]), ttl=3600)
    gw = Gateway(settings, OdooRouter(transport, "jsonrpc"), tokens)
    try:
        yield World(gw, transport)
    finally:
        await store.close()


def run(world: Any, test: Callable[[World], Coroutine[Any, Any, None]], **settings: Any) -> None:
    asyncio.run(world(**settings)(test))


def test_one_read_per_user_and_model_for_many_subscriptions(world: Any) -> None:
    async def go(w: World) -> None:
        ident = await w.ident()
        subs = [await w.subscribe(ident, fields=["name"]) for _ in range(5)]
        await w.poll()  # the start: nothing changed yet
        rid = (await w.odoo("create", [{"name": "Group one"}]))[0]
        calls = await w.poll()
        assert calls == ["res.partner.search_read"]  # one read for five subscriptions
        for sub in subs:
            assert await w.events(sub) == [("created", rid)]
        await w.odoo("write", [rid], {"name": "Group two"})
        calls = await w.poll()
        # and one search for the deletion check of the ids the group tracks
        assert calls == ["res.partner.search_read", "res.partner.search"]
        for sub in subs:
            assert await w.events(sub) == [("created", rid), ("updated", rid)]
        assert await w.poll() == ["res.partner.search_read", "res.partner.search"]
        assert await w.events(subs[0]) == [("created", rid), ("updated", rid)]  # no repeat
        await w.odoo("unlink", [rid])
        await w.poll()
        assert await w.events(subs[4]) == [("created", rid), ("updated", rid), ("deleted", rid)]

    run(world, go)


def test_each_subscriptions_domain_and_events(world: Any) -> None:
    async def go(w: World) -> None:
        ident = await w.ident()
        companies = await w.subscribe(ident, domain=[["is_company", "=", True]])
        people = await w.subscribe(ident, domain=[["is_company", "=", False]], events=["updated"])
        every = await w.subscribe(ident, fields=["name", "is_company"])
        await w.poll()
        firm = (await w.odoo("create", [{"name": "Firm", "is_company": True}]))[0]
        person = (await w.odoo("create", [{"name": "Person"}]))[0]
        calls = await w.poll()
        # one read, then one search per subscription with a domain of its own
        assert calls.count("res.partner.search_read") == 1
        assert calls.count("res.partner.search") == 2
        assert await w.events(companies) == [("created", firm)]
        assert await w.events(people) == []  # created events not asked for
        assert sorted(await w.events(every)) == sorted([("created", firm), ("created", person)])
        await w.odoo("write", [person], {"name": "Person 2"})
        await w.poll()
        assert await w.events(people) == [("updated", person)]
        rows = await w.store.list_deliveries(every, limit=10)
        for row in rows:  # every payload is what the OpenAPI document promises
            jsonschema.validate(json.loads(row.payload), EVENT)
        body = json.loads(rows[0].payload)
        assert body["type"] == "record.updated" and body["data"]["id"] == person
        assert set(body["data"]["record"]) == {"id", "name", "is_company", "write_date"}

    run(world, go)


def test_the_queue_cap_holds_reading_without_losing_changes(world: Any) -> None:
    async def go(w: World) -> None:
        ident = await w.ident()
        sub = await w.subscribe(ident, fields=["name"])
        await w.poll()
        first = await w.odoo("create", [{"name": "Cap 1"}, {"name": "Cap 2"}])
        await w.poll()
        assert len(await w.events(sub)) == 2
        later = (await w.odoo("create", [{"name": "Cap 3"}]))[0]
        calls = await w.poll()
        assert calls == []  # the queue is full: Odoo is not even asked
        got = await w.store.get_subscription(sub)
        assert got is not None and got.active and got.note.startswith("queue full")
        assert manage.status(got).startswith("queue full")
        for d in await w.store.list_deliveries(sub, limit=10):
            await w.store.record_attempt(
                d.id,
                status="delivered",
                attempts=1,
                next_attempt_at=0,
                last_status=200,
                last_error=None,
                delivered_at=1,
            )
        await w.poll()
        assert [e for e in await w.events(sub)] == [
            ("created", first[0]),
            ("created", first[1]),
            ("created", later),
        ]
        got = await w.store.get_subscription(sub)
        assert got is not None and got.note == ""

    run(world, go, webhook_max_queue=2)


def test_subscriptions_stop_when_tokens_are_revoked_or_refused(world: Any) -> None:
    async def go(w: World) -> None:
        ident = await w.ident()
        sub = await w.subscribe(ident)
        await w.poll()
        # a credential Odoo refuses (the user's password changed)
        key = w.gw.tokens.server_secrets.current
        bad = credential.seal(key, sub, Credential("sandbox", 2, "wrong", "password", "admin"))
        assert await w.store.set_subscription_active(sub, "sandbox", 2, True, cred=bad)
        await w.poll()
        got = await w.store.get_subscription(sub)
        assert got is not None and not got.active and "refused" in got.note
        # resumed with a good credential, it watches again
        good = credential.seal(key, sub, ADMIN)
        assert await w.store.set_subscription_active(sub, "sandbox", 2, True, cred=good)
        await w.poll()
        got = await w.store.get_subscription(sub)
        assert got is not None and got.active and got.note == ""
        await w.gw.tokens.revoke_user("sandbox", 2)
        assert await w.poll() == []
        got = await w.store.get_subscription(sub)
        assert got is not None and not got.active and "revoked" in got.note
        assert manage.status(got) == got.note

    run(world, go)


def test_a_read_odoo_refuses_is_shown_and_tried_again(world: Any) -> None:
    async def go(w: World) -> None:
        ident = await w.ident()
        sub = await w.subscribe(ident, domain=[["is_company", "=", True]])
        await w.plant(sub, domain=[["no_such_field", "=", 1]])  # refused at subscription
        await w.poll()
        await w.poll()
        got = await w.store.get_subscription(sub)
        assert got is not None and got.active and got.note.startswith("failing: ")
        assert "no_such_field" in got.note and manage.status(got) == got.note

    run(world, go)


def test_a_domain_odoo_refuses_stops_only_its_own_subscription(world: Any) -> None:
    async def go(w: World) -> None:
        ident = await w.ident()
        good = await w.subscribe(ident, fields=["name"])
        firms = await w.subscribe(ident, domain=[["is_company", "=", True]])
        field_gone = await w.subscribe(ident, domain=[["is_company", "=", True]])
        xmlid_gone = await w.subscribe(ident, domain=[["id", "=", "base.main_partner"]])
        await w.plant(field_gone, domain=[["no_such_field", "=", 1]])
        await w.plant(xmlid_gone, domain=[["id", "=", "base.no_such_record"]])
        await w.poll()
        firm = (await w.odoo("create", [{"name": "Still watched", "is_company": True}]))[0]
        await w.poll()
        await w.poll()
        assert await w.events(good) == [("created", firm)]
        assert await w.events(firms) == [("created", firm)]
        for sub in (field_gone, xmlid_gone):
            got = await w.store.get_subscription(sub)
            assert got is not None and not got.active, got
            assert got.note.startswith("stopped: Odoo refuses its domain"), got.note
        got = await w.store.get_subscription(field_gone)
        assert got is not None and "no_such_field" in manage.status(got)

    run(world, go)
