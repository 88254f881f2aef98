"""The gateway in front of an Odoo-like server: throughput as a ratio of direct calls.

Reproduces the table of issue #15 against ``upstream_stub.py --odoo-like`` (HTTP/1.0,
Werkzeug's headers, ``Connection: close``, ``--cpu-ms`` of busy work per call in
``--odoo-workers`` forked processes) instead of a real Odoo: both compete with the
gateway for the machine's cores, as on a 2-core server running both. Nothing is
pinned. For each protocol the same ``search_read`` of 10 partners, 3 fields, is sent
straight to the stub and through the gateway (``--protocol jsonrpc``, ``web``,
``json2``; one worker), at 1 and 8 connections (wrk, one thread), each gateway row with
its ratio to direct at both, and the gateway worker's CPU (utime + stime over the
point) is divided by the requests served.

``--floors`` adds two rows that carry none of the gateway's code, through the same
stub's ``/jsonrpc``: ``floor.py``'s ``asgi-proxy`` (uvicorn and a bare ASGI app
forwarding with the gateway's HTTP client: the least any ASGI app on uvicorn costs)
and ``raw-proxy`` (an ``asyncio.Protocol`` server on uvloop and a minimal client, no
uvicorn: the least a Python proxy of this call costs). Their ratios bound what the
gateway can reach on this machine.

``--jsonrpc-extra-ms`` adds CPU to every ``/jsonrpc`` model call only: Odoo 19 checks
the password and logs a deprecation warning there, which the session route does not
(0 by default: the stub does not know what that costs on a given server).

Run: ``.venv/bin/python benchmarks/real_odoo.py [--seconds 10] [--cpu-ms 5]``; timings
are only worth something on a quiet machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import run

FIELDS = ["name", "email", "phone"]
API_KEY = "0123456789abcdef0123456789abcdef01234567"  # any 40 hex: the stub accepts it


def direct_load(protocol: str, base: str, tmp: Path) -> run.Load:
    """The call the gateway makes for the page, sent straight to the stub."""
    kwargs: dict[str, Any] = {"fields": FIELDS, "limit": 10, "offset": 0}
    headers = ""
    if protocol == "jsonrpc":
        path = "/jsonrpc"
        params: dict[str, Any] = {
            "service": "object",
            "method": "execute_kw",
            "args": ["bench", 2, "admin", "res.partner", "search_read", [[]], kwargs],
        }
        body: Any = {"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}
    elif protocol == "web":
        path = "/web/dataset/call_kw/res.partner/search_read"
        params = {"model": "res.partner", "method": "search_read", "args": [[]], "kwargs": kwargs}
        body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}
        headers = f"Cookie: session_id={stub_session()}"
    else:
        path = "/json/2/res.partner/search_read"
        body = {"domain": [], **kwargs}
        headers = f"Authorization: bearer {API_KEY}\nX-Odoo-Database: bench"
    body_file = tmp / f"direct-{protocol}.json"
    body_file.write_bytes(json.dumps(body, separators=(",", ":")).encode())
    return run.Load(base + path, "POST", body_file=str(body_file), headers=headers)


def stub_session() -> str:
    sys.path.insert(0, str(run.HERE))
    import upstream_stub

    return upstream_stub.SESSION_ID


def start_gateway(
    args: argparse.Namespace, tmp: Path, stub_port: int, protocol: str
) -> run.Gateway:
    port = run.free_port()
    cmd = [str(run.BIN / "odoo-restful"), "serve", "--odoo-url", f"http://127.0.0.1:{stub_port}"]
    cmd += ["--db", "bench", "--protocol", protocol, "--store", str(tmp / f"tokens-{protocol}.db")]
    cmd += ["--secret-file", str(tmp / "k"), "--workers", "1", "--log-level", "warning"]
    cmd += ["--port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_RESTFUL_")}
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    proc = run.start(f"gateway-{protocol}", run.bounded(args.max_seconds, cmd), tmp, env)
    gw = run.Gateway(proc, port, 1)
    run.wait_http(gw.base + "/healthz", proc)
    return gw


def token(gw: run.Gateway, protocol: str) -> str:
    secret = API_KEY if protocol == "json2" else "admin"
    form = urllib.parse.urlencode({"login": "admin", "password": secret}).encode()
    kind = {"Content-Type": "application/x-www-form-urlencoded"}
    status, body = run.http("POST", gw.base + "/api/auth/token", form, kind)
    if status != 200:
        raise RuntimeError(f"token over {protocol}: {status} {body[:300]!r}\n{gw.proc.tail()}")
    found: str = json.loads(body)["access_token"]
    return found


def start_floor(
    args: argparse.Namespace, tmp: Path, stub_port: int, name: str
) -> tuple[run.Proc, int]:
    port = run.free_port()
    upstream = f"http://127.0.0.1:{stub_port}"
    cmd = [sys.executable, str(run.HERE / "floor.py"), "serve", name, str(port), upstream]
    proc = run.start(f"floor-{name}", run.bounded(args.max_seconds, cmd), tmp)
    run.wait_http(f"http://127.0.0.1:{port}/api/res.partner?limit=10", proc)
    return proc, port


FLOORS = {"raw-proxy": "floor: no uvicorn", "asgi-proxy": "floor: uvicorn + bare ASGI"}


def point(
    gen: run.LoadGenerator, load: run.Load, conns: int, seconds: float, pids: list[int]
) -> dict[str, Any]:
    gen.run(load, conns, 1)  # warm-up
    c0, t0 = run.cpu_seconds(pids), time.monotonic()
    summary = gen.run(load, conns, seconds)
    cpu = run.cpu_seconds(pids) - c0 if pids else None
    requests = summary["requests"]
    return {
        "rps": requests / (summary["duration_us"] / 1e6),
        "p50_ms": summary["latency_us"]["p50"] / 1000,
        "errors": sum(summary["errors"].values()),
        "requests": requests,
        "cpu_us": cpu / requests * 1e6 if cpu is not None and requests else None,
        "seconds": time.monotonic() - t0,
    }


Row = dict[int, dict[str, Any]]  # connections -> the point's figures (medians of rounds)


def measure_all(args: argparse.Namespace, tmp: Path) -> dict[str, Row]:
    """Every server up at once (idle ones cost nothing), then ``--rounds`` rounds, each
    running every path's points in turn: a slow minute of the machine touches every path
    alike, and each gateway point is paired with the same round's direct point."""
    gen = run.LoadGenerator(None, prefer_wrk=not args.no_wrk)
    stub_cmd = [sys.executable, str(run.HERE / "upstream_stub.py"), "--port", "0", "--odoo-like"]
    stub_cmd += ["--cpu-ms", str(args.cpu_ms), "--workers", str(args.odoo_workers)]
    stub_cmd += ["--jsonrpc-extra-ms", str(args.jsonrpc_extra_ms)]
    stub = run.start("stub", run.bounded(args.max_seconds, stub_cmd), tmp)
    with contextlib.ExitStack() as stack:
        stack.enter_context(run.stopping(stub))
        stub_port = run.wait_ready_line(stub)
        base = f"http://127.0.0.1:{stub_port}"
        query = f"/api/res.partner?limit=10&fields={','.join(FIELDS)}"
        paths: dict[str, tuple[run.Load, list[int]]] = {}
        for protocol in args.protocols:
            paths[f"direct {protocol}"] = (direct_load(protocol, base, tmp), [])
            gw = start_gateway(args, tmp, stub_port, protocol)
            stack.enter_context(run.stopping(gw.proc))
            load = run.Load(gw.base + query, token=token(gw, protocol))
            status, body = run.http("GET", load.url, headers={"access-token": load.token})
            if status != 200 or json.loads(body)["count"] != 10:
                raise RuntimeError(f"gateway over {protocol}: {status} {body[:300]!r}")
            paths[f"gateway {protocol}"] = (load, gw.worker_pids())
            if protocol == "jsonrpc" and args.floors:
                for name, label in FLOORS.items():
                    floor, port = start_floor(args, tmp, stub_port, name)
                    stack.enter_context(run.stopping(floor))
                    pids = [floor.popen.pid, *run.descendants(floor.popen.pid)]
                    pids = [p for p in pids if "floor.py" in run.cmdline(p)]
                    paths[f"{label} jsonrpc"] = (run.Load(f"http://127.0.0.1:{port}{query}"), pids)
        runs: dict[str, dict[int, list[dict[str, Any]]]] = {name: {} for name in paths}
        for _ in range(args.rounds):
            for name, (load, pids) in paths.items():
                for c in args.connections:
                    runs[name].setdefault(c, []).append(point(gen, load, c, args.seconds, pids))
    return {
        name: {c: summarise(pts, runs) for c, pts in by_c.items()} for name, by_c in runs.items()
    }


