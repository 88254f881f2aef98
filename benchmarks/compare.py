"""A/B comparison of gateway source trees under the same load (for trying speed-ups).

    cp -r src /tmp/try/src   # then edit /tmp/try/src/odoo_restful/...
    .venv/bin/python benchmarks/compare.py --tree installed= --tree try=/tmp/try/src
    .venv/bin/python benchmarks/compare.py --tree builtin= --tree aiohttp= --client aiohttp=aiohttp

Each ``--tree NAME=PYTHONPATH`` (an empty path is the installed package) runs the
gateway (one worker, pinned as in ``run.py``) against one upstream stub; the trees
take turns for ``--rounds`` rounds so that background load hits them alike. Prints
the median req/s, gateway CPU microseconds per request (the steadier figure on a
shared machine), p50 and p99 per tree and point.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, help="NAME=PYTHONPATH")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", default="10,80")
    parser.add_argument("--connections", default="64")
    parser.add_argument("--quiet-wait", type=float, default=30.0)
    parser.add_argument("--stub-close", action="store_true")
    parser.add_argument("--gateway-cpus", default="1")
    parser.add_argument("--loadgen-cpus", default="0")
    parser.add_argument("--stub-impl", choices=run.STUB_IMPLS, default=run.DEFAULT_STUB)
    parser.add_argument(
        "--client",
        action="append",
        default=[],
        help="NAME=builtin|aiohttp: the HTTP client to Odoo for tree NAME (default builtin)",
    )
    args = parser.parse_args(argv)
    trees = [t.partition("=")[::2] for t in args.tree]
    clients = dict(c.partition("=")[::2] for c in args.client)
    pages = [int(p) for p in args.pages.split(",")]
    conns = [int(c) for c in args.connections.split(",")]
    gen = run.LoadGenerator(args.loadgen_cpus)
    results: dict[tuple[str, str], list[run.Point]] = {}
    with tempfile.TemporaryDirectory(prefix="odoo-restful-compare-") as tmp_name:
        tmp = Path(tmp_name)
        stub_cmd = run.stub_command(args.stub_impl, tmp, close=args.stub_close)
        stub = run.start("stub", run.bounded(3600, run.pinned(args.loadgen_cpus, stub_cmd)), tmp)
        with run.stopping(stub):
            port = run.wait_ready_line(stub)
            stub_pid = ([stub.popen.pid, *run.descendants(stub.popen.pid)])[-1]
            for rnd in range(args.rounds):
                for name, path in trees:
                    client = clients.get(name, "builtin")
                    opts = SimpleNamespace(pythonpath=path, max_seconds=3600, odoo_client=client)
                    gw = run.start_gateway(opts, tmp, port, 1, args.gateway_cpus)  # type: ignore[arg-type]
                    with run.stopping(gw.proc):
                        token = run.get_token(gw)
                        pids = gw.worker_pids()
                        for page in pages:
                            load = run.Load(f"{gw.base}/api/res.partner?limit={page}", token=token)
                            gen.run(load, 64, 1.0)
                            for c in conns:
                                label = f"{page}-c{c}"
                                pt = run.Point(label, "gateway", page, c)
                                run.measure(
                                    gen, load, pt, args.seconds, pids, stub_pid, args.quiet_wait
                                )
                                results.setdefault((name, label), []).append(pt)
                                print(
                                    f"round {rnd + 1} {name:>12} {label:>8}: {pt.rps:8,.0f} req/s "
                                    f"{pt.gateway_us_per_request() or 0:6.0f} us/req "
                                    f"p50 {pt.p50_ms:6.2f} p99 {pt.p99_ms:6.2f} ms "
                                    f"other {pt.foreign_cpus:.2f}",
                                    file=sys.stderr,
                                )
    print("| tree | point | req/s | gateway CPU us/req (min) | p50 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    for (name, label), pts in results.items():
        med: Any = statistics.median
        print(
            f"| {name} | {label} | {med([p.rps for p in pts]):,.0f} "
            f"| {med([p.gateway_us_per_request() or 0 for p in pts]):.0f} "
            f"({min(p.gateway_us_per_request() or 0 for p in pts):.0f}) "
            f"| {med([p.p50_ms for p in pts]):.3f} | {med([p.p99_ms for p in pts]):.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
