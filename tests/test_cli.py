"""The ``odoo-restful`` command as a user runs it: real processes on loopback."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

from odoo_restful.sandbox import Sandbox

from .servers import free_port, serve_cli, serve_in_thread


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "odoo_restful", *args], capture_output=True, text=True, timeout=60
    )


def test_help_explains_every_flag_and_its_variable() -> None:
    out = run("serve", "--help").stdout
    for flag in ("--sandbox", "--odoo-url", "--db", "--host", "--port", "--store", "--workers"):
        assert flag in out
        assert "ODOO_RESTFUL_" + flag[2:].upper().replace("-", "_") in out
    top = run("--help").stdout
    for command in ("serve", "sandbox", "db"):
        assert command in top


def test_bad_flag_value_is_a_clear_error() -> None:
    result = run("serve", "--workers", "0")
    assert result.returncode != 0
    assert "workers" in result.stderr
    for flag, value, word in (
        ("--odoo-client", "curl", "odoo-client"),
        ("--odoo-url", "ftp://odoo.example.com", "odoo_url"),
        ("--odoo-url", "odoo.example.com", "odoo_url"),
        ("--odoo-timeout", "0", "odoo_timeout"),
    ):
        result = run("serve", flag, value)
        assert result.returncode == 2, (flag, value)
        assert word in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_serve_sandbox_as_in_the_readme(tmp_path: Path) -> None:
    with serve_cli(["serve", "--sandbox"], cwd=str(tmp_path)) as (url, proc):
        resp = requests.post(url + "/api/auth/token", json={"login": "admin", "password": "admin"})
        assert resp.status_code == 200, resp.text
        token = resp.json()["access_token"]
        data = requests.get(
            url + "/api/res.partner",
            headers={"access-token": token},
            params={"access_token": token, "limit": 3},
        ).json()
        assert data["count"] == 3
        assert "server" not in requests.get(url + "/healthz").headers  # no banner
        requests.get(url + "/api/res.partner", params={"password": "admin"})
    log = proc.stdout.read() if proc.stdout else ""
    assert "listening on http://127.0.0.1" in log
    assert "sandbox" in log and "Odoo 19.0, protocol auto" in log
    assert token not in log and "password=admin" not in log
    assert (tmp_path / "odoo-restful.db").exists()  # the store defaults to the working dir
    assert (tmp_path / "odoo-restful.key").stat().st_mode & 0o077 == 0


def test_environment_variables_and_restart_keep_tokens(tmp_path: Path) -> None:
    env = {
        "ODOO_RESTFUL_DEFAULT_LIMIT": "5",
        "ODOO_RESTFUL_DB": "sandbox",
        "ODOO_RESTFUL_STORE": str(tmp_path / "t.db"),
        "ODOO_RESTFUL_SECRET_FILE": str(tmp_path / "k.key"),
    }
    with serve_in_thread(Sandbox().asgi) as odoo_url:
        env["ODOO_RESTFUL_ODOO_URL"] = odoo_url
        with serve_cli(["serve", "--workers", "2"], env=env) as (url, _):
            token = requests.post(
                url + "/api/auth/token", data={"login": "admin", "password": "admin"}
            ).json()["access_token"]
            page = requests.get(url + "/api/res.partner", headers={"access-token": token})
            assert page.json()["count"] == 5
        with serve_cli(["serve"], env=env) as (url, _):
            again = requests.get(url + "/api/res.partner", headers={"access-token": token})
            assert again.status_code == 200, again.text


def test_db_upgrade_command(tmp_path: Path) -> None:
    store = str(tmp_path / "x.db")
    first = run("db", "upgrade", "--store", store)
    assert first.returncode == 0, first.stderr
    assert "applied" in first.stdout
    second = run("db", "upgrade", "--store", store)
    assert "up to date" in second.stdout


def test_every_setting_has_a_flag_a_variable_and_a_readme_row() -> None:
    from dataclasses import fields

    from odoo_restful.config import Settings

    help_text = run("serve", "--help").stdout
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for f in fields(Settings):
        flag = "--" + f.name.replace("_", "-")
        variable = "ODOO_RESTFUL_" + f.name.upper()
        assert flag in help_text, flag
        assert variable in help_text, variable
        assert f"`{flag}`" in readme and f"`{variable}`" in readme, f.name


def test_sandbox_command_serves_a_fake_odoo() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "odoo_restful", "sandbox", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "common",
                "method": "authenticate",
                "args": ["sandbox", "admin", "admin", {}],
            },
        }
        for _ in range(100):
            try:
                resp = requests.post(f"http://127.0.0.1:{port}/jsonrpc", json=body, timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError("the sandbox did not start")
        assert resp.json()["result"] == 2
    finally:
        proc.terminate()
        proc.wait(10)
