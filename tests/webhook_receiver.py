"""A webhook receiver on loopback for the tests and ``benchmarks/webhooks.py``: records
every request with its arrival time, answers with the statuses it is told to (200 once
they run out), verifies nothing itself."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = 0.0  # time.time() on arrival (the benchmark's delays)

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    def __init__(self) -> None:
        self.got: list[Received] = []
        self.answers: dict[str, list[int]] = {}  # path -> statuses to answer, in turn
        self.stall: dict[str, float] = {}  # path -> seconds to wait before answering
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def on(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.got if r.path == path]

    def wait(
        self, path: str, until: Callable[[list[Received]], bool], timeout: float = 15.0
    ) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.on(path)
            if until(got):
                return got
            time.sleep(0.05)
        raise AssertionError(f"receiver {path}: got {[r.json() for r in self.on(path)]}")

    def events(self, path: str, secret: str) -> list[dict[str, Any]]:
        """The verified bodies received on ``path`` (the signature checked by the
        ``standardwebhooks`` package), in arrival order."""
        hook = Webhook(secret)
        return [hook.verify(r.body, r.headers) for r in self.on(path)]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            at = time.time()
            headers = {k.lower(): v for k, v in self.headers.items()}
            with receiver.lock:
                receiver.got.append(Received(self.path, headers, body, at))
                queue = receiver.answers.get(self.path) or []
                status = queue.pop(0) if queue else 200
                stall = receiver.stall.get(self.path, 0.0)
            time.sleep(stall)  # a slow receiver (each request has its own thread)
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("location", "/elsewhere")
            self.send_header("content-length", "0")
            self.end_headers()

        do_GET = do_POST  # a followed redirect may come back as a GET

        def log_message(self, *args: Any) -> None:
            return None

    return Handler


@contextlib.contextmanager
def receiver(port: int = 0) -> Iterator[Receiver]:
    r = Receiver()
    r.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(r))
    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()
