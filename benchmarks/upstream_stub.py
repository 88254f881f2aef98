"""A near-zero-cost stand-in for Odoo's HTTP endpoints, for load tests of the gateway.

It answers, with fixed pre-encoded bodies shaped like the Odoo 19 recordings in
``../shared/odoo-wire``:

* ``POST /jsonrpc``: ``common.version``, ``common.authenticate`` / ``common.login``
  (uid 2), and ``object.execute_kw`` for ``res.users`` ``read`` / ``context_get``,
  ``res.partner`` / ``res.company`` ``read`` (the token endpoint's user facts) and
  ``res.partner`` ``search_read`` (a 10-record page when ``limit`` <= 10, else an
  80-record page);
  and, for ``benchmarks/nested.py``, 80 ``sale.order`` records with their customers
  and three lines each: ``web_search_read`` (the nested read in one call),
  ``search_read`` of ``sale.order`` and ``sale.order.line`` (the plain calls), and
  ``fields_get`` of the models involved;
* ``POST /json/2/<model>/<method>``: the same results, bare (JSON-2);
* ``GET /json/version``;
* the web client's routes: ``POST /web/session/authenticate`` (uid 2 and a
  ``session_id`` cookie), ``POST /web/dataset/call_kw[/<model>/<method>]`` (the same
  results as ``execute_kw``) and ``POST /web/webclient/version_info``.

The JSON-RPC ``id`` of every reply is fixed (the gateway ignores it). Requests are
counted per path and call; ``GET /_stats`` returns the counts and ``POST /_stats/reset``
clears them.

Two implementations, chosen with ``--impl``: ``asyncio`` (a raw ``asyncio.Protocol``
on uvloop with a minimal HTTP/1.1 parser; the default, and the faster) and
``uvicorn`` (a bare ASGI app on uvicorn with httptools). ``--close`` answers with
``Connection: close`` and closes every connection, as real Odoo does.

``--odoo-like`` answers as Odoo's prefork server does (the recordings in
``../shared/odoo-wire-19b``): an ``HTTP/1.0`` status line, Werkzeug's headers
(``Server: Werkzeug/2.2.2 Python/3.11.2``, ``Date``, ``Content-Length``,
``Content-Type``, ``Set-Cookie`` on every web-client route (twice on sign-in), as
``../shared/odoo-wire/web_dataset_call_kw_search_read.json`` shows,
``X-Content-Type-Options: nosniff``), ``Connection: close`` and a closed connection
after every answer. ``--cpu-ms N`` busy-loops N ms of CPU per Odoo
call in the stub process, so that Odoo-like work competes with the gateway for the
cores; ``--workers N`` forks N processes on one listening socket, as ``odoo-bin
--workers=N`` does (each counts its own requests: ``/_stats`` answers one process).

Run: ``python benchmarks/upstream_stub.py --port 8069``; it prints ``READY <port>``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import email.utils
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any, cast

import orjson

# --- fixed results, shaped like the recordings ---------------------------------------

VERSION = {
    "server_version": "19.0",
    "server_version_info": [19, 0, 0, "final", 0, ""],
    "server_serie": "19.0",
    "protocol_version": 1,
}
JSON_VERSION = {"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}
UID = 2
# what /web/session/authenticate answers (a few of Odoo's many keys: the gateway reads uid)
WEB_SESSION = {
    "uid": 2,
    "is_system": True,
    "is_admin": True,
    "name": "Mitchell Admin",
    "username": "admin",
    "db": "bench",
    "user_context": {"lang": "en_US"},
}
SESSION_ID = "bench0StubSession0Id0" + "x" * 50
USER = {
    "id": 2,
    "name": "Mitchell Admin",
    "login": "admin",
    "partner_id": [3, "YourCompany, Mitchell Admin"],
    "company_id": [1, "YourCompany"],
    "company_ids": [1, 2],
    "tz": "Europe/Brussels",
    "lang": "en_US",
}
CONTEXT = {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}
PARTNER_FACTS = {
    "id": 3,
    "country_id": [233, "United States"],
    "contact_address": "YourCompany, Mitchell Admin\n215 Vine St\n\nScranton PA 18503\n"
    "United States",
}
COMPANY_FACTS = {"id": 1, "currency_id": [1, "USD"]}

# Real partners of the recordings (jsonrpc_search_read_basic, _read_partner_field_types,
# _search_read_domain_operators, _dotted_parent): id, name, email, phone, is_company,
# parent, country, state, tags.
# fmt: off
_SEED: list[tuple[Any, ...]] = [
    (9, "Acme Corporation", "acme_corp@yourcompany.example.com", "(603)-996-3829", True,
     None, (233, "United States"), (13, "California (US)"), [7]),
    (10, "Gemini Furniture", "gemini_furniture@fake.geminifurniture.com", "+378 0549 885555",
     True, None, (203, "San Marino"), None, [5]),
    (13, "LightsUp", "lightsup@example.com", "+382 20 123 456", True, None,
     (139, "Montenegro"), None, []),
    (15, "Azure Interior", "azure.Interior24@example.com", "(870)-931-0505", True, None,
     (233, "United States"), (13, "California (US)"), [5]),
    (16, "Lumber Inc", "lumber-inv92@example.com", "(828)-316-0593", True, None,
     (233, "United States"), (13, "California (US)"), []),
    (17, "Willie Burke", "willie.burke80@example.com", "(846)-523-2111", False,
     (16, "Lumber Inc"), (233, "United States"), (13, "California (US)"), []),
    (27, "Brandon Freeman", "brandon.freeman55@example.com", "(355)-687-3262", False,
     (15, "Azure Interior"), (233, "United States"), (13, "California (US)"), [7]),
    (28, "Nicole Ford", "nicole.ford75@example.com", "(946)-638-6034", False,
     (15, "Azure Interior"), (233, "United States"), (13, "California (US)"), [7]),
    (29, "Toni Rhodes", "toni.rhodes11@example.com", "(198)-539-4948", False,
     (10, "Gemini Furniture"), (233, "United States"), (13, "California (US)"), []),
    (31, "Theodore Gardner", "theodore.gardner36@example.com", "(186)-612-6561", False,
     (12, "Ready Mat"), (233, "United States"), (13, "California (US)"), []),
    (33, "Tom Ruiz", "tom.ruiz89@example.com", "(102)-834-1602", False,
     (11, "Wood Corner"), (233, "United States"), (13, "California (US)"), []),
    (34, "Colleen Diaz", "colleen.diaz83@example.com", "(255)-595-8393", False,
     (15, "Azure Interior"), (233, "United States"), (13, "California (US)"), [7]),
    (39, "Travis Mendoza", "travis.mendoza24@example.com", "(840)-944-8661", False,
     (16, "Lumber Inc"), (233, "United States"), (13, "California (US)"), []),
    (46, "Gateway Test Co", "gw@example.com", False, True, None, (233, "United States"),
     None, [9, 8, 2, 5]),
    (52, "Gateway JSON2 Co", False, False, True, None, None, None, []),
    (3, "YourCompany, Mitchell Admin", "admin@yourcompany.example.com", "+1 555-555-5555",
     False, (1, "YourCompany"), (233, "United States"), (48, "Pennsylvania (US)"), []),
]
# fmt: on


# fields_get of the partner fields above, as the gateway asks for it (type, relation,
# store...): its default field list for a read that names none is built from this.
PARTNER_FIELDS: dict[str, dict[str, Any]] = {
    name: {"type": kind, "string": name, "store": True, **({"relation": rel} if rel else {})}
    for name, kind, rel in (
        ("name", "char", None),
        ("email", "char", None),
        ("phone", "char", None),
        ("is_company", "boolean", None),
        ("parent_id", "many2one", "res.partner"),
        ("country_id", "many2one", "res.country"),
        ("state_id", "many2one", "res.country.state"),
        ("category_id", "many2many", "res.partner.category"),
        ("create_date", "datetime", None),
        ("write_date", "datetime", None),
    )
}
AVAILABLE_MODELS = [
    {"model": m, "display_name": m}
    for m in ("res.partner", "res.country", "res.country.state", "res.partner.category")
]


def _m2o(pair: tuple[int, str] | None) -> Any:
    return list(pair) if pair else False


def partner_page(count: int) -> list[dict[str, Any]]:
    """``count`` res.partner records of 11 fields (id + 10), as search_read returns them."""
    page = []
    for i in range(count):
        rid, name, email, phone, company, parent, country, state, tags = _SEED[i % len(_SEED)]
        lap = i // len(_SEED)
        page.append(
            {
                "id": rid + 100 * lap,
                "name": name if not lap else f"{name} ({lap + 1})",
                "email": email,
                "phone": phone,
                "is_company": company,
                "parent_id": _m2o(parent),
                "country_id": _m2o(country),
                "state_id": _m2o(state),
                "category_id": tags,
                "create_date": f"2026-11-27 02:06:{43 + i % 17:02d}",
                "write_date": f"2026-11-27 02:{7 + i % 50:02d}:35",
            }
        )
    return page


SMALL_PAGE = 10
LARGE_PAGE = 80

# --- wire encoding ---------------------------------------------------------------------

RPC_ID = 1  # fixed: the gateway's JSON-RPC client ignores the reply's id


ORDERS = 80
LINES_PER_ORDER = 3
_PRODUCTS = [
    (38, "[FURN_6667] Acoustic Bloc Screens (Black)"),
    (6, "[FURN_8888] Office Lamp"),
    (5, "[FURN_7777] Office Chair"),
]


def _fields(**types: tuple[str, str | None]) -> dict[str, dict[str, Any]]:
    return {
        name: {"type": kind, **({"relation": rel} if rel else {}), "string": name}
        for name, (kind, rel) in types.items()
    }


def sale_results() -> dict[tuple[str, str], Any]:
    """The nested-read benchmark's answers: 80 orders, their customers and lines."""
    partners = partner_page(LARGE_PAGE)
    orders, lines, web = [], [], []
    for i in range(ORDERS):
        partner = partners[i % len(partners)]
        line_ids = [i * LINES_PER_ORDER + k + 1 for k in range(LINES_PER_ORDER)]
        orders.append(
            {
                "id": i + 1,
                "name": f"S{i + 1:05}",
                "partner_id": [partner["id"], partner["name"]],
                "order_line": line_ids,
            }
        )
        web_lines = []
        for k, lid in enumerate(line_ids):
            pid, pname = _PRODUCTS[k % len(_PRODUCTS)]
            lines.append({"id": lid, "product_id": [pid, pname], "price_unit": 100.0 + k})
            web_lines.append(
                {
                    "id": lid,
                    "product_id": {"id": pid, "display_name": pname},
                    "price_unit": 100.0 + k,
                }
            )
        web.append(
            {
                "id": i + 1,
                "name": f"S{i + 1:05}",
                "partner_id": {
                    "id": partner["id"],
                    "name": partner["name"],
                    "email": partner["email"],
                },
                "order_line": web_lines,
            }
        )
    return {
        ("sale.order", "web_search_read"): {"length": ORDERS, "records": web},
        ("sale.order", "search_read"): orders,
        ("sale.order.line", "search_read"): lines,
        ("sale.order", "fields_get"): _fields(
            id=("integer", None),
            name=("char", None),
            partner_id=("many2one", "res.partner"),
            order_line=("one2many", "sale.order.line"),
        ),
        ("sale.order.line", "fields_get"): _fields(
            id=("integer", None),
            price_unit=("float", None),
            product_id=("many2one", "product.product"),
        ),
        ("res.partner", "fields_get"): _fields(
            id=("integer", None), name=("char", None), email=("char", None)
        ),
        ("product.product", "fields_get"): _fields(
            id=("integer", None), display_name=("char", None)
        ),
    }


