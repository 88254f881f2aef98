"""A webhook subscription made with a ``--web-session-only`` token outlives Odoo 19's
session rotation: the watcher re-seals the new id in the subscription, so deliveries
go on after the old id is deleted. A gateway in front of the sandbox over HTTP (its
session clock moved by hand), its watcher polling every 0.2 s, a receiver on loopback;
on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import requests

from odoo_restful.app import create_app
from odoo_restful.compose import open_store
from odoo_restful.sandbox import Sandbox

from .conftest import gateway_settings
from .servers import serve_in_thread
from .test_session_rotation import GRACE, INTERVAL, Clock
from .test_webhook_delivery import FAST, MODEL, _has, odoo_call
from .webhook_receiver import receiver


def _sealed(store: str, sub_id: str) -> bytes | None:
    """The subscription's sealed Odoo credential as the token store holds it."""

    async def go() -> bytes | None:
        s = open_store(store)
        await s.open()
        try:
            sub = await s.get_subscription(sub_id)
            assert sub is not None
            return sub.cred_enc
        finally:
            await s.close()

    return asyncio.run(go())


def _wait_resealed(store: str, sub_id: str, old: bytes | None) -> bytes | None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        now = _sealed(store, sub_id)
        if now != old:
            return now
        time.sleep(0.1)
    raise AssertionError("the subscription's credential was never re-sealed")


def test_a_web_session_subscription_delivers_across_rotations(tmp_path: Path, store: str) -> None:
    clock = Clock()
    sandbox = Sandbox()
    sandbox.sessions.clock = clock
    with receiver() as rx, serve_in_thread(sandbox.asgi) as odoo_url:
        settings = gateway_settings(
            tmp_path,
            odoo_url=odoo_url,
            db="sandbox",
            store=store,
            protocol="web",
            web_session_only=True,
            **FAST,
        )
        with serve_in_thread(create_app(settings)) as url:
            resp = requests.post(
                url + "/api/auth/token", json={"login": "admin", "password": "admin"}, timeout=30
            )
            assert resp.status_code == 200, resp.text
            headers = {"access-token": resp.json()["access_token"]}
            subs = []
            for path in ("/hook/a", "/hook/b"):  # one group: read with the newest's id
                body = {"model": MODEL, "url": rx.url + path, "fields": ["name"]}
                resp = requests.post(url + "/api/webhooks", json=body, headers=headers, timeout=30)
                assert resp.status_code == 201, resp.text
                subs.append((resp.json()["id"], path))
            sealed = {sub: _sealed(store, sub) for sub, _ in subs}
            assert None not in sealed.values()
            # from here on only the watcher uses the session (changes go straight to Odoo)
            first = odoo_call(odoo_url, MODEL, "create", [{"name": "Before"}])[0]
            for _, path in subs:
                rx.wait(path, lambda got: _has(got, first, name="Before"))
            for turn in (1, 2):
                clock.now += INTERVAL  # the watcher's next read rotates the session
                # every subscription holding the old id holds the new one now
                sealed = {sub: _wait_resealed(store, sub, sealed[sub]) for sub, _ in subs}
                assert sandbox.sessions.rotations == turn
                clock.now += GRACE  # the old id is deleted now
                name = f"After rotation {turn}"
                rid = odoo_call(odoo_url, MODEL, "create", [{"name": name}])[0]
                for _, path in subs:
                    rx.wait(path, lambda got, r=rid, n=name: _has(got, r, name=n))
            for sub, _ in subs:
                shown = requests.get(f"{url}/api/webhooks/{sub}", headers=headers, timeout=30)
                assert shown.status_code == 200, shown.text
                assert shown.json()["status"] == "active", shown.text
            assert sandbox.sessions.opened == 1  # the token's one sign-in, never again
