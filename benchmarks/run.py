"""The gateway's benchmark suite: one command, every figure of benchmarks/README.md.

    .venv/bin/python benchmarks/run.py            # full run (about 6 minutes)
    .venv/bin/python benchmarks/run.py --quick    # shorter points (about 2.5 minutes)

What it does, all on 127.0.0.1, every process bounded in time:

1. micro-benchmarks in a subprocess (``micro.py``): token cache hit, reply path;
2. starts the upstream stub (``upstream_stub.py``) and the gateway
   (``odoo-restful serve --protocol jsonrpc --workers 1``), the gateway pinned to
   one core and the stub and load generator to the other (``taskset``);
3. gets a token (``POST /api/auth/token``), checks the pages and that Odoo's
   ``result`` bytes come out unchanged;
4. measures ``search_read`` straight at the stub (``POST /jsonrpc``) and through the
   gateway (``GET /api/res.partner?limit=10`` and ``limit=80``), at 1 and 64
   connections, with wrk (or ``loadgen.py`` when wrk is missing), and counts the
   requests the stub saw per path;
5. a memory run (VmRSS of the worker every second);
6. two workers against one;
7. optionally (``--profile``) a py-spy profile of the gateway under load;

and prints the goals table in Markdown, with the details under it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent  # the venv's bin: odoo-restful, py-spy
CLK_TCK = os.sysconf("SC_CLK_TCK")

# --- processes -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinned(cpus: str | None, cmd: list[str]) -> list[str]:
    if cpus and shutil.which("taskset"):
        return ["taskset", "-c", cpus, *cmd]
    return cmd


def bounded(seconds: float, cmd: list[str]) -> list[str]:
    """``timeout`` ends the command (and its process group) even if this script dies."""
    if shutil.which("timeout"):
        return ["timeout", "-k", "5", f"{int(seconds)}s", *cmd]
    return cmd


def ppid_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def descendants(pid: int) -> list[int]:
    tree = ppid_map()
    out, todo = [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def system_busy() -> float:
    """CPU-seconds spent busy by the whole machine (all CPUs) since boot, steal excluded."""
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, _steal = values
    return (user + nice + system + irq + softirq) / CLK_TCK


def steal_seconds() -> float:
    """CPU-seconds the hypervisor gave to other guests while ours wanted them."""
    with open("/proc/stat") as fh:
        return int(fh.readline().split()[8]) / CLK_TCK


def wait_quiet(own: list[int], max_wait: float, threshold: float = 0.10) -> tuple[float, float]:
    """Wait (at most ``max_wait`` s) until other processes use < ``threshold`` CPUs.

    Other people's work on the machine (test suites...) would take CPU from the
    gateway or the load generator. Returns (seconds waited, foreign CPUs last seen).
    """
    waited, foreign = 0.0, 0.0
    while True:
        b0, o0 = system_busy(), cpu_seconds(own)
        time.sleep(1.0)
        foreign = max(0.0, (system_busy() - b0) - (cpu_seconds(own) - o0))
        if foreign < threshold or waited >= max_wait:
            return waited, foreign
        waited += 1.0


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)  # timeout forwards it to the command
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start(name: str, cmd: list[str], tmp: Path, env: dict[str, str] | None = None) -> Proc:
    log = tmp / f"{name}.log"
    with open(log, "wb") as out:
        popen = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=out, env=env)
    return Proc(name, popen, log)


STUB_IMPLS = ("c", "asyncio", "uvicorn")
DEFAULT_STUB = "c" if shutil.which("cc") else "asyncio"


def stub_command(impl: str, tmp: Path, *, close: bool) -> list[str]:
    """The upstream stub's command line; ``c`` builds cstub.c and its rules in ``tmp``."""
    if impl != "c":
        cmd = [sys.executable, str(HERE / "upstream_stub.py"), "--port", "0", "--impl", impl]
        return cmd + (["--close"] if close else [])
    binary, rules = tmp / "cstub", tmp / "cstub-rules.txt"
    if not binary.exists():
        subprocess.run(["cc", "-O2", "-o", str(binary), str(HERE / "cstub.c")], check=True)
        cmd = [sys.executable, str(HERE / "upstream_stub.py"), "--write-rules", str(rules)]
        subprocess.run(cmd, check=True)
    return [str(binary), "0", str(rules), *(["--close"] if close else [])]


def wait_ready_line(proc: Proc, timeout: float = 15.0) -> int:
    """The stub prints ``READY <port>`` on stdout."""
    assert proc.popen.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.popen.stdout], [], [], 0.2)
        if ready:
            line = proc.popen.stdout.readline().decode()
            if line.startswith("READY "):
                return int(line.split()[1])
        if proc.popen.poll() is not None:
            break
    raise RuntimeError(f"{proc.name} did not start:\n{proc.tail()}")


