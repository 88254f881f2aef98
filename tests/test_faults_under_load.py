"""Faults under load (issue #16 point 7): a steady mix of reads and idempotent creates
through nginx (``docs/nginx.conf``) in front of two replicas sharing one PostgreSQL
store and one Redis, while parts fail one after the other:

(a) Odoo (the sandbox served over HTTP, a separate process, behind a small TCP
    forwarder) is killed (SIGKILL) and a new one started on its port; then it hangs
    (SIGSTOP, then SIGCONT: 504 after ``--odoo-timeout``); then it goes away without
    losing its data: the forwarder is stopped (every connection through it cut, new
    ones refused: 503), then started again. The sandbox keeps its records in memory,
    so the kill comes first and the final count covers the creates begun after it;
    the hang and the outage keep the data, so those creates are all checked.
(b) PostgreSQL is restarted (stopped, then started on the same data directory and port);
(c) one replica is killed (SIGKILL) and started again on the same port.

Clients retry a create with the same ``Idempotency-Key`` until a 2xx, a 4xx, or a
replayed 5xx (the gateway keeps a 5xx when Odoo may have acted: a timeout, a connection
lost mid-request, a claim whose replica died, which answers 409 for the lease of
``3 * ODOO_TIMEOUT + 30`` s and then 502 ``outcome_unknown``).

Afterwards: no answer was a 5xx other than 502/503/504 with a documented JSON ``type``
(nginx's own 502 included, see ``docs/nginx.conf``); every create whose client saw a
2xx exists exactly once, and any other at most once; every token issued at the start
or during the run still works on both replicas; and after each part came back, a
request sent through nginx succeeded within ``RECOVERY_LIMIT`` seconds. The figures
are printed (``pytest -s``) and written to ``faults-under-load.json`` in the test's
folder; ``benchmarks/README.md`` holds one run. About a minute of wall time, most of
it the clients waiting out a dead replica's lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from .deploy import nginx, redis_server
from .pg import PgCluster, fresh_database, pg_cluster
from .servers import free_port, serve_cli

ODOO_TIMEOUT = 2  # seconds: a hung Odoo answers 504 quickly
RECOVERY_LIMIT = 10.0  # seconds from a part coming back to the next success through nginx
REQUEST_TIMEOUT = 15.0  # the client's own: longer than the gateway's answer to a hang
DOCUMENTED_5XX = {
    502: {"bad_gateway", "bad_gateway/nginx", "odoo_server_error", "outcome_unknown"},
    503: {"odoo_unavailable", "token_store_unavailable"},
    504: {"odoo_timeout"},
}
TOKEN_CACHE = 30  # seconds: revocations must come through PostgreSQL's NOTIFY
SECRET = "ef" * 32
GIVE_UP = 50.0  # seconds a client retries one create (a dead replica's claim: 36 s)


# --- the parts ------------------------------------------------------------------------


@contextlib.contextmanager
def sandbox_process(
    log: Path, port: int | None = None
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """``odoo-restful sandbox`` as its own process (the Odoo the replicas call)."""
    port = port or free_port()
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "odoo_restful", "sandbox", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, proc)
        yield port, proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGCONT)  # left stopped by a failed test: let it go
        proc.kill()
        proc.wait(10)


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on port {port}")
        time.sleep(0.05)


class Forwarder:
    """A TCP forwarder on loopback, in a thread of its own, that can be stopped (every
    connection through it cut, new ones refused) and started again on the same port."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None
        self.live: set[asyncio.StreamWriter] = set()
        self.thread.start()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def start(self) -> None:
        async def start() -> None:
            self.server = await asyncio.start_server(
                self._serve, "127.0.0.1", self.port, reuse_address=True
            )

        self._call(start())

    def stop(self) -> None:
        async def stop() -> None:
            if self.server is not None:
                self.server.close()
                self.server = None
            for writer in list(self.live):
                writer.transport.abort()
            self.live.clear()

        self._call(stop())

    def close(self) -> None:
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.transport.abort()
            return
        self.live |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, RuntimeError):
                pass
            finally:
                dst.transport.abort()  # one side gone: the exchange is over both ways

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.live -= {writer, up_writer}


