"""Tokens survive a restart from another directory (issue #16 point 6): the server
secret defaults to a file beside the SQLite store, a PostgreSQL store needs a shared
secret, and a gateway started with the wrong secret says so loudly, with the count."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from odoo_restful.compose import load_secrets, open_store, secret_file_path
from odoo_restful.config import Settings
from odoo_restful.odoo.base import Credential
from odoo_restful.sandbox import Sandbox
from odoo_restful.tokens.crypto import ServerSecrets
from odoo_restful.tokens.service import TokenService

from .servers import serve_cli, serve_in_thread

CLI = [sys.executable, "-m", "odoo_restful"]


def test_secret_file_defaults_to_beside_the_store(tmp_path: Path) -> None:
    assert secret_file_path(Settings(store=str(tmp_path / "t.db"))) == str(tmp_path / "t.db.key")
    assert secret_file_path(Settings(store=f"sqlite:///{tmp_path}/u.db")) == f"{tmp_path}/u.db.key"
    assert secret_file_path(Settings(store="sqlite://")) is None  # in memory: nothing to keep
    assert secret_file_path(Settings(store="x.db", secret_file="/k")) == "/k"
    with pytest.raises(ValueError, match="ODOO_RESTFUL_SECRET"):
        secret_file_path(Settings(store="postgresql://u@127.0.0.1/db"))
    pg = Settings(store="postgresql://u@127.0.0.1/db", secret_file=str(tmp_path / "pg.key"))
    assert secret_file_path(pg) == str(tmp_path / "pg.key")


def test_postgres_store_without_a_secret_is_a_clear_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_RESTFUL_")}
    result = subprocess.run(
        [*CLI, "serve", "--db", "x", "--store", "postgresql://nobody@127.0.0.1:1/none"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "ODOO_RESTFUL_SECRET" in result.stderr and "--secret-file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())  # no stray key file made in the working directory


def test_restart_from_another_directory_keeps_tokens(tmp_path: Path) -> None:
    store = tmp_path / "data" / "tokens.db"
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    with serve_in_thread(Sandbox().asgi) as odoo_url:
        args = ["serve", "--db", "sandbox", "--odoo-url", odoo_url, "--store", str(store)]
        with serve_cli(args, cwd=str(first)) as (url, _):
            token = requests.post(
                url + "/api/auth/token", json={"login": "admin", "password": "admin"}
            ).json()["access_token"]
        with serve_cli(args, cwd=str(second)) as (url, proc):
            resp = requests.get(url + "/api/res.partner", headers={"access-token": token})
            assert resp.status_code == 200, resp.text
    log = proc.stdout.read() if proc.stdout else ""
    assert "LIVE TOKEN" not in log
    assert Path(str(store) + ".key").stat().st_mode & 0o077 == 0
    assert not list(first.iterdir()) and not list(second.iterdir())


async def _issue_and_restart(tmp: Path, caplog: pytest.LogCaptureFixture) -> int:
    settings = Settings(store=str(tmp / "t.db"))
    cred = Credential(db="sandbox", uid=2, secret="admin", kind="password")
    store = open_store(settings.store)
    await store.open()
    old = TokenService(store, load_secrets(settings), ttl=3600)
    await old.start()
    for _ in range(3):
        await old.issue(cred, login="admin", user_info={})
    revoked, _ = await old.issue(cred, login="admin", user_info={})
    await old.revoke(revoked)
    await old.close()
    # another process, started with a different secret (say, a new key file)
    store = open_store(settings.store)
    await store.open()
    new = TokenService(store, ServerSecrets.generate(tmp / "other.key"), ttl=3600)
    with caplog.at_level(logging.WARNING, logger="odoo_restful.tokens"):
        await new.start()
    count = await new.orphaned_tokens()
    await new.close()
    return count


def test_start_warns_about_tokens_under_unknown_secrets(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert asyncio.run(_issue_and_restart(tmp_path, caplog)) == 3  # the revoked one is not live
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("3 LIVE TOKEN(S)" in m for m in warnings), warnings
