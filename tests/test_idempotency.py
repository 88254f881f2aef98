"""Idempotency-Key on POST (issue #16 point 2), over HTTP, on both token stores: a retry
gets the first answer without a second Odoo call, a different body is 422, a retry
while the first runs is 409, and two replicas on one store call Odoo once."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import requests
from starlette.requests import Request
from starlette.responses import Response

from odoo_restful.app import create_app
from odoo_restful.compose import open_store
from odoo_restful.errors import TokenStoreError
from odoo_restful.idempotency import Idempotency, _digest
from odoo_restful.odoo.base import Credential
from odoo_restful.tokens.store import TokenStore

from .conftest import gateway_settings
from .servers import SlowCreates, serve_in_thread


@contextlib.contextmanager
def replicas(
    tmp: Path, store: str, odoo: SlowCreates, n: int = 2, **overrides: Any
) -> Iterator[list[str]]:
    """``n`` gateways sharing one store and one secret, in front of one Odoo."""
    with contextlib.ExitStack() as stack:
        odoo_url = stack.enter_context(serve_in_thread(odoo))
        settings = gateway_settings(tmp, odoo_url=odoo_url, db="sandbox", **overrides)
        apps = [create_app(settings.with_(store=store)) for _ in range(n)]
        urls = [stack.enter_context(serve_in_thread(app)) for app in apps]
        APPS.update(zip(urls, apps, strict=True))
        yield urls


APPS: dict[str, Any] = {}  # base URL -> its app, to reach a running gateway's state


def token(url: str) -> str:
    resp = requests.post(url + "/api/auth/token", json={"login": "admin", "password": "admin"})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


def post(
    url: str, tok: str, key: str, body: dict[str, Any], path: str = "/api/res.partner"
) -> requests.Response:
    return requests.post(
        url + path, json=body, headers={"access-token": tok, "Idempotency-Key": key}, timeout=30
    )


def test_retry_replays_the_first_answer(tmp_path: Path, store: str) -> None:
    odoo = SlowCreates(0.0)
    with replicas(tmp_path, store, odoo, n=1) as (url,):
        tok = token(url)
        key = str(uuid.uuid4())
        first = post(url, tok, key, {"name": "Idem once"})
        assert first.status_code == 201, first.text
        assert "Idempotent-Replayed" not in first.headers
        again = post(url, tok, key, {"name": "Idem once"})
        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.content == first.content
        assert odoo.creates == 1
        # the same key with another body is refused, and calls nothing
        other = post(url, tok, key, {"name": "Idem other"})
        assert other.status_code == 422
        assert other.json()["type"] == "idempotency_key_reused"
        # another key is another create; no key at all is never deduplicated
        assert post(url, tok, str(uuid.uuid4()), {"name": "Idem once"}).status_code == 201
        plain = {"access-token": tok}
        for _ in range(2):
            resp = requests.post(url + "/api/res.partner", json={"name": "x"}, headers=plain)
            assert resp.status_code == 201
        assert odoo.creates == 4
        # a client error is an answer too: replayed, not run again
        bad = post(url, tok, "bad-1", {"no_such_field": 1})
        assert 400 <= bad.status_code < 500
        assert post(url, tok, "bad-1", {"no_such_field": 1}).content == bad.content
        # a method call too
        rid = first.json()["data"][0]["id"]
        call = post(url, tok, "call-1", {}, path=f"/api/res.partner/{rid}/action_archive")
        replay = post(url, tok, "call-1", {}, path=f"/api/res.partner/{rid}/action_archive")
        assert replay.headers.get("Idempotent-Replayed") == "true"
        assert (replay.status_code, replay.content) == (call.status_code, call.content)
        # keys belong to a user: another user's same key is a new request
        resp = requests.post(url + "/api/auth/token", json={"login": "demo", "password": "demo"})
        other_user = resp.json()["access_token"]
        assert (
            "Idempotent-Replayed" not in post(url, other_user, key, {"name": "Idem once"}).headers
        )
        for bad_key in ("x" * 256, "caf\u00e9", "a\tb"):
            resp = post(url, tok, bad_key, {"name": "k"})
            assert resp.status_code == 400, (bad_key, resp.text)


def test_concurrent_same_key_on_two_replicas_calls_odoo_once(tmp_path: Path, store: str) -> None:
    odoo = SlowCreates(0.6)
    with replicas(tmp_path, store, odoo) as urls:
        tok = token(urls[0])
        key = str(uuid.uuid4())
        name = f"Concurrent {key}"
        with ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(lambda i: post(urls[i % 2], tok, key, {"name": name}), range(8))
            )
        statuses = sorted(a.status_code for a in answers)
        assert odoo.creates == 1, statuses
        assert set(statuses) <= {201, 409}, [a.text for a in answers]
        assert statuses.count(201) >= 1 and statuses.count(409) >= 1
        busy = next(a for a in answers if a.status_code == 409)
        assert busy.json()["type"] == "idempotency_key_in_use"
        assert busy.headers["Retry-After"] == "1"
        first = next(a for a in answers if a.status_code == 201)
        for url in urls:  # afterwards either replica replays the one answer
            late = post(url, tok, key, {"name": name})
            assert late.status_code == 201 and late.content == first.content
        found = requests.get(
            urls[1] + "/api/res.partner",
            params={"domain": f'[["name", "=", "{name}"]]'},
            headers={"access-token": tok},
        ).json()
        assert found["count"] == 1
        assert odoo.creates == 1


def test_a_5xx_is_not_kept_and_the_retry_runs(tmp_path: Path, store: str) -> None:
    odoo = SlowCreates(0.0)
    with replicas(tmp_path, store, odoo, n=1) as (url,):
        tok = token(url)
        odoo.fail_next = True
        failed = post(url, tok, "k-5xx", {"name": "After a 5xx"})
        assert failed.status_code >= 500, failed.text
        retry = post(url, tok, "k-5xx", {"name": "After a 5xx"})
        assert retry.status_code == 201, retry.text
        assert "Idempotent-Replayed" not in retry.headers
        assert odoo.creates == 2


def test_a_timeout_is_kept_and_never_run_twice(tmp_path: Path, store: str) -> None:
    """Odoo may finish a create after the gateway gave up (504): the retry must not
    create it again, so the 504 is kept as the key's answer and says so."""
    odoo = SlowCreates(1.5)
    with replicas(tmp_path, store, odoo, n=1, odoo_timeout=0.5) as (url,):
        tok = token(url)
        first = post(url, tok, "k-504", {"name": "Slow"})
        assert first.status_code == 504, first.text
        assert first.json()["type"] == "odoo_timeout"
        assert "unknown" in first.json()["message"]
        time.sleep(1.5)  # Odoo finishes the create meanwhile
        retry = post(url, tok, "k-504", {"name": "Slow"})
        assert (retry.status_code, retry.content) == (504, first.content)
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert odoo.creates == 1


