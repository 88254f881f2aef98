"""Floors: how fast the stack under the gateway can go, without the gateway's own code.

    .venv/bin/python benchmarks/floor.py [--seconds 5] [--pages 10,80]

Serves, in turn, with uvicorn (uvloop + httptools, one worker, pinned like run.py),
against the same upstream stub, at 64 connections:

* ``asgi-static``: a bare ASGI app answering the page from memory (uvicorn alone);
* ``asgi-proxy``: a bare ASGI app that forwards each request with the gateway's own
  HTTP client (``odoo/http11.py``) and JSON-RPC envelope code;
* ``asgi-proxy-aiohttp``: the same through ``--odoo-client aiohttp``;
* ``asgi-proxy-raw``: the same with the bare minimum of an asyncio HTTP/1.1 client
  (no caps, no timeout, no pool: the floor of any client);
* ``starlette-proxy``: ``asgi-proxy`` as a Starlette route (no middleware);
* ``raw-proxy``: no uvicorn and no ASGI at all: an ``asyncio.Protocol`` server on
  uvloop (httptools parses the request) forwarding with the minimal client, the
  lowest a Python proxy of this call can cost (``real_odoo.py --floors`` sets it
  beside the gateway in front of the Odoo-like server);
* ``gateway``: the real gateway (``odoo-restful serve``), for comparison.

The gap between a floor and the gateway is what the gateway's own layers cost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import run
import upstream_stub

APPS = (
    "asgi-static",
    "asgi-proxy",
    "asgi-proxy-aiohttp",
    "asgi-proxy-raw",
    "starlette-proxy",
    "raw-proxy",
    "gateway",
)
_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class RawClient:
    """A minimal keep-alive HTTP/1.1 client (Content-Length replies only): a floor."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[RawConnection] = []

    async def request(self, path: str, body: bytes) -> tuple[int, bytes]:
        conn = self.idle.pop() if self.idle else None
        if conn is None or conn.closed:
            loop = asyncio.get_running_loop()
            _, conn = await loop.create_connection(RawConnection, self.host, self.port)
        head = (
            b"POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
            b"Accept: application/json\r\nContent-Length: %d\r\n\r\n"
            % (path.encode(), self.host.encode(), self.port, len(body))
        )
        status, data = await conn.exchange(head + body)
        if not conn.closed:
            self.idle.append(conn)
        return status, data


class RawConnection(asyncio.Protocol):
    def __init__(self) -> None:
        self.buf = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.transport: Any = None
        self.closed = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("closed"))

    async def exchange(self, data: bytes) -> tuple[int, bytes]:
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self.waiter

    def data_received(self, data: bytes) -> None:
        self.buf += data
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buf[:end]).lower()
        at = head.find(b"content-length:")
        length = int(head[at + 15 : head.find(b"\r\n", at) if head.find(b"\r\n", at) > 0 else None])
        if len(self.buf) < end + 4 + length:
            return
        body = bytes(self.buf[end + 4 : end + 4 + length])
        del self.buf[: end + 4 + length]
        if b"connection: close" in head:
            self.closed = True
            self.transport.close()
        if self.waiter and not self.waiter.done():
            self.waiter.set_result((int(head[9:12]), body))


class RawServer(asyncio.Protocol):
    """An HTTP/1.1 server with nothing in it: each request forwarded with ``RawClient``.

    Keep-alive, one request at a time per connection; no headers read, no limits. The
    answer's head is fixed. Only a floor to measure against."""

    def __init__(self, forward: Any) -> None:
        import httptools

        self.forward = forward
        self.parser = httptools.HttpRequestParser(self)
        self.transport: Any = None
        self.url = b""
        self.task: asyncio.Task[None] | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_url(self, url: bytes) -> None:
        self.url = url

    def on_message_complete(self) -> None:
        self.task = asyncio.ensure_future(self.answer(self.url))

    async def answer(self, url: bytes) -> None:
        _, _, query = url.partition(b"?")
        body = await self.forward(query)
        if not self.transport.is_closing():
            head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            self.transport.write(head + b"content-length: %d\r\n\r\n" % len(body) + body)


