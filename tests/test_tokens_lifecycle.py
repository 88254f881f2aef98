"""Token lifecycle through the real gateway: expiry, refresh, revoke-all, scopes, the
``tokens`` CLI and secret rotation on both stores (SQLite and PostgreSQL); kill -9
durability and secrets kept out of the SQLite file and the logs; two gateway
processes sharing one PostgreSQL store."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
import requests

from odoo_restful.sandbox import Sandbox

from .pg import fresh_database, pg_dsn  # noqa: F401 (a fixture)
from .servers import serve_cli, serve_in_thread

ADMIN_KEY = "70b6df629fce8d93489d66aa448a7cc136165301"


@pytest.fixture(scope="module")
def odoo_url() -> Iterator[str]:
    with serve_in_thread(Sandbox().asgi) as url:
        yield url


def expire_all(store: str) -> None:
    sql = f"UPDATE tokens SET expires_at = {time.time() - 1}"
    if store.startswith("postgresql://"):

        async def run() -> None:
            conn = await asyncpg.connect(store)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(run())
    else:
        with sqlite3.connect(store) as db:
            db.execute(sql)


def gateway_env(tmp: Path, odoo_url: str, store: str | None = None) -> dict[str, str]:
    return {
        "ODOO_RESTFUL_ODOO_URL": odoo_url,
        "ODOO_RESTFUL_DB": "sandbox",
        "ODOO_RESTFUL_STORE": store or str(tmp / "tokens.db"),
        "ODOO_RESTFUL_SECRET_FILE": str(tmp / "secret.key"),
        "ODOO_RESTFUL_LOG_LEVEL": "debug",
    }


def token_for(url: str, **extra: object) -> dict[str, object]:
    resp = requests.post(
        url + "/api/auth/token", json={"login": "admin", "password": "admin", **extra}
    )
    assert resp.status_code == 200, resp.text
    body: dict[str, object] = resp.json()
    return body


def get(url: str, token: str, path: str = "/api/res.partner") -> requests.Response:
    return requests.get(url + path, headers={"access-token": token}, params={"limit": 1})


def uncached(env: dict[str, str]) -> dict[str, str]:
    """No token cache: a change in the store shows on the next request, without waiting
    for the cache (whose timing test_tokens_service checks on an injected clock)."""
    return {**env, "ODOO_RESTFUL_TOKEN_CACHE_TTL": "0"}


def test_expired_token_says_so(tmp_path: Path, odoo_url: str, store: str) -> None:
    with serve_cli(["serve"], env=uncached(gateway_env(tmp_path, odoo_url, store))) as (url, _):
        token = str(token_for(url)["access_token"])
        assert get(url, token).status_code == 200
        expire_all(store)
        resp = get(url, token)
        assert resp.status_code == 401
        assert resp.json()["type"] == "token_expired"


def test_refresh_and_revoke_all(tmp_path: Path, odoo_url: str, store: str) -> None:
    with serve_cli(["serve"], env=gateway_env(tmp_path, odoo_url, store)) as (url, _):
        old = str(token_for(url, read_only=True)["access_token"])
        resp = requests.post(
            url + "/api/auth/token/refresh",
            headers={"access-token": old},
            json={"read_only": False},
        )
        assert resp.status_code == 200, resp.text
        new = resp.json()["access_token"]
        assert new != old and resp.json()["expires_in"] > 0
        assert get(url, old).status_code == 401
        assert get(url, new).status_code == 200
        # scopes are never widened: the refreshed token is still read-only
        denied = requests.post(
            url + "/api/res.partner", headers={"access-token": new}, json={"name": "x"}
        )
        assert denied.status_code == 403 and denied.json()["type"] == "scope_denied"
        other = str(token_for(url)["access_token"])
        resp = requests.delete(url + "/api/auth/tokens", headers={"access-token": other})
        assert resp.status_code == 200 and resp.json()["data"]["revoked"] == 2
        assert get(url, new).status_code == 401 and get(url, other).status_code == 401


def test_scopes_are_enforced_before_odoo(tmp_path: Path, odoo_url: str, store: str) -> None:
    with serve_cli(["serve"], env=gateway_env(tmp_path, odoo_url, store)) as (url, _):
        token = str(
            token_for(url, models="res.partner,sale.order", methods=["action_confirm"])[
                "access_token"
            ]
        )
        h = {"access-token": token}
        assert get(url, token).status_code == 200
        denied = get(url, token, "/api/res.country")
        assert denied.status_code == 403
        assert "res.country" in denied.json()["message"]
        call = requests.post(url + "/api/res.partner/1/read", headers=h)
        assert call.status_code == 403 and "read" in call.json()["message"]
        bad = requests.post(
            url + "/api/auth/token",
            json={"login": "admin", "password": "admin", "models": "Not A Model"},
        )
        assert bad.status_code == 400


def test_tokens_cli(tmp_path: Path, odoo_url: str, store: str) -> None:
    env = {**os.environ, **gateway_env(tmp_path, odoo_url, store)}

    def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "odoo_restful", "tokens", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    created = cli(
        "create", "--login", "admin", "--api-key-file", "-", "--read-only", stdin=ADMIN_KEY + "\n"
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("odr_")
    listed = cli("list")
    assert listed.returncode == 0
    assert token[:12] in listed.stdout and "read-only" in listed.stdout
    assert token not in listed.stdout and ADMIN_KEY not in listed.stdout
    with serve_cli(["serve"], env=uncached(gateway_env(tmp_path, odoo_url, store))) as (url, _):
        assert get(url, token).status_code == 200
        revoked = cli("revoke", token[:12])
        assert revoked.returncode == 0 and "revoked 1" in revoked.stdout
        assert get(url, token).status_code == 401
    assert "purged" in cli("purge-expired").stdout
    # a secret is never taken from the command line
    assert cli("create", "--login", "admin", "--password", "admin").returncode != 0
    if not store.startswith("postgres"):  # a mistyped store path is said, not made
        typo = str(tmp_path / "tokns.db")
        for args in (("list",), ("revoke", "odr_x"), ("purge-expired",)):
            missing = cli(*args, "--store", typo)
            assert missing.returncode == 2 and "no token store at" in missing.stderr, args
        assert not (tmp_path / "tokns.db").exists()


def test_secret_rotation_keeps_old_tokens(tmp_path: Path, odoo_url: str, store: str) -> None:
    env = gateway_env(tmp_path, odoo_url, store)
    with serve_cli(["serve"], env=env) as (url, _):
        old = str(token_for(url)["access_token"])
    rotated = subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo_restful",
            "secret",
            "rotate",
            "--secret-file",
            env["ODOO_RESTFUL_SECRET_FILE"],
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rotated.returncode == 0, rotated.stderr
    lines = Path(env["ODOO_RESTFUL_SECRET_FILE"]).read_text().split()
    assert len(lines) == 2
    with serve_cli(["serve"], env=env) as (url, _):
        assert get(url, old).status_code == 200
        new = str(token_for(url)["access_token"])
        assert get(url, new).status_code == 200


def test_kill_9_loses_no_issued_token(tmp_path: Path, odoo_url: str) -> None:
    env = gateway_env(tmp_path, odoo_url)
    with serve_cli(["serve"], env=env) as (url, proc):
        tokens = [str(token_for(url)["access_token"]) for _ in range(5)]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    with serve_cli(["serve"], env=env) as (url, _):
        for token in tokens:
            assert get(url, token).status_code == 200


def test_secrets_never_in_logs_or_database(tmp_path: Path, odoo_url: str) -> None:
    env = gateway_env(tmp_path, odoo_url)
    with serve_cli(["serve"], env=env) as (url, proc):
        token = str(token_for(url)["access_token"])
        key_token = requests.get(
            url + "/api/auth/token", params={"login": "admin", "password": ADMIN_KEY}
        ).json()["access_token"]
        requests.get(url + "/api/res.partner", params={"access_token": token})
        requests.get(url + "/api/auth/token", params={"login": "admin", "password": "s3cret!"})
        requests.get(url + "/api/res.partner", headers={"access-token": "odr_guessing"})
    log = proc.stdout.read() if proc.stdout else ""
    assert "res.partner" in log  # the access log was captured
    blobs = [log.encode()] + [
        p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("tokens.db")
    ]
    for secret in (token, key_token, ADMIN_KEY, "s3cret!", "odr_guessing"):
        for blob in blobs:
            assert secret.encode() not in blob
    with sqlite3.connect(tmp_path / "tokens.db") as db:
        rows = db.execute("SELECT * FROM tokens").fetchall()
    assert rows and all(b"admin\x00" not in bytes(str(r), "utf8") for r in rows)


def test_revocation_reaches_another_replica_within_a_second(
    tmp_path: Path,
    odoo_url: str,
    pg_dsn: str,  # noqa: F811
) -> None:
    with fresh_database(pg_dsn) as dsn:
        env_a = gateway_env(tmp_path / "a", odoo_url, store=dsn)
        env_b = gateway_env(tmp_path / "b", odoo_url, store=dsn)
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        shared_secret = "ab" * 32
        env_a["ODOO_RESTFUL_SECRET"] = env_b["ODOO_RESTFUL_SECRET"] = shared_secret
        # a long cache: only the store's notification can end B's copy within a second
        env_a["ODOO_RESTFUL_TOKEN_CACHE_TTL"] = env_b["ODOO_RESTFUL_TOKEN_CACHE_TTL"] = "60"
        with (
            serve_cli(["serve"], env=env_a) as (url_a, _),
            serve_cli(["serve"], env=env_b) as (url_b, _),
        ):
            token = str(token_for(url_a)["access_token"])
            assert get(url_b, token).status_code == 200  # now cached in replica B
            assert (
                requests.delete(
                    url_a + "/api/auth/token", headers={"access-token": token}
                ).status_code
                == 200
            )
            deadline = time.monotonic() + 1.0
            while get(url_b, token).status_code != 401:
                assert time.monotonic() < deadline, "revocation took over a second"
                time.sleep(0.05)