def encode(value: Any) -> bytes:
    """As Odoo encodes (``json.dumps`` with its default separators): same bytes on the wire."""
    return json.dumps(value).encode()


def rpc_body(result: Any) -> bytes:
    return b'{"jsonrpc": "2.0", "id": %d, "result": %s}' % (RPC_ID, encode(result))


def rpc_error_body(name: str, message: str) -> bytes:
    error = {
        "code": 0,
        "message": "Odoo Server Error",
        "data": {"name": name, "message": message, "arguments": [message], "context": {}},
    }
    return b'{"jsonrpc": "2.0", "id": %d, "error": %s}' % (RPC_ID, encode(error))


class Bodies:
    """Every reply body, encoded once."""

    def __init__(self) -> None:
        small, large = partner_page(SMALL_PAGE), partner_page(LARGE_PAGE)
        self.results: dict[tuple[str, str], Any] = {
            ("res.users", "read"): [USER],
            ("res.users", "context_get"): CONTEXT,
            ("res.partner", "read"): [PARTNER_FACTS],
            ("res.company", "read"): [COMPANY_FACTS],
            **sale_results(),
            ("res.partner", "fields_get"): PARTNER_FIELDS,
            ("ir.model", "get_available_models"): AVAILABLE_MODELS,
        }
        self.pages = {SMALL_PAGE: small, LARGE_PAGE: large}
        self.rpc = {key: rpc_body(value) for key, value in self.results.items()}
        self.rpc_pages = {n: rpc_body(p) for n, p in self.pages.items()}
        self.json2 = {key: encode(value) for key, value in self.results.items()}
        self.json2_pages = {n: encode(p) for n, p in self.pages.items()}
        self.rpc_version = rpc_body(VERSION)
        self.web_session = rpc_body(WEB_SESSION)
        self.web_version = rpc_body(JSON_VERSION)
        self.rpc_uid = rpc_body(UID)
        self.json_version = encode(JSON_VERSION)
        self.rpc_missing = rpc_error_body("odoo.exceptions.UserError", "not in the stub")
        self.json2_missing = b'{"name": "werkzeug.exceptions.NotFound", "message": "not in stub"}'
        fixed = [*self.rpc.values(), *self.rpc_pages.values(), *self.json2.values()]
        fixed += [*self.json2_pages.values(), self.rpc_version, self.rpc_uid]
        fixed += [self.json_version, self.rpc_missing, self.json2_missing]
        fixed += [self.web_session, self.web_version]
        # ids of the bodies that never change: their full HTTP responses can be cached
        self.fixed_ids = frozenset(id(body) for body in fixed)


