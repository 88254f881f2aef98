"""In-process micro-benchmarks of the gateway's hot path (no network).

* ``token``: ``TokenService.resolve`` on a warm cache (a SQLite store in a temp dir,
  the service built as the app builds it), and the cost of a cache miss.
* ``response``: what the gateway does with a ``search_read`` reply: the pass-through
  path (msgspec envelope with a ``Raw`` result, the record count, the spliced
  ``{"count", "data"}`` body) against decoding the result and encoding it again.
* ``request``: the whole gateway in-process (the Starlette app called as ASGI, no
  sockets) serving ``GET /api/res.partner?limit=10&fields=name,email,phone`` over each
  protocol, Odoo's replies from ``upstream_stub.Odoo``: the gateway's own CPU per
  request (``time.process_time``), without the HTTP server and the sockets.

Run: ``.venv/bin/python benchmarks/micro.py [token|response ...] [--json]``.
Figures are medians over repeats, in microseconds per call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import upstream_stub  # benchmarks/ is on sys.path when a script of it runs


def per_call_us(fn: Callable[[], Any], *, number: int, repeat: int = 7) -> dict[str, float]:
    """Median and best time of one call of ``fn``, over ``repeat`` loops of ``number``."""
    fn()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        for _ in range(number):
            fn()
        times.append((time.perf_counter_ns() - start) / number / 1000)
    return {"median_us": statistics.median(times), "best_us": min(times)}


async def _token_bench(quick: bool) -> dict[str, Any]:
    from odoo_restful.compose import open_store
    from odoo_restful.odoo.base import Credential
    from odoo_restful.tokens.crypto import ServerSecrets
    from odoo_restful.tokens.service import TokenService

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "t.db"))
        await store.open()
        service = TokenService(store, ServerSecrets.from_file(Path(tmp) / "k"), ttl=3600)
        await service.start()
        try:
            facts = {"uid": 2, "user_context": {"lang": "en_US", "tz": "Europe/Brussels"}}
            token, _ = await service.issue(
                Credential("bench", 2, "admin", "password", "admin"),
                login="admin",
                user_info=facts,
            )
            await service.resolve(token)  # now in the cache

            async def nothing(token: str) -> None:
                return None

            # The cache keeps an entry for cache_ttl (1 s by default): batches are
            # short (a few ms) so that nearly all calls are hits; the median batch is
            # a pure-hit batch.
            number, repeat = (2_000, 15) if quick else (10_000, 41)

            async def timed(fn: Callable[[str], Any]) -> list[float]:
                out = []
                for _ in range(repeat):
                    start = time.perf_counter_ns()
                    for _ in range(number):
                        await fn(token)
                    out.append((time.perf_counter_ns() - start) / number / 1000)
                return out

            hits = await timed(service.resolve)
            floor = await timed(nothing)
            # A miss: the cache forgets the token, so resolve reads the store again
            # (HMAC, SQLite lookup, AES-GCM decrypt of the Odoo secret).
            misses = []
            cache = getattr(service, "_cache", None)
            if cache is not None:
                for _ in range(200 if quick else 1000):
                    cache.clear()
                    start = time.perf_counter_ns()
                    await service.resolve(token)
                    misses.append((time.perf_counter_ns() - start) / 1000)
        finally:
            await service.close()
    return {
        "resolve_hit_us": statistics.median(hits),
        "resolve_hit_best_us": min(hits),
        "await_floor_us": statistics.median(floor),
        "resolve_miss_us": statistics.median(misses) if misses else None,
        "calls_per_batch": number,
        "batches": repeat,
    }


def token_bench(quick: bool = False) -> dict[str, Any]:
    return asyncio.run(_token_bench(quick))


def response_bench(quick: bool = False) -> dict[str, Any]:
    """The reply path of ``GET /api/res.partner``: pass-through vs decode + re-encode."""
    import orjson

    from odoo_restful.odoo.replies import decode_page
    from odoo_restful.odoo.transport import Reply
    from odoo_restful.responses import envelope, raw_page

    bodies = upstream_stub.Bodies()
    number = 500 if quick else 3_000
    out: dict[str, Any] = {}
    for size, wire in sorted(bodies.rpc_pages.items()):
        reply = Reply(200, wire, {"content-type": "application/json"})
        items = decode_page(reply, "/jsonrpc")
        gateway_body = raw_page(items).body
        # Proof of pass-through: each record's own bytes (Odoo's json.dumps spacing,
        # which orjson would not produce) come out unchanged inside the envelope.
        untouched = all(bytes(item) in wire for item in items) and b'"id": ' in gateway_body

        def passthrough(reply: Reply = reply) -> Any:
            return raw_page(decode_page(reply, "/jsonrpc"))

        def reencode(wire: bytes = wire) -> Any:
            return envelope(orjson.loads(wire)["result"])

        def reencode_stdlib(wire: bytes = wire) -> Any:
            data = json.loads(wire)["result"]
            return json.dumps({"count": len(data), "data": data}).encode()

        out[f"page_{size}"] = {
            "reply_bytes": len(wire),
            "result_passed_through_unchanged": untouched,
            "passthrough_us": per_call_us(passthrough, number=number),
            "decode_page_only_us": per_call_us(
                lambda reply=reply: decode_page(reply, "/jsonrpc"), number=number
            ),
            "raw_page_only_us": per_call_us(lambda items=items: raw_page(items), number=number),
            "decode_and_reencode_orjson_us": per_call_us(reencode, number=number),
            "decode_and_reencode_stdlib_us": per_call_us(reencode_stdlib, number=number // 5),
        }
    return out


class StubTransport:
    """``upstream_stub.Odoo`` answering in-process, a session cookie on web sign-in."""

    def __init__(self) -> None:
        self.odoo = upstream_stub.Odoo()

    async def request(self, method: str, path: str, body: bytes, headers: Any) -> Any:
        from odoo_restful.odoo.transport import Reply

        raw_path = path.split("?")[0].encode()
        status, kind, answer = self.odoo.handle(method.encode(), raw_path, body)
        found = {"content-type": kind.decode()}
        if answer is self.odoo.bodies.web_session:
            found["set-cookie"] = f"session_id={upstream_stub.SESSION_ID}; Path=/"
        return Reply(status, answer, found)

    async def close(self) -> None:
        return None


async def _asgi(
    app: Any, method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


async def _request_bench(quick: bool) -> dict[str, Any]:
    from odoo_restful.app import create_app
    from odoo_restful.config import Settings

    number = 300 if quick else 2_000
    out: dict[str, Any] = {}
    for protocol in ("jsonrpc", "web", "json2"):
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                store=str(Path(tmp) / "t.db"),
                secret_file=str(Path(tmp) / "k"),
                default_db="bench",
                protocol=protocol,
                odoo_url="http://127.0.0.1:9",
            )
            app = create_app(settings, transport=StubTransport())  # type: ignore[arg-type]
            async with app.router.lifespan_context(app):
                secret = "0123456789abcdef0123456789abcdef01234567" if protocol == "json2" else "a"
                form = json.dumps({"login": "admin", "password": secret}).encode()
                kind = [(b"content-type", b"application/json")]
                kind.append((b"content-length", b"%d" % len(form)))
                status, body = await _asgi(app, "POST", "/api/auth/token", b"", kind, form)
                assert status == 200, body
                token = json.loads(body)["access_token"].encode()
                query = b"limit=10&fields=name,email,phone"
                headers = [(b"access-token", token), (b"host", b"127.0.0.1:8080")]
                status, body = await _asgi(app, "GET", "/api/res.partner", query, headers, b"")
                assert status == 200 and json.loads(body)["count"] == 10, body
                times = []
                for _ in range(7):
                    start = time.process_time()
                    for _ in range(number):
                        await _asgi(app, "GET", "/api/res.partner", query, headers, b"")
                    times.append((time.process_time() - start) / number * 1e6)
                out[protocol] = {"median_us": statistics.median(times), "best_us": min(times)}
    return out


def request_bench(quick: bool = False) -> dict[str, Any]:
    return asyncio.run(_request_bench(quick))


BENCHES = {"token": token_bench, "response": response_bench, "request": request_bench}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", help=f"any of {', '.join(BENCHES)} (default: all)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    unknown = set(args.which) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    results = {name: BENCHES[name](args.quick) for name in args.which or BENCHES}
    if args.json:
        print(json.dumps(results))
    else:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
