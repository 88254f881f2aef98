"""A fallback HTTP load generator (aiohttp), for machines without ``wrk``.

Closed loop like wrk: ``--connections`` clients each send a request, wait for the
reply, send the next, for ``--duration`` seconds (and at most ``--max-requests``).
Prints the same one-line ``BENCH_JSON {...}`` summary as ``wrk_report.lua``.

It costs far more CPU per request than wrk; ``run.py`` reports its CPU time so
that you can see whether it, rather than the server, was the limit. Measure it
alone against the stub first: ``python benchmarks/loadgen.py http://127.0.0.1:PORT/jsonrpc
--method POST --body-file body.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import aiohttp


def percentile(sorted_values: list[int], q: float) -> int:
    if not sorted_values:
        return 0
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    headers = {}
    body = None
    if args.token:
        headers["access-token"] = args.token
    if args.body_file:
        with open(args.body_file, "rb") as fh:
            body = fh.read()
        headers["Content-Type"] = "application/json"
    latencies: list[int] = []
    errors = {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}
    received = 0
    budget = [args.max_requests]
    connector = aiohttp.TCPConnector(limit=args.connections, force_close=False)
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        deadline = time.perf_counter() + args.duration

        async def client() -> None:
            nonlocal received
            while time.perf_counter() < deadline and budget[0] > 0:
                budget[0] -= 1
                start = time.perf_counter_ns()
                try:
                    async with session.request(
                        args.method, args.url, data=body, headers=headers
                    ) as resp:
                        data = await resp.read()
                        if resp.status >= 400:
                            errors["status"] += 1
                except TimeoutError:
                    errors["timeout"] += 1
                    continue
                except aiohttp.ClientConnectionError:
                    errors["connect"] += 1
                    continue
                latencies.append((time.perf_counter_ns() - start) // 1000)
                received += len(data)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(args.connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)
    mean = sum(latencies) / n if n else 0.0
    stdev = (sum((x - mean) ** 2 for x in latencies) / n) ** 0.5 if n else 0.0
    return {
        "requests": n,
        "duration_us": int(elapsed * 1e6),
        "bytes": received,
        "errors": errors,
        "latency_us": {
            "mean": mean,
            "stdev": stdev,
            "min": latencies[0] if n else 0,
            "max": latencies[-1] if n else 0,
            "p50": percentile(latencies, 50),
            "p90": percentile(latencies, 90),
            "p99": percentile(latencies, 99),
            "p999": percentile(latencies, 99.9),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--connections", "-c", type=int, default=1)
    parser.add_argument("--duration", "-d", type=float, default=10.0, help="seconds")
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--token", default="")
    parser.add_argument("--body-file", default="")
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args(argv)
    try:
        import uvloop

        summary = uvloop.run(run(args))
    except ImportError:
        summary = asyncio.run(run(args))
    print("BENCH_JSON " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
