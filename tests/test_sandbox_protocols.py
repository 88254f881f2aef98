"""The sandbox's protocol adapters: /jsonrpc services, JSON-2, web sessions, robustness."""

from __future__ import annotations

import json
from typing import Any

import pytest

from odoo_restful.sandbox import Sandbox

ADMIN_KEY = "70b6df629fce8d93489d66aa448a7cc136165301"
NOSALES_KEY = "cc45fd2c663fae4214a2cf7c65d2e66eef912c92"
JSON_TYPE = "application/json; charset=utf-8"


def jsonrpc(sandbox: Sandbox, service: str, method: str, *args: Any) -> dict[str, Any]:
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 7,
        "params": {"service": service, "method": method, "args": list(args)},
    }
    status, headers, raw = sandbox.handle(
        "POST", "/jsonrpc", {"Content-Type": "application/json"}, json.dumps(body).encode()
    )
    assert status == 200 and headers["content-type"] == JSON_TYPE
    reply: dict[str, Any] = json.loads(raw)
    assert reply["jsonrpc"] == "2.0" and reply["id"] == 7
    return reply


def error_of(reply: dict[str, Any]) -> tuple[int, str, str]:
    error = reply["error"]
    assert error["message"] in ("Odoo Server Error", "Odoo Session Expired")
    assert set(error["data"]) == {"name", "message", "arguments", "context", "debug"}
    return error["code"], error["data"]["name"], error["data"]["message"]


def json2(
    sandbox: Sandbox,
    path: str,
    payload: Any = None,
    *,
    key: str | None = ADMIN_KEY,
    db: str | None = "sandbox",
    method: str = "POST",
    raw: bytes | None = None,
) -> tuple[int, dict[str, str], Any]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"bearer {key}"
    if db is not None:
        headers["X-Odoo-Database"] = db
    body = raw if raw is not None else json.dumps(payload if payload is not None else {}).encode()
    status, reply_headers, data = sandbox.handle(method, path, headers, body)
    try:
        return status, reply_headers, json.loads(data)
    except ValueError:
        return status, reply_headers, data.decode()


# --- /jsonrpc -------------------------------------------------------------------------


def test_common_service(sandbox: Sandbox) -> None:
    assert jsonrpc(sandbox, "common", "version")["result"]["server_version_info"] == [
        19,
        0,
        0,
        "final",
        0,
        "",
    ]
    assert (
        jsonrpc(sandbox, "common", "authenticate", "sandbox", "admin", "admin", {})["result"] == 2
    )
    assert (
        jsonrpc(sandbox, "common", "authenticate", "demo", "nosales", NOSALES_KEY, {})["result"]
        == 7
    )
    assert (
        jsonrpc(sandbox, "common", "authenticate", "sandbox", "admin", "nope", {})["result"]
        is False
    )
    assert (
        jsonrpc(sandbox, "common", "authenticate", "sandbox", "__system__", "", {})["result"]
        is False
    )
    assert jsonrpc(sandbox, "common", "login", "sandbox", "portal", "portal")["result"] == 6
    code, name, message = error_of(
        jsonrpc(sandbox, "common", "authenticate", "x", "admin", "admin", {})
    )
    assert (code, name) == (0, "psycopg2.OperationalError")
    assert message.endswith('FATAL:  database "x" does not exist\n')
    _, name, message = error_of(jsonrpc(sandbox, "common", "authenticate", "sandbox", "admin"))
    assert name == "builtins.TypeError" and "missing 2 required positional arguments" in message
    _, name, _ = error_of(jsonrpc(sandbox, "common", "nope"))
    assert name == "builtins.AttributeError"


def test_db_service_and_unknown_service(sandbox: Sandbox) -> None:
    assert jsonrpc(sandbox, "db", "list")["result"] == ["sandbox"]
    assert jsonrpc(sandbox, "db", "db_exist", "demo")["result"] is True
    assert (
        error_of(jsonrpc(sandbox, "db", "drop", "admin", "sandbox"))[1]
        == "odoo.exceptions.AccessDenied"
    )
    assert error_of(jsonrpc(sandbox, "nope", "version"))[1:] == ("builtins.KeyError", "nope")