def test_a_dead_claim_answers_outcome_unknown_after_the_lease(tmp_path: Path, store: str) -> None:
    """A replica that died holding a claim may have reached Odoo: its key answers 409
    while the lease runs, then 502 ``outcome_unknown`` for good, never a second run."""
    odoo = SlowCreates(0.0)
    body = b'{"name": "Orphan"}'
    with replicas(tmp_path, store, odoo, n=1) as (url,):
        tok = token(url)

        async def claim_as_a_dead_process() -> None:
            dead = open_store(store)
            await dead.open()
            try:
                key = _digest(b"sandbox", b"2", b"k-dead")
                target = _digest(b"POST", b"/api/res.partner", b"", body)
                claimed = await dead.claim_idempotency(
                    key, target, b"d" * 16, now=time.time(), ttl=3600
                )
                assert claimed is None
            finally:
                await dead.close()

        asyncio.run(claim_as_a_dead_process())
        headers = {"access-token": tok, "Idempotency-Key": "k-dead"}
        headers["content-type"] = "application/json"

        def send() -> requests.Response:
            return requests.post(url + "/api/res.partner", data=body, headers=headers)

        busy = send()
        assert busy.status_code == 409, busy.text
        APPS[url].state.gateway.idempotency.lease = 0.0  # the lease has run out
        gone = send()
        assert gone.status_code == 502, gone.text
        assert gone.json()["type"] == "outcome_unknown"
        assert gone.headers["Idempotent-Replayed"] == "true"
        assert send().content == gone.content
        assert odoo.creates == 0


class FlakyStore:
    """A store whose first write of an answer fails, as PostgreSQL restarting would."""

    def __init__(self) -> None:
        self.finished: list[tuple[int, bytes]] = []
        self.failures = 1

    async def purge_idempotency(self, now: float) -> int:
        return 0

    async def claim_idempotency(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def finish_idempotency(self, key: bytes, owner: bytes, status: int, body: bytes) -> None:
        if self.failures:
            self.failures -= 1
            raise TokenStoreError("The token store failed")
        self.finished.append((status, body))


def test_a_store_failure_after_odoo_answered_keeps_the_answer() -> None:
    """Odoo created the record: the client gets the 201 even though the store failed
    to keep it, and the store write is retried until it succeeds."""

    async def body() -> None:
        flaky = FlakyStore()
        idem = Idempotency(cast(TokenStore, flaky), lease=5.0)
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/api/res.partner",
            "query_string": b"",
            "headers": [(b"idempotency-key", b"k-store")],
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"{}", "more_body": False}

        async def handler() -> Response:
            return Response(b'{"id": 7}', status_code=201)

        cred = Credential(db="sandbox", uid=2, secret="admin")
        answer = await idem.run(Request(scope, receive), cred, handler)
        assert (answer.status_code, answer.body) == (201, b'{"id": 7}')
        for _ in range(50):
            if flaky.finished:
                break
            await asyncio.sleep(0.05)
        assert flaky.finished == [(201, b'{"id": 7}')]
        # a store still down at shutdown: the pending write is given up, not leaked
        flaky.failures = 1000
        await idem.run(Request(scope, receive), cred, handler)
        assert len([t for t in idem._later if not t.done()]) == 1
        await idem.close()
        await asyncio.sleep(0)  # the tasks' done callbacks run
        assert not idem._later and len(flaky.finished) == 1

    asyncio.run(body())


def test_an_attachment_upload_is_an_idempotent_create(tmp_path: Path, store: str) -> None:
    """Uploads stream their body (never held): the retry is bound to the files' names,
    types, sizes and hashes, and gets the first answer without a second create."""
    odoo = SlowCreates(0.0)
    with replicas(tmp_path, store, odoo, n=1) as (url,):
        tok = token(url)
        base = url + "/api/res.partner/9/attachments"

        def upload(key: str, content: bytes) -> requests.Response:
            return requests.post(
                base,
                files={"file": ("note.txt", content, "text/plain")},
                headers={"access-token": tok, "Idempotency-Key": key},
                timeout=30,
            )

        first = upload("att-1", b"hello")
        assert first.status_code == 201, first.text
        again = upload("att-1", b"hello")
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert again.content == first.content
        assert odoo.creates == 1
        other = upload("att-1", b"hellO")  # same name and size, other bytes
        assert other.status_code == 422, other.text
        assert other.json()["type"] == "idempotency_key_reused"
        assert upload("att-2", b"hello").status_code == 201
        assert odoo.creates == 2
        listed = requests.get(base, headers={"access-token": tok}).json()
        assert [a["name"] for a in listed["data"]].count("note.txt") == 2
