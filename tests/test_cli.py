"""The ``odoo-restful`` command as a user runs it: real processes on loopback."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from odoo_restful import listeners
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
        ("--odoo-url", "https://admin:secret@odoo.example.com", "odoo_url"),
        ("--odoo-url", "http://odoo.example.com:99999", "odoo_url"),
        ("--odoo-timeout", "0", "odoo_timeout"),
    ):
        result = run("serve", flag, value)
        assert result.returncode == 2, (flag, value)
        assert word in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert "secret" not in result.stderr  # the password in a URL is never echoed


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
    # the server secret lives beside the store, not in the working directory
    assert (tmp_path / "odoo-restful.db.key").stat().st_mode & 0o077 == 0
    assert not (tmp_path / "odoo-restful.key").exists()


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


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _tcp_sockets(port: int) -> dict[str, str]:
    """inode -> TCP state ('0A' listening, '01' established) of sockets on a local port."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port:
                found[cols[9]] = cols[3]
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


@pytest.mark.skipif(not listeners.supported(), reason="SO_REUSEPORT spreads connections on Linux")
def test_each_worker_listens_on_its_own_socket_and_gets_connections(tmp_path: Path) -> None:
    """Keep-alive clients must not all land on the one worker that woke first."""
    env = {
        "ODOO_RESTFUL_DB": "sandbox",
        "ODOO_RESTFUL_STORE": str(tmp_path / "t.db"),
        "ODOO_RESTFUL_SECRET_FILE": str(tmp_path / "k.key"),
    }
    with serve_in_thread(Sandbox().asgi) as odoo_url:
        env["ODOO_RESTFUL_ODOO_URL"] = odoo_url
        with serve_cli(["serve", "--workers", "2"], env=env) as (url, proc):
            port = int(url.rsplit(":", 1)[1])
            deadline = time.monotonic() + 20  # the first worker up answers /healthz
            while True:
                sockets = _tcp_sockets(port)
                listening = {i for i, state in sockets.items() if state == "0A"}
                if len(listening) >= 2 or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert len(listening) == 2
            workers = [pid for pid in _children(proc.pid) if _socket_inodes(pid) & listening]
            assert all(len(_socket_inodes(pid) & listening) == 1 for pid in workers)
            token = requests.post(
                url + "/api/auth/token", data={"login": "admin", "password": "admin"}
            ).json()["access_token"]
            clients = [http.client.HTTPConnection("127.0.0.1", port) for _ in range(40)]
            try:
                for client in clients:
                    # Both workers read the one server key: a token from one works on the other.
                    client.request("GET", "/api/res.partner/3", headers={"access-token": token})
                    resp = client.getresponse()
                    assert resp.status == 200, resp.read()
                    resp.read()
                sockets = _tcp_sockets(port)
                held = [
                    sum(1 for i in _socket_inodes(pid) if sockets.get(i) == "01") for pid in workers
                ]
            finally:
                for client in clients:
                    client.close()
    assert len(held) == 2 and sum(held) == 40
    assert min(held) > 0, held
    secrets = [ln for ln in (tmp_path / "k.key").read_text().splitlines() if ln.strip()]
    assert len(secrets) == 1


@pytest.mark.parametrize("workers", [1, 3])
def test_server_key_is_made_before_any_worker_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """Workers starting together must not each write a key file of their own."""
    import uvicorn
    import uvicorn.supervisors

    from odoo_restful import cli
    from odoo_restful.config import Settings

    key = tmp_path / "k.key"
    seen: list[bool] = []

    def started(*args: object, **kwargs: object) -> None:
        seen.append(key.exists())

    class Supervisor:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def run(self) -> None:
            started()

    monkeypatch.setattr(uvicorn, "run", started)
    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", Supervisor)
    # _run exports the settings for its workers: keep that out of the other tests
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_RESTFUL_")}
    monkeypatch.setattr(os, "environ", environ)
    settings = Settings(
        store=str(tmp_path / "t.db"), secret_file=str(key), workers=workers, port=free_port()
    )
    cli._run(settings)
    assert seen == [True]


