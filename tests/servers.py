"""Real servers on loopback for the tests: uvicorn in a thread, or the CLI in a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests
import uvicorn

from odoo_restful.sandbox import Sandbox


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve_in_thread(app: Any, *, timeout: float = 15.0) -> Iterator[str]:
    """Serve an ASGI app on 127.0.0.1 in a background thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        server_header=False,  # as the CLI runs it
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)


@contextlib.contextmanager
def serve_cli(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = 30.0,
    port: int | None = None,
    log: Path | None = None,
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Run ``odoo-restful <args> --port N`` as a real process; yields (base URL, process).
    ``port`` restarts a replica where its proxy expects it; ``log`` (appended to) keeps
    a long run's output, which a pipe nobody reads would block on once full."""
    port = port or free_port()
    output = open(log, "a") if log else None  # noqa: SIM115  (closed below)
    cmd = [sys.executable, "-m", "odoo_restful", *args, "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=output or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                text = log.read_text() if log else proc.stdout.read() if proc.stdout else ""
                raise RuntimeError(f"gateway exited: {text}")
            try:
                if requests.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gateway did not start in time")
            time.sleep(0.1)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if output:
            output.close()


class BodyTap:
    """An ASGI app (the sandbox by default) behind a tap that reads each HTTP request's
    body whole and shows it to :meth:`peek` (to count, delay or refuse it) before the app
    gets it, replayed. The one home of that dance for tests and benchmarks."""

    def __init__(self, sandbox: Sandbox | None = None) -> None:
        self.sandbox = sandbox or Sandbox()
        self.app: Any = self.sandbox.asgi

    async def peek(self, scope: Any, body: bytes, send: Any) -> bool:
        """Look at one request; False when it was answered here (with ``send``)."""
        return True

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if not await self.peek(scope, body, send):
            return
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if sent:  # the body is gone: whatever comes next (a disconnect) is real
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class SlowCreates(BodyTap):
    """The sandbox over HTTP, with every ``create`` held for ``delay`` seconds and counted."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.creates = 0
        self.fail_next = False

    async def peek(self, scope: Any, body: bytes, send: Any) -> bool:
        if b'"create"' not in body:
            return True
        self.creates += 1
        await asyncio.sleep(self.delay)
        if self.fail_next:
            self.fail_next = False
            await send({"type": "http.response.start", "status": 500, "headers": []})
            await send({"type": "http.response.body", "body": b"boom"})
            return False
        return True