# --- the load -------------------------------------------------------------------------


@dataclass
class Answer:
    start: float
    end: float
    kind: str  # read, create, login
    status: int | None  # None: no HTTP answer at all
    what: str  # the error's JSON type, "connect"/"timeout", "html", or "ok"


@dataclass
class Create:
    name: str
    key: str
    confirmed: bool = False
    attempts: int = 0
    replayed: bool = False
    unknown: bool = False  # a replayed 5xx: Odoo may or may not have acted
    tries: list[Answer] = field(default_factory=list)


@dataclass
class Load:
    """Client threads: readers, creators (each create retried with its own key until
    confirmed), and one thread logging in now and then. Everything they saw is kept."""

    front: str
    ca: str
    tokens: list[str]
    answers: list[Answer] = field(default_factory=list)
    creates: list[Create] = field(default_factory=list)
    new_tokens: list[str] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    t0: float = field(default_factory=time.monotonic)
    threads: list[threading.Thread] = field(default_factory=list)

    def session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        session.verify = self.ca
        return session

    def call(
        self, session: requests.Session, kind: str, method: str, path: str, **kw: Any
    ) -> tuple[requests.Response | None, Answer]:
        start = time.monotonic()
        try:
            resp = session.request(method, self.front + path, timeout=REQUEST_TIMEOUT, **kw)
        except requests.RequestException as exc:
            what = "timeout" if isinstance(exc, requests.Timeout) else "connect"
            answer = Answer(start, time.monotonic(), kind, None, what)
            self.answers.append(answer)
            return None, answer
        what = "ok"
        if resp.status_code >= 300:
            try:
                what = str(resp.json()["type"])
                if resp.json()["message"].startswith("no gateway replica"):
                    what += "/nginx"  # docs/nginx.conf's own JSON error page
            except (ValueError, KeyError, TypeError):
                what = "html" if "html" in resp.headers.get("content-type", "") else "text"
        answer = Answer(start, time.monotonic(), kind, resp.status_code, what)
        self.answers.append(answer)
        return resp, answer

    def reader(self, token: str) -> None:
        session = self.session()
        while not self.stopping.is_set():
            self.call(
                session,
                "read",
                "GET",
                "/api/res.partner",
                params={"limit": 5},
                headers={"access-token": token},
            )
            time.sleep(0.02)

    def creator(self, token: str) -> None:
        session = self.session()
        while not self.stopping.is_set():
            create = Create(name=f"fault-{uuid.uuid4().hex}", key=str(uuid.uuid4()))
            self.creates.append(create)
            self.settle(session, token, create)

    def settle(self, session: requests.Session, token: str, create: Create) -> None:
        """A real client: retry the same key on no answer, a 5xx, 409 or 429, for up to
        ``GIVE_UP`` seconds; stop at a 2xx, a 4xx, or a replayed 5xx (the gateway keeps
        it: whether Odoo acted is unknown, the client would look before a new key)."""
        headers = {"access-token": token, "Idempotency-Key": create.key}
        give_up = time.monotonic() + GIVE_UP
        while time.monotonic() < give_up:
            create.attempts += 1
            resp, answer = self.call(
                session,
                "create",
                "POST",
                "/api/res.partner",
                json={"name": create.name},
                headers=headers,
            )
            create.tries.append(answer)
            if resp is None:
                time.sleep(0.25)
                continue
            replayed = resp.headers.get("idempotent-replayed") == "true"
            if resp.status_code < 300:
                create.confirmed, create.replayed = True, replayed
                return
            if resp.status_code < 500 and resp.status_code not in (409, 429):
                return  # a final answer: a 4xx the same request would get again
            if resp.status_code >= 500 and replayed:
                create.unknown = True
                return
            time.sleep(0.25)

    def login(self) -> None:
        session = self.session()
        while not self.stopping.wait(3.0):
            resp, _ = self.call(
                session,
                "login",
                "POST",
                "/api/auth/token",
                json={"login": "demo", "password": "demo"},
            )
            if resp is not None and resp.status_code == 200:
                self.new_tokens.append(resp.json()["access_token"])

    def start(self) -> None:
        targets: list[Callable[[], None]] = [
            lambda: self.reader(self.tokens[0]),
            lambda: self.reader(self.tokens[1]),
            lambda: self.creator(self.tokens[2]),
            lambda: self.creator(self.tokens[3]),
            lambda: self.creator(self.tokens[2]),
            self.login,
        ]
        self.threads = [threading.Thread(target=t, daemon=True) for t in targets]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(90)

    def first_success_after(self, moment: float, kinds: tuple[str, ...]) -> float | None:
        """Seconds from ``moment`` to the end of the first 2xx sent after it."""
        ends = [
            a.end
            for a in list(self.answers)
            if a.start >= moment and a.kind in kinds and a.status and a.status < 300
        ]
        return round(min(ends) - moment, 3) if ends else None