@pytest.mark.parametrize("reuse_port", [False, True])
def test_port_in_use_is_a_clear_error_with_workers(tmp_path: Path, reuse_port: bool) -> None:
    """Even a port held with SO_REUSEPORT (say, another gateway) is not silently shared."""
    with socket.socket() as taken:
        if reuse_port:
            taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["serve", "--workers", "2", "--db", "x", "--port", str(port)]
        args += ["--odoo-url", f"http://127.0.0.1:{free_port()}"]
        args += ["--store", str(tmp_path / "t.db"), "--secret-file", str(tmp_path / "k")]
        result = subprocess.run(
            [sys.executable, "-m", "odoo_restful", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 3
    assert "cannot listen on 127.0.0.1" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_db_upgrade_command(tmp_path: Path) -> None:
    store = str(tmp_path / "x.db")
    first = run("db", "upgrade", "--store", store)
    assert first.returncode == 0, first.stderr
    assert "applied" in first.stdout
    second = run("db", "upgrade", "--store", store)
    assert "up to date" in second.stdout


def test_every_setting_has_a_flag_a_variable_and_a_readme_row() -> None:
    from dataclasses import fields

    from odoo_restful.config import PUBLIC_NAMES, Settings

    help_text = run("serve", "--help").stdout
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for f in fields(Settings):
        public = PUBLIC_NAMES.get(f.name, f.name)  # default_db is --db / ODOO_RESTFUL_DB
        flag = "--" + public.replace("_", "-")
        variable = "ODOO_RESTFUL_" + public.upper()
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


def test_help_says_serve_is_the_default_and_keeps_summaries_whole() -> None:
    from click.testing import CliRunner

    from odoo_restful.cli import main

    out = CliRunner().invoke(main, ["--help"], terminal_width=80).output
    assert "serve Serve the REST API (the default command)." in " ".join(out.split())
    assert "Without a command" in out
    assert "..." not in out.split("Commands:")[1], "no summary cut mid-sentence"
    assert "(for client generators)" in " ".join(out.split())
    serve_help = " ".join(CliRunner().invoke(main, ["serve", "--help"]).output.split())
    assert "in seconds (at least 60)" in serve_help
    # the secret's default home, where a restart from another directory finds it
    assert "Default: <store>.key beside a SQLite store" in serve_help


def _tokens_create(
    tmp_path: Path, *args: str, secret: str = "admin"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo_restful",
            "tokens",
            "create",
            "--login",
            "admin",
            "--api-key-file",
            "-",
            "--store",
            str(tmp_path / "tokens.db"),
            "--secret-file",
            str(tmp_path / "secret.key"),
            *args,
        ],
        input=secret,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_tokens_create_against_the_sandbox(tmp_path: Path) -> None:
    done = _tokens_create(tmp_path, "--sandbox")
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert token.startswith("odr_") and "not shown again" in done.stderr
    # The token works with a sandbox gateway over the same store and secret.
    from odoo_restful.app import create_app
    from odoo_restful.config import Settings

    settings = Settings(
        sandbox=True, store=str(tmp_path / "tokens.db"), secret_file=str(tmp_path / "secret.key")
    )
    with serve_in_thread(create_app(settings)) as url:
        resp = requests.get(url + "/api/res.country", headers={"access-token": token}, timeout=30)
        assert resp.status_code == 200, resp.text


def test_tokens_create_names_the_url_it_could_not_reach(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = _tokens_create(tmp_path, "--db", "x", "--odoo-url", url)
    assert done.returncode != 0
    assert f"cannot reach Odoo at {url}" in done.stderr, done.stderr


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_one_log_format_for_uvicorn_and_the_gateway(log_format: str) -> None:
    import json
    import re

    with serve_cli(["serve", "--sandbox", "--log-format", log_format]) as (url, proc):
        requests.get(url + "/healthz", timeout=10)
        requests.get(url + "/api/res.partner", timeout=10)
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    lines = [line for line in out.splitlines() if line.strip()]
    loggers = set()
    for line in lines:
        if log_format == "json":
            entry = json.loads(line)
            assert {"time", "level", "logger", "message"} <= set(entry), line
            loggers.add(entry["logger"])
        else:
            found = re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ ([\w.]+): ", line)
            assert found, f"not in the one format: {line!r}"
            loggers.add(found.group(1))
    assert "uvicorn.error" in loggers, loggers  # uvicorn's own lines
    assert "odoo_restful" in loggers and "odoo_restful.access" in loggers, loggers


def test_readme_says_what_a_newcomer_needs() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text()
    assert "apt-get install -y postgresql chromium nodejs npm" in readme
    for package in ("postgresql", "chromium", "nodejs", "npm"):
        assert f"need_apt+=({package})" in ci, package
    assert "../shared/odoo-wire/" in readme, "what ../shared is for"
    assert "`requests`" in readme and "resets it" in readme, "the tour's needs and reset"


def test_store_urls_are_logged_without_credentials() -> None:
    from odoo_restful.cli_options import redact_dsn

    assert redact_dsn("postgresql://u:p%40ss@db:5432/t?sslmode=require") == (
        "postgresql://db:5432/t?sslmode=require"
    )
    assert redact_dsn("postgresql://us@er:pw@db/t") == "postgresql://db/t"  # '@' in the user
    assert redact_dsn("postgresql://[::1]:5433/t") == "postgresql://[::1]:5433/t"
    assert redact_dsn("/var/lib/odoo-restful/tokens.db") == "/var/lib/odoo-restful/tokens.db"
