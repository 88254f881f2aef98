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


class PgCluster:
    """One throwaway cluster (its own data directory and port) that can be stopped and
    started again on the same port, as a real server restart (the faults test)."""

    def __init__(self) -> None:
        self.bindir = find_pg_bin()
        self.root = tempfile.mkdtemp(prefix="odoo-restful-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.data = os.path.join(self.root, "data")
        self.log = os.path.join(self.root, "server.log")
        self.port = _free_port()
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._env = {**os.environ, "LC_ALL": "C", "LANG": "C"}

    def _run(self, cmd: list[str]) -> None:
        subprocess.run(
            _as_postgres(cmd),
            env=self._env,
            check=True,
            capture_output=True,
            text=True,
            cwd=self.root,
        )

    def init(self) -> None:
        initdb = [f"{self.bindir}/initdb", "-D", self.data, "-U", "postgres", "-A", "trust"]
        self._run([*initdb, "-E", "UTF8", "--locale=C", "--no-sync"])
        with open(os.path.join(self.data, "pg_hba.conf"), "w") as hba:
            hba.write("local all all trust\nhost all all 127.0.0.1/32 trust\n")

    def start(self) -> None:
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        pg_ctl = [f"{self.bindir}/pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60"]
        self._run([*pg_ctl, "-o", opts, "start"])

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends every session (a restart as clients see it), ``immediate`` a crash."""
        self._run([f"{self.bindir}/pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"])

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def pg_cluster() -> Iterator[PgCluster]:
    """A fresh local cluster, started; stopped and removed afterwards."""
    cluster = PgCluster()
    try:
        cluster.init()
        cluster.start()
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr or exc.stdout
        if os.path.exists(cluster.log):
            with open(cluster.log) as f:
                detail += f.read()
        shutil.rmtree(cluster.root, ignore_errors=True)
        raise PostgresUnavailable(f"could not start PostgreSQL: {detail.strip()}") from exc
    try:
        yield cluster
    finally:
        cluster.remove()


@contextlib.contextmanager
def pg_server() -> Iterator[str]:
    """Yield a superuser DSN: ``ODOO_RESTFUL_TEST_PG_DSN`` or a fresh local server."""
    if os.environ.get(ENV_DSN):
        yield os.environ[ENV_DSN]
        return
    with pg_cluster() as cluster:
        yield cluster.dsn


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