# --- the test -------------------------------------------------------------------------


def token_for(session: requests.Session, url: str, login: str) -> str:
    resp = session.post(url + "/api/auth/token", json={"login": login, "password": login})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


def works(url: str, token: str) -> int:
    resp = requests.get(url + "/api/res.users/2", headers={"access-token": token}, timeout=10)
    return resp.status_code


def wait_until(check: Callable[[], bool], limit: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < limit:
        with contextlib.suppress(requests.RequestException):
            if check():
                return round(time.monotonic() - start, 3)
        time.sleep(0.05)
    return None


def partner_names(odoo_port: int) -> Counter[str]:
    """Every ``fault-`` partner, read straight from the sandbox over JSON-RPC."""
    params = {
        "service": "object",
        "method": "execute_kw",
        "args": [
            "sandbox",
            2,
            "admin",
            "res.partner",
            "search_read",
            [[["name", "=like", "fault-%"]]],
            {"fields": ["name"]},
        ],
    }
    resp = requests.post(
        f"http://127.0.0.1:{odoo_port}/jsonrpc",
        json={"jsonrpc": "2.0", "method": "call", "params": params, "id": 1},
        timeout=30,
    )
    reply = resp.json()
    assert "result" in reply, reply
    return Counter(r["name"] for r in reply["result"])


def test_faults_under_load(tmp_path: Path) -> None:
    figures: dict[str, Any] = {"phases": {}}
    with contextlib.ExitStack() as stack:
        cluster: PgCluster = stack.enter_context(pg_cluster())
        store = stack.enter_context(fresh_database(cluster.dsn))
        redis_url = stack.enter_context(redis_server())
        odoo_port, odoo = stack.enter_context(sandbox_process(tmp_path / "sandbox.log"))
        forwarder = Forwarder(odoo_port)
        stack.callback(forwarder.close)
        forwarder.start()
        env = {
            "ODOO_RESTFUL_SECRET": SECRET,
            "ODOO_RESTFUL_STORE": store,
            "ODOO_RESTFUL_ODOO_URL": f"http://127.0.0.1:{forwarder.port}",
            "ODOO_RESTFUL_DB": "sandbox",
            "ODOO_RESTFUL_ODOO_TIMEOUT": str(ODOO_TIMEOUT),
            "ODOO_RESTFUL_FORWARDED_ALLOW_IPS": "127.0.0.1",
            "ODOO_RESTFUL_RATE_LIMIT": "100000/minute",
            "ODOO_RESTFUL_RATE_LIMIT_STORAGE": redis_url,
            "ODOO_RESTFUL_LOG_LEVEL": "warning",
            "ODOO_RESTFUL_TOKEN_CACHE_TTL": str(TOKEN_CACHE),
        }
        ports = [free_port(), free_port()]
        procs: dict[int, subprocess.Popen[str]] = {}

        def replica(i: int) -> str:
            log = tmp_path / f"replica{i}.log"
            url, procs[i] = stack.enter_context(
                serve_cli(["serve"], env=env, port=ports[i], log=log)
            )
            return url

        urls = [replica(0), replica(1)]
        _, https_port = stack.enter_context(
            nginx(tmp_path, [u.removeprefix("http://") for u in urls])
        )
        front = f"https://127.0.0.1:{https_port}"
        load = Load(front, str(tmp_path / "cert.pem"), [])
        session = stack.enter_context(load.session())
        tokens = [token_for(session, front, login) for login in ("admin", "demo", "admin", "admin")]
        load.tokens = tokens
        load.start()
        stack.callback(load.stop)
        time.sleep(3)

        windows: dict[str, tuple[float, float]] = {}

        def phase(
            name: str,
            down: Callable[[], None],
            up: Callable[[], None],
            *,
            out: float,
            kinds: tuple[str, ...] = ("read", "create"),
        ) -> dict[str, Any]:
            """Traffic before (the previous pause), during ``out`` seconds of the fault,
            and after: recovery = from the part coming back to the end of the first
            success through nginx that was sent after it."""
            began = time.monotonic()
            down()
            time.sleep(out)
            up()
            back = time.monotonic()
            wait_until(lambda: load.first_success_after(back, kinds) is not None, RECOVERY_LIMIT)
            windows[name] = (began, back)
            figures["phases"][name] = found = {
                "at_seconds": round(began - load.t0, 1),
                "down_seconds": round(back - began, 2),
                "recovery_seconds": load.first_success_after(back, kinds),
            }
            time.sleep(3)  # traffic after
            return found

        # (a) Odoo killed and started again (a new process on the same port: no
        # sessions, no records of before); then Odoo hangs; then Odoo goes away
        def kill_odoo() -> None:
            odoo.kill()
            odoo.wait(10)

        def start_odoo() -> None:
            nonlocal odoo
            _, odoo = stack.enter_context(sandbox_process(tmp_path / "sandbox.log", odoo_port))

        phase("odoo_restarted", kill_odoo, start_odoo, out=3)
        # the records made before are gone with the old process: the final count covers
        # the creates begun from here on
        counted_from = time.monotonic()
        phase(
            "odoo_hung",
            lambda: odoo.send_signal(signal.SIGSTOP),
            lambda: odoo.send_signal(signal.SIGCONT),
            out=4,
        )
        phase("odoo_down", forwarder.stop, forwarder.start, out=3)

        # (b) PostgreSQL restarted: the creates tell (their Idempotency-Key lives in the
        # store; reads may be served from the token cache); each replica reconnects
        restarted = phase(
            "postgres_restarted", cluster.stop, cluster.start, out=3, kinds=("create",)
        )
        for i, url in enumerate(urls):
            ready = f"{url}/readyz"
            restarted[f"replica{i}_ready_seconds"] = wait_until(
                lambda ready=ready: requests.get(ready, timeout=5).status_code == 200,  # type: ignore[misc]
                RECOVERY_LIMIT,
            )

        # the revocation channel (LISTEN) came back too: a token cached on one replica
        # (for TOKEN_CACHE seconds, longer than the limit) and revoked on the other is
        # refused at once
        fresh = token_for(session, front, "admin")
        assert works(urls[1], fresh) == 200
        assert requests.delete(urls[0] + "/api/auth/token", headers={"access-token": fresh}).ok
        restarted["revocation_reaches_other_replica_seconds"] = wait_until(
            lambda: works(urls[1], fresh) == 401, RECOVERY_LIMIT
        )

        # (c) one replica killed, then started again where nginx expects it; nginx sends
        # everything to the other meanwhile. Last: a create in flight on it keeps its key
        # busy for the 36 s lease, and creators waiting that out would hide how soon the
        # other parts came back.
        killed_at: list[float] = []

        def kill_replica() -> None:
            procs[0].kill()
            procs[0].wait(10)
            killed_at.append(time.monotonic())

        def restart_replica() -> None:
            replica(0)  # on its old port; back once its /healthz answers

        killed = phase("replica_killed", kill_replica, restart_replica, out=2)
        killed["failover_seconds"] = load.first_success_after(killed_at[0], ("read", "create"))
        killed["restarted_replica_serves_seconds"] = wait_until(
            lambda: works(urls[0], tokens[0]) == 200, RECOVERY_LIMIT
        )

        load.stop()
        answers = list(load.answers)
        names = partner_names(odoo_port)

        # no token lost: every token issued at the start, and the ones issued during the
        # run, still work on both replicas
        lost = [t[:8] for t in tokens + load.new_tokens for url in urls if works(url, t) != 200]

    for name, (began, back) in windows.items():  # answers overlapping the outage
        during = Counter(
            f"{a.status or ''} {a.what}".strip()
            for a in answers
            if a.end >= began and a.start <= back + 1 and a.what != "ok"
        )
        figures["phases"][name]["errors"] = dict(sorted(during.items()))
    by_status = Counter(str(a.status) if a.status else a.what for a in answers)
    by_kind = Counter(f"{a.status or ''} {a.what}".strip() for a in answers if a.what != "ok")
    counted = [c for c in load.creates if c.tries and c.tries[0].start >= counted_from]
    confirmed = [c for c in counted if c.confirmed]
    figures.update(
        requests=len(answers),
        by_status=dict(sorted(by_status.items())),
        errors_by_kind=dict(sorted(by_kind.items())),
        creates=len(load.creates),
        creates_counted=len(counted),
        creates_confirmed=len(confirmed),
        creates_confirmed_by_replay=sum(c.replayed for c in confirmed),
        creates_outcome_unknown=sum(c.unknown for c in counted),
        creates_unknown_that_exist=sum(c.unknown and names[c.name] == 1 for c in counted),
        create_attempts_max=max((c.attempts for c in load.creates), default=0),
        logins_during_run=len(load.new_tokens),
        duration_seconds=round(max(a.end for a in answers) - min(a.start for a in answers), 1),
    )
    print("\nfaults under load:", json.dumps(figures, indent=2))
    (tmp_path / "faults-under-load.json").write_text(json.dumps(figures, indent=2))

    problems: list[str] = []  # every kind of failure at once, for the report
    bad = Counter(
        (a.status, a.what)
        for a in answers
        if a.status and a.status >= 500 and a.what not in DOCUMENTED_5XX.get(a.status, set())
    )
    if bad:
        problems.append(f"undocumented 5xx answers: {dict(bad)}")
    twice = {c.name: names[c.name] for c in confirmed if names[c.name] != 1}
    if twice:
        problems.append(f"{len(twice)} confirmed creates not there exactly once: {twice}")
        for c in confirmed:
            if c.name in twice:
                tries = [(round(a.start - load.t0, 2), a.status, a.what) for a in c.tries]
                problems.append(f"  {c.name}: {tries}")
    sure = {c.name for c in confirmed}
    extra = {
        c.name: names[c.name] for c in load.creates if c.name not in sure and names[c.name] > 1
    }
    if extra:
        problems.append(f"{len(extra)} other creates made more than once: {extra}")
    if lost:
        problems.append(f"tokens lost: {lost}")
    for name, phase_figures in figures["phases"].items():
        for what, seconds in phase_figures.items():
            measured = what.endswith("_seconds") and what not in ("at_seconds", "down_seconds")
            if measured and (seconds is None or seconds >= RECOVERY_LIMIT):
                problems.append(f"{name}: {what} not within {RECOVERY_LIMIT} s")
    assert not problems, "\n".join(problems)
    assert len(confirmed) > 20 and by_status["200"] > 100, figures
