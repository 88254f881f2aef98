"""A nested read of 80 orders with customer and lines, beside the three plain calls.

One ``GET /api/sale.order?fields=name,partner_id{name,email},order_line{...}``
against what a client does without it: orders, then their customers, then their
lines (three requests, one after the other, and a join in the client). Run against
``upstream_stub.py`` (fixed answers: the gateway's own cost) and against the sandbox
(``odoo-restful sandbox``: an ORM doing the work, as Odoo would). Each process runs
under ``timeout``; the figures are per request sequence at one connection.

Run: ``.venv/bin/python benchmarks/nested.py [--rounds 200] [--upstream stub|sandbox|both]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
NESTED = "name,partner_id{name,email},order_line{product_id{display_name},price_unit}"
ORDERS = 80


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(port: int, seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on port {port}")


@contextmanager
def _process(cmd: list[str], port: int) -> Iterator[None]:
    proc = subprocess.Popen(
        ["timeout", "900", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait(port)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Client:
    """One keep-alive connection to the gateway."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        url = path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        headers = {**self.headers, "content-type": "application/json"}
        self.conn.request(method, url, body=data, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        if resp.status >= 300:
            raise SystemExit(f"{method} {url}: {resp.status} {raw[:300]!r}")
        return json.loads(raw)


def nested(c: Client) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = c.request(
        "GET", "/api/sale.order", fields=NESTED, limit=ORDERS, order="id"
    )["data"]
    return rows


def plain(c: Client) -> list[dict[str, Any]]:
    """The three calls and the client-side join a client makes without nested reads."""
    orders = c.request(
        "GET", "/api/sale.order", fields="name,partner_id,order_line", limit=ORDERS, order="id"
    )["data"]
    pids = sorted({o["partner_id"][0] for o in orders if o["partner_id"]})
    lids = sorted({i for o in orders for i in o["order_line"]})
    partners = {
        p["id"]: p
        for p in c.request(
            "GET",
            "/api/res.partner",
            domain=json.dumps([["id", "in", pids]]),
            fields="name,email",
            limit=1000,
        )["data"]
    }
    lines = {
        x["id"]: x
        for x in c.request(
            "GET",
            "/api/sale.order.line",
            domain=json.dumps([["id", "in", lids]]),
            fields="product_id,price_unit",
            limit=1000,
        )["data"]
    }
    for o in orders:
        p = partners.get(o["partner_id"][0]) if o["partner_id"] else None
        o["partner_id"] = {"id": p["id"], "name": p["name"], "email": p["email"]} if p else False
        o["order_line"] = [lines[i] for i in o["order_line"] if i in lines]
    return orders


def _measure(fn: Callable[[Client], Any], c: Client, rounds: int) -> dict[str, float]:
    for _ in range(5):
        fn(c)
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn(c)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p90": times[int(len(times) * 0.9) - 1],
        "mean": statistics.fmean(times),
    }


def _fill_sandbox(c: Client) -> None:
    """The sandbox's demo data has fewer than 80 orders: add some, three lines each."""
    have = c.request("GET", "/api/sale.order", fields="id", limit=1000)["count"]
    partners = [
        p["id"] for p in c.request("GET", "/api/res.partner", fields="id", limit=20)["data"]
    ]
    products = [
        p["id"] for p in c.request("GET", "/api/product.product", fields="id", limit=3)["data"]
    ]
    for i in range(ORDERS - have):
        c.request(
            "POST",
            "/api/sale.order",
            {
                "partner_id": partners[i % len(partners)],
                "order_line": [{"product_id": pid, "product_uom_qty": 1} for pid in products],
            },
        )


def run(upstream: str, rounds: int) -> list[str]:
    odoo_port, gw_port = _free_port(), _free_port()
    if upstream == "stub":
        odoo_cmd = [
            str(BIN / "python"),
            str(ROOT / "benchmarks" / "upstream_stub.py"),
            "--port",
            str(odoo_port),
        ]
        db, login = "bench", ("admin", "admin")
    else:
        odoo_cmd = [str(BIN / "odoo-restful"), "sandbox", "--port", str(odoo_port)]
        db, login = "sandbox", ("admin", "admin")
    tmp = tempfile.mkdtemp(prefix="nested-bench-")
    gw_cmd = [
        str(BIN / "odoo-restful"),
        "serve",
        "--odoo-url",
        f"http://127.0.0.1:{odoo_port}",
        "--db",
        db,
        "--protocol",
        "jsonrpc",
        "--store",
        os.path.join(tmp, "t.db"),
        "--secret-file",
        os.path.join(tmp, "k"),
        "--workers",
        "1",
        "--port",
        str(gw_port),
        "--log-level",
        "warning",
    ]
    with _process(odoo_cmd, odoo_port), _process(gw_cmd, gw_port):
        c = Client(gw_port)
        token = c.request(
            "POST", "/api/auth/token", {"login": login[0], "password": login[1], "db": db}
        )["access_token"]
        c.headers["access-token"] = token
        if upstream == "sandbox":
            _fill_sandbox(c)
        one, three = nested(c), plain(c)
        if upstream == "sandbox":  # real data: both ways must give the same records
            for o in three:
                o["order_line"] = [
                    {
                        "id": x["id"],
                        "product_id": {
                            "id": x["product_id"][0],
                            "display_name": x["product_id"][1],
                        },
                        "price_unit": x["price_unit"],
                    }
                    for x in o["order_line"]
                ]
            assert one == three, "the nested read and the plain calls disagree"
        assert len(one) == ORDERS, len(one)
        calls = {"nested": "?", "plain": "?"}
        if upstream == "stub":  # how many Odoo calls each way makes, counted at the stub
            for name, fn in (("nested", nested), ("plain", plain)):
                _stub(odoo_port, "POST", "/_stats/reset")
                fn(c)
                calls[name] = str(sum(_stub(odoo_port, "GET", "/_stats").values()))
        a = _measure(nested, c, rounds)
        b = _measure(plain, c, rounds)
    return [
        f"| {upstream} | nested read (1 request) | {calls['nested']} | {a['p50']:.2f} | "
        f"{a['p90']:.2f} | {a['mean']:.2f} |",
        f"| {upstream} | three plain calls + join | {calls['plain']} | {b['p50']:.2f} | "
        f"{b['p90']:.2f} | {b['mean']:.2f} |",
    ]


def _stub(port: int, method: str, path: str) -> dict[str, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=b"" if method == "POST" else None)
    counts: dict[str, int] = json.loads(conn.getresponse().read())
    conn.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--upstream", choices=("stub", "sandbox", "both"), default="both")
    args = parser.parse_args()
    rows = [
        "| upstream | what | Odoo calls | p50 ms | p90 ms | mean ms |",
        "|---|---|---|---|---|---|",
    ]
    for upstream in ("stub", "sandbox") if args.upstream == "both" else (args.upstream,):
        rows += run(upstream, args.rounds)
    print("\n".join(rows))


if __name__ == "__main__":
    sys.exit(main())