def page_for(limit: Any) -> int:
    return SMALL_PAGE if isinstance(limit, int) and 0 < limit <= SMALL_PAGE else LARGE_PAGE


# --- request dispatch (shared by both server implementations) --------------------------

JSON = b"application/json; charset=utf-8"
Answer = tuple[int, bytes, bytes]  # status, content type, body
SET_COOKIE = (
    b"Set-Cookie: session_id=%s; Expires=Mon, 29 Nov 2027 18:19:36 GMT; Max-Age=604800; "
    b"HttpOnly; Path=/\r\n" % SESSION_ID.encode()
)


def burn(seconds: float) -> None:
    """Spend this much CPU time in this process (Odoo's work for one call)."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


class Odoo:
    """Maps one request to a fixed answer and counts it."""

    def __init__(self, cpu_ms: float = 0.0, jsonrpc_extra_ms: float = 0.0) -> None:
        self.bodies = Bodies()
        self.counts: collections.Counter[str] = collections.Counter()
        self._not_found: Answer = (404, b"text/html; charset=utf-8", b"<p>Not Found</p>")
        self.cpu_s = cpu_ms / 1000
        self.jsonrpc_extra_s = jsonrpc_extra_ms / 1000

    def handle(self, method: bytes, path: bytes, body: bytes) -> Answer:
        if self.cpu_s and not path.startswith(b"/_stats"):
            burn(self.cpu_s)
        if method == b"POST" and path == b"/jsonrpc":
            return self._jsonrpc(body)
        if method == b"POST" and path.startswith(b"/json/2/"):
            return self._json2(path, body)
        if method == b"POST" and path.startswith(b"/web/"):
            return self._web(path, body)
        if method == b"GET" and path == b"/json/version":
            self.counts["GET /json/version"] += 1
            return 200, JSON, self.bodies.json_version
        if path == b"/_stats" and method == b"GET":
            return 200, JSON, orjson.dumps(dict(self.counts), option=orjson.OPT_SORT_KEYS)
        if path == b"/_stats/reset" and method == b"POST":
            self.counts.clear()
            return 200, JSON, b"{}"
        self.counts[f"{method.decode()} {path.decode(errors='replace')} (404)"] += 1
        return self._not_found

    def _jsonrpc(self, raw: bytes) -> Answer:
        b = self.bodies
        try:
            params = orjson.loads(raw)["params"]
            service, method, args = params["service"], params["method"], params["args"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            self.counts["POST /jsonrpc (bad request)"] += 1
            return 400, b"text/html; charset=utf-8", b"Invalid JSON data"
        if service == "common":
            self.counts[f"POST /jsonrpc common.{method}"] += 1
            if method == "version":
                return 200, JSON, b.rpc_version
            if method in ("authenticate", "login"):
                return 200, JSON, b.rpc_uid
        elif service == "object" and method == "execute_kw" and len(args) >= 5:
            kwargs = args[6] if len(args) > 6 and isinstance(args[6], dict) else {}
            if self.jsonrpc_extra_s:  # Odoo 19: the password check and deprecation warning
                burn(self.jsonrpc_extra_s)
            return self._execute("POST /jsonrpc", args[3], args[4], kwargs)
        else:
            self.counts[f"POST /jsonrpc {service}.{method}"] += 1
        return 200, JSON, b.rpc_missing

    def _execute(self, route: str, model: Any, call: Any, kwargs: dict[str, Any]) -> Answer:
        """A model method's JSON-RPC answer (``/jsonrpc`` and ``call_kw`` share them)."""
        b = self.bodies
        if call == "search_read" and model == "res.partner":
            size = page_for(kwargs.get("limit"))
            self.counts[f"{route} {model}.{call} page={size}"] += 1
            return 200, JSON, b.rpc_pages[size]
        self.counts[f"{route} {model}.{call}"] += 1
        found = b.rpc.get((model, call))
        return 200, JSON, b.rpc_missing if found is None else found

    def _web(self, path: bytes, raw: bytes) -> Answer:
        b = self.bodies
        if path == b"/web/session/authenticate":
            self.counts["POST /web/session/authenticate"] += 1
            return 200, JSON, b.web_session
        if path == b"/web/webclient/version_info":
            self.counts["POST /web/webclient/version_info"] += 1
            return 200, JSON, b.web_version
        if path.startswith(b"/web/dataset/call_kw"):
            try:
                params = orjson.loads(raw)["params"]
                model, call = params["model"], params["method"]
                kwargs = params.get("kwargs") or {}
            except (orjson.JSONDecodeError, KeyError, TypeError):
                self.counts["POST /web/dataset/call_kw (bad request)"] += 1
                return 400, b"text/html; charset=utf-8", b"Invalid JSON data"
            return self._execute("POST /web/dataset/call_kw", model, call, kwargs)
        self.counts[f"POST {path.decode(errors='replace')} (404)"] += 1
        return self._not_found

    def _json2(self, path: bytes, raw: bytes) -> Answer:
        b = self.bodies
        _, _, rest = path.partition(b"/json/2/")
        model, _, call = rest.decode(errors="replace").partition("/")
        if call == "search_read" and model == "res.partner":
            try:
                limit = orjson.loads(raw).get("limit")
            except (orjson.JSONDecodeError, AttributeError):
                limit = None
            size = page_for(limit)
            self.counts[f"POST /json/2/{model}/{call} page={size}"] += 1
            return 200, JSON, b.json2_pages[size]
        self.counts[f"POST /json/2/{model}/{call}"] += 1
        found = b.json2.get((model, call))
        if found is not None:
            return 200, JSON, found
        return 404, JSON, b.json2_missing


