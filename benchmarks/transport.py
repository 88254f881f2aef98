"""The upstream HTTP client alone: CPU per request of the gateway's transport to Odoo.

    .venv/bin/python benchmarks/transport.py [--requests 20000] [--concurrency 64] [--close]

Starts the upstream stub on one CPU and, in this process pinned to the other, sends
``search_read`` requests (10-record page) through each variant, ``--concurrency``
at a time, and reports CPU microseconds per request and requests per second:

* ``builtin``: ``odoo_restful.odoo.http11.Http11Transport``, the gateway's default;
* ``aiohttp-transport``: ``odoo_restful.odoo.aiohttp_transport.AiohttpTransport``
  (``--odoo-client aiohttp``);
* ``aiohttp-lean``: one aiohttp session with a pre-parsed ``yarl.URL``, no total
  timeout timer, replies read with ``read()`` and headers left as they come;
* ``raw-protocol``: a minimal asyncio HTTP/1.1 client with no caps, timeout or pool
  (``floor.RawClient``): the floor;

each with Python's default garbage-collector settings and with ``--gc-tuned``
(``gc.freeze()`` + ``gc.set_threshold(50_000, 20, 20)``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import run

VARIANTS = ("builtin", "aiohttp-transport", "aiohttp-lean", "raw-protocol")


async def _client(variant: str, base: str) -> tuple[Callable[[bytes], Awaitable[int]], Any]:
    import aiohttp
    import yarl

    from odoo_restful.compose import http_transport

    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if variant in ("builtin", "aiohttp-transport"):
        transport = http_transport(base, client="builtin" if variant == "builtin" else "aiohttp")

        async def call(body: bytes) -> int:
            reply = await transport.request("POST", "/jsonrpc", body, headers)
            return len(reply.body)

        return call, transport.close
    if variant == "aiohttp-lean":
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=100),
            timeout=aiohttp.ClientTimeout(total=None, sock_read=60),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        url = yarl.URL(base + "/jsonrpc")

        async def call(body: bytes) -> int:
            async with session.post(url, data=body, headers=headers) as resp:
                return len(await resp.read())

        return call, session.close
    import floor

    host, _, port = base.removeprefix("http://").partition(":")
    raw = floor.RawClient(host, int(port))

    async def call(body: bytes) -> int:
        _, data = await raw.request("/jsonrpc", body)
        return len(data)

    async def close() -> None:
        return None

    return call, close


async def measure(variant: str, base: str, requests: int, concurrency: int) -> dict[str, float]:
    call, close = await _client(variant, base)
    body = run.rpc_search_body(10)
    for _ in range(200):
        await call(body)
    left = [requests]

    async def worker() -> None:
        while left[0] > 0:
            left[0] -= 1
            await call(body)

    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    await close()
    return {"cpu_us_per_request": cpu / requests * 1e6, "requests_per_s": requests / wall}


def child(variant: str, base: str, requests: int, concurrency: int, tuned: bool) -> None:
    import uvloop

    if tuned:
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
    result = uvloop.run(measure(variant, base, requests, concurrency))
    print("BENCH_JSON " + json.dumps(result), flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["child"]:
        child(argv[1], argv[2], int(argv[3]), int(argv[4]), argv[5] == "1")
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--close", action="store_true", help="stub sends Connection: close")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--client-cpus", default="1")
    parser.add_argument("--stub-cpus", default="0")
    args = parser.parse_args(argv)
    rows: dict[tuple[str, bool], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="odoo-restful-transport-") as tmp_name:
        tmp = Path(tmp_name)
        cmd = [sys.executable, str(run.HERE / "upstream_stub.py"), "--port", "0"]
        cmd += ["--close"] if args.close else []
        stub = run.start("stub", run.bounded(1800, run.pinned(args.stub_cpus, cmd)), tmp)
        with run.stopping(stub):
            base = f"http://127.0.0.1:{run.wait_ready_line(stub)}"
            for _ in range(args.rounds):
                for variant in VARIANTS:
                    for tuned in (False, True):
                        cmd = [sys.executable, __file__, "child", variant, base]
                        cmd += [str(args.requests), str(args.concurrency), "1" if tuned else "0"]
                        out = run.subprocess.run(
                            run.bounded(300, run.pinned(args.client_cpus, cmd)),
                            capture_output=True,
                            text=True,
                            check=False,
                            env=dict(os.environ),
                        )
                        line = [x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON")]
                        if not line:
                            raise RuntimeError(out.stderr)
                        result = json.loads(line[0][len("BENCH_JSON ") :])
                        rows.setdefault((variant, tuned), []).append(result)
                        print(
                            variant, "gc-tuned" if tuned else "gc-default", result, file=sys.stderr
                        )
    conn = "Connection: close" if args.close else "keep-alive"
    print(f"| client ({conn}, {args.concurrency} concurrent) | GC | CPU us/request | req/s |")
    print("|---|---|---|---|")
    for (variant, tuned), results in rows.items():
        cpu = min(r["cpu_us_per_request"] for r in results)
        rps = max(r["requests_per_s"] for r in results)
        gc_label = "tuned" if tuned else "default"
        print(f"| {variant} | {gc_label} | {cpu:.0f} | {rps:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
