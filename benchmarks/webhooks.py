"""Webhooks (issue #18): the delay from a change in Odoo to its delivery, and the
watcher's cost in Odoo calls.

The sandbox is served over HTTP (the gateway's Odoo) with a counter of the calls it
gets; the benchmark changes records behind the gateway's back (the sandbox called in
process, not counted), a receiver on loopback notes when each event arrives.

- delay: one subscription, a record renamed every ``--every`` seconds for
  ``--seconds``; delay = arrival at the receiver - the moment the write returned.
  At poll interval P the expected p50 is about P/2 plus the delivery.
- cost: N subscriptions of one model and user (N in ``--subs``), one write per poll;
  Odoo calls per minute counted at the sandbox, and per subscription.

    .venv/bin/python benchmarks/webhooks.py                     # default poll (10 s): ~4 min
    .venv/bin/python benchmarks/webhooks.py --poll 1 --seconds 20
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from odoo_restful.app import create_app
from odoo_restful.config import Settings
from odoo_restful.sandbox import Sandbox

# The tests' servers and webhook receiver, one home for both: the repository root
# on sys.path (benchmarks/ is there already when a script of it runs).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import BodyTap, serve_in_thread
from tests.webhook_receiver import Receiver, receiver

MODEL = "res.partner"
HOOK = "/hook"


class CountingSandbox(BodyTap):
    """The sandbox as ASGI, counting ``execute_kw`` calls by method."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self.calls: Counter[str] = Counter()

    async def peek(self, scope: Any, body: bytes, send: Any) -> bool:
        try:
            params = json.loads(body).get("params", {}) if body else {}
        except ValueError:
            params = {}
        args = params.get("args") or []
        if params.get("method") == "execute_kw" and len(args) > 4:  # JSON-RPC
            self.calls[str(args[4])] += 1
        elif str(scope.get("path", "")).startswith("/web/dataset/call_kw"):  # web session
            self.calls[str(params.get("method"))] += 1
        else:
            self.calls["(other)"] += 1
        return True


def direct(sandbox: Sandbox, method: str, *args: Any, **kw: Any) -> Any:
    """A call to the sandbox in process as admin: the benchmark's own, never counted."""
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["sandbox", 2, "admin", MODEL, method, list(args), kw],
        },
    }
    _, _, reply = sandbox.handle(
        "POST", "/jsonrpc", {"content-type": "application/json"}, json.dumps(body).encode()
    )
    return json.loads(reply)["result"]


def arrivals(rx: Receiver) -> dict[str, float]:
    """Record name -> the first arrival of an event showing it."""
    at: dict[str, float] = {}
    for r in rx.on(HOOK):
        name = (r.json()["data"].get("record") or {}).get("name")
        if isinstance(name, str):
            at.setdefault(name, r.at)
    return at


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--poll", type=float, default=Settings().webhook_poll_seconds)
    ap.add_argument("--seconds", type=float, default=120.0, help="length of the delay run")
    ap.add_argument("--every", type=float, default=0.5, help="seconds between two writes")
    ap.add_argument("--subs", default="1,10,50", help="subscription counts of the cost runs")
    ap.add_argument("--cost-polls", type=int, default=6, help="polls per cost run")
    opts = ap.parse_args()
    sandbox = Sandbox()
    counting = CountingSandbox(sandbox)
    with (
        tempfile.TemporaryDirectory() as tmp,
        receiver() as rx,
        serve_in_thread(counting) as odoo_url,
    ):
        settings = Settings(
            odoo_url=odoo_url,
            default_db="sandbox",
            store=str(Path(tmp) / "tokens.db"),
            secret_file=str(Path(tmp) / "secret.key"),
            webhook_allow_private=True,
            webhook_poll_seconds=opts.poll,
            webhook_max_per_user=1000,
        )
        with serve_in_thread(create_app(settings), timeout=60) as url:
            token = requests.post(
                url + "/api/auth/token",
                json={"login": "admin", "password": "admin", "db": "sandbox"},
                timeout=30,
            ).json()["access_token"]
            s = requests.Session()
            s.headers["access-token"] = token
            rid = direct(sandbox, "create", [{"name": "bench"}])[0]

            def subscribe() -> str:
                body = {"model": MODEL, "url": rx.url + HOOK, "fields": ["name"]}
                resp = s.post(url + "/api/webhooks", json=body, timeout=30)
                resp.raise_for_status()
                sub_id: str = resp.json()["id"]
                return sub_id

            # delay: one subscription
            sub = subscribe()
            time.sleep(opts.poll + 1)
            written: dict[str, float] = {}
            end = time.monotonic() + opts.seconds
            n = 0
            while time.monotonic() < end:
                name = f"delay {n}"
                direct(sandbox, "write", [rid], {"name": name})
                written[name] = time.time()
                n += 1
                time.sleep(opts.every)
            time.sleep(opts.poll * 2 + 2)
            # A write is delivered by the first event showing it or a later write (writes
            # between two polls are read as one change: the record as it is then).
            at = arrivals(rx)
            delays, seen = [], float("inf")
            for name, at in reversed(list(written.items())):
                seen = min(seen, at.get(name, float("inf")))
                if seen != float("inf"):
                    delays.append(seen - at)
            events = sum(1 for name in written if name in at)
            s.delete(f"{url}/api/webhooks/{sub}", timeout=30)
            print(f"poll interval {opts.poll:g} s, one subscription, {len(written)} writes")
            print()
            print("| writes | events | writes delivered | p50 s | p90 s | p99 s | max s |")
            print("|---|---|---|---|---|---|---|")
            print(
                f"| {len(written)} | {events} | {len(delays)} | {statistics.median(delays):.2f} | "
                f"{pct(delays, 0.9):.2f} | {pct(delays, 0.99):.2f} | {max(delays):.2f} |"
            )
            print()
            print("| subscriptions (one model, one user) | Odoo calls/min | per subscription |")
            print("|---|---|---|")
            for count in (int(x) for x in opts.subs.split(",")):
                subs = [subscribe() for _ in range(count)]
                time.sleep(opts.poll + 1)  # every subscription has read once
                counting.calls.clear()
                started = time.monotonic()
                for i in range(opts.cost_polls):
                    direct(sandbox, "write", [rid], {"name": f"cost {count} {i}"})
                    time.sleep(opts.poll)
                minutes = (time.monotonic() - started) / 60
                calls = sum(counting.calls.values())
                detail = ", ".join(f"{k} {v}" for k, v in sorted(counting.calls.items()))
                rate = calls / minutes
                print(f"| {count} | {rate:.1f} ({detail}) | {rate / count:.2f} |")
                for sub_id in subs:
                    s.delete(f"{url}/api/webhooks/{sub_id}", timeout=30)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