_REASONS = {200: b"OK", 400: b"BAD REQUEST", 404: b"NOT FOUND", 411: b"LENGTH REQUIRED"}


def odoo_head(status: int, content_type: bytes, length: int, cookies: int) -> bytes:
    """The head Odoo's prefork server (Werkzeug) sends: HTTP/1.0, then close. Odoo 19
    sets the session cookie again on every web-client route (twice on sign-in)."""
    return (
        b"HTTP/1.0 %d %s\r\nServer: Werkzeug/2.2.2 Python/3.11.2\r\nDate: %s\r\n"
        b"Content-Length: %d\r\nContent-Type: %s\r\n%sX-Content-Type-Options: nosniff\r\n"
        b"Connection: close\r\n\r\n"
        % (
            status,
            _REASONS.get(status, b"OK"),
            email.utils.formatdate(usegmt=True).encode(),
            length,
            content_type,
            SET_COOKIE * cookies,
        )
    )


def http_head(status: int, content_type: bytes, length: int, close: bool) -> bytes:
    return b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: %s\r\n\r\n" % (
        status,
        _REASONS.get(status, b"OK"),
        content_type,
        length,
        b"close" if close else b"keep-alive",
    )


# --- implementation 1: raw asyncio.Protocol (uvloop) -----------------------------------


