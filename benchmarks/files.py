"""Files through the gateway: a 20 MB upload and download, beside the same through
Odoo's own JSON-RPC, and the gateway's peak memory.

    .venv/bin/python benchmarks/files.py [--mb 20] [--rounds 3] [--odoo-client aiohttp]

Starts ``odoo-restful sandbox`` (the in-memory Odoo over HTTP) and ``odoo-restful
serve`` in front of it (both subprocesses, on loopback, each wrapped in ``timeout``),
creates one ``ir.attachment`` and then, per round:

* gateway upload: ``PUT /api/ir.attachment/<id>/datas`` with the raw bytes;
* gateway download: ``GET /api/ir.attachment/<id>/datas``;
* direct upload: JSON-RPC ``write`` with the base64 in a JSON body (what a client
  does without the gateway), direct download: JSON-RPC ``read`` + base64 decode.

Prints MB/s (of the raw file) per step (median of the rounds) and how far the
gateway's peak RSS (``VmHWM``) rose above its RSS at rest, measured in a fresh gateway
process per step (warmed up with a 1 KB file): the allocator keeps the memory a step
freed for the next one, so a second step in the same process would measure the
first one's leftovers. Both sides include the sandbox's
own work (it decodes, hashes and stores the base64), so the figures compare the
paths, not absolute speeds of a real Odoo.
"""

from __future__ import annotations

import argparse
import base64
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

BIN = Path(sys.executable).parent / "odoo-restful"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def rss_peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def rss_now_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def reset_peak(pid: int) -> None:
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def timed(step: Callable[[], None], rounds: int, mb: float) -> float:
    speeds = []
    for _ in range(rounds):
        started = time.perf_counter()
        step()
        speeds.append(mb / (time.perf_counter() - started))
    return statistics.median(speeds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--odoo-client", choices=("builtin", "aiohttp"), default="builtin")
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    raw = os.urandom(size)
    tmp = Path(tempfile.mkdtemp())
    odoo_port, gw_port = free_port(), free_port()
    odoo = f"http://127.0.0.1:{odoo_port}"
    gw = f"http://127.0.0.1:{gw_port}"
    procs = [
        subprocess.Popen(
            ["timeout", "600", str(BIN), "sandbox", "--port", str(odoo_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]

    def start_gateway() -> int:
        """A fresh gateway process (the same token store): its pid."""
        serve = [
            "timeout", "600", str(BIN), "serve", "--odoo-url", odoo, "--db", "sandbox",
            "--protocol", "jsonrpc", "--store", str(tmp / "t.db"), "--secret-file",
            str(tmp / "k"), "--log-level", "warning", "--port", str(gw_port),
            "--max-file-bytes", str(size + 1024 * 1024), "--odoo-client", args.odoo_client,
        ]  # fmt: skip
        proc = subprocess.Popen(serve, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        wait_up(gw + "/healthz")
        return int(subprocess.check_output(["pgrep", "-P", str(proc.pid)]).split()[0])

    def stop_gateway() -> None:
        proc = procs.pop()
        proc.terminate()
        proc.wait(timeout=10)

    try:
        wait_up(odoo + "/web/webclient/version_info")
        start_gateway()
        token = requests.post(
            gw + "/api/auth/token", json={"login": "admin", "password": "admin"}, timeout=30
        ).json()["access_token"]
        h = {"access-token": token}
        att = requests.post(
            gw + "/api/ir.attachment", json={"name": "bench.bin"}, headers=h, timeout=30
        ).json()["data"][0]["id"]
        field = f"{gw}/api/ir.attachment/{att}/datas"
        warm = requests.post(
            gw + "/api/ir.attachment", json={"name": "warm.bin"}, headers=h, timeout=30
        ).json()["data"][0]["id"]
        warm_field = f"{gw}/api/ir.attachment/{warm}/datas"
        requests.put(warm_field, data=b"x" * 1024, headers=h, timeout=30)

        def gw_up() -> None:
            r = requests.put(field, data=raw, headers=h, timeout=300)
            assert r.status_code == 200, r.text[:200]

        def gw_down() -> None:
            r = requests.get(field, headers=h, timeout=300)
            assert r.status_code == 200 and len(r.content) == size

        def rpc(method: str, *a: object) -> object:
            body = {
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {
                    "service": "object",
                    "method": "execute_kw",
                    "args": ["sandbox", 2, "admin", "ir.attachment", method, list(a)],
                },
            }
            reply = requests.post(odoo + "/jsonrpc", json=body, timeout=300).json()
            assert "error" not in reply, str(reply)[:300]
            return reply.get("result")

        def direct_up() -> None:
            rpc("write", [att], {"datas": base64.b64encode(raw).decode()})

        def direct_down() -> None:
            rows = rpc("read", [att], ["datas"])
            assert isinstance(rows, list)
            assert len(base64.b64decode(rows[0]["datas"])) == size

        def measured(step: Callable[[], None], warm: Callable[[], object]) -> tuple[float, int]:
            """MB/s and peak growth in KiB of a fresh gateway: the allocator keeps what a
            step freed (RSS stays near its peak), so a second step in the same process
            would measure the first one's leftovers."""
            pid = start_gateway()
            warm()  # the route's first call, with a tiny file
            before = rss_now_kib(pid)
            reset_peak(pid)
            speed = timed(step, args.rounds, args.mb)
            grown = rss_peak_kib(pid) - before
            stop_gateway()
            return speed, grown

        stop_gateway()
        up_speed, up_peak = measured(
            gw_up, lambda: requests.put(warm_field, data=b"x" * 1024, headers=h, timeout=30)
        )
        down_speed, down_peak = measured(
            gw_down, lambda: requests.get(warm_field, headers=h, timeout=30)
        )
        results = {
            "gateway upload (PUT raw bytes)": up_speed,
            "gateway download (GET raw bytes)": down_speed,
            "direct upload (JSON-RPC write, base64)": timed(direct_up, args.rounds, args.mb),
            "direct download (JSON-RPC read, base64)": timed(direct_down, args.rounds, args.mb),
        }
        print(f"| step ({args.mb:g} MB file, median of {args.rounds}, {args.odoo_client}) | MB/s |")
        print("|---|---|")
        for name, speed in results.items():
            print(f"| {name} | {speed:.1f} |")
        print()
        for step, grown in (("upload", up_peak), ("download", down_peak)):
            ratio = grown * 1024 / size
            print(f"peak growth during {step}: {grown / 1024:.1f} MiB = {ratio:.2f} x the file")
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
