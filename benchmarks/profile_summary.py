"""Turn a py-spy ``--format raw`` profile (collapsed stacks) into a short text summary.

    py-spy record --pid PID --duration 10 --rate 200 --function --format raw -o profile.txt
    .venv/bin/python benchmarks/profile_summary.py profile.txt

Prints where the samples are: self time by package (the leaf frame's package),
the top functions by self time, and inclusive time of the request's main stages.
A text summary is committed instead of a flame graph SVG.
"""

from __future__ import annotations

import argparse
import collections
import re
from typing import Any

# Inclusive time of these functions shows the stages of one proxied request.
STAGES = [
    ("HttpToolsProtocol.data_received", "uvicorn: parse the request (httptools)"),
    ("RequestResponseCycle.run_asgi", "ASGI app, whole request"),
    ("RequestContextMiddleware.__call__", "middleware.py RequestContextMiddleware and below"),
    ("BodyLimitMiddleware.__call__", "middleware.py BodyLimitMiddleware and below"),
    ("ExceptionMiddleware.__call__", "Starlette ExceptionMiddleware and below"),
    ("Router.__call__", "Starlette router and below"),
    ("search", "routes/records.py search (the handler)"),
    ("identify", "routes/common.py identify (token)"),
    ("request_params", "routes/common.py request_params"),
    ("Http11Transport.request", "odoo/http11.py Http11Transport.request (HTTP client to Odoo)"),
    ("AiohttpTransport.request", "odoo/aiohttp_transport.py (--odoo-client aiohttp)"),
    ("decode_page", "odoo/replies.py decode_page (msgspec envelope + records)"),
    ("raw_page", "responses.py raw_page"),
    ("Response.__call__", "Starlette Response.__call__ (send)"),
    ("RequestResponseCycle.send", "uvicorn: write the response"),
]

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def package(file: str) -> str:
    parts = file.replace("\\", "/").split("/")
    if "odoo_restful" in parts:
        rest = parts[parts.index("odoo_restful") + 1 :]
        return "odoo_restful/" + "/".join(rest)
    for name in ("starlette", "uvicorn", "aiohttp", "multidict", "yarl", "msgspec", "orjson"):
        if name in parts:
            return name
    if "asyncio" in parts:
        return "asyncio"
    return parts[-1] if parts else file


def parse(text: str) -> tuple[int, list[tuple[list[tuple[str, str]], int]]]:
    stacks = []
    total = 0
    for line in text.splitlines():
        line = line.rstrip()
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        try:
            n = int(count)
        except ValueError:
            continue
        frames = []
        for raw in stack.split(";"):
            m = _FRAME.match(raw)
            frames.append((m["func"], m["file"]) if m else (raw, ""))
        stacks.append((frames, n))
        total += n
    return total, stacks


def _idle(frames: list[tuple[str, str]]) -> bool:
    """A thread-pool worker waiting for work (the token store's thread): not CPU."""
    func, file = frames[-1]
    return func == "_worker" and file.endswith("thread.py")


def summarize(text: str, top: int = 25, mode: str = "blocking") -> dict[str, Any]:
    _, all_stacks = parse(text)
    stacks = [(frames, n) for frames, n in all_stacks if not _idle(frames)]
    idle = sum(n for frames, n in all_stacks if _idle(frames))
    total = sum(n for _, n in stacks)
    by_package: collections.Counter[str] = collections.Counter()
    by_func: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    for frames, n in stacks:
        func, file = frames[-1]
        if func in ("Runner.run", "run_until_complete", "asyncio_run") or file.endswith(
            "runners.py"
        ):
            key = "event loop (uvloop C code: I/O, callbacks)"
            by_package[key] += n
            by_func[key] += n
        else:
            by_package[package(file)] += n
            by_func[f"{func} ({package(file)})"] += n
        for name in {f for f, _ in frames}:
            inclusive[name] += n

    def pct(n: int) -> float:
        return round(100 * n / total, 1) if total else 0.0

    return {
        "samples": total,
        "idle_samples_dropped": idle,
        "mode": mode,
        "self_by_package": [(k, pct(v)) for k, v in by_package.most_common(top)],
        "self_by_function": [(k, pct(v)) for k, v in by_func.most_common(top)],
        "stages": [(label, pct(inclusive.get(func, 0))) for func, label in STAGES],
    }


def render(summary: dict[str, Any]) -> str:
    if "error" in summary:
        return f"profile: {summary['error']}"
    lines = [
        f"{summary['samples']} samples of the event-loop thread (py-spy --function, "
        f"{summary.get('mode', 'blocking')}; {summary.get('idle_samples_dropped', 0)} samples "
        "of the idle token-store thread left out). Percentages are of all samples.",
        "",
    ]
    lines += ["Inclusive time of the request's stages:", ""]
    lines += ["| stage | % of samples |", "|---|---|"]
    lines += [f"| {label} | {p:.1f} |" for label, p in summary["stages"] if p > 0]
    lines += ["", "Self time by package:", ""]
    lines += ["| package | % |", "|---|---|"]
    lines += [f"| {k} | {p:.1f} |" for k, p in summary["self_by_package"][:15]]
    lines += ["", "Top functions by self time:", ""]
    lines += ["| function | % |", "|---|---|"]
    lines += [f"| {k} | {p:.1f} |" for k, p in summary["self_by_function"][:20]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", help="py-spy --format raw output")
    args = parser.parse_args(argv)
    with open(args.profile) as fh:
        print(render(summarize(fh.read())))


if __name__ == "__main__":
    main()