class StubProtocol(asyncio.Protocol):
    """A minimal HTTP/1.1 server: Content-Length bodies, keep-alive, no chunked requests."""

    __slots__ = ("_cache", "buf", "close", "odoo", "odoo_like", "transport")

    def __init__(
        self, odoo: Odoo, close: bool, cache: dict[int, bytes], odoo_like: bool = False
    ) -> None:
        self.odoo = odoo
        self.odoo_like = odoo_like
        self.close = close or odoo_like
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None
        self._cache = cache  # id(body) -> full response, built on first use

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end])
            first = head.find(b"\r\n")
            line = head if first < 0 else head[:first]
            try:
                method, path, _version = line.split(b" ", 2)
            except ValueError:
                self._reply(400, b"text/plain", b"bad request line", close=True)
                return
            lower = head.lower()
            length = 0
            at = lower.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = lower.find(b"\r\n", at + 17)
                length = int(lower[at + 17 : stop if stop >= 0 else len(lower)])
            elif b"\r\ntransfer-encoding:" in lower:
                self._reply(411, b"text/plain", b"chunked bodies are not supported", close=True)
                return
            total = end + 4 + length
            if len(buf) < total:
                return
            body = bytes(buf[end + 4 : total])
            del buf[:total]
            query = path.find(b"?")
            if query >= 0:
                path = path[:query]
            close = self.close or b"\r\nconnection: close" in lower
            web = path.startswith(b"/web/")
            self._answer(*self.odoo.handle(method, path, body), close=close, web=web)
            if close:
                return

    def _answer(
        self, status: int, content_type: bytes, body: bytes, *, close: bool, web: bool = False
    ) -> None:
        key = id(body) * 2 + close
        full = None if self.odoo_like else self._cache.get(key)
        if self.odoo_like:  # a Date per answer, as Werkzeug writes it
            cookies = 2 if body is self.odoo.bodies.web_session else int(web)
            full = odoo_head(status, content_type, len(body), cookies) + body
        elif full is None:
            full = http_head(status, content_type, len(body), close) + body
            if id(body) in self.odoo.bodies.fixed_ids:
                self._cache[key] = full  # only the fixed bodies (kept alive by Bodies)
        assert self.transport is not None
        self.transport.write(full)
        if close:
            self.transport.close()

    def _reply(self, status: int, content_type: bytes, body: bytes, *, close: bool) -> None:
        assert self.transport is not None
        self.transport.write(http_head(status, content_type, len(body), close) + body)
        if close:
            self.transport.close()