# --- HTTP helpers (stdlib, setup only) --------------------------------------------------


def http(
    method: str, url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_http(url: str, proc: Proc, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
        with contextlib.suppress(OSError):
            status, _ = http("GET", url)
            if status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{proc.name} not ready at {url}:\n{proc.tail()}")


# --- load generation -------------------------------------------------------------------


@dataclass
class Load:
    url: str
    method: str = "GET"
    token: str = ""
    body_file: str = ""


@dataclass
class Point:
    label: str
    target: str  # "direct" or "gateway"
    page: int
    connections: int
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    gateway_cpu_s: float = 0.0
    stub_cpu_s: float = 0.0
    loadgen_cpu_s: float = 0.0
    foreign_cpus: float = 0.0  # CPUs used by other processes during the point
    steal_cpus: float = 0.0  # CPUs taken by the hypervisor (steal time) during the point
    waited_s: float = 0.0  # waited this long for the machine to be quiet
    seconds: float = 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def gateway_us_per_request(self) -> float | None:
        if not self.target.startswith("gateway") or not self.requests:
            return None
        return self.gateway_cpu_s / self.requests * 1e6


class LoadGenerator:
    def __init__(self, cpus: str | None, prefer_wrk: bool = True) -> None:
        self.cpus = cpus
        self.wrk = shutil.which("wrk") if prefer_wrk else None
        self.name = "wrk " + self._wrk_version() if self.wrk else "loadgen.py (aiohttp)"

    def _wrk_version(self) -> str:
        assert self.wrk
        out = subprocess.run([self.wrk, "-v"], capture_output=True, text=True, check=False)
        match = re.search(r"wrk (\S+)", out.stdout + out.stderr)
        return match.group(1) if match else "?"

    def run(self, load: Load, connections: int, seconds: float) -> dict[str, Any]:
        env = dict(os.environ)
        if self.wrk:
            env.update(
                BENCH_METHOD=load.method, BENCH_TOKEN=load.token, BENCH_BODY_FILE=load.body_file
            )
            cmd = [self.wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s"]
            cmd += ["--latency", "-s", str(HERE / "wrk_report.lua"), load.url]
        else:
            cmd = [sys.executable, str(HERE / "loadgen.py"), load.url, "-c", str(connections)]
            cmd += ["-d", str(seconds), "--method", load.method]
            if load.token:
                cmd += ["--token", load.token]
            if load.body_file:
                cmd += ["--body-file", load.body_file]
        out = subprocess.run(
            pinned(self.cpus, cmd),
            capture_output=True,
            text=True,
            env=env,
            timeout=seconds + 30,
            check=False,
        )
        for line in out.stdout.splitlines():
            if line.startswith("BENCH_JSON "):
                summary: dict[str, Any] = json.loads(line[len("BENCH_JSON ") :])
                return summary
        raise RuntimeError(f"load generator failed: {out.stdout}\n{out.stderr}")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    gen: LoadGenerator,
    load: Load,
    point: Point,
    seconds: float,
    gateway_pids: list[int],
    stub_pid: int,
    quiet_wait: float = 0.0,
) -> Point:
    if quiet_wait > 0:
        point.waited_s, _ = wait_quiet([*gateway_pids, stub_pid], quiet_wait)
    b0, st0 = system_busy(), steal_seconds()
    g0, s0, l0 = cpu_seconds(gateway_pids), cpu_seconds([stub_pid]), children_cpu()
    t0 = time.monotonic()
    summary = gen.run(load, point.connections, seconds)
    point.seconds = time.monotonic() - t0
    point.gateway_cpu_s = cpu_seconds(gateway_pids) - g0
    point.stub_cpu_s = cpu_seconds([stub_pid]) - s0
    point.loadgen_cpu_s = children_cpu() - l0
    ours = point.gateway_cpu_s + point.stub_cpu_s + point.loadgen_cpu_s
    point.foreign_cpus = max(0.0, system_busy() - b0 - ours) / point.seconds
    point.steal_cpus = (steal_seconds() - st0) / point.seconds
    lat = summary["latency_us"]
    point.requests = summary["requests"]
    point.rps = summary["requests"] / (summary["duration_us"] / 1e6)
    point.p50_ms, point.p90_ms = lat["p50"] / 1000, lat["p90"] / 1000
    point.p99_ms, point.max_ms = lat["p99"] / 1000, lat["max"] / 1000
    point.errors = {k: v for k, v in summary["errors"].items() if v}
    return point


# --- the run ---------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError), open("/proc/meminfo") as fh:
        mem = f"{int(fh.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    versions = {}
    for dist in ("uvicorn", "starlette", "aiohttp", "uvloop", "httptools", "orjson", "msgspec"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[dist] = version(dist)
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": versions,
    }


def rpc_search_body(limit: int) -> bytes:
    """What the gateway itself sends for ``GET /api/res.partner?limit=N`` (same size)."""
    kwargs = {"context": {"lang": "en_US", "tz": "Europe/Brussels"}, "limit": limit, "offset": 0}
    params = {
        "service": "object",
        "method": "execute_kw",
        "args": ["bench", 2, "admin", "res.partner", "search_read", [[]], kwargs],
    }
    return json.dumps(
        {"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}, separators=(",", ":")
    ).encode()


@dataclass
class Gateway:
    proc: Proc
    port: int
    workers: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: uvicorn's spawned workers, else the server."""
        tree = descendants(self.proc.popen.pid)
        spawned = [p for p in tree if "spawn_main" in cmdline(p)]
        if spawned:
            return spawned
        servers = [p for p in tree if "serve" in cmdline(p) and "timeout" not in cmdline(p)]
        servers = [p for p in servers if not cmdline(p).startswith("taskset")]
        return servers[-1:] if servers else [self.proc.popen.pid]


def start_gateway(
    args: argparse.Namespace, tmp: Path, stub_port: int, workers: int, cpus: str | None
) -> Gateway:
    port = free_port()
    store = tmp / f"tokens-{workers}w.db"
    exe = str(BIN / "odoo-restful")
    cmd = [exe, "serve", "--odoo-url", f"http://127.0.0.1:{stub_port}", "--db", "bench"]
    cmd += ["--protocol", "jsonrpc", "--store", str(store), "--secret-file", str(tmp / "k")]
    cmd += ["--workers", str(workers), "--log-level", "warning", "--port", str(port)]
    cmd += ["--odoo-client", getattr(args, "odoo_client", "builtin")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_RESTFUL_")}
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath  # try a scratch copy of the package
    proc = start(f"gateway-{workers}w", bounded(args.max_seconds, pinned(cpus, cmd)), tmp, env)
    gw = Gateway(proc, port, workers)
    wait_http(gw.base + "/healthz", proc)
    if workers > 1:  # wait until every worker has started
        deadline = time.monotonic() + 20
        while len(gw.worker_pids()) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
    return gw


def get_token(gw: Gateway) -> str:
    form = urllib.parse.urlencode({"login": "admin", "password": "admin"}).encode()
    status, body = http(
        "POST",
        gw.base + "/api/auth/token",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 200:
        raise RuntimeError(f"token request failed: {status} {body[:500]!r}\n{gw.proc.tail()}")
    token: str = json.loads(body)["access_token"]
    return token


def check_pages(gw: Gateway, token: str, stub_base: str) -> dict[str, Any]:
    """Each page has the right count, and Odoo's result bytes come out unchanged."""
    out: dict[str, Any] = {}
    for limit in (10, 80):
        status, body = http(
            "GET", f"{gw.base}/api/res.partner?limit={limit}", headers={"access-token": token}
        )
        if status != 200:
            raise RuntimeError(f"GET /api/res.partner?limit={limit}: {status} {body[:300]!r}")
        _, wire = http("POST", stub_base + "/jsonrpc", rpc_search_body(limit))
        result = wire[wire.index(b'"result": ') + len(b'"result": ') : -1]
        count = json.loads(body)["count"]
        # The stub encodes with json.dumps spacing ('"id": 9'); a gateway that decoded
        # and re-encoded (orjson) would drop those spaces. Each record must come out
        # byte for byte (the separators between records may differ).
        records = msgspec.json.decode(result, type=list[msgspec.Raw])
        at, unchanged = 0, True
        for record in records:
            found = body.find(bytes(record), at)
            unchanged = unchanged and found >= 0
            at = max(at, found)
        out[f"page_{limit}"] = {
            "count": count,
            "bytes": len(body),
            "result_bytes_unchanged": unchanged and len(records) == count,
            "whole_result_unchanged": body == b'{"count":%d,"data":%s}' % (count, result),
        }
        if count != limit:
            raise RuntimeError(f"expected {limit} records, got {count}")
    return out


def stub_stats(stub_base: str, reset: bool = False) -> dict[str, int]:
    if reset:
        http("POST", stub_base + "/_stats/reset", b"")
        return {}
    _, body = http("GET", stub_base + "/_stats")
    stats: dict[str, int] = json.loads(body)
    return stats


def memory_run(
    gen: LoadGenerator, gw: Gateway, token: str, seconds: float, window: float
) -> dict[str, Any]:
    """Load for ``seconds`` while sampling VmRSS of the worker every second."""
    pid = gw.worker_pids()[0]
    cmd_seconds = seconds
    samples: list[tuple[float, float]] = []
    load = Load(f"{gw.base}/api/res.partner?limit=80", token=token)
    env = dict(os.environ, BENCH_METHOD="GET", BENCH_TOKEN=token, BENCH_BODY_FILE="")
    if gen.wrk:
        cmd = [gen.wrk, "-t1", "-c64", f"-d{cmd_seconds:g}s", "--timeout", "5s", "--latency"]
        cmd += ["-s", str(HERE / "wrk_report.lua"), load.url]
    else:
        cmd = [sys.executable, str(HERE / "loadgen.py"), load.url, "-c", "64"]
        cmd += ["-d", str(cmd_seconds), "--token", token]
    before = rss_mb(pid)
    t0 = time.monotonic()
    popen = subprocess.Popen(
        pinned(gen.cpus, cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    next_sample = t0
    while popen.poll() is None:
        now = time.monotonic()
        if now >= next_sample:
            value = rss_mb(pid)
            if value is not None:
                samples.append((now - t0, value))
            next_sample += 1.0
        if now - t0 > cmd_seconds + 30:
            popen.kill()
            break
        time.sleep(0.05)
    stdout, _ = popen.communicate(timeout=10)
    requests = 0
    for line in stdout.decode().splitlines():
        if line.startswith("BENCH_JSON "):
            requests = json.loads(line[len("BENCH_JSON ") :])["requests"]
    values = [v for t, v in samples if t <= seconds]
    first = [v for t, v in samples if t < window]
    last = [v for t, v in samples if seconds - window <= t <= seconds]
    return {
        "seconds": seconds,
        "window_s": window,
        "requests": requests,
        "rss_before_mb": before,
        "rss_max_mb": max(values) if values else None,
        "rss_first_window_mb": statistics.mean(first) if first else None,
        "rss_last_window_mb": statistics.mean(last) if last else None,
        "growth_mb": (statistics.mean(last) - statistics.mean(first)) if first and last else None,
        "samples_mb": [round(v, 1) for _, v in samples],
    }


def run_micro(cpus: str | None, quick: bool, pythonpath: str) -> dict[str, Any]:
    cmd = [sys.executable, str(HERE / "micro.py"), "--json", *(["--quick"] if quick else [])]
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run(
        pinned(cpus, cmd), capture_output=True, text=True, env=env, timeout=300, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"micro.py failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_profile(
    gen: LoadGenerator, gw: Gateway, token: str, seconds: float, tmp: Path, page: int
) -> dict[str, Any]:
    """py-spy during a 64-connection run (blocking sampling: whole stacks; it slows the
    gateway by about a fifth, which does not change where the time goes)."""
    pyspy = shutil.which("py-spy") or str(BIN / "py-spy")
    if not Path(pyspy).exists():
        return {"error": "py-spy not installed (.venv/bin/pip install py-spy)"}
    import profile_summary

    raw = tmp / f"profile-{page}.txt"
    pid = gw.worker_pids()[0]
    load = Load(f"{gw.base}/api/res.partner?limit={page}", token=token)
    env = dict(os.environ, BENCH_METHOD="GET", BENCH_TOKEN=token, BENCH_BODY_FILE="")
    assert gen.wrk, "--profile needs wrk"
    wrk = [gen.wrk, "-t1", "-c64", f"-d{seconds + 2:g}s", "-s", str(HERE / "wrk_report.lua")]
    popen = subprocess.Popen(pinned(gen.cpus, [*wrk, load.url]), stdout=subprocess.DEVNULL, env=env)
    time.sleep(1)
    cmd = [pyspy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "200"]
    cmd += ["--format", "raw", "--function", "-o", str(raw)]
    subprocess.run(pinned(gen.cpus, cmd), capture_output=True, timeout=seconds + 30, check=False)
    popen.wait(timeout=seconds + 30)
    if not raw.exists():
        return {"error": "py-spy wrote no profile (ptrace not permitted?)"}
    return profile_summary.summarize(raw.read_text())


# --- report ----------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def yes(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def goals_table(r: dict[str, Any]) -> str:
    p = {pt["label"]: pt for pt in r["points"]}
    rows: list[tuple[str, str, bool | None]] = []
    for page, goal in ((10, 5000), (80, 3000)):
        pt = p.get(f"gateway-{page}-c64")
        if pt:
            rows.append(
                (
                    f"64 connections, {page}-record page: >= {goal:,} req/s",
                    f"{pt['rps']:,.0f} req/s",
                    pt["rps"] >= goal,
                )
            )
    for page in (10, 80):
        pt = p.get(f"gateway-{page}-c64")
        if pt:
            rows.append(
                (
                    f"64 connections, {page}-record page: p99 < 40 ms",
                    f"{pt['p99_ms']:.1f} ms",
                    pt["p99_ms"] < 40,
                )
            )
    for page in (10, 80):
        gw, direct = p.get(f"gateway-{page}-c1"), p.get(f"direct-{page}-c1")
        if gw and direct:
            d50 = gw["p50_ms"] - direct["p50_ms"]
            d99 = gw["p99_ms"] - direct["p99_ms"]
            rows.append(
                (f"added latency, 1 connection, {page}-record page: p50 < 0.5 ms",
                 f"{d50:.3f} ms", d50 < 0.5)
            )  # fmt: skip
            rows.append(
                (f"added latency, 1 connection, {page}-record page: p99 < 2 ms",
                 f"{d99:.3f} ms", d99 < 2.0)
            )  # fmt: skip
    scale = r.get("scaling")
    if scale:
        rows.append(
            (
                "2 workers on 2 cores >= 1.4x 1 worker (10-record page, 64 conns)",
                f"{scale['ratio']:.2f}x ({scale['rps_2w']:,.0f} vs {scale['rps_1w']:,.0f} req/s;"
                f" per gateway CPU-second {scale['cpu_ratio']:.2f}x)",
                scale["ratio"] >= 1.4,
            )
        )
    mem = r.get("memory")
    if mem and mem.get("rss_max_mb") is not None:
        rows.append(
            (
                f"RSS per worker < 150 MB through a {mem['seconds']:g} s run",
                f"max {mem['rss_max_mb']:.1f} MB",
                mem["rss_max_mb"] < 150,
            )
        )
        growth = mem.get("growth_mb")
        rows.append(
            (
                f"no RSS growth, first vs last {mem['window_s']:g} s",
                f"{growth:+.2f} MB" if growth is not None else "n/a",
                None if growth is None else growth < 2.0,
            )
        )
    micro = r.get("micro", {})
    tok = micro.get("token")
    if tok:
        rows.append(
            (
                "token check on a cache hit <= 5 us",
                f"{tok['resolve_hit_us']:.2f} us",
                tok["resolve_hit_us"] <= 5,
            )
        )
    checks = r.get("checks", {})
    if checks:
        unchanged = all(v["result_bytes_unchanged"] for v in checks.values())
        whole = all(v.get("whole_result_unchanged") for v in checks.values())
        resp = micro.get("response", {})
        detail = (
            "Odoo's result bytes byte-identical in the reply"
            if whole
            else "every record byte-identical in the reply (separators re-joined)"
        )
        if "page_80" in resp:
            pr = resp["page_80"]
            detail += (
                f"; 80 records: {pr['passthrough_us']['median_us']:.0f} us vs "
                f"{pr['decode_and_reencode_orjson_us']['median_us']:.0f} us decode+encode"
            )
        rows.append(("search_read result passes through undecoded", detail, unchanged))
    calls = r.get("upstream_calls")
    if calls:
        # fields_get: once per user and worker per 5-minute metadata TTL (the default
        # field list of a read that names none), never per request
        extra = calls["version"] + max(0, calls["fields_get"] - 4) + calls["authenticate"]
        rows.append(
            (
                "fields_get / version / authenticate not fetched per request",
                f"{calls['version']} version, {calls['fields_get']} fields_get, "
                f"{calls['authenticate']} authenticate for {calls['search_read']:,} "
                f"search_read ({calls['gateway_requests']:,} gateway requests)",
                extra == 0
                and 0 <= calls["search_read"] - calls["gateway_requests"] <= calls["in_flight_max"],
            )
        )
    worst = max(r["points"], key=lambda pt: pt["foreign_cpus"])
    rows.append(
        (
            "machine quiet during the points (other processes < 0.1 CPU)",
            f"worst {worst['foreign_cpus']:.2f} CPUs ({worst['label']})",
            worst["foreign_cpus"] < 0.1,
        )
    )
    errors = sum(pt["error_count"] for pt in r["points"])
    rows.append(("no failed requests in the load runs", f"{errors} errors", errors == 0))
    lines = ["| goal | measured | met? |", "|---|---|---|"]
    lines += [f"| {goal} | {measured} | {yes(ok)} |" for goal, measured, ok in rows]
    return "\n".join(lines)


def points_table(r: dict[str, Any]) -> str:
    lines = [
        "| target | page | conns | req/s | p50 ms | p90 ms | p99 ms | max ms | errors "
        "| gateway CPU us/req | other load, CPUs | steal, CPUs |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for pt in r["points"]:
        cpu = pt.get("gateway_us_per_request")
        lines.append(
            f"| {pt['target']} | {pt['page']} | {pt['connections']} | {pt['rps']:,.0f} "
            f"| {pt['p50_ms']:.3f} | {pt['p90_ms']:.3f} | {pt['p99_ms']:.3f} "
            f"| {pt['max_ms']:.1f} | {pt['error_count']} | {fmt(cpu, 0)} "
            f"| {pt['foreign_cpus']:.2f} | {pt['steal_cpus']:.2f} |"
        )
    return "\n".join(lines)


def report(r: dict[str, Any]) -> str:
    m = r["machine"]
    out = [
        "## Goals",
        "",
        goals_table(r),
        "",
        "## Points",
        "",
        points_table(r),
        "",
        f"Machine: {m['nproc']} CPUs, {m['cpu']}, {m['memory']} RAM, Linux {m['kernel']}, "
        f"Python {m['python']}; {', '.join(f'{k} {v}' for k, v in m['packages'].items())}.",
        f"Load generator: {r['loadgen']}; {r['layout']}; {r['seconds']:g} s per point.",
        f"Upstream stub: {r['stub']}.",
    ]
    scale = r.get("scaling")
    if scale:
        out += [
            "",
            "Scaling: " + scale["note"],
        ]
    calls = r.get("upstream_calls")
    if calls:
        out += ["", "Requests seen by the stub during the gateway runs:", ""]
        out += [f"- `{k}`: {v:,}" for k, v in sorted(calls["paths"].items())]
    if r.get("profile"):
        import profile_summary

        for page, prof in r["profile"].items():
            out += ["", f"## Profile ({page}, 64 connections)", ""]
            out.append(profile_summary.render(prof))
    return "\n".join(out)


# --- main ------------------------------------------------------------------------------


@contextlib.contextmanager
def stopping(*procs: Proc) -> Iterator[None]:
    try:
        yield
    finally:
        for proc in procs:
            proc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="odoo-restful benchmark suite")
    parser.add_argument("--quick", action="store_true", help="3 s points, 20 s memory run")
    parser.add_argument("--seconds", type=float, help="seconds per point (default 10, quick 3)")
    parser.add_argument("--memory-seconds", type=float, help="memory run (default 60, quick 20)")
    parser.add_argument("--skip-workers", action="store_true", help="skip the 2-worker run")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument(
        "--skip-close", action="store_true", help="skip the points against a closing stub"
    )
    parser.add_argument("--skip-micro", action="store_true")
    parser.add_argument("--profile", action="store_true", help="py-spy the gateway under load")
    parser.add_argument(
        "--stub-impl",
        choices=STUB_IMPLS,
        default=DEFAULT_STUB,
        help="upstream stub: cstub.c (built with cc; the default when cc exists), "
        "or upstream_stub.py on asyncio or uvicorn",
    )
    parser.add_argument(
        "--odoo-client", choices=("builtin", "aiohttp"), default="builtin", help="the gateway's"
    )
    parser.add_argument(
        "--stub-close", action="store_true", help="stub answers Connection: close (as Odoo)"
    )
    parser.add_argument("--no-wrk", action="store_true", help="use loadgen.py even if wrk exists")
    parser.add_argument("--gateway-cpus", default="1", help="taskset list for the gateway")
    parser.add_argument("--loadgen-cpus", default="0", help="taskset list for stub and wrk")
    parser.add_argument(
        "--pythonpath", default="", help="run the gateway from another source tree (experiments)"
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        help="before each point wait up to this many seconds for other processes to use "
        "< 0.1 CPU (default 120, quick 30; 0: do not wait)",
    )
    parser.add_argument("--json-out", help="also write every figure to this JSON file")
    parser.add_argument("--max-seconds", type=float, default=900, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    seconds = args.seconds or (3.0 if args.quick else 10.0)
    mem_seconds = args.memory_seconds or (20.0 if args.quick else 60.0)
    warmup = 1.0
    quiet = args.quiet_wait if args.quiet_wait is not None else (30.0 if args.quick else 120.0)
    if (os.cpu_count() or 1) < 2:
        args.gateway_cpus = args.loadgen_cpus = None
    gen = LoadGenerator(args.loadgen_cpus, prefer_wrk=not args.no_wrk)
    r: dict[str, Any] = {
        "machine": machine(),
        "loadgen": gen.name,
        "seconds": seconds,
        "layout": (
            f"gateway pinned to CPU {args.gateway_cpus}, stub and load generator to CPU "
            f"{args.loadgen_cpus}"
            if args.gateway_cpus
            else "no pinning (one CPU)"
        ),
        "stub": f"{args.stub_impl}, {'Connection: close' if args.stub_close else 'keep-alive'}",
        "points": [],
    }
    log = print if sys.stderr.isatty() else (lambda *a, **k: print(*a, **k, file=sys.stderr))

    if not args.skip_micro:
        log("micro-benchmarks ...")
        r["micro"] = run_micro(args.gateway_cpus, args.quick, args.pythonpath)

    with tempfile.TemporaryDirectory(prefix="odoo-restful-bench-") as tmp_name:
        tmp = Path(tmp_name)
        stub_cmd = stub_command(args.stub_impl, tmp, close=args.stub_close)
        stub = start("stub", bounded(args.max_seconds, pinned(args.loadgen_cpus, stub_cmd)), tmp)
        with stopping(stub):
            stub_port = wait_ready_line(stub)
            stub_base = f"http://127.0.0.1:{stub_port}"
            stub_pid = ([stub.popen.pid, *descendants(stub.popen.pid)])[-1]
            gw = start_gateway(args, tmp, stub_port, 1, args.gateway_cpus)
            with stopping(gw.proc):
                log(f"gateway on {gw.base}, stub on {stub_base}")
                token = get_token(gw)
                r["checks"] = check_pages(gw, token, stub_base)
                pids = gw.worker_pids()
                bodies = {}
                for limit in (10, 80):
                    path = tmp / f"rpc-{limit}.json"
                    path.write_bytes(rpc_search_body(limit))
                    bodies[limit] = str(path)
                gateway_requests = 0
                seen: dict[str, int] = {}
                for page in (10, 80):
                    direct = Load(stub_base + "/jsonrpc", "POST", body_file=bodies[page])
                    through = Load(f"{gw.base}/api/res.partner?limit={page}", token=token)
                    for target, load in (("direct", direct), ("gateway", through)):
                        before = stub_stats(stub_base)
                        warm = gen.run(load, 64, warmup)
                        for conns in (1, 64):
                            label = f"{target}-{page}-c{conns}"
                            log(f"  {label} ...")
                            pt = Point(label, target, page, conns)
                            r["points"].append(
                                measure(gen, load, pt, seconds, pids, stub_pid, quiet)
                            )
                        if target == "gateway":  # what the stub saw from the gateway
                            gateway_requests += warm["requests"] + sum(
                                e for e in warm["errors"].values()
                            )
                            gateway_requests += sum(
                                p.requests + p.error_count for p in r["points"][-2:]
                            )
                            for key, value in stub_stats(stub_base).items():
                                seen[key] = seen.get(key, 0) + value - before.get(key, 0)
                paths = {k: v for k, v in seen.items() if v}
                r["upstream_calls"] = {
                    "paths": paths,
                    "gateway_requests": gateway_requests,
                    # wrk stops with up to one request per connection in flight,
                    # which the stub saw but wrk did not count
                    "in_flight_max": 2 * (64 + 64 + 1),
                    "search_read": sum(v for k, v in paths.items() if "search_read" in k),
                    "version": sum(v for k, v in paths.items() if "version" in k),
                    "fields_get": sum(v for k, v in paths.items() if "fields_get" in k),
                    "authenticate": sum(
                        v for k, v in paths.items() if "authenticate" in k or "login" in k
                    ),
                }
                if not args.skip_memory:
                    log(f"memory run ({mem_seconds:g} s) ...")
                    window = min(10.0, mem_seconds / 4)
                    r["memory"] = memory_run(gen, gw, token, mem_seconds, window)
                if args.profile:
                    r["profile"] = {}
                    for page in (10, 80):
                        log(f"profile, {page}-record page ...")
                        r["profile"][f"{page}-record page"] = run_profile(
                            gen, gw, token, max(seconds, 8.0), tmp, page
                        )
            if not args.skip_close:
                log("Connection: close (as real Odoo) ...")
                close_points(args, gen, tmp, seconds, warmup, quiet, r)
            if not args.skip_workers and args.gateway_cpus:
                r["scaling"] = scaling(
                    args, gen, tmp, stub_port, stub_pid, seconds, warmup, quiet, r
                )

    for pt in r["points"]:
        pt.__dict__["gateway_us_per_request"] = pt.gateway_us_per_request()
        pt.__dict__["error_count"] = pt.error_count
    r["points"] = [pt.__dict__ for pt in r["points"]]
    text = report(r)
    print(text)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(r, indent=2, default=str) + "\n")
    return 0


def close_points(
    args: argparse.Namespace,
    gen: LoadGenerator,
    tmp: Path,
    seconds: float,
    warmup: float,
    quiet: float,
    r: dict[str, Any],
) -> None:
    """The 10-record page against a stub that closes every connection, as Odoo does."""
    cmd = stub_command(args.stub_impl, tmp, close=True)
    stub = start("stub-close", bounded(args.max_seconds, pinned(args.loadgen_cpus, cmd)), tmp)
    with stopping(stub):
        port = wait_ready_line(stub)
        stub_pid = ([stub.popen.pid, *descendants(stub.popen.pid)])[-1]
        gw = start_gateway(args, tmp, port, 1, args.gateway_cpus)
        with stopping(gw.proc):
            token = get_token(gw)
            pids = gw.worker_pids()
            body = tmp / "rpc-10-close.json"
            body.write_bytes(rpc_search_body(10))
            direct = Load(f"http://127.0.0.1:{port}/jsonrpc", "POST", body_file=str(body))
            through = Load(f"{gw.base}/api/res.partner?limit=10", token=token)
            for target, load in (("direct", direct), ("gateway", through)):
                gen.run(load, 64, warmup)
                for conns in (1, 64):
                    pt = Point(f"{target}-10-c{conns}-close", f"{target} (close)", 10, conns)
                    r["points"].append(measure(gen, load, pt, seconds, pids, stub_pid, quiet))


def scaling(
    args: argparse.Namespace,
    gen: LoadGenerator,
    tmp: Path,
    stub_port: int,
    stub_pid: int,
    seconds: float,
    warmup: float,
    quiet: float,
    r: dict[str, Any],
) -> dict[str, Any]:
    """Two workers allowed on both CPUs, against the one pinned worker measured above."""
    one = next(pt for pt in r["points"] if pt.label == "gateway-10-c64")
    both = ",".join(sorted({*args.gateway_cpus.split(","), *args.loadgen_cpus.split(",")}))
    gw = start_gateway(args, tmp, stub_port, 2, both)
    with stopping(gw.proc):
        token = get_token(gw)
        load = Load(f"{gw.base}/api/res.partner?limit=10", token=token)
        gen.run(load, 64, warmup)
        pids = gw.worker_pids()
        pt = Point("gateway-10-c64-2w", "gateway", 10, 64)
        measure(gen, load, pt, seconds, pids, stub_pid, quiet)
    r["points"].append(pt)
    per_cpu_1 = one.requests / one.gateway_cpu_s if one.gateway_cpu_s else 0.0
    per_cpu_2 = pt.requests / pt.gateway_cpu_s if pt.gateway_cpu_s else 0.0
    wall = pt.seconds or seconds
    one_cpus = one.gateway_cpu_s / one.seconds if one.seconds else 0.0
    note = (
        f"the 2-worker gateway may use CPUs {both}, which it shares with the stub and wrk "
        f"(pinned to CPU {args.loadgen_cpus}). In the 2-worker run the gateway workers used "
        f"{pt.gateway_cpu_s / wall:.2f} CPUs, the stub {pt.stub_cpu_s / wall:.2f} and wrk "
        f"{pt.loadgen_cpu_s / wall:.2f}; the 1-worker run used {one_cpus:.2f} "
        f"CPUs for the gateway. Requests per gateway CPU-second: {per_cpu_1:,.0f} (1 worker) "
        f"vs {per_cpu_2:,.0f} (2 workers). On a machine with 2 cores for the gateway alone "
        f"the expected figure is about 2x the 1-worker rate times the CPU-second ratio."
    )
    return {
        "rps_1w": one.rps,
        "rps_2w": pt.rps,
        "ratio": pt.rps / one.rps if one.rps else 0.0,
        "cpu_ratio": per_cpu_2 / per_cpu_1 if per_cpu_1 else 0.0,
        "gateway_cpus_used_2w": pt.gateway_cpu_s / wall,
        "stub_cpus_used_2w": pt.stub_cpu_s / wall,
        "loadgen_cpus_used_2w": pt.loadgen_cpu_s / wall,
        "note": note,
    }


if __name__ == "__main__":
    sys.exit(main())