def build_app(name: str, upstream: str) -> Any:
    import orjson

    from odoo_restful.compose import http_transport
    from odoo_restful.odoo.replies import decode_page
    from odoo_restful.odoo.transport import Reply
    from odoo_restful.responses import raw_page

    pages = {n: orjson.dumps(p) for n, p in upstream_stub.Bodies().pages.items()}
    client = "aiohttp" if name == "asgi-proxy-aiohttp" else "builtin"
    transport = http_transport(upstream, client=client)
    host, _, port = upstream.removeprefix("http://").partition(":")
    raw_client = RawClient(host, int(port))

    def limit_of(query: bytes) -> int:
        for part in query.split(b"&"):
            if part.startswith(b"limit="):
                return int(part[6:])
        return 80

    def rpc(limit: int) -> bytes:
        kwargs = {"context": {"lang": "en_US"}, "limit": limit, "offset": 0}
        args = ["bench", 2, "admin", "res.partner", "search_read", [[]], kwargs]
        params = {"service": "object", "method": "execute_kw", "args": args}
        return orjson.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1})

    async def proxied(limit: int) -> bytes:
        if name in ("asgi-proxy-raw", "raw-proxy"):
            status, data = await raw_client.request("/jsonrpc", rpc(limit))
            reply = Reply(status, data)
        else:
            reply = await transport.request("POST", "/jsonrpc", rpc(limit), _HEADERS)
        return raw_page(decode_page(reply, "/jsonrpc")).body

    if name == "raw-proxy":
        return lambda: RawServer(lambda query: proxied(limit_of(query)))

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        limit = limit_of(scope["query_string"])
        if name == "asgi-static":
            page = upstream_stub.page_for(limit)
            body = b'{"count":%d,"data":%s}' % (page, pages[page])
        else:
            body = await proxied(limit)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", b"%d" % len(body)),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    if name != "starlette-proxy":
        return asgi
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def search(request: Request) -> Response:
        body = await proxied(int(request.query_params.get("limit", "80")))
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/api/{model}", search, methods=["GET"])])


def serve(name: str, port: int, upstream: str) -> None:
    import uvicorn

    app = build_app(name, upstream)
    if os.environ.get("BENCH_GC_TUNED") == "1":
        import gc

        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
    if name == "raw-proxy":
        import uvloop

        async def raw() -> None:
            server = await asyncio.get_running_loop().create_server(app, "127.0.0.1", port)
            await server.serve_forever()

        uvloop.run(raw())
        return
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="off",
        access_log=False,
        log_level="warning",
        server_header=False,
    )


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["serve"]:
        serve(argv[1], int(argv[2]), argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", default=",".join(APPS))
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--pages", default="10,80")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--quiet-wait", type=float, default=60.0)
    parser.add_argument(
        "--gc-tuned",
        action="store_true",
        help="floors only: gc.freeze() and gc.set_threshold(50_000, 20, 20) before serving",
    )
    parser.add_argument("--gateway-cpus", default="1")
    parser.add_argument("--loadgen-cpus", default="0")
    args = parser.parse_args(argv)
    gen = run.LoadGenerator(args.loadgen_cpus)
    pages = [int(p) for p in args.pages.split(",")]
    results: dict[tuple[str, int], list[run.Point]] = {}
    with tempfile.TemporaryDirectory(prefix="odoo-restful-floor-") as tmp_name:
        tmp = Path(tmp_name)
        stub_cmd = [sys.executable, str(run.HERE / "upstream_stub.py"), "--port", "0"]
        stub = run.start("stub", run.bounded(3600, run.pinned(args.loadgen_cpus, stub_cmd)), tmp)
        with run.stopping(stub):
            stub_port = run.wait_ready_line(stub)
            stub_pid = ([stub.popen.pid, *run.descendants(stub.popen.pid)])[-1]
            upstream = f"http://127.0.0.1:{stub_port}"
            for _ in range(args.rounds):
                for name in args.apps.split(","):
                    token = ""
                    if name == "gateway":
                        opts = SimpleNamespace(pythonpath="", max_seconds=3600)
                        gw = run.start_gateway(opts, tmp, stub_port, 1, args.gateway_cpus)  # type: ignore[arg-type]
                        proc, base, token = gw.proc, gw.base, run.get_token(gw)
                        pids = gw.worker_pids()
                    else:
                        port = run.free_port()
                        cmd = [sys.executable, __file__, "serve", name, str(port), upstream]
                        env = dict(os.environ, BENCH_GC_TUNED="1" if args.gc_tuned else "0")
                        proc = run.start(
                            name, run.bounded(3600, run.pinned(args.gateway_cpus, cmd)), tmp, env
                        )
                        base = f"http://127.0.0.1:{port}"
                        run.wait_http(base + "/api/res.partner?limit=10", proc)
                        pids = [
                            p for p in run.descendants(proc.popen.pid) if "serve" in run.cmdline(p)
                        ]
                    with run.stopping(proc):
                        for page in pages:
                            load = run.Load(f"{base}/api/res.partner?limit={page}", token=token)
                            gen.run(load, args.connections, 1.0)
                            pt = run.Point(name, "gateway", page, args.connections)
                            run.measure(
                                gen, load, pt, args.seconds, pids, stub_pid, args.quiet_wait
                            )
                            results.setdefault((name, page), []).append(pt)
                            print(
                                f"{name:>16} page {page:>2}: {pt.rps:8,.0f} req/s "
                                f"{pt.gateway_us_per_request() or 0:5.0f} us/req "
                                f"p99 {pt.p99_ms:6.2f} ms other {pt.foreign_cpus:.2f}",
                                file=sys.stderr,
                            )
    print(f"| app | page | req/s ({args.connections} conns) | server CPU us/req |")
    print("|---|---|---|---|")
    for (name, page), pts in results.items():
        rps = statistics.median(p.rps for p in pts)
        cpu = statistics.median(p.gateway_us_per_request() or 0 for p in pts)
        print(f"| {name} | {page} | {rps:,.0f} | {cpu:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
