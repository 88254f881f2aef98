"""One listening socket per worker (``SO_REUSEPORT``), so the kernel spreads connections.

uvicorn's workers share one listening socket, and the worker that wakes first accepts
every connection waiting: long-lived keep-alive clients (a reverse proxy, a load
generator) then all land on one worker while the others idle. Measured with 64 wrk
connections and two workers: 0.98x the throughput of one (``benchmarks/README.md``).
With a socket per worker bound with ``SO_REUSEPORT``, Linux hashes each new
connection to one of them.

uvicorn hands its workers the parent's socket by pickling it into each new process.
:class:`PerWorkerSocket` is the parent's socket (bound, never listening, so it gets
no connections); pickled, it becomes a call that binds a fresh socket to the same
address in the worker, which uvicorn then listens on as it would on its own.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from typing import Any


def supported() -> bool:
    """Only Linux spreads connections over ``SO_REUSEPORT`` sockets (BSDs give the last one all)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _configure(sock: socket.socket, host: str, port: int) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))


def worker_socket(host: str, port: int) -> socket.socket:
    """A worker's own socket on the shared address (runs in the worker process)."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    _configure(sock, host, port)
    sock.set_inheritable(True)
    return sock


class PerWorkerSocket(socket.socket):
    """The parent's socket: reserves the address, and stands for a new one in each worker."""

    def __reduce__(self) -> tuple[Callable[..., socket.socket], tuple[Any, ...]]:
        host, port = self.getsockname()[:2]
        return worker_socket, (host, port)


def reserve(host: str, port: int) -> PerWorkerSocket:
    """Bind the address in the parent (a port in use fails here, before any worker starts).

    ``SO_REUSEPORT`` would let a second gateway started on the same port by mistake
    share it silently, each taking part of the traffic. A plain bind first makes a
    port anyone holds fail as "address in use", as it does with one worker.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]  # a port of 0 becomes the one the system chose
    sock = PerWorkerSocket(_family(host), socket.SOCK_STREAM)
    try:
        _configure(sock, host, port)
    except OSError:
        sock.close()
        raise
    return sock