def test_object_service_credentials(sandbox: Sandbox) -> None:
    ok = jsonrpc(
        sandbox,
        "object",
        "execute_kw",
        "sandbox",
        2,
        ADMIN_KEY,
        "res.partner",
        "search_count",
        [[]],
    )
    assert isinstance(ok["result"], int)
    reply = jsonrpc(
        sandbox, "object", "execute_kw", "sandbox", 2, "bad", "res.partner", "search", [[]]
    )
    assert error_of(reply)[1:] == ("odoo.exceptions.AccessDenied", "Access Denied")
    assert reply["error"]["data"]["debug"] == "odoo.exceptions.AccessDenied: Access Denied\n"
    reply = jsonrpc(
        sandbox, "object", "execute_kw", "sandbox", 999, "admin", "res.partner", "search", [[]]
    )
    assert error_of(reply)[1:] == (
        "odoo.exceptions.MissingError",
        "Record does not exist or has been deleted.\n(Record: res.users(999,), User: 999)",
    )
    reply = jsonrpc(
        sandbox, "object", "execute_kw", "elsewhere", 2, "admin", "res.partner", "search", [[]]
    )
    assert error_of(reply)[1] == "psycopg2.OperationalError"
    reply = jsonrpc(
        sandbox, "object", "execute_kw", "sandbox", 1, "", "res.partner", "search", [[]]
    )
    assert error_of(reply)[1] == "odoo.exceptions.AccessDenied"  # inactive system user


def test_object_service_dispatch_errors(sandbox: Sandbox) -> None:
    def call(model: str, method: str, args: Any, kwargs: Any = None) -> tuple[int, str, str]:
        return error_of(
            jsonrpc(
                sandbox,
                "object",
                "execute_kw",
                "sandbox",
                2,
                "admin",
                model,
                method,
                args,
                kwargs or {},
            )
        )

    assert call("no.such.model", "search", [[]])[1:] == (
        "odoo.exceptions.UserError",
        "Object no.such.model doesn't exist",
    )
    assert call("res.partner", "_compute_display_name", [[1]])[1:] == (
        "odoo.exceptions.AccessError",
        "Private methods (such as 'res.partner._compute_display_name') cannot be called remotely.",
    )
    assert call("no.such.model", "_private", [])[1] == "odoo.exceptions.AccessError"
    assert call("res.partner", "no_such_method", [[1]])[1:] == (
        "builtins.AttributeError",
        "The method 'res.partner.no_such_method' does not exist",
    )
    assert call("res.partner", "name_get", [[1]])[1] == "builtins.AttributeError"  # gone in Odoo 17
    assert call("res.partner", "search_read", [[]], {"limt": 1})[1:] == (
        "builtins.TypeError",
        "BaseModel._read_format() got an unexpected keyword argument 'limt'",
    )
    assert call("res.partner", "search", [[]], {"limt": 1})[1] == "builtins.TypeError"
    assert call("res.partner", "read", [])[1] == "builtins.IndexError"
    assert call("res.partner", "read", "nope")[1] == "builtins.TypeError"
    assert call("res.partner", "read", [["x"]])[1] == "builtins.TypeError"
    assert call("res.users.apikeys.description", "make_key", [[]])[1:] == (
        "odoo.exceptions.UserError",
        "This method can only be accessed over HTTP",
    )


def test_execute_and_positional_arguments(sandbox: Sandbox) -> None:
    reply = jsonrpc(
        sandbox, "object", "execute", "sandbox", 2, "admin", "res.partner", "read", [9], ["name"]
    )
    assert reply["result"] == [{"id": 9, "name": "Acme Corporation"}]
    reply = jsonrpc(
        sandbox,
        "object",
        "execute_kw",
        "sandbox",
        2,
        "admin",
        "res.partner",
        "search_read",
        [[["id", "=", 9]], ["name"]],
    )
    assert reply["result"] == [{"id": 9, "name": "Acme Corporation"}]
    reply = jsonrpc(sandbox, "object", "nope", "sandbox", 2, "admin")
    assert error_of(reply)[1] == "builtins.NameError"


