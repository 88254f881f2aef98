"""A throwaway PostgreSQL server for the tests, and a fresh database per test.

PostgreSQL tests are core (several replicas share that store), so a missing server
is an error, never a skip. ``ODOO_RESTFUL_TEST_PG_DSN`` points the tests at an
existing server instead (its role needs CREATEDB: each test gets its own database).
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

ENV_DSN = "ODOO_RESTFUL_TEST_PG_DSN"


class PostgresUnavailable(RuntimeError):
    pass


def find_pg_bin() -> str:
    """The newest ``/usr/lib/postgresql/<n>/bin`` holding initdb and pg_ctl (or PATH)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
        reverse=True,
    )
    for folder in candidates:
        if os.access(os.path.join(folder, "initdb"), os.X_OK) and os.access(
            os.path.join(folder, "pg_ctl"), os.X_OK
        ):
            return folder
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return os.path.dirname(initdb)
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin "
        f"or on PATH. Install them (Debian: apt-get install postgresql) or set {ENV_DSN} "
        "to a server whose role may CREATE DATABASE."
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: drop to the ``postgres`` OS user."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *cmd]
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(cmd)]


@contextlib.contextmanager
def pg_server() -> Iterator[str]:
    """Yield a superuser DSN: ``ODOO_RESTFUL_TEST_PG_DSN`` or a fresh local server."""
    if os.environ.get(ENV_DSN):
        yield os.environ[ENV_DSN]
        return
    bindir = find_pg_bin()
    root = tempfile.mkdtemp(prefix="odoo-restful-pg-")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, log = os.path.join(root, "data"), os.path.join(root, "server.log")
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    run = {"env": env, "check": True, "capture_output": True, "text": True, "cwd": root}
    try:
        initdb = [f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        subprocess.run(_as_postgres([*initdb, "--locale=C", "--no-sync"]), **run)
        with open(os.path.join(data, "pg_hba.conf"), "w") as hba:
            hba.write("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        pg_ctl = [f"{bindir}/pg_ctl", "-D", data, "-l", log, "-w", "-t", "60"]
        subprocess.run(_as_postgres([*pg_ctl, "-o", opts, "start"]), **run)
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr or exc.stdout
        if os.path.exists(log):
            with open(log) as f:
                detail += f.read()
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"could not start PostgreSQL: {detail.strip()}") from exc
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"]),
            env=env,
            capture_output=True,
            cwd=root,
        )
        shutil.rmtree(root, ignore_errors=True)


def _with_database(dsn: str, name: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + name))


async def _admin(dsn: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def fresh_database(server_dsn: str) -> Iterator[str]:
    """A new, empty database on the server for one test; dropped afterwards."""
    name = "t_" + uuid.uuid4().hex[:16]
    asyncio.run(_admin(server_dsn, f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(server_dsn, name)
    finally:
        asyncio.run(_admin(server_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """Session fixture: a superuser DSN of the throwaway server (import it to use it)."""
    with contextlib.ExitStack() as stack:
        try:
            dsn = stack.enter_context(pg_server())
        except PostgresUnavailable as exc:
            pytest.fail(str(exc), pytrace=False)
        yield dsn