async def serve_asyncio(
    host: str,
    port: int,
    close: bool,
    ready: Callable[[int], None],
    *,
    odoo_like: bool = False,
    cpu_ms: float = 0.0,
    jsonrpc_extra_ms: float = 0.0,
    sock: socket.socket | None = None,
) -> None:
    odoo = Odoo(cpu_ms, jsonrpc_extra_ms)
    cache: dict[int, bytes] = {}
    loop = asyncio.get_running_loop()

    def protocol() -> StubProtocol:
        return StubProtocol(odoo, close, cache, odoo_like)

    if sock is not None:
        server = await loop.create_server(protocol, sock=sock, backlog=1024)
    else:
        server = await loop.create_server(protocol, host, port, backlog=1024, reuse_address=True)
        ready(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def die_with_parent() -> None:
    """A forked worker ends when the stub's first process does (Linux prctl)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


# --- implementation 2: bare ASGI on uvicorn --------------------------------------------


def asgi_app(close: bool) -> Callable[..., Any]:
    odoo = Odoo()
    conn = b"close" if close else b"keep-alive"

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        status, content_type, body = odoo.handle(
            scope["method"].encode(), scope["raw_path"].split(b"?")[0], b"".join(chunks)
        )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", b"%d" % len(body)),
                    (b"connection", conn),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def serve_uvicorn(host: str, port: int, close: bool, ready: Callable[[int], None]) -> None:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    ready(sock.getsockname()[1])
    config = uvicorn.Config(
        asgi_app(close),
        loop="uvloop",
        http="httptools",
        lifespan="off",
        access_log=False,
        log_level="warning",
        server_header=False,
        date_header=False,
        backlog=1024,
    )
    uvicorn.Server(config).run(sockets=[sock])


# --- the same answers as rules for cstub.c ----------------------------------------------

Rule = tuple[str, str, str, list[str], bytes]  # count name, method, path, needles, body


def c_rules(bodies: Bodies) -> list[Rule]:
    """JSON-RPC answers as ``cstub.c`` matches them: by substrings of the request body.

    The needles are spelled as the gateway's compact JSON spells its requests (no
    spaces), so the C stub serves the gateway's ``--protocol jsonrpc`` requests and
    answers anything else 404 ("unmatched" in its counts).
    """
    search = '"res.partner","search_read"'
    rules: list[Rule] = [
        ("GET /json/version", "GET", "/json/version", [], bodies.json_version),
        (
            f"POST /jsonrpc res.partner.search_read page={SMALL_PAGE}",
            "POST",
            "/jsonrpc",
            [search, f'"limit":{SMALL_PAGE},'],
            bodies.rpc_pages[SMALL_PAGE],
        ),
        (
            f"POST /jsonrpc res.partner.search_read page={LARGE_PAGE}",
            "POST",
            "/jsonrpc",
            [search],
            bodies.rpc_pages[LARGE_PAGE],
        ),
    ]
    for (model, call), body in bodies.rpc.items():
        name = f"POST /jsonrpc {model}.{call}"
        rules.append((name, "POST", "/jsonrpc", [f'"{model}","{call}"'], body))
    for method, body in (("version", bodies.rpc_version), ("authenticate", bodies.rpc_uid)):
        needles = ['"service":"common"', f'"method":"{method}"']
        rules.append((f"POST /jsonrpc common.{method}", "POST", "/jsonrpc", needles, body))
    rules.append(("POST /jsonrpc common.login", "POST", "/jsonrpc", ['"login"'], bodies.rpc_uid))
    return rules


def write_rules(path: str) -> None:
    with open(path, "wb") as out:
        for name, method, url_path, needles, body in c_rules(Bodies()):
            out.write(f"RULE {name}\nMETHOD {method}\nPATH {url_path}\n".encode())
            out.writelines(f"NEEDLE {n}\n".encode() for n in needles)
            out.write(b"BODY %d\n%s\n" % (len(body), body))


def _announce(port: int) -> None:
    print(f"READY {port}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--impl", choices=("asyncio", "uvicorn"), default="asyncio")
    parser.add_argument(
        "--close", action="store_true", help="answer 'Connection: close' (as Odoo does)"
    )
    parser.add_argument(
        "--odoo-like",
        action="store_true",
        help="answer as Odoo's prefork server: HTTP/1.0, Werkzeug's headers, close",
    )
    parser.add_argument("--cpu-ms", type=float, default=0.0, help="CPU ms burnt per Odoo call")
    parser.add_argument(
        "--jsonrpc-extra-ms",
        type=float,
        default=0.0,
        help="more CPU ms per /jsonrpc model call (Odoo 19's password check and warning)",
    )
    parser.add_argument("--workers", type=int, default=1, help="processes on one socket")
    parser.add_argument("--write-rules", metavar="FILE", help="write cstub.c's rules and exit")
    args = parser.parse_args(argv)
    if args.write_rules:
        write_rules(args.write_rules)
        return
    if args.impl == "uvicorn":
        serve_uvicorn(args.host, args.port, args.close, _announce)
        return
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        uvloop = None
    sock = None
    if args.workers > 1:  # one socket, forked workers, as odoo-bin --workers=N
        sock = listening_socket(args.host, args.port)
        for _ in range(args.workers - 1):
            if os.fork() == 0:
                die_with_parent()
                break
        else:
            _announce(sock.getsockname()[1])
    coro = serve_asyncio(
        args.host,
        args.port,
        args.close,
        _announce,
        odoo_like=args.odoo_like,
        cpu_ms=args.cpu_ms,
        jsonrpc_extra_ms=args.jsonrpc_extra_ms,
        sock=sock,
    )
    try:
        if uvloop is not None:
            uvloop.run(coro)
        else:
            asyncio.run(coro)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