def test_invalid_jsonrpc_bodies(sandbox: Sandbox) -> None:
    for body in (b"{", b"", b"[1, 2]", "\u00e9".encode("latin-1")):
        status, headers, raw = sandbox.handle("POST", "/jsonrpc", {}, body)
        assert (status, raw) == (400, b"Invalid JSON data")
        assert headers["content-type"].startswith("text/html")
    status, _, raw = sandbox.handle("POST", "/jsonrpc", {}, b'{"id": 3, "params": [1]}')
    assert status == 200 and json.loads(raw)["error"]["data"]["name"] == "builtins.TypeError"
    status, _, raw = sandbox.handle(
        "POST",
        "/jsonrpc",
        {},
        b'{"id": 3, "params": {"service": "object", "method": "execute_kw", "args": "x"}}',
    )
    assert status == 200 and json.loads(raw)["id"] == 3


def test_routes_methods_and_versions(sandbox: Sandbox) -> None:
    assert sandbox.handle("GET", "/jsonrpc", {}, b"")[0] == 405
    assert sandbox.handle("GET", "/nowhere", {}, b"")[0] == 404
    status, _, raw = sandbox.handle("GET", "/json/version?x=1", {}, b"")
    assert status == 200 and json.loads(raw) == {
        "version_info": [19, 0, 0, "final", 0, ""],
        "version": "19.0",
    }
    status, _, raw = sandbox.handle(
        "POST", "/web/version", {}, b'{"jsonrpc": "2.0", "id": 1, "params": {}}'
    )
    assert json.loads(raw)["result"]["server_version"] == "19.0"


# --- JSON-2 -------------------------------------------------------------------------------


def test_json2_calls(sandbox: Sandbox) -> None:
    status, headers, body = json2(
        sandbox, "/json/2/res.partner/search_read", {"domain": [["id", "=", 9]], "fields": ["name"]}
    )
    assert (status, headers["content-type"], body) == (
        200,
        JSON_TYPE,
        [{"id": 9, "name": "Acme Corporation"}],
    )
    assert json2(sandbox, "/json/2/res.partner/read", {"ids": [9, 404], "fields": ["name"]})[2] == [
        {"id": 9, "name": "Acme Corporation"}
    ]
    assert json2(sandbox, "/json/2/res.partner/create", {"vals_list": {"name": "One"}})[2] == [46]
    assert json2(
        sandbox, "/json/2/res.partner/create", {"vals_list": [{"name": "A"}, {"name": "B"}]}
    )[2] == [47, 48]
    assert (
        json2(sandbox, "/json/2/res.partner/write", {"ids": [46], "vals": {"phone": "1"}})[2]
        is True
    )
    assert json2(sandbox, "/json/2/res.partner/unlink", {"ids": [48]})[2] is True
    assert (
        json2(
            sandbox,
            "/json/2/res.partner/search_count",
            {"domain": [], "context": {"active_test": False}},
            db=None,
        )[2]
        == 54
    )
    assert json2(sandbox, "/json/2/res.users/context_get", {})[2]["uid"] == 2
    assert json2(sandbox, "/json/2/res.partner/read", {"fields": ["name"]})[2] == []  # no ids
    assert json2(sandbox, "/json/2/sale.order/action_confirm", {"ids": [1]})[2] is True
    assert json2(
        sandbox, "/json/2/res.partner/fields_get", {"allfields": ["name"], "attributes": ["type"]}
    )[2] == {"name": {"type": "char"}}


