"""Bounds on how long a client may take to send a request: its headers and its body.

uvicorn bounds the idle time between requests (``timeout_keep_alive``) and the number
of connections served at once (``limit_concurrency``), but not the time a client takes
to send one request: an idle socket, headers trickled a line a second or a body sent a
byte a second would each hold a connection forever. This protocol (uvicorn's
httptools one, with two timers) closes such a connection:

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


class TimedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for the headers and one for the body."""

    header_timeout: float = 10.0
    body_timeout: float = 60.0

    _header_timer: asyncio.TimerHandle | None = None
    _body_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:  # a later request on a kept-alive connection
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def on_headers_complete(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        self._body_timer = self.loop.call_later(self.body_timeout, self._body_late)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        super().on_message_complete()

    def _cancel_timers(self) -> None:
        for timer in (self._header_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._header_timer = self._body_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:  # no response under way
            self.transport.write(_TIMEOUT_408)
        self.transport.close()

    def _body_late(self) -> None:
        self._body_timer = None
        if not self.transport.is_closing():
            self.logger.info(
                "request body too slow (over %ss): connection closed", self.body_timeout
            )
            self.transport.close()


def configure(settings: Settings) -> None:
    """Set this process's bounds (each uvicorn worker calls it from the app factory)."""
    TimedHttpProtocol.header_timeout = settings.header_timeout
    TimedHttpProtocol.body_timeout = settings.body_timeout
