"""Bounds on how long a client may take to send a request: its headers and its body.

uvicorn bounds the idle time between requests (``timeout_keep_alive``) and the number
of connections served at once (``limit_concurrency``), but not the time a client takes
to send one request: an idle socket, headers trickled a line a second or a body sent a
byte a second would each hold a connection forever. This protocol (uvicorn's
httptools one, with a deadline per connection that one sweep per event loop checks)
closes such a connection:

- headers: from the connection's first moment (or the first byte of a later request on
  a kept-alive connection) until the headers are complete, at most ``header_timeout``;
  a client that has not finished its headers gets ``408`` and the connection closes;
- body: from the end of the headers until the body is complete, at most
  ``body_timeout``; then the connection closes, and the handler still reading it sees
  a disconnect (one quiet log line, see ``app._disconnected``).

The bounds are class attributes, set in each worker by :func:`configure` from the
settings (uvicorn builds one protocol object per connection from the class).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

if TYPE_CHECKING:
    from .config import Settings

_TIMEOUT_BODY = b'{"type":"request_timeout","message":"the request headers took too long"}'
_TIMEOUT_408 = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_TIMEOUT_BODY), _TIMEOUT_BODY)
)


class _Sweeper:
    """One timer per event loop that closes the connections past their deadline.

    Two timers per request (set and cancelled on every request) cost more than a
    check of every open connection a few times a second: a deadline is a float on
    the connection, and this visits them every quarter of the shortest bound (at most
    every second), so a bound is kept to within that quarter.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.live: set[TimedHttpProtocol] = set()
        self.interval = 1.0
        self.timer: asyncio.TimerHandle | None = None

    def add(self, conn: TimedHttpProtocol) -> None:
        self.live.add(conn)
        bound = min(conn.header_timeout, conn.body_timeout) / 4
        if bound < self.interval:
            self.interval = max(bound, 0.01)
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
        if self.timer is None:
            self.timer = self.loop.call_later(self.interval, self.sweep)

    def sweep(self) -> None:
        self.timer = None
        now = self.loop.time()
        for conn in [c for c in self.live if c.deadline <= now]:
            conn.late()
        if self.live:
            self.timer = self.loop.call_later(self.interval, self.sweep)


_sweepers: dict[asyncio.AbstractEventLoop, _Sweeper] = {}

_IDLE, _HEADERS, _BODY = 0, 1, 2


class TimedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for the headers and one for the body."""

    header_timeout: float = 10.0
    body_timeout: float = 60.0

    deadline: float = float("inf")
    _phase: int = _IDLE

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._phase, self.deadline = _HEADERS, self.loop.time() + self.header_timeout
        sweeper = _sweepers.get(self.loop)
        if sweeper is None:
            for old in [loop for loop in list(_sweepers) if loop.is_closed()]:
                _sweepers.pop(old, None)  # a finished server's (tests run several)
            sweeper = _sweepers[self.loop] = _Sweeper(self.loop)
        sweeper.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._phase, self.deadline = _IDLE, float("inf")
        sweeper = _sweepers.get(self.loop)
        if sweeper is not None:
            sweeper.live.discard(self)
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._phase == _IDLE:  # a later request on a kept-alive connection
            self._phase, self.deadline = _HEADERS, self.loop.time() + self.header_timeout

    def on_headers_complete(self) -> None:
        self._phase, self.deadline = _BODY, self.loop.time() + self.body_timeout
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._phase, self.deadline = _IDLE, float("inf")
        super().on_message_complete()

    def late(self) -> None:
        """Past the deadline of the headers or of the body: close the connection."""
        phase, self._phase, self.deadline = self._phase, _IDLE, float("inf")
        if self.transport.is_closing():
            return
        if phase == _HEADERS:
            if self.cycle is None or self.cycle.response_complete:  # no response under way
                self.transport.write(_TIMEOUT_408)
        else:
            self.logger.info(
                "request body too slow (over %ss): connection closed", self.body_timeout
            )
        self.transport.close()


def configure(settings: Settings) -> None:
    """Set this process's bounds (each uvicorn worker calls it from the app factory)."""
    TimedHttpProtocol.header_timeout = settings.header_timeout
    TimedHttpProtocol.body_timeout = settings.body_timeout