@pytest.mark.parametrize(
    ("path", "payload", "status", "name", "message"),
    [
        (
            "/json/2/res.partner/search_count",
            {"ids": [1], "domain": []},
            422,
            "werkzeug.exceptions.UnprocessableEntity",
            "cannot call res.partner.search_count with ids",
        ),
        (
            "/json/2/res.partner/search",
            {},
            422,
            "werkzeug.exceptions.UnprocessableEntity",
            "missing a required argument: 'domain'",
        ),
        (
            "/json/2/res.partner/read",
            {"ids": [1], "nope": 1},
            422,
            "werkzeug.exceptions.UnprocessableEntity",
            "got an unexpected keyword argument 'nope'",
        ),
        (
            "/json/2/res.partner/search_read",
            {"domain": [], "limt": 1},
            500,
            "builtins.TypeError",
            "BaseModel._read_format() got an unexpected keyword argument 'limt'",
        ),
        (
            "/json/2/no.such.model/search",
            {"domain": []},
            404,
            "werkzeug.exceptions.NotFound",
            "the model 'no.such.model' does not exist",
        ),
        (
            "/json/2/res.partner/nope",
            {"ids": [1]},
            404,
            "werkzeug.exceptions.NotFound",
            "The method 'res.partner.nope' does not exist",
        ),
        (
            "/json/2/res.partner/_read",
            {},
            403,
            "odoo.exceptions.AccessError",
            "Private methods (such as 'res.partner._read') cannot be called remotely.",
        ),
        (
            "/json/2/res.partner",
            {},
            404,
            "werkzeug.exceptions.NotFound",
            "Did you mean POST /json/2/<model>/<method>?",
        ),
        (
            "/json/2/res.partner/write",
            {"ids": [999], "vals": {"name": "x"}},
            404,
            "odoo.exceptions.MissingError",
            "Record does not exist or has been deleted.\n(Record: res.partner(999,), User: 2)",
        ),
        (
            "/json/2/res.partner/write",
            {"ids": [27], "vals": {"parent_id": 27}},
            422,
            "odoo.exceptions.ValidationError",
            "You cannot create recursive Partner hierarchies.",
        ),
        (
            "/json/2/sale.order/unlink",
            {"ids": [6]},
            422,
            "odoo.exceptions.UserError",
            "You can not delete a sent quotation or a confirmed sales order. "
            "You must first cancel it.",
        ),
        (
            "/json/2/res.partner/search",
            {"domain": [["nope", "=", 1]]},
            500,
            "builtins.ValueError",
            "Invalid field res.partner.nope in condition ('nope', '=', 1)",
        ),
        (
            "/json/2/res.partner/search",
            [1],
            400,
            "werkzeug.exceptions.BadRequest",
            "could not parse the body as json: an object is expected",
        ),
    ],
)
def test_json2_errors(
    sandbox: Sandbox, path: str, payload: Any, status: int, name: str, message: str
) -> None:
    got_status, _, body = json2(sandbox, path, payload)
    assert (got_status, body["name"]) == (status, name)
    assert message in body["message"]
    assert set(body) == {"name", "message", "arguments", "context", "debug"}
    if name.startswith("werkzeug"):
        assert body["arguments"] == [body["message"], status]


