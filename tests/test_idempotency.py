"""Idempotency-Key on POST (issue #16 point 2), over HTTP, on both token stores: a retry
gets the first answer without a second Odoo call, a different body is 422, a retry
while the first runs is 409, and two replicas on one store call Odoo once."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from odoo_restful.app import create_app

from .conftest import gateway_settings
from .pg import fresh_database, pg_dsn  # noqa: F401  (pytest fixture)
from .servers import SlowCreates, serve_in_thread


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "tokens.db")
        return
    with fresh_database(request.getfixturevalue("pg_dsn")) as dsn:
        yield dsn


@contextlib.contextmanager
def replicas(tmp: Path, store: str, odoo: SlowCreates, n: int = 2) -> Iterator[list[str]]:
    """``n`` gateways sharing one store and one secret, in front of one Odoo."""
    with contextlib.ExitStack() as stack:
        odoo_url = stack.enter_context(serve_in_thread(odoo))
        settings = gateway_settings(tmp, odoo_url=odoo_url, db="sandbox").with_(store=store)
        yield [stack.enter_context(serve_in_thread(create_app(settings))) for _ in range(n)]


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