def summarise(
    points: list[dict[str, Any]], runs: dict[str, dict[int, list[dict[str, Any]]]]
) -> dict[str, Any]:
    """Medians over the rounds; ``points`` keeps the rounds for the paired ratios."""
    out: dict[str, Any] = {"rounds": points}
    for key in ("rps", "p50_ms", "cpu_us"):
        values = [p[key] for p in points if p[key] is not None]
        out[key] = statistics.median(values) if values else None
    out["errors"] = sum(p["errors"] for p in points)
    return out


def paired_ratio(rows: dict[str, Row], name: str, ref: str, conns: int) -> float:
    """The median over rounds of this path's req/s over the reference's in the same round."""
    mine, theirs = rows[name][conns]["rounds"], rows[ref][conns]["rounds"]
    return statistics.median(a["rps"] / b["rps"] for a, b in zip(mine, theirs, strict=True))


def table(rows: dict[str, Row], conns: list[int]) -> str:
    """The issue's table; each gateway (or floor) row with its ratio to direct, paired
    by round, at the fewest and the most connections."""
    few, many = conns[0], conns[-1]
    head = f"| path | {few} connection req/s | p50 ms | {many} connections req/s "
    head += f"| gateway (or floor) CPU us/req ({few} / {many} conns) | errors |"
    lines = [head, "|---|---|---|---|---|---|"]
    for name, by_conns in rows.items():
        kind, protocol = name.rsplit(" ", 1)
        a, b = by_conns[few], by_conns[many]
        ratio_few = ratio_many = ""
        if kind != "direct":
            for ref in dict.fromkeys((f"direct {protocol}", "direct jsonrpc")):
                if ref in rows:
                    ratio_few += f" ({paired_ratio(rows, name, ref, few):.3f} of {ref})"
                    ratio_many += f" ({paired_ratio(rows, name, ref, many):.3f} of {ref})"
        cpu = " / ".join(f"{p['cpu_us']:.0f}" for p in (a, b) if p["cpu_us"] is not None)
        errors = a["errors"] + b["errors"]
        lines.append(
            f"| {name} | {a['rps']:,.1f}{ratio_few} | {a['p50_ms']:.2f} "
            f"| {b['rps']:,.1f}{ratio_many} | {cpu or 'n/a'} | {errors} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per point")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds over every path; medians are shown"
    )
    parser.add_argument("--cpu-ms", type=float, default=5.0, help="stub CPU per Odoo call")
    parser.add_argument("--jsonrpc-extra-ms", type=float, default=0.0)
    parser.add_argument("--odoo-workers", type=int, default=2)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8])
    parser.add_argument(
        "--protocols",
        nargs="+",
        default=["jsonrpc", "web", "json2"],
        choices=("jsonrpc", "web", "json2"),
    )
    parser.add_argument("--pythonpath", default="", help="run a scratch copy of the package")
    parser.add_argument(
        "--floors",
        action="store_true",
        help="also measure floor.py's raw-proxy and asgi-proxy (no gateway code) on /jsonrpc",
    )
    parser.add_argument("--no-wrk", action="store_true", help="use loadgen.py")
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--json", help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="odoo-like-") as name:
        tmp = Path(name)
        (tmp / "k").write_bytes(os.urandom(32).hex().encode())
        rows = measure_all(args, tmp)
    print(
        f"Odoo-like stub: {args.odoo_workers} processes, {args.cpu_ms:g} ms CPU per call, "
        f"+{args.jsonrpc_extra_ms:g} ms per /jsonrpc call; {args.seconds:g} s per point, "
        f"median of {args.rounds} rounds (ratios paired by round); "
        f"{os.cpu_count()} CPUs, nothing pinned\n"
    )
    print(table(rows, args.connections))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