def test_json2_authentication_and_database(sandbox: Sandbox) -> None:
    status, headers, body = json2(
        sandbox, "/json/2/res.partner/search_count", {"domain": []}, key=None
    )
    assert (status, headers["www-authenticate"], body["name"]) == (
        401,
        "Bearer ",
        "werkzeug.exceptions.Unauthorized",
    )
    status, _, body = json2(
        sandbox, "/json/2/res.partner/search_count", {"domain": []}, key="0" * 40
    )
    assert (status, body["message"]) == (401, "Invalid apikey")
    status, _, body = json2(
        sandbox, "/json/2/res.partner/search_count", {"domain": []}, key="admin"
    )
    assert status == 401  # a password is not an API key
    status, headers, body = json2(
        sandbox, "/json/2/res.partner/search_count", {"domain": []}, db="nope"
    )
    assert (
        status == 404
        and headers["content-type"].startswith("text/html")
        and "X-Odoo-Database" in body
    )
    status, _, body = json2(sandbox, "/json/2/res.partner/search_count", {"domain": []}, db="demo")
    assert status == 200
    status, _, body = json2(sandbox, "/json/2/sale.order/search", {"domain": []}, key=NOSALES_KEY)
    assert (status, body["name"]) == (403, "odoo.exceptions.AccessError")
    status, _, body = json2(sandbox, "/json/2/res.partner/search", method="GET")
    assert (status, body["name"]) == (404, "werkzeug.exceptions.NotFound")
    status, _, body = json2(sandbox, "/json/2/res.partner/search", raw=b'{"domain": [')
    assert (status, body["message"]) == (
        400,
        "could not parse the body as json: Expecting value: line 1 column 13 (char 12)",
    )
    headers = {"authorization": f"Bearer {ADMIN_KEY}"}
    assert (
        sandbox.handle("POST", "/json/2/res.partner/search_count", headers, b'{"domain": []}')[0]
        == 200
    )


# --- web sessions ---------------------------------------------------------------------------


def web(
    sandbox: Sandbox,
    path: str,
    params: dict[str, Any],
    cookie: str | None = None,
) -> tuple[dict[str, str], dict[str, Any]]:
    headers = {"Content-Type": "application/json"}
    if cookie:
        headers["Cookie"] = f"other=1; session_id={cookie}"
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 5, "params": params}).encode()
    status, reply_headers, raw = sandbox.handle("POST", path, headers, body)
    assert status == 200
    reply: dict[str, Any] = json.loads(raw)
    return reply_headers, reply


def login(sandbox: Sandbox, login: str = "admin", password: str = "admin") -> str:
    headers, reply = web(
        sandbox,
        "/web/session/authenticate",
        {"db": "sandbox", "login": login, "password": password},
    )
    assert reply["result"]["uid"] in (2, 5, 6, 7)
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "Max-Age=604800" in cookie and "Path=/" in cookie
    return cookie.split(";", 1)[0].split("=", 1)[1]


def test_web_session_flow(sandbox: Sandbox) -> None:
    sid = login(sandbox)
    _, reply = web(sandbox, "/web/session/get_session_info", {}, sid)
    info = reply["result"]
    assert (info["uid"], info["db"], info["username"], info["partner_display_name"]) == (
        2,
        "sandbox",
        "admin",
        "YourCompany, Mitchell Admin",
    )
    assert info["user_context"] == {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}
    assert info["currencies"] == {
        "1": {"name": "USD", "symbol": "$", "position": "before", "digits": [69, 2]}
    }
    headers, reply = web(
        sandbox,
        "/web/dataset/call_kw/res.partner/search_read",
        {
            "model": "res.partner",
            "method": "search_read",
            "args": [[["id", "=", 9]]],
            "kwargs": {"fields": ["name"]},
        },
        sid,
    )
    assert reply == {"jsonrpc": "2.0", "id": 5, "result": [{"id": 9, "name": "Acme Corporation"}]}
    assert headers["set-cookie"].startswith(f"session_id={sid};")
    _, reply = web(
        sandbox,
        "/web/dataset/call_kw",
        {"model": "res.partner", "method": "create", "args": [{"name": "Via web"}], "kwargs": {}},
        sid,
    )
    assert reply["result"] == 46
    _, reply = web(
        sandbox,
        "/web/dataset/call_kw",
        {"model": "no.model", "method": "search", "args": [[]]},
        sid,
    )
    assert error_of(reply)[1] == "builtins.KeyError"


def test_web_session_expiry_and_logout(sandbox: Sandbox) -> None:
    sid = login(sandbox)
    sandbox.expire_sessions()
    _, reply = web(
        sandbox,
        "/web/dataset/call_kw",
        {"model": "res.partner", "method": "search", "args": [[]]},
        sid,
    )
    assert reply["id"] is None
    assert error_of(reply) == (100, "odoo.http.SessionExpiredException", "Session expired")
    assert reply["error"]["message"] == "Odoo Session Expired"
    sid = login(sandbox)
    web(sandbox, "/web/session/destroy", {}, sid)
    _, reply = web(sandbox, "/web/session/get_session_info", {}, sid)
    assert error_of(reply)[0] == 100


def test_web_session_authentication_errors(sandbox: Sandbox) -> None:
    _, reply = web(
        sandbox, "/web/session/authenticate", {"db": "nope", "login": "admin", "password": "admin"}
    )
    assert error_of(reply)[1:] == ("odoo.exceptions.AccessError", "Database not found.")
    _, reply = web(
        sandbox, "/web/session/authenticate", {"db": "demo", "login": "admin", "password": "x"}
    )
    assert error_of(reply)[1:] == ("odoo.exceptions.AccessDenied", "Access Denied")


def test_make_key_through_a_web_session(sandbox: Sandbox) -> None:
    sid = login(sandbox, "nosales", "nosales")
    _, reply = web(
        sandbox,
        "/web/dataset/call_kw",
        {
            "model": "res.users.apikeys.description",
            "method": "make_key",
            "args": [[]],
            "kwargs": {},
        },
        sid,
    )
    key = reply["result"]["context"]["default_key"]
    assert len(key) == 40
    status, _, body = json2(sandbox, "/json/2/res.users/context_get", {}, key=key)
    assert (status, body["uid"]) == (200, 7)


# --- robustness ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "headers", "body"),
    [
        ("POST", "/jsonrpc", {}, b"\x00\xff"),
        (
            "POST",
            "/jsonrpc",
            {},
            b'{"params": {"service": "object", "method": "execute_kw", "args": []}}',
        ),
        (
            "POST",
            "/jsonrpc",
            {},
            b'{"params": {"service": "object", "method": "execute_kw",'
            b' "args": ["sandbox", "x", "admin"]}}',
        ),
        (
            "POST",
            "/jsonrpc",
            {},
            b'{"params": {"service": "object", "method": "execute_kw",'
            b' "args": ["sandbox", 2, "admin", "res.partner", "search", [{}], []]}}',
        ),
        (
            "POST",
            "/jsonrpc",
            {},
            b'{"params": {"service": "object", "method": "execute_kw",'
            b' "args": ["sandbox", 2, "admin", "res.partner", "write", [[1], []]]}}',
        ),
        (
            "POST",
            "/jsonrpc",
            {},
            b'{"params": {"service": "object", "method": "execute_kw",'
            b' "args": ["sandbox", 2, "admin", ["x"], "search", [[]]]}}',
        ),
        (
            "POST",
            "/jsonrpc",
            {},
            b'{"params": {"service": "object", "method": "execute_kw",'
            b' "args": ["sandbox", 2, "admin", "res.partner", 5, [[]]]}}',
        ),
        (
            "POST",
            "/json/2/res.partner/search",
            {"Authorization": f"bearer {ADMIN_KEY}"},
            b'{"domain": 5}',
        ),
        (
            "POST",
            "/json/2/res.partner/read",
            {"Authorization": f"bearer {ADMIN_KEY}"},
            b'{"ids": "x"}',
        ),
        (
            "POST",
            "/json/2/res.partner/search",
            {"Authorization": f"bearer {ADMIN_KEY}"},
            b'{"domain": [], "order": 5}',
        ),
        ("POST", "/web/dataset/call_kw", {"Cookie": "session_id"}, b'{"params": {}}'),
        ("DELETE", "/json/2/res.partner/search", {}, b""),
        ("PUT", "/web/session/authenticate", {}, b""),
    ],
)
def test_handle_never_raises(
    sandbox: Sandbox, method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    status, reply_headers, raw = sandbox.handle(method, path, headers, body)
    assert 200 <= status < 600
    assert "content-type" in reply_headers
    assert isinstance(raw, bytes)
